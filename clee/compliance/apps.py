from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "clee.compliance"
    label = "compliance"

    def ready(self) -> None:
        # Importing the tasks binds the jobs the services queue by name (clee.core.queue).
        from clee.compliance import tasks  # noqa: F401
        from clee.compliance.rulebooks import install_after_migrate

        # A new database gets the shipped rule book and recognized list once (also after a
        # test run flushes its tables).
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="clee.install_shipped_rules")
