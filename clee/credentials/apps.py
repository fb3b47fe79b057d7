from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "clee.credentials"
    label = "credentials"
    verbose_name = "Verifiable credentials"

    def ready(self) -> None:
        # Importing these registers the system check and binds the job the services queue by
        # name (clee.core.queue).
        from clee.credentials import checks, tasks  # noqa: F401
