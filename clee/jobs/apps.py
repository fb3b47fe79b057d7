from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "clee.jobs"
    verbose_name = "Jobs and schedule"

    def ready(self) -> None:
        from clee.jobs import leases

        leases.connect()
