"""The Performance page's date range and sort (GET, no CSRF: it changes nothing)."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from studio.db import utcnow
from studio.metrics.queries import SORTS

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class RangeForm(FlaskForm):
    """From, to (UTC days), the table's order and its page."""

    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    sort = SelectField(
        "Sort by", choices=[SelectChoice(s, s.capitalize()) for s in SORTS], default="views"
    )
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=100_000)])

    def validate_end(self, field: DateField) -> None:
        """The range must run forwards and stay within three years."""
        start, end = self.start.data, field.data
        if start and end and end < start:
            raise ValidationError("The end must not be before the start.")
        if start and end and (end - start).days > MAX_DAYS:
            raise ValidationError("Choose at most three years.")

    def span(self) -> tuple[dt.date, dt.date]:
        """The chosen days, defaulting to the last 30."""
        end = self.end.data or utcnow().date()
        return self.start.data or end - dt.timedelta(days=DEFAULT_DAYS - 1), end

    @staticmethod
    def quick(end: dt.date) -> list[tuple[int, dt.date]]:
        """(days, first day) of the quick ranges ending on `end`."""
        return [(days, end - dt.timedelta(days=days - 1)) for days in (7, 30, 90, 365)]
