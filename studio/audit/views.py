"""Audit pages: the filtered list, an entry's detail, exports and sealing on demand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from studio import db
from studio.audit import bp, export, seals, services
from studio.audit.actions import AccountChoices, Action
from studio.audit.forms import ExportForm, FilterForm
from studio.audit.present import show
from studio.audit.recorder import Actor, record
from studio.auth.decorators import admin_required
from studio.auth.forms import ConfirmForm
from studio.auth.models import User
from studio.db import utcnow
from studio.errors import StudioBadRequest, StudioNotFound


def _actor_choices() -> list[tuple[str, str]]:
    kinds = [("job", "Background jobs"), ("webhook", "Webhooks"), ("public", "The public")]
    kinds.append(("system", "System / command line"))
    if not current_user.is_admin:
        return [(f"user:{current_user.id}", current_user.email)]
    users = db.session.scalars(select(User).order_by(User.deleted_at.is_not(None), User.email))
    return [
        (f"user:{u.id}", f"deleted staff #{u.id}" if u.deleted_at else u.email) for u in users
    ] + kinds


def _account_choices() -> list[tuple[str, str]]:
    # The platforms sit above the audit log: the app factory hands their account list in.
    choices: AccountChoices = current_app.extensions["audit"]["account_choices"]
    return choices(db.session)


def _cursor(name: str) -> int | None:
    return db.parse_id(request.args.get(name))


@bp.route("/")
@login_required
def index():
    form = FilterForm(request.args)
    form.set_choices(_actor_choices(), _account_choices())
    form.validate()
    filters = form.filters()
    page = services.list_entries(
        db.session, current_user, filters, before=_cursor("before"), after=_cursor("after")
    )
    status = None
    if current_user.is_admin:
        status = {"entries": services.entry_count(db.session), "seal": seals.last_seal(current_app)}
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        params=_query_args(),
        export_form=ExportForm(formdata=None),
        status=status,
        confirm=ConfirmForm(),
    )


def _query_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in ("before", "after") and v}


@bp.route("/<int:seq>")
@login_required
def detail(seq: int):
    entry = services.get_entry(db.session, seq, current_user)
    if entry is None:
        raise StudioNotFound("There is no audit entry with that number that you may see.")
    return render_template("audit/detail.html", entry=entry, shown=show(entry))


@bp.route("/export", methods=["POST"])
@login_required
def export_entries():
    form = ExportForm()
    form.set_choices(_actor_choices(), _account_choices())
    if not form.validate_on_submit() or form.format.data not in export.FORMATS:
        raise StudioBadRequest("The export could not be started: check the filters and try again.")
    filters, fmt = form.filters(), form.format.data
    record(
        Action.AUDIT_EXPORTED,
        actor=Actor.user(current_user),
        summary=f"exported audit entries as {fmt}",
        payload={"format": fmt, "filters": filters.as_dict()},
    )
    viewer = services.ViewerSnapshot(current_user.id, current_user.is_admin)
    factory = current_app.extensions["db"]["factory"]

    def rows() -> Iterator[Any]:
        # The response outlives the request's session: the stream reads through its own.
        with factory() as session:
            yield from services.iter_rows(session, viewer, filters)

    body = export.jsonl(rows()) if fmt == "jsonl" else export.csv_lines(rows())
    name = f"audit-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    return Response(
        body,
        mimetype=export.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/seal", methods=["POST"])
@admin_required
def seal():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made = seals.seal(current_app)
    if made is None:
        flash("Nothing new to save: the newest entry is already in a checkpoint.", "info")
    else:
        flash(f"Checkpoint saved through entry {made.seq}.", "success")
    return redirect(url_for("audit.index"))
