from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "handel.core"
    label = "core"
    verbose_name = "Platform"
