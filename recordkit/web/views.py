"""Views: thin by design. Each one is wrapped by ``roles.requires`` and calls a library
function; no business logic lives here (issue 12, "one library, two doors")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from recordkit.web import users as user_lib
from recordkit.web.forms import AddUserForm
from recordkit.web.roles import requires

PENDING = "本页面将在工作目录服务接入后开放 (coming once the workspace services are wired in)。"


@requires("dashboard.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"title": "工作台"})


def pending_section(title: str, action: str) -> Any:
    """A page of the navigation whose content arrives with the Workspace services."""

    @requires(action)
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, "web/section.html", {"title": title, "pending": PENDING})

    return view


def _users_page(request: HttpRequest, form: AddUserForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/users.html",
        {"title": "用户", "form": form, "users": user_lib.list_users()},
        status=status,
    )


@requires("users.manage")
def users(request: HttpRequest) -> HttpResponse:
    return _users_page(request, AddUserForm())


@require_POST
@requires("users.manage")
def user_add(request: HttpRequest) -> HttpResponse:
    form = AddUserForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user_lib.add_user(
                data["username"], data["role"], data["password1"], full_name=data["full_name"]
            )
        except user_lib.UserError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加用户 {data['username']} ({data['role']})。")
            return redirect("web:users")
    # Everything typed (but the passwords) stays in the form, each error beside its field.
    return _users_page(request, form, status=400)


@require_POST
@requires("users.manage")
def user_disable(request: HttpRequest, username: str) -> HttpResponse:
    try:
        user_lib.disable_user(username, by=request.user.get_username())
    except user_lib.UnknownUserError as exc:
        raise Http404(exc.message) from None
    except user_lib.UserError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已停用用户 {username}。")
    if request.headers.get("HX-Request"):
        # htmx swaps the whole users table (rows and the message line) in place.
        return render(
            request, "web/_users_table.html", {"users": user_lib.list_users(), "partial": True}
        )
    return redirect("web:users")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a Chinese 403 page instead of Django's English one."""
    return render(
        request,
        "403.html",
        {"exception": "表单已过期或来源不明 (CSRF 校验失败)，请刷新页面后重试。"},
        status=403,
    )
