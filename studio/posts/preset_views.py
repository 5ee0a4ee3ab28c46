"""Caption template pages: list and save, edit, delete (every change a POST with CSRF)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.forms import ConfirmForm
from studio.errors import StudioForbidden
from studio.posts import bp, presets
from studio.posts.forms import PresetForm
from studio.posts.models import CaptionTemplate
from studio.posts.presets import PresetError

FORBIDDEN = "Only the template's author or an admin can change or delete it."


def _template(template_id: int, change: bool = False) -> CaptionTemplate:
    template = presets.get(db.session, template_id)
    if template is None:
        abort(404)
    if change and not presets.may_change(template, current_user):
        raise StudioForbidden(FORBIDDEN)
    return template


def _render(form: PresetForm, template: CaptionTemplate | None = None, status: int = 200):
    return render_template(
        "posts/presets.html",
        form=form,
        editing=template,
        templates=presets.list_all(db.session),
        may_change=lambda t: presets.may_change(t, current_user),
    ), status


def _failed(form: PresetForm, exc: PresetError, template: CaptionTemplate | None = None):
    field = form[exc.field] if exc.field else form.name
    field.errors = [*field.errors, exc.message]
    return _render(form, template, 400)


@bp.get("/templates/")
@login_required
def presets_index():
    return _render(PresetForm(formdata=None))


@bp.post("/templates/")
@login_required
def presets_create():
    form = PresetForm()
    if not form.validate():
        return _render(form, status=400)
    try:
        template = presets.create(
            db.session, current_user, form.name.data, form.caption.data, form.hashtags.data
        )
    except PresetError as exc:
        return _failed(form, exc)
    flash(f"Saved the template “{template.name}”.", "success")
    return redirect(url_for("posts.presets_index"))


@bp.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
@login_required
def presets_edit(template_id: int):
    template = _template(template_id, change=True)
    form = PresetForm(data=presets.applied(template) | {"name": template.name})
    if not form.is_submitted():
        return _render(form, template)
    if not form.validate():
        return _render(form, template, 400)
    try:
        presets.update(
            db.session,
            template,
            current_user,
            form.name.data,
            form.caption.data,
            form.hashtags.data,
        )
    except PresetError as exc:
        return _failed(form, exc, template)
    flash(f"Saved the template “{template.name}”.", "success")
    return redirect(url_for("posts.presets_index"))


@bp.post("/templates/<int:template_id>/delete")
@login_required
def presets_delete(template_id: int):
    template = _template(template_id, change=True)
    if not ConfirmForm().validate():
        abort(400)
    name = template.name
    presets.delete(db.session, template, current_user)
    flash(f"Deleted the template “{name}”.", "success")
    return redirect(url_for("posts.presets_index"))
