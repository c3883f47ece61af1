from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import ApiClient


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_api(make_user, api_for) -> ApiClient:
    return api_for(make_user(superuser=True), scopes=("catalog:write",))


def upload(client: ApiClient, path: str, **fields: Any):
    """A multipart POST through the full stack, with the client's bearer token."""
    return client.post("/api/v1" + path, data=fields, headers=client._headers(None))


def named(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
