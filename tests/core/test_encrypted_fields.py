import pyotp
import pytest
from django.db import connection

from chinhquyen.org.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_totp_secrets_are_encrypted_at_rest_and_read_back_in_clear() -> None:
    secret = pyotp.random_base32(32)
    user = UserFactory.create(totp_secret=secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM org_user WHERE id = %s", [user.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and secret not in stored
    assert User.objects.get(pk=user.pk).totp_secret == secret
    # A queryset update (as the enrolment does) encrypts too.
    other = pyotp.random_base32(32)
    User.objects.filter(pk=user.pk).update(totp_secret=other)
    assert User.objects.get(pk=user.pk).totp_secret == other
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM org_user WHERE id = %s", [user.pk])
        assert other not in cursor.fetchone()[0]
