"""Editing in the browser: sign-in, the edit form with live preview, diffs, reverts, the audit log.

Every form that writes carries the session's CSRF token and is refused
without it; the sign-in form, which has no session yet, carries a token
mirrored in a SameSite=Strict cookie. Every form post is also refused when its
Origin (or Referer) is another site. Failed sign-ins are rate-limited per
account name and client address (registry/throttle.py). Anonymous readers
never touch the session table: the session is looked up only when its cookie
is present.
"""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from scidex.kg.urls import urls
from scidex.queries.artifacts import find_artifact, get_revision
from scidex.registry.accounts import SessionInfo, log_in, log_out
from scidex.registry.editing import EditRequest, check_edit, submit_edit
from scidex.registry.revisions import Conflict, Invalid, WriteError, diff_revisions, revert
from scidex.registry.throttle import Throttled
from scidex.store.schema import audit_log
from scidex.web.deps import (
    COOKIE,
    LOGIN_COOKIE,
    StoreDep,
    check_csrf,
    check_login_csrf,
    check_origin,
    check_preview_size,
    client_ip,
    clock,
    current_session,
    login_form_token,
    set_login_cookie,
    signed_in,
)
from scidex.web.errors import MAX_VERSION, PageError
from scidex.web.rendering import render

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, next: str, error: str | None, status: int = 200) -> Response:
    token = login_form_token(request)
    response = render(request, "login.html", {"next": next, "error": error, "csrf": token}, status)
    set_login_cookie(request, response, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = Query("/", max_length=500)) -> Response:
    return _login_page(request, next, None)


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    username: str = Form(..., max_length=100),
    password: str = Form(..., max_length=500),
    next: str = Form("/", max_length=500),
    csrf: str = Form("", max_length=200),
) -> Response:
    check_origin(request)
    check_login_csrf(request, csrf)
    try:
        result = log_in(store, username, password, address=client_ip(request), now=clock(request))
    except Throttled as exc:
        raise PageError(
            429,
            str(exc),
            {"retry_after": exc.retry_after},
            headers={"Retry-After": str(exc.retry_after)},
        ) from exc
    if result is None:
        return _login_page(request, next, "Unknown username or wrong password.", 401)
    token, _csrf = result
    # A new session on every sign-in; the one the browser held before ends.
    if previous := request.cookies.get(COOKIE):
        log_out(store, previous)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=14 * 86400,
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, store: StoreDep, csrf: str = Form("")) -> Response:
    check_origin(request)
    info = signed_in(request, "reader")
    check_csrf(info, csrf)
    log_out(store, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _yaml(text: str, field: str) -> Any:
    if not text.strip():
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise Invalid(
            f"{field}: not valid YAML ({getattr(exc, 'problem', exc)})",
            {"field": field, "line": line},
        ) from exc


def _edit_request(form: dict[str, str]) -> EditRequest:
    refs = _yaml(form.get("references", ""), "references") or {}
    if isinstance(refs, list):  # the front-matter form: a list of CSL items with ids
        refs = {str(r.get("id")): r for r in refs if isinstance(r, dict)}
    if not isinstance(refs, dict):
        raise Invalid(
            "references: expected CSL-JSON items keyed by citation key", {"field": "references"}
        )
    edges = _yaml(form.get("curated_edges", ""), "curated_edges") or []
    if not isinstance(edges, list):
        raise Invalid("curated_edges: expected a list", {"field": "curated_edges"})
    try:
        base = int(form.get("base_version", ""))
    except ValueError as exc:
        raise Invalid("base_version: missing", {"field": "base_version"}) from exc
    return EditRequest(
        markdown=form.get("markdown", ""),
        base_version=base,
        summary=form.get("summary", ""),
        references=refs,
        curated_edges=edges,
        override_lint=form.get("override_lint") == "on",
    )


def _form_context(
    request: Request, art: Any, form: dict[str, str], info: SessionInfo, **extra: Any
) -> dict[str, Any]:
    return {
        "artifact": art,
        "form": form,
        "csrf": info.csrf,
        "findings": [],
        "error": None,
        "conflict": None,
        **extra,
    }


@router.get("/artifact/{artifact_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, store: StoreDep, artifact_id: str) -> Response:
    info = current_session(request)
    if info is None:
        return RedirectResponse(urls.login(request.url.path), status_code=303)
    info = signed_in(request, "editor")
    with store.read() as conn:
        art, _ = find_artifact(conn, artifact_id)
        if art is None:
            raise PageError(404, f"No artifact named {artifact_id!r}.")
        rev = get_revision(conn, art.id, art.current_version)
    form = {
        "markdown": rev.markdown if rev else "",
        "references": yaml.safe_dump(rev.references, sort_keys=False, allow_unicode=True)
        if rev and rev.references
        else "",
        "curated_edges": yaml.safe_dump(rev.curated_edges, sort_keys=False, allow_unicode=True)
        if rev and rev.curated_edges
        else "",
        "base_version": str(art.current_version),
        "summary": "",
    }
    return render(request, "edit.html", _form_context(request, art, form, info))


@router.post("/artifact/{artifact_id}/edit")
async def save_edit(request: Request, store: StoreDep, artifact_id: str) -> Response:
    check_origin(request)
    info = signed_in(request, "editor")
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(info, form.get("csrf", ""))
    with store.read() as conn:
        art, _ = find_artifact(conn, artifact_id)
    if art is None:
        raise PageError(404, f"No artifact named {artifact_id!r}.")
    try:
        edit = _edit_request(form)
        with store.atomic() as conn:
            submit_edit(conn, art.id, edit, info.actor)
    except Conflict as exc:
        with store.read() as conn:
            base = get_revision(conn, art.id, int(form.get("base_version") or 0))
            theirs = get_revision(conn, art.id, exc.details.get("current_version", 0))
        lines = diff_revisions(base, theirs) if base and theirs else []
        return render(
            request,
            "edit.html",
            _form_context(
                request,
                art,
                form,
                info,
                error=str(exc),
                conflict={"lines": lines, "theirs": theirs},
            ),
            409,
        )
    except Invalid as exc:
        return render(
            request,
            "edit.html",
            _form_context(
                request, art, form, info, error=str(exc), findings=exc.details.get("findings", [])
            ),
            422,
        )
    except WriteError as exc:
        raise PageError(exc.status, str(exc), exc.details) from exc
    return RedirectResponse(urls.artifact(art.id), status_code=303)


@router.post("/artifact/{artifact_id}/preview")
async def preview_edit(request: Request, store: StoreDep, artifact_id: str) -> Response:
    """What the page would look like and what the lint says: for the form's live preview.

    Only for a signed-in editor (checked before the form is read), as the edit form itself.
    """
    info = signed_in(request, "editor")
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not check_origin(request):  # neither Origin nor Referer: the session's token must check
        check_csrf(info, form.get("csrf", ""))
    check_preview_size(form.get("markdown", ""))
    with store.read() as conn:
        art, _ = find_artifact(conn, artifact_id)
        if art is None:
            raise PageError(404, f"No artifact named {artifact_id!r}.")
        try:
            checked = check_edit(conn, art, _edit_request(form))
        except Invalid as exc:
            return JSONResponse(
                {"html": "", "references_html": "", "error": str(exc), "findings": []}
            )
    return JSONResponse(
        {
            "html": checked.rendered.html,
            "references_html": checked.rendered.references_html,
            "error": None,
            "findings": [
                {"line": f.line, "kind": f.kind, "message": f.message} for f in checked.findings
            ],
        }
    )


@router.get("/artifact/{artifact_id}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    store: StoreDep,
    artifact_id: str,
    from_version: int = Query(..., alias="from", ge=1, le=MAX_VERSION),
    to_version: int = Query(..., alias="to", ge=1, le=MAX_VERSION),
) -> Response:
    with store.read() as conn:
        art, _ = find_artifact(conn, artifact_id)
        old = get_revision(conn, art.id, from_version) if art else None
        new = get_revision(conn, art.id, to_version) if art else None
    if art is None or old is None or new is None:
        raise PageError(404, f"{artifact_id} has no such versions")
    return render(
        request,
        "diff.html",
        {"artifact": art, "old": old, "new": new, "lines": diff_revisions(old, new)},
    )


@router.post("/artifact/{artifact_id}/revert")
def revert_page(
    request: Request,
    store: StoreDep,
    artifact_id: str,
    to_version: int = Form(..., ge=1, le=MAX_VERSION),
    base_version: int = Form(..., ge=1, le=MAX_VERSION),
    csrf: str = Form(""),
) -> Response:
    check_origin(request)
    info = signed_in(request, "curator")
    check_csrf(info, csrf)
    try:
        with store.atomic() as conn:
            revert(conn, artifact_id, to_version, base_version=base_version, actor=info.actor)
    except WriteError as exc:
        raise PageError(exc.status, str(exc), exc.details) from exc
    return RedirectResponse(urls.history(artifact_id), status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, store: StoreDep, limit: int = Query(200, ge=1, le=2000)
) -> Response:
    signed_in(request, "admin")
    with store.read() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)).all()
    return render(request, "audit.html", {"entries": rows})
