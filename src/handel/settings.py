"""Django settings, read from the environment with safe defaults.

Environment variables (all optional in development):
  HANDEL_ENV          development (default) | production
  DEBUG               1 to turn debug pages on (never in production)
  SECRET_KEY          required in production; generated once into var/ otherwise
  DATABASE_URL        default: an SQLite file under var/ (WAL mode)
  ALLOWED_HOSTS       comma separated; required in production
  REDIS_URL           cache (and rate limits) in Redis instead of local memory
  CELERY_BROKER_URL   run background work in Celery workers instead of in-process
  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
  DEFAULT_FROM_EMAIL  outgoing mail; without EMAIL_HOST mail goes to the console
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("HANDEL_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("HANDEL_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


HANDEL_ENV = os.environ.get("HANDEL_ENV", "development")
if HANDEL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("HANDEL_ENV must be 'development' or 'production'")
PRODUCTION = HANDEL_ENV == "production"

DEBUG = env_bool("DEBUG") and not PRODUCTION


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when HANDEL_ENV=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when HANDEL_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "handel.core",
    "handel.channels",
    "handel.customers",
    "handel.companies",
    "handel.catalog",
    "handel.catalog.media",
    "handel.catalog.engagement",
    "handel.inventory",
    "handel.pricing",
    "handel.search",
    "handel.payments",
    "handel.orders",
    "handel.procurement",
    "handel.checkout",
    "handel.storefront",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "handel.storefront.acting.ActingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "handel.core.errors.ProblemJsonMiddleware",
    "handel.core.errors.NulRefusalMiddleware",
]

ROOT_URLCONF = "handel.urls"
WSGI_APPLICATION = "handel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "handel.channels.context_processors.channel",
                "handel.storefront.context_processors.cart",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'handel.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url))
    engine = str(config["ENGINE"])
    # Test databases are named per test run (HANDEL_TEST_DB) and per xdist worker, so that
    # several suites can run side by side on one machine.
    test_suffix = os.environ.get("HANDEL_TEST_DB", "main") + "_" + os.environ.get("PYTEST_XDIST_WORKER", "gw")
    if engine.endswith("sqlite3"):
        # WAL lets readers run beside the one writer; IMMEDIATE transactions take the write lock
        # at BEGIN, so read-then-write sequences (stock, numbering) serialise instead of deadlocking.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        # A file, not memory, so that parallel test processes share the test database.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-{test_suffix}.sqlite3")}
    elif engine.endswith("postgresql"):
        config["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
        config["TEST"] = {"NAME": f"test_{config['NAME']}_{test_suffix}"}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "customers.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "handel"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = "UTC"

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Handel <shop@handel.local>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The seller printed on invoices and credit memos.
HANDEL_SELLER = {
    "name": os.environ.get("SELLER_NAME", "Handel Demo B.V."),
    "street": os.environ.get("SELLER_STREET", "Keizersgracht 100"),
    "postal_code": os.environ.get("SELLER_POSTAL_CODE", "1015 AA"),
    "city": os.environ.get("SELLER_CITY", "Amsterdam"),
    "country": os.environ.get("SELLER_COUNTRY", "NL"),
    "vat_number": os.environ.get("SELLER_VAT_NUMBER", "NL000099998B57"),
    "registration_number": os.environ.get("SELLER_REGISTRATION_NUMBER", "12345678"),
    "iban": os.environ.get("SELLER_IBAN", "NL91ABNA0417164300"),
    "email": os.environ.get("SELLER_EMAIL", "billing@handel.local"),
}
# Payment reminders: days past due at which reminder levels 1, 2, 3... are sent.
HANDEL_DUNNING_DAYS = [int(day) for day in os.environ.get("DUNNING_DAYS", "7,21,45").split(",")]
HANDEL_DEFAULT_PAYMENT_TERMS_DAYS = int(os.environ.get("DEFAULT_PAYMENT_TERMS_DAYS", "14"))

# Where the event fan-out, periodic jobs and demo steps are declared (see handel/wiring.py).
HANDEL_WIRING = "handel.wiring"
# Catalog media uploads: the largest file and picture accepted, and the renditions made of each image.
HANDEL_MEDIA_MAX_IMAGE_BYTES = int(os.environ.get("HANDEL_MEDIA_MAX_IMAGE_BYTES", str(15 * 1024 * 1024)))
HANDEL_MEDIA_MAX_IMAGE_PIXELS = int(os.environ.get("HANDEL_MEDIA_MAX_IMAGE_PIXELS", str(40_000_000)))
HANDEL_MEDIA_MAX_DOCUMENT_BYTES = int(os.environ.get("HANDEL_MEDIA_MAX_DOCUMENT_BYTES", str(25 * 1024 * 1024)))
HANDEL_MEDIA_MAX_MODEL_BYTES = int(os.environ.get("HANDEL_MEDIA_MAX_MODEL_BYTES", str(50 * 1024 * 1024)))
# How much each process keeps between pricing calls (handel/pricing/kept.py): a SKU's product facts
# count one item, its entries in one price list another.
HANDEL_PRICING_KEPT_ITEMS = int(os.environ.get("HANDEL_PRICING_KEPT_ITEMS", "100000"))
# How many products a compare list holds.
HANDEL_COMPARE_LIMIT = int(os.environ.get("HANDEL_COMPARE_LIMIT", "4"))
# Login and token endpoints: attempts allowed per window, per client address and per account.
HANDEL_RATE_LIMITS = {
    "login": (int(os.environ.get("RATE_LIMIT_LOGIN", "10")), 60),
    "token": (int(os.environ.get("RATE_LIMIT_TOKEN", "10")), 60),
    "password_reset": (int(os.environ.get("RATE_LIMIT_PASSWORD_RESET", "5")), 300),
}

UNFOLD = {
    "SITE_TITLE": "Handel back office",
    "SITE_HEADER": "Handel",
    "SITE_SYMBOL": "storefront",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
}
