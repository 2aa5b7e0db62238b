"""Online submission (issue #3 §4): the citizen's drafts, their pages, and the confirmation."""

from django.urls import path

from chinhquyen.portal import submission_views as views

app_name = "submission"
DRAFT = "ho-so-nhap/<uuid:draft_id>/"
urlpatterns = [
    path("dich-vu-cong/thu-tuc/<str:national_code>/nop-ho-so/", views.start, name="start"),
    path("ho-so-nhap/", views.draft_list, name="drafts"),
    path(DRAFT, views.overview, name="overview"),
    path(f"{DRAFT}huy/", views.discard, name="discard"),
    path(f"{DRAFT}nguoi-nop/", views.applicant, name="applicant"),
    path(f"{DRAFT}to-khai/<int:step>/", views.group_page, name="group"),
    path(f"{DRAFT}giay-to/", views.documents, name="documents"),
    path(f"{DRAFT}noi-nop/", views.reception, name="reception"),
    path(f"{DRAFT}kiem-tra/", views.check, name="check"),
    path(f"{DRAFT}thanh-toan/", views.pay, name="pay"),
    path(f"{DRAFT}nop/", views.submit, name="submit"),
    path("ho-so/<str:code>/da-nop/", views.confirmation, name="confirmation"),
]
