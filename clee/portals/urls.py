from django.urls import include, path

urlpatterns = [
    path("officer/", include("clee.portals.officer.urls")),
    path("agency/", include("clee.portals.agency.urls")),
    path("provider/", include("clee.portals.provider.urls")),
    path("staff/", include("clee.portals.staff.urls")),
    path("director/", include("clee.portals.director.urls")),
]
