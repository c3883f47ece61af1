from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "handel.orders"
    label = "orders"
    verbose_name = "Orders"
