from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "handel.storefront"
    label = "storefront"
    verbose_name = "Storefront"
