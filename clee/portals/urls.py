from django.urls import include, path

from clee.portals.documents import document_download
from clee.portals.officer.attendance import attend

urlpatterns = [
    path("officer/", include("clee.portals.officer.urls")),
    path("agency/", include("clee.portals.agency.urls")),
    path("provider/", include("clee.portals.provider.urls")),
    path("staff/", include("clee.portals.staff.urls")),
    path("director/", include("clee.portals.director.urls")),
    path("state/", include("clee.portals.oversight.urls")),
    path("documents/<int:document_id>/", document_download, name="document"),
    path("verify/", include("clee.portals.officer.verify_urls")),
    # The address in an attendance session's rotating QR code (clee.attendance).
    path("attend/<int:offering_id>/", attend, name="attend"),
]
