"""Workflow forms: the preview's "when" and its plan; reschedule, approve, send back, edit."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from studio.posts.captions import MAX_TITLE_UTF16
from studio.posts.planning import Plan, PlanError, check_time
from studio.staff import zones

NOW, LATER = "now", "later"


class ScheduleMixin:
    """Send now, or at a time in the staff member's zone (with the pick for a doubled hour)."""

    when = RadioField(
        "When",
        choices=[SelectChoice(NOW, "Now"), SelectChoice(LATER, "At a time")],
        default=NOW,
    )
    send_at = DateTimeLocalField(
        "Date and time", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    pick = RadioField("Which one", choices=[], validate_choice=False, validators=[Optional()])


def approval_required() -> bool:
    """APPROVAL_REQUIRED: new posts wait for an approver."""
    return bool(current_app.config["APPROVAL_REQUIRED"])


def plan_from(form: Any, user: Any) -> Plan:
    """The plan the preview's inputs make; raises PlanError (the form's pick choices are set
    when the local time happens twice)."""
    needs = approval_required()
    if form.when.data != LATER:
        return Plan(None, needs)
    at = local_time(form, user)
    check_time(at)
    return Plan(at, needs)


def sent_message(plan: Plan) -> str:
    """What the author reads after pressing send."""
    if plan.needs_approval:
        return "Saved. It waits for approval; nothing is sent until then."
    if plan.at is not None:
        return "Scheduled. It goes out at its time; you can move or cancel it until then."
    return "Sent to the background job. This page updates as it goes."


def template_info() -> dict[str, Any]:
    """What the preview's "when" include shows (a template global)."""
    user = current_user if current_user.is_authenticated else None
    return {
        "zone": zones.zone_name(user),
        "approval_required": approval_required(),
        "approval_by_peers": bool(current_app.config["APPROVAL_BY_PEERS"]),
    }


class RescheduleForm(FlaskForm):
    """Move one planned delivery to another local time."""

    send_at = DateTimeLocalField(
        "New date and time", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    pick = RadioField("Which one", choices=[], validate_choice=False, validators=[Optional()])


class ApproveForm(FlaskForm):
    """Approve exactly the version the approver looked at."""

    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class SendBackForm(FlaskForm):
    """Send a post back to its author, saying why."""

    reason = TextAreaField("Why (the author reads this)", validators=[Length(max=1000)])


class EditForm(FlaskForm):
    """Change the caption and hashtags before sending starts."""

    caption = TextAreaField("Caption", validators=[Optional(), Length(max=MAX_TITLE_UTF16 * 2)])
    hashtags = StringField("Hashtags", validators=[Optional(), Length(max=2000)])


def local_time(form: Any, user: Any):
    """The UTC time of the form's local ``send_at`` (the ambiguity pick set when needed)."""
    if form.send_at.data is None:
        raise PlanError("Choose the date and time to send it.")
    try:
        return zones.to_utc(form.send_at.data, zones.zone_of(user), form.pick.data or None)
    except zones.AmbiguousTime as exc:
        form.pick.choices = [SelectChoice(value, label) for value, label in exc.choices]
        raise PlanError(str(exc), "pick") from exc
    except zones.ZoneError as exc:
        raise PlanError(str(exc)) from exc
