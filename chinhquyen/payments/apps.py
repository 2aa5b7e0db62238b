from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "chinhquyen.payments"
    verbose_name = _("Thanh toán trực tuyến")

    def ready(self) -> None:
        from chinhquyen.celery import app
        from chinhquyen.payments.tasks import BEAT_SCHEDULE

        # Reconciliation of payments whose IPN never came, wherever beat runs (`worker --beat`).
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
