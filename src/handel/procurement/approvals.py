"""The generic approval engine: a request with ordered steps, each decided by one of its approvers.

It knows nothing of orders: the owning domain opens a request for its subject and acts on the
outcome `decide` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from handel.core import audit
from handel.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, field_error
from handel.procurement.models import ApprovalRequest, ApprovalStep

S = ApprovalRequest.Status


@dataclass(frozen=True)
class StepSpec:
    level: int
    reason: str
    approver_user_ids: tuple[int, ...]


def open_request(*, subject_type: str, subject_id: str, requested_by: Any, steps: list[StepSpec]) -> ApprovalRequest:
    """Must run inside the owner's transaction. Steps without any approver cannot be decided, so
    they are refused here rather than left waiting forever."""
    if not steps:
        raise InvalidInput("an approval request needs at least one step")
    for step in steps:
        if not step.approver_user_ids:
            raise Conflict(
                f"nobody can approve '{step.reason}': give the company an approver first", slug="no-approver"
            )
    request = ApprovalRequest.objects.create(
        subject_type=subject_type, subject_id=subject_id, requested_by=requested_by
    )
    ApprovalStep.objects.bulk_create(
        [
            ApprovalStep(
                request=request,
                level=step.level,
                reason=step.reason,
                approver_user_ids=sorted(set(step.approver_user_ids)),
            )
            for step in sorted(steps, key=lambda s: s.level)
        ]
    )
    audit.record(actor=requested_by, action="approval.requested", obj=request)
    return request


def current_steps(request: ApprovalRequest) -> list[ApprovalStep]:
    """The pending steps of the lowest level still waiting."""
    pending = [step for step in request.steps.all() if step.status == S.PENDING]
    if not pending:
        return []
    level = min(step.level for step in pending)
    return [step for step in pending if step.level == level]


def can_decide(request: ApprovalRequest, user: Any) -> bool:
    return request.status == S.PENDING and any(user.pk in step.approver_user_ids for step in current_steps(request))


def decide(*, request_id: int, user: Any, approve: bool, comment: str = "") -> ApprovalRequest:
    """Decide the current step the user may decide. A rejection ends the request; an approval of the
    last step approves it. Runs inside the owner's transaction."""
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound("no such approval request")
    if request.status != S.PENDING:
        raise Conflict(f"this request is {request.get_status_display().lower()} already", slug="approval-decided")
    step = next((s for s in current_steps(request) if user.pk in s.approver_user_ids), None)
    if step is None:
        raise PermissionDenied("you are not an approver of the current step")
    if user.pk == getattr(request.requested_by, "pk", None):
        raise PermissionDenied("nobody approves their own purchase")
    if not approve and not comment.strip():
        raise InvalidInput("say why you reject", errors=[field_error(["body", "comment"], "required to reject")])
    step.status = S.APPROVED if approve else S.REJECTED
    step.decided_by, step.comment, step.decided_at = user, comment.strip(), timezone.now()
    step.save(update_fields=["status", "decided_by", "comment", "decided_at"])
    if not approve:
        request.status = S.REJECTED
    elif not any(s.status == S.PENDING for s in request.steps.all()):
        request.status = S.APPROVED
    if request.status != S.PENDING:
        request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit.record(
        actor=user,
        action="approval.approved" if approve else "approval.rejected",
        obj=request,
        data={"level": step.level, "comment": comment},
    )
    return request


def cancel(*, request_id: int, user: Any) -> None:
    with transaction.atomic():
        ApprovalRequest.objects.filter(pk=request_id, status=S.PENDING).update(
            status=S.CANCELLED, decided_at=timezone.now()
        )
        ApprovalStep.objects.filter(request_id=request_id, status=S.PENDING).update(status=S.CANCELLED)
    audit.record(
        actor=user, action="approval.cancelled", object_type="procurement.approvalrequest", object_id=str(request_id)
    )
