from django.urls import path

from chinhquyen.portal import views

app_name = "portal"
urlpatterns = [
    path("dich-vu-cong/", views.catalogue_home, name="catalogue_home"),
    path("dich-vu-cong/tim-kiem/", views.catalogue_search, name="catalogue_search"),
    path("dich-vu-cong/linh-vuc/<str:code>/", views.field_detail, name="field_detail"),
    path(
        "dich-vu-cong/thu-tuc/<str:national_code>/",
        views.procedure_detail,
        name="procedure_detail",
    ),
]
