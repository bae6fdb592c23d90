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
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from accounts.models import ApiToken
from accounts.services import api_token_issue
from interventions.models import Case
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
    case.call_and_validate(
        headers=every_scope, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )


@pytest.fixture
def known(every_scope, specialist, shop_a):
    """Objects of every kind the API names, which the token's caller may read and act on."""
    case = Case.objects.filter(owner=specialist).get()
    order = factories.OrderFactory(buyer=case.buyer, product=factories.ProductFactory(merchant=shop_a))
    unit = factories.PoliceUnitFactory()
    return {"case": case, "alert": case.alerts.get(), "order": order, "unit": unit, "merchant": shop_a}


def _valid_requests(known) -> dict[tuple[str, str], dict]:
    """For each operation, one request that should succeed: its path parameters, query and body."""
    case, unit, order = known["case"], known["unit"], known["order"]
    sent_at = "2026-12-07T08:30:00+08:00"
    return {
        ("GET", "/api/v1/alerts"): {},
        ("GET", "/api/v1/alerts/{id}"): {"path_parameters": {"id": known["alert"].pk}},
        ("GET", "/api/v1/cases"): {},
        ("GET", "/api/v1/cases/{id}"): {"path_parameters": {"id": case.pk}},
        ("GET", "/api/v1/cases/{id}/timeline"): {"path_parameters": {"id": case.pk}},
        ("POST", "/api/v1/cases/{id}/checkins"): {
            "path_parameters": {"id": case.pk},
            "body": {"local_day": "2026-12-08", "local_time": "08:30", "channel": "phone", "text": "早上好"},
        },
        ("POST", "/api/v1/cases/{id}/interceptions"): {
            "path_parameters": {"id": case.pk},
            "body": {"order": order.external_ref, "note": "先别发货"},
        },
        ("POST", "/api/v1/cases/{id}/referrals"): {
            "path_parameters": {"id": case.pk},
            "body": {"unit": unit.pk, "what_reported": "买家称今晚轻生,已购炭"},
        },
        ("POST", "/api/v1/cases/{id}/close"): {
            "path_parameters": {"id": case.pk},
            "body": {"outcome": "safe", "summary": "已联系家属,人在家中,安全"},
        },
        ("GET", "/api/v1/indicators/lookup"): {"query": {"kind": "phone", "value": "13800138000"}},
        ("POST", "/api/v1/blocklist/check"): {"body": {"items": [{"kind": "url", "value": "https://taoba0.com/x"}]}},
        ("POST", "/api/v1/intake/messages"): {
            "body": {"messages": [{"source": "chat", "external_id": "sch-1", "text": "今晚能到吗", "sent_at": sent_at}]}
        },
        ("POST", "/api/v1/intake/orders"): {
            "body": {
                "orders": [
                    {
                        "order_ref": "TB-SCH-1",
                        "buyer_ref": "tb_schema",
                        "merchant_ref": known["merchant"].external_ref,
                        "product_ref": "p-1",
                        "product_name": "烧烤木炭 5kg",
                        "quantity": 1,
                        "status": "paid",
                        "ordered_at": sent_at,
                    }
                ]
            }
        },
        ("GET", "/api/v1/merchants"): {},
        ("GET", "/api/v1/merchants/{id}"): {"path_parameters": {"id": known["merchant"].pk}},
        ("GET", "/api/v1/orders"): {},
        ("GET", "/api/v1/orders/{id}"): {"path_parameters": {"id": order.pk}},
        ("GET", "/api/v1/police-units"): {},
        ("GET", "/api/v1/police-units/{id}"): {"path_parameters": {"id": unit.pk}},
    }


@pytest.mark.django_db
def test_every_operation_answers_a_valid_request_with_a_success_that_keeps_its_schema(every_scope, known):
    """The generated requests above mostly meet 404 and 400: here each operation is sent one request
    it should accept, and its 2xx answer is checked against the schema, status code included. A new
    operation fails here until it has its request."""
    requests = _valid_requests(known)
    operations = {(method.upper(), path) for path, item in RAW["paths"].items() for method in item}
    assert operations == requests.keys()
    succeeded = []
    for (method, path), parts in sorted(requests.items(), key=lambda item: item[0][0] == "POST"):  # reads first
        case = schema[path][method].Case(media_type="application/json" if "body" in parts else None, **parts)
        response = case.call_and_validate(
            headers={**every_scope, "Idempotency-Key": f"schema-{method}-{path}"},
            checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
        )
        assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text[:300])
        succeeded.append((method, path))
    print(f"operations with a validated 2xx: {len(succeeded)} of {len(operations)}")
