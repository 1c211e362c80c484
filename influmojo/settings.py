"""Influmojo settings: one module, every value from the environment with a safe local default.

Locally (`make run`) nothing needs to be set: SQLite, in-memory channel layer, eager Celery, local
media, console e-mail, locmem cache, sandbox payments, deterministic AI fallback. Production turns
on the real engines by setting DATABASE_URL, REDIS_URL, AWS_STORAGE_BUCKET_NAME, … (see .env.example).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
TESTING = env.bool("INFLUMOJO_TESTING", default=False)

# Secrets have no default when DEBUG is off: a production process without them refuses to start.
SECRET_KEY = env.str("DJANGO_SECRET_KEY") if not DEBUG else env.str(
    "DJANGO_SECRET_KEY", default="django-insecure-local-only-3c1f0b8e6d2a4f7e9b5c"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` serves ASGI (websockets) in development
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "storages",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.mfa",
    "allauth.headless",
    "accounts",
    "creators",
    "brands",
    "campaigns",
    "orders",
    "chat",
    "payments",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "influmojo.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "influmojo.urls"
WSGI_APPLICATION = "influmojo.wsgi.application"
ASGI_APPLICATION = "influmojo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Threads for the websocket consumers' database work in each ASGI process (influmojo.socket_db); 1 is channels' one
# shared thread. SQLite keeps 1 (its writers lock the file); each thread holds a connection of its own.
_ON_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
SOCKET_DB_THREADS = 1 if _ON_SQLITE else env.int("SOCKET_DB_THREADS", default=4)
# How long (ms) a thread that wants the GIL waits before it asks the running one to let go (Python's default: 5). In
# an ASGI process the worker threads above release the GIL at every round trip to PostgreSQL and wait that long to
# get it back from a busy event loop: at 200 messages/s a send (7 round trips) took 5-13 ms in its thread, 3-4 ms
# at 0.5 (bench/README.md, "Websocket benchmark", which also has what pages pay for it: a little of their tail).
# Set by influmojo.asgi, so only ASGI processes have it.
SOCKET_SWITCH_INTERVAL_MS = env.float("SOCKET_SWITCH_INTERVAL_MS", default=0.5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # channels_redis's pub/sub layer (with influmojo.channel_layer's batched group sends): a group_send is one PUBLISH
    # whatever the group's size, and each process reads what its sockets' groups get on one subscribed connection.
    # The older list-based layer (channels_redis.core) took four round trips per group_send and one blocking pop per
    # delivered event; at 1,000 sockets it delivered a third of the messages per second (bench/README.md). Nothing is kept for a process that is gone: the database
    # is the source of truth, and clients resync (`?after=`).
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "influmojo.channel_layer.PubSubChannelLayer",
                    "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}]}}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery (every background and periodic job) ------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Tasks take ids and are idempotent, so a task lost with its worker is simply run again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}  # each app's section below adds its periodic jobs

# --- Files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "influmojo.static_storage.StaticStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Influmojo <hello@influmojo.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth (django-allauth for web and mobile) ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*"]  # phone optional; adds the web phone pages
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Influmojo] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Per-action limits; allauth keeps the counters in the cache (Redis in production).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "change_phone": "3/m/user",
    "verify_phone": "1/30s/key,5/m/ip",  # sending a code to one number: once per 30 s
}
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = env.int("PHONE_OTP_TIMEOUT_SECONDS", default=10 * 60)
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}

SOCIALACCOUNT_AUTO_SIGNUP = False  # a new Google user still chooses brand or creator
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "APPS": (
            [{"client_id": GOOGLE_CLIENT_ID, "secret": env.str("GOOGLE_CLIENT_SECRET", default="")}]
            if GOOGLE_CLIENT_ID
            else []
        ),
    }
}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Influmojo"

HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = True
# allauth's own spec page loads from a CDN; ours points to /api/docs/, whose schema includes allauth's routes.
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "api_docs_moved.html"
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.jwt.JWTTokenStrategy"
HEADLESS_ADAPTER = "accounts.adapters.HeadlessAdapter"
# Stateful validation looks the session up on every request: logout and suspension take effect at once.
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env.int("JWT_ACCESS_TOKEN_SECONDS", default=15 * 60)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env.int("JWT_REFRESH_TOKEN_SECONDS", default=30 * 24 * 3600)
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{SITE_URL}/accounts/confirm-email/{{key}}/",
    "account_reset_password_from_key": f"{SITE_URL}/accounts/password/reset/key/{{key}}/",
    "account_signup": f"{SITE_URL}/accounts/signup/",
}


def _jwt_private_key() -> str:
    """Production passes the PEM; locally a key is made once and kept out of git."""
    key = env.str("HEADLESS_JWT_PRIVATE_KEY", default="").replace("\\n", "\n")
    if key or not DEBUG:
        return key or env.str("HEADLESS_JWT_PRIVATE_KEY")
    path = BASE_DIR / ".local" / "jwt_private_key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(pem)
    return path.read_text()


HEADLESS_JWT_PRIVATE_KEY = _jwt_private_key()

# Fernet keys for secrets at rest (OAuth tokens), newest first; see influmojo/crypto.py for rotation.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DJANGO_DEBUG is off")
    from influmojo.crypto import derived_local_key

    FIELD_ENCRYPTION_KEYS = [derived_local_key(SECRET_KEY)]

SMS_BACKEND = env.str("SMS_BACKEND", default="console")  # console | twilio
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.JWTTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "influmojo.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "influmojo.schema.AutoSchema",
    "EXCEPTION_HANDLER": "influmojo.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "ai": env.str("THROTTLE_AI", default="10/min"),
        "uploads": env.str("THROTTLE_UPLOADS", default="20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Influmojo API",
    "DESCRIPTION": (
        "REST API for the Influmojo mobile app. Authenticate with allauth headless "
        "(`/_allauth/app/v1/auth/login` → `Authorization: Bearer <access JWT>`). "
        "Errors always use `{\"error\": {code, message, details, timestamp}}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "OrderStatusFilterEnum": "orders.selectors.orders.STATUS_FILTERS",
        "OfferStatusEnum": "orders.models.CustomOffer.Status",
        "DisputeStatusEnum": "orders.models.Dispute.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "influmojo.schema.merge_allauth_headless",
    ],
    # Swagger UI served from our own static files (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- I18N ----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("hi", "Hindi"), ("es", "Spanish")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security: strict whenever DEBUG is off ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # "django" keeps only the root's handler: Django's own console handler (DEBUG on) printed every line twice
    "loggers": {"django": {"handlers": [], "level": "INFO"}, "django.db.backends": {"level": "WARNING"}},
}

# --- Domain --------------------------------------------------------------------------------------
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_MAX_PIXELS = 40_000_000
AVATAR_SIZE = 512
HEALTHZ_TIMEOUT_SECONDS = 2
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Social platforms ----------------------------------------------------------------------------
# OAuth apps creators connect their accounts through (creators/platforms/). A platform whose id or
# secret is empty shows its connect button disabled. Instagram goes through Facebook Login, so it
# uses the Facebook app unless given its own; YouTube uses the Google sign-in client unless given its own.
FACEBOOK_APP_ID = env.str("FACEBOOK_APP_ID", default="")
FACEBOOK_APP_SECRET = env.str("FACEBOOK_APP_SECRET", default="")
FACEBOOK_GRAPH_API_VERSION = env.str("FACEBOOK_GRAPH_API_VERSION", default="v21.0")
INSTAGRAM_APP_ID = env.str("INSTAGRAM_APP_ID", default=FACEBOOK_APP_ID)
INSTAGRAM_APP_SECRET = env.str("INSTAGRAM_APP_SECRET", default=FACEBOOK_APP_SECRET)
YOUTUBE_CLIENT_ID = env.str("YOUTUBE_CLIENT_ID", default=GOOGLE_CLIENT_ID)
YOUTUBE_CLIENT_SECRET = env.str("YOUTUBE_CLIENT_SECRET", default=env.str("GOOGLE_CLIENT_SECRET", default=""))
TIKTOK_CLIENT_KEY = env.str("TIKTOK_CLIENT_KEY", default="")
TIKTOK_CLIENT_SECRET = env.str("TIKTOK_CLIENT_SECRET", default="")
if TESTING:  # a developer's real apps in .env must never let a test reach a platform; tests set their own
    FACEBOOK_APP_ID = INSTAGRAM_APP_ID = YOUTUBE_CLIENT_ID = TIKTOK_CLIENT_KEY = ""
SOCIAL_HTTP_TIMEOUT_SECONDS = env.int("SOCIAL_HTTP_TIMEOUT_SECONDS", default=15)
# The beat job queues every connected account once per period, spread evenly across it.
SOCIAL_SYNC_PERIOD_SECONDS = env.int("SOCIAL_SYNC_PERIOD_SECONDS", default=24 * 60 * 60)
SOCIAL_SYNC_BATCH_SIZE = env.int("SOCIAL_SYNC_BATCH_SIZE", default=100)
CELERY_BEAT_SCHEDULE["creators.sync_connected_accounts"] = {
    "task": "creators.tasks.sync_connected_accounts",
    "schedule": SOCIAL_SYNC_PERIOD_SECONDS,
}
# Two choice sets share the field name "platform": every platform, and those connected by OAuth.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    PlatformEnum="creators.models.Platform", OAuthPlatformEnum="creators.platforms.OAUTH_PLATFORM_CHOICES"
)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["social_sync"] = env.str("THROTTLE_SOCIAL_SYNC", default="10/hour")
# urllib3 logs request URLs at DEBUG, and OAuth token calls carry secrets in their query strings.
LOGGING["loggers"]["urllib3"] = {"level": "WARNING"}

# --- Discovery (brands app) -------------------------------------------------------------------------
# AI search asks OpenAI for structured filters when a key is set; otherwise (or on error/timeout) a
# deterministic parser reads the sentence.
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env.float("OPENAI_TIMEOUT_SECONDS", default=8.0)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["ai_search"] = env.str("THROTTLE_AI_SEARCH", default="20/hour")
# Nightly: engagement benchmarks per platform and size band, then every creator's percentile and
# audience quality against them (cards are also refreshed one by one whenever a creator changes).
CELERY_BEAT_SCHEDULE["brands.rebuild_discovery_scores"] = {
    "task": "brands.tasks.rebuild_discovery_scores",
    "schedule": env.int("DISCOVERY_SCORES_PERIOD_SECONDS", default=24 * 60 * 60),
}
# Discovery's facets without any filter (the page's first view) are counted exactly this often; a count older
# than three periods is not used (facets come from a block sample again).
DISCOVERY_FACET_SUMMARY_SECONDS = env.int("DISCOVERY_FACET_SUMMARY_SECONDS", default=5 * 60)
CELERY_BEAT_SCHEDULE["brands.refresh_facet_summary"] = {
    "task": "brands.tasks.refresh_facet_summary",
    "schedule": DISCOVERY_FACET_SUMMARY_SECONDS,
}

# --- Orders (orders app) ----------------------------------------------------------------------------
# Timers the beat job enforces (orders.tasks.run_order_timers): nobody's money is locked by silence.
ORDER_ACCEPT_HOURS = env.int("ORDER_ACCEPT_HOURS", default=72)  # a paid order the creator must accept or decline
ORDER_ACCEPT_EXTENSION_HOURS = env.int("ORDER_ACCEPT_EXTENSION_HOURS", default=72)  # granted once
ORDER_REVIEW_DAYS = env.int("ORDER_REVIEW_DAYS", default=3)  # after delivery, then it completes by itself
ORDER_UNPAID_CANCEL_HOURS = env.int("ORDER_UNPAID_CANCEL_HOURS", default=48)  # unpaid orders are cancelled
ORDER_REMINDER_HOURS = env.int("ORDER_REMINDER_HOURS", default=24)  # reminders this long before each deadline
CELERY_BEAT_SCHEDULE["orders.run_order_timers"] = {
    "task": "orders.tasks.run_order_timers",
    "schedule": env.int("ORDER_TIMERS_PERIOD_SECONDS", default=5 * 60),
}
ORDER_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ORDER_ATTACHMENTS_MAX = 10

# --- Payments (payments app) ------------------------------------------------------------------------
# Stripe when STRIPE_SECRET_KEY is set; otherwise the built-in sandbox gateway (test mode, its own
# confirmation page, same states and ledger). Production refuses to start on the sandbox unless
# PAYMENTS_SANDBOX=true says so on purpose (a staging site).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# The Connect endpoint (events of the creators' Express accounts, e.g. account.updated) has its own secret.
STRIPE_CONNECT_WEBHOOK_SECRET = env.str("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
STRIPE_API_VERSION = env.str("STRIPE_API_VERSION", default="")  # empty: the stripe library's pinned version
STRIPE_CONNECT_COUNTRY = env.str("STRIPE_CONNECT_COUNTRY", default="US")  # default country of Express accounts
STRIPE_HTTP_TIMEOUT_SECONDS = env.int("STRIPE_HTTP_TIMEOUT_SECONDS", default=20)
if TESTING:  # a developer's real keys in .env must never let a test reach Stripe; tests set their own
    STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = STRIPE_CONNECT_WEBHOOK_SECRET = ""
PAYMENTS_SANDBOX = env.bool("PAYMENTS_SANDBOX", default=DEBUG)
PAYMENT_GATEWAY = "stripe" if STRIPE_SECRET_KEY else "sandbox"
if not DEBUG and PAYMENT_GATEWAY == "sandbox" and not PAYMENTS_SANDBOX:
    raise ImproperlyConfigured("STRIPE_SECRET_KEY is required when DJANGO_DEBUG is off (or PAYMENTS_SANDBOX=true)")
if not DEBUG and PAYMENT_GATEWAY == "stripe" and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY when DJANGO_DEBUG is off")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    PaymentStatusEnum="payments.models.Payment.Status", PayoutStatusEnum="payments.models.Payout.Status",
    EscrowStatusEnum="payments.models.Escrow.Status", RefundStatusEnum="payments.models.Refund.Status",
)
# The platform's share of every order, taken from the creator's side and shown to both before they commit.
PLATFORM_FEE_RATE = env.str("PLATFORM_FEE_RATE", default="0.05")
# Re-queues payouts and refunds whose task was lost or gave up (each task is idempotent; safe to overlap).
CELERY_BEAT_SCHEDULE["payments.retry_stuck_money"] = {
    "task": "payments.tasks.retry_stuck_money",
    "schedule": 15 * 60,
}

# --- Chat and notifications (chat app) -------------------------------------------------------------
CHAT_MESSAGE_MAX_LENGTH = 5000
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    ConversationKindEnum="chat.models.Conversation.Kind", MessageKindEnum="chat.models.Message.Kind",
    ChatMemberRoleEnum="chat.models.Participant.Role",
)
CHAT_ATTACHMENT_MAX_BYTES = env.int("CHAT_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
CHAT_ATTACHMENTS_PER_MESSAGE = 5
CHAT_HISTORY_PAGE = 50  # messages per page/resync answer
# A websocket that has not said anything (heartbeat) for this long is gone: its user may be offline.
CHAT_CONNECTION_TTL_SECONDS = env.int("CHAT_CONNECTION_TTL_SECONDS", default=90)
# A process writes its sockets' heartbeats (pings) together this often; keep it well inside the TTL above.
CHAT_HEARTBEAT_FLUSH_SECONDS = env.float("CHAT_HEARTBEAT_FLUSH_SECONDS", default=5.0)
# Frames one chat socket may send: a burst of this many, refilled at this rate (then `rate_limited` error frames).
CHAT_SOCKET_BURST = env.int("CHAT_SOCKET_BURST", default=20)
CHAT_SOCKET_FRAMES_PER_SECOND = env.float("CHAT_SOCKET_FRAMES_PER_SECOND", default=5.0)
# At most one "unread messages" e-mail per conversation and person within this many minutes.
CHAT_UNREAD_EMAIL_MINUTES = env.int("CHAT_UNREAD_EMAIL_MINUTES", default=15)
# Read notifications older than this are deleted by a beat job.
NOTIFICATIONS_KEEP_READ_DAYS = env.int("NOTIFICATIONS_KEEP_READ_DAYS", default=90)
# Mobile push: Firebase Cloud Messaging HTTP v1 when a project and a service account are set; logged otherwise.
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", default="")
FCM_SERVICE_ACCOUNT_JSON = env.str("FCM_SERVICE_ACCOUNT_JSON", default="")  # the key file's JSON, or a path to it
FCM_HTTP_TIMEOUT_SECONDS = env.int("FCM_HTTP_TIMEOUT_SECONDS", default=10)
if TESTING:  # a developer's real Firebase project must never receive a test's push
    FCM_PROJECT_ID = FCM_SERVICE_ACCOUNT_JSON = ""
PUSH_BACKEND = "fcm" if FCM_PROJECT_ID and FCM_SERVICE_ACCOUNT_JSON else "log"
CELERY_BEAT_SCHEDULE["chat.delete_old_read_notifications"] = {
    "task": "chat.tasks.delete_old_read_notifications",
    "schedule": 24 * 60 * 60,
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    DevicePlatformEnum="chat.models.Device.Platform",
    NotificationTypeEnum="accounts.preferences.NOTIFICATION_TYPES.items",  # (key, label) pairs, as the API lists them
)
CELERY_BEAT_SCHEDULE["chat.requeue_stuck_deliveries"] = {  # notification e-mails and pushes whose task was lost
    "task": "chat.tasks.requeue_stuck_deliveries",
    "schedule": 15 * 60,
}
# Websockets whose process died (no heartbeat for CHAT_CONNECTION_TTL_SECONDS) are removed; their users may go offline.
CELERY_BEAT_SCHEDULE["chat.sweep_connections"] = {
    "task": "chat.tasks.sweep_connections",
    "schedule": 60,
}
