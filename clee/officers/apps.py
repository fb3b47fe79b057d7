from django.apps import AppConfig


class OfficersConfig(AppConfig):
    name = "clee.officers"
    label = "officers"
