"""Admins add, re-role, disable, reset and delete staff accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from studio import db
from studio.audit import Action, Actor, record
from studio.auth import services
from studio.auth.decorators import admin_required
from studio.auth.forms import ConfirmForm, EditUserForm, NewUserForm
from studio.auth.models import Role, User
from studio.staff import bp
from studio.staff.services import delete_staff


def _users() -> list[User]:
    query = select(User).where(User.deleted_at.is_(None)).order_by(User.email)
    return list(db.session.scalars(query))


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


def _audit(action: Action, summary: str) -> None:
    record(action, actor=Actor.user(current_user), summary=summary)


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    form = NewUserForm()
    created = None
    if form.validate_on_submit():
        password = services.generate_password()
        try:
            user = services.create_user(
                db.session, form.email.data, password, Role(form.role.data), one_time=True
            )
        except services.AuthError as exc:
            flash(str(exc), "error")
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            _audit(Action.USER_CREATED, f"created staff #{user.id} as {user.role}")
            created = {"email": user.email, "password": password}
            form = NewUserForm(formdata=None)
    status = 400 if form.errors else 200
    page = render_template("staff/index.html", form=form, users=_users(), created=created)
    return page, status


def _edit_page(form: EditUserForm, user: User, status: int = 200):
    return render_template("staff/edit.html", form=form, user=user, confirm=ConfirmForm()), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user = _target(user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        role, active = Role(form.role.data), bool(form.active.data)
        try:
            if user.id == current_user.id and (role != user.role or active != user.active):
                # Changing one's own role is security-sensitive: re-authenticate first.
                services.reauthenticate(
                    db.session, current_user, form.current.data or "", form.code.data or ""
                )
            services.update_user(db.session, current_user, user, role, active)
        except services.AuthError as exc:
            flash(str(exc), "error")
            return _edit_page(form, user, 400)
        _audit(Action.USER_UPDATED, f"staff #{user.id}: role {user.role}, active {user.active}")
        flash(f"Saved {user.email}.", "success")
        return redirect(url_for("staff.index"))
    return _edit_page(form, user)


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@admin_required
def reset_password(user_id: int):
    user = _target(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        password = services.reset_password(db.session, current_user, user)
    except services.AuthError as exc:
        flash(str(exc), "error")
        return _edit_page(EditUserForm(obj=user, formdata=None), user, 400)
    _audit(Action.USER_PASSWORD_RESET, f"new one-time password for staff #{user.id}")
    page = render_template(
        "staff/index.html",
        form=NewUserForm(formdata=None),
        users=_users(),
        created={"email": user.email, "password": password, "reset": True},
    )
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/<int:user_id>/delete", methods=["POST"])
@admin_required
def delete(user_id: int):
    user = _target(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    email = user.email
    try:
        delete_staff(db.session, current_user, user)
    except services.AuthError as exc:
        flash(str(exc), "error")
        return _edit_page(EditUserForm(obj=user, formdata=None), user, 400)
    flash(f"Deleted the staff account of {email}; its sessions ended.", "success")
    return redirect(url_for("staff.index"))
