from django.urls import path

from handel.payments import views

urlpatterns = [
    path("test-gateway/3ds/<str:token>/", views.test_gateway_challenge, name="test-gateway-challenge"),
]
