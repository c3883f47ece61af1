from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "handel.inventory"
    label = "inventory"
    verbose_name = "Inventory"
