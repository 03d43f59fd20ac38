"""Account pages that allauth does not provide: profile, recovery e-mail, API tokens, deletion."""

from __future__ import annotations

from typing import cast

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alongside.accounts import selectors, services
from alongside.accounts.forms import AccountDeleteForm, DiscreetForm, ProfileForm, RecoveryEmailForm
from alongside.accounts.models import User
from alongside.core.errors import NotFound, errors_as_messages, errors_into


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    current = selectors.profile_get(viewer=_me(request))
    form = ProfileForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        with errors_into(form):
            services.profile_update(actor=_me(request), user=_me(request), values=values)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def discreet(request: HttpRequest) -> HttpResponse:
    """Discreet mode, for a device other people might see."""
    me = _me(request)
    # An unticked box sends nothing: bind on POST even when the POST is empty.
    form = DiscreetForm(request.POST if request.method == "POST" else None, initial={"discreet": me.discreet})
    if request.method == "POST" and form.is_valid():
        services.user_discreet_set(actor=me, user=me, on=form.cleaned_data["discreet"])
        messages.success(
            request, _("Discreet mode is on.") if form.cleaned_data["discreet"] else _("Discreet mode is off.")
        )
        return redirect("accounts:discreet")
    return render(request, "accounts/discreet.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def recovery_email(request: HttpRequest) -> HttpResponse:
    """The recovery address: the confirmed one, and one waiting to be confirmed. What the page says
    after a change is the same whether or not the address belongs to someone else."""
    me = _me(request)
    form = RecoveryEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="manage_email"):
            form.add_error(None, _("That was a lot of changes at once. Please wait a minute and try again."))
        else:
            with errors_into(form):
                services.user_email_set(
                    actor=me, user=me, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
                )
                if form.cleaned_data["email"]:
                    messages.success(request, _("Thank you. Please open the link we've sent to that address."))
                else:
                    messages.success(request, _("Your recovery e-mail is removed."))
                return redirect("accounts:email")
    context = {"form": form, "email": me.email, "pending_email": me.pending_email}
    return render(request, "accounts/email.html", context)


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to a new recovery address. Confirming takes a button press (a POST), so
    that mail scanners which open links do not confirm anything."""
    form = Form(request.POST or None)
    if request.method == "POST":
        with errors_as_messages(request):
            services.user_email_confirm(token=token)
            messages.success(request, _("Thank you. This is now your recovery e-mail."))
            return redirect("home")
    return render(request, "accounts/email_confirm.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/tokens.html", {"tokens": selectors.api_tokens_list(viewer=_me(request))})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(viewer=_me(request), token_id=token_id)
    if token is None:
        raise NotFound
    services.api_token_revoke(actor=_me(request), token=token)
    messages.success(request, _("That token no longer works."))
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = _me(request)
        logout(request)
        services.user_delete(actor=user, user=user)
        messages.success(request, _("Your account and profile are deleted. Take care of yourself."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
