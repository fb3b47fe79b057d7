from django.urls import path

from clee.portals.officer import attendance, credentials, extensions, notices, views

app_name = "officer"
urlpatterns = [
    path("", views.index, name="index"),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/<int:year>/pdf/", views.transcript_pdf, name="transcript_pdf"),
    path("certificate/<int:year>/", views.certificate, name="certificate"),
    path("certificate/<int:year>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("courses/", views.courses, name="courses"),
    path("notices/", notices.notices, name="notices"),
    path("extension/", extensions.extension_new, name="extension_new"),
    path("attendance/pending/", attendance.attendance_pending, name="attendance_pending"),
    path("credentials/", credentials.credentials, name="credentials"),
    path("credentials/record/<int:record_id>/", credentials.credential_for_record, name="credential_record"),
    path("credentials/period/<int:year>/", credentials.credential_for_period, name="credential_period"),
    path("credentials/<uuid:credential_id>/", credentials.credential, name="credential"),
    path("credentials/<uuid:credential_id>/json/", credentials.credential_json, name="credential_json"),
    path("credentials/<uuid:credential_id>/pdf/", credentials.credential_pdf, name="credential_pdf"),
]
