"""schemathesis against the live OpenAPI schema: a bounded number of generated requests per
operation, answered by the real app, must bring no server error and no response that breaks the
schema."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import ApiToken
from accounts.services import api_token_issue
from tests import factories

# The schema as /api/schema/ serves it, built in-process (serving it needs a signed-in caller).
RAW = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
schema = schemathesis.openapi.from_dict(RAW)
schema.app = get_wsgi_application()


@pytest.fixture
def keep_the_test_connection():
    """Called straight through WSGI, Django would close the test's database connection at the end
    of each request; its own test client turns that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def every_scope(integration, specialist, keep_the_test_connection):
    """A token holding every scope, and a little data for the reads to find."""
    _token, key = api_token_issue(user=integration, name="schemathesis", scopes=ApiToken.Scope.values, by=None)
    case = factories.CaseFactory(owner=specialist, buyer=factories.BuyerFactory())
    factories.AlertFactory(case=case, status="promoted")
    factories.OrderFactory(buyer=case.buyer)
    factories.PoliceUnitFactory()
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_its_schema_and_never_fails(case, every_scope):
    case.call_and_validate(headers=every_scope, checks=[not_a_server_error, response_schema_conformance])
