"""Forms for sign-in, passwords, two-factor and staff management."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from studio.auth.models import Role

ROLE_CHOICES = [SelectChoice(Role.STAFF.value, "Staff"), SelectChoice(Role.ADMIN.value, "Admin")]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device for 7 days")


class TotpForm(FlaskForm):
    code = StringField(
        "Six-digit code (or a recovery code)", validators=[DataRequired(), Length(min=6, max=32)]
    )


class EnrolForm(FlaskForm):
    code = StringField("Six-digit code", validators=[DataRequired(), Length(min=6, max=8)])


class ReauthForm(FlaskForm):
    """Re-authentication for security-sensitive changes: password, and a code when 2FA is on."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    code = StringField(
        "Code from your authenticator app (or a recovery code)",
        validators=[Optional(), Length(max=32)],
    )


class PasswordChangeForm(ReauthForm):
    new = PasswordField("New password", validators=[DataRequired(), Length(max=256)])


class EmailChangeForm(ReauthForm):
    email = EmailField(
        "New e-mail",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )


class NewUserForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES)


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may sign in)")
    # Only asked when admins change their own account (re-authentication).
    current = PasswordField("Your current password", validators=[Length(max=1024)])
    code = StringField("Your current code (when two-factor is on)", validators=[Length(max=32)])


class ConfirmForm(FlaskForm):
    """A CSRF-only form for POST buttons."""
