from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from handel.catalog.browsing import viewer_for
from handel.channels.queries import channel_for_request, get_channel
from handel.core import tokens
from handel.core.api import AUTH, require_staff
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.core.idempotency import idempotent
from handel.core.pagination import paginate
from handel.inventory import queries, services
from handel.inventory.feeds import parse_stock_csv
from handel.inventory.models import BackInStockSubscription, Source, StockMovement, StockPolicy
from handel.inventory.schemas import (
    AvailabilityIn,
    AvailabilityListOut,
    BackInStockIn,
    BackInStockOut,
    BulkUpdateIn,
    BulkUpdateOut,
    ChannelSourcesIn,
    ChannelSourcesOut,
    MovementIn,
    MovementOut,
    MovementPage,
    ReservationIn,
    ReservationOut,
    ShipIn,
    SourceIn,
    SourceOut,
    SourcePage,
    SourcePatch,
    StockItemPage,
    StockPolicyIn,
    StockPolicyOut,
    TransferIn,
    TransferOut,
)

router = Router(tags=["inventory"])
READ, WRITE = "inventory:read", "inventory:write"


def _reservation_out(result: queries.ReservationResult) -> dict[str, Any]:
    return {
        "reference": result.reference,
        "status": result.status,
        "expires_at": result.expires_at,
        "split": result.allocation.is_split,
        "shipments": [
            {
                "source": shipment.source_code,
                "destination": shipment.destination,
                "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in shipment.lines],
            }
            for shipment in result.allocation.shipments
        ],
    }


def _viewer(request: HttpRequest) -> Any:
    """Who asks, on an endpoint open to everyone: the signed-in session's user, or a bearer token's
    (B2B integrations see their company's shared catalog or their customer group's assortment)."""
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        token = tokens.authenticate(authorization[7:].strip())
        return token.user if token is not None else None
    return request.user if request.user.is_authenticated else None


@router.post("/availability", response=AvailabilityListOut, operation_id="get_availability", auth=None)
def get_availability(request: HttpRequest, payload: AvailabilityIn) -> dict[str, Any]:
    """Availability of up to 1,000 SKUs in the viewer's channel and assortment, with what each pickup
    store holds. SKUs the viewer cannot see are left out."""
    channel = get_channel(payload.channel) if payload.channel else channel_for_request(request)
    if channel is None:
        raise InvalidInput("no such channel", errors=[field_error(["body", "channel"], "no such channel")])
    viewer = viewer_for(channel.code, _viewer(request))
    found = queries.availability_for_viewer(
        payload.skus,
        channel_code=channel.code,
        customer_group_code=viewer.customer_group_code,
        assortment_code=viewer.assortment_code,
    )
    return {
        "channel": channel.code,
        "items": [
            {
                "sku": info.sku,
                "state": info.state,
                "salable": info.salable,
                "can_order": info.can_order,
                "expected_on": info.expected_on,
                "stores": [
                    {
                        "source": s.source_code,
                        "name": s.source_name,
                        "city": s.city,
                        "quantity": s.quantity,
                        "label": s.label,
                    }
                    for s in info.stores
                ],
            }
            for info in found.values()
        ],
    }


@router.get("/sources", response=SourcePage, operation_id="list_sources", auth=None)
def list_sources(
    request: HttpRequest, channel: str = "", pickup: bool | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """Active warehouses and stores; `channel` narrows to the ones a channel sells from."""
    sources = Source.objects.filter(is_active=True)
    if channel:
        sources = sources.filter(channel_links__channel__code=channel)
    if pickup is not None:
        sources = sources.filter(pickup=pickup)
    return paginate(sources, page=page, page_size=page_size, order_by=["priority", "code"]).as_dict()


@router.post("/sources", response={201: SourceOut}, operation_id="create_source", auth=AUTH)
@decorate_view(idempotent("create_source"))
def create_source(request: HttpRequest, payload: SourceIn) -> Status[Source]:
    actor = require_staff(request, "inventory.add_source", scope=WRITE)
    data = payload.dict()
    return Status(201, services.create_source(actor=actor, channel_codes=data.pop("channels"), **data))


@router.patch("/sources/{code}", response=SourceOut, operation_id="update_source", auth=AUTH)
def update_source(request: HttpRequest, code: str, payload: SourcePatch) -> Source:
    actor = require_staff(request, "inventory.change_source", scope=WRITE)
    return services.update_source(actor=actor, code=code, changes=payload.dict(exclude_unset=True))


@router.put(
    "/channels/{channel_code}/sources", response=ChannelSourcesOut, operation_id="set_channel_sources", auth=AUTH
)
def set_channel_sources(request: HttpRequest, channel_code: str, payload: ChannelSourcesIn) -> dict[str, Any]:
    actor = require_staff(request, "inventory.change_source", scope=WRITE)
    chosen = services.set_channel_sources(actor=actor, channel_code=channel_code, source_codes=payload.sources)
    return {"channel": channel_code, "sources": [source.code for source in chosen]}


@router.get("/stock", response=StockItemPage, operation_id="list_stock", auth=AUTH)
def list_stock(
    request: HttpRequest, sku: str = "", source: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    require_staff(request, "inventory.view_stockitem", scope=READ)
    items = queries.stock_items()
    if sku:
        items = items.filter(sku=sku)
    if source:
        items = items.filter(source__code=source)
    return paginate(items, page=page, page_size=page_size, order_by=["sku", "source__code"]).as_dict()


@router.post("/stock/bulk", response=BulkUpdateOut, operation_id="bulk_update_stock", auth=AUTH)
@decorate_view(idempotent("bulk_update_stock"))
def bulk_update_stock(request: HttpRequest, payload: BulkUpdateIn) -> services.BulkUpdateResult:
    """Apply an ERP feed (up to 10,000 lines): all or nothing, and a replay changes nothing."""
    actor = require_staff(request, "inventory.change_stockitem", scope=WRITE)
    updates = [
        services.StockUpdate(
            sku=u.sku,
            source_code=u.source,
            on_hand=u.on_hand,
            delta=u.delta,
            safety_stock=u.safety_stock,
            reference=u.reference,
            reason=u.reason,
        )
        for u in payload.updates
    ]
    return services.bulk_update_stock(actor=actor, updates=updates, feed=payload.feed)


@router.post(
    "/stock/import",
    response=BulkUpdateOut,
    operation_id="import_stock_csv",
    auth=AUTH,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
@decorate_view(idempotent("import_stock_csv"))
def import_stock_csv(request: HttpRequest, feed: str = "csv") -> services.BulkUpdateResult:
    """The same feed as CSV (columns sku, source, on_hand, delta, safety_stock, reference, reason)."""
    actor = require_staff(request, "inventory.change_stockitem", scope=WRITE)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV must be UTF-8", errors=[field_error(["body"], "not UTF-8")]) from exc
    return services.bulk_update_stock(actor=actor, updates=parse_stock_csv(text), feed=feed[:100] or "csv")


@router.post("/movements", response={201: MovementOut}, operation_id="record_stock_movement", auth=AUTH)
@decorate_view(idempotent("record_stock_movement"))
def record_stock_movement(request: HttpRequest, payload: MovementIn) -> Status[StockMovement]:
    """A receipt, a return, or an adjustment with its reason."""
    actor = require_staff(request, "inventory.add_stockmovement", scope=WRITE)
    return Status(
        201,
        services.record_movement(
            actor=actor,
            kind=payload.kind,
            source_code=payload.source,
            sku=payload.sku,
            quantity=payload.quantity,
            reason=payload.reason,
            reference=payload.reference,
        ),
    )


@router.get("/movements", response=MovementPage, operation_id="list_stock_movements", auth=AUTH)
def list_stock_movements(
    request: HttpRequest,
    sku: str = "",
    source: str = "",
    kind: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """The ledger, newest first."""
    require_staff(request, "inventory.view_stockmovement", scope=READ)
    movements = queries.movements()
    if sku:
        movements = movements.filter(sku=sku)
    if source:
        movements = movements.filter(source__code=source)
    if kind:
        movements = movements.filter(kind=kind)
    return paginate(movements, page=page, page_size=page_size, order_by=["-id"]).as_dict()


@router.post("/transfers", response={201: TransferOut}, operation_id="transfer_stock", auth=AUTH)
@decorate_view(idempotent("transfer_stock"))
def transfer_stock(request: HttpRequest, payload: TransferIn) -> Status[dict[str, StockMovement]]:
    actor = require_staff(request, "inventory.add_stockmovement", scope=WRITE)
    out, into = services.transfer_stock(
        actor=actor,
        sku=payload.sku,
        from_source_code=payload.from_source,
        to_source_code=payload.to_source,
        quantity=payload.quantity,
        reference=payload.reference,
    )
    return Status(201, {"outgoing": out, "incoming": into})


@router.post("/reservations", response={201: ReservationOut}, operation_id="reserve_stock", auth=AUTH)
@decorate_view(idempotent("reserve_stock"))
def reserve_stock(request: HttpRequest, payload: ReservationIn) -> Status[dict[str, Any]]:
    """Hold stock for an order or a checkout; 409 out-of-stock when it cannot be served."""
    actor = require_staff(request, "inventory.add_reservation", scope=WRITE)
    result = services.reserve_stock(
        reference=payload.reference,
        channel_code=payload.channel,
        lines=[(line.sku, line.quantity) for line in payload.lines],
        ship_to_country=payload.ship_to_country,
        ship_to_postcode=payload.ship_to_postcode,
        pickup_source_code=payload.pickup_source,
        expires_at=payload.expires_at,
        actor=actor,
    )
    return Status(201, _reservation_out(result))


@router.get("/reservations/{reference}", response=ReservationOut, operation_id="get_reservation", auth=AUTH)
def get_reservation(request: HttpRequest, reference: str) -> dict[str, Any]:
    require_staff(request, "inventory.view_reservation", scope=READ)
    reservation = queries.reservation(reference)
    if reservation is None:
        raise NotFound(f"no reservation '{reference}'")
    return _reservation_out(queries.reservation_result(reservation, list(reservation.lines.all())))


@router.post(
    "/reservations/{reference}/release", response=ReservationOut, operation_id="release_reservation", auth=AUTH
)
def release_reservation(request: HttpRequest, reference: str) -> dict[str, Any]:
    actor = require_staff(request, "inventory.change_reservation", scope=WRITE)
    return _reservation_out(services.release_reservation(reference=reference, actor=actor))


@router.post("/reservations/{reference}/ship", response=ReservationOut, operation_id="ship_reservation", auth=AUTH)
@decorate_view(idempotent("ship_reservation"))
def ship_reservation(request: HttpRequest, reference: str, payload: ShipIn) -> dict[str, Any]:
    actor = require_staff(request, "inventory.change_reservation", scope=WRITE)
    lines = [(line.sku, line.quantity) for line in payload.lines] if payload.lines is not None else None
    return _reservation_out(
        services.ship_reservation(
            reference=reference,
            lines=lines,
            source_code=payload.source,
            shipment_reference=payload.shipment_reference,
            actor=actor,
        )
    )


@router.put("/policies/{sku}", response=StockPolicyOut, operation_id="set_stock_policy", auth=AUTH)
def set_stock_policy(request: HttpRequest, sku: str, payload: StockPolicyIn) -> StockPolicy:
    actor = require_staff(request, "inventory.change_stockpolicy", scope=WRITE)
    return services.set_stock_policy(actor=actor, sku=sku, **payload.dict())


@router.post("/back-in-stock", response={201: BackInStockOut}, operation_id="subscribe_back_in_stock", auth=None)
def subscribe_back_in_stock(request: HttpRequest, payload: BackInStockIn) -> Status[BackInStockSubscription]:
    """Be told once by email when a SKU can be bought again (signed in, or with an email address)."""
    user = request.user if request.user.is_authenticated else None
    email = payload.email or (user.email if user is not None else "")
    if not email:
        raise InvalidInput("an email address is required", errors=[field_error(["body", "email"], "required")])
    channel = get_channel(payload.channel) if payload.channel else channel_for_request(request)
    if channel is None:
        raise InvalidInput("no such channel", errors=[field_error(["body", "channel"], "no such channel")])
    return Status(
        201, services.subscribe_back_in_stock(sku=payload.sku, channel_code=channel.code, email=email, user=user)
    )
