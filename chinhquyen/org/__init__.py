"""Org: administrative units (with the pre-2025 districts kept as history), agencies as a tree
with their electronic identifier codes (mã định danh), staff accounts, roles held per agency and
the agency-scoped permission checks every other app goes through."""
