"""URLs of the web workspace. Every view but login/logout is wrapped by roles.requires."""

from django.contrib.auth import views as auth_views
from django.urls import path

from recordkit.web import (
    views,
    views_archive,
    views_archive_admin,
    views_archive_arrange,
    views_cases,
    views_forms,
    views_import,
    views_records,
    views_reports,
)

app_name = "web"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views_cases.dashboard, name="dashboard"),
    path("cases/", views_cases.case_list, name="cases"),
    *views_cases.urlpatterns,
    *views_records.urlpatterns,
    *views_import.urlpatterns,
    *views_reports.urlpatterns,
    *views_archive.urlpatterns,
    *views_archive_admin.urlpatterns,
    *views_archive_arrange.urlpatterns,
    *views_forms.urlpatterns,
    path("users/", views.users, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<str:username>/disable/", views.user_disable, name="user_disable"),
]
