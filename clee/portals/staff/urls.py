from django.urls import path

from clee.portals.staff import commissions, held, makeup, records, views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("courses/", views.courses, name="courses"),
    path("courses/<int:course_id>/", views.course_review, name="course_review"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:request_id>/", views.request_review, name="request_review"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/grant/", views.extension_grant_direct, name="extension_grant"),
    path("extensions/<int:extension_id>/decide/", views.extension_review, name="extension_decide"),
    path("agency-training/", held.held, name="held"),
    path("agency-training/<int:record_id>/", held.held_review, name="held_review"),
    path("makeup/", makeup.makeup, name="makeup"),
    path("makeup/<int:year>/<int:officer_id>/", makeup.makeup_officer, name="makeup_officer"),
    path("officers/", records.officers, name="officers"),
    path("officers/<int:officer_id>/", records.officer_records, name="officer_records"),
    path("records/<int:record_id>/reverse/", records.record_reverse, name="record_reverse"),
    path("providers/", views.providers, name="providers"),
    path("providers/add/", views.provider_add, name="provider_add"),
    path("providers/<int:provider_id>/", views.provider, name="provider"),
    path("providers/<int:provider_id>/edit/", views.provider_edit, name="provider_edit"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/add/", views.catalog_add, name="catalog_add"),
    path("catalog/<int:entry_id>/edit/", views.catalog_edit, name="catalog_edit"),
    path("commissions/", commissions.commissions, name="commissions"),
    path("commissions/<int:commission_id>/", commissions.commission, name="commission"),
]
