from django.urls import path

from chinhquyen.portal import tracking_views

app_name = "tracking"
urlpatterns = [
    path("tra-cuu-ho-so/", tracking_views.lookup, name="lookup"),
]
