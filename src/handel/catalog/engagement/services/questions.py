"""Product questions and answers: customers ask about products they can see; staff answers are
published at once, customers' answers and all questions after moderation."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from handel.catalog.browsing import Viewer
from handel.catalog.engagement.models import Answer, Moderation, Question
from handel.catalog.engagement.visibility import display_name_of, family_head, visible_of, visible_product
from handel.core import audit
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.core.events import emit

DECISIONS = {"approve": Moderation.APPROVED, "reject": Moderation.REJECTED}


def _text(text: str, limit: int) -> str:
    text = text.strip()
    if not text or len(text) > limit:
        raise InvalidInput("the text is not valid", errors=[field_error(["body", "text"], f"1 to {limit} characters")])
    return text


def _by_public_id(rows: QuerySet[Any], public_id: str, what: str, **filters: Any) -> Any:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(f"no {what} '{public_id}'") from None
    row = rows.filter(public_id=key, **filters).first()
    if row is None:
        raise NotFound(f"no {what} '{public_id}'")
    return row


def ask_question(*, viewer: Viewer, customer: Any, sku: str, text: str) -> Question:
    text = _text(text, 2000)
    product = family_head(visible_product(viewer, sku))
    with transaction.atomic(durable=True):
        question = Question.objects.create(
            product=product, customer=customer, display_name=display_name_of(customer), text=text
        )
        audit.record(actor=customer, action="question.asked", obj=question, data={"sku": product.sku})
        emit("catalog.question.asked", {"question": str(question.public_id), "sku": product.sku})
    return question


def answer_question(*, viewer: Viewer, author: Any, question_id: str, text: str) -> Answer:
    """Staff may answer any question; a customer only a published one about a product they can see."""
    text = _text(text, 4000)
    is_staff = bool(author.is_staff)
    filters = {} if is_staff else {"status": Moderation.APPROVED}
    question = _by_public_id(Question.objects.select_related("product"), question_id, "question", **filters)
    if not is_staff and question.product.sku not in visible_of(viewer, [question.product.sku]):
        raise NotFound(f"no question '{question_id}'")
    with transaction.atomic(durable=True):
        answer = Answer.objects.create(
            question=question,
            author=author,
            display_name="Shop team" if is_staff else display_name_of(author),
            is_by_staff=is_staff,
            text=text,
            status=Moderation.APPROVED if is_staff else Moderation.PENDING,
            moderated_by=author if is_staff else None,
            moderated_at=timezone.now() if is_staff else None,
        )
        if is_staff and question.status == Moderation.PENDING:
            # Answering a question is the strongest way of approving it.
            question.status = Moderation.APPROVED
            question.moderated_by, question.moderated_at = author, timezone.now()
            question.save(update_fields=["status", "moderated_by", "moderated_at"])
        audit.record(actor=author, action="question.answered", obj=answer, data={"question": question_id})
        emit(
            "catalog.question.answered",
            {"question": question_id, "sku": question.product.sku, "published": answer.status == Moderation.APPROVED},
        )
    return answer


def _moderate(row: Any, *, actor: Any, decision: str, action: str) -> Any:
    if decision not in DECISIONS:
        raise InvalidInput("unknown decision", errors=[field_error(["body", "decision"], "approve or reject")])
    with transaction.atomic(durable=True):
        row.status = DECISIONS[decision]
        row.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        row.moderated_at = timezone.now()
        row.save(update_fields=["status", "moderated_by", "moderated_at"])
        audit.record(actor=actor, action=f"{action}.{row.status}", obj=row)
    return row


def moderate_question(*, actor: Any, question_id: str, decision: str) -> Question:
    question: Question = _moderate(
        _by_public_id(Question.objects.all(), question_id, "question"),
        actor=actor,
        decision=decision,
        action="question",
    )
    return question


def moderate_answer(*, actor: Any, answer_id: str, decision: str) -> Answer:
    answer: Answer = _moderate(
        _by_public_id(Answer.objects.all(), answer_id, "answer"), actor=actor, decision=decision, action="answer"
    )
    return answer
