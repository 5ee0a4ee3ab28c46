"""The viewer's filter form (GET, no CSRF) and the export form (POST, CSRF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from studio.audit.actions import Action
from studio.audit.services import Filters
from studio.db import MAX_ID, parse_id


def _no_nul(_form: FlaskForm, field: StringField) -> None:
    if "\x00" in (field.data or ""):
        raise ValidationError("Remove the invisible NUL character.")


class _FilterFields(FlaskForm):
    """The filter fields, shared by the page (GET) and the export (POST)."""

    account = SelectField("TikTok account", choices=[], validators=[Optional()])
    kind = SelectField("Kind", choices=[], validators=[Optional()])
    actor = SelectField("Caused by", choices=[], validators=[Optional()])
    errors = BooleanField("Errors only")
    since = DateTimeLocalField("From (UTC)", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    until = DateTimeLocalField("To (UTC)", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    text = StringField("Endpoint contains", validators=[Optional(), Length(max=200), _no_nul])
    post = IntegerField("Post #", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def set_choices(
        self, actors: list[tuple[str, str]], accounts: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Fill the select fields; an account asked for but gone still shows as "#id"."""
        wanted = self.account.data
        if wanted and wanted not in {value for value, _ in accounts}:
            accounts = [*accounts, (wanted, f"#{wanted}")]
        self.account.choices = [
            SelectChoice(v, label) for v, label in [("", "Any account"), *accounts]
        ]
        kinds = [("", "Any kind")] + [(a.value, a.value) for a in Action]
        self.kind.choices = [SelectChoice(v, label) for v, label in kinds]
        self.actor.choices = [SelectChoice(v, label) for v, label in [("", "Anyone"), *actors]]

    def filters(self) -> Filters:
        """The valid filters (invalid fields are ignored and shown with their error)."""
        return Filters(
            account_id=_int(self.account.data),
            kind=None if self.kind.errors else self.kind.data or None,
            actor=None if self.actor.errors else self.actor.data or None,
            errors_only=bool(self.errors.data),
            since=_utc(self.since.data if not self.since.errors else None),
            until=_utc(self.until.data if not self.until.errors else None),
            text=None if self.text.errors else (self.text.data or "").strip() or None,
            post_id=self.post.data if not self.post.errors else None,
        )


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value else None


class FilterForm(_FilterFields):
    """Filters read from the query string."""

    class Meta:
        csrf = False


class ExportForm(_FilterFields):
    """The same filters, posted with a CSRF token, plus the format."""

    format = HiddenField(default="jsonl")
