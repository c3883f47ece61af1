from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "handel.catalog"
    label = "catalog"
    verbose_name = "Catalog"
