"""Library pages: list, upload, detail with player, file and poster streams, delete."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from studio import db
from studio.auth.forms import ConfirmForm
from studio.videos import bp, demo, digest, services, storage, suitability, uploads
from studio.videos.models import Video
from studio.videos.sizes import describe_limit

PER_PAGE = 24


def _video_or_404(video_id: int) -> Video:
    video = services.get_video(db.session, video_id)
    if video is None:
        abort(404)
    return video


def prepare_url(video: Video) -> str | None:
    """Where "Prepare post" goes, once the posts room is installed."""
    if "posts.new" not in current_app.view_functions or not video.has_file:
        return None
    return url_for("posts.new", video_id=video.id)


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"prepare_url": prepare_url, "platform_fits": suitability.fits_of}


@bp.get("/")
@login_required
def index():
    page = services.list_videos(
        db.session,
        before=db.parse_id(request.args.get("before")),
        after=db.parse_id(request.args.get("after")),
        limit=PER_PAGE,
    )
    count, used = services.library_stats(db.session)
    return render_template(
        "videos/index.html", videos=page.items, page=page, count=count, used=used
    )


@bp.get("/upload")
@login_required
def upload():
    cfg = current_app.config
    return render_template(
        "videos/upload.html",
        max_bytes=int(cfg["MAX_VIDEO_BYTES"]),
        max_words=describe_limit(int(cfg["MAX_VIDEO_BYTES"])),
        part_bytes=uploads.part_sizes(),
    )


@bp.get("/<int:video_id>")
@login_required
def detail(video_id: int):
    video = _video_or_404(video_id)
    return render_template(
        "videos/detail.html",
        video=video,
        form=ConfirmForm(),
        can_delete=services.can_delete(current_user, video),
        busy=services.busy_reason(db.session, video),
    )


@bp.get("/<int:video_id>/file")
@login_required
def file(video_id: int):
    video = _video_or_404(video_id)
    path = storage.video_path(video)
    if not video.has_file or not path.is_file():
        abort(404)
    download = request.args.get("download") == "1"
    response = send_file(
        path,
        mimetype=video.content_type,
        conditional=True,
        as_attachment=download,
        download_name=video.display_name,
        etag=digest.hex_of(video.content_hash)[:32],
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<int:video_id>/poster.jpg")
@login_required
def poster(video_id: int):
    video = _video_or_404(video_id)
    path = storage.poster_path(video)
    if not video.has_file or path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/<int:video_id>/delete")
@login_required
def delete(video_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    video = _video_or_404(video_id)
    if not services.can_delete(current_user, video):
        abort(403)
    name = video.display_name
    try:
        row_gone = services.delete_video(db.session, video, current_user)
    except services.VideoError as exc:
        flash(str(exc), "error")
        return redirect(url_for("videos.detail", video_id=video_id))
    if row_gone:
        flash(f"Deleted {name}.", "success")
        return redirect(url_for("videos.index"))
    flash(f"Deleted the file of {name}; its record stays because posts refer to it.", "success")
    return redirect(url_for("videos.detail", video_id=video_id))


@bp.get("/sample.mp4")
@login_required
def sample():
    path = demo.sample_path()
    return send_file(
        path, mimetype="video/mp4", as_attachment=True, download_name="social-studio-sample.mp4"
    )
