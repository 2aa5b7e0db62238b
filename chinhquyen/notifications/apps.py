from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "chinhquyen.notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        from chinhquyen.celery import app
        from chinhquyen.notifications.tasks import BEAT_SCHEDULE

        # The outbox sweep runs every minute wherever beat runs (`worker --beat`).
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
