"""Settings, read only from the environment through the typed helpers of `chinhquyen.env`.

Every variable is documented in `.env.example`. The embedded default (no variable set besides
DJANGO_DEBUG for development) is SQLite in WAL mode under `var/`, local files under `var/media`
and a Celery broker on the local file system, so the whole system runs with no extra server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from chinhquyen.env import (
    ImproperlyConfiguredEnv,
    database_from_url,
    env_bool,
    env_fernet_key,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent


def _read() -> dict[str, object]:
    debug = env_bool("DJANGO_DEBUG", False)
    secret = env_str("DJANGO_SECRET_KEY")
    if not secret:
        if not debug:
            raise ImproperlyConfiguredEnv("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
        secret = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
    var_dir = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
    return {
        "debug": debug,
        "secret": secret,
        "var_dir": var_dir,
        "hosts": env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if debug else []),
        "csrf_origins": env_list("DJANGO_CSRF_TRUSTED_ORIGINS", []),
        "database_url": env_url("DATABASE_URL", schemes={"postgres", "postgresql"}),
        "database_prepared": env_bool("DATABASE_PREPARED_STATEMENTS", True),
        "broker_url": env_url("CELERY_BROKER_URL", schemes={"redis", "rediss", "amqp", "amqps"}),
        "result_backend": env_url(
            "CELERY_RESULT_BACKEND", schemes={"redis", "rediss", "rpc", "file", "db+postgresql"}
        ),
        "media_root": Path(env_str("MEDIA_ROOT", str(var_dir / "media"))),
        "log_level": env_str("LOG_LEVEL", "INFO").upper(),
        "log_format": env_str("LOG_FORMAT", "json"),
        "session_minutes": env_int("SESSION_AGE_MINUTES", 480, minimum=5, maximum=24 * 60),
        "max_failures": env_int("SIGNIN_MAX_FAILURES", 5, minimum=1, maximum=100),
        "lock_minutes": env_int("SIGNIN_LOCK_MINUTES", 15, minimum=1, maximum=24 * 60),
        "max_address_failures": env_int(
            "SIGNIN_MAX_FAILURES_PER_ADDRESS", 30, minimum=1, maximum=100_000
        ),
        "tracking_failures": env_int(
            "TRACKING_MAX_FAILURES_PER_ADDRESS", 20, minimum=1, maximum=100_000
        ),
        "tracking_window": env_int("TRACKING_FAILURE_WINDOW_MINUTES", 15, minimum=1, maximum=1440),
        "secure_cookies": env_bool("SECURE_COOKIES", not debug),
        "site_url": env_str("SITE_URL", "http://127.0.0.1:8000"),
        "signing_key": env_fernet_key("SIGNING_KEY_ENCRYPTION_KEY"),
        "audit_key": env_str("AUDIT_CHAIN_KEY"),
        "data_key": env_fernet_key("DATA_ENCRYPTION_KEY"),
        "email_host": env_str("EMAIL_HOST"),
        "email_port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
        "email_user": env_str("EMAIL_HOST_USER"),
        "email_password": env_str("EMAIL_HOST_PASSWORD"),
        "email_tls": env_bool("EMAIL_USE_TLS", False),
        "email_from": env_str("DEFAULT_FROM_EMAIL", "chinhquyen <no-reply@localhost>"),
        "sms_url": env_url("SMS_GATEWAY_URL", schemes={"http", "https"}),
        "sms_token": env_str("SMS_GATEWAY_TOKEN"),
        "notify_attempts": env_int("NOTIFICATIONS_MAX_ATTEMPTS", 8, minimum=1, maximum=100),
        "notify_stuck": env_int("NOTIFICATIONS_STUCK_MINUTES", 15, minimum=1, maximum=24 * 60),
        "deadline_sweep": env_int("DEADLINE_SWEEP_MINUTES", 15, minimum=1, maximum=24 * 60),
        "deadline_warning": env_int("DEADLINE_WARNING_WORKING_DAYS", 1, minimum=0, maximum=10),
        **_read_payments(debug),
        **_read_postal(debug),
        "tsa_url": env_url("SIGNING_TSA_URL", schemes={"http", "https"}),
        "pkcs11_lib": env_str("SIGNING_PKCS11_LIB", "/usr/lib/softhsm/libsofthsm2.so"),
        "remote_signing_url": env_url("SIGNING_REMOTE_URL", schemes={"http", "https"}),
        "fetch_revocation": env_bool("SIGNING_FETCH_REVOCATION", True),
        "validation_max_mb": env_int("SIGNING_VALIDATION_MAX_MB", 20, minimum=1, maximum=200),
        "upload_max_mb": env_int("UPLOAD_MAX_MB", 10, minimum=1, maximum=100),
        **_read_oidc(),
    }


def _read_oidc() -> dict[str, object]:
    """Citizen sign-in through an OpenID Connect provider; no issuer means the feature is off."""
    issuer = env_url("OIDC_ISSUER", schemes={"https", "http"}) or ""
    client_id = env_str("OIDC_CLIENT_ID")
    scopes = env_str("OIDC_SCOPES", "openid profile email")
    if issuer and not client_id:
        raise ImproperlyConfiguredEnv("OIDC_CLIENT_ID must be set when OIDC_ISSUER is set")
    if "openid" not in scopes.split():
        raise ImproperlyConfiguredEnv(f"OIDC_SCOPES={scopes!r}: must include openid")
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_client_secret": env_str("OIDC_CLIENT_SECRET"),
        "oidc_scopes": scopes,
        "oidc_personal_id_claim": env_str("OIDC_PERSONAL_ID_CLAIM", "personal_id"),
    }


def _read_payments(debug: bool) -> dict[str, object]:
    """Online payment gateway (VNPAY 2.1.0 protocol, ADR 0010). In debug, what is unset points
    at the test gateway `make run` starts (demo merchant code and secret); otherwise payment is
    off until PAYMENT_GATEWAY_URL is set, and then the code and the secret are required."""
    from chinhquyen.integrations.paygate import demo

    gateway = env_url("PAYMENT_GATEWAY_URL", schemes={"http", "https"})
    query = env_url("PAYMENT_QUERY_URL", schemes={"http", "https"})
    tmn, secret = env_str("PAYMENT_TMN_CODE"), env_str("PAYMENT_HASH_SECRET")
    if debug:
        demo_base = f"http://127.0.0.1:{demo.DEMO_PORT}"
        gateway = gateway or f"{demo_base}/paymentv2/vpcpay.html"
        query = query or f"{demo_base}/merchant_webapi/api/transaction"
        tmn, secret = tmn or demo.DEMO_TMN_CODE, secret or demo.DEMO_HASH_SECRET
    if gateway and not (query and tmn and secret):
        raise ImproperlyConfiguredEnv(
            "PAYMENT_GATEWAY_URL: also set PAYMENT_QUERY_URL, PAYMENT_TMN_CODE, PAYMENT_HASH_SECRET"
        )
    return {
        "payment_gateway_url": gateway,
        "payment_query_url": query,
        "payment_tmn_code": tmn,
        "payment_hash_secret": secret,
        "payment_base_url": env_url("PAYMENT_PUBLIC_BASE_URL", schemes={"http", "https"}),
        "payment_expire": env_int("PAYMENT_EXPIRE_MINUTES", 15, minimum=5, maximum=24 * 60),
        "payment_reconcile": env_int(
            "PAYMENT_RECONCILE_AFTER_MINUTES", 15, minimum=1, maximum=24 * 60
        ),
    }


def _read_postal(debug: bool) -> dict[str, object]:
    """Returning results by post through a postal operator (ADR 0020). In debug, what is unset
    points at the test operator `make run` starts; otherwise returning by post is off until
    POSTAL_API_URL is set, and then the key and the callback secret are required."""
    from chinhquyen.integrations.postal import demo

    url = env_url("POSTAL_API_URL", schemes={"http", "https"})
    key, secret = env_str("POSTAL_API_KEY"), env_str("POSTAL_CALLBACK_SECRET")
    if debug:
        url = url or f"http://127.0.0.1:{demo.DEMO_PORT}"
        key, secret = key or demo.DEMO_API_KEY, secret or demo.DEMO_CALLBACK_SECRET
    if url and not (key and secret):
        raise ImproperlyConfiguredEnv(
            "POSTAL_API_URL: also set POSTAL_API_KEY and POSTAL_CALLBACK_SECRET"
        )
    return {
        "postal_url": url,
        "postal_key": key,
        "postal_secret": secret,
        "postal_base_url": env_url("POSTAL_PUBLIC_BASE_URL", schemes={"http", "https"}),
        "postal_attempts": env_int("POSTAL_MAX_ATTEMPTS", 20, minimum=1, maximum=1000),
    }


try:
    _ENV = _read()
except ImproperlyConfiguredEnv as exc:  # stop start-up, naming the variable
    sys.stderr.write(f"chinhquyen: bad setting: {exc}\n")
    raise SystemExit(2) from None

DEBUG: bool = bool(_ENV["debug"])
SECRET_KEY: str = str(_ENV["secret"])
VAR_DIR: Path = _ENV["var_dir"]  # type: ignore[assignment]
ALLOWED_HOSTS: list[str] = _ENV["hosts"]  # type: ignore[assignment]
CSRF_TRUSTED_ORIGINS: list[str] = _ENV["csrf_origins"]  # type: ignore[assignment]
SITE_URL: str = str(_ENV["site_url"])
if _ENV["log_format"] not in {"json", "text"}:
    sys.stderr.write("chinhquyen: bad setting: LOG_FORMAT must be json or text\n")
    raise SystemExit(2)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "chinhquyen.core",
    "chinhquyen.audit",
    "chinhquyen.org",
    "chinhquyen.workdays",
    "chinhquyen.signing",
    "chinhquyen.procedures",
    "chinhquyen.portal",
    "chinhquyen.notifications",
    "chinhquyen.payments",
    "chinhquyen.dossiers",
    "chinhquyen.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chinhquyen.core.middleware.RequestLogMiddleware",
    "chinhquyen.core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chinhquyen.core.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chinhquyen.urls"
WSGI_APPLICATION = "chinhquyen.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "org:signin"
LOGIN_REDIRECT_URL = "org:staff_home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chinhquyen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set -----------------------
if _ENV["database_url"]:
    DATABASES = {
        "default": database_from_url(
            str(_ENV["database_url"]), prepared_statements=bool(_ENV["database_prepared"])
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "chinhquyen.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN
                # so two writers queue instead of failing with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords: argon2 first (ISSUE 2 §4) -------------------------------------------------------
PASSWORD_HASHERS = [
    "chinhquyen.core.hashers.Argon2idHasher",  # ADR 0016: 19 MiB, not Django's 100 MiB
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "chinhquyen.org.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SIGNIN_MAX_FAILURES: int = int(_ENV["max_failures"])  # type: ignore[call-overload]
SIGNIN_LOCK_MINUTES: int = int(_ENV["lock_minutes"])  # type: ignore[call-overload]
SIGNIN_MAX_FAILURES_PER_ADDRESS: int = int(_ENV["max_address_failures"])  # type: ignore[call-overload]
# Public dossier lookup (tra cứu hồ sơ): failed lookups allowed per client address per window.
TRACKING_MAX_FAILURES_PER_ADDRESS: int = int(_ENV["tracking_failures"])  # type: ignore[call-overload]
TRACKING_FAILURE_WINDOW_MINUTES: int = int(_ENV["tracking_window"])  # type: ignore[call-overload]

# --- Citizen sign-in through an OpenID Connect provider (the national e-identification account,
# Decree 69/2024/NĐ-CP). Empty OIDC_ISSUER: off, and the sign-in button is not shown.
OIDC_ISSUER: str = str(_ENV["oidc_issuer"])
OIDC_CLIENT_ID: str = str(_ENV["oidc_client_id"])
OIDC_CLIENT_SECRET: str = str(_ENV["oidc_client_secret"])
OIDC_SCOPES: str = str(_ENV["oidc_scopes"])
OIDC_PERSONAL_ID_CLAIM: str = str(_ENV["oidc_personal_id_claim"])

# --- Sessions and cookies for a public-sector site ---------------------------------------------
# Django's database sessions, read with a prepared statement (core.sessions).
SESSION_ENGINE = "chinhquyen.core.sessions"
SESSION_COOKIE_AGE = int(_ENV["session_minutes"]) * 60  # type: ignore[call-overload]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle expiry: the age restarts with use, written at most every few minutes
# (core.middleware.SessionIdleRefreshMiddleware) instead of on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = bool(_ENV["secure_cookies"])
CSRF_COOKIE_SECURE = bool(_ENV["secure_cookies"])
SESSION_COOKIE_NAME = "cq_session"
CSRF_COOKIE_NAME = "cq_csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# --- Language and time: Vietnamese first, Asia/Ho_Chi_Minh shown, UTC stored -------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT: Path = _ENV["media_root"]  # type: ignore[assignment]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Celery: a file-system broker needs no server; Redis or RabbitMQ when configured -----------
CELERY_BROKER_CONFIGURED = bool(_ENV["broker_url"])
if CELERY_BROKER_CONFIGURED:
    CELERY_BROKER_URL = str(_ENV["broker_url"])
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# Results are not needed by the actions (they write their outcome to the database); a backend
# can be configured for diagnostics and for the broker round-trip tests.
CELERY_RESULT_BACKEND = _ENV["result_backend"]
CELERY_TASK_IGNORE_RESULT = not CELERY_RESULT_BACKEND
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Logs: one JSON object a line (structured), or text for a terminal ------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "chinhquyen.core.logging.JsonFormatter"},
        "text": {
            "()": "chinhquyen.core.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": _ENV["log_format"]},
    },
    "root": {"handlers": ["console"], "level": _ENV["log_level"]},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each layout step at INFO: one line per step per form printed.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Notifications: SMTP when EMAIL_HOST is set; otherwise e-mails are written as files under
# var/mail (the embedded default needs no mail server). SMS through an HTTP gateway adapter.
if _ENV["email_host"]:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = str(_ENV["email_host"])
    EMAIL_PORT = int(_ENV["email_port"])  # type: ignore[call-overload]
    EMAIL_HOST_USER = str(_ENV["email_user"])
    EMAIL_HOST_PASSWORD = str(_ENV["email_password"])
    EMAIL_USE_TLS = bool(_ENV["email_tls"])
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = str(_ENV["email_from"])
SMS_GATEWAY_URL: str | None = _ENV["sms_url"]  # type: ignore[assignment]
SMS_GATEWAY_TOKEN: str = str(_ENV["sms_token"])
NOTIFICATIONS_MAX_ATTEMPTS: int = int(_ENV["notify_attempts"])  # type: ignore[call-overload]
NOTIFICATIONS_STUCK_MINUTES: int = int(_ENV["notify_stuck"])  # type: ignore[call-overload]
# The deadline sweep (dossiers.deadlines): how often beat runs it, and how far ahead "due soon"
# looks (working days after today; 0: only what is due today).
DEADLINE_SWEEP_MINUTES: int = int(_ENV["deadline_sweep"])  # type: ignore[call-overload]
DEADLINE_WARNING_WORKING_DAYS: int = int(_ENV["deadline_warning"])  # type: ignore[call-overload]

# --- Audit: the chain's HMAC key lives outside the database (default: derived from SECRET_KEY;
# set a dedicated key so SECRET_KEY can be rotated without re-keying the audit history).
AUDIT_CHAIN_KEY: str = str(_ENV["audit_key"])
# Small secrets the platform reads back (TOTP secrets) are stored encrypted with this Fernet key
# (default: derived from SECRET_KEY; set a dedicated one so SECRET_KEY can rotate).
DATA_ENCRYPTION_KEY: str | None = _ENV["data_key"]  # type: ignore[assignment]

# --- Digital signatures (signing app) ----------------------------------------------------------
# Private keys the platform stores are encrypted with this key (Fernet, 32 bytes url-safe base64).
# In debug a key derived from SECRET_KEY is used so the demo works; production must set it.
SIGNING_KEY_ENCRYPTION_KEY: str | None = _ENV["signing_key"]  # type: ignore[assignment]
SIGNING_TSA_URL: str | None = _ENV["tsa_url"]  # type: ignore[assignment]
SIGNING_PKCS11_LIB: str = str(_ENV["pkcs11_lib"])
SIGNING_REMOTE_URL: str | None = _ENV["remote_signing_url"]  # type: ignore[assignment]
SIGNING_FETCH_REVOCATION: bool = bool(_ENV["fetch_revocation"])
SIGNING_VALIDATION_MAX_BYTES: int = int(_ENV["validation_max_mb"]) * 1024 * 1024  # type: ignore[call-overload]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest attachment a citizen may upload (dossiers.drafts.max_upload_bytes, core.uploads). The
# submission page keeps at most this much of an upload in memory and drops the rest, so the
# two Django limits above need not grow with it.
UPLOAD_MAX_BYTES: int = int(_ENV["upload_max_mb"]) * 1024 * 1024  # type: ignore[call-overload]

# --- Online payment (payments app, gateway adapter in chinhquyen/integrations/paygate) --------
PAYMENT_GATEWAY_URL: str | None = _ENV["payment_gateway_url"]  # type: ignore[assignment]
PAYMENT_QUERY_URL: str | None = _ENV["payment_query_url"]  # type: ignore[assignment]
PAYMENT_TMN_CODE: str = str(_ENV["payment_tmn_code"])
PAYMENT_HASH_SECRET: str = str(_ENV["payment_hash_secret"])
# The gateway sends the browser back to $PAYMENT_PUBLIC_BASE_URL/thanh-toan/ket-qua/.
PAYMENT_PUBLIC_BASE_URL: str = str(_ENV["payment_base_url"] or SITE_URL)
PAYMENT_EXPIRE_MINUTES: int = int(_ENV["payment_expire"])  # type: ignore[call-overload]
PAYMENT_RECONCILE_AFTER_MINUTES: int = int(_ENV["payment_reconcile"])  # type: ignore[call-overload]

# --- Returning results by post (dossiers.postal, operator adapter in integrations/postal) -------
POSTAL_API_URL: str | None = _ENV["postal_url"]  # type: ignore[assignment]
POSTAL_API_KEY: str = str(_ENV["postal_key"])
POSTAL_CALLBACK_SECRET: str = str(_ENV["postal_secret"])
# The operator posts its status callbacks to $POSTAL_PUBLIC_BASE_URL/api/v1/postal/callbacks.
POSTAL_PUBLIC_BASE_URL: str = str(_ENV["postal_base_url"] or SITE_URL)
POSTAL_MAX_ATTEMPTS: int = int(_ENV["postal_attempts"])  # type: ignore[call-overload]
