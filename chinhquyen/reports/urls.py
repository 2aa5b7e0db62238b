"""The staff statistics pages, under /can-bo/thong-ke/."""

from django.urls import path

from chinhquyen.reports import views

app_name = "reports"

urlpatterns = [
    path("can-bo/thong-ke/", views.statistics_page, name="staff_statistics"),
    path(
        "can-bo/thong-ke/<int:agency_id>/ho-so/<slug:measure>/",
        views.dossiers_behind,
        name="staff_statistics_dossiers",
    ),
    path(
        "can-bo/thong-ke/<int:agency_id>/bang.xlsx",
        views.statistics_xlsx,
        name="staff_statistics_xlsx",
    ),
]
