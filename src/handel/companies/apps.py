from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "handel.companies"
    label = "companies"
    verbose_name = "B2B companies"
