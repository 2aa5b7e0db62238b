"""Administrative units loaded from the maintained `vietnam-provinces` package, never typed by hand.

Current units (34 provinces and their communes after the 01/07/2025 reform, two-level local
government) come from the installed release. The former provinces and districts come from
`data/former_units.json`, generated from vietnam-provinces 0.6.0 by
`scripts/generate_former_units.py`, and stay as history rows with `valid_to = 2025-06-30`.

Codes are GSO codes, zero-padded as in the national catalogue (province 2 digits, district 3,
commune 5). A former province whose code and name both survive (Hưng Yên, 33) is the same row
continuing: it is not closed, and its former districts hang under it. A former province whose code
was taken by a differently named province (Yên Bái 15 → Lào Cai 15) or that disappeared
(Thái Bình 34 → Hưng Yên 33) is a separate closed row. See docs/adr/0003.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import vietnam_provinces
from django.db import transaction
from vietnam_provinces import Province, Ward

from chinhquyen.audit.actions import record_audit
from chinhquyen.org.models import AdministrativeUnit

Level = AdministrativeUnit.Level

CURRENT_VALID_FROM = date(2025, 7, 1)  # Two-level local government in force.
FORMER_VALID_TO = date(2025, 6, 30)
CURRENT_SOURCE = (
    f"vietnam-provinces {vietnam_provinces.__version__} (data {vietnam_provinces.__data_version__})"
)
FORMER_UNITS_PATH = Path(__file__).resolve().parent / "data" / "former_units.json"
_FIELDS = ["name", "division_type", "codename", "parent", "valid_from", "valid_to", "source"]
_PREFIXES = ("tỉnh ", "thành phố ")


def province_code(number: int) -> str:
    return f"{number:02d}"


def district_code(number: int) -> str:
    return f"{number:03d}"


def commune_code(number: int) -> str:
    return f"{number:05d}"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def add(self, key: str, created: int, updated: int) -> None:
        self.created[key] = self.created.get(key, 0) + created
        self.updated[key] = self.updated.get(key, 0) + updated


def load_administrative_units(province_codes: list[int] | None = None) -> LoadResult:
    """Upsert current provinces and communes, and the former provinces and districts that went
    into them. Idempotent: a second run changes no row and writes no audit row."""
    wanted = set(province_codes) if province_codes else None
    result = LoadResult()
    with transaction.atomic():
        provinces = _load_current_provinces(wanted, result)
        _load_communes(provinces, result)
        _load_former_units(provinces, result)
        if result.changed:
            record_audit(
                "adminunits.load",
                object_type="org.administrativeunit",
                object_repr=CURRENT_SOURCE,
                after={"created": result.created, "updated": result.updated},
            )
    return result


def _load_current_provinces(
    wanted: set[int] | None, result: LoadResult
) -> dict[int, AdministrativeUnit]:
    rows = {
        int(p.code): _current_row(province_code(int(p.code)), p.name, p.division_type.value, p)
        for p in Province.iter_all()
        if wanted is None or int(p.code) in wanted
    }
    units = _upsert(Level.PROVINCE, list(rows.values()), result, "province")
    return {number: units[row["code"]] for number, row in rows.items()}


def _load_communes(provinces: dict[int, AdministrativeUnit], result: LoadResult) -> None:
    rows = [
        {
            **_current_row(commune_code(int(w.code)), w.name, w.division_type.value, w),
            "parent_id": provinces[int(w.province_code)].pk,
        }
        for w in Ward.iter_all()
        if int(w.province_code) in provinces
    ]
    _upsert(Level.COMMUNE, rows, result, "commune")


def _current_row(code: str, name: str, division_type: str, unit: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "division_type": division_type,
        "codename": unit.codename,
        "parent_id": None,
        "valid_from": CURRENT_VALID_FROM,
        "valid_to": None,
        "source": CURRENT_SOURCE,
    }


def read_former_units() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FORMER_UNITS_PATH.read_text(encoding="utf-8"))
    return data


def _bare_name(name: str) -> str:
    lowered = name.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return lowered.removeprefix(prefix)
    return lowered


def _load_former_units(provinces: dict[int, AdministrativeUnit], result: LoadResult) -> None:
    data = read_former_units()
    # `provinces` holds only the wanted current provinces.
    former = [p for p in data["provinces"] if p["successor_code"] in provinces]
    continuing = {
        p["code"]: provinces[p["code"]]
        for p in former
        if p["code"] in provinces and _bare_name(p["name"]) == _bare_name(provinces[p["code"]].name)
    }
    closed_rows = [
        _former_row(province_code(p["code"]), p, data["source"])
        for p in former
        if p["code"] not in continuing
    ]
    closed = _upsert(Level.PROVINCE, closed_rows, result, "former_province")
    parents = dict(continuing)
    parents.update(
        {p["code"]: closed[province_code(p["code"])] for p in former if p["code"] not in continuing}
    )
    district_rows = [
        {
            **_former_row(district_code(d["code"]), d, data["source"]),
            "parent_id": parents[p["code"]].pk,
        }
        for p in former
        for d in p["districts"]
    ]
    _upsert(Level.DISTRICT, district_rows, result, "former_district")


def _former_row(code: str, unit: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": unit["name"],
        "division_type": unit["division_type"],
        "codename": unit["codename"],
        "parent_id": None,
        "valid_from": None,  # Not in the source data; unknown rather than guessed.
        "valid_to": FORMER_VALID_TO,
        "source": source,
    }


def _upsert(
    level: str, rows: list[dict[str, Any]], result: LoadResult, label: str
) -> dict[str, AdministrativeUnit]:
    """Create or update rows of one level, matched by code within the same period (current rows
    by `valid_to IS NULL`, history rows by `valid_to = 2025-06-30`)."""
    current = all(row["valid_to"] is None for row in rows)
    codes = {row["code"] for row in rows}
    existing = _period(level, current, codes)
    to_create, to_update = [], []
    for row in rows:
        unit = existing.get(row["code"])
        if unit is None:
            to_create.append(AdministrativeUnit(level=level, **row))
        elif any(getattr(unit, key) != value for key, value in row.items()):
            for key, value in row.items():
                setattr(unit, key, value)
            to_update.append(unit)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
    AdministrativeUnit.objects.bulk_update(to_update, _FIELDS, batch_size=500)
    result.add(label, len(to_create), len(to_update))
    return _period(level, current, codes)


def _period(level: str, current: bool, codes: set[str]) -> dict[str, AdministrativeUnit]:
    # Filtered in Python: a national load has 3,321 communes, more than some SQLite builds
    # accept as parameters of one IN list.
    units = AdministrativeUnit.objects.filter(level=level)
    units = (
        units.filter(valid_to__isnull=True) if current else units.filter(valid_to=FORMER_VALID_TO)
    )
    return {unit.code: unit for unit in units if unit.code in codes}
