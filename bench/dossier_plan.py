"""Planning generated dossiers (bench/generate_dossiers.py): the demo province as read once through
the ORM, how many dossiers each day, and each dossier — channel, procedure, places, applicant and
life — before it has an id or a code."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from bench.dossier_lifecycle import (
    COUNTER,
    DAY,
    ONLINE,
    POST,
    Case,
    Clock,
    Life,
    live,
    office_second,
)

# Share of each channel over the whole period (Decree 61/2018 Art. 16: counter, online, post).
CHANNEL_SHARES = {ONLINE: 0.40, COUNTER: 0.50, POST: 0.10}
# Relative daily volume: Monday busiest; days off see online submissions only, about a tenth.
WEEKDAY_WEIGHT = (1.15, 1.0, 1.0, 1.0, 0.9, 0.0, 0.0)
DAY_OFF_WEIGHT = 0.12
# How often each demo procedure is used relative to the others (default 1): certified copies,
# birth and marital-status papers dominate at communes; land and judicial records at the
# province.
POPULARITY = {
    "2.000815.000.00.00.H33": 30, "1.001193.000.00.00.H33": 10, "1.004873.000.00.00.H33": 8,
    "2.000884.000.00.00.H33": 6, "2.000488.000.00.00.H33": 6, "1.012762.000.00.00.H33": 8,
    "1.001978.000.00.00.H33": 5, "2.000635.000.00.00.H33": 4, "1.012756.000.00.00.H33": 4,
    "1.000656.000.00.00.H33": 3, "1.000894.000.00.00.H33": 3, "2.001035.000.00.00.H33": 3,
    "2.001610.000.00.00.H33": 3, "2.001577.000.00.00.H33": 3, "2.000720.000.00.00.H33": 3,
    "1.012770.000.00.00.H33": 2,
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    agency_id: int
    agency_code: str
    unit_id: int | None
    unit_code: str
    unit_name: str


@dataclass(frozen=True)
class Version:
    id: int
    national_code: str
    commune_level: bool
    online: bool
    delivery_options: tuple[str, ...]
    audiences: tuple[str, ...]
    limit_amount: int
    limit_unit: str
    fee: int
    effective_from: date
    effective_to: date | None
    handling: Place | None  # province level: the competent department

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass
class World:
    communes: list[Place]
    commune_cum: list[float]
    centres: list[Place]
    versions: list[Version]
    clock: Clock
    first: date
    until: date


@dataclass
class Planned:
    """One dossier before its id and number are known."""

    version: Version
    receiving: Place
    handling: Place
    channel: int
    life: Life
    fields: dict[str, Any]
    submitted_at: int
    id: int = 0
    code: str = ""


# --- The world: agencies, catalogue, calendar (read once through the ORM) ---------------------


def load_world(until: date, days: int, rng: random.Random) -> World:
    from chinhquyen.org.models import Agency
    from chinhquyen.workdays.calendar import working_calendar

    communes = [
        _place(a)
        for a in Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, is_active=True)
        .select_related("administrative_unit")
        .order_by("identifier_code")
    ]
    centres = [
        _place(a)
        for a in Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTRE, is_active=True).order_by(
            "identifier_code"
        )
    ]
    if not communes:
        raise SystemExit("generate_dossiers: no commune People's Committee; run load_demo first")
    versions = _versions()
    first = max(until - timedelta(days=days - 1), min(v.effective_from for v in versions))
    # Busy urban wards and quiet rural communes: a log-normal spread of volumes.
    commune_cum = list(accumulate(rng.lognormvariate(0, 0.6) for _ in communes))
    calendar = working_calendar(None)
    clock = Clock(first, (until - first).days + 400, calendar.is_working_day)
    return World(communes, commune_cum, centres, versions, clock, first, until)


def _place(agency: Any) -> Place:
    unit = agency.administrative_unit
    return Place(
        agency.pk,
        agency.identifier_code,
        unit.pk if unit else None,
        unit.code if unit else "",
        unit.name if unit else "",
    )


def _versions() -> list[Version]:
    from chinhquyen.procedures.fees import quote_fees
    from chinhquyen.procedures.models import ProcedureVersion

    rows = (
        ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED)
        .select_related("procedure")
        .prefetch_related("agencies", "fees")
        .order_by("pk")
    )
    versions = []
    for v in rows:
        departments = sorted((a for a in v.agencies.all() if a.is_active), key=lambda a: a.path)
        try:
            fee = int(quote_fees(v, {}, today=v.effective_from).total)
        except (KeyError, TypeError, ValueError):
            fee = 0
        versions.append(
            Version(
                id=v.pk,
                national_code=v.procedure.national_code,
                commune_level=v.implementing_level == ProcedureVersion.ImplementingLevel.COMMUNE,
                online=v.online_level in ("full", "partial"),
                delivery_options=tuple(v.delivery_options or ("counter",)),
                audiences=tuple(v.audiences or ("citizen",)),
                limit_amount=int(v.time_limit_value),
                limit_unit=v.time_limit_unit,
                fee=fee,
                effective_from=v.effective_from,
                effective_to=v.effective_to,
                handling=_place(departments[0]) if departments else None,
            )
        )
    if not versions:
        raise SystemExit("generate_dossiers: no published procedure version; run load_demo")
    return versions


# --- Planning: how many dossiers each day, and each dossier -----------------------------------


def daily_counts(world: World, total: int) -> list[tuple[date, int, bool]]:
    """(day, dossiers, is working day) for every day, summing exactly to `total`."""
    days = [world.first + timedelta(days=n) for n in range((world.until - world.first).days + 1)]
    working = [world.clock.is_working(d.toordinal()) for d in days]
    weights = [
        (WEEKDAY_WEIGHT[d.weekday()] or 1.0) if w else DAY_OFF_WEIGHT
        for d, w in zip(days, working, strict=True)
    ]
    cumulative = list(accumulate(weights))
    whole, counts, before = cumulative[-1], [], 0
    for value in cumulative:
        upto = round(total * value / whole)
        counts.append(upto - before)
        before = upto
    return list(zip(days, counts, working, strict=True))


def channel_weights(plan: list[tuple[date, int, bool]]) -> dict[int, float]:
    """Working-day channel shares that give CHANNEL_SHARES overall, days off being online only."""
    total = sum(n for _, n, _ in plan) or 1
    on_working = sum(n for _, n, w in plan if w) or 1
    off = total - on_working
    online = max(CHANNEL_SHARES[ONLINE] * total - off, 0) / on_working
    return {
        ONLINE: online,
        COUNTER: CHANNEL_SHARES[COUNTER] * total / on_working,
        POST: CHANNEL_SHARES[POST] * total / on_working,
    }


class Planner:
    def __init__(self, world: World, rng: random.Random, shares: dict[int, float]) -> None:
        from bench.population import Population

        self.world, self.rng = world, rng
        self.people = Population(rng)
        self.channels = list(shares)
        self.channel_cum = list(accumulate(shares.values()))
        self._choices: dict[tuple[int, date], tuple[list[Version], list[float]]] = {}
        self.horizon = (world.until.toordinal() + 1) * DAY - 1

    def day(self, day: date, count: int, working: bool) -> list[Planned]:
        rng, ordinal = self.rng, day.toordinal()
        planned = []
        for _ in range(count):
            channel = rng.choices(self.channels, cum_weights=self.channel_cum)[0]
            if not working:
                channel = ONLINE
            second = self._second(channel, working)
            planned.append(self.dossier(day, channel, ordinal * DAY + second))
        planned.sort(key=lambda p: p.submitted_at)
        return planned

    def _second(self, channel: int, working: bool) -> int:
        """Online: 6:00–23:00, mostly office hours; counter and post: office hours."""
        rng = self.rng
        if channel == ONLINE and (not working or rng.random() < 0.3):
            return rng.randrange(6 * 3600, 23 * 3600)
        return office_second(rng.randrange(27_000))

    def _version(self, channel: int, day: date) -> Version:
        key = (channel, day)
        if key not in self._choices:
            usable = [v for v in self.world.versions if v.in_force(day) and _accepts(v, channel)]
            if not usable:
                raise SystemExit(f"generate_dossiers: no procedure in force on {day}")
            weights = [float(POPULARITY.get(v.national_code, 1)) for v in usable]
            self._choices[key] = (usable, list(accumulate(weights)))
        usable, cum = self._choices[key]
        return self.rng.choices(usable, cum_weights=cum)[0]

    def dossier(self, day: date, channel: int, submitted_at: int) -> Planned:
        world, rng = self.world, self.rng
        version = self._version(channel, day)
        if version.commune_level or not (world.centres or version.handling):
            receiving = rng.choices(world.communes, cum_weights=world.commune_cum)[0]
            handling, home = receiving, receiving
        else:
            receiving = rng.choice(world.centres) if world.centres else version.handling  # type: ignore[assignment]
            handling = version.handling or receiving
            home = rng.choices(world.communes, cum_weights=world.commune_cum)[0]
        delivery = _delivery(version, channel, rng)
        case = Case(
            channel,
            submitted_at,
            version.limit_amount,
            version.limit_unit,
            result_online=delivery == "online",
        )
        life = live(case, world.clock, self.horizon, rng)
        fields = self._applicant_fields(version, channel, delivery, home, day.year)
        return Planned(version, receiving, handling, channel, life, fields, submitted_at)

    def _applicant_fields(
        self, version: Version, channel: int, delivery: str, home: Place, year: int
    ) -> dict[str, Any]:
        applicant = self.people.applicant(_kind(version.audiences, self.rng), year)
        address = self.people.address(home.unit_name)
        paid = version.fee if channel == ONLINE and version.fee and self.rng.random() < 0.8 else 0
        answers = (
            f'{{"nguoi_yeu_cau": {{"ho_ten": "{applicant.name}", '
            f'"so_dinh_danh": "{applicant.id_number}", "dien_thoai": "{applicant.phone}", '
            f'"noi_cu_tru": "{home.unit_code}", "dia_chi": "{address}"}}, '
            f'"so_ban": {self.rng.randint(1, 3)}}}'
        )
        return {
            "applicant": applicant,
            "address": address,
            "unit_id": home.unit_id,
            "answers": answers,
            "delivery": delivery,
            "delivery_address": address if delivery == "post" else "",
            "paid": paid,
        }


def _accepts(version: Version, channel: int) -> bool:
    if channel == ONLINE:
        return version.online
    if channel == POST:
        return "post" in version.delivery_options
    return True


def _delivery(version: Version, channel: int, rng: random.Random) -> str:
    options = version.delivery_options
    if channel == ONLINE and "online" in options and rng.random() < 0.75:
        return "online"
    if channel != COUNTER and "post" in options and rng.random() < 0.6:
        return "post"
    return "counter" if "counter" in options else options[0]


def _kind(audiences: tuple[str, ...], rng: random.Random) -> int:
    """LoaiDoiTuong: 0 citizen, 1 enterprise, 2 household business."""
    if "citizen" not in audiences:
        return 1 if "enterprise" in audiences else 2
    if "enterprise" in audiences and rng.random() < 0.3:
        return 1
    if "household_business" in audiences and rng.random() < 0.4:
        return 2
    return 0
