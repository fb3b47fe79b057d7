from django.urls import path

from clee.portals.officer import extensions, notices, views

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
]
