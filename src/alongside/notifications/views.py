"""The notification list: mentions, and new replies in threads I follow (one item per thread)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from alongside.notifications import selectors, services
from alongside.notifications.presenters import present_notifications

PER_PAGE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list(viewer=request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    items = present_notifications(rows, selectors.notification_details(viewer=request.user, notifications=rows))
    return render(request, "notifications/list.html", {"page": page, "items": items})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one as read and go to what it is about (for new replies: the thread, where they left off)."""
    notification = selectors.notification_list(viewer=request.user).filter(pk=notification_id).first()
    if notification is None:
        return redirect("notifications:list")
    services.notifications_mark_read(actor=request.user, ids=[notification.pk])
    return redirect(notification.url)
