"""Customer segments: every rule condition, memberships that follow the customer's facts, manual
members, validation that writes nothing, the order history told by the orders' events, and the
nightly refresh."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from handel.core.errors import Conflict, InvalidInput
from handel.core.models import AuditEntry
from handel.customers import services
from handel.customers.models import CustomerGroup, CustomerOrder, CustomerStats, Segment, SegmentMembership
from handel.customers.queries import segments_of

pytestmark = pytest.mark.django_db

ADDRESS = {"first_name": "A", "last_name": "B", "street": "Damrak 1", "postal_code": "1012 LG", "city": "Amsterdam"}
POSTAL_CODES = {"NL": "1012 LG", "BE": "2000", "DE": "50667"}


def order(customer: Any, total: str, days_ago: int = 1, event: str = "placed", number: str | None = None) -> str:
    """Tell customers about an order the way the orders' events do."""
    number = number or f"ORD-{uuid.uuid4().hex[:8]}"
    services.record_order_history(
        number=number,
        event=event,
        facts={
            "customer_id": customer.pk,
            "total": Decimal(total),
            "currency": "EUR",
            "placed_at": timezone.now() - timedelta(days=days_ago),
        },
    )
    return number


@pytest.fixture
def groups(db: Any) -> dict[str, CustomerGroup]:
    return {code: CustomerGroup.objects.create(code=code, name=code.title()) for code in ("retail", "wholesale")}


@pytest.fixture
def customer(make_user: Any, groups: dict[str, CustomerGroup]):
    """A customer with the given facts: group, default shipping country (or a second, non-default
    address), days since sign-up, marketing opt-in, orders as (total, days ago[, "cancelled"])."""

    def make(
        *,
        group: str | None = None,
        country: str | None = None,
        other_country: str | None = None,
        joined_days_ago: int = 100,
        opt_in: bool = False,
        orders: tuple[tuple[Any, ...], ...] = (),
    ) -> Any:
        user = make_user(
            date_joined=timezone.now() - timedelta(days=joined_days_ago),
            marketing_opt_in=opt_in,
            customer_group=groups[group] if group else None,
        )
        if country:
            services.add_address(user=user, data={**ADDRESS, "country": country, "postal_code": POSTAL_CODES[country]})
        if other_country:
            services.add_address(
                user=user, data={**ADDRESS, "country": other_country, "postal_code": POSTAL_CODES[other_country]}
            )
        for total, days_ago, *cancelled in orders:
            number = order(user, total, days_ago)
            if cancelled:
                order(user, total, days_ago, event="cancelled", number=number)
        # Made with the ORM (a sign-up is always today): evaluate the rule segments for them.
        services.recompute_customer_segments(customer_id=user.pk)
        return user

    return make


# (case, rules, the customer's facts, in the segment)
RULE_TABLE = [
    ("group: in it", {"customer_groups": ["wholesale"]}, {"group": "wholesale"}, True),
    ("group: another", {"customer_groups": ["wholesale"]}, {"group": "retail"}, False),
    ("group: none", {"customer_groups": ["wholesale"]}, {}, False),
    ("group: any of two", {"customer_groups": ["wholesale", "retail"]}, {"group": "retail"}, True),
    ("country: default shipping", {"countries": ["BE"]}, {"country": "BE"}, True),
    ("country: another", {"countries": ["BE", "DE"]}, {"country": "NL"}, False),
    ("country: only a second address", {"countries": ["BE"]}, {"country": "NL", "other_country": "BE"}, False),
    ("country: no address", {"countries": ["NL"]}, {}, False),
    ("signed up within: recently", {"signed_up_within_days": 30}, {"joined_days_ago": 10}, True),
    ("signed up within: long ago", {"signed_up_within_days": 30}, {"joined_days_ago": 40}, False),
    ("signed up more than: long ago", {"signed_up_before_days": 365}, {"joined_days_ago": 400}, True),
    ("signed up more than: recently", {"signed_up_before_days": 365}, {"joined_days_ago": 10}, False),
    ("opt-in: yes", {"marketing_opt_in": True}, {"opt_in": True}, True),
    ("opt-in: no", {"marketing_opt_in": True}, {"opt_in": False}, False),
    ("opted out: yes", {"marketing_opt_in": False}, {"opt_in": False}, True),
    ("min orders: reached", {"min_orders": 3}, {"orders": (("10", 5), ("10", 4), ("10", 3))}, True),
    ("min orders: short", {"min_orders": 3}, {"orders": (("10", 5), ("10", 4))}, False),
    (
        "min orders: a cancelled one does not count",
        {"min_orders": 3},
        {"orders": (("10", 5), ("10", 4), ("10", 3, "cancelled"))},
        False,
    ),
    ("min orders: never ordered", {"min_orders": 1}, {}, False),
    ("spent: reached", {"min_total_spent": "100.00"}, {"orders": (("60.00", 5), ("40.00", 2))}, True),
    ("spent: short", {"min_total_spent": "100.00"}, {"orders": (("99.99", 5),)}, False),
    ("last order within: recent", {"last_order_within_days": 30}, {"orders": (("10", 200), ("10", 10))}, True),
    ("last order within: old", {"last_order_within_days": 30}, {"orders": (("10", 40),)}, False),
    ("last order within: never", {"last_order_within_days": 30}, {}, False),
    ("lapsed: ordered long ago", {"last_order_before_days": 90}, {"orders": (("10", 100),)}, True),
    ("lapsed: ordered since", {"last_order_before_days": 90}, {"orders": (("10", 100), ("10", 5))}, False),
    ("lapsed: never ordered", {"last_order_before_days": 90}, {}, False),
    (
        "all conditions together",
        {"customer_groups": ["wholesale"], "countries": ["NL"], "min_orders": 1, "marketing_opt_in": True},
        {"group": "wholesale", "country": "NL", "opt_in": True, "orders": (("10", 1),)},
        True,
    ),
    (
        "all conditions but one",
        {"customer_groups": ["wholesale"], "countries": ["NL"], "min_orders": 1, "marketing_opt_in": True},
        {"group": "wholesale", "country": "NL", "opt_in": False, "orders": (("10", 1),)},
        False,
    ),
]


@pytest.mark.parametrize(("case", "rules", "facts", "expected"), RULE_TABLE, ids=[row[0] for row in RULE_TABLE])
@pytest.mark.parametrize("segment_first", [True, False], ids=["segment first", "customer first"])
def test_rule_conditions(customer, case, rules, facts, expected, segment_first):
    # The same answer whether the segment computes its members (set-based) or the customer's
    # change re-evaluates the segments for that one customer.
    if segment_first:
        services.create_segment(actor=None, code="target", name="Target", rules=rules)
    someone = customer(**facts)
    if not segment_first:
        services.create_segment(actor=None, code="target", name="Target", rules=rules)
    assert ("target" in segments_of(someone)) is expected
    membership = SegmentMembership.objects.filter(customer=someone, segment__code="target").first()
    assert (membership is not None) is expected
    if membership:
        assert membership.source == "rule"


def test_staff_and_closed_accounts_are_never_in_a_rule_segment(customer, make_user):
    staff = make_user(staff=True, marketing_opt_in=True)
    closed = customer(opt_in=True)
    services.delete_account(user=closed, password=None, actor=staff)
    inactive = make_user(is_active=False, marketing_opt_in=True)
    fan = customer(opt_in=True)
    segment = services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    assert list(segment.memberships.values_list("customer_id", flat=True)) == [fan.pk]
    assert not segments_of(staff) and not segments_of(inactive)


def test_memberships_follow_the_customers_facts(customer, groups, make_user):
    services.create_segment(actor=None, code="wholesale-be", name="BE", rules={"customer_groups": ["wholesale"]})
    services.create_segment(actor=None, code="belgians", name="BE", rules={"countries": ["BE"]})
    services.create_segment(actor=None, code="newsletter", name="News", rules={"marketing_opt_in": True})
    services.create_segment(actor=None, code="new", name="New", rules={"signed_up_within_days": 7})
    signed_up = services.sign_up(email="new@example.com", password="a-fine-password-42", marketing_opt_in=True)
    assert segments_of(signed_up) == {"newsletter", "new"}

    someone = customer(country="NL")
    services.assign_customer_group(actor=None, user_id=someone.pk, group_code="wholesale")
    assert segments_of(someone) == {"wholesale-be"}
    address = someone.addresses.get()
    services.update_address(user=someone, address_id=address.pk, changes={"country": "BE", "postal_code": "2000"})
    assert segments_of(someone) == {"wholesale-be", "belgians"}
    services.update_profile(user=someone, changes={"marketing_opt_in": True})
    assert segments_of(someone) == {"wholesale-be", "belgians", "newsletter"}
    services.delete_address(user=someone, address_id=address.pk)
    services.assign_customer_group(actor=None, user_id=someone.pk, group_code=None)
    assert segments_of(someone) == {"newsletter"}
    services.delete_account(user=someone, password=None, actor=make_user(staff=True))
    assert not SegmentMembership.objects.filter(customer=someone).exists()


def test_changing_a_segments_rules_recomputes_its_members(customer):
    small, big = customer(orders=(("20", 3),)), customer(orders=(("20", 3), ("200", 2)))
    services.create_segment(actor=None, code="spenders", name="Spenders", rules={"min_total_spent": "100"})
    assert set(Segment.objects.get(code="spenders").memberships.values_list("customer_id", flat=True)) == {big.pk}
    services.update_segment(actor=None, code="spenders", changes={"rules": {"min_total_spent": "10"}})
    assert segments_of(small) == {"spenders"} and segments_of(big) == {"spenders"}
    # Rules merge: a new condition is added to the others, null drops one.
    services.update_segment(actor=None, code="spenders", changes={"rules": {"min_orders": 2}})
    assert not segments_of(small) and segments_of(big) == {"spenders"}
    services.update_segment(actor=None, code="spenders", changes={"rules": {"min_orders": None}})
    assert segments_of(small) == {"spenders"}
    entry = AuditEntry.objects.filter(action="segment.updated").latest("id")
    assert entry.data["rules_before"] == {"min_orders": 2, "min_total_spent": "10.00"}
    assert entry.data["rules"] == {"min_total_spent": "10.00"} and entry.data["added"] == 1


def test_an_inactive_segment_is_not_read_and_comes_back_recomputed(customer):
    fan = customer(opt_in=True)
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    services.update_segment(actor=None, code="fans", changes={"is_active": False})
    assert segments_of(fan) == frozenset()
    later = customer(opt_in=True)  # joins while the segment is off: not evaluated
    assert not SegmentMembership.objects.filter(customer=later).exists()
    services.update_segment(actor=None, code="fans", changes={"is_active": True})
    assert segments_of(fan) == {"fans"} and segments_of(later) == {"fans"}


def test_manual_segments_take_members_by_id_or_email(customer, make_user):
    ann, bob, cas = customer(), customer(), customer()
    segment = services.create_segment(actor=None, code="trade-fair", name="Met at the fair", kind="manual")
    assert services.add_segment_members(actor=None, code="trade-fair", customer_ids=[ann.pk], emails=[bob.email]) == 2
    assert services.add_segment_members(actor=None, code="trade-fair", emails=[bob.email.upper()]) == 0  # already in
    assert segments_of(ann) == {"trade-fair"} and not segments_of(cas)
    assert set(segment.memberships.values_list("source", flat=True)) == {"manual"}
    # The nightly refresh leaves manual members alone.
    services.refresh_segments()
    assert segment.memberships.count() == 2
    assert services.remove_segment_members(actor=None, code="trade-fair", customer_ids=[ann.pk, cas.pk]) == 1
    assert not segments_of(ann) and segments_of(bob) == {"trade-fair"}
    assert AuditEntry.objects.filter(action="segment.members_added", object_id=str(segment.pk)).count() == 2


def test_manual_member_refusals_write_nothing(customer, make_user):
    ann = customer()
    services.create_segment(actor=None, code="fair", name="Fair", kind="manual")
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    staff = make_user(staff=True)
    with pytest.raises(InvalidInput) as refused:
        services.add_segment_members(
            actor=None, code="fair", customer_ids=[ann.pk, 999_999, staff.pk], emails=["nobody@example.com"]
        )
    assert [error["loc"] for error in refused.value.errors] == [
        ["body", "customer_ids", 1],
        ["body", "customer_ids", 2],
        ["body", "emails", 0],
    ]
    with pytest.raises(InvalidInput):
        services.add_segment_members(actor=None, code="fair")
    with pytest.raises(Conflict):  # a rule segment's members follow its rules
        services.add_segment_members(actor=None, code="fans", customer_ids=[ann.pk])
    assert not SegmentMembership.objects.exists()


# (case, the create call's arguments, the field locations at fault)
INVALID = [
    ("unknown group", {"rules": {"customer_groups": ["wholesale", "nope"]}}, [["body", "rules", "customer_groups", 1]]),
    ("bad country", {"rules": {"countries": ["NL", "XX"]}}, [["body", "rules", "countries", 1]]),
    ("negative days", {"rules": {"signed_up_within_days": -1}}, [["body", "rules", "signed_up_within_days"]]),
    ("negative orders", {"rules": {"min_orders": -2}}, [["body", "rules", "min_orders"]]),
    ("negative amount", {"rules": {"min_total_spent": "-5"}}, [["body", "rules", "min_total_spent"]]),
    ("amount with cents of cents", {"rules": {"min_total_spent": "5.001"}}, [["body", "rules", "min_total_spent"]]),
    ("not a number", {"rules": {"last_order_within_days": "soon"}}, [["body", "rules", "last_order_within_days"]]),
    ("unknown condition", {"rules": {"favourite_colour": "blue"}}, [["body", "rules", "favourite_colour"]]),
    ("rule segment without rules", {"rules": {}}, [["body", "rules"]]),
    ("manual segment with rules", {"kind": "manual", "rules": {"min_orders": 1}}, [["body", "rules"]]),
    ("unknown kind", {"kind": "magic", "rules": {"min_orders": 1}}, [["body", "kind"]]),
    (
        "within and more than that cannot both hold",
        {"rules": {"last_order_within_days": 30, "last_order_before_days": 60}},
        [["body", "rules", "last_order_within_days"]],
    ),
    ("bad code", {"code": "Not A Code", "rules": {"min_orders": 1}}, [["body", "code"]]),
    ("empty name", {"name": " ", "rules": {"min_orders": 1}}, [["body", "name"]]),
]


@pytest.mark.parametrize(("case", "arguments", "locations"), INVALID, ids=[row[0] for row in INVALID])
def test_invalid_segments_are_refused_with_field_errors_and_nothing_is_written(groups, case, arguments, locations):
    call = {"code": "target", "name": "Target", **arguments}
    with pytest.raises(InvalidInput) as refused:
        services.create_segment(actor=None, **call)
    assert [error["loc"] for error in refused.value.errors] == locations
    assert not Segment.objects.exists() and not AuditEntry.objects.filter(action__startswith="segment.").exists()


def test_a_refused_update_changes_nothing(groups, customer):
    fan = customer(opt_in=True)
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    with pytest.raises(InvalidInput):
        services.update_segment(
            actor=None, code="fans", changes={"name": "Renamed", "rules": {"countries": ["XX"], "min_orders": 1}}
        )
    with pytest.raises(InvalidInput):
        services.update_segment(actor=None, code="fans", changes={"kind": "manual"})
    segment = Segment.objects.get(code="fans")
    assert segment.name == "Fans" and segment.countries == [] and segment.min_orders is None
    assert segments_of(fan) == {"fans"}
    with pytest.raises(Conflict):
        services.create_segment(actor=None, code="fans", name="Again", rules={"min_orders": 1})


def test_order_events_keep_the_stats_once_per_order(customer):
    someone = customer()
    services.create_segment(actor=None, code="vip", name="VIP", rules={"min_orders": 2})
    payload = {
        "order_id": 1,
        "number": "ORD-000001",
        "customer_id": someone.pk,
        "total": "30.00",
        "currency": "EUR",
        "placed_at": timezone.now().isoformat(),
    }
    services.on_order_placed(payload)
    services.on_order_placed(payload)  # delivered twice (a retry): counted once
    services.on_order_placed({**payload, "number": "ORD-000002", "total": "12.50"})
    stats = CustomerStats.objects.get(customer=someone)
    assert (stats.order_count, stats.total_spent) == (2, Decimal("42.50"))
    assert segments_of(someone) == {"vip"}
    services.on_order_edited({**payload, "total": "20.00"})
    assert CustomerStats.objects.get(customer=someone).total_spent == Decimal("32.50")
    services.on_order_cancelled(payload)
    services.on_order_cancelled(payload)
    stats = CustomerStats.objects.get(customer=someone)
    assert (stats.order_count, stats.total_spent) == (1, Decimal("12.50"))
    assert segments_of(someone) == frozenset()
    # A guest's order, or an event from before customers were told, is left alone.
    services.on_order_placed({"order_id": 3, "number": "ORD-000003", "customer_id": None})
    services.on_order_placed({"order_id": 4, "number": "ORD-000004"})
    assert CustomerOrder.objects.count() == 2


def test_the_refresh_command_recomputes_the_time_based_conditions(customer):
    fresh = customer(joined_days_ago=29)
    regular = customer(orders=(("10", 85),))
    services.create_segment(actor=None, code="new", name="New", rules={"signed_up_within_days": 30})
    services.create_segment(actor=None, code="lapsed", name="Lapsed", rules={"last_order_before_days": 90})
    assert segments_of(fresh) == {"new"} and not segments_of(regular)
    # Days pass: the customers' facts stay as they are, the clock moves.
    type(fresh).objects.filter(pk=fresh.pk).update(date_joined=timezone.now() - timedelta(days=31))
    CustomerStats.objects.filter(customer=regular).update(last_order_at=timezone.now() - timedelta(days=91))
    out = StringIO()
    call_command("customers", "segments-refresh", stdout=out)
    assert "lapsed: 1 added, 0 removed" in out.getvalue() and "new: 0 added, 1 removed" in out.getvalue()
    assert not segments_of(fresh) and segments_of(regular) == {"lapsed"}
    assert AuditEntry.objects.filter(action="segment.recomputed").count() == 2
    out = StringIO()
    call_command("customers", "segments-refresh", "--segment", "new", stdout=out)
    assert "new: 0 added, 0 removed" in out.getvalue()


def test_the_refresh_is_a_periodic_job(customer):
    from handel.core import jobs

    fresh = customer(joined_days_ago=29)
    services.create_segment(actor=None, code="new", name="New", rules={"signed_up_within_days": 30})
    type(fresh).objects.filter(pk=fresh.pk).update(date_joined=timezone.now() - timedelta(days=31))
    jobs.run_job("refresh_customer_segments")
    assert not segments_of(fresh)


def test_recomputing_a_segment_is_set_based(customer, django_assert_max_num_queries):
    for _ in range(40):
        customer(opt_in=True)
    services.create_segment(actor=None, code="news", name="News", kind="rule", rules={"marketing_opt_in": False})
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    with django_assert_max_num_queries(12):
        services.recompute_segment(code="news")
    Segment.objects.filter(code="fans").update(marketing_opt_in=False)
    with django_assert_max_num_queries(12):
        change = services.recompute_segment(code="fans")
    assert (change.added, change.removed) == (0, 40)
    Segment.objects.filter(code="fans").update(marketing_opt_in=True)
    with django_assert_max_num_queries(12):
        change = services.recompute_segment(code="fans")
    assert (change.added, change.removed) == (40, 0)


def test_reading_a_customers_segments_is_one_query(customer, django_assert_num_queries):
    fan = customer(opt_in=True, orders=(("10", 1),))
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    services.create_segment(actor=None, code="buyers", name="Buyers", rules={"min_orders": 1})
    services.create_segment(actor=None, code="fair", name="Fair", kind="manual")
    services.add_segment_members(actor=None, code="fair", customer_ids=[fan.pk])
    with django_assert_num_queries(1):
        assert segments_of(fan) == {"fans", "buyers", "fair"}
    with django_assert_num_queries(0):
        assert segments_of(None) == frozenset()


def test_the_data_export_names_the_customers_segments(customer):
    fan = customer(opt_in=True)
    services.create_segment(actor=None, code="fans", name="Fans", rules={"marketing_opt_in": True})
    assert services.export_my_data(user=fan)["segments"] == [{"code": "fans", "name": "Fans", "source": "rule"}]
