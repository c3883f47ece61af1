from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "handel.search"
    label = "search"
    verbose_name = "Search"
