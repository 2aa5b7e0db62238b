"""Sign a staff member in over HTTP the way a browser does (password, then TOTP), with only the
standard library and pyotp, and hand back the session cookie for the load generator."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pyotp

SESSION_COOKIE = "cq_session"
CSRF_COOKIE = "cq_csrftoken"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
USER_AGENT = "chinhquyen-bench/1 (urllib)"


class SignInError(RuntimeError):
    pass


class Browser:
    """A cookie jar and the headers a browser would send to a same-origin form."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[str, str]:
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310 (loopback)

    def submit(self, path: str, page: str, fields: dict[str, str]) -> tuple[str, str]:
        """Post the form of `page` with its CSRF token, as a browser would."""
        match = CSRF_FIELD.search(page)
        if match is None:
            raise SignInError(f"{path}: no CSRF token in the form")
        body = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": match.group(1)}).encode()
        headers = {"Origin": self.base_url, "Referer": self.base_url + path}
        request = urllib.request.Request(self.base_url + path, body, headers)  # noqa: S310
        return self._open(request)

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def _open(self, request: urllib.request.Request) -> tuple[str, str]:
        request.add_header("User-Agent", USER_AGENT)
        with self.opener.open(request, timeout=10) as response:  # follows redirects
            return urllib.parse.urlsplit(response.url).path, response.read().decode()


def sign_in(base_url: str, username: str, password: str, totp_secret: str) -> str:
    """Both factors; returns the value of the session cookie of the signed-in staff member."""
    browser = Browser(base_url)
    path, page = browser.get("/dang-nhap/")
    if not browser.cookie(CSRF_COOKIE):
        raise SignInError(f"no {CSRF_COOKIE} cookie from the sign-in page")
    path, page = browser.submit(path, page, {"username": username, "password": password})
    if path != "/dang-nhap/xac-thuc/":
        raise SignInError(f"password step for {username} ended on {path}")
    path, page = browser.submit(path, page, {"code": pyotp.TOTP(totp_secret).now()})
    if path != "/can-bo/" or "Xin chào" not in page:
        raise SignInError(f"second factor for {username} ended on {path}")
    session = browser.cookie(SESSION_COOKIE)
    if not session:
        raise SignInError(f"no {SESSION_COOKIE} cookie after signing in")
    return session
