"""The languages the interface speaks, and which one a request gets.

The address decides first (`?lang=ru` on any page), then a choice remembered in a cookie, then
the browser's Accept-Language, then English. The switcher's links go through `/language`, which
remembers the choice and leads back to the page in that language; an address's `?lang=` is
remembered too, except on pages everyone shares (a shared cache keeps one copy per address, and
a cookie set on one would be set for everyone, or keep it from being shared at all).

Pages shared caches keep (the petition page) are served only at an address with `?lang=`: the
bare address redirects there, by the remembered choice or the browser's languages, so a cache
never holds one language's copy for another's readers.
"""

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from weakref import WeakKeyDictionary

from babel import Locale
from flask import Flask, current_app, has_request_context, redirect, request
from flask.globals import request_ctx
from flask_babel import format_decimal, get_locale, get_translations, refresh
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Response

# Each language's name in itself, as the switcher shows it. English is the source language.
LANGUAGES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT = "en"
COOKIE = "lang"
PARAMETER = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Parsed once: Flask-Babel takes a Locale as it is, where it would parse a code on every request.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}
# What a page in the reader's language varies by, besides the address.
_HTML_VARY = ("Accept-Language", "Cookie")


def N_(message: str) -> str:  # the name the message extractor looks for
    """Mark a message for the catalogues where it is translated later, when it is shown."""
    return message


def chosen_language() -> str | None:
    """The language asked for on this request, or remembered from an earlier one."""
    remembered = request.cookies.get(COOKIE)
    return requested_language() or (remembered if remembered in LANGUAGES else None)


def requested_language() -> str | None:
    """The language this request's address asks for (?lang=), ignoring cookies and the browser.

    For answers shared caches keep by address alone (JSON, feeds), which must not vary otherwise.
    """
    value = request.args.get(PARAMETER)
    return value if value in LANGUAGES else None


def language_in_address() -> dict[str, Any]:
    """`{"lang": …}` when this request's address chose the language, to carry to the next page.

    Inside another site's frame the browser sends no cookie of ours, so the address is what
    keeps a widget's signer in the language they read.
    """
    language = requested_language()
    return {PARAMETER: language} if language else {}


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the switcher's choice, else the browser's, else English."""
    if not has_request_context():
        return _LOCALES[DEFAULT]  # a command or a mail worker: callers that know better force one
    code = chosen_language()
    if code is None and "HTTP_ACCEPT_LANGUAGE" in request.environ:
        code = request.accept_languages.best_match(LANGUAGES)
    return _LOCALES[code or DEFAULT]


def current_language() -> str:
    """The language of what is being rendered now (English outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


# By URL map, whose rules are fixed once its app serves; forgotten with the app.
_PAGES: WeakKeyDictionary[Map, frozenset[str]] = WeakKeyDictionary()


def _pages(url_map: Map) -> frozenset[str]:
    """The URL rules a link can open (GET), to know a request's own address is one."""
    pages = _PAGES.get(url_map)
    if pages is None:
        rules = url_map.iter_rules()
        pages = _PAGES[url_map] = frozenset(r.rule for r in rules if "GET" in (r.methods or ()))
    return pages


def _page_for_switching() -> str:
    """The address the switcher's links lead to: this page, or the nearest one a link can open.

    A page rendered in answer to a form (a sign form with an error, say) has no address of its
    own that a link can open, so its links lead to the page the form lives on.
    """
    path = request.path
    rule = request.url_rule
    if rule is not None and rule.rule in _pages(current_app.url_map):
        return path  # this very address opens a page: the usual case, known without matching
    adapter = request_ctx.url_adapter or current_app.url_map.bind_to_environ(request.environ)
    for candidate in (path, path.rsplit("/", 1)[0] or "/"):
        try:
            adapter.match(candidate, method="GET")
        except (NotFound, MethodNotAllowed):
            continue
        except HTTPException:  # a redirect (to add a slash): the page exists
            pass
        return candidate
    return "/"


def switcher_links() -> list[dict[str, str | bool]]:
    """One link per language to the same page in that language, the current one marked.

    Each goes through `/language`, which remembers the choice and leads back here.
    """
    base = _page_for_switching()
    keep = {}
    if request.method == "GET" and base == request.path:
        keep = {key: value for key, value in request.args.items() if key != PARAMETER}
    here = f"{base}?{urlencode(keep)}" if keep else base
    current = current_language()
    return [
        {
            "code": code,
            "name": name,
            "href": f"{request.script_root}/language?{urlencode({PARAMETER: code, 'next': here})}",
            "current": code == current,
        }
        for code, name in LANGUAGES.items()
    ]


# Longest address a switcher's link leads back to; anything else leads to the front page.
_MAX_NEXT = 2000


def in_language(path: str | None, language: str) -> str:
    """A local page's address (`/petitions/x?page=2`) with `?lang=` set: anything else is `/`.

    Only a path on this site is followed, never another site's address (`//evil.example`).
    """
    if not path or len(path) > _MAX_NEXT or not path.startswith("/") or "\\" in path:
        path = "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith("//"):
        parts = urlsplit("/")
    args = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAMETER]
    args.append((PARAMETER, language))
    return f"{request.script_root}{parts.path}?{urlencode(args)}"


def to_language_address() -> Response:
    """This page at its address in the visitor's language, the one shared caches keep.

    The redirect itself varies by the remembered choice and the browser's languages (Vary), so a
    cache keeps one per language asked.
    """
    return redirect(in_language(request.full_path, current_language()), 302)


def remember_choice(response: Response) -> Response:
    """Keep a language chosen by address for the visitor's next pages, unless everyone shares it."""
    if response.mimetype != "text/html":
        return response  # data, feeds and files choose their language by address alone
    value = requested_language()
    if value is None:
        response.vary.update(_HTML_VARY)  # one rewrite of the header for both
        return response
    if value != request.cookies.get(COOKIE) and not response.cache_control.public:
        response.set_cookie(
            COOKIE,
            value,
            max_age=COOKIE_MAX_AGE,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


def format_number(number: int | float) -> str:
    """A number as the reader writes it: 12,345 in English, 12 345 in Russian and Kazakh."""
    return format_decimal(number)


def _install_catalogues(app: Flask) -> None:
    """Templates translate from a table of catalogues by locale, as Flask-Babel's callables do.

    Those look up the domain, the catalogue cache and the locale's name anew for each message,
    and a page has dozens. The locale is still asked each time, so emails rendered under
    force_locale are translated into their reader's language.
    """
    catalogues: dict[Locale | None, Any] = {}

    def catalogue() -> Any:
        locale = get_locale()
        found = catalogues.get(locale)
        if found is None:
            found = catalogues[locale] = get_translations()
        return found

    # The i18n extension Flask-Babel added gives the environment this method; no stub knows it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
    )


def register_languages(app: Flask) -> None:
    """Offer the switcher to every template and remember the choice it makes."""
    _install_catalogues(app)
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["language_links"] = switcher_links
    app.jinja_env.globals["current_language"] = current_language
    # Flask-Babel keeps the locale on `g`, which requests share when an app context is already
    # pushed (a test, a script): each request decides afresh.
    app.before_request(refresh)
    app.after_request(remember_choice)
