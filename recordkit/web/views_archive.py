"""The archive in the browser: search, inbox, document pages (issue 13, point 4)."""

from __future__ import annotations

from django.urls import path

from recordkit.web.views import pending_section

archive = pending_section("档案", "archive.view")

urlpatterns = [
    path("archive/", archive, name="archive"),
]
