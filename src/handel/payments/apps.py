from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "handel.payments"
    label = "payments"
    verbose_name = "Payments"
