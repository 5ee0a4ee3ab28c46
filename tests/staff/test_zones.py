"""Time zones: local wall times to UTC across daylight-saving gaps and overlaps, and back."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from studio.config import ConfigError
from studio.staff import zones

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_an_ordinary_time_converts_to_utc_and_back():
    at = zones.to_utc(dt.datetime(2026, 7, 1, 14, 30), BERLIN)
    assert at == dt.datetime(2026, 7, 1, 12, 30, tzinfo=dt.UTC)
    assert zones.to_local(at, BERLIN).strftime("%H:%M %Z") == "14:30 CEST"
    winter = zones.to_utc(dt.datetime(2026, 12, 7, 9, 0), BERLIN)
    assert winter == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        (BERLIN, dt.datetime(2026, 3, 29, 2, 30)),  # clocks jump 02:00 → 03:00
        (NEW_YORK, dt.datetime(2026, 3, 8, 2, 15)),  # clocks jump 02:00 → 03:00
    ],
)
def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(zone, wall):
    with pytest.raises(zones.ZoneError) as caught:
        zones.to_utc(wall, zone)
    message = str(caught.value)
    assert not isinstance(caught.value, zones.AmbiguousTime)
    assert f"{wall:%Y-%m-%d %H:%M} does not exist in {zone.key}" in message
    assert "Choose another time" in message


def test_a_time_that_happens_twice_asks_which_then_uses_the_pick():
    wall = dt.datetime(2026, 10, 25, 2, 30)  # Berlin: 02:00-03:00 happens twice
    with pytest.raises(zones.AmbiguousTime) as caught:
        zones.to_utc(wall, BERLIN)
    assert "happens twice in Europe/Berlin" in str(caught.value)
    labels = dict(caught.value.choices)
    assert "CEST (UTC+2)" in labels[zones.EARLIER]
    assert "CET (UTC+1)" in labels[zones.LATER]
    first = zones.to_utc(wall, BERLIN, zones.EARLIER)
    second = zones.to_utc(wall, BERLIN, zones.LATER)
    assert first == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert second == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_the_days_around_a_change_are_not_ambiguous():
    before = zones.to_utc(dt.datetime(2026, 10, 24, 2, 30), BERLIN)
    after = zones.to_utc(dt.datetime(2026, 10, 26, 2, 30), BERLIN)
    assert before == dt.datetime(2026, 10, 24, 0, 30, tzinfo=dt.UTC)
    assert after == dt.datetime(2026, 10, 26, 1, 30, tzinfo=dt.UTC)


def test_a_person_without_a_zone_gets_the_operators(make_app):
    app = make_app(OPERATOR_TIME_ZONE="America/New_York")
    with app.app_context():
        assert zones.zone_name(SimpleNamespace(time_zone=None)) == "America/New_York"
        assert zones.zone_name(SimpleNamespace(time_zone="Asia/Tokyo")) == "Asia/Tokyo"
        assert zones.zone_name(SimpleNamespace(time_zone="Mars/Olympus")) == "America/New_York"


def test_an_unknown_operator_zone_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="OPERATOR_TIME_ZONE"):
        make_app(OPERATOR_TIME_ZONE="Mars/Olympus")
