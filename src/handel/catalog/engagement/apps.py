from django.apps import AppConfig


class CatalogEngagementConfig(AppConfig):
    name = "handel.catalog.engagement"
    label = "catalog_engagement"
    verbose_name = "Reviews, questions, wishlists and compare lists"
