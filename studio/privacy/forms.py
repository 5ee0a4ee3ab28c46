"""Forms of the privacy pages and the staff queue."""

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class DeletionForm(FlaskForm):
    """A deletion request; ``website`` is a honeypot that people never see or fill."""

    kind = RadioField(
        "Which data should we delete?",
        choices=[
            SelectChoice("tiktok", "A TikTok account that was connected to this service"),
            SelectChoice("email", "Data held under my e-mail address"),
        ],
        default="tiktok",
        validators=[DataRequired()],
    )
    name = StringField("TikTok display name", validators=[Length(max=255)], filters=[_strip])
    email = EmailField(
        "E-mail address",
        validators=[Length(max=254)],
        filters=[lambda v: _strip(v).lower() if v else v],
    )
    website = StringField("Leave this field empty", validators=[Optional()])

    def validate_name(self, field: StringField) -> None:
        if self.kind.data == "tiktok" and not field.data:
            raise ValidationError("Enter the display name of your TikTok account.")

    def validate_email(self, field: EmailField) -> None:
        if self.kind.data != "email":
            return
        if not field.data:
            raise ValidationError("Enter the e-mail address we hold your data under.")
        Email(check_deliverability=False, message="Enter a valid e-mail address.")(self, field)


class StatusForm(FlaskForm):
    """Look a request up by its confirmation code."""

    code = StringField(
        "Confirmation code", validators=[DataRequired(), Length(max=64)], filters=[_strip]
    )


class ReverifyForm(FlaskForm):
    """Offer verification again from the status page; away from the browser that filed the
    request, the requester names the account (or e-mail address) again."""

    name = StringField(
        "Account name or e-mail address", validators=[Length(max=255)], filters=[_strip]
    )


class RejectForm(FlaskForm):
    """Refuse a request; the requester reads the reason on the status page."""

    reason = TextAreaField(
        "Reason (shown to the requester)", validators=[DataRequired(), Length(max=2000)]
    )


class ExtendForm(FlaskForm):
    """Extend the deadline once by one or two months (GDPR Art. 12(3))."""

    months = SelectField(
        "Extend by",
        choices=[SelectChoice("1", "1 month"), SelectChoice("2", "2 months")],
        default="1",
    )
    reason = TextAreaField(
        "Reason (shown to the requester)", validators=[DataRequired(), Length(max=2000)]
    )


class ContactForm(FlaskForm):
    """A privacy question; ``website`` is a honeypot that people never see or fill."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=255)], filters=[_strip])
    email = EmailField(
        "Your e-mail address",
        validators=[
            DataRequired(),
            Email(check_deliverability=False, message="Enter a valid e-mail address."),
            Length(max=254),
        ],
        filters=[lambda v: _strip(v).lower() if v else v],
    )
    message = TextAreaField(
        "Your question", validators=[DataRequired(), Length(max=5000)], filters=[_strip]
    )
    website = StringField("Leave this field empty", validators=[Optional()])
