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
from wtforms.validators import DataRequired, Email, Length

from studio.auth.models import Role

ROLE_CHOICES = [SelectChoice(Role.STAFF.value, "Staff"), SelectChoice(Role.ADMIN.value, "Admin")]


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device for 7 days")


class TotpForm(FlaskForm):
    code = StringField("Six-digit code", validators=[DataRequired(), Length(min=6, max=8)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(max=256)])


class NewUserForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES)


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may sign in)")


class ConfirmForm(FlaskForm):
    """A CSRF-only form for POST buttons."""
