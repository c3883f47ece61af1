from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "handel.customers"
    label = "customers"
    verbose_name = "Customers"
