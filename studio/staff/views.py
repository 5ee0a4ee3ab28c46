"""Admins add, disable and re-role staff."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from studio import db
from studio.audit import Action, Actor, record
from studio.auth import services
from studio.auth.decorators import admin_required
from studio.auth.forms import EditUserForm, NewUserForm
from studio.auth.models import Role, User
from studio.staff import bp


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    form = NewUserForm()
    created = None
    if form.validate_on_submit():
        password = services.generate_password()
        try:
            user = services.create_user(db.session, form.email.data, password, Role(form.role.data))
        except services.AuthError as exc:
            flash(str(exc), "error")
        else:
            record(
                Action.USER_CREATED,
                actor=Actor.user(current_user),
                summary=f"created user #{user.id} as {user.role}",
            )
            created = {"email": user.email, "password": password}
            form = NewUserForm(formdata=None)
    users = db.session.scalars(select(User).order_by(User.email)).all()
    status = 400 if form.errors else 200
    return render_template("staff/index.html", form=form, users=users, created=created), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(
                db.session, current_user, user, Role(form.role.data), bool(form.active.data)
            )
        except services.AuthError as exc:
            flash(str(exc), "error")
            return render_template("staff/edit.html", form=form, user=user), 400
        record(
            Action.USER_UPDATED,
            actor=Actor.user(current_user),
            summary=f"user #{user.id}: role {user.role}, active {user.active}",
        )
        flash(f"Saved {user.email}.", "success")
        return redirect(url_for("staff.index"))
    return render_template("staff/edit.html", form=form, user=user)
