"""Small-cell suppression for published tables (issue 11.5).

A cell is a figure and the number of distinct people behind it. A cell from fewer than
`MIN_PEOPLE` people is hidden (primary suppression). Where a column's total is shown, a single
hidden cell could be worked out by subtracting the others from the total, so a second cell of
that column is hidden too, the smallest one left (complementary suppression); and a total itself
from fewer than `MIN_PEOPLE` people is hidden. This repeats until nothing more changes.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_PEOPLE = 10


@dataclass
class Cell:
    value: float
    people: int
    hidden: bool = False

    def shown(self) -> str:
        if self.hidden:
            return f"<{MIN_PEOPLE}" if self.people < MIN_PEOPLE else "—"
        return f"{self.value:g}"


def suppress(rows: list[list[Cell]], totals: list[Cell] | None) -> None:
    """Hide cells in place: rows of the same length, and a total per column (or None)."""
    for row in rows:
        for cell in row:
            cell.hidden = cell.people < MIN_PEOPLE
    if totals is None:
        return
    for total in totals:
        total.hidden = total.people < MIN_PEOPLE
    changed = True
    while changed:
        changed = False
        for column, total in enumerate(totals):
            if total.hidden:
                continue
            cells = [row[column] for row in rows]
            hidden = [cell for cell in cells if cell.hidden]
            if len(hidden) == 1:
                shown = sorted((cell for cell in cells if not cell.hidden), key=lambda cell: (cell.people, cell.value))
                if shown:
                    shown[0].hidden = True
                else:
                    total.hidden = True
                changed = True
