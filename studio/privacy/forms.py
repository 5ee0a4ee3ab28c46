"""Forms of the privacy pages and the staff queue."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from studio.privacy.verify import sign_ins


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _strip_lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value else value


REQUEST_TYPES = {
    "erasure": "Delete my data",
    "copy": "Send me a copy of my data (nothing is deleted)",
    "correction": "Correct my data (tell us what is wrong)",
}


class DeletionForm(FlaskForm):
    """A data request (erasure, copy or correction); ``website`` is a honeypot."""

    request_type = RadioField(
        "What would you like us to do?",
        choices=[SelectChoice(k, v) for k, v in REQUEST_TYPES.items()],
        default="erasure",
        validators=[DataRequired()],
    )
    kind = RadioField(
        "Which data should we delete?",
        default="tiktok",
        validators=[DataRequired()],
    )
    name = StringField("TikTok display name", validators=[Length(max=255)], filters=[_strip])
    email = EmailField(
        "E-mail address",
        validators=[Length(max=254)],
        filters=[_strip_lower],
    )
    correction = TextAreaField(
        "What is wrong, and what should it say?",
        validators=[Length(max=2000)],
        filters=[_strip],
    )
    website = StringField("Leave this field empty", validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            *(
                SelectChoice(kind, f"A {s.account_word} that was connected to this service")
                for kind, s in sign_ins().items()
            ),
            SelectChoice("email", "Data held under my e-mail address"),
        ]
        self.name.label.text = ", or ".join(s.name_label for s in sign_ins().values())

    def validate_correction(self, field: TextAreaField) -> None:
        if self.request_type.data == "correction" and not field.data:
            raise ValidationError("Tell us which data is wrong and what it should say.")

    def validate_name(self, field: StringField) -> None:
        sign_in = sign_ins().get(self.kind.data or "")
        if sign_in is not None and not field.data:
            raise ValidationError(f"Enter the {sign_in.name_word} of your {sign_in.account_word}.")

    def validate_email(self, field: EmailField) -> None:
        if self.kind.data != "email":
            return
        if not field.data:
            raise ValidationError("Enter the e-mail address we hold your data under.")
        Email(check_deliverability=False, message="Enter a valid e-mail address.")(self, field)


class SignInForm(FlaskForm):
    """A button that starts a sign-in at one platform (``kind``; TikTok when not given)."""

    kind = StringField(validators=[Optional(), Length(max=16)], filters=[_strip])


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


class ResolveForm(FlaskForm):
    """Complete a copy or correction request with the note the requester reads."""

    note = TextAreaField(
        "What was done (shown to the requester)", validators=[DataRequired(), Length(max=2000)]
    )


class NoticeEmailForm(FlaskForm):
    """An optional address for notices about the request (e.g. a deadline extension)."""

    email = EmailField(
        "E-mail address for notices (optional)",
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
        filters=[_strip_lower],
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
        filters=[_strip_lower],
    )
    message = TextAreaField(
        "Your question", validators=[DataRequired(), Length(max=5000)], filters=[_strip]
    )
    website = StringField("Leave this field empty", validators=[Optional()])
