"""Catalogue search over 2,000 procedures on PostgreSQL (target: p95 ≤ 30 ms):

    DJANGO_DEBUG=1 .venv/bin/python bench/bench_catalogue_search.py \
        [--database-url postgres://postgres@127.0.0.1:5432/chinhquyen_bench_search] \
        [--procedures 2000] [--rounds 20] [--no-trigram]

Creates the database (dropped at the end, whatever happens), migrates, generates a realistic
catalogue (names from Vietnamese verbs and objects across 20 fields, with expired and draft
versions beside the ones in force), then times a mix of queries (with and without diacritics,
1–4 words, with and without filters):

- `function`: `search_catalogue(...)` in this process, one page of 20;
- `page`: GET /dich-vu-cong/tim-kiem/?... through Django's test client (view + template);
- `function + trigram`: as `function` after an ad hoc `pg_trgm` GIN index on `search_text`
  (not in the migrations: measured here to decide whether it is worth adding).

Prints a Markdown table and writes bench/results/catalogue-search-<UTC timestamp>.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/chinhquyen_bench_search"
PAGE_SIZE = 20

FIELDS = {
    "HT": (
        "Hộ tịch",
        [
            "khai sinh",
            "kết hôn",
            "khai tử",
            "nhận cha, mẹ, con",
            "giám hộ",
            "thay đổi, cải chính hộ tịch",
            "trích lục hộ tịch",
        ],
    ),
    "CT": (
        "Chứng thực",
        [
            "bản sao từ bản chính",
            "chữ ký trong giấy tờ",
            "hợp đồng, giao dịch",
            "việc sửa đổi hợp đồng",
            "chữ ký người dịch",
        ],
    ),
    "XD": (
        "Xây dựng",
        [
            "giấy phép xây dựng",
            "giấy phép xây dựng công trình tạm",
            "chứng chỉ hành nghề hoạt động xây dựng",
            "giấy phép di dời công trình",
            "thiết kế cơ sở",
            "chứng chỉ năng lực hoạt động xây dựng",
        ],
    ),
    "DD": (
        "Đất đai",
        [
            "giấy chứng nhận quyền sử dụng đất",
            "biến động đất đai",
            "chuyển mục đích sử dụng đất",
            "thuê đất",
            "giao đất",
            "tách thửa, hợp thửa",
        ],
    ),
    "KD": (
        "Thành lập và hoạt động doanh nghiệp",
        [
            "hộ kinh doanh",
            "doanh nghiệp tư nhân",
            "công ty trách nhiệm hữu hạn",
            "chi nhánh, văn phòng đại diện",
            "địa điểm kinh doanh",
        ],
    ),
    "GT": (
        "Đường bộ",
        ["giấy phép lái xe", "đăng ký xe", "giấy phép vận tải", "biển hiệu xe", "phù hiệu xe ô tô"],
    ),
    "GD": (
        "Giáo dục và đào tạo",
        [
            "bằng tốt nghiệp",
            "văn bằng, chứng chỉ",
            "trường mầm non",
            "cơ sở giáo dục",
            "chuyển trường",
            "học bổng",
        ],
    ),
    "YT": (
        "Y tế",
        [
            "chứng chỉ hành nghề khám bệnh, chữa bệnh",
            "giấy phép hoạt động phòng khám",
            "cơ sở bán lẻ thuốc",
            "quảng cáo thực phẩm",
        ],
    ),
    "LD": (
        "Lao động",
        [
            "giấy phép lao động cho người nước ngoài",
            "nội quy lao động",
            "thỏa ước lao động tập thể",
            "trợ cấp thất nghiệp",
        ],
    ),
    "BT": (
        "Bảo trợ xã hội",
        [
            "trợ cấp xã hội hằng tháng",
            "hỗ trợ chi phí mai táng",
            "người khuyết tật",
            "cơ sở trợ giúp xã hội",
        ],
    ),
    "NC": (
        "Người có công",
        ["trợ cấp ưu đãi", "liệt sĩ", "thương binh", "bà mẹ Việt Nam anh hùng"],
    ),
    "TN": (
        "Tài nguyên nước",
        [
            "giấy phép khai thác nước dưới đất",
            "giấy phép xả thải vào nguồn nước",
            "giấy phép thăm dò nước dưới đất",
        ],
    ),
    "MT": (
        "Môi trường",
        [
            "giấy phép môi trường",
            "báo cáo đánh giá tác động môi trường",
            "kế hoạch bảo vệ môi trường",
        ],
    ),
    "VH": (
        "Văn hóa",
        [
            "giấy phép tổ chức lễ hội",
            "di tích lịch sử",
            "biểu diễn nghệ thuật",
            "karaoke, vũ trường",
            "quảng cáo ngoài trời",
        ],
    ),
    "NN": (
        "Nông nghiệp",
        [
            "giống cây trồng",
            "thuốc bảo vệ thực vật",
            "an toàn thực phẩm nông sản",
            "kinh tế trang trại",
            "khai thác thủy sản",
        ],
    ),
    "TP": (
        "Tư pháp",
        ["lý lịch tư pháp", "quốc tịch Việt Nam", "hòa giải viên", "trợ giúp pháp lý"],
    ),
    "CA": ("Cư trú", ["thường trú", "tạm trú", "lưu trú", "tách hộ", "thông báo lưu trú"]),
    "TC": (
        "Tài chính",
        [
            "mã số đơn vị có quan hệ với ngân sách",
            "giá đất cụ thể",
            "tài sản công",
            "quyết toán vốn đầu tư",
        ],
    ),
    "CT2": (
        "Công thương",
        [
            "giấy phép bán lẻ rượu",
            "cửa hàng xăng dầu",
            "khuyến mại",
            "giấy phép bán buôn thuốc lá",
            "chợ",
        ],
    ),
    "TG": (
        "Tôn giáo",
        ["sinh hoạt tôn giáo tập trung", "người chuyên hoạt động tôn giáo", "cơ sở tôn giáo"],
    ),
}
VERBS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Đăng ký",
    "Đăng ký thay đổi",
    "Xác nhận",
    "Thẩm định",
    "Công nhận",
    "Phê duyệt",
    "Chấp thuận",
    "Cấp bản sao",
    "Đính chính",
    "Thông báo",
    "Giải quyết",
    "Hỗ trợ",
]
QUALIFIERS = [
    "",
    "",
    "",
    " đối với hộ gia đình, cá nhân",
    " cho tổ chức",
    " có yếu tố nước ngoài",
    " trong trường hợp bị mất, hỏng",
]

QUERIES: list[tuple[str, dict[str, object]]] = [
    ("giay phep xay dung", {}),
    ("GIẤY PHÉP", {}),
    ("Cấp giấy phép xây dựng", {}),
    ("đăng ký khai sinh", {}),
    ("dang ky kinh doanh", {}),
    ("ho kinh doanh", {"implementing_level": "commune"}),
    ("cap lai", {}),
    ("chứng thực", {}),
    ("chung thuc ban sao", {"online_level": "full"}),
    ("đất đai", {}),
    ("cap doi giay chung nhan quyen su dung dat", {}),
    ("gia han giay phep", {}),
    ("thu hồi", {"field_code": "XD"}),
    ("trợ cấp", {}),
    ("tro cap xa hoi hang thang", {}),
    ("giấy phép lái xe", {}),
    ("tam tru", {}),
    ("ly lich tu phap", {}),
    ("môi trường", {"implementing_level": "province"}),
    ("ket hon co yeu to nuoc ngoai", {}),
    ("", {}),
    ("", {"field_code": "HT"}),
    ("", {"online_level": "full", "implementing_level": "commune"}),
    ("dang ky", {"field_code": "GT"}),
    ("xac nhan", {"agency": True}),
    ("khong co thu tuc nay", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-trigram", action="store_true")
    args = parser.parse_args()
    database = urlsplit(args.database_url).path.lstrip("/")
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    _admin(admin_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"), database)
    _admin(admin_url, sql.SQL("CREATE DATABASE {}"), database)
    try:
        report = _run(args, args.database_url)
    finally:
        _close_django_connections()
        _admin(admin_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)"), database)
    _print_and_save(report)


def _admin(url: str, statement: sql.SQL, database: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.format(sql.Identifier(database)))


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyen.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.conf import settings

    if "chinhquyen.portal" not in settings.INSTALLED_APPS:  # until the lead mounts the portal
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "chinhquyen.portal"]
        settings.ROOT_URLCONF = "tests.portal.urls_for_tests"
    django.setup()


def _run(args: argparse.Namespace, database_url: str) -> dict[str, object]:
    _setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = _generate(args.procedures, random.Random(20261123))
    generated_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = [_measure("function", _function_call, args.rounds)]
    rows.append(_measure("page", _page_call, args.rounds))
    if not args.no_trigram:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX procver_search_trgm ON procedures_procedureversion "
                "USING gin (search_text gin_trgm_ops)"
            )
            cursor.execute("ANALYZE")
        rows.append(_measure("function + trigram", _function_call, args.rounds))
    return {
        "at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "postgres": connection.cursor().connection.info.server_version,
        "catalogue": counts,
        "generated_in_s": round(generated_s, 1),
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "rows": rows,
    }


def _generate(total: int, rng: random.Random) -> dict[str, int]:
    from django.utils import timezone

    from chinhquyen.org.actions import do_create_agency
    from chinhquyen.org.models import Agency
    from chinhquyen.procedures.models import Field, Procedure, ProcedureVersion
    from chinhquyen.procedures.text import fold

    today = timezone.localdate()
    fields = {
        code: Field.objects.create(code=code, name=name, search_text=fold(name))
        for code, (name, _) in FIELDS.items()
    }
    agencies = {
        code: do_create_agency(
            acting_user=None,
            identifier_code=f"000.00.{n:02d}.H99",
            name=f"Sở {name}",
            abbreviation=f"S{n:02d}",
            kind=Agency.Kind.DEPARTMENT,
        )
        for n, (code, (name, _)) in enumerate(FIELDS.items(), start=1)
    }
    procedures = Procedure.objects.bulk_create(
        Procedure(national_code=f"1.{n:06d}.000.00.00.H99") for n in range(1, total + 1)
    )
    versions = []
    for procedure in procedures:
        code = rng.choice(list(FIELDS))
        name = f"{rng.choice(VERBS)} {rng.choice(FIELDS[code][1])}{rng.choice(QUALIFIERS)}"
        versions.extend(_versions_of(procedure, name, fields[code], today, rng))
    for v in versions:
        v.search_text = fold(
            f"{v.name} {v.field.name} {v.implementing_text} {v.result} {v.procedure.national_code}"
        )
    created = ProcedureVersion.objects.bulk_create(versions, batch_size=500)
    links = [
        ProcedureVersion.agencies.through(
            procedureversion_id=v.pk, agency_id=agencies[v.field.code].pk
        )
        for v in created
        if v.implementing_level == ProcedureVersion.ImplementingLevel.PROVINCE
    ]
    ProcedureVersion.agencies.through.objects.bulk_create(links, batch_size=1000)
    return {"procedures": total, "versions": len(created), "fields": len(fields)}


def _versions_of(
    procedure: Procedure, name: str, field: Field, today: date, rng: random.Random
) -> list[ProcedureVersion]:
    from chinhquyen.procedures.models import ProcedureVersion

    level = rng.choice(["province", "commune"])
    common = {
        "procedure": procedure,
        "field": field,
        "audiences": rng.choice([["citizen"], ["enterprise"], ["citizen", "household_business"]]),
        "online_level": rng.choice(["full", "full", "partial", "partial", "none"]),
        "legacy_level": rng.choice([2, 3, 4]),
        "implementing_level": level,
        "implementing_text": "Ủy ban nhân dân cấp xã" if level == "commune" else f"Sở {field.name}",
        "time_limit_value": Decimal(rng.choice([0, 1, 3, 5, 10, 15, 20])),
        "time_limit_unit": "working_days",
        "result": f"Quyết định {name.lower()}",
        "delivery_options": ["counter", "post"],
    }
    current = ProcedureVersion(
        version=1,
        status="published",
        name=name,
        effective_from=today - timedelta(days=90),
        **common,
    )
    roll = rng.random()
    if roll < 0.1:  # an expired version 1, the current one is version 2
        current.version = 2
        old = ProcedureVersion(
            version=1,
            status="published",
            name=f"{name} (cũ)",
            effective_from=today - timedelta(days=900),
            effective_to=today - timedelta(days=91),
            **common,
        )
        return [old, current]
    if roll < 0.15:  # a draft being prepared
        draft = ProcedureVersion(
            version=2, status="draft", name=f"{name} (dự thảo)", effective_from=today, **common
        )
        return [current, draft]
    return [current]


def _query_arguments(filters: dict[str, object]) -> dict[str, object]:
    from chinhquyen.org.models import Agency

    arguments = {key: value for key, value in filters.items() if key != "agency"}
    if filters.get("agency"):
        arguments["agency_id"] = Agency.objects.order_by("pk").values_list("pk", flat=True)[0]
    return arguments


def _function_call(query: str, filters: dict[str, object]) -> Callable[[], object]:
    from chinhquyen.procedures.search import search_catalogue

    arguments = _query_arguments(filters)
    return lambda: search_catalogue(query, limit=PAGE_SIZE, **arguments)  # type: ignore[arg-type]


def _page_call(query: str, filters: dict[str, object]) -> Callable[[], object]:
    from django.test import Client

    names = {
        "field_code": "linh_vuc",
        "implementing_level": "cap",
        "online_level": "muc_do",
        "agency_id": "co_quan",
    }
    params = {"q": query} | {
        names[key]: str(value) for key, value in _query_arguments(filters).items()
    }
    client = Client(HTTP_HOST="localhost")
    url = "/dich-vu-cong/tim-kiem/?" + urlencode(params)

    def call() -> object:
        response = client.get(url)
        assert response.status_code == 200, url
        return response

    return call


def _measure(
    mode: str, make: Callable[[str, dict[str, object]], Callable[[], object]], rounds: int
) -> dict[str, object]:
    calls = [make(query, filters) for query, filters in QUERIES]
    for call in calls:  # warm-up: connection, template and fold caches
        call()
    samples: list[float] = []
    for _ in range(rounds):
        for call in calls:
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()

    def pct(p: float) -> float:
        return round(samples[min(len(samples) - 1, int(p / 100 * len(samples)))], 2)

    return {
        "mode": mode,
        "samples": len(samples),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(samples[-1], 2),
    }


def _print_and_save(report: dict[str, object]) -> None:
    print(f"Catalogue: {report['catalogue']}; {report['queries']} queries × {report['rounds']}")
    print("| Mode | samples | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|")
    for row in report["rows"]:  # type: ignore[attr-defined]
        print(
            f"| {row['mode']} | {row['samples']} | {row['p50_ms']} | {row['p95_ms']} "
            f"| {row['p99_ms']} | {row['max_ms']} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"catalogue-search-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
