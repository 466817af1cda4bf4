"""The review desk: editors and approvers hear, fix and approve bulletins in a browser.

Every action goes through the same services as the CLI, so every rule (states, roles, the
two-person rule, exact-bytes approval) holds identically. Pages need a session; forms need the
session's CSRF token; audio is served only to signed-in people and only from the workspace.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bulletin import states
from bulletin.domain import Role
from bulletin.errors import BulletinError, NotFoundError, PolicyError
from bulletin.services.sessions import SignedIn
from bulletin.services.station import Station
from bulletin.web.pages import Pages

SESSION_COOKIE = "bulletin_session"
SIGN_IN_COOKIE = "bulletin_sign_in"
"""The sign-in form's own CSRF token (double-submit): there is no session to hold it yet."""

EDIT_ROLES: tuple[Role, ...] = ("editor", "approver", "admin")
LIST_STATES = ("built", "approved", "scheduled", "delivered", "failed", "rejected", "draft")
_HEX = re.compile(r"^[0-9a-f]{64}$")

T = TypeVar("T")
Handler = Callable[[Request, SignedIn, Mapping[str, str]], Awaitable[Response]]


class Refusal(Exception):
    """A request refused with a page: 403 for a wrong role or token, 404 for what is not ours."""

    def __init__(self, status: int, key: str, params: tuple[tuple[str, Any], ...] = ()) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


class Shown(Exception):
    """Ends a request early with this response (a refused change shown on its page)."""

    def __init__(self, response: Response) -> None:
        super().__init__("shown")
        self.response = response


class Desk:
    def __init__(self, station: Station) -> None:
        self.station = station
        self.pages = Pages(station.workspace.config.timezone)
        self.static = StaticFiles(directory=Path(__file__).parent / "static")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/sign-in", self.sign_in_page, methods=["GET"]),
            Route("/sign-in", self.sign_in, methods=["POST"]),
            Route("/sign-out", self.page(self.sign_out, post=True), methods=["POST"]),
            Route("/language", self.page(self.language, post=True), methods=["POST"]),
            Route("/bulletins", self.page(self.bulletins), methods=["GET"]),
            Route("/bulletins/{id:int}", self.page(self.bulletin), methods=["GET"]),
            Route("/bulletins/{id:int}/audio", self.page(self.audio), methods=["GET"]),
            Route(
                "/bulletins/{id:int}/sentences/{index:int}/audio",
                self.page(self.sentence_audio),
                methods=["GET"],
            ),
            Route(
                "/bulletins/{id:int}/sentences/{index:int}",
                self.page(self.edit_sentence, post=True, roles=EDIT_ROLES),
                methods=["POST"],
            ),
            Route(
                "/bulletins/{id:int}/reading",
                self.page(self.fix_reading, post=True, roles=EDIT_ROLES),
                methods=["POST"],
            ),
            Route(
                "/bulletins/{id:int}/items",
                self.page(self.edit_items, post=True, roles=EDIT_ROLES),
                methods=["POST"],
            ),
            Route(
                "/bulletins/{id:int}/approve",
                self.page(self.approve, post=True, roles=("approver",)),
                methods=["POST"],
            ),
            Route(
                "/bulletins/{id:int}/reject",
                self.page(self.reject, post=True, roles=("approver",)),
                methods=["POST"],
            ),
            Route("/controllers", self.page(self.controllers), methods=["GET"]),
            Mount("/static", app=self.static, name="static"),
        ]

    # --- who is asking -------------------------------------------------------------------

    def page(
        self, handler: Handler, *, post: bool = False, roles: tuple[Role, ...] | None = None
    ) -> Callable[[Request], Awaitable[Response]]:
        """`handler` behind the desk's gate: a session (else the sign-in page), the role
        (else 403), and for forms the session's CSRF token (else 403)."""

        async def gated(request: Request) -> Response:
            from bulletin.services.sessions import csrf_ok, session_user

            token = request.cookies.get(SESSION_COOKIE)
            who = await run_in_threadpool(session_user, self.station, token)
            if who is None:
                target = request.url.path if request.method == "GET" else "/bulletins"
                return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
            lang = who.user.lang
            form: dict[str, str] = {}
            try:
                if post:
                    received = await request.form(max_files=0, max_fields=200)
                    form = {k: v for k, v in received.items() if isinstance(v, str)}
                    if not csrf_ok(who, form.get("csrf")):
                        raise Refusal(403, "desk.csrf")
                if roles is not None and not any(who.user.has_role(r) for r in roles):
                    raise Refusal(
                        403,
                        "desk.needs_role",
                        (("role", self.role_names(roles, lang)), ("roles", self.roles_of(who))),
                    )
                return await handler(request, who, form)
            except Shown as shown:
                return shown.response
            except Refusal as refusal:
                return self.refused(request, refusal, who)
            except NotFoundError:
                return self.refused(request, Refusal(404, "desk.not_found"), who)
            except BulletinError as exc:  # a broken workspace file, a busy store: say which
                status = 409 if isinstance(exc, PolicyError) else 500
                return self.show(
                    request,
                    "refused.html",
                    who,
                    status=status,
                    code=status,
                    message=exc.message(lang),
                )

        return gated

    def show(
        self,
        request: Request,
        template: str,
        who: SignedIn | None,
        *,
        status: int = 200,
        **context: Any,
    ) -> Response:
        """A page in the reader's language, with what the header needs."""
        lang = who.user.lang if who else _sign_in_language(request)
        return self.pages.render(
            template,
            lang,
            status_code=status,
            who=who,
            here=_safe_next(request.url.path),
            roles_text=self.roles_of(who) if who else "",
            programme_title=self.programme_titles(),
            **context,
        )

    def refused(self, request: Request, refusal: Refusal, who: SignedIn | None) -> Response:
        lang = who.user.lang if who else _sign_in_language(request)
        message = self.pages.translator(lang)(refusal.key, **dict(refusal.params))
        return self.show(
            request,
            "refused.html",
            who,
            status=refusal.status,
            code=refusal.status,
            message=message,
        )

    def programme_titles(self) -> Callable[[str], str]:
        """A programme's title as people call it (read once per page); its key when its
        file is missing or broken."""
        known: dict[str, str] = {}

        def title(key: str) -> str:
            if key not in known:
                try:
                    known[key] = self.station.workspace.programme(key)[1].title or key
                except BulletinError:
                    known[key] = key
            return known[key]

        return title

    def role_names(self, roles: tuple[str, ...], lang: str) -> str:
        say = self.pages.translator(lang)
        return ", ".join(say(f"desk.role.{r}") for r in roles)

    def roles_of(self, who: SignedIn) -> str:
        return self.role_names(who.user.roles, who.user.lang)

    # --- signing in and out --------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/bulletins", status_code=303)

    async def sign_in_page(self, request: Request) -> Response:
        return self._sign_in_form(request, error=None, notice=request.query_params.get("m"))

    def _sign_in_form(
        self, request: Request, *, error: str | None, notice: str | None, status: int = 200
    ) -> Response:
        token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
        notices = {"out": "desk.signed_out", "ended": "desk.session_ended"}
        response = self.show(
            request,
            "sign_in.html",
            None,
            status=status,
            csrf=token,
            error=error,
            notice=notices.get(notice or ""),
            next=_safe_next(request.query_params.get("next")),
        )
        response.set_cookie(
            SIGN_IN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/sign-in",
        )
        return response

    async def sign_in(self, request: Request) -> Response:
        import hmac

        from bulletin.services.sessions import sign_in

        received = await request.form(max_files=0, max_fields=20)
        form = {k: v for k, v in received.items() if isinstance(v, str)}
        expected = request.cookies.get(SIGN_IN_COOKIE, "")
        sent = form.get("csrf", "")
        if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
            return self.refused(request, Refusal(403, "desk.csrf"), None)
        address = request.client.host if request.client else "-"
        try:
            who = await run_in_threadpool(
                sign_in,
                self.station,
                form.get("name", "")[:200],
                form.get("password", "")[:1000],
                address=address,
            )
        except BulletinError as exc:
            status = 429 if exc.key == "desk.too_many_attempts" else 401
            return self._sign_in_form(
                request,
                error=exc.message(_sign_in_language(request)),
                notice=None,
                status=status,
            )
        response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            who.token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
        return response

    async def sign_out(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        from bulletin.services.sessions import sign_out

        await run_in_threadpool(sign_out, self.station, who.token)
        response = RedirectResponse("/sign-in?m=out", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def language(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        from bulletin.services.sessions import set_language

        try:
            await run_in_threadpool(set_language, self.station, who.user.name, form.get("lang", ""))
        except BulletinError:
            raise Refusal(
                400, "desk.bad_language", (("code", form.get("lang", "")[:10]), ("known", "vi, en"))
            ) from None
        return RedirectResponse(_safe_next(form.get("next")), status_code=303)

    # --- reading -------------------------------------------------------------------------

    async def bulletins(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        from bulletin.services.bulletins import listing, state_counts

        state = request.query_params.get("state") or None
        if state is not None and state not in LIST_STATES and state != "delivering":
            state = None
        found = await run_in_threadpool(listing, self.station, state, 300)
        counts = await run_in_threadpool(state_counts, self.station)
        return self.show(
            request,
            "bulletins.html",
            who,
            bulletins=found,
            state=state,
            states=LIST_STATES,
            counts=counts,
            today=self.pages.today(),
        )

    async def bulletin(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        return await self._bulletin_page(request, who)

    async def _bulletin_page(
        self,
        request: Request,
        who: SignedIn,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        number = int(request.path_params["id"])
        page = await run_in_threadpool(self._bulletin_data, number, who.user.lang)
        notice = request.query_params.get("done")
        return self.show(
            request,
            "bulletin.html",
            who,
            status=status,
            error=error,
            notice=_NOTICES.get(notice or ""),
            notice_params=dict(request.query_params),
            edited_sentence=_number_or_none(request.query_params.get("s")),
            target_lufs=self.station.workspace.config.audio.target_lufs,
            ceiling=self.station.workspace.config.audio.true_peak_dbtp,
            can_edit=any(who.user.has_role(r) for r in EDIT_ROLES),
            editable=states.allowed("edit", page["bulletin"].state),
            reviewable=states.allowed("approve", page["bulletin"].state),
            is_approver=who.user.has_role("approver"),
            **page,
        )

    def _bulletin_data(self, number: int, lang: str) -> dict[str, Any]:
        from bulletin.services.bulletins import view
        from bulletin.services.checking import check
        from bulletin.services.review import approvals_required, review_status

        document = view(self.station, number)
        findings = check(self.station, number).findings
        review = review_status(self.station, number)
        sources: dict[int, Any] = {}
        with self.station.store(readonly=True) as store:
            people = {user.name: user.display_name for user in store.users()}
            for item in document.items:
                with contextlib.suppress(NotFoundError):
                    sources[item.position] = store.announcement(item.announcement_id)
        pictures, pictures_error = self._pictures(document.audio, lang)
        by_item: dict[int, list[Any]] = {}
        for sentence in document.sentences:
            if sentence.part == "item" and sentence.item_position is not None:
                by_item.setdefault(sentence.item_position, []).append(sentence)
        return {
            "bulletin": document.bulletin,
            "items": document.items,
            "sources": sources,
            "opening": [s for s in document.sentences if s.part == "opening"],
            "closing": [s for s in document.sentences if s.part == "closing"],
            "by_item": by_item,
            "audit": document.audit,
            "review": review,
            "approver_names": [people.get(name, name) for name in review.approvers],
            "source_names": self._source_names(),
            "required": approvals_required(self.station, document.bulletin),
            "pictures": pictures,
            "pictures_error": pictures_error,
            "findings": findings,
        }

    def _source_names(self) -> dict[str, str]:
        """Sources by key, as people call them (`name:` in sources.yaml)."""
        try:
            return {
                key: config.name
                for key, config in self.station.workspace.sources().items()
                if config.name
            }
        except BulletinError:
            return {}

    def _pictures(self, audio: str | None, lang: str) -> tuple[Any, str | None]:
        if audio is None or not Path(audio).is_file():
            return None, None
        from bulletin.web.pictures import PictureLabels, audio_pictures

        config = self.station.workspace.config.audio
        say = self.pages.translator(lang)
        labels = PictureLabels(
            waveform=say("desk.wave"), loudness=say("desk.loudness"), target=say("desk.target")
        )
        try:
            return (
                audio_pictures(
                    Path(audio),
                    target_lufs=config.target_lufs,
                    true_peak_dbtp=config.true_peak_dbtp,
                    cache_dir=self.station.workspace.cache_dir / "pictures",
                    labels=labels,
                ),
                None,
            )
        except BulletinError as exc:
            return None, exc.message(lang)

    async def audio(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        number = int(request.path_params["id"])
        path = await run_in_threadpool(self._bulletin_audio, number)
        return FileResponse(path, media_type="audio/mpeg", filename=f"bulletin-{number}.mp3")

    def _bulletin_audio(self, number: int) -> Path:
        """The bulletin's audio, which must be a file inside the workspace's audio folder."""
        with self.station.store(readonly=True) as store:
            bulletin = store.bulletin(number)
        if not bulletin.audio_path:
            raise Refusal(404, "desk.not_found")
        return _inside(self.station.workspace.audio_dir, self.station.root / bulletin.audio_path)

    async def sentence_audio(
        self, request: Request, who: SignedIn, form: Mapping[str, str]
    ) -> Response:
        number = int(request.path_params["id"])
        index = int(request.path_params["index"])
        path = await run_in_threadpool(self._sentence_audio, number, index)
        return FileResponse(path, media_type="audio/wav")

    @property
    def _clips(self) -> Path:
        """Where sentence audio is served from: inside the audio folder, like all audio."""
        return self.station.workspace.audio_dir / "sentences"

    def _sentence_audio(self, number: int, index: int) -> Path:
        """One sentence's audio from the sentence cache (spoken again if it was pruned),
        published into the audio folder: the desk serves audio from nowhere else."""
        from bulletin.services.building import tts_engine
        from bulletin.speech.cache import SentenceCache, synthesize_cached

        with self.station.store(readonly=True) as store:
            bulletin = store.bulletin(number)
            sentence = next((s for s in store.sentences(number) if s.index == index), None)
        if sentence is None or not sentence.audio_key or not _HEX.match(sentence.audio_key):
            raise Refusal(404, "desk.not_found")
        folder = self.station.workspace.cache_dir / "sentences"
        key = sentence.audio_key
        path = folder / key[:2] / key[2:4] / f"{key}.wav"
        if not path.is_file():
            _, voice = self.station.workspace.voice(sentence.fallback_voice or bulletin.voice)
            engine = tts_engine(self.station, voice)
            cache = SentenceCache(folder)
            if cache.digest((engine.cache_key(), sentence.spoken)) != key:
                raise Refusal(404, "desk.not_found")  # the voice changed since the build
            list(synthesize_cached(engine, cache, [sentence.spoken]))
        return _inside(self.station.workspace.audio_dir, _published(path, self._clips / path.name))

    async def controllers(
        self, request: Request, who: SignedIn, form: Mapping[str, str]
    ) -> Response:
        from bulletin.services.controllers import controller_overview

        rows, problem = await run_in_threadpool(controller_overview, self.station)
        return self.show(request, "controllers.html", who, rows=rows, problem=problem)

    # --- changing ------------------------------------------------------------------------

    async def _attempt(self, request: Request, who: SignedIn, action: Callable[[], T]) -> T:
        """`action` in a worker thread. Refused, it ends the request with the bulletin's page
        saying why (a missing bulletin stays a 404)."""
        try:
            return await run_in_threadpool(action)
        except NotFoundError:
            raise
        except BulletinError as exc:
            page = await self._bulletin_page(
                request, who, error=exc.message(who.user.lang), status=409
            )
            raise Shown(page) from exc

    async def edit_sentence(
        self, request: Request, who: SignedIn, form: Mapping[str, str]
    ) -> Response:
        from bulletin.services.bulletins import view
        from bulletin.services.editing import edit_script

        number = int(request.path_params["id"])
        index = int(request.path_params["index"])
        current = await run_in_threadpool(view, self.station, number)
        sentence = next((s for s in current.sentences if s.index == index), None)
        if sentence is None:
            raise Refusal(404, "desk.not_found")
        written = " ".join(form.get("text", "").split())
        spoken = " ".join(form.get("spoken", "").split())
        changes = {index: written} if written and written != sentence.text else {}
        spoken_changes = {index: spoken} if spoken and spoken != sentence.spoken else {}
        result = await self._attempt(
            request,
            who,
            lambda: edit_script(
                self.station,
                number,
                changes,
                spoken=spoken_changes,
                actor=who.user.name,
                reason=form.get("note") or None,
            ),
        )
        if not result.changed:
            return _back(number, "nothing", anchor=f"s{index}", s=index)
        return _back(
            number,
            "edited" if current.bulletin.state in states.DELIVERABLE else "edited_waiting",
            anchor=f"s{index}",
            s=index,
            changed=len(result.changed),
            synthesized=result.synthesized,
        )

    async def fix_reading(
        self, request: Request, who: SignedIn, form: Mapping[str, str]
    ) -> Response:
        from bulletin.services.editing import fix_reading

        number = int(request.path_params["id"])
        fixed = await self._attempt(
            request,
            who,
            lambda: fix_reading(
                self.station,
                number,
                form.get("written", ""),
                form.get("spoken", ""),
                actor=who.user.name,
                remember=form.get("remember") == "1",
            ),
        )
        return _back(
            number,
            "reading_remembered" if fixed.remembered else "reading",
            anchor="reading-done",
            count=len(fixed.sentences),
            synthesized=fixed.edit.synthesized,
        )

    async def edit_items(
        self, request: Request, who: SignedIn, form: Mapping[str, str]
    ) -> Response:
        from bulletin.services.bulletins import view
        from bulletin.services.editing import edit_items

        number = int(request.path_params["id"])
        current = await run_in_threadpool(view, self.station, number)
        order = [item.position for item in current.items]
        try:
            position = int(form.get("item", ""))
            where = order.index(position)
        except ValueError:
            raise Refusal(404, "desk.not_found") from None
        action = form.get("action")
        if action == "remove":
            del order[where]
        elif action == "up" and where > 0:
            order[where - 1], order[where] = order[where], order[where - 1]
        elif action == "down" and where < len(order) - 1:
            order[where + 1], order[where] = order[where], order[where + 1]
        else:
            return _back(number, "nothing")
        await self._attempt(
            request,
            who,
            lambda: edit_items(self.station, number, order, actor=who.user.name),
        )
        return _back(number, "items")

    async def approve(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        from bulletin.services.review import approve

        number = int(request.path_params["id"])
        result = await self._attempt(
            request,
            who,
            lambda: approve(
                self.station, number, user=who.user.name, note=form.get("note") or None
            ),
        )
        if result.state != "approved":
            return _back(number, "approved_first", count=result.needed)
        return _back(number, "approved", id=number)

    async def reject(self, request: Request, who: SignedIn, form: Mapping[str, str]) -> Response:
        from bulletin.services.review import reject

        number = int(request.path_params["id"])
        await self._attempt(
            request,
            who,
            lambda: reject(self.station, number, user=who.user.name, reason=form.get("reason", "")),
        )
        return _back(number, "rejected", id=number)


_NOTICES = {
    "edited": "desk.edited",
    "edited_waiting": "desk.edited.waiting",
    "reading": "desk.reading_fixed",
    "reading_remembered": "desk.reading_remembered",
    "nothing": "desk.edited.nothing",
    "items": "desk.items_edited",
    "approved": "desk.approved",
    "approved_first": "desk.approved_first",
    "rejected": "desk.rejected",
}


def _back(number: int, done: str, *, anchor: str = "", **params: Any) -> Response:
    """After a change, back to the bulletin's page (a reload then does not post again)."""
    query = "&".join(f"{k}={quote(str(v))}" for k, v in {"done": done, **params}.items())
    fragment = f"#{anchor}" if anchor else ""
    return RedirectResponse(f"/bulletins/{number}?{query}{fragment}", status_code=303)


def _sign_in_language(request: Request) -> str:
    """Before sign-in there is no person to ask: Vietnamese, unless English was asked for
    with the sign-in page's own link (`?lang=en`)."""
    return "en" if request.query_params.get("lang") == "en" else "vi"


def _number_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//host` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/bulletins"
    return value


def _published(cached: Path, clip: Path) -> Path:
    """`clip`, a hard link to (or else a copy of) the cached sentence `cached`; written under
    another name and renamed, so a reader never sees half a file."""
    if clip.is_file():
        return clip
    clip.parent.mkdir(parents=True, exist_ok=True)
    partial = clip.with_name(f".{clip.name}.{secrets.token_hex(4)}")
    try:
        os.link(cached, partial)
    except OSError:
        shutil.copyfile(cached, partial)
    os.replace(partial, clip)
    return clip


def _inside(folder: Path, path: Path) -> Path:
    """`path` if it is a file inside `folder` (links and `..` resolved), else a 404."""
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(folder.resolve(strict=True))
    except (OSError, ValueError):
        raise Refusal(404, "desk.not_found") from None
    if not resolved.is_file():
        raise Refusal(404, "desk.not_found")
    return resolved
