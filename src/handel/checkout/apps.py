from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "handel.checkout"
    label = "checkout"
    verbose_name = "Checkout"
