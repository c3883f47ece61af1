from __future__ import annotations

import json
from typing import Any

import pytest

from handel.catalog.models import Attribute
from tests.conftest import ApiClient

B2C = {"X-Handel-Channel": "b2c"}
B2B = {"X-Handel-Channel": "b2b"}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def comparable(products: Any) -> None:
    """Drill attributes flagged comparable, so that two drills have something to compare."""
    Attribute.objects.filter(code__in=["power", "voltage", "cordless", "features", "colour", "size"]).update(
        is_comparable=True
    )


@pytest.fixture
def moderator(make_user, api_for) -> ApiClient:
    return api_for(make_user(superuser=True), scopes=("catalog:write",))


@pytest.fixture
def customer_api(make_user, api_for):
    def make(**fields: Any) -> ApiClient:
        return api_for(
            make_user(first_name=fields.pop("first_name", "Anna"), last_name="Jansen", **fields), scopes=("account",)
        )

    return make


def body(response: Any) -> Any:
    return json.loads(response.content)
