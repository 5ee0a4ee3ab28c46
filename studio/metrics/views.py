"""The Performance page, one post's deliveries side by side, and the CSV export."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_login import login_required

from studio import db
from studio.metrics import bp, presenting, queries
from studio.metrics.forms import RangeForm
from studio.platforms.registry import label_of

PAGE_SIZE = 100  # videos per page of the table


def _range() -> tuple[RangeForm, tuple]:
    form = RangeForm(request.args)
    if request.args and not form.validate():
        abort(Response(render_template("metrics/bad_range.html", form=form), 400))
    return form, form.span()


@bp.get("/")
@login_required
def index():
    form, (start, end) = _range()
    sort = form.sort.data if form.sort.data in queries.SORTS else "views"
    page = form.page.data or 1
    rows = queries.table(db.session, start, end, sort, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render_template(
        "metrics/index.html",
        form=form,
        start=start,
        end=end,
        sort=sort,
        accounts=presenting.account_charts(db.session, start, end),
        totals=presenting.totals_chart(db.session, start, end),
        rows=rows[:PAGE_SIZE],
        page=page,
        more=len(rows) > PAGE_SIZE,
        first=(page - 1) * PAGE_SIZE + 1,
        rounds=presenting.rounds(db.session),
        label_of=label_of,
    )


@bp.get("/posts/<int:post_id>")
@login_required
def post(post_id: int):
    form, (start, end) = _range()
    found = presenting.post_charts(db.session, post_id, start, end)
    if found is None:
        abort(404)
    return render_template(
        "metrics/post.html", form=form, start=start, end=end, post_id=post_id, **found
    )


@bp.get("/export.csv")
@login_required
def export():
    _form, (start, end) = _range()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["account", "platform", "video id", "origin", "title", "day", *queries.FIELDS])
    for row in queries.table(db.session, start, end, limit=100_000):
        figures = [row.figures[f] if row.figures[f] is not None else "" for f in queries.FIELDS]
        writer.writerow(
            [
                row.account.display_name or row.account.remote_id,
                row.account.platform,
                row.video.remote_id,
                row.origin,
                presenting.safe_cell(row.video.title or ""),
                row.day,
                *figures,
            ]
        )
    name = f"performance-{start}-{end}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
