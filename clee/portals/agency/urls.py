from django.urls import path

from clee.portals.agency import extensions, views

app_name = "agency"
urlpatterns = [
    path("", views.index, name="index"),
    path("officers.<str:file_format>", views.export, name="export"),
    path("officers/commission/", views.commission_new, name="commission_start"),
    path("officers/<int:officer_id>/", views.officer, name="officer"),
    path("officers/<int:officer_id>/end/", views.commission_close, name="commission_end"),
    path("officers/<int:officer_id>/extension/", extensions.extension_new, name="extension_new"),
    path("training/", views.training, name="training"),
    path("training/roster/", views.roster_upload, name="roster_upload"),
    path("training/roster/preview/", views.roster_preview, name="roster_preview"),
    path("training/roster/cancel/", views.roster_cancel, name="roster_cancel"),
    path("training/samples/<str:name>", views.roster_sample, name="roster_sample"),
    path("courses/", views.courses, name="courses"),
    path("courses/new/", views.course_new, name="course_new"),
    path("split-row/", views.split_row_new, name="split_row"),
    path("overview/", views.overview, name="overview"),
]
