"""Tamper-evident audit log: record(), actors, the per-request scope."""

from studio.audit.actions import Action
from studio.audit.recorder import Actor, record, scope

__all__ = ["Action", "Actor", "record", "scope"]
