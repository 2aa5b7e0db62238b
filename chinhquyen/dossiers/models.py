"""Dossier data. `DossierCodeCounter` is written only by `codes.next_dossier_code`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhquyen.org.models import Agency


class DossierCodeCounter(models.Model):
    """The last sequence number issued by a receiving agency on one day (Vietnam time).

    Decree 61/2018 Art. 26(b), TT 01/2018/TT-VPCP Art. 19: the dossier code ends with the
    reception date and the dossier's number within that day at that agency. One row per
    (agency, day); its row lock serialises concurrent receptions (ADR 0009)."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossier_code_counters",
    )
    day = models.DateField(_("ngày tiếp nhận"))
    last_number = models.PositiveIntegerField(_("số thứ tự cuối cùng"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã số hồ sơ")
        verbose_name_plural = _("bộ đếm mã số hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d}: {self.last_number}"
