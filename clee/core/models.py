"""Shared models: the audit trail and stored documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clee.core.actions import AuditAction


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One write, who made it and when; written by the service in the same transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Who acted, kept if the account goes.")
    action = models.CharField(max_length=80, choices=AuditAction.choices)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Where the request that wrote the row came from; empty for jobs and commands.
    ip = models.GenericIPAddressField(null=True, blank=True, help_text="The client's address")
    user_agent = models.CharField(max_length=300, blank=True, help_text="The client's browser or program")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"


class Document(models.Model):
    """An uploaded file (PDF, PNG or JPEG, checked by content), stored privately."""

    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    file = models.FileField(upload_to="%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40, choices=Kind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
