from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "chinhquyen.dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")

    def ready(self) -> None:
        from chinhquyen.celery import app
        from chinhquyen.dossiers.payment_handlers import register
        from chinhquyen.dossiers.tasks import BEAT_SCHEDULE

        register()
        # The stray-file sweep runs hourly wherever beat runs (`worker --beat`).
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
