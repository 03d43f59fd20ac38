"""Program outcomes (issue 11.5): small-cell suppression, tested with adversarial tables (a hidden
cell must never be recoverable from a shown total), and the dashboard's access and figures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.accounts.enums import Role
from alongside.outcomes.suppression import MIN_PEOPLE, Cell, suppress
from alongside.selfcare import services
from tests.fixtures import client_for
from tests.personas import make_person


def _recoverable(rows: list[list[Cell]], totals: list[Cell]) -> bool:
    """Whether some hidden cell equals its shown column total minus the shown cells of that column."""
    for column, total in enumerate(totals):
        if total.hidden:
            continue
        hidden = [row[column] for row in rows if row[column].hidden]
        if len(hidden) == 1:
            return True
    return False


def _table(people: list[list[int]]) -> tuple[list[list[Cell]], list[Cell]]:
    rows = [[Cell(value=n * 2, people=n) for n in row] for row in people]
    totals = [
        Cell(sum(row[c].value for row in rows), sum(row[c].people for row in rows)) for c in range(len(people[0]))
    ]
    return rows, totals


@pytest.mark.parametrize(
    "people",
    [
        [[50, 3], [40, 60], [30, 70]],  # one small cell: another of its column must go too
        [[9, 50], [50, 9]],  # one per column
        [[10, 10], [9, 10]],  # the edge: exactly MIN_PEOPLE is shown
        [[2], [40]],  # a one-column table
        [[3], [4]],  # everything small, the total too
        [[5, 5, 5], [5, 5, 5]],
    ],
)
def test_no_hidden_cell_can_be_worked_out_from_a_total(people):
    rows, totals = _table(people)
    suppress(rows, totals)
    assert not _recoverable(rows, totals)
    for row, counts in zip(rows, people, strict=True):
        for cell, count in zip(row, counts, strict=True):
            if count < MIN_PEOPLE:
                assert cell.hidden
                assert cell.shown() == f"<{MIN_PEOPLE}"
    for total in totals:
        if total.people < MIN_PEOPLE:
            assert total.hidden


def test_exactly_ten_people_are_shown_and_a_complementary_cell_shows_a_dash():
    rows, totals = _table([[10, 40], [9, 40], [30, 40]])
    suppress(rows, totals)
    assert [row[0].shown() for row in rows] == ["—", "<10", "60"]  # the 10 goes too: the total would tell
    assert [row[1].shown() for row in rows] == ["80", "80", "80"]
    edge, edge_totals = _table([[10], [10]])
    suppress(edge, edge_totals)
    assert [row[0].shown() for row in edge] == ["20", "20"]  # exactly MIN_PEOPLE people: shown


@pytest.mark.django_db
def test_only_administrators_and_allowed_clinicians_see_the_dashboard(settings):
    admin, clinician, member = (
        make_person("ada_stone", Role.ADMIN),
        make_person("cleo_brook", Role.CLINICIAN),
        make_person("mo_out"),
    )
    assert client_for(admin).get(reverse("outcomes:dashboard")).status_code == 200
    assert client_for(member).get(reverse("outcomes:dashboard")).status_code == 404
    assert client_for(clinician).get(reverse("outcomes:dashboard")).status_code == 404
    assert client_for(member).get(reverse("outcomes:csv")).status_code == 404
    assert Client().get(reverse("outcomes:dashboard")).status_code == 302
    settings.OUTCOMES_FOR_CLINICIANS = True
    assert client_for(clinician).get(reverse("outcomes:dashboard")).status_code == 200


@pytest.mark.django_db
def test_figures_appear_only_from_ten_people_and_never_name_anyone():
    admin = make_person("ada_stone", Role.ADMIN)
    people = [make_person(f"out_{n:02d}") for n in range(11)]
    for person in people[:9]:
        services.measure_submit(actor=person, key="who5", answers=[2] * 5)
        services.measure_submit(actor=person, key="who5", answers=[3] * 5)
    page = client_for(admin).get(reverse("outcomes:dashboard")).content.decode()
    assert "<td>&lt;10</td>" in page  # nine people: hidden
    for person in people[9:]:
        services.measure_submit(actor=person, key="who5", answers=[2] * 5)
        services.measure_submit(actor=person, key="who5", answers=[3] * 5)
    page = client_for(admin).get(reverse("outcomes:dashboard")).content.decode()
    assert "<td>40</td><td>60</td><td>20</td>" in page  # eleven people: first 40, latest 60, change 20
    assert "out_0" not in page
    csv = client_for(admin).get(reverse("outcomes:csv")).content.decode()
    assert "measures,WHO-5,mean change,20" in csv
    assert "out_0" not in csv
