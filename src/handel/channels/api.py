from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from handel.channels import services
from handel.channels.models import Channel
from handel.channels.queries import get_channel
from handel.channels.schemas import ChannelIn, ChannelOut, ChannelPage, ChannelPatch
from handel.core.api import AUTH, require_staff
from handel.core.errors import NotFound
from handel.core.idempotency import idempotent
from handel.core.pagination import paginate

router = Router(tags=["channels"])


@router.get("", response=ChannelPage, operation_id="list_channels", auth=None)
def list_channels(request: HttpRequest, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    return paginate(Channel.objects.filter(is_active=True), page=page, page_size=page_size, order_by=["code"]).as_dict()


@router.get("/{code}", response=ChannelOut, operation_id="get_channel", auth=None)
def get_channel_view(request: HttpRequest, code: str) -> Channel:
    channel = get_channel(code)
    if channel is None:
        raise NotFound(f"no channel '{code}'")
    return channel


@router.post("", response={201: ChannelOut}, operation_id="create_channel", auth=AUTH)
@decorate_view(idempotent("create_channel"))
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status[Channel]:
    actor = require_staff(request, "channels.add_channel", scope="channels:write")
    return Status(201, services.create_channel(actor=actor, **payload.dict()))


@router.patch("/{code}", response=ChannelOut, operation_id="update_channel", auth=AUTH)
def update_channel(request: HttpRequest, code: str, payload: ChannelPatch) -> Channel:
    actor = require_staff(request, "channels.change_channel", scope="channels:write")
    return services.update_channel(actor=actor, code=code, changes=payload.dict(exclude_unset=True))
