"""The Dutch storefront: every message translated, the compiled catalog matching its source, and
pages answering in Dutch to a Dutch browser or a Dutch choice."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import handel

LOCALE = Path(handel.__file__).resolve().parent / "locale" / "nl" / "LC_MESSAGES"


def _catalog():
    with open(LOCALE / "django.po", "rb") as source:
        return read_po(source)


def test_every_message_has_a_dutch_translation():
    untranslated = [
        message.id
        for message in _catalog()
        if message.id and (not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert untranslated == []
    assert not [message.id for message in _catalog() if message.id and message.fuzzy]


def test_the_compiled_catalog_matches_its_source():
    with open(LOCALE / "django.mo", "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert translations.ngettext(message.id[0], message.id[1], 1) == message.string[0]
        else:
            context = message.context
            found = translations.pgettext(context, message.id) if context else translations.gettext(message.id)
            assert found == message.string, message.id


@pytest.mark.django_db
def test_pages_answer_in_dutch(client, channels):
    response = client.get("/account/login/", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert "Naar de inhoud" in page and "Wachtwoord vergeten?" in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/account/login/"})
    assert "Forgot your password?" in client.get("/account/login/", headers={"Accept-Language": "nl"}).content.decode()
