from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "clee.jobs"
    verbose_name = "Jobs and schedule"

    def ready(self) -> None:
        # Importing the tasks binds the job the scheduler queues by name (clee.core.queue).
        from clee.jobs import leases, tasks  # noqa: F401

        leases.connect()
