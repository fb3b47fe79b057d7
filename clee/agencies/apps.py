from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "clee.agencies"
    label = "agencies"
