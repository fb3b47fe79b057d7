from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from clee.api import docs, portal, views
from clee.api.errors import NoSuchEndpoint

app_name = "api"

urlpatterns: list[URLPattern | URLResolver] = [
    # The public document is not rate-limited: it is the same for everyone and reads no data.
    path("api/schema/", SpectacularAPIView.as_view(throttle_classes=[]), name="schema"),
    path("api/docs/", docs.api_docs, name="docs"),
    path("api/tokens/", portal.tokens, name="tokens"),
    path("api/tokens/<int:token_id>/revoke/", portal.token_revoke_view, name="token_revoke"),
    path("api/v1/licenses/", views.LicenseLookup.as_view(), name="licenses"),
    path("api/v1/courses/", views.CourseList.as_view(), name="courses"),
    path("api/v1/courses/<int:course_id>/", views.CourseDetail.as_view(), name="course"),
    path("api/v1/offerings/", views.OfferingList.as_view(), name="offerings"),
    path("api/v1/rosters/", views.RosterList.as_view(), name="rosters"),
    path("api/v1/rosters/<int:submission_id>/", views.RosterDetail.as_view(), name="roster"),
    path("api/v1/officers/", views.AgencyOfficerList.as_view(), name="officers"),
    path("api/v1/officers/<str:license_number>/", views.AgencyOfficerDetail.as_view(), name="officer"),
    path("api/v1/me/", views.OwnRecord.as_view(), name="me"),
    re_path(r"^api/v1/", NoSuchEndpoint.as_view()),
]
