from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "handel.pricing"
    label = "pricing"
    verbose_name = "Pricing"
