from django.urls import path

from chinhquyen.payments import views

app_name = "payments"

urlpatterns = [
    path("thanh-toan/ipn/", views.ipn, name="ipn"),
    path("thanh-toan/ket-qua/", views.gateway_return, name="return"),
    path("thanh-toan/<uuid:payment_id>/bien-lai/", views.receipt, name="receipt"),
]
