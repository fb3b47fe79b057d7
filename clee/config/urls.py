from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache

from clee.accounts import views as account_views
from clee.core.admin_site import site as back_office
from clee.jobs.selectors import readiness
from clee.sso.views import SignOutView


def health(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer: the process answers (no database, no session)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness for monitoring: the database answers and the job queue is worked (no session)."""
    state = readiness()
    return JsonResponse(state.as_json(), status=200 if state.ready else 503)


handler500 = "clee.core.outage.server_error"


urlpatterns = [
    path("health/", health, name="health"),
    path("health/ready/", ready, name="health-ready"),
    path("", account_views.home, name="home"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    # Signing out is a POST with the CSRF token (a GET is refused).
    # It also ends a single sign-on session at the state's provider (clee.sso).
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("admin/", back_office.urls),
    # Issue 6: the REST API, single sign-on and invitations, account security (MFA).
    path("", include("clee.api.urls")),
    path("", include("clee.sso.urls")),
    path("", include("clee.security.urls")),
    # Issue 14: people and accounts (invitations, sign-up, password reset, deactivation).
    path("", include("clee.people.urls")),
    path("", include("clee.portals.urls")),
    # Issue 16: what verifiers of CLEE's credentials read (DID document, status lists).
    path("", include("clee.credentials.urls")),
]
