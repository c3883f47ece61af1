from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "handel.channels"
    label = "channels"
    verbose_name = "Sales channels"
