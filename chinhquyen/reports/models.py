"""What the statistics need to know about one dossier, folded from its transition rows.

On PostgreSQL a trigger on `dossiers_dossiertransition` (and on the due date and handling agency
of `dossiers_dossier`) keeps one row per dossier up to date in the same transaction as the
transition, so a year over a million dossiers is one scan of a narrow table instead of a
grouping of four million rows (migration 0001, `facts.py`). On SQLite the statistics fold the
rows directly and this table stays empty. Never written by application code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chinhquyen.dossiers.models import Dossier
from chinhquyen.org.models import Agency


class DossierFacts(models.Model):
    """First reception, end events and supplement pauses of one dossier, as microseconds since
    the epoch (UTC) of the transition rows; a pause runs from a supplement request to the first
    step leaving the "Yêu cầu bổ sung" status."""

    dossier = models.OneToOneField(
        Dossier, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    handling_agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    due_at = models.BigIntegerField(null=True)
    received_at = models.BigIntegerField(null=True)
    done_at = models.BigIntegerField(null=True)
    returned_at = models.BigIntegerField(null=True)
    refused_at = models.BigIntegerField(null=True)
    withdrawn_at = models.BigIntegerField(null=True)
    stopped_at = models.BigIntegerField(null=True)
    requests = models.PositiveIntegerField(default=0)
    first_asked_at = models.BigIntegerField(null=True)
    first_answered_at = models.BigIntegerField(null=True)
    second_asked_at = models.BigIntegerField(null=True)
    second_answered_at = models.BigIntegerField(null=True)
    last_asked_at = models.BigIntegerField(null=True)
    last_answered_at = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("dữ kiện thống kê của hồ sơ")
        verbose_name_plural = _("dữ kiện thống kê của hồ sơ")

    def __str__(self) -> str:
        return str(self.dossier_id)
