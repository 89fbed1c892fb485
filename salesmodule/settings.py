"""Settings of the Sales Module, read from the environment (see README, 'Environment')."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from .config import database_config, fail, redis_url, trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
try:
    DEBUG = env.bool("DEBUG", default=False)
except Exception:
    fail(f"DEBUG must be true or false (got {env.str('DEBUG')!r})")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        fail("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "settings_app.apps.SalesAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tables2",
    "axes",
    "settings_app.apps.SettingsAppConfig",
    "crm",
    "vacancies",
    "trajects",
    "leads",
    "quotes",
    "board",
    "followups",
    "reports",
    "workflows",
    "salesmodule",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "salesmodule.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "salesmodule.urls"
WSGI_APPLICATION = "salesmodule.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "settings_app.context_processors.sales_roles",
                "settings_app.context_processors.user_preferences",
                "followups.context_processors.task_badge",
            ],
        },
    },
]

DATABASES = {"default": database_config(env, VAR_DIR / "salesmodule.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a kept connection is checked before reuse
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The covering indexes' INCLUDE columns are PostgreSQL's; SQLite just uses the key.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# On two cores parallel workers slow the web's small queries (PERFORMANCE.md 8): off for web
# connections; a worker that runs the statistics sets DB_PARALLEL_QUERY=1.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not env.bool(
    "DB_PARALLEL_QUERY", default=False
):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather=0"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account before the check
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "trajects:list"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failed logins for an account from one address lock that
# account at that address for 15 minutes, counted from the 5th failure; a key-user unlocks it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "salesmodule.login_throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "salesmodule.login_throttling.client_ip_address"
# The TLS proxy's addresses: only from them is X-Forwarded-For believed (README, 'Environment').
TRUSTED_PROXIES = trusted_proxies(env)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["salesmodule.formats"]  # one date notation per language, shown and typed
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sales@example.com")
# Where the product is reached, for links in e-mails (the task digest's "Mijn taken").
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A quote of 100 lines posts ~510 fields; room for 1,000 lines lets an oversized quote get the
# form's own message ("hooguit 100 regels") instead of a bare 400 from the request parser.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5200

# Celery: with REDIS_URL absent tasks run eagerly in-process, so nothing needs Redis.
REDIS_URL = redis_url(env)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["trajects-purge-deleted"] = {  # the recycle bin's 30 days (issue 5)
    "task": "trajects.purge_deleted",
    "schedule": 24 * 60 * 60,
}
# Price-range statistics: every Sunday at 03:00 (README, 'Scheduled jobs').
CELERY_BEAT_SCHEDULE["trajects-statistics-weekly"] = {
    "task": "trajects.statistics_regenerate",
    "schedule": crontab(minute=0, hour=3, day_of_week="sunday"),
}
# Exports: a day's downloads of background exports, expired ones removed daily (issue 12).
CELERY_BEAT_SCHEDULE["trajects-exports-purge"] = {
    "task": "trajects.exports_purge",
    "schedule": 24 * 60 * 60,
}
# Follow-up tasks: each morning one e-mail per person with overdue or today's tasks (issue 15).
CELERY_BEAT_SCHEDULE["followups-task-digest"] = {
    "task": "followups.task_digest_send",
    "schedule": crontab(minute=0, hour=7),
}
# Workflows (workflows.celery): a task not acknowledged this many seconds after delivery goes
# to another worker (a killed worker's workflow comes back in minutes); a failing action is
# tried this many times, waiting WORKFLOW_RETRY_DELAY × 2^n seconds between tries.
WORKFLOW_VISIBILITY_TIMEOUT = env.int("WORKFLOW_VISIBILITY_TIMEOUT", default=300)
WORKFLOW_MAX_RETRIES = env.int("WORKFLOW_MAX_RETRIES", default=4)
WORKFLOW_RETRY_DELAY = env.float("WORKFLOW_RETRY_DELAY", default=30.0)
# Tests only: a workflow holds after each action while this file exists.
WORKFLOW_TEST_PAUSE_FILE = env.str("WORKFLOW_TEST_PAUSE_FILE", default="")
# An export of more rows than this is written by a Celery worker, with a progress page.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=100_000)
# A regeneration waits this long for a running one before its task retries.
STATISTICS_LOCK_TIMEOUT = env.float("STATISTICS_LOCK_TIMEOUT", default=600.0)
# Tests only: a regeneration holds before its swap while this file exists.
STATISTICS_TEST_PAUSE_FILE = env.str("STATISTICS_TEST_PAUSE_FILE", default="")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
