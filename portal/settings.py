"""The portal's one settings file: everything that varies comes from the environment.

Development: DJANGO_DEBUG=true and nothing else.
Production: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and usually DATABASE_URL.
A malformed value stops the process with ImproperlyConfigured rather than being guessed.
"""

import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local development set DJANGO_DEBUG=true)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal",
    "education",
    # The admin with our site class: staff need a second factor (portal/admin_site.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Where she is signed in (browser, address, since when) and "Sign out everywhere else".
    "allauth.usersessions",
    "axes",
    # The task queue in the database: `manage.py db_worker` runs what is enqueued.
    "django_tasks_db",
    # Django's widget templates for the project's template engine (FORM_RENDERER).
    "django.forms",
]

# Everything above WhiteNoise also wraps static files, so they carry the same headers.
MIDDLEWARE = [
    "portal.middleware.ClientAddressMiddleware",
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML (static files are precompressed by WhiteNoise, above). BREACH: the
    # CSRF token is masked afresh in every response, Django pads each gzip response with
    # random bytes, and the SameSite=Lax session cookie is not sent on cross-site
    # subresource requests; see bench/README.md, "Compression".
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.HtmxSignInRedirectMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    # Whose diary: after sign-in, sessions, messages and the timeout (request.patient).
    "portal.middleware.ClinicianSecondStepMiddleware",
    "portal.middleware.DiaryOfMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
# What the portal adds to a Learn section page for a signed-in patient, as URL names that
# education's view reverses (it imports no portal code): the diary's activity for the section
# (takes its pk) and a new question about it (gets ?section=<pk>).
EDUCATION_SECTION_ACTIVITY_URL = "diary:section_activity"
EDUCATION_SECTION_QUESTION_URL = "questions:question_create"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.session_timeout",
                "portal.context_processors.layout",
                "portal.context_processors.clinic_contacts",
                "education.web.partial_flag",
            ],
            # {% load devices %}: "Firefox on Windows" from a user agent (ua-parser).
            "libraries": {"devices": "portal.account.devices"},
        },
    },
]
# Forms render with the engine above, so a widget can use a template in templates/ (the
# diary filter's list of symptoms: portal.widgets.LongSelect).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite by default (no setup); PostgreSQL when DATABASE_URL names one.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 600)
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            )
        }
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait for
                # the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every worker process: sign-in rate limits and the record of used one-time codes
# (a TOTP code accepted by one worker must be refused by all). Create it with
# `manage.py createcachetable` after migrate; the test runner does it by itself.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.account.passwords.RepetitiveOrSequentialValidator"},
]

# Argon2id first; older hashes are upgraded when their owner next signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Accounts: django-allauth (email + password, confirmed email) with allauth.mfa (TOTP and
# recovery codes); django-axes throttles failed sign-ins per account and address.
AUTHENTICATION_BACKENDS = [
    "portal.account.throttling.ThrottledBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Patient portal: "  # no diagnosis in an inbox list
# Tell the patient by email when their password or two-step sign-in changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Reset links work for an hour, once.
PASSWORD_RESET_TIMEOUT = 60 * 60
ACCOUNT_SIGNUP_REDIRECT_URL = "my_account:overview"
# allauth's forms in plain words: an error per field that says what to enter.
ACCOUNT_FORMS = {
    name: f"portal.account.forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "reauthenticate": "ReauthenticateForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "add_email": "AddEmailForm",
    }.items()
}
ACCOUNT_ADAPTER = "portal.account.adapter.AccountAdapter"
# Failed passwords: django-axes alone decides, pausing an account+address pair after a few
# (below), so no address can lock a patient out of another. allauth's "login_failed" limit
# guards authenticator codes only (the adapter skips it for passwords): per address, and per
# account from any address, which only someone who has the password can reach.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/15m/ip,20/h/key"}
# Comma-separated codes from the clinic; when set, sign-up needs one of them.
PORTAL_SIGNUP_INVITATION_CODES = env_list("PORTAL_SIGNUP_INVITATION_CODES", [])
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("PORTAL_TOTP_ISSUER", "MBC Portal")
MFA_RECOVERY_CODE_COUNT = 10
MFA_ADAPTER = "portal.account.adapter.MFAAdapter"
MFA_FORMS = {
    "authenticate": "portal.account.forms.AuthenticateForm",
    "reauthenticate": "portal.account.forms.MfaReauthenticateForm",
    "activate_totp": "portal.account.forms.ActivateTOTPForm",
}
# Ending her other sessions is audited (portal/account/adapter.py). No activity tracking:
# it would write on every request; SessionTimeoutMiddleware already knows who is idle.
USERSESSIONS_ADAPTER = "portal.account.adapter.UserSessionsAdapter"
USERSESSIONS_TRACK_ACTIVITY = False

AXES_FAILURE_LIMIT = env_int("PORTAL_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.account.throttling.axes_username"
AXES_LOCKOUT_CALLABLE = "portal.account.throttling.signin_blocked"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "oldpassword", "code"]
AXES_VERBOSE = False
# Our audit trail records sign-ins by account id; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True

# How many trusted proxies add themselves to X-Forwarded-For in front of the portal; the
# client address (for throttling and the audit trail) is the one the outermost one saw.
PORTAL_PROXY_COUNT = env_int(
    "DJANGO_PROXY_COUNT", 1 if env_bool("DJANGO_BEHIND_PROXY", False) else 0
)

# Automatic sign-out, enforced on the server by portal.middleware.SessionTimeoutMiddleware.
PORTAL_IDLE_TIMEOUT = timedelta(minutes=env_int("PORTAL_IDLE_TIMEOUT_MINUTES", 15, minimum=1))
PORTAL_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("PORTAL_ABSOLUTE_TIMEOUT_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(PORTAL_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Messages ("Saved in your diary.") in a cookie with the session cookie's prefix and flags.
MESSAGE_STORAGE = "portal.message_storage.MessageStorage"

# The admin lives away from the default path; it also needs a second factor.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "staff-admin/").strip("/") + "/"
if ADMIN_PATH in {"/", "admin/"}:
    raise ImproperlyConfigured("DJANGO_ADMIN_PATH must be set to a path other than admin/.")

# Email: the console in development, SMTP from the environment in production.
# The sender's name shows in every inbox: it says "patient portal", never the diagnosis.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Patient portal <no-reply@localhost>"
)
SMTP_HOST = os.environ.get("DJANGO_SMTP_HOST", "").strip()
# Development only: each message as a file in this folder (`make run` uses .mail/), so the
# worker's reminders can be read; unset, they print on the console.
DEV_MAIL_FOLDER = os.environ.get("DJANGO_EMAIL_FILE_PATH", "").strip()
if DEV_MAIL_FOLDER and not DEBUG:
    raise ImproperlyConfigured("DJANGO_EMAIL_FILE_PATH is for development (DJANGO_DEBUG=true).")
if DEBUG and not SMTP_HOST and DEV_MAIL_FOLDER:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": DEV_MAIL_FOLDER},
        }
    }
elif DEBUG and not SMTP_HOST:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST or "localhost",
                "port": env_int("DJANGO_SMTP_PORT", 587, minimum=1),
                "username": os.environ.get("DJANGO_SMTP_USERNAME", ""),
                "password": os.environ.get("DJANGO_SMTP_PASSWORD", ""),
                "use_tls": env_bool("DJANGO_SMTP_STARTTLS", True),
                "timeout": env_int("DJANGO_SMTP_TIMEOUT", 20, minimum=1),
            },
        }
    }


def base_url(raw: str | None) -> str:
    """Where the portal is reached from outside (the links in emails the worker sends, which
    has no request to read the host from): scheme and host, no path. Unset, it is
    https://<the first of DJANGO_ALLOWED_HOSTS> in production."""
    if raw is None or not raw.strip():
        if DEBUG:
            return "http://127.0.0.1:8000"
        host = ALLOWED_HOSTS[0]
        if host.startswith(".") or "*" in host:
            raise ImproperlyConfigured(
                "PORTAL_BASE_URL must be set when the first of DJANGO_ALLOWED_HOSTS is a pattern."
            )
        return f"https://{host}"
    parsed = urlsplit(raw.strip())
    if (
        parsed.scheme not in {"http", "https"}
        or not parsed.hostname
        or parsed.path not in {"", "/"}
        or parsed.query
        or parsed.fragment
    ):
        raise ImproperlyConfigured(
            f"PORTAL_BASE_URL must be a scheme and host such as https://portal.example.org, "
            f"not {raw!r}."
        )
    if not DEBUG and parsed.scheme != "https":
        raise ImproperlyConfigured(f"PORTAL_BASE_URL must use https in production, not {raw!r}.")
    return f"{parsed.scheme}://{parsed.netloc}"


PORTAL_BASE_URL = base_url(os.environ.get("PORTAL_BASE_URL"))

# Background tasks (reminder emails) are rows in the database; `manage.py db_worker` runs
# them and `manage.py run_scheduler` enqueues the reminders that fall due (README,
# "Reminders and the worker").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production; plain finders in development and tests,
    # so a test run needs no collectstatic (CI runs collectstatic separately).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"  # sent by portal.middleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: Secure, Path=/ and no Domain, so no other host can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("DJANGO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def client_error_in_one_line(record: logging.LogRecord) -> bool:
    """Django logs a 4xx it made from an exception (a body it cannot decode, a bad host)
    with the traceback; the message already says what the request did wrong."""
    if 400 <= getattr(record, "status_code", 0) < 500:
        record.exc_info = None
        record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_error_in_one_line": {
            "()": "django.utils.log.CallbackFilter",
            "callback": client_error_in_one_line,
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_error_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Request lines can carry query strings; keep Django's own request logging at warnings.
    # axes logs email addresses at INFO and WARNING; the audit trail records the same
    # events by account id.
    "loggers": {"django.request": {"level": "WARNING"}, "axes": {"level": "ERROR"}},
}
