from django.urls import path

from clee.core.admin_site import site as back_office

urlpatterns = [
    path("admin/", back_office.urls),
]
