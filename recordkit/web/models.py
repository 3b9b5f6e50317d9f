"""Web state beyond Django's own tables: the change log ("who changed what")."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

ABSENT = ""  # stored for a field that did not exist before (or was removed)


class Change(models.Model):
    """One field of one object changed by one user at one time: old -> new.

    Values are stored as JSON text (``ensure_ascii=False``) so a typed value is kept exactly
    and ``None`` stays distinct from a field that was absent (empty text).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150)  # kept even if the account goes
    at = models.DateTimeField("时间", db_index=True)
    change_set = models.UUIDField("变更批次", db_index=True)
    object_kind = models.CharField("对象类别", max_length=40)
    object_id = models.CharField("对象编号", max_length=100)
    field = models.CharField("字段", max_length=200)
    old = models.TextField("原值", blank=True)
    new = models.TextField("新值", blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-at", "id"]
        indexes = [
            models.Index(fields=["object_kind", "object_id", "-at"], name="web_change_object")
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {self.object_kind} {self.object_id} {self.field}"

    @property
    def old_value(self) -> Any:
        return None if self.old == ABSENT else json.loads(self.old)

    @property
    def new_value(self) -> Any:
        return None if self.new == ABSENT else json.loads(self.new)
