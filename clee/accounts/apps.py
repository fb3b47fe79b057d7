from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clee.accounts"
    label = "accounts"
