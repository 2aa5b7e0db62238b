from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "chinhquyen.workdays"
    verbose_name = _("Lịch làm việc")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from chinhquyen.workdays.models import OfficeHours
        from chinhquyen.workdays.queries import forget_office_hours

        for signal in (post_save, post_delete):
            signal.connect(forget_office_hours, sender=OfficeHours, dispatch_uid="office-hours")
