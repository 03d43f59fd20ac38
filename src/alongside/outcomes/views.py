"""The program outcomes dashboard for administrators (and clinicians where allowed): anonymous
totals with small cells hidden, and the same as CSV."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alongside.outcomes import selectors
from alongside.outcomes.suppression import MIN_PEOPLE


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        "changes": selectors.measure_changes(viewer=request.user),
        "engagement": selectors.engagement(viewer=request.user),
        "columns": selectors.ENGAGEMENT,
        "min_people": MIN_PEOPLE,
    }
    return render(request, "outcomes/dashboard.html", context)


@never_cache
@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    changes = selectors.measure_changes(viewer=request.user)
    engagement = selectors.engagement(viewer=request.user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for change in changes:
        cells = (("mean first", change.first), ("mean latest", change.latest), ("mean change", change.change))
        for column, cell in cells:
            writer.writerow(["measures", change.name, column, cell.shown()])
    for month, row in engagement.labelled:
        for column, cell in zip(selectors.ENGAGEMENT, row, strict=True):
            writer.writerow(["engagement", month, column, cell.shown()])
    for column, cell in zip(selectors.ENGAGEMENT, engagement.totals, strict=True):
        writer.writerow(["engagement", "total", column, cell.shown()])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alongside-outcomes.csv"'
    return response
