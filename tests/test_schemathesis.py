"""Every operation in the app's OpenAPI schema, called with data schemathesis generates from it
(and data that breaks it), through the real app on the test database: no answer is a 5xx, and
where the schema declares a JSON body for a status, the body matches it.

Each generated request goes out as a stranger or as a logged-in admin, with or without a valid
CSRF token; path parameters are either generated or the ids and slugs of rows that exist, so the
handlers behind the login and the CSRF check are reached too, not only the 303s and 403s in
front of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.core.security import CSRF_HEADER, csrf_cookie_name
from campaign.letters.models import Official
from tests.conftest import add_user, csrf_from, log_in
from tests.factories import make_letter_campaign, make_petition, make_prisoner

EXAMPLES = 5  # per operation and generation mode: about 800 requests per database
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def json_schema_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """The declared schema, for JSON answers: FastAPI documents every HTML page as
    `application/json` with an empty schema, which says nothing about a page."""
    if "json" not in (response.headers.get("content-type") or [""])[0]:
        return None
    return response_schema_conformance(ctx, response, case)


# Text no form expects: NUL (PostgreSQL refuses it), traversal, injection, direction marks,
# astral characters, numbers past every id, a very long value, an empty one.
HOSTILE = [
    "\x00",
    "a\x00b",
    "../../../../etc/passwd",
    "' OR '1'='1' --",
    "{{ 7 * 7 }}",
    "<script>alert(1)</script>",
    "\u202eevil",
    "𝔣𝔯𝔢𝔢",
    "99999999999999999999",
    "-1",
    "%00%ff",
    "x" * 5000,
    " ",
    "",
]

CHECKS: list[Callable[..., Any]] = [not_a_server_error, json_schema_conformance]


def modes(operation: schemathesis.APIOperation) -> list[GenerationMode]:
    """Positive data always; negative data where the schema says something a value can break
    (a plain string parameter has nothing to negate)."""
    typed = any(
        p.definition.get("schema", {}).get("type") != "string" for p in operation.iter_parameters()
    )
    if typed or list(operation.body):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _is_text(parameter: Any) -> bool:
    return parameter.definition.get("schema", {}).get("type") == "string"


def cases(
    operation: schemathesis.APIOperation, mode: GenerationMode, values: dict[str, list[Any]]
) -> st.SearchStrategy[schemathesis.Case]:
    """Requests schemathesis generates; in positive mode also ones whose path names rows that
    exist, or whose text parameters are hostile."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode.is_negative:
        return generated
    path: dict[str, st.SearchStrategy[Any]] = {}
    for parameter in operation.path_parameters:
        options = []
        if parameter.name in values:
            options.append(st.sampled_from(values[parameter.name]))
        if _is_text(parameter):
            options.append(st.sampled_from(HOSTILE))
        if options:
            path[parameter.name] = st.one_of(options)
    query = {p.name: st.sampled_from(HOSTILE) for p in operation.query if _is_text(p)}
    if not path and not query:
        return generated
    chosen = st.tuples(st.fixed_dictionaries(path), st.fixed_dictionaries(query))
    return st.one_of(
        generated,
        chosen.flatmap(
            lambda pq: operation.as_strategy(path_parameters=pq[0] or None, query=pq[1] or None)
        ),
    )


def known_values(engine: Engine, admin: User) -> dict[str, list[Any]]:
    """Path parameter values that name rows which exist."""
    petition = make_petition(engine)
    campaign = make_letter_campaign(engine)
    prisoner = make_prisoner(engine)
    other = add_user(engine, "other@example.org")
    with Session(engine) as session:
        official_ids = list(session.exec(select(Official.id)).all())
    return {
        "slug": [petition.slug, campaign.slug, prisoner.slug],
        "petition_id": [petition.id],
        "campaign_id": [campaign.id],
        "prisoner_id": [prisoner.id],
        "facility_id": [prisoner.facility_id],
        "official_id": official_ids,
        "account_id": [other.id, admin.id],
        "object_id": [petition.id, campaign.id, prisoner.id],
        "kind": ["petition", "letters", "prisoner"],
        "locale": ["ru", "be", "xx"],
    }


def test_every_operation_answers_generated_requests_without_a_server_error(
    admin_client: TestClient, admin: User, engine: Engine
) -> None:
    app = admin_client.app
    values = known_values(engine, admin)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    csrf_name = csrf_cookie_name(app.state.settings)  # type: ignore[attr-defined]

    def identities() -> dict[str, tuple[dict[str, str], dict[str, str]]]:
        token = csrf_from(admin_client, "/my-data")
        logged_in = dict(admin_client.cookies.items())
        csrf_cookie = {csrf_name: logged_in[csrf_name]}
        return {
            "stranger": ({}, {}),
            "stranger with a CSRF token": (csrf_cookie, {CSRF_HEADER: token}),
            "admin": (logged_in, {}),
            "admin with a CSRF token": (logged_in, {CSRF_HEADER: token}),
        }

    who = identities()
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is valid
        operations.append(result.ok())
    assert len(operations) > 100
    for operation in operations:
        for mode in modes(operation):

            @FUZZ
            @given(case=cases(operation, mode, values), identity=st.sampled_from(sorted(who)))
            def call(case: schemathesis.Case, identity: str) -> None:
                cookies, headers = who[identity]
                case.call_and_validate(
                    headers=headers, cookies=cookies, max_redirects=0, checks=CHECKS
                )

            try:
                call()
            # Collected, so that one run reports every operation; schemathesis reports failed
            # checks as a FailureGroup, a BaseExceptionGroup.
            except (Exception, schemathesis.errors.FailureGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
        # A generated logout, erasure or stopped account may have ended the admin's session.
        if admin_client.get("/admin").status_code != 200:
            assert log_in(admin_client, admin.email).status_code == 303
            who.update(identities())
    assert not failures, "\n\n".join(failures)


@pytest.fixture(autouse=True)
def _no_lifespans_left() -> Any:
    """schemathesis keeps the ASGI apps it started for the process; let each test's go."""
    yield
    asgi.shutdown_lifespans()
