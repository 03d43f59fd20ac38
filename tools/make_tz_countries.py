"""Write src/alongside/safety/data/tz_countries.json: IANA time zone name -> ISO 3166 country code.

The crisis page uses it to guess a visitor's country from the time zone their browser reports
(`Intl.DateTimeFormat().resolvedOptions().timeZone`) when they have not chosen one.

Sources, from the tz database as the operating system ships it (Debian's `tzdata` package puts
them in /usr/share/zoneinfo; the `tzdata` package on PyPI ships the same `zone.tab` and
`tzdata.zi` under `tzdata/zoneinfo/`):
- `zone.tab`: one row per zone with the single country it is in (unlike `zone1970.tab`, which
  lists every country that shares a zone since 1970: "Europe/Zurich" there is CH, DE and LI).
- `zone1970.tab`: which zones several countries share, so an old name is never pinned to one
  of them by mistake.
- `tzdata.zi`: its `L target name` lines, so that old names a browser may still report
  ("Asia/Calcutta", "US/Eastern") map to their target's country, when that target stands for
  one country only.
Zones without a country (Etc/UTC) and old names shared by several countries are left out: no
guess is better than a wrong one (the page then asks the person to choose).

Run: python tools/make_tz_countries.py [ZONEINFO_DIR]   (default /usr/share/zoneinfo)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "alongside" / "safety" / "data" / "tz_countries.json"


def read_zone_tab(path: Path) -> dict[str, str]:
    zones: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, _coordinates, zone, *_comments = line.split("\t")
        zones[zone] = code
    return zones


def read_zone1970_tab(path: Path) -> dict[str, set[str]]:
    shared: dict[str, set[str]] = {}
    if not path.exists():
        return shared
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        codes, _coordinates, zone, *_comments = line.split("\t")
        shared[zone] = set(codes.split(","))
    return shared


def read_links(path: Path) -> dict[str, str]:
    """Link name -> target, from the compact `tzdata.zi` (lines `L <target> <name>`)."""
    links: dict[str, str] = {}
    if not path.exists():
        return links
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


def build(zoneinfo: Path) -> dict[str, str]:
    zones = read_zone_tab(zoneinfo / "zone.tab")
    links = read_links(zoneinfo / "tzdata.zi")
    # Countries that share each zone's rules: a zone in zone.tab may itself be a link in the data
    # ("Africa/Asmara" -> "Africa/Nairobi"), so one target can stand for several countries. An old
    # name pointing at such a target ("Africa/Asmera") cannot be placed, and is left out.
    family: dict[str, set[str]] = {}
    for zone, code in zones.items():
        family.setdefault(links.get(zone, zone), set()).add(code)
    # zone1970.tab says the same where the data keeps the zones apart ("Africa/Nairobi": KE, ER, ...).
    for zone, codes in read_zone1970_tab(zoneinfo / "zone1970.tab").items():
        family.setdefault(zone, set()).update(codes)
    table = dict(zones)
    for name, target in links.items():
        if name in table:
            continue
        countries = family.get(target, set())
        if len(countries) == 1:
            table[name] = next(iter(countries))
    return dict(sorted(table.items()))


def main() -> None:
    zoneinfo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/zoneinfo")
    table = build(zoneinfo)
    version = ""
    version_file = zoneinfo / "tzdata.zi"
    if version_file.exists():
        first = version_file.read_text(encoding="utf-8").splitlines()[0]
        version = first.removeprefix("# version ").strip()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"source": f"tz database {version} (zone.tab and tzdata.zi links)", "zones": table}
    OUT.write_text(json.dumps(payload, indent=0, ensure_ascii=True, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{len(table)} zones -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
