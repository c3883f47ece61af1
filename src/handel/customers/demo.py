from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from handel.core.demo import DemoContext
from handel.customers.models import Address, CustomerGroup, Segment, User
from handel.customers.segments.members import materialise_segment

DEMO_PASSWORD = "handel-demo"  # noqa: S105 (the documented demo password)
LOGINS = [
    ("back office (superuser)", "admin@handel.local", DEMO_PASSWORD),
    ("back office (merchandiser)", "staff@handel.local", DEMO_PASSWORD),
    ("shop customer", "customer@handel.local", DEMO_PASSWORD),
]
FIRST_NAMES = ["Anna", "Bram", "Chloé", "Daan", "Emma", "Finn", "Julia", "Lars", "Mila", "Noah", "Sanne", "Thijs"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Peeters", "Müller", "Dubois", "Mertens"]
CITIES = [
    ("Amsterdam", "1012 AB", "NL"),
    ("Rotterdam", "3011 AD", "NL"),
    ("Utrecht", "3511 LN", "NL"),
    ("Antwerpen", "2000", "BE"),
    ("Gent", "9000", "BE"),
    ("Köln", "50667", "DE"),
]


def build(context: DemoContext) -> None:
    rng = context.random_for("customers")
    # One hash for every demo account: hashing is deliberately slow, and these share a password.
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        groups = {}
        for code, name in (("retail", "Retail"), ("wholesale", "Wholesale"), ("vip", "VIP")):
            groups[code], _ = CustomerGroup.objects.get_or_create(code=code, defaults={"name": name})

        _user("admin@handel.local", password, is_staff=True, is_superuser=True, first_name="Ada", last_name="Admin")
        merchandiser_role, _ = Group.objects.get_or_create(name="Merchandisers")
        merchandiser_role.permissions.set(
            Permission.objects.filter(
                content_type__app_label__in=["channels", "customers"], codename__startswith="view_"
            )
        )
        staff = _user("staff@handel.local", password, is_staff=True, first_name="Sam", last_name="Staff")
        staff.groups.add(merchandiser_role)

        customer = _user(
            "customer@handel.local", password, first_name="Chris", last_name="Customer", group=groups["retail"]
        )
        context.logins.extend(LOGINS)
        _address(customer, "Home", "Chris", "Customer", "Damrak 1", "1012 LG", "Amsterdam", "NL")

        count = 20 * context.scale
        for index in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            city, postal_code, country = rng.choice(CITIES)
            group = groups["wholesale"] if index % 5 == 0 else groups["retail"]
            user = _user(
                f"customer{index + 1:05d}@example.com", password, first_name=first, last_name=last, group=group
            )
            _address(user, "Home", first, last, f"Hoofdstraat {rng.randint(1, 250)}", postal_code, city, country)

        # Rule segments that promotions can target; their members follow the customers' order history.
        for code, name, rules in (
            ("vip", "VIP: 3 orders or more", {"min_orders": 3}),
            ("new-customers", "Signed up in the last 30 days", {"signed_up_within_days": 30}),
            ("lapsed", "Lapsed: no order in 180 days", {"last_order_before_days": 180}),
        ):
            segment, _ = Segment.objects.update_or_create(
                code=code, defaults={"name": name, "kind": Segment.Kind.RULE, **rules}
            )
            materialise_segment(segment, timezone.now())


def _user(
    email: str,
    password: str,
    *,
    first_name: str,
    last_name: str,
    is_staff: bool = False,
    is_superuser: bool = False,
    group: CustomerGroup | None = None,
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, password=password)
    user.first_name, user.last_name = first_name, last_name
    user.is_staff, user.is_superuser = is_staff, is_superuser
    user.customer_group = group
    user.save()
    return user


def _address(
    user: User, label: str, first: str, last: str, street: str, postal_code: str, city: str, country: str
) -> None:
    Address.objects.get_or_create(
        customer=user,
        label=label,
        defaults={
            "first_name": first,
            "last_name": last,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "is_default_shipping": True,
            "is_default_billing": True,
        },
    )
