"""Tracking addresses: the public lookup (its name, `tracking:lookup`, is what the QR code on the
receipt points at through `actions.tracking_url`) and the citizen's own dossier pages."""

from django.urls import path

from chinhquyen.portal import tracking_views as views

app_name = "tracking"
DOSSIER = "tai-khoan/ho-so-cua-toi/<str:code>/"
urlpatterns = [
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
    path("tai-khoan/ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path(DOSSIER, views.my_dossier, name="my_dossier"),
    path(f"{DOSSIER}bo-sung/", views.supplement, name="supplement"),
    path(f"{DOSSIER}thanh-toan/", views.pay_obligation, name="pay_obligation"),
    path(f"{DOSSIER}rut-ho-so/", views.withdraw, name="withdraw"),
    path(f"{DOSSIER}danh-gia/", views.rate, name="rate"),
    path(f"{DOSSIER}tep/<int:document_id>/", views.download, name="download"),
    path("tai-khoan/kho-du-lieu/", views.personal_store, name="personal_store"),
]
