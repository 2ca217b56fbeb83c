"""The organiser area: log in, see your petitions, export their verified signatures."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from petition.accounts import authenticate
from petition.exports import FORMATS, export_chunks
from petition.forms import LoginForm
from petition.models import Petition
from petition.petitions import is_organiser_of, pending_counts, petition_by_slug

bp = Blueprint("organisers", __name__, url_prefix="/organisers")
MIMETYPES = {"csv": "text/csv", "json": "application/json"}


def _safe_next(target: str | None) -> str:
    """Only redirect after login to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(".dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int] | str:
    form = LoginForm()
    if form.validate_on_submit():
        organiser = authenticate(form.email.data, form.password.data)
        if organiser is not None:
            login_user(organiser)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors.append("That email address and password do not match an organiser.")
        return render_template("organisers/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("organisers/login.html", form=form), status


@bp.post("/logout")
def logout() -> BaseResponse:
    logout_user()
    return redirect(url_for("public.index"), 303)


@bp.get("/")
@login_required
def dashboard() -> str:
    petitions = current_user.petitions
    return render_template(
        "organisers/dashboard.html",
        petitions=petitions,
        pending=pending_counts([p.id for p in petitions]),
    )


def _own_petition_or_404(slug: str) -> Petition:
    petition = petition_by_slug(slug)
    if petition is None or not is_organiser_of(current_user, petition):
        abort(404)  # another organiser's petition looks the same as none at all
    return petition


@bp.get("/petitions/<slug:slug>/export.<fmt>")
@login_required
def export(slug: str, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    petition = _own_petition_or_404(slug)
    filename = f"{petition.slug}-signatures.{fmt}"
    return Response(
        stream_with_context(export_chunks(petition, fmt)),
        mimetype=MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
