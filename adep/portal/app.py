"""The portal's web application: server-rendered pages in Kazakh and Russian (a session cookie) and the JSON API of
interface.md (`Authorization: Bearer BIN:CODE`). Both call adep.portal.service; this module only speaks HTTP."""
from __future__ import annotations

import hmac
import json
import secrets
import tempfile
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from adep import calendar
from adep.periods import Period
from adep.portal import reads, service, store
from adep.portal.service import Refused
from adep.portal.texts import TEXT, pick, translator
from adep.portal.uploads import BadForm, TooLarge, read_form
from adep.settings import Settings
from adep.submissions import Receipt, record_event

SESSION_COOKIE = "adep_session"
SIGN_IN_COOKIE = "adep_sign_in"  # the sign-in form's CSRF token (double submit), before there is a session
LANG_COOKIE = "adep_lang"


def _package_dir(name: str) -> str:
    return str(resources.files("adep.portal").joinpath(name))


def create_app(settings: Settings, *, warm: bool = False) -> FastAPI:
    """The portal for one home (its store and receipt key are made here, and half-done deliveries finished);
    warm=True checks one blank form first (about half a second), so the first upload is answered as fast as the next."""
    service.start(settings)
    if warm:
        service.warm_up(settings)
    app = FastAPI(title="adep portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    templates = Jinja2Templates(directory=_package_dir("templates"))
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")

    # --- what every route uses ---------------------------------------------------------------------------------------

    def now() -> datetime:
        return store.now_utc()

    def address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def secure(request: Request) -> bool:
        return (settings.portal_secure_cookies or request.url.scheme == "https"
                or request.headers.get("x-forwarded-proto", "").lower() == "https")

    def lang_of(request: Request) -> str:
        return pick(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))

    def shown(moment) -> str:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return calendar.shown_time(moment, settings.timezone)

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        switch = {other: request.url.path + "?" + urlencode({**request.query_params, "lang": other}) for other in ("kk", "ru")}
        if request.method != "GET":  # a page answering a form: switch to the page the form came from
            switch = {other: f"{request.url.path}?lang={other}" for other in ("kk", "ru")}
        response = templates.TemplateResponse(request, name, {
            "t": translator(lang), "lang": lang, "switch": switch, "shown": shown, **context}, status_code=status)
        if request.query_params.get("lang") in TEXT["title"]:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict", secure=secure(request),
                                httponly=True)
        return response

    def message(request: Request, status: int, text: str) -> HTMLResponse:
        return page(request, "message.html", status=status, text=text, session=None)

    def session_of(request: Request) -> store.Session | None:
        return store.session_of(settings, request.cookies.get(SESSION_COOKIE))

    def to_sign_in(request: Request) -> RedirectResponse:
        expired = "&expired=1" if request.cookies.get(SESSION_COOKIE) else ""
        response = RedirectResponse(f"/sign-in?lang={lang_of(request)}{expired}", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def forged(request: Request, session: store.Session, token: str, form_name: str) -> HTMLResponse | None:
        """The refusal of a form whose token is not the session's (recorded), or None when the token is right."""
        if token and hmac.compare_digest(session.csrf.encode(), token.encode()):
            return None
        service.refuse(settings, 403, "csrf", bin_=session.bin, address=address(request), form=form_name)
        return message(request, 403, "forged")

    def rate_limited(request: Request) -> bool:
        return store.failures(settings, address(request)) >= settings.portal_failed_sign_ins

    def api_body(request: Request) -> str:
        """The BIN of a script's `Authorization: Bearer BIN:CODE`; 429 or 401 (recorded) otherwise."""
        where = address(request)
        if rate_limited(request):
            raise service.refuse(settings, 429, "rate_limited", bin_=None, address=where, text="too_many")
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        bin_, _, code = credentials.strip().partition(":")
        bin_ = bin_.strip()
        if scheme.lower() != "bearer" or not bin_ or not code:
            raise service.refuse(settings, 401, "no_credentials", bin_=None, address=where, text="bad_code")
        if not store.code_matches(settings, bin_, code.strip()):
            store.add_failure(settings, where)
            record_event(settings, "sign_in_failed", bin=bin_, address=where, via="api")
            raise Refused(401, "bad_code", "bad_code")
        record_event(settings, "sign_in", bin=bin_, address=where, via="api", path=request.url.path)
        return bin_

    def api_error(exc: Refused) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        return JSONResponse({"error": exc.reason, **exc.detail}, status_code=exc.status, headers=headers)

    @app.middleware("http")
    async def protective_headers(request: Request, call_next):
        """No framing (clickjacking), no script or form target elsewhere, no caching of a body's pages."""
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # --- errors --------------------------------------------------------------------------------------------------

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not_found" if exc.status_code == 404 else str(exc.detail)},
                                status_code=exc.status_code)
        return message(request, exc.status_code, "not_found" if exc.status_code == 404 else "forged")

    # --- health --------------------------------------------------------------------------------------------------

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz():
        try:
            with reads.published(settings) as con:
                reads.readable(con)
        except Exception as exc:  # noqa: BLE001 - any reason the warehouse cannot be read is 'not ready'
            return PlainTextResponse(f"cannot read the published warehouse: {type(exc).__name__}", status_code=503)
        return PlainTextResponse("ok")

    # --- pages: signing in and out -------------------------------------------------------------------------------

    @app.get("/")
    def root(request: Request):
        return RedirectResponse("/body" if session_of(request) else "/sign-in", status_code=303)

    def sign_in_page(request: Request, status: int = 200, error: str | None = None, bin_: str = "") -> HTMLResponse:
        token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(24)
        response = page(request, "sign_in.html", status=status, error=error, bin=bin_, csrf=token, session=None,
                        expired=request.query_params.get("expired") == "1")
        response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/sign-in")
        return response

    @app.get("/sign-in")
    def sign_in_form(request: Request, bin: str = ""):
        return sign_in_page(request, bin_=bin[:12])

    @app.post("/sign-in")
    async def sign_in(request: Request):
        form = await request.form()
        bin_, code = str(form.get("bin", "")).strip()[:12], str(form.get("code", "")).strip()
        where = address(request)
        if await run_in_threadpool(rate_limited, request):
            service.refuse(settings, 429, "rate_limited", bin_=bin_ or None, address=where)
            return sign_in_page(request, 429, "too_many", bin_)
        token = request.cookies.get(SIGN_IN_COOKIE, "")
        if not token or not hmac.compare_digest(token.encode(), str(form.get("csrf_token", "")).encode()):
            service.refuse(settings, 403, "csrf", bin_=bin_ or None, address=where, form="sign_in")
            return sign_in_page(request, 403, "forged", bin_)
        if not await run_in_threadpool(store.code_matches, settings, bin_, code):
            store.add_failure(settings, where)
            record_event(settings, "sign_in_failed", bin=bin_ or None, address=where, via="page")
            return sign_in_page(request, 401, "bad_code", bin_)
        cookie, _session = store.start_session(settings, bin_, where)
        record_event(settings, "sign_in", bin=bin_, address=where, via="page")
        response = RedirectResponse(f"/body?lang={lang_of(request)}", status_code=303)
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict", secure=secure(request), path="/",
                            max_age=settings.portal_session_minutes * 60)
        response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
        return response

    @app.post("/sign-out")
    async def sign_out(request: Request):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        form = await request.form()
        if refusal := forged(request, session, str(form.get("csrf_token", "")), "sign_out"):
            return refusal
        store.end_session(settings, request.cookies.get(SESSION_COOKIE))
        record_event(settings, "sign_out", bin=session.bin, address=address(request))
        response = RedirectResponse(f"/sign-in?lang={lang_of(request)}", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # --- pages: the body's own ---------------------------------------------------------------------------------

    def body_context(session: store.Session) -> dict:
        """What the body's page shows, read through one connection to the published copy."""
        period = reads.open_period(settings, now())
        with reads.published(settings) as con:
            entry = reads.body(con, session.bin, period) or reads.any_name(con, session.bin)
            below = reads.subordinate_count(con, session.bin, period)
            submissions = service.submissions(settings, session.bin, con)
        due = reads.deadline(settings, period, (entry or {}).get("tier") or "lower")
        return {"session": session, "body": entry, "period": period, "deadline": due, "deadline_passed": now() > due,
                "has_subordinates": bool(below), "submissions": submissions}

    @app.get("/body")
    def body_page(request: Request):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        return page(request, "body.html", **body_context(session))

    @app.get("/template")
    def template(request: Request):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        from adep.forms.layout import form_file_name
        from adep.forms.writer import write_template

        period = reads.open_period(settings, now())
        with reads.published(settings) as con:
            entry = reads.body(con, session.bin, period)
        if entry is None or entry["is_excluded"]:
            service.refuse(settings, 404, "not_registered", bin_=session.bin, address=address(request), what="template")
            return message(request, 404, "not_registered")
        with tempfile.TemporaryDirectory(prefix="adep-template-") as folder:
            name = form_file_name(session.bin, period)
            path = write_template(Path(folder) / name, bin=session.bin, period=period, body_name=entry["name_kk"])
            content = path.read_bytes()
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=\"form.xlsx\"; filename*=UTF-8''{quote(name)}"})

    @app.post("/uploads")
    async def upload_page(request: Request):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        where = address(request)
        try:
            form = await read_form(request, settings.max_file_bytes)
        except TooLarge:
            service.refuse(settings, 413, "too_large", bin_=session.bin, address=where, limit=settings.max_file_bytes)
            return _close(message(request, 413, "too_large"))
        except BadForm as exc:
            service.refuse(settings, 400, "bad_form", bin_=session.bin, address=where, detail=str(exc)[:200])
            return message(request, 400, "no_file")
        if refusal := forged(request, session, form.field("csrf_token"), "upload"):
            return refusal
        if not form.content:
            service.refuse(settings, 400, "bad_form", bin_=session.bin, address=where, detail="no file")
            return message(request, 400, "no_file")
        done = await run_in_threadpool(service.upload, settings, session.bin, where, form.file_name, form.content, now())
        return RedirectResponse(f"/uploads/{done['upload_id']}?lang={lang_of(request)}", status_code=303)

    def upload_view(request: Request, session: store.Session, upload_id: str, status: int = 200, error: str | None = None):
        try:
            found = service.get_upload(settings, session.bin, address(request), upload_id)
        except Refused:
            return message(request, 404, "not_found")
        return page(request, "upload.html", status=status, session=session, upload=found, result=found["result"],
                    error=error)

    @app.get("/uploads/{upload_id}")
    def upload_result(request: Request, upload_id: str):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        return upload_view(request, session, upload_id)

    @app.post("/uploads/{upload_id}/submit")
    async def submit_page(request: Request, upload_id: str):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        form = await request.form()
        if refusal := forged(request, session, str(form.get("csrf_token", "")), "submit"):
            return refusal
        confirm = [str(v) for v in form.getlist("confirm")]
        try:
            receipt = await run_in_threadpool(service.submit, settings, session.bin, address(request), upload_id,
                                              confirm, now())
        except Refused as exc:
            if exc.status == 404:
                return message(request, 404, "not_found")
            return upload_view(request, session, upload_id, status=exc.status, error=exc.text)
        return RedirectResponse(f"/receipts/{receipt.number}?lang={lang_of(request)}", status_code=303)

    @app.get("/receipts/{number}")
    def receipt_page(request: Request, number: str):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        found = store.receipt(settings, number, session.bin)
        if found is None:
            service.refuse(settings, 404, "unknown_receipt", bin_=session.bin, address=address(request), number=number[:40])
            return message(request, 404, "not_found")
        with reads.published(settings) as con:
            entry = reads.any_name(con, session.bin)
        return page(request, "receipt.html", session=session, receipt=Receipt(**found["receipt"]), body=entry)

    @app.get("/subtree")
    def subtree_page(request: Request, period: str | None = None):
        session = session_of(request)
        if session is None:
            return to_sign_in(request)
        chosen = _period(period) if period else reads.open_period(settings, now())
        if chosen is None:  # a period that is not one is refused, never read as the open quarter
            service.refuse(settings, 404, "bad_period", bin_=session.bin, address=address(request), period=period[:20])
            return message(request, 404, "not_found")
        rows = service.subtree(settings, session.bin, chosen)
        return page(request, "subtree.html", session=session, period=chosen, rows=rows)

    # --- the JSON API ------------------------------------------------------------------------------------------

    @app.post("/api/v1/uploads")
    async def api_upload(request: Request):
        try:
            bin_ = await run_in_threadpool(api_body, request)
        except Refused as exc:
            return api_error(exc)
        where = address(request)
        try:
            form = await read_form(request, settings.max_file_bytes)
        except TooLarge:
            exc = service.refuse(settings, 413, "too_large", bin_=bin_, address=where, limit=settings.max_file_bytes)
            return _close(api_error(exc))
        except BadForm as exc:
            service.refuse(settings, 400, "bad_form", bin_=bin_, address=where, detail=str(exc)[:200])
            return JSONResponse({"error": "bad_form", "detail": str(exc)}, status_code=400)
        if form.content is None:
            service.refuse(settings, 400, "bad_form", bin_=bin_, address=where, detail="no field 'file'")
            return JSONResponse({"error": "bad_form", "detail": "no field 'file'"}, status_code=400)
        done = await run_in_threadpool(service.upload, settings, bin_, where, form.file_name, form.content, now())
        return JSONResponse(service.as_api(done["upload_id"], done))

    @app.post("/api/v1/uploads/{upload_id}/submit")
    async def api_submit(request: Request, upload_id: str):
        try:
            bin_ = await run_in_threadpool(api_body, request)
            raw = await request.body()
            try:
                payload = json.loads(raw or b"{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or not isinstance(payload.get("confirm", []), list):
                service.refuse(settings, 400, "bad_json", bin_=bin_, address=address(request), upload_id=upload_id[:64])
                return JSONResponse({"error": "bad_json", "detail": 'send {"confirm": [finding ids]}'}, status_code=400)
            confirm = [str(c) for c in payload.get("confirm", [])]
            receipt = await run_in_threadpool(service.submit, settings, bin_, address(request), upload_id, confirm, now())
        except Refused as exc:
            return api_error(exc)
        return JSONResponse({"receipt": service.receipt_api(receipt)}, status_code=201)

    @app.get("/api/v1/submissions")
    def api_submissions(request: Request):
        try:
            bin_ = api_body(request)
        except Refused as exc:
            return api_error(exc)
        return JSONResponse({"bin": bin_, "submissions": service.submissions(settings, bin_)})

    @app.get("/api/v1/subtree")
    def api_subtree(request: Request, period: str | None = None):
        try:
            bin_ = api_body(request)
        except Refused as exc:
            return api_error(exc)
        chosen = _period(period) if period else reads.open_period(settings, now())
        if chosen is None:
            service.refuse(settings, 400, "bad_period", bin_=bin_, address=address(request), period=period[:20])
            return JSONResponse({"error": "bad_period", "detail": "a period such as 2026Q2"}, status_code=400)
        return JSONResponse({"bin": bin_, "period": str(chosen), "bodies": service.subtree(settings, bin_, chosen)})

    return app


def _period(text: str | None) -> Period | None:
    try:
        return Period.parse(text) if text else None
    except ValueError:
        return None


def _close(response: Response) -> Response:
    """A refusal sent before the request's body was read: the connection is closed after it, not reused."""
    response.headers["Connection"] = "close"
    return response
