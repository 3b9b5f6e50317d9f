"""Password validators: Django's, with a Chinese message where its catalog lacks one."""

from __future__ import annotations

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 reworded the too-short message and zh-hans has no translation of it yet."""

    def get_error_message(self) -> str:
        return f"密码太短, 至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
