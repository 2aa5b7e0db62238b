"""factory-boy factories. Agencies are created through `do_create_agency` so the tree path and
the code history are what production code would write."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import factory
import pyotp

from chinhquyen.org.actions import do_create_agency, do_grant_role
from chinhquyen.org.models import Agency, User

DEMO_PASSWORD = "Mat-khau-thu-nghiem-2026"


class AgencyFactory(factory.Factory[Agency]):
    class Meta:
        model = Agency

    identifier_code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.H99")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    abbreviation = factory.Sequence(lambda n: f"STN{n}")
    kind = Agency.Kind.DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class: type[Agency], *args: Any, **kwargs: Any) -> Agency:
        return do_create_agency(acting_user=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    kind = User.Kind.STAFF
    totp_secret = factory.LazyFunction(lambda: pyotp.random_base32(32))
    totp_confirmed_at = factory.Faker("date_time", tzinfo=UTC)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or DEMO_PASSWORD)
        if create:
            obj.save()


def staff_with_role(agency: Agency, role: str, **fields: Any) -> User:
    user = UserFactory.create(**fields)
    do_grant_role(user, agency, role, acting_user=None)
    return user
