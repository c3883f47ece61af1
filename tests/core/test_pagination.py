"""A page past the last one is empty, however far: its offset is never sent to the database."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", [2, 10**6, 10**20])
def test_a_page_past_the_last_is_empty(api, channels, page):
    response = api.call("get", f"/channels?page={page}&page_size=50")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"] == [] and body["meta"]["total"] == 2 and body["meta"]["page"] == page
