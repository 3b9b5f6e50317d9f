"""The root URLconf: the web workspace at /, under the namespace "web"."""

from django.urls import include, path

urlpatterns = [path("", include("recordkit.web.urls"))]
