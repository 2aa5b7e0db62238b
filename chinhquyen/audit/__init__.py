"""Audit: the append-only, hash-chained log of who did what to which object, from where, when.

Each row carries the hash of the previous row, so an edited or deleted row breaks the chain and
`manage.py verify_audit` names the first row that no longer fits.
"""
