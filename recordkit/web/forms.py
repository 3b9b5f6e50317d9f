"""Django forms of the web workspace; errors show next to their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation

from recordkit.web.roles import ROLES


class AddUserForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录用的名字, 如 wangfang 或 王芳"
    )
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    role = forms.ChoiceField(label="角色", choices=[(r, r) for r in ROLES])
    password1 = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput,
        help_text="至少 10 个字符, 不能全是数字, 不能太常见",
    )
    password2 = forms.CharField(label="再次输入密码", strip=False, widget=forms.PasswordInput)

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError("该用户名已存在。")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致。")
        elif first:
            probe = get_user_model()(
                username=data.get("username", ""), first_name=data.get("full_name", "")
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
