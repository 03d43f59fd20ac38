"""Alongside settings: read only from environment variables (see docs/settings.md).

`ENVIRONMENT=production` turns on the production safeguards: it refuses to start without
SECRET_KEY, ENCRYPTION_KEYS and ALLOWED_HOSTS, and enables HTTPS-only cookies, HSTS and the
HTTPS redirect. The default, `development`, runs on a bare machine: SQLite, in-memory channel
layer and cache, console e-mail, and secrets generated once into DATA_DIR.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from alongside.core.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SRC_DIR = BASE_DIR / "src" / "alongside"

ENVIRONMENT = env_str("ENVIRONMENT", "development").lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"ENVIRONMENT must be 'development' or 'production' (got {ENVIRONMENT!r}).")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))


def _private_data_dir() -> Path:
    """DATA_DIR, created readable by its owner only: it holds the database and the secrets."""
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    return DATA_DIR


def _private_file(path: Path) -> str:
    """Create the file readable by its owner only (SQLite gives its -wal and -shm files the same mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    return str(path)


def _development_secrets() -> dict[str, str]:
    """Generate once and keep in DATA_DIR, so sessions and encrypted data survive restarts."""
    path = DATA_DIR / "development-secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    _private_data_dir()
    values = {"SECRET_KEY": secrets.token_urlsafe(50), "ENCRYPTION_KEY": Fernet.generate_key().decode()}
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


SECRET_KEY = env_str("SECRET_KEY")
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS")
if PRODUCTION:
    missing = [name for name, value in [("SECRET_KEY", SECRET_KEY), ("ENCRYPTION_KEYS", ENCRYPTION_KEYS)] if not value]
    if missing:
        raise ImproperlyConfigured(f"ENVIRONMENT=production needs {' and '.join(missing)} to be set.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
elif not SECRET_KEY or not ENCRYPTION_KEYS:
    _dev = _development_secrets()
    SECRET_KEY = SECRET_KEY or _dev["SECRET_KEY"]
    ENCRYPTION_KEYS = ENCRYPTION_KEYS or [_dev["ENCRYPTION_KEY"]]
for _key in ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS must be a comma-separated list of Fernet keys (32 url-safe base64 bytes), newest first."
        ) from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ENVIRONMENT=production needs ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "Alongside")
# Whether people who are not logged in may read open ("public") communities. Off by default:
# people write about their health here, and search engines would index it.
OPEN_COMMUNITIES_READABLE_SIGNED_OUT = env_bool("OPEN_COMMUNITIES_READABLE_SIGNED_OUT", False)
# The only title a page has in discreet mode (tabs, history, bookmarks): nothing about what is read.
DISCREET_TITLE = env_str("DISCREET_TITLE", "Notes")
# The address people reach the site at, for links in e-mails (sent by the task worker, outside any request).
SITE_URL = (
    env_url("SITE_URL", schemes=("https", "http"))
    or (f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
).rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "alongside.core",
    "alongside.accounts",
    "alongside.safety",
    "alongside.communities",
    "alongside.notifications",
    "alongside.chat",
    "alongside.moderation",
    "alongside.selfcare",
    "alongside.outcomes",
]
if not PRODUCTION:
    INSTALLED_APPS.append("alongside.demo")  # demo accounts and communities: never on a production server

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out compressed to clients that accept it (a 50-reply thread: ~120 KB -> ~7 KB). Django
    # masks the CSRF token anew in every response and pads gzip output at random (BREACH defences).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "alongside.accounts.middleware.StaffTwoFactorMiddleware",
    "alongside.core.middleware.ProtectiveHeadersMiddleware",
    "alongside.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "alongside.urls"
ASGI_APPLICATION = "alongside.asgi.application"
WSGI_APPLICATION = "alongside.wsgi.application"
# Threads that serve HTTP requests inside each uvicorn process (asgi.py).
HTTP_THREADS = env_int("HTTP_THREADS", 4, minimum=1, maximum=64)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alongside.core.context_processors.site",
                "alongside.notifications.context_processors.unread_count",
                "alongside.safety.context_processors.responders",
            ],
        },
    },
    {
        # Only for hot fragments repeated many times on a page (a thread's posts), from <app>/jinja2/.
        # Jinja's own environment: the wording arrives translated, URLs built, in the context.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    # CONN_MAX_AGE=0: persistent connections under ASGI exhausted PostgreSQL here (DESIGN.md).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=False)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _private_file(_private_data_dir() / "alongside.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", False):
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": env_int("DATABASE_POOL_SIZE", 10, minimum=1)}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, rate limits -------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "alongside"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process: pushes go through memory. Room for bursts: a full queue drops pushes, and the
    # sockets then catch up from the database (correct, but slower).
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}

# --- Accounts and authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "/welcome/"  # a new member's first page (communities:welcome)
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "alongside.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "alongside.accounts.forms.LoginForm",
    "signup": "alongside.accounts.forms.SignupForm",
    "reset_password": "alongside.accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
# The recovery e-mail is ours (User.email, encrypted, found by a keyed digest), not allauth's
# EmailAddress table, which would keep it readable and tell whether an address is in use.
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "alongside.accounts.validators.PSEUDONYM_VALIDATORS"
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_USER_DISPLAY = "alongside.accounts.selectors.user_display_name"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Log-in throttling and lockout: 5 failed attempts for one pseudonym lock it for 15 minutes;
# 20 failures a minute from one address are refused. Counters live in the cache (Redis in production).
# The client's address for rate limits: REMOTE_ADDR (uvicorn's --proxy-headers sets it from
# X-Forwarded-For for the proxies in FORWARDED_ALLOW_IPS), or, when TRUSTED_PROXY_COUNT is above 0,
# the address that many trusted proxies back in X-Forwarded-For (for gunicorn, which leaves
# REMOTE_ADDR as the proxy's). Either way one proxy never puts everyone in one bucket.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "20/m/ip,5/15m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "feedback": env_str("FEEDBACK_RATE_LIMIT", "5/h/ip"),  # the anonymous form (moderation app)
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_ADAPTER = "alongside.accounts.adapter.MFAAdapter"
# API bearer tokens end after this many days (and at once when the password or the role changes).
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30, minimum=1, maximum=365)

# --- Background tasks ---------------------------------------------------------------------
# Mail, timers and scans run in the task worker (`python manage.py db_worker`, started by
# `make run`), never inside a request. The queue is a table in the same database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Live support chat (docs/chat-protocol.md) --------------------------------------------------
# A request nobody has answered after this many seconds is offered other help; it stays in the queue.
CHAT_REQUEST_UNANSWERED_AFTER = env_int("CHAT_REQUEST_UNANSWERED_AFTER", 300, minimum=10)
# "Talk to X again": seconds the request waits for that listener alone before anyone may take it.
CHAT_PREFERRED_LISTENER_WAIT = env_int("CHAT_PREFERRED_LISTENER_WAIT", 120, minimum=0)
# Seconds after a listener's last desk closes before they are taken offline (a reload is not leaving).
CHAT_LISTENER_GRACE = env_int("CHAT_LISTENER_GRACE", 60, minimum=1)
# At most this many messages per person in any window of this many seconds (across servers with Redis).
CHAT_RATE_LIMIT = env_int("CHAT_RATE_LIMIT", 30, minimum=1)
CHAT_RATE_WINDOW = env_int("CHAT_RATE_WINDOW", 10, minimum=1)
# A listener whose last CHAT_COACHING_WINDOW ratings (at least CHAT_COACHING_MIN_RATINGS) average
# under the threshold is flagged to administrators for coaching.
CHAT_COACHING_WINDOW = 10
CHAT_COACHING_MIN_RATINGS = 3
CHAT_COACHING_THRESHOLD = 3.0
# How long a long-poll (the chat's fallback when WebSockets are blocked) waits for news, in seconds.
CHAT_LONG_POLL_SECONDS = env_int("CHAT_LONG_POLL_SECONDS", 25, minimum=1)

# --- Safety: risk events and responders (docs/safety.md) ------------------------------------------
# An unacknowledged crisis event alerts every on-duty responder again after this many minutes,
# at most SAFETY_REALERT_MAX more times.
SAFETY_REALERT_MINUTES = env_int("SAFETY_REALERT_MINUTES", 5, minimum=1)
SAFETY_REALERT_MAX = env_int("SAFETY_REALERT_MAX", 6, minimum=0)
# "I'm worried about this person": at most this many per member in any 24 hours.
SAFETY_WORRY_REPORTS_PER_DAY = env_int("SAFETY_WORRY_REPORTS_PER_DAY", 5, minimum=1)

# --- Moderation -----------------------------------------------------------------------------
# Reports per member per hour (more are refused kindly), and the anonymous form at /feedback/:
# at most FEEDBACK_RATE_LIMIT from one address (allauth's rate syntax), and an address people can
# also write to, shown beside the form when set.
MODERATION_REPORTS_PER_HOUR = env_int("MODERATION_REPORTS_PER_HOUR", 10, minimum=1)
# After this many upsetting items (self-harm, suicide, violence, abuse) in a day, the review queue
# suggests the moderator take a break.
MODERATION_BREAK_AFTER = env_int("MODERATION_BREAK_AFTER", 15, minimum=1)
# A moderator's claim on a queue item holds this many minutes (then anyone may take it over); an
# item nobody has decided re-alerts its moderators (and, from the second time, site moderators)
# every MODERATION_REALERT_MINUTES, at most MODERATION_REALERTS times (task worker).
MODERATION_CLAIM_MINUTES = env_int("MODERATION_CLAIM_MINUTES", 30, minimum=1)
MODERATION_REALERT_MINUTES = env_int("MODERATION_REALERT_MINUTES", 60, minimum=1)
MODERATION_REALERTS = env_int("MODERATION_REALERTS", 3, minimum=0)
FEEDBACK_CONTACT_EMAIL = env_str("FEEDBACK_CONTACT_EMAIL", "")

# --- Outcomes --------------------------------------------------------------------------------------
# Clinicians see the program outcomes dashboard (anonymous totals) too, when the operator allows it.
OUTCOMES_FOR_CLINICIANS = env_bool("OUTCOMES_FOR_CLINICIANS", False)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
# Our own words for some of our libraries' strings ("Log in", never "Sign In"): see locale/en.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not env_bool("STATIC_FROM_SOURCE", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when not collected (tests, DEBUG).
WHITENOISE_USE_FINDERS = DEBUG or env_bool("STATIC_FROM_SOURCE", False)

# --- Security ---------------------------------------------------------------------------------
# Sessions live in the database and are read through the cache, so a signed-in page costs no
# session query, but only where every process shares that cache: Redis, or development's single
# process. A production site without Redis may run several workers (gunicorn --workers), each
# with its own memory cache; one that missed a log-out would keep the session alive, so there
# every request reads the database.
_SHARED_CACHE = bool(REDIS_URL) or not PRODUCTION
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if _SHARED_CACHE else "db")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=300)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page needs these powerful features; a page that tried would be refused by the browser.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "serial", "usb",
    )
)  # fmt: skip
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Product ----------------------------------------------------------------------------------
# Where "Quick exit" sends someone: a neutral, everyday site.
QUICK_EXIT_URL = env_url("QUICK_EXIT_URL", schemes=("https", "http")) or "https://www.bbc.co.uk/weather"
# Content screening: the checks every piece of user content passes before it is saved.
SCREENING_PIPELINE = [
    "alongside.core.screening.blocked_terms_check",
    "alongside.safety.screening.crisis_check",
    "alongside.moderation.rules.rules_check",  # after the crisis check: it reads its level
    "alongside.moderation.trust.first_post_check",  # a new account's first post, where asked
]
# The crisis classifier's model layer (docs/safety.md). Off, or when its files fail their pinned
# hashes, the pattern layer answers alone and /healthz says "degraded".
SAFETY_MODEL_ENABLED = env_bool("SAFETY_MODEL_ENABLED", True)
SAFETY_MODEL_THREADS = env_int("SAFETY_MODEL_THREADS", 1, minimum=1, maximum=8)
# Checks /healthz runs beside the database and Redis: name -> a function returning {"ok": bool, ...}.
HEALTH_CHECKS = {
    "safety_model": "alongside.safety.classifier.health",
    "toxicity_model": "alongside.moderation.toxicity.model.health",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
