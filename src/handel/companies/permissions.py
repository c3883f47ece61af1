"""What a company user may do. Roles are named sets of these permissions."""

from __future__ import annotations

SEE_PRICES = "see_prices"
PLACE_ORDERS = "place_orders"
SEE_ALL_COMPANY_ORDERS = "see_all_company_orders"
MANAGE_USERS = "manage_users"
REQUEST_QUOTES = "request_quotes"
APPROVE_PURCHASE_ORDERS = "approve_purchase_orders"
SEE_INVOICES_AND_STATEMENTS = "see_invoices_and_statements"
USE_PAY_ON_ACCOUNT = "use_pay_on_account"
MANAGE_COMPANY = "manage_company"

ALL = {
    SEE_PRICES: "see prices",
    PLACE_ORDERS: "place orders",
    SEE_ALL_COMPANY_ORDERS: "see all company orders",
    MANAGE_USERS: "invite, change and deactivate company users, roles and teams",
    REQUEST_QUOTES: "request quotes",
    APPROVE_PURCHASE_ORDERS: "approve purchase orders",
    SEE_INVOICES_AND_STATEMENTS: "see invoices and statements",
    USE_PAY_ON_ACCOUNT: "pay on account",
    MANAGE_COMPANY: "change the company's details and addresses",
}

# The roles every company starts with; companies add custom roles from the same permissions.
BUILT_IN_ROLES = {
    "admin": ("Company admin", sorted(ALL)),
    "buyer": ("Buyer", [SEE_PRICES, PLACE_ORDERS, REQUEST_QUOTES, USE_PAY_ON_ACCOUNT]),
    "approver": (
        "Approver",
        [SEE_PRICES, APPROVE_PURCHASE_ORDERS, SEE_ALL_COMPANY_ORDERS, SEE_INVOICES_AND_STATEMENTS],
    ),
    "viewer": ("Viewer", [SEE_PRICES]),
}
