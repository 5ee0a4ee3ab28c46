"""Each staff member's own profile: time zone and e-mail preferences."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from studio import db
from studio.staff import bp, preferences, zones


class ProfileForm(FlaskForm):
    """Time zone (empty: the operator's) and one box per kind of e-mail."""

    time_zone = SelectField("Time zone", choices=[], validate_choice=False)
    landed = BooleanField(preferences.KINDS["landed"])
    failed = BooleanField(preferences.KINDS["failed"])
    needs_person = BooleanField(preferences.KINDS["needs_person"])
    reconnect = BooleanField(preferences.KINDS["reconnect"])
    approval = BooleanField(preferences.KINDS["approval"])

    def validate_time_zone(self, field: SelectField) -> None:
        if field.data and not zones.valid(field.data):
            raise ValidationError("Choose a time zone from the list.")


def _form() -> ProfileForm:
    data = {kind: preferences.wants(current_user, kind) for kind in preferences.KINDS}
    form = ProfileForm(data={**data, "time_zone": current_user.time_zone or ""})
    default = current_app.config["OPERATOR_TIME_ZONE"]
    form.time_zone.choices = [SelectChoice("", f"The company's ({default})")] + [
        SelectChoice(name, name) for name in zones.names()
    ]
    return form


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = _form()
    if form.validate_on_submit():
        enabled = [kind for kind in preferences.KINDS if form[kind].data]
        preferences.save(db.session, current_user, form.time_zone.data, enabled)
        flash("Saved your profile.", "success")
        return redirect(url_for("staff.profile"))
    status = 400 if form.errors else 200
    zone = zones.zone_name(current_user)
    return render_template("staff/profile.html", form=form, zone=zone), status
