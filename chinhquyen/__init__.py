"""chinhquyen: open-source e-government platform for a Vietnamese province and its communes."""

from .celery import app as celery_app

__all__ = ["celery_app"]
