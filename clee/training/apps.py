from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "clee.training"
    label = "training"
