from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "handel.procurement"
    label = "procurement"
    verbose_name = "Procurement"
