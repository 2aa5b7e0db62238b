"""Citizens for the submission benchmark: accounts created straight in the bench database, signed
in over HTTP on the citizen sign-in page, then driving the dossier API the way the portal's
JavaScript-free client or a mobile app would (requests, one `requests.Session` per citizen)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

SESSION_COOKIE = "cq_session"
CSRF_COOKIE = "cq_csrftoken"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SIGN_IN_PATH = "/tai-khoan/dang-nhap/"
PASSWORD = "Bench-Citizen@2026"  # noqa: S105 (made-up accounts in a throw-away database)
BIRTH_REGISTRATION = "1.001193.000.00.00.H33"  # Đăng ký khai sinh: online, no fee when on time


class FlowError(RuntimeError):
    pass


@dataclass(frozen=True)
class Person:
    user_id: int
    phone: str
    full_name: str
    personal_id: str


def create_citizens(n: int) -> list[Person]:
    """`n` verified citizen accounts (phone 09000000NN), as sign-up plus a confirmed code would
    leave them; created with the ORM in the bench process, against the bench database."""
    from django.utils import timezone

    from chinhquyen.org.models import CitizenProfile, User

    people, now = [], timezone.now()
    for i in range(1, n + 1):
        phone, personal_id = f"0900{i:06d}", f"033{1 if i % 2 else 0}9{i % 10}{i:06d}"
        user = User(
            username=f"bench.citizen.{i}",
            kind=User.Kind.CITIZEN,
            full_name=f"Nguyễn Văn Thử {i}",
            phone=phone,
        )
        user.set_password(PASSWORD)
        user.save()
        CitizenProfile.objects.create(user=user, personal_id=personal_id, phone_verified_at=now)
        people.append(Person(user.pk, phone, user.full_name, personal_id))
    return people


def session_without_http(person: Person) -> str:
    """A session made with Django's SessionStore in this process (the fallback when the sign-in
    page is not there): what `login()` would have stored."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from chinhquyen.org.models import User

    user = User.objects.get(pk=person.user_id)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


@dataclass
class Timings:
    """Seconds per request, by step name."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, step: str, seconds: float) -> None:
        self.samples.setdefault(step, []).append(seconds)


class Citizen:
    def __init__(self, base_url: str, person: Person) -> None:
        self.base_url, self.person = base_url, person
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "chinhquyen-bench/1 (requests)"

    def sign_in(self) -> bool:
        """Password sign-in on the citizen page; False when the page does not exist (yet)."""
        url = self.base_url + SIGN_IN_PATH
        page = self.http.get(url, timeout=30)
        if page.status_code == 404:
            return False
        token = CSRF_FIELD.search(page.text)
        if page.status_code != 200 or token is None:
            raise FlowError(f"sign-in page answered {page.status_code} without a form")
        answer = self.http.post(
            url,
            data={
                "identifier": self.person.phone,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": url, "Origin": self.base_url},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302 or SESSION_COOKIE not in {c.name for c in self.http.cookies}:
            raise FlowError(f"sign-in of {self.person.phone} answered {answer.status_code}")
        return True

    def use_session(self, session_key: str) -> None:
        self.http.cookies.set(SESSION_COOKIE, session_key)

    def call(self, method: str, path: str, timings: Timings, step: str, **kwargs: Any) -> Any:
        """One API request; the CSRF token goes in the header, as Django wants for a session."""
        token = next((c.value for c in self.http.cookies if c.name == CSRF_COOKIE), None)
        if not token:  # no page visited yet: any 32-letter secret, sent as cookie and header
            token = "benchcsrftoken0123456789abcdefgh"  # noqa: S105 (not a secret)
            host = urlsplit(self.base_url).hostname or ""
            self.http.cookies.set(CSRF_COOKIE, token, domain=host, path="/")
        headers = {"X-CSRFToken": token, "Referer": self.base_url + "/"}
        started = time.perf_counter()
        answer = self.http.request(
            method, self.base_url + path, headers=headers, timeout=60, **kwargs
        )
        timings.add(step, time.perf_counter() - started)
        if answer.status_code not in (200, 201):
            raise FlowError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()


def birth_answers(commune_code: str, person: Person, today: date) -> dict[str, Any]:
    """A complete birth-registration form: the parent asks for a child born ten days ago."""
    return {
        "nguoi_yeu_cau": {
            "ho_ten": person.full_name,
            "so_dinh_danh": person.personal_id,
            "dien_thoai": person.phone,
            "noi_cu_tru": commune_code,
            "dia_chi": "Số 1, phố Hiến Nam",
            "quan_he": "cha",
        },
        "tre": [
            {
                "ho_ten": "Nguyễn Minh Khôi",
                "gioi_tinh": "nam",
                "ngay_sinh": (today - timedelta(days=10)).isoformat(),
                "noi_sinh": "Bệnh viện Đa khoa tỉnh",
                "dan_toc": "Kinh",
                "quoc_tich": "Việt Nam",
            }
        ],
        "cha_me": {
            "ho_ten_me": "Trần Thị Bình",
            "so_dinh_danh_me": "001190012345",
            "co_thong_tin_cha": False,
        },
    }


@dataclass(frozen=True)
class Reception:
    agency_id: int
    commune_code: str


def prepare_draft(
    citizen: Citizen, reception: Reception, pdf: bytes, timings: Timings, today: date
) -> str:
    """Every step of the online form but the last: draft, applicant, each group of the form,
    place of reception, one PDF per required document. Returns the draft id."""
    person = citizen.person
    draft = citizen.call(
        "POST", "/api/v1/drafts", timings, "create", json={"national_code": BIRTH_REGISTRATION}
    )
    base = f"/api/v1/drafts/{draft['id']}"
    applicant = {
        "kind": "citizen",
        "full_name": person.full_name,
        "personal_id": person.personal_id,
        "phone": person.phone,
        "address": "Số 1, phố Hiến Nam",
    }
    citizen.call("PUT", f"{base}/applicant", timings, "applicant", json=applicant)
    for group, value in birth_answers(reception.commune_code, person, today).items():
        citizen.call("PUT", f"{base}/answers/{group}", timings, "answers", json={"value": value})
    choice = {"receiving_agency_id": reception.agency_id, "delivery_option": "online"}
    citizen.call("PUT", f"{base}/reception", timings, "reception", json=choice)
    for need in draft["documents"]:
        if need["required"]:
            citizen.call(
                "POST",
                f"{base}/attachments",
                timings,
                "upload",
                data={"required_document_id": str(need["id"])},
                files={"file": ("giay-to.pdf", pdf, "application/pdf")},
            )
    return str(draft["id"])


def submit_draft(citizen: Citizen, draft_id: str, timings: Timings) -> str:
    """The submission itself: declaration and submit; returns the dossier code."""
    dossier = citizen.call(
        "POST",
        f"/api/v1/drafts/{draft_id}/submit",
        timings,
        "submit",
        json={"declaration": True},
    )
    return str(dossier["code"])
