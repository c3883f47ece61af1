"""Demo B2B companies with admins, buyers and approvers, teams, budgets and credit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from handel.companies.models import (
    Budget,
    Company,
    CompanyAddress,
    CompanyCredit,
    CompanyMember,
    Team,
)
from handel.companies.permissions import BUILT_IN_ROLES
from handel.companies.services import built_in_role
from handel.core.demo import DemoContext
from handel.customers.demo import DEMO_PASSWORD
from handel.customers.models import CustomerGroup, User

LOGINS = [
    ("B2B company admin", "admin@devries-bouw.example", DEMO_PASSWORD),
    ("B2B buyer", "buyer@devries-bouw.example", DEMO_PASSWORD),
    ("B2B approver", "approver@devries-bouw.example", DEMO_PASSWORD),
]
COMPANIES = [
    ("devries-bouw", "De Vries Bouw B.V.", "NL", "NL853243098B01", "Industrieweg 12", "3044 AS", "Rotterdam"),
    ("janssen-techniek", "Janssen Techniek B.V.", "NL", "NL004495445B01", "Energieweg 5", "5145 NW", "Waalwijk"),
    ("peeters-installaties", "Peeters Installaties NV", "BE", "BE0403170701", "Noorderlaan 100", "2030", "Antwerpen"),
    ("mueller-werkzeuge", "Müller Werkzeuge GmbH", "DE", "DE136695976", "Hansaring 20", "50670", "Köln"),
]


def build(context: DemoContext) -> None:
    password = make_password(DEMO_PASSWORD)
    context.logins.extend(LOGINS)
    rng = context.random_for("companies")
    roles = {code: built_in_role(code) for code in BUILT_IN_ROLES}
    wholesale = CustomerGroup.objects.filter(code="wholesale").first()
    sales_rep = User.objects.filter(email="staff@handel.local").first()
    with transaction.atomic():
        for code, name, country, vat, street, postal_code, city in COMPANIES:
            company, _ = Company.objects.update_or_create(
                code=code,
                defaults={
                    "legal_name": name,
                    "country": country,
                    "vat_number": vat,
                    "status": Company.Status.ACTIVE,
                    "customer_group": wholesale,
                    "assortment_code": "devries-bouw-contract" if code == "devries-bouw" else "",
                    "sales_representative": sales_rep,
                    "email": f"info@{code}.example",
                    "approved_at": timezone.now(),
                    "purchase_order_number": Company.PurchaseOrderNumber.REQUIRED
                    if code == "devries-bouw"
                    else Company.PurchaseOrderNumber.OPTIONAL,
                },
            )
            for kind in (CompanyAddress.Kind.BILLING, CompanyAddress.Kind.SHIPPING):
                CompanyAddress.objects.get_or_create(
                    company=company,
                    kind=kind,
                    defaults={
                        "company_name": name,
                        "street": street,
                        "postal_code": postal_code,
                        "city": city,
                        "country": country,
                        "is_default": True,
                    },
                )
            CompanyCredit.objects.get_or_create(
                company=company,
                defaults={
                    "credit_limit": Decimal(rng.choice([5000, 10000, 25000])),
                    "payment_terms_days": 30,
                },
            )
            purchasing, _ = Team.objects.get_or_create(
                company=company, name="Purchasing", defaults={"cost_center": "CC-100"}
            )
            site, _ = Team.objects.get_or_create(
                company=company, name="Site crew", defaults={"parent": purchasing, "cost_center": "CC-200"}
            )
            domain = f"{code}.example"
            people = [("admin", "admin", None), ("buyer", "buyer", site), ("approver", "approver", purchasing)]
            for local, role_code, team in people:
                user, _ = User.objects.get_or_create(
                    email=f"{local}@{domain}",
                    defaults={
                        "password": password,
                        "first_name": local.title(),
                        "last_name": name.split()[0],
                        "customer_group": wholesale,
                    },
                )
                CompanyMember.objects.update_or_create(
                    user=user,
                    defaults={
                        "company": company,
                        "role": roles[role_code],
                        "team": team,
                        "status": CompanyMember.Status.ACTIVE,
                        "joined_at": timezone.now(),
                    },
                )
            manager = CompanyMember.objects.get(user__email=f"approver@{domain}")
            Team.objects.filter(pk=purchasing.pk).update(manager=manager)
            year = date.today().year
            Budget.objects.get_or_create(
                company=company,
                team=site,
                name=f"Site crew {year}",
                defaults={
                    "currency": "EUR",
                    "amount": Decimal("20000.00"),
                    "starts_on": date(year, 1, 1),
                    "ends_on": date(year, 12, 31),
                },
            )
