"""The dossier code (mã số hồ sơ): `<receiving agency identifier>-YYMMDD-NNNN`.

Decree 61/2018 Art. 26: issued automatically by the system; made of (a) the electronic identifier
code of the receiving agency (QCVN 102:2016) and (b) the reception date plus a daily sequence.
TT 01/2018/TT-VPCP Art. 19: `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`. Rules in ADR 0009.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction

from chinhquyen.core.errors import DomainError
from chinhquyen.core.sql import execute_one
from chinhquyen.dossiers.models import DossierCodeCounter
from chinhquyen.org.codes import MAX_LENGTH as AGENCY_CODE_MAX_LENGTH
from chinhquyen.org.models import Agency

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class CodeFormat:
    """One legal format of the dossier code, in force for dossiers received from `effective_from`
    (a date in Vietnam time) until the next format's `effective_from`."""

    effective_from: date
    legal_basis: str
    min_digits: int

    def render(self, agency_code: str, day: date, number: int) -> str:
        # Past 10^min_digits - 1 the number widens instead of wrapping (ADR 0009).
        return f"{agency_code}-{day:%y%m%d}-{number:0{self.min_digits}d}"


# The formats in force, oldest first. A new circular adds an entry here with its date; entries
# already in force are never edited, so codes already issued keep their meaning. Data in code
# rather than a table: a new format changes the structure (e.g. TT 03/2025 Art. 13(3) adds `AA`),
# which needs code anyway (ADR 0009).
CODE_FORMATS: tuple[CodeFormat, ...] = (
    # Decree 61/2018 in force 21/06/2018; format from TT 01/2018/TT-VPCP Art. 19.
    CodeFormat(date(2018, 6, 21), "NĐ 61/2018 Điều 26; TT 01/2018/TT-VPCP Điều 19", 4),
)

# Agency code + "-YYMMDD-" + a number up to 10 digits: the width a dossier's code column needs.
CODE_MAX_LENGTH = AGENCY_CODE_MAX_LENGTH + 8 + 10


def code_format_on(day: date) -> CodeFormat:
    """The format in force for dossiers received on `day`."""
    in_force = [fmt for fmt in CODE_FORMATS if fmt.effective_from <= day]
    if not in_force:
        raise ValueError(f"Không có định dạng mã số hồ sơ áp dụng cho ngày {day:%d/%m/%Y}.")
    return max(in_force, key=lambda fmt: fmt.effective_from)


def reception_day(at: datetime) -> date:
    """The reception date of the code: the calendar day in Vietnam at instant `at`."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at: thời điểm phải có múi giờ (naive datetime bị từ chối).")
    return at.astimezone(VIETNAM).date()


def next_dossier_code(agency: Agency, *, at: datetime, agency_checked: bool = False) -> str:
    """Issue the next dossier code of the receiving `agency` for the Vietnamese day of `at`.

    Call it inside the transaction that creates the dossier: the counter row stays locked until
    that transaction ends, and a rollback gives the number back. Refuses a closed agency;
    `agency_checked` says the caller loaded `agency`, active, in this same transaction, so its
    identifier is not read again."""
    day = reception_day(at)
    fmt = code_format_on(day)
    if agency_checked and agency.is_active:
        agency_code = agency.identifier_code
    else:
        agency_code = _receiving_agency_code(agency)
    # One statement takes the row lock and the number (no savepoint round trips around it).
    number = _take_number(agency.pk, day)
    return fmt.render(agency_code, day, number)


def _receiving_agency_code(agency: Agency) -> str:
    """The agency's identifier as stored now (it may have been recoded since `agency` was
    loaded), refusing an agency that has stopped operating."""
    row = Agency.objects.filter(pk=agency.pk).values("identifier_code", "is_active").first()
    if row is None or not row["is_active"]:
        raise DomainError(
            "Cơ quan này đã ngừng hoạt động, không thể tiếp nhận hồ sơ.",
            code="agency_closed",
            field="agency",
        )
    return str(row["identifier_code"])


_INCREMENT_SQL = (
    f"UPDATE {DossierCodeCounter._meta.db_table}"  # noqa: S608 (a model's own table)
    " SET last_number = last_number + 1 WHERE agency_id = %s AND day = %s RETURNING last_number"
)


def _increment(agency_id: int, day: date) -> int | None:
    """One statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35): the counter row's lock
    is taken and the new number read in the same round trip."""
    # Prepared (core.sql): planned once per connection, not on every submission.
    row = execute_one(_INCREMENT_SQL, [agency_id, connection.ops.adapt_datefield_value(day)])
    return None if row is None else int(row[0])


def _take_number(agency_id: int, day: date) -> int:
    """Increment the (agency, day) counter and read it back. The UPDATE takes the row lock, so a
    concurrent caller waits for this transaction and then increments the committed value."""
    number = _increment(agency_id, day)
    if number is not None:
        return number
    try:
        with transaction.atomic():  # a savepoint: a lost race must not poison the caller
            DossierCodeCounter.objects.create(agency_id=agency_id, day=day, last_number=1)
        return 1
    except IntegrityError:
        # Another transaction inserted the day's row first and has committed it.
        number = _increment(agency_id, day)
    if number is None:  # pragma: no cover - the row exists: IntegrityError said so
        raise RuntimeError("dossier code counter row vanished")
    return number
