from django.urls import path

from chinhquyen.org import signin_views, views

app_name = "org"
urlpatterns = [
    path("dang-nhap/", signin_views.signin, name="signin"),
    path("dang-nhap/xac-thuc/", signin_views.signin_second_factor, name="signin_second_factor"),
    path("dang-xuat/", signin_views.signout, name="signout"),
    path("can-bo/", views.staff_home, name="staff_home"),
    path("can-bo/co-quan/", views.agency_list, name="agency_list"),
    path("can-bo/co-quan/<int:agency_id>/", views.agency_detail, name="agency_detail"),
    path("can-bo/co-quan/<int:agency_id>/sua/", views.agency_edit, name="agency_edit"),
    path(
        "can-bo/co-quan/<int:agency_id>/don-vi-moi/",
        views.agency_create_child,
        name="agency_create_child",
    ),
    path("can-bo/co-quan/<int:agency_id>/ma-dinh-danh/", views.agency_recode, name="agency_recode"),
    path("can-bo/nhan-su/<int:user_id>/", views.staff_member_detail, name="staff_member_detail"),
]
