"""NUL in a page's query string is refused with a message (core.middleware.RefuseNulMiddleware);
the raw-text pre-check that spares parsing each parameter misses no NUL and refuses nothing else."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from chinhquyen.core.middleware import _query_may_have_nul

PAGE = "/tra-cuu-ho-so/"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["ma=%00", "%00=1", "ma=a&kiem_tra=12%0034", "ma=x%00"])
def test_nul_anywhere_in_the_query_is_refused(query: str) -> None:
    response = Client().get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["ma=a%2500", "ma=%C0%80", "ma=%ff%fe", "ma=%0", "ma=00"])
def test_what_decodes_to_no_nul_is_served(query: str) -> None:
    assert Client().get(f"{PAGE}?{query}").status_code == 200


@pytest.mark.parametrize(("query", "may"), [("", False), ("a=1", False), ("a=%00", True)])
def test_the_pre_check(query: str, may: bool) -> None:
    request = RequestFactory().get(PAGE, QUERY_STRING=query)
    request.META["QUERY_STRING"] = query
    assert _query_may_have_nul(request) is may
