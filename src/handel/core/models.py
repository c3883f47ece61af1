"""Platform tables: number series, outbox, idempotency records, API tokens, audit trail, job runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NumberSeries(models.Model):
    """A gapless counter for human numbers such as ORD-000123."""

    name = models.CharField(max_length=50, unique=True)
    prefix = models.CharField(max_length=20)
    padding = models.PositiveSmallIntegerField(default=6)
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name_plural = "number series"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}{self.next_value:0{self.padding}d} next)"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it reports."""

    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["processed_at", "id"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class IdempotencyRecord(models.Model):
    """The stored answer to an unsafe request made with an Idempotency-Key header."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=255, help_text="who made the request and to which operation")
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 digest of the secret is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, help_text="shown to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEntry(models.Model):
    """Who changed what, and when. Written by services in the transaction of the change."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True, help_text="kept when the actor is deleted")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class JobRun(models.Model):
    """When each periodic job last ran, so `handel jobs run-due` knows what is due."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Revision(models.Model):
    """A token that changes with every write to a set of tables (set by database triggers, see
    `core.revisions`): a process keeps what it read of those tables while the token is the same."""

    name = models.CharField(max_length=50, primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
