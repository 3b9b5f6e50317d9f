"""The Django app of the web workspace (models, templates, static files, migrations)."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "recordkit.web"
    label = "web"
    verbose_name = "recordkit 网页工作台"
    default_auto_field = "django.db.models.BigAutoField"
