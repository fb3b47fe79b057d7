from django.urls import path

from clee.portals.oversight import views

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
    path("packs/<str:year>/", views.pack, name="pack"),
]
