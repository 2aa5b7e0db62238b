"""Catalogue search: the published versions in force on a date, one per procedure, matched on the
folded `search_text` (case and diacritics ignored, "đ" included), ranked, with facet counts for
the filter UI. Plain `LIKE` on every database; see docs/adr/0007-catalogue-search.md."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone

from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import OnlineLevel, ProcedureVersion
from chinhquyen.procedures.text import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# After folding, anything that is not a letter or a digit separates words ("giấy phép, xây-dựng").
_SEPARATORS = re.compile(r"[\W_]+")

RANK_PHRASE_IN_NAME = 0
RANK_ALL_WORDS_IN_NAME = 1
RANK_ELSEWHERE = 2


@dataclass(frozen=True)
class FacetCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    query: str  # the query as searched (truncated)
    terms: list[str]  # its folded words; empty: browse everything
    hits: list[ProcedureVersion]  # the requested page, ranked
    total: int  # matches with every filter applied
    fields: list[FacetCount] = field(default_factory=list)
    implementing_levels: list[FacetCount] = field(default_factory=list)
    online_levels: list[FacetCount] = field(default_factory=list)


def query_terms(query: str) -> list[str]:
    """The folded words of a query, without duplicates or punctuation, at most `MAX_TERMS`."""
    words: list[str] = []
    for word in _SEPARATORS.split(fold(query[:MAX_QUERY_LENGTH])):
        if word and word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def versions_in_force(on_date: date) -> QuerySet[ProcedureVersion]:
    """Published versions in force on `on_date`; if two overlap, the higher version wins."""
    in_force = Q(status=ProcedureVersion.Status.PUBLISHED, effective_from__lte=on_date) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on_date)
    )
    newer = ProcedureVersion.objects.filter(
        in_force, procedure=OuterRef("procedure"), version__gt=OuterRef("version")
    )
    return ProcedureVersion.objects.filter(in_force).exclude(Exists(newer))


def catalogue_version(national_code: str, on_date: date | None = None) -> ProcedureVersion | None:
    """The version a citizen may see on the date, or None (unknown, draft, not in force)."""
    on_date = on_date or timezone.localdate()
    return (
        versions_in_force(on_date)
        .filter(procedure__national_code=national_code)
        .select_related("field", "procedure")
        .first()
    )


class _Row(NamedTuple):
    id: int
    name: str
    field_code: str
    field_name: str
    implementing_level: str
    online_level: str


def search_catalogue(
    query: str,
    *,
    field_code: str | None = None,
    implementing_level: str | None = None,
    online_level: str | None = None,
    agency_id: int | None = None,
    audience: str | None = None,
    on_date: date | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> SearchResult:
    """Every folded query word must occur in `search_text`. Ranked: the whole phrase in the name,
    then every word in the name, then the rest; then by name. Facet counts for each filter are
    computed with the other filters applied, so a citizen sees what choosing it would give.

    The database does the matching; the few columns of the matches (at most one row per
    procedure) come back once, and filtering by facet, counting and ranking happen here."""
    query = (query or "")[:MAX_QUERY_LENGTH]
    terms = query_terms(query)
    rows = _matching_rows(terms, agency_id, audience, on_date or timezone.localdate())
    selected = _keep(rows, field_code, implementing_level, online_level)
    selected.sort(key=lambda row: _rank_key(row.name, terms))
    offset = max(offset, 0)
    page = selected[offset : None if limit is None else offset + max(limit, 0)]
    by_field = Counter(
        (r.field_code, r.field_name) for r in _keep(rows, None, implementing_level, online_level)
    )
    by_level = Counter(r.implementing_level for r in _keep(rows, field_code, None, online_level))
    by_online = Counter(r.online_level for r in _keep(rows, field_code, implementing_level, None))
    return SearchResult(
        query=query,
        terms=terms,
        hits=_load([row.id for row in page]),
        total=len(selected),
        fields=_facet(dict(by_field)),
        implementing_levels=_facet(_labelled(by_level, ProcedureVersion.ImplementingLevel)),
        online_levels=_facet(_labelled(by_online, OnlineLevel)),
    )


def _matching_rows(
    terms: list[str], agency_id: int | None, audience: str | None, on_date: date
) -> list[_Row]:
    matched = versions_in_force(on_date)
    for term in terms:
        matched = matched.filter(search_text__contains=term)
    if agency_id is not None:
        matched = matched.filter(agencies=agency_id)
    if audience:
        # JSON `contains` is not available on SQLite; a list holds at most one of each audience.
        matched = matched.filter(
            Q(audiences__0=audience) | Q(audiences__1=audience) | Q(audiences__2=audience)
        )
    columns = matched.order_by().values_list(
        "id", "name", "field__code", "field__name", "implementing_level", "online_level"
    )
    return [_Row(*values) for values in columns]


def _keep(
    rows: list[_Row], field_code: str | None, implementing: str | None, online: str | None
) -> list[_Row]:
    return [
        row
        for row in rows
        if (not field_code or row.field_code == field_code)
        and (not implementing or row.implementing_level == implementing)
        and (not online or row.online_level == online)
    ]


def _labelled(counts: Counter[str], choices: type[TextChoices]) -> dict[tuple[str, str], int]:
    labels = {value: str(label) for value, label in choices.choices}
    return {(key, labels.get(key, key)): count for key, count in counts.items()}


def _facet(counts: dict[tuple[str, str], int]) -> list[FacetCount]:
    ordered = sorted(counts.items(), key=lambda item: _folded(item[0][1]))
    return [FacetCount(key=key, label=label, count=count) for (key, label), count in ordered]


@lru_cache(maxsize=8192)
def _folded(name: str) -> str:
    """Folding is pure, and the same few thousand names come back on every search."""
    return fold(name)


def _rank_key(name: str, terms: list[str]) -> tuple[int, int, str, str]:
    """(rank, where in the name the match starts, folded name, name): "Cấp giấy phép xây dựng
    mới" comes before "Cấp điều chỉnh giấy phép xây dựng" for "giay phep xay dung"."""
    folded = _folded(name)
    if not terms:
        return (RANK_ELSEWHERE, 0, folded, name)
    at = folded.find(" ".join(terms))
    if at >= 0:
        return (RANK_PHRASE_IN_NAME, at, folded, name)
    if all(term in folded for term in terms):
        return (RANK_ALL_WORDS_IN_NAME, folded.find(terms[0]), folded, name)
    return (RANK_ELSEWHERE, 0, folded, name)


def _load(ids: list[int]) -> list[ProcedureVersion]:
    by_id = ProcedureVersion.objects.select_related("field", "procedure").in_bulk(ids)
    return [by_id[pk] for pk in ids]


def catalogue_agencies(on_date: date | None = None) -> QuerySet[Agency]:
    """Agencies competent for a published version in force (the agency filter's choices)."""
    on_date = on_date or timezone.localdate()
    links = ProcedureVersion.agencies.through.objects.filter(
        Q(procedureversion__effective_to__isnull=True)
        | Q(procedureversion__effective_to__gte=on_date),
        procedureversion__status=ProcedureVersion.Status.PUBLISHED,
        procedureversion__effective_from__lte=on_date,
    )
    return Agency.objects.filter(pk__in=links.values("agency_id")).order_by("name")
