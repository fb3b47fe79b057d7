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

# Off unless asked for: the demo (and any site) shows its own error pages, never Django's
# debug page listing every URL; a developer sets CLEE_DEBUG=true to see tracebacks.
DEBUG = _flag("CLEE_DEBUG", False)
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
    # Where each request comes from, on every audit row written while it runs.
    "clee.core.where.WhereMiddleware",
    # Content-Security-Policy with the request's nonce; no-store on what a signed-in person sees.
    "clee.security.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A year without a reporting period gets a page naming the periods there are.
    "clee.portals.middleware.PeriodMissingMiddleware",
    # The database unreachable: a "temporarily unavailable" page (503), not a bare 500.
    "clee.core.outage.DatabaseOutageMiddleware",
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
                # The sign-in page's demo accounts (clee.accounts knows nothing of the demo).
                "clee.demo.context.demo_accounts",
                "clee.security.context.security",
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

# Rendered pages kept per session while their data is unchanged (clee.portals.pagecache): in
# each process's memory, never shared between processes or accounts.
CLEE_PAGE_CACHE = _flag("CLEE_PAGE_CACHE", True)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clee-default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "clee-pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CLEE_PAGE_CACHE_ENTRIES", "2000"))},
    },
}

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

# Seconds one roster or onboarding file may take to be read before it is refused (clee.imports.tables).
CLEE_IMPORT_READ_SECONDS = int(os.environ.get("CLEE_IMPORT_READ_SECONDS", "20"))

# The jurisdiction whose rule packs this deployment applies.
CLEE_JURISDICTION = os.environ.get("CLEE_JURISDICTION", "MO")
# Stale results (clee.compliance.outbox): officers a worker claims and recomputes at once, the
# seconds its claim lasts (a killed worker's batch is claimable again after it), and the most
# jobs one change enqueues (each takes batches until none is left: up to that many workers share
# a period's recompute).
CLEE_RECOMPUTE_BATCH = int(os.environ.get("CLEE_RECOMPUTE_BATCH", "1000"))
CLEE_RECOMPUTE_LEASE = int(os.environ.get("CLEE_RECOMPUTE_LEASE", "120"))
CLEE_RECOMPUTE_JOBS = int(os.environ.get("CLEE_RECOMPUTE_JOBS", "8"))

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
BEHIND_HTTPS_PROXY = _flag("CLEE_BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front that append the address they saw to X-Forwarded-For (nginx: 1): the client's
# address in the audit trail and the lockout records is the one the outermost of them saw.
CLEE_PROXY_COUNT = int(os.environ.get("CLEE_PROXY_COUNT", "1" if BEHIND_HTTPS_PROXY else "0"))

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HSTS from the application, on every HTTPS response (a year in production; the proxy need not
# add it): browsers then refuse plain HTTP to this host. 0 turns it off.
SECURE_HSTS_SECONDS = int(os.environ.get("CLEE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("CLEE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("CLEE_HSTS_PRELOAD", False)
# Plain HTTP redirected to HTTPS by the application too (usually the proxy's job).
SECURE_SSL_REDIRECT = _flag("CLEE_SSL_REDIRECT", False)

# Background jobs (docs/operations.md §3.4): django-tasks with its database backend; the
# worker is `manage.py db_worker`, the schedule is run by `manage.py run_scheduler`.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Seconds the scheduler sleeps between two looks at the schedule.
CLEE_SCHEDULER_INTERVAL = int(os.environ.get("CLEE_SCHEDULER_INTERVAL", "30"))
# Leases of running jobs (clee.jobs.leases): a worker renews the lease of the job it runs every
# CLEE_JOB_HEARTBEAT_SECONDS; a job whose lease is older than CLEE_JOB_LEASE_SECONDS lost its
# worker, and the recovery sweep runs it again (after CLEE_JOB_RETRY_SECONDS, doubling) until
# it has been tried CLEE_JOB_MAX_ATTEMPTS times, then marks it failed with the reason.
CLEE_JOB_HEARTBEAT_SECONDS = float(os.environ.get("CLEE_JOB_HEARTBEAT_SECONDS", "15"))
CLEE_JOB_LEASE_SECONDS = float(os.environ.get("CLEE_JOB_LEASE_SECONDS", "90"))
CLEE_JOB_RETRY_SECONDS = float(os.environ.get("CLEE_JOB_RETRY_SECONDS", "60"))
CLEE_JOB_MAX_ATTEMPTS = int(os.environ.get("CLEE_JOB_MAX_ATTEMPTS", "3"))
# How long one sender's claim on a batch of notices holds before another sender may take them
# (it is renewed while the batch is sent; it expires only when the sender died).
CLEE_NOTICE_CLAIM_SECONDS = float(os.environ.get("CLEE_NOTICE_CLAIM_SECONDS", "300"))
# /health/ready/ answers 503 when the oldest job ready to run has waited longer than this.
CLEE_READY_MAX_BACKLOG_SECONDS = float(os.environ.get("CLEE_READY_MAX_BACKLOG_SECONDS", "600"))

# --- The REST API (clee.api) ---------------------------------------------------------------

INSTALLED_APPS += ["rest_framework", "drf_spectacular"]
# Requests a token (or a signed-in officer) may make per period: "<count>/<second|minute|hour|day>".
# Counted in the database, so every web process shares the count (clee.api.throttling).
CLEE_API_RATE = os.environ.get("CLEE_API_RATE", "600/minute")
# Requests all the tokens of one provider or agency may make together, and how many live tokens
# one provider or agency may hold (more tokens must not mean more requests).
CLEE_API_ORG_RATE = os.environ.get("CLEE_API_ORG_RATE", "1200/minute")
CLEE_API_TOKENS_PER_ORG = int(os.environ.get("CLEE_API_TOKENS_PER_ORG", "10"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["clee.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["clee.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["clee.core.parsers.JsonParser"],
    "DEFAULT_PAGINATION_CLASS": "clee.api.pagination.Paging",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clee.api.errors.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CLEE API",
    "DESCRIPTION": (
        "Continuing law enforcement education records for training providers' and agencies' own systems: "
        "license lookups, courses, completion rosters, officers' compliance, an officer's own transcript."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clee.api.schema.closed_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CourseStatusEnum": "clee.providers.models.Course.Status",
        "ResultStatusEnum": "clee.compliance.models.ComplianceResult.Status",
        "SubmissionStatusEnum": "clee.api.models.RosterSubmission.Status",
    },
}

# --- Single sign-on and invitations (clee.sso) ----------------------------------------------

# Sign-in through the state's OpenID Connect provider ("MO Login", mozilla-django-oidc) beside
# local accounts. Off until a client is registered: CLEE_OIDC_CLIENT_ID and _SECRET, and either
# CLEE_OIDC_ISSUER (endpoints read from its discovery document on first use) or the endpoints
# themselves. Explicit endpoints win over discovered ones (docs/operations.md).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "clee.sso.backends.StateProviderBackend"]
CLEE_OIDC_PROVIDER_NAME = os.environ.get("CLEE_OIDC_PROVIDER_NAME", "MO Login")
CLEE_OIDC_ISSUER = os.environ.get("CLEE_OIDC_ISSUER", "")
CLEE_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("CLEE_OIDC_AUTHORIZATION_ENDPOINT", "")
CLEE_OIDC_TOKEN_ENDPOINT = os.environ.get("CLEE_OIDC_TOKEN_ENDPOINT", "")
CLEE_OIDC_USERINFO_ENDPOINT = os.environ.get("CLEE_OIDC_USERINFO_ENDPOINT", "")
CLEE_OIDC_JWKS_ENDPOINT = os.environ.get("CLEE_OIDC_JWKS_ENDPOINT", "")
CLEE_OIDC_END_SESSION_ENDPOINT = os.environ.get("CLEE_OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("CLEE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("CLEE_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("CLEE_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = int(os.environ.get("CLEE_OIDC_TIMEOUT", "10"))
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of RP-initiated logout
OIDC_CREATE_USER = False  # accounts are linked to officers by clee.sso.services, never guessed
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_CALLBACK_CLASS = "clee.sso.views.CallbackView"
OIDC_AUTHENTICATE_CLASS = "clee.sso.views.StartView"
OIDC_OP_LOGOUT_URL_METHOD = "clee.sso.provider.end_session_url"
# Onboarding invitations: days a link stays valid; license confirmations allowed a day.
CLEE_INVITATION_DAYS = int(os.environ.get("CLEE_INVITATION_DAYS", "14"))
CLEE_SSO_CONFIRM_ATTEMPTS = int(os.environ.get("CLEE_SSO_CONFIRM_ATTEMPTS", "5"))
# The site's address in invitation emails when sent outside a request (a command, a job).
CLEE_SITE_URL = os.environ.get("CLEE_SITE_URL", "")


# --- Account security: MFA, lockout, sessions, passwords (clee.security) ---------------------

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
]
# django-otp marks the session's second factor on request.user (after authentication); the
# session limits run before the MFA gate, so an expired session signs out rather than asks for a
# code; axes turns a lockout into its page, last so it sees the sign-in view's response.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "clee.security.middleware.SessionLimitMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("clee.security.middleware.SessionLimitMiddleware") + 1,
    "clee.security.middleware.MfaRequiredMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# The lockout check comes before every backend that checks a password.
AUTHENTICATION_BACKENDS = ["clee.security.backends.LockoutBackend", *AUTHENTICATION_BACKENDS]

# MFA: required for POST staff, the Director, agency administrators and providers (and anyone
# with back-office rights). Optional by default only in demo mode (a shared demo account must not
# be locked to the first visitor's phone); whoever has enrolled is always asked.
CLEE_MFA_REQUIRED = _flag("CLEE_MFA_REQUIRED", not DEMO_MODE)
OTP_TOTP_ISSUER = os.environ.get("CLEE_MFA_ISSUER", f"{CLEE_JURISDICTION} POST CLEE")
# Passkeys as a second factor only (never instead of the password), for this site's host name:
# by default the first allowed host in production (over HTTPS), localhost in development (a
# browser makes passkeys for http://localhost, never for http://127.0.0.1).
OTP_WEBAUTHN_RP_ID = os.environ.get(
    "CLEE_WEBAUTHN_RP_ID", ALLOWED_HOSTS[0] if PRODUCTION and ALLOWED_HOSTS else "localhost"
)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o
    for o in os.environ.get(
        "CLEE_WEBAUTHN_ORIGINS", f"https://{OTP_WEBAUTHN_RP_ID}" if PRODUCTION else "http://localhost:8000"
    ).split(",")
    if o
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Lockout (django-axes): 5 failed sign-ins of one username within 15 minutes lock that username
# for 15 minutes from the last failure, from every address; further tries during the lockout do
# not extend it. By username, not address: agencies sign in from shared addresses. The lock holds
# on every way in (single sign-on, the account's API tokens, its open sessions: clee.accounts.lockout)
# and is lifted by time or by an operator (manage.py lockout_lift).
AXES_FAILURE_LIMIT = int(os.environ.get("CLEE_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("CLEE_LOCKOUT_MINUTES", "15")) / 60  # in hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# A successful sign-in does not wipe the failures before it: they still count toward a lock
# within the window, and they stay in the audit trail (auth.sign_in_failed) for good.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "clee.security.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "clee.core.where.client_ip"
AXES_VERBOSE = False
# axes warns that a lockout without the address can be dodged by changing user agent: not so
# by username alone, which counts every failure of the name (tests/security/test_lockout.py).
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "axes.W006"]

# Sessions end after this long without a request, and this long after signing in in any case.
CLEE_SESSION_IDLE_MINUTES = int(os.environ.get("CLEE_SESSION_IDLE_MINUTES", "30"))
CLEE_SESSION_MAX_HOURS = int(os.environ.get("CLEE_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = CLEE_SESSION_MAX_HOURS * 3600

# Passwords per NIST SP 800-63B rev. 4 (§3.1.1.2): at least 15 characters, since officers sign
# in with a password alone; any characters, spaces included, with no upper limit; no
# composition rules, no forced change; refused when on the common-password list shipped with
# Django, made mostly of the site's name or the person's own (containing the license number), or
# guessable from the breached and common passwords and patterns of zxcvbn (no network).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("CLEE_PASSWORD_MIN_LENGTH", "15"))},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "clee.security.passwords.ContextWordsValidator"},
    {"NAME": "clee.security.passwords.BreachedPasswordValidator"},
]

# --- People and accounts (clee.people) --------------------------------------------------------

# Invitations for agencies' and providers' people and POST staff (valid CLEE_INVITATION_DAYS, as
# officers' invitations), an officer's own sign-up, password reset and email change by email.
INSTALLED_APPS += ["clee.people"]
# A password reset link (Django's flow) works once, for this many minutes.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("CLEE_PASSWORD_RESET_MINUTES", "60")) * 60
# An officer's sign-up link and an email change's confirmation link: hours they stay valid.
CLEE_SIGNUP_LINK_HOURS = int(os.environ.get("CLEE_SIGNUP_LINK_HOURS", "24"))
CLEE_EMAIL_CHANGE_HOURS = int(os.environ.get("CLEE_EMAIL_CHANGE_HOURS", "24"))
# Emailed-link requests (password reset, officer sign-up) allowed per email address or license
# number: the sign-in lockout's numbers (CLEE_LOCKOUT_FAILURES in CLEE_LOCKOUT_MINUTES); and per
# client address in an hour, whatever was asked.
CLEE_LINK_REQUESTS_PER_CLIENT_HOUR = int(os.environ.get("CLEE_LINK_REQUESTS_PER_CLIENT_HOUR", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLEE_LOG_LEVEL", "INFO")},
}


# --- Verifiable credentials and same-day attendance (clee.credentials, clee.attendance) --------

INSTALLED_APPS += ["clee.credentials", "clee.attendance"]
# The private halves of the keys credentials are signed with: files outside the database,
# written by `manage.py credential_keys generate` (docs/operations.md §8). Credentials name the
# site by CLEE_SITE_URL (their issuer is its did:web), so set it to the public address.
CLEE_CREDENTIAL_KEYS_DIR = Path(os.environ.get("CLEE_CREDENTIAL_KEYS_DIR", VAR_DIR / "credential-keys"))
CLEE_PROGRAM_NAME = os.environ.get("CLEE_PROGRAM_NAME", "Missouri POST Program")
# The rule the core curricula areas of a course credential are aligned to.
CLEE_RULES_URL = os.environ.get(
    "CLEE_RULES_URL", "https://www.sos.mo.gov/cmsimages/adrules/csr/current/11csr/11c75-15.pdf"
)
# The QR decoder of the verification page (a photo of a credential's QR code).
STATICFILES_DIRS += [("jsqr", NODE_MODULES / "jsqr" / "dist")]
# An attendance session's QR code changes every CLEE_ATTENDANCE_CODE_SECONDS; a code is taken
# for CLEE_ATTENDANCE_CODE_GRACE seconds more (time to sign in on the phone and press the button).
CLEE_ATTENDANCE_CODE_SECONDS = int(os.environ.get("CLEE_ATTENDANCE_CODE_SECONDS", "30"))
CLEE_ATTENDANCE_CODE_GRACE = int(os.environ.get("CLEE_ATTENDANCE_CODE_GRACE", "90"))
