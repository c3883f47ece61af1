"""Settings come from the environment with safe defaults; production refuses unsafe ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PRINT = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'options': db.get('OPTIONS', {}),"
    "'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'cache': settings.CACHES['default']['BACKEND'],"
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'email': settings.EMAIL_BACKEND, 'key': settings.SECRET_KEY}))"
)


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "EMAIL_HOST",
            "HANDEL_ENV",
        }
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "handel.settings", "HANDEL_VAR_DIR": str(tmp_path / "var")}, **env)
    return subprocess.run([sys.executable, "-c", PRINT], env=clean, capture_output=True, text=True, timeout=60)


def test_defaults_are_safe_and_need_nothing_installed(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"].endswith("sqlite3")
    assert config["name"] == str(tmp_path / "var" / "handel.sqlite3")
    assert "journal_mode=WAL" in config["options"]["init_command"]
    assert config["options"]["timeout"] >= 5
    assert config["debug"] is False
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True
    assert config["email"].endswith("console.EmailBackend")
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == config["key"]
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    again = json.loads(run_settings(tmp_path).stdout)
    assert again["key"] == config["key"], "the generated key is kept"


def test_environment_variables_are_read(tmp_path):
    result = run_settings(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/shop",
        DEBUG="1",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="shop.example.com,api.example.com",
        REDIS_URL="redis://127.0.0.1:6379/1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/2",
        EMAIL_HOST="smtp.example.com",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"].endswith("postgresql") and config["name"] == "shop"
    assert config["debug"] is True
    assert config["hosts"] == ["shop.example.com", "api.example.com"]
    assert config["cache"].endswith("RedisCache")
    assert config["eager"] is False
    assert config["email"].endswith("smtp.EmailBackend")
    assert config["key"] == "x" * 50


def test_production_requires_a_secret_key_and_hosts_and_never_debugs(tmp_path):
    result = run_settings(tmp_path, HANDEL_ENV="production", ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = run_settings(tmp_path, HANDEL_ENV="production", SECRET_KEY="k" * 50)
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
    result = run_settings(
        tmp_path, HANDEL_ENV="production", SECRET_KEY="k" * 50, ALLOWED_HOSTS="shop.example.com", DEBUG="1"
    )
    assert json.loads(result.stdout)["debug"] is False


def test_the_suite_runs_on_the_configured_database(db):
    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
