from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from handel.channels.models import Channel
from handel.customers.models import Address, User


@pytest.mark.django_db
def test_demo_is_deterministic_and_idempotent(capsys):
    call_command("demo", "--seed", "7")
    out = capsys.readouterr().out
    assert "admin@handel.local" in out and "handel-demo" in out
    counts = (Channel.objects.count(), User.objects.count(), Address.objects.count())
    snapshot = sorted(User.objects.values_list("email", "first_name", "last_name"))
    call_command("demo", "--seed", "7")
    assert (Channel.objects.count(), User.objects.count(), Address.objects.count()) == counts
    assert sorted(User.objects.values_list("email", "first_name", "last_name")) == snapshot
    call_command("demo", "--if-empty")
    assert "already" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_logins_work_in_the_back_office():
    call_command("demo")
    client = Client()
    assert client.login(email="admin@handel.local", password="handel-demo")
    for path in (
        "/admin/",
        "/admin/customers/user/",
        "/admin/channels/channel/",
        "/admin/core/auditentry/",
        "/admin/core/apitoken/",
        "/admin/customers/user/?q=customer",
        "/admin/customers/customergroup/",
    ):
        assert client.get(path).status_code == 200, path
    staff = Client()
    assert staff.login(email="staff@handel.local", password="handel-demo")
    assert staff.get("/admin/customers/user/").status_code == 200
    assert staff.get("/admin/core/apitoken/").status_code == 403
    customer = Client()
    assert customer.login(email="customer@handel.local", password="handel-demo")
    assert customer.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_front_doors_answer(client):
    call_command("demo")
    for path in ("/", "/api/v1/docs", "/api/v1/openapi.json", "/health/ready", "/admin/login/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_the_demo_prints_every_login_and_they_work(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    for email in (
        "admin@handel.local",
        "customer@handel.local",
        "buyer@devries-bouw.example",
        "approver@devries-bouw.example",
    ):
        assert email in out
        assert Client().login(email=email, password="handel-demo"), email
