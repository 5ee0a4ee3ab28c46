"""Outgoing mail: SMTP when SMTP_HOST is set, otherwise .eml files in the outbox folder."""

from __future__ import annotations

import datetime as dt
import email
import smtplib
import uuid
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path

from flask import current_app


def outbox_path() -> Path:
    """Where mail is written when no SMTP server is configured (instance/outbox/)."""
    configured = current_app.config.get("MAIL_OUTBOX")
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain="social-studio.local")
    msg.set_content(body)
    if cfg.get("SMTP_HOST"):
        _smtp(msg)
    else:
        _outbox(msg)


def _smtp(msg: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=30) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USERNAME"):
            smtp.login(cfg["SMTP_USERNAME"], cfg.get("SMTP_PASSWORD") or "")
        smtp.send_message(msg)


def _outbox(msg: EmailMessage) -> None:
    folder = outbox_path()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Sortable names: the newest message is the last one listed.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))


def erase_sent_to(addresses: Iterable[str | None]) -> int:
    """Delete the outbox copies of every message sent to one of ``addresses``; how many."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()}
    folder = outbox_path()
    if not wanted or not folder.is_dir():
        return 0
    erased = 0
    for path in folder.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes())
        to = {addr.lower() for _name, addr in getaddresses(msg.get_all("To", []))}
        if to & wanted:
            path.unlink(missing_ok=True)
            erased += 1
    return erased
