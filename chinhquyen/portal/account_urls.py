"""Citizen account addresses (/tai-khoan/...). The profile pages are `citizen_view`s; the
others are public and listed in the permission matrix test."""

from django.urls import path

from chinhquyen.portal import account_views as views

app_name = "accounts"
urlpatterns = [
    path("tai-khoan/dang-ky/", views.signup, name="signup"),
    path("tai-khoan/xac-thuc/", views.verify, name="verify"),
    path("tai-khoan/dang-nhap/", views.signin, name="signin"),
    path("tai-khoan/dang-xuat/", views.signout, name="signout"),
    path("tai-khoan/quen-mat-khau/", views.password_reset, name="password_reset"),
    path("tai-khoan/quen-mat-khau/ma/", views.password_reset_code, name="password_reset_code"),
    path("tai-khoan/ho-so/", views.profile, name="profile"),
    path("tai-khoan/doi-mat-khau/", views.change_password, name="change_password"),
    path("tai-khoan/ho-so/xac-thuc/", views.verify_contact, name="verify_contact"),
    path("tai-khoan/dinh-danh/", views.oidc_start, name="oidc_start"),
    path("tai-khoan/dinh-danh/ket-qua/", views.oidc_callback, name="oidc_callback"),
]
