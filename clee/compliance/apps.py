from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "clee.compliance"
    label = "compliance"
