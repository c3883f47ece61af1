import pytest


@pytest.mark.django_db
def test_live_and_ready_answer_json(client):
    live = client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert "broker" not in body["checks"]


@pytest.mark.django_db
def test_ready_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.django_db
def test_ready_reports_a_working_redis_broker(client, settings):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    response = client.get("/health/ready")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["ok"] is True
