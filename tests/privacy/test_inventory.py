"""The inventory cannot drift from the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

import studio  # noqa: F401  every room, hence every table
from studio.db import Base
from studio.privacy import inventory


@pytest.fixture(scope="module")
def metadata() -> MetaData:
    return Base.metadata  # importing studio imports every room, so every model


def test_every_column_is_declared_or_marked_non_personal(metadata):
    missing = inventory.undeclared(metadata)
    assert not missing, (
        "Columns missing from studio/privacy/inventory.py: declare them in a Dataset there, "
        f"or in studio/privacy/nonpersonal.py if they hold no personal data: {missing}"
    )


def test_no_entry_names_a_column_that_no_longer_exists(metadata):
    assert inventory.stale(metadata) == []


def test_no_column_is_declared_twice():
    assert inventory.duplicated() == []


def test_a_new_column_is_caught():
    extra = MetaData()
    Table("users", extra, Column("id", Integer, primary_key=True), Column("nickname", String))
    assert inventory.undeclared(extra) == ["users.nickname"]
    assert "users.email" in inventory.stale(extra)


def test_alembic_version_is_ignored():
    extra = MetaData()
    Table("alembic_version", extra, Column("version_num", String, primary_key=True))
    assert inventory.undeclared(extra) == []


def test_every_dataset_says_why_how_long_and_how_erased(app):
    for ds in inventory.datasets(app.config):
        for key in ("title", "subjects", "purpose", "basis", "retention", "erasure"):
            assert ds[key].strip(), (ds["key"], key)
        assert "{" not in ds["retention"], ds["retention"]
        assert ds["columns"]


def test_retention_periods_come_from_configuration(make_app):
    app = make_app(VIDEO_RETENTION_DAYS=11)
    (uploads,) = [s for s in inventory.stores(app.config) if s["key"] == "uploads"]
    assert "11 days" in uploads["retention"]
