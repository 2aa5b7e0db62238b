"""Diagnostic task: proves that a worker takes tasks from the configured broker."""

from celery import shared_task


@shared_task(name="chinhquyen.core.tasks.ping")
def ping() -> str:
    return "pong"
