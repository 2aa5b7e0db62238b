"""The back office's pages for officers, under /can-bo/ho-so/."""

from django.urls import path

from chinhquyen.dossiers import staff_views

app_name = "dossiers"

urlpatterns = [
    path("can-bo/ho-so/", staff_views.worklist, name="staff_worklist"),
    path("can-bo/ho-so/phan-cong/", staff_views.bulk_assign, name="staff_bulk_assign"),
    path("can-bo/ho-so/<str:code>/", staff_views.dossier_detail, name="staff_dossier"),
    path(
        "can-bo/ho-so/<str:code>/thao-tac/<slug:action>/",
        staff_views.dossier_action,
        name="staff_action",
    ),
]
