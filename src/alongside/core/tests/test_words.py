"""Words that match: plain form errors that name the field by its label, an error summary at the
top of a refused form's page (whose title then starts with "Error:"), and one vocabulary on every
page ("Log in", never "Sign In"), including the pages our libraries draw."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override

import alongside
from alongside.accounts.forms import RecoveryEmailForm, SignupForm
from alongside.communities.forms import ThreadForm
from alongside.core.forms import PlainErrors
from tests.fixtures import client_for
from tests.personas import make_person

CATALOG = Path(alongside.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
SIGN_WORDS = re.compile(r"\bsign(?:ed)?[ -]?(?:in|out|up)\b", re.IGNORECASE)


def _project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(alongside.__path__, "alongside."):
        if module.name.rsplit(".", 1)[-1] == "forms" or ".forms" in module.name:
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("alongside.") and cls.declared_fields:  # type: ignore[attr-defined]
            found.append(cls)
    return found


def test_every_form_of_ours_words_its_errors_plainly() -> None:
    project_forms = _project_forms()
    assert len(project_forms) >= 15
    assert [cls.__qualname__ for cls in project_forms if not issubclass(cls, PlainErrors)] == []


@pytest.mark.django_db
def test_a_short_pseudonym_is_explained_in_plain_words() -> None:
    form = SignupForm(data={"username": "ab", "password1": "a calm harbour", "password2": "a calm harbour"})
    assert not form.is_valid()
    assert form.errors["username"] == ["Your pseudonym needs at least 3 characters."]


def test_errors_name_the_field_by_its_label() -> None:
    thread = ThreadForm(data={"title": "x" * 151, "body": "Hello"})
    assert not thread.is_valid()
    assert thread.errors["title"] == ["“Title” can be at most 150 characters long (it has 151)."]
    email = RecoveryEmailForm(data={"email": "not an address", "password": ""})
    assert not email.is_valid()
    assert email.errors["email"] == ["“Recovery e-mail” needs an e-mail address, like name@example.org."]
    assert email.errors["password"] == ["Please fill in “Your password”."]


def test_a_form_that_chose_its_own_words_keeps_them() -> None:
    class Kind(PlainErrors, forms.Form):
        name = forms.CharField(error_messages={"required": "Tell us what to call you."})
        age = forms.IntegerField(required=False)

    form = Kind(data={"age": "ten"})
    assert not form.is_valid()
    assert form.errors == {"name": ["Tell us what to call you."], "age": ["“Age” needs a whole number."]}


@pytest.mark.django_db
def test_a_refused_form_page_starts_with_what_to_fix() -> None:
    response = Client().post(reverse("account_signup"), {"username": "ab", "password1": "short", "password2": "other"})
    assert response.status_code == 200
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None
    assert title.group(1).startswith("Error: ")
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert '<a href="#id_username">Your pseudonym needs at least 3 characters.</a>' in summary
    assert 'href="#id_password' in summary
    assert html.index('id="error-summary"') < html.index("<form")


@pytest.mark.django_db
def test_a_page_whose_form_was_not_refused_has_no_summary_and_a_plain_title() -> None:
    html = Client().get(reverse("account_signup")).content.decode()
    assert "error-summary" not in html
    assert "<title>Error:" not in html


def _catalog() -> list[tuple[str, str]]:
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', CATALOG.read_text(), re.M)
    return [(msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')) for msgid, msgstr in pairs]


def test_our_words_replace_the_libraries_words_and_the_compiled_catalog_is_current() -> None:
    pairs = _catalog()
    assert ("Sign In", "Log in") in pairs
    with override("en"):
        for msgid, msgstr in pairs:
            assert gettext(msgid) == msgstr, f"run `make messages`: {msgid!r}"


@pytest.mark.django_db
def test_the_log_in_pages_drawn_by_our_libraries_say_log_in() -> None:
    make_person("words_keeper", "moderator")
    client = Client()
    client.post(reverse("account_login"), {"login": "words_keeper", "password": "a calm harbour at dawn"})
    code_page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Log in" in code_page
    member = client_for(make_person("words_member"))
    logout_page = member.get(reverse("account_logout")).content.decode()
    assert "Do you want to log out?" in logout_page
    for html in (code_page, logout_page, Client().get(reverse("account_login")).content.decode()):
        text = re.sub(r"<[^>]+>", " ", html)  # what people read, not the addresses in the markup
        assert not SIGN_WORDS.search(text), SIGN_WORDS.search(text)


@pytest.mark.django_db
def test_the_summary_links_a_list_of_boxes_to_its_first_box() -> None:
    from alongside.communities.tests.conftest import quick_community

    writer = make_person("words_boxes")
    community = quick_community("Boxes", "public", members=(writer,))
    url = reverse("communities:thread_new", args=[community.slug])
    html = client_for(writer).post(url, {"title": "Hi", "body": "Hello", "content_warnings": ["nope"]}).content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#id_content_warnings_0"' in summary
    assert 'id="id_content_warnings_0"' in html
