from django.apps import AppConfig


class CatalogMediaConfig(AppConfig):
    name = "handel.catalog.media"
    label = "catalog_media"
    verbose_name = "Catalog media"
