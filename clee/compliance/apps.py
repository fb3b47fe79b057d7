from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "clee.compliance"
    label = "compliance"

    def ready(self) -> None:
        # A new database gets the shipped rule book and recognized list once (also after a
        # test run flushes its tables).
        from clee.compliance.rulebooks import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="clee.install_shipped_rules")
