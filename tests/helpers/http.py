"""Acting over real HTTP as a browser would: forms with their CSRF token, an organiser's login."""

import re

import requests


def csrf_token(page: str) -> str:
    """The CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def form_token(page: str) -> str:
    """The form token a petition's shared page or widget carries (web.form_tokens)."""
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries a form token"
    return match.group(1)


def organiser_session(base: str, email: str, password: str) -> requests.Session:
    """A session logged in as this organiser through the login form."""
    session = requests.Session()
    login_page = session.get(f"{base}/organisers/login").text
    answer = session.post(
        f"{base}/organisers/login",
        data={"csrf_token": csrf_token(login_page), "email": email, "password": password},
    )
    assert answer.url.startswith(f"{base}/organisers"), answer.text[-500:]
    return session
