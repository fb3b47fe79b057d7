"""CLEE settings: one environment-driven module with safe development defaults.

Production (``CLEE_ENV=production``) refuses to start without ``CLEE_SECRET_KEY`` and
``DATABASE_URL``. Every setting and its default is listed in docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("CLEE_VAR_DIR", BASE_DIR / "var"))

ENVIRONMENT = os.environ.get("CLEE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("CLEE_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("CLEE_SECRET_KEY must be set when CLEE_ENV=production")
    SECRET_KEY = "development-only-key-never-used-in-production"

if PRODUCTION and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set when CLEE_ENV=production")

DEBUG = _flag("CLEE_DEBUG", not PRODUCTION)
DEMO_MODE = _flag("CLEE_DEMO", not PRODUCTION)
ALLOWED_HOSTS = [h for h in os.environ.get("CLEE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CLEE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "clee.core",
    "clee.accounts",
    "clee.agencies",
    "clee.officers",
    "clee.providers",
    "clee.training",
    "clee.compliance",
    "clee.imports",
    "clee.demo",
    "clee.jobs",
    "clee.notices",
    "django_tasks",
    "django_tasks_db",
    "clee.api",
    "clee.sso",
    "clee.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "clee.config.urls"
WSGI_APPLICATION = "clee.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clee" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clee.core.context.site",
                "clee.portals.nav.portal_nav",
            ],
            # clee.portals is no app of its own: its template tags are named here.
            "libraries": {"roster": "clee.portals.templatetags.roster"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clee.sqlite3'}"),
        conn_max_age=int(os.environ.get("CLEE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Many readers and one writer at a time without "database is locked" under load.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "clee.accounts.backends.AccountBackend",
    # Sessions signed in before AccountBackend existed name this one: they stay valid.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CLEE_TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages from the npm registry (package.json), installed by `make setup`: served
# from node_modules in development, gathered by collectstatic for production.
NODE_MODULES = Path(os.environ.get("CLEE_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("uswds", NODE_MODULES / "@uswds" / "uswds" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded documents: private storage, never under a public URL; served by views that check
# access. Size limit and accepted kinds are enforced by clee.core.documents.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DOCUMENT_MAX_BYTES = int(os.environ.get("CLEE_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 1024 * 1024

# The jurisdiction whose rule packs this deployment applies.
CLEE_JURISDICTION = os.environ.get("CLEE_JURISDICTION", "MO")
# Threads that recompute a large set of officers at once (a big roster), on PostgreSQL.
CLEE_RECOMPUTE_THREADS = int(os.environ.get("CLEE_RECOMPUTE_THREADS", "2"))

# Email (notices): Django's SMTP backend, configured from the environment (docs/operations.md).
# Development prints mail to the console (make run has no mail server); production sends by SMTP.
EMAIL_BACKEND = os.environ.get(
    "CLEE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("CLEE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CLEE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLEE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLEE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("CLEE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _flag("CLEE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("CLEE_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("CLEE_EMAIL_FROM", "Missouri POST Program <post-clee@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto (docs/operations.md).
if _flag("CLEE_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Background jobs (docs/operations.md §3.4): django-tasks with its database backend; the
# worker is `manage.py db_worker`, the schedule is run by `manage.py run_scheduler`.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Seconds the scheduler sleeps between two looks at the schedule.
CLEE_SCHEDULER_INTERVAL = int(os.environ.get("CLEE_SCHEDULER_INTERVAL", "30"))

# --- The REST API (clee.api) ---------------------------------------------------------------

# --- Single sign-on and invitations (clee.sso) ----------------------------------------------

# --- Account security: MFA, lockout, sessions, passwords (clee.security) ---------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLEE_LOG_LEVEL", "INFO")},
}
