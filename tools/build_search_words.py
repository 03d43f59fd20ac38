"""Rebuild `src/alongside/communities/data/english-words.txt`, the vocabulary that search suggests
spellings from ("Did you mean: anxiety?"), from SCOWL (Spell Checker Oriented Word Lists).

    apt-get install -y scowl        # Debian's package of SCOWL: /usr/share/dict/scowl
    python3 tools/build_search_words.py [/usr/share/dict/scowl]

Takes the English, American and British (-ise and -ize) word lists of SCOWL sizes 10 to 50 (the
size `wamerican`/`wbritish` ship: common words and their inflections, no rare ones), keeps the
words made only of lower-case letters a-z (no proper names, abbreviations or possessives), and
writes each word once under the smallest size it appears in. A smaller size means a more common
word; search prefers common words when two corrections are equally close.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SIZES = (10, 20, 35, 40, 50)
KINDS = ("english", "american", "british", "british_z")
OUT = Path(__file__).resolve().parent.parent / "src" / "alongside" / "communities" / "data" / "english-words.txt"
HEADER = """\
# English words for search suggestions, from SCOWL (http://wordlist.aspell.net/), sizes 10-50:
# the English, American and British lists, lower-case a-z words only. Each "## <size>" line starts
# the words first found at that size (smaller: more common). Copyright notice: SCOWL-COPYRIGHT.txt.
# Made by tools/build_search_words.py; do not edit by hand.
"""


def main() -> int:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/scowl")
    size_of: dict[str, int] = {}
    for kind in KINDS:
        for size in SIZES:
            path = source / f"{kind}-words.{size}"
            for line in path.read_text(encoding="latin-1").splitlines():
                word = line.strip()
                if re.fullmatch(r"[a-z]+", word):
                    size_of[word] = min(size_of.get(word, size), size)
    lines = [HEADER.rstrip("\n")]
    for size in SIZES:
        lines.append(f"## {size}")
        lines.extend(sorted(word for word, first in size_of.items() if first == size))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(size_of)} words written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
