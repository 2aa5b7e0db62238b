"""Celery application: tasks are thin wrappers over `do_*` actions and safe to run twice."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")

app = Celery("chinhquyen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
