"""Password hashing: Argon2id with OWASP's second recommended setting (19 MiB, 2 passes, 1 lane).

Django's default Argon2 parameters take 100 MiB per password check; with several sync workers a
burst of sign-ins pushes each worker past the 200 MB it must stay under (issue #3, measured in
docs/benchmarks.md). OWASP's Password Storage Cheat Sheet lists m=19 MiB, t=2, p=1 as an
equivalent setting. Hashes made with other parameters still verify and are re-hashed at the next
sign-in (`must_update`). ADR 0016."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
