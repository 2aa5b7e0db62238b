from django.urls import path

from chinhquyen.signing import demo_views, views

app_name = "signing"
urlpatterns = [
    path("kiem-tra-chu-ky/", views.verify_upload, name="verify_upload"),
    path("kiem-tra-chu-ky/<str:token>/", views.verify_issued, name="verify_issued"),
    path("demo-ca/chinhquyen-demo.crl", demo_views.demo_crl, name="demo_crl"),
]
