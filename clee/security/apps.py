from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "clee.security"
    label = "security"
