from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "clee.people"
    label = "people"
