"""The look-alike keys of a person's names: core.confusables' keys, with `_`, `-` and `.` read as
spaces, so "maple-member", "maple_member" and "Maple Member" are one name to the eye."""

from __future__ import annotations

import re

from alongside.core.confusables import name_keys

_SEPARATORS = re.compile(r"[\s_.\-]+")


def person_name_keys(name: str) -> frozenset[str]:
    return frozenset(_SEPARATORS.sub(" ", key).strip() for key in name_keys(name))
