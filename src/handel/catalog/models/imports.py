from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class CatalogImportJob(models.Model):
    """A product import started through the API; the work runs as a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    format = models.CharField(max_length=10, choices=[("csv", "CSV"), ("jsonl", "JSON Lines")])
    dry_run = models.BooleanField(default=False)
    content = models.TextField(help_text="the uploaded file")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="counts and per-row errors")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.public_id} ({self.status})"
