from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "clee.credentials"
    label = "credentials"
    verbose_name = "Verifiable credentials"

    def ready(self) -> None:
        from clee.credentials import checks  # noqa: F401  (registers the system check)
