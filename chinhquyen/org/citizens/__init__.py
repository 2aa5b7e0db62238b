"""Citizen and organisation accounts: sign-up with a one-time code sent by e-mail or SMS,
password sign-in (no second factor), profile changes with re-verification of a changed contact,
and the account an outside identity provider's person signs in as. Every change is a `do_*`
action writing its audit row in its transaction.

- `contacts`: e-mail/phone parsing and lookup, the one-time codes and their sweep, the notice
  to the owner of an address someone else tries to register;
- `accounts`: sign-up (a decoy when the contact has an account) and password sign-in;
- `profile`: the profile, accounts created already verified (demo, one-stop counter);
- `external`: OpenID Connect identities;
- `password_reset`: “Quên mật khẩu”, a code to the proven contact then a new password (the
  same answers whether or not the address has an account);
- `password_change`: “Đổi mật khẩu” of a signed-in citizen (the current password, counted
  like a sign-in).
"""

from chinhquyen.org.citizens.accounts import (
    SIGNIN_FAILURE,
    CitizenPasswordStep,
    DecoyCode,
    SignUp,
    check_citizen_password,
    check_decoy_code,
    do_complete_citizen_signin,
    do_resend_decoy_code,
    do_sign_up,
)
from chinhquyen.org.citizens.contacts import (
    CODE_VALID_MINUTES,
    EXISTING_CONTACT_TEMPLATE,
    MAX_CODE_ATTEMPTS,
    VERIFICATION_TEMPLATE,
    Channel,
    CodeSweepReport,
    Contact,
    do_resend_code,
    do_sweep_spent_codes,
    do_verify_contact,
    parse_contact,
    pending_verification,
)
from chinhquyen.org.citizens.external import (
    ExternalClaims,
    do_record_external_refusal,
    do_sign_in_with_external_identity,
)
from chinhquyen.org.citizens.password_change import do_change_citizen_password
from chinhquyen.org.citizens.password_reset import (
    ResetCode,
    do_request_password_reset,
    do_resend_password_reset,
    do_reset_password,
)
from chinhquyen.org.citizens.profile import (
    ProfileData,
    do_create_verified_citizen,
    do_update_citizen_profile,
)

__all__ = [
    "CODE_VALID_MINUTES",
    "EXISTING_CONTACT_TEMPLATE",
    "MAX_CODE_ATTEMPTS",
    "SIGNIN_FAILURE",
    "VERIFICATION_TEMPLATE",
    "Channel",
    "CitizenPasswordStep",
    "CodeSweepReport",
    "Contact",
    "DecoyCode",
    "ExternalClaims",
    "ProfileData",
    "ResetCode",
    "SignUp",
    "check_citizen_password",
    "check_decoy_code",
    "do_change_citizen_password",
    "do_complete_citizen_signin",
    "do_create_verified_citizen",
    "do_record_external_refusal",
    "do_request_password_reset",
    "do_resend_code",
    "do_resend_decoy_code",
    "do_resend_password_reset",
    "do_reset_password",
    "do_sign_in_with_external_identity",
    "do_sign_up",
    "do_sweep_spent_codes",
    "do_update_citizen_profile",
    "do_verify_contact",
    "parse_contact",
    "pending_verification",
]
