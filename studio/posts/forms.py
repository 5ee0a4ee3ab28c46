"""Forms: prepare (caption, account, mode), send (consent and Direct Post choices), retry."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from studio.posts.captions import MAX_TITLE_UTF16
from studio.posts.schedule import ScheduleMixin


def _no_nul(_form: FlaskForm, field: object) -> None:
    if "\x00" in (getattr(field, "data", "") or ""):
        raise ValidationError("Remove the invisible NUL character.")


class PrepareForm(FlaskForm):
    """What to send, where, and how (nothing is sent from this form)."""

    video_id = IntegerField("Video", validators=[DataRequired()])
    account_id = SelectField("TikTok account", coerce=int, validators=[DataRequired()])
    mode = RadioField(
        "How to send", choices=[SelectChoice("draft", "Draft in the TikTok inbox")], default="draft"
    )
    caption = TextAreaField(
        "Caption",
        validators=[Optional(), Length(max=MAX_TITLE_UTF16 * 2), _no_nul],
        render_kw={"rows": 5, "data-utf16-limit": MAX_TITLE_UTF16},
    )
    hashtags = StringField(
        "Hashtags",
        validators=[Optional(), Length(max=2000), _no_nul],
        render_kw={"placeholder": "#newproduct #howto"},
    )
    product_name = StringField("Product name", validators=[Optional(), Length(max=200), _no_nul])
    product_sku = StringField("SKU", validators=[Optional(), Length(max=64), _no_nul])
    is_aigc = BooleanField("This video contains AI-generated content")


class SendForm(ScheduleMixin, PrepareForm):
    """The preview's form: the prepared fields (hidden), consent and Direct Post choices."""

    nonce = HiddenField(validators=[DataRequired(), Length(min=16, max=64)])
    consent = BooleanField("consent")  # the label names the account; set in the template
    privacy_level = SelectField("Who can view this video", choices=[], validate_choice=False)
    allow_comment = BooleanField("Allow comments")
    allow_duet = BooleanField("Allow Duet")
    allow_stitch = BooleanField("Allow Stitch")
    commercial = BooleanField("Disclose commercial content")
    brand_organic = BooleanField("Your brand")
    brand_content = BooleanField("Branded content")
