from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "chinhquyen.org"
    verbose_name = _("Tổ chức và cán bộ")

    def ready(self) -> None:
        from chinhquyen.celery import app
        from chinhquyen.org.tasks import BEAT_SCHEDULE

        # The spent-code sweep runs hourly wherever beat runs (`worker --beat`).
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
