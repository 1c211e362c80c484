from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Users & profiles"

    def ready(self):
        import influmojo.schema  # noqa: F401  registers the OpenAPI auth extension
