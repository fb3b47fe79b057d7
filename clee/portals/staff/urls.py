from django.urls import path

from clee.portals.staff import (
    catalog,
    commissions,
    courses,
    credit_requests,
    extensions,
    held,
    makeup,
    providers,
    records,
    views,
)

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("courses/", courses.courses, name="courses"),
    path("courses/<int:course_id>/", courses.course_review, name="course_review"),
    path("requests/", credit_requests.requests, name="requests"),
    path("requests/<int:request_id>/", credit_requests.request_review, name="request_review"),
    path("extensions/", extensions.extensions, name="extensions"),
    path("extensions/grant/", extensions.extension_grant_direct, name="extension_grant"),
    path("extensions/<int:extension_id>/decide/", extensions.extension_review, name="extension_decide"),
    path("agency-training/", held.held, name="held"),
    path("agency-training/<int:record_id>/", held.held_review, name="held_review"),
    path("makeup/", makeup.makeup, name="makeup"),
    path("makeup/<int:year>/<int:officer_id>/", makeup.makeup_officer, name="makeup_officer"),
    path("officers/", records.officers, name="officers"),
    path("officers/<int:officer_id>/", records.officer_records, name="officer_records"),
    path("officers/<int:officer_id>/upgrades/add/", records.license_upgrade_add, name="license_upgrade_add"),
    path("records/<int:record_id>/reverse/", records.record_reverse, name="record_reverse"),
    path("providers/", providers.providers, name="providers"),
    path("providers/add/", providers.provider_add, name="provider_add"),
    path("providers/<int:provider_id>/", providers.provider, name="provider"),
    path("providers/<int:provider_id>/edit/", providers.provider_edit, name="provider_edit"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/add/", catalog.catalog_add, name="catalog_add"),
    path("catalog/<int:entry_id>/edit/", catalog.catalog_edit, name="catalog_edit"),
    path("commissions/", commissions.commissions, name="commissions"),
    path("commissions/<int:commission_id>/", commissions.commission, name="commission"),
]
