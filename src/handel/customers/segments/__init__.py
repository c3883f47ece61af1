"""Write use cases for customer segments (re-exported by handel.customers.services).

A rule segment's members are materialised in `SegmentMembership` (source "rule"): a segment's
rules are one `Q` over customers (`rules`), so recomputing a whole segment is a handful of
set-based queries whatever the number of customers, and recomputing one customer evaluates every
active rule segment in a single query (`members`). Members are recomputed when a customer's facts
change (order history through the orders' events, `history`; group, default shipping address,
opt-in, sign-up), when a segment's rules change, and nightly (`handel customers segments-refresh`)
for the conditions that move with the clock (signed up / last ordered N days ago).
"""

from handel.customers.segments.history import (
    on_order_cancelled,
    on_order_edited,
    on_order_placed,
    record_order_history,
)
from handel.customers.segments.members import (
    add_segment_members,
    create_segment,
    delete_segment,
    forget_memberships,
    recompute_customer_segments,
    recompute_memberships,
    recompute_segment,
    refresh_segments,
    remove_segment_members,
    rules_of,
    update_segment,
)
from handel.customers.segments.rules import MAX_MEMBERS_PER_CALL, MembershipChange, validate_segment

__all__ = [
    "MAX_MEMBERS_PER_CALL",
    "MembershipChange",
    "add_segment_members",
    "create_segment",
    "delete_segment",
    "forget_memberships",
    "on_order_cancelled",
    "on_order_edited",
    "on_order_placed",
    "recompute_customer_segments",
    "recompute_memberships",
    "recompute_segment",
    "record_order_history",
    "refresh_segments",
    "remove_segment_members",
    "rules_of",
    "update_segment",
    "validate_segment",
]
