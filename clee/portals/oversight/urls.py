from django.urls import path

from clee.portals.oversight import rules, views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("compliance/", views.statewide, name="statewide"),
    path("compliance/agencies.<str:kind>", views.statewide_export, name="statewide_export"),
    path("compliance/noncompliant/", views.noncompliant, name="noncompliant"),
    path("compliance/noncompliant.<str:kind>", views.noncompliant_export, name="noncompliant_export"),
    path("packs/", views.packs, name="packs"),
    path("packs/impact/", views.impact, name="impact"),
    path("packs/impact/discard/", views.impact_discard, name="impact_discard"),
    path("packs/impact/<int:preview_id>/progress/", views.impact_progress, name="impact_progress"),
    path("packs/impact/<int:preview_id>/cancel/", views.impact_cancel, name="impact_cancel"),
    path("packs/versions/new/", rules.version_new, name="version_new"),
    path("packs/versions/<int:version_id>/", rules.version, name="version"),
    path("packs/versions/<int:version_id>/rules.yaml", rules.version_text, name="version_text"),
    path("packs/versions/<int:version_id>/edit/", rules.version_edit, name="version_edit"),
    path("packs/versions/<int:version_id>/submit/", rules.version_submit, name="version_submit"),
    path("packs/versions/<int:version_id>/withdraw/", rules.version_withdraw, name="version_withdraw"),
    path("packs/versions/<int:version_id>/publish/", rules.version_publish, name="version_publish"),
    path("packs/versions/<int:version_id>/return/", rules.version_return, name="version_return"),
    path("packs/versions/<int:version_id>/impact/", rules.version_impact, name="version_impact"),
    path("packs/recognized/", rules.recognized, name="recognized"),
    path("packs/recognized/<int:entry_id>/end/", rules.recognized_end, name="recognized_end"),
    path("packs/<str:year>/", views.pack, name="pack"),
]
