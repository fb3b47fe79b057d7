from django.contrib.auth import views as auth_views
from django.urls import include, path

from clee.accounts import views as account_views
from clee.core.admin_site import site as back_office

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    # Signing out is a POST with the CSRF token (Django 5's LogoutView refuses GET).
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", back_office.urls),
    path("", include("clee.portals.urls")),
]
