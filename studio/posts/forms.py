"""Forms: prepare (video, caption, targets), send (consent); each target's options are its
platform's section (studio/platforms/<name>/options.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from studio.posts.captions import MAX_TITLE_UTF16
from studio.posts.schedule import ScheduleMixin


def _no_nul(_form: FlaskForm, field: object) -> None:
    if "\x00" in (getattr(field, "data", "") or ""):
        raise ValidationError("Remove the invisible NUL character.")


def _caption() -> TextAreaField:
    return TextAreaField(
        "Caption",
        validators=[Optional(), Length(max=MAX_TITLE_UTF16 * 2), _no_nul],
        render_kw={"rows": 5, "data-utf16-limit": MAX_TITLE_UTF16},
    )


def _hashtags() -> StringField:
    return StringField(
        "Hashtags",
        validators=[Optional(), Length(max=2000), _no_nul],
        render_kw={"placeholder": "#newproduct #howto"},
    )


class PrepareForm(FlaskForm):
    """What to send, and to which accounts (nothing is sent from this form)."""

    video_id = IntegerField("Video", validators=[DataRequired()])
    # Ticked accounts; each is checked against the connected ones by the targets' rules.
    account_id = SelectMultipleField("Send to", coerce=int, validate_choice=False)
    caption = _caption()
    hashtags = _hashtags()
    product_name = StringField("Product name", validators=[Optional(), Length(max=200), _no_nul])
    product_sku = StringField("SKU", validators=[Optional(), Length(max=64), _no_nul])
    is_aigc = BooleanField("This video contains AI-generated content")


class SendForm(ScheduleMixin, PrepareForm):
    """The preview's form: the prepared fields (hidden), the one consent and the schedule."""

    nonce = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    consent = BooleanField("consent")  # the label names every account; set in the template


class PresetForm(FlaskForm):
    """A saved caption template: its name, caption and hashtags (checked by presets.py)."""

    name = StringField("Name", validators=[Length(max=200), _no_nul])
    caption = _caption()
    hashtags = _hashtags()
