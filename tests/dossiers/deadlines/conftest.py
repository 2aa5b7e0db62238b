"""The back office's world (tests/dossiers/backoffice/conftest.py), with an e-mail address for
every officer so the sweep has someone to tell."""

from __future__ import annotations

import pytest

from chinhquyen.org.models import User
from tests.dossiers.backoffice.conftest import (  # noqa: F401 - fixtures used by this folder
    World,
    _calendar_and_templates,
    world,
)


@pytest.fixture
def staff(world: World) -> World:  # noqa: F811 - the imported fixture
    for user in User.objects.filter(kind=User.Kind.STAFF):
        user.email = f"{user.username}@sotuphap.example.vn"
        user.save(update_fields=["email"])
    return world
