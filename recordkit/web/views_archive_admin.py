"""The archive's governance in the browser: holds, the due list, two-person disposal,
export and the results of verify and check (issue 13, point 4)."""

from __future__ import annotations

from django.urls import path

from recordkit.web.views import pending_section

archive_disposal = pending_section("档案销毁鉴定", "archive.disposal")

urlpatterns = [
    path("archive/disposal/", archive_disposal, name="archive_disposal"),
]
