"""A delivery's status words name its platform as its sender does (one place for the words)."""

from __future__ import annotations

import pytest

from studio.platforms import registry
from studio.platforms.models import Delivery, DeliveryStatus

SENDING = [p for p in registry.PLATFORMS if p.sender is not None]


@pytest.mark.parametrize("platform", SENDING, ids=[p.name for p in SENDING])
def test_a_held_delivery_waits_for_what_its_sender_waits_for(platform: registry.Platform):
    assert platform.sender is not None
    held = Delivery(platform=platform.name, status=DeliveryStatus.HELD)
    assert held.platform_name == platform.sender.label
    assert held.label == f"Waiting for {platform.sender.label}'s {platform.sender.held_by}"
    processing = Delivery(platform=platform.name, status=DeliveryStatus.PROCESSING)
    assert processing.label == f"{platform.sender.label} is processing"
