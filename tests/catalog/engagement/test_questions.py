from __future__ import annotations

import pytest

from handel.catalog.engagement.models import Answer, Question
from tests.catalog.engagement.conftest import B2B, B2C, body
from tests.conftest import assert_problem


@pytest.mark.django_db
def test_questions_and_answers_are_moderated(products, customer_api, moderator, api):
    asker = customer_api()
    response = asker.call("post", "/catalog/products/DRL-1/questions", {"text": "Does it fit 13 mm bits?"}, headers=B2C)
    assert response.status_code == 201, response.content
    question = body(response)
    assert question["status"] == "pending"
    assert body(api.call("get", "/catalog/products/DRL-1/questions", headers=B2C))["items"] == []
    # Customers cannot answer a question that is not published.
    assert_problem(
        customer_api().call("post", f"/catalog/questions/{question['id']}/answers", {"text": "Yes"}, headers=B2C), 404
    )
    staff_answer = moderator.call(
        "post", f"/catalog/questions/{question['id']}/answers", {"text": "Yes, up to 13 mm."}, headers=B2C
    )
    assert body(staff_answer)["status"] == "approved" and body(staff_answer)["display_name"] == "Shop team"
    listed = body(api.call("get", "/catalog/products/DRL-1/questions", headers=B2C))["items"]
    assert [answer["text"] for answer in listed[0]["answers"]] == ["Yes, up to 13 mm."]
    peer = body(
        customer_api(first_name="Dirk").call(
            "post", f"/catalog/questions/{question['id']}/answers", {"text": "Mine takes 13 mm fine."}, headers=B2C
        )
    )
    assert peer["status"] == "pending"
    assert len(body(api.call("get", "/catalog/products/DRL-1/questions", headers=B2C))["items"][0]["answers"]) == 1
    assert_problem(asker.call("post", f"/catalog/answers/{peer['id']}/moderation", {"decision": "approve"}), 403)
    assert (
        body(moderator.call("post", f"/catalog/answers/{peer['id']}/moderation", {"decision": "approve"}))["status"]
        == "approved"
    )
    answers = body(api.call("get", "/catalog/products/DRL-1/questions", headers=B2C))["items"][0]["answers"]
    assert [answer["display_name"] for answer in answers] == ["Shop team", "Dirk J."]
    assert (
        body(moderator.call("post", f"/catalog/questions/{question['id']}/moderation", {"decision": "reject"}))[
            "status"
        ]
        == "rejected"
    )
    assert body(api.call("get", "/catalog/products/DRL-1/questions", headers=B2C))["items"] == []


@pytest.mark.django_db
def test_questions_respect_visibility_and_input(products, customer_api, api):
    asker = customer_api()
    assert_problem(asker.call("post", "/catalog/products/KIT-1/questions", {"text": "?"}, headers=B2C), 404)
    assert_problem(api.call("get", "/catalog/products/KIT-1/questions", headers=B2C), 404)
    assert_problem(asker.call("post", "/catalog/products/DRL-1/questions", {"text": ""}, headers=B2C), 422)
    assert_problem(asker.call("post", "/catalog/products/DRL-1/questions", {"text": "x" * 2001}, headers=B2C), 422)
    assert_problem(api.call("post", "/catalog/products/DRL-1/questions", {"text": "hi"}, headers=B2C), 401)
    assert_problem(asker.call("post", "/catalog/questions/nope/answers", {"text": "hi"}, headers=B2B), 404)
    assert not Question.objects.exists() and not Answer.objects.exists()
