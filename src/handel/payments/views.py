"""The test gateway's 3-D Secure page: it stands in for the card issuer's challenge screen."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from handel.core.errors import Conflict
from handel.payments import services
from handel.payments.models import TestGatewayCharge


@require_http_methods(["GET", "POST"])
def test_gateway_challenge(request: HttpRequest, token: str) -> HttpResponse:
    charge = TestGatewayCharge.objects.filter(challenge_token=token).first()
    if charge is None or charge.state != "requires_action":
        return render(request, "payments/challenge_done.html", status=410)
    if request.method == "POST":
        try:
            target = services.complete_test_challenge(token=token, approved=request.POST.get("outcome") == "approve")
        except Conflict:
            return render(request, "payments/challenge_done.html", status=410)
        return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    return render(request, "payments/challenge.html", {"charge": charge})
