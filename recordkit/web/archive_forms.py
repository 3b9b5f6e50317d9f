"""Django forms of the archive's governance pages (holds, disposal, export); each
error shows beside its field. The rules themselves are the library's
(recordkit/archive/retention.py, export.py): these forms only read the fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms

# A library message names the command-line option it is about ("--case: ..."); the page
# shows the message beside that field instead.
_OPTION = re.compile(r"^--[a-z-]+: ")


def page_message(message: str) -> str:
    return _OPTION.sub("", message)


class ProposeForm(forms.Form):
    items = forms.MultipleChoiceField(
        label="申请销毁的档案",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少勾选一件到期档案"},
    )
    reason = forms.CharField(
        label="销毁原因 / 鉴定意见",
        max_length=500,
        error_messages={"required": "请写明销毁原因 / 鉴定意见"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = choices


class HoldForm(forms.Form):
    archive_no = forms.CharField(label="档号", max_length=80, required=False)
    case_no = forms.CharField(label="案件编号", max_length=40, required=False)
    year = forms.IntegerField(
        label="年度",
        required=False,
        error_messages={"invalid": "年度应为 4 位数字, 如 2026"},
    )
    reason = forms.CharField(
        label="保全原因", max_length=500, error_messages={"required": "请写明保全原因"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [k for k in ("archive_no", "case_no", "year") if data.get(k) not in (None, "")]
        if len(given) != 1 and not self.errors.get("year"):
            raise forms.ValidationError("请只填一个保全对象: 档号, 或案件编号, 或年度")
        return data

    def target_field(self) -> str:
        """The field a library error about the target belongs beside."""
        data = self.cleaned_data
        return next((k for k in ("archive_no", "case_no", "year") if data.get(k)), "archive_no")


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label="解除原因", max_length=500, error_messages={"required": "请写明解除原因"}
    )


class ExportForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=1000,
        max_value=9999,
        error_messages={"required": "请填写年度", "invalid": "年度应为 4 位数字, 如 2026"},
    )
    cases = forms.CharField(
        label="案件编号",
        required=False,
        max_length=2000,
        help_text="可选: 只导出这些案件, 以空格或逗号分隔; 留空导出整个年度",
    )

    def clean_cases(self) -> list[str]:
        return [c for c in re.split(r"[\s,，、]+", self.cleaned_data["cases"]) if c]
