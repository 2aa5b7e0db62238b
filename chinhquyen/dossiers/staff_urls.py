"""The back office's pages for officers, under /can-bo/ho-so/."""

from django.urls import path

from chinhquyen.dossiers import staff_forms_views, staff_views

app_name = "dossiers"

urlpatterns = [
    path("can-bo/ho-so/", staff_views.worklist, name="staff_worklist"),
    path("can-bo/ho-so/phan-cong/", staff_views.bulk_assign, name="staff_bulk_assign"),
    path("can-bo/ho-so/<str:code>/", staff_views.dossier_detail, name="staff_dossier"),
    path(
        "can-bo/ho-so/<str:code>/bieu-mau/<slug:kind>.pdf",
        staff_forms_views.dossier_form_by_kind,
        name="staff_form_kind",
    ),
    path(
        "can-bo/ho-so/<str:code>/mau-<str:form>.pdf",
        staff_forms_views.dossier_form,
        name="staff_form",
    ),
    path(
        "can-bo/co-quan/<int:agency_id>/so-theo-doi-<int:year>.<str:fmt>",
        staff_forms_views.agency_register,
        name="staff_register",
    ),
    path(
        "can-bo/ho-so/<str:code>/giay-to/<int:document_id>/",
        staff_views.dossier_document,
        name="staff_document",
    ),
    path(
        "can-bo/ho-so/<str:code>/buu-gui/gui-lai/",
        staff_views.reorder_shipment,
        name="staff_reorder_shipment",
    ),
    path(
        "can-bo/ho-so/<str:code>/thao-tac/<slug:action>/",
        staff_views.dossier_action,
        name="staff_action",
    ),
]
