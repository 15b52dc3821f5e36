"""The partner API under generated requests from a real `people` token (the whole-app fuzz in
tests/test_schemathesis.py has no token, so it meets only the 401s): no answer is a 5xx, and
every JSON answer matches the schema the OpenAPI document declares for it."""

from __future__ import annotations

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
from sqlalchemy import Engine

from campaign.accounts.models import ApiTokenRole, User
from campaign.core.security import email_index, partner_person_id
from campaign.core.settings import Settings
from tests.factories import add_signature, make_petition
from tests.petitions.test_partner_api import issue
from tests.test_schemathesis import json_schema_conformance

FUZZ = settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def test_generated_requests_with_a_real_token_get_no_server_error(
    client: TestClient, engine: Engine, settings: Settings, organiser: User
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
    known = {
        "petition_id": [petition.id],
        "person": [
            partner_person_id(
                settings, petition.organisation_id, email_index(settings, "ana@example.org")
            )
        ],
    }
    token = issue(engine, organiser, ApiTokenRole.people)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app).include(
        path_regex="^/api/osdi/"
    )
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 6
    failures = []
    for operation in operations:
        path = {
            p.name: st.sampled_from(known[p.name])
            for p in operation.path_parameters
            if p.name in known
        }
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        if path:
            strategies.append(
                st.fixed_dictionaries(path).flatmap(
                    lambda values, op=operation: op.as_strategy(path_parameters=values)
                )
            )

        @FUZZ
        @given(case=st.one_of(strategies))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"OSDI-API-Token": token},
                checks=[not_a_server_error, json_schema_conformance],
            )

        try:
            call()
        except (Exception, schemathesis.errors.FailureGroup) as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


@pytest.fixture(autouse=True)
def _no_lifespans_left() -> Any:
    yield
    asgi.shutdown_lifespans()
