"""What every console handler shares: the request's user, page rendering, form access, and
the responses for "log in first" and "not allowed"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.staff import present
from bot.staff.cookies import CSRF_FIELD

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Staff:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def make_templates() -> Environment:
    # Autoescape everywhere: transcripts are user-written text, shown as text.
    templates = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    templates.filters["when"] = present.when
    templates.filters["when_dt"] = present.when_dt
    templates.filters["mask_contact"] = present.mask_contact
    templates.filters["mask_name"] = present.mask_name
    templates.filters["q"] = lambda value: quote(str(value), safe="")
    return templates


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTTPResponse:
    template = request.app.ctx.templates.get_template(name)
    html = template.render(
        staff=getattr(request.ctx, "staff", None),
        csrf_field=CSRF_FIELD,
        csrf_token=request.ctx.csrf,
        **context,
    )
    return response.html(html, status=status)


def form(request: Request, name: str, default: str = "") -> str:
    value = request.form.get(name) if request.form else None
    return default if value is None else str(value)


def args(request: Request) -> dict[str, str]:
    return {key: str(request.args.get(key)) for key in request.args}


def staff(request: Request) -> Staff:
    return request.ctx.staff


def forbidden(request: Request, message: str = "You do not have access to this page.") -> Any:
    return render(request, "error.html", status=403, title="Not allowed", message=message)


def not_found(request: Request) -> HTTPResponse:
    return render(request, "error.html", status=404, title="Not found", message="Nothing here.")


def back(location: str) -> HTTPResponse:
    """Post/redirect/get: a reload never repeats a change."""
    return response.redirect(location, status=303)


def local_path(value: str, default: str) -> str:
    """Only same-site paths are followed after a form, never another host."""
    return value if value.startswith("/") and not value.startswith("//") else default
