"""Every organiser route, walked as a stranger and as a plain organiser: a stranger is sent to the
login page on every one (GET and POST alike, with a valid CSRF token so that only the login check
can refuse), and routes for admins refuse an organiser."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from campaign.accounts.deps import require_admin, require_organiser
from tests.conftest import CSRF, app_routes, log_in

SAMPLE = {"kind": "petition", "locale": "be", "language": "ru"}


def _calls(dependant: Any) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def organiser_routes(app: Any, *, concrete: bool = True) -> list[tuple[str, str, bool]]:
    """(method, path, admin only) for every route that needs a logged-in organiser; the path
    with sample values, or the template itself when not `concrete`."""
    routes = []
    for template, methods, dependant in app_routes(app):
        calls = _calls(dependant)
        if require_organiser not in calls:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "1"), template)
        path = path if concrete else template
        for method in sorted(methods - {"HEAD"}):
            routes.append((method, path, require_admin in calls))
    return routes


def request(client: TestClient, method: str, path: str, token: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def test_a_stranger_is_sent_to_the_login_page_from_every_organiser_route(
    app: Any, client: TestClient
) -> None:
    token = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    routes = organiser_routes(app)
    assert len(routes) > 40  # the walk really covers the organiser area
    let_in = []
    for method, path, _admin in routes:
        response = request(client, method, path, token)
        if response.status_code != 303 or not response.headers["location"].startswith("/login"):
            let_in.append(f"{method} {path} → {response.status_code}")
    assert not let_in, let_in


def test_an_organiser_is_refused_every_admin_route(
    app: Any, client: TestClient, organiser: Any
) -> None:
    log_in(client, organiser.email)
    token = CSRF.search(client.get("/admin").text).group(1)  # type: ignore[union-attr]
    admin_only = [(m, p) for m, p, admin in organiser_routes(app) if admin]
    assert ("GET", "/admin/audit") in admin_only and ("GET", "/admin/accounts") in admin_only
    let_in = [
        f"{method} {path} → {response.status_code}"
        for method, path in admin_only
        if (response := request(client, method, path, token)).status_code != 403
    ]
    assert not let_in, let_in
