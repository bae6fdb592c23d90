"""The integration API: scoped tokens, the same services as the console, one error shape, and
Idempotency-Key honoured on every POST."""

import base64
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.refusals import Conflict, Invalid, NotYours
from accounts.services import api_token_issue, api_token_revoke
from config.api import exception_handler
from fraud.services import indicator_block, indicator_sight
from interventions.models import CheckIn, Message, Severity
from orders.models import InterceptionRequest
from tests import factories


def _client(integration, *scopes, expires_at=None) -> APIClient:
    token, key = api_token_issue(user=integration, name="order system", scopes=scopes, by=None, expires_at=expires_at)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.token = token
    return client


@pytest.fixture
def case(specialist):
    buyer = factories.BuyerFactory(account_ref="tb_xiaoyu_mama")
    factories.OrderFactory(external_ref="TB-A-1", buyer=buyer)
    return factories.CaseFactory(owner=specialist, buyer=buyer, risk_level=2)


def _error_shape(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}
    assert "Traceback" not in response.content.decode()
    assert "SELECT" not in response.content.decode()
    return body["error"]


# --- scopes and tokens ----------------------------------------------------------------------------


def test_a_token_without_actions_write_cannot_intercept(integration, case):
    reader = _client(integration, "cases:read")
    response = reader.post(f"/api/v1/cases/{case.pk}/interceptions", {"order": "TB-A-1"}, format="json")
    assert response.status_code == 403
    assert _error_shape(response)["code"] == "permission_denied"
    assert not InterceptionRequest.objects.exists()
    actor = _client(integration, "actions:write")
    response = actor.post(f"/api/v1/cases/{case.pk}/interceptions", {"order": "TB-A-1"}, format="json")
    assert response.status_code == 201
    assert InterceptionRequest.objects.get().case == case


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_expired_or_revoked_token_is_refused(integration, case, how):
    client = _client(
        integration, "cases:read", expires_at=timezone.now() - timedelta(minutes=1) if how == "expired" else None
    )
    if how == "revoked":
        api_token_revoke(token=client.token, by=None)
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert _error_shape(response)["code"] == "authentication_failed"


# --- the schema and its docs -------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["api-schema", "api-docs"])
def test_the_schema_and_its_docs_are_for_staff_signed_in_to_the_portal(client, url_name, specialist, manager):
    for person in (specialist, manager):
        client.force_login(person)
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ["api-schema", "api-docs"])
@pytest.mark.parametrize("persona", ["merchant_a", "liaison", "integration", "outsider"])
def test_a_shop_a_liaison_or_an_outsider_session_cannot_read_the_schema(client, personas, persona, url_name):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "/api/v1/" not in response.content.decode()
    assert "swagger-ui" not in response.content.decode()


@pytest.mark.parametrize("url_name", ["api-schema", "api-docs"])
def test_a_token_holding_every_scope_cannot_read_the_schema(integration, url_name):
    from accounts.models import ApiToken

    response = _client(integration, *ApiToken.Scope.values).get(reverse(url_name))
    assert response.status_code == 403
    assert "/api/v1/" not in response.content.decode()
    assert "swagger-ui" not in response.content.decode()


def test_a_refusal_is_answered_with_its_kind_status_in_the_readers_words(integration, case):
    client = _client(integration, "actions:write")
    closed = client.post(f"/api/v1/cases/{case.pk}/close", {"outcome": "safe", "summary": "已确认安全"}, format="json")
    assert closed.status_code == 201
    body = {"local_day": "2026-11-24", "local_time": "08:30", "channel": "chat", "text": "早上好"}
    late = client.post(f"/api/v1/cases/{case.pk}/checkins", body, format="json")
    assert late.status_code == 409
    assert _error_shape(late) == {"code": "case_closed", "message": "个案已结案:请先重新打开。", "fields": {}}


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (Invalid("写明原因。"), 422, "refused"),
        (Conflict("已被认领。"), 409, "conflict"),
        (NotYours("x"), 404, "not_found"),
    ],
)
def test_each_kind_of_refusal_has_one_status_and_code(refusal, status, code):
    response = exception_handler(refusal, {"view": None})
    assert (response.status_code, response.data["error"]["code"]) == (status, code)
    assert response.data["error"]["message"] == str(refusal)


# --- idempotency ------------------------------------------------------------------------------------


def test_the_same_post_twice_with_one_idempotency_key_creates_one_check_in(integration, case):
    client = _client(integration, "actions:write")
    body = {"local_day": "2026-11-24", "local_time": "08:30", "channel": "chat", "text": "早上好"}
    url = f"/api/v1/cases/{case.pk}/checkins"
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="checkin-girl-0830")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="checkin-girl-0830")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 1
    other = client.post(url, {**body, "text": "晚上好"}, format="json", HTTP_IDEMPOTENCY_KEY="checkin-girl-0830")
    assert other.status_code == 422
    assert _error_shape(other)["code"] == "idempotency_key_reused"
    client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="checkin-girl-0830-b")
    assert CheckIn.objects.count() == 2


def test_intake_honours_the_idempotency_key_too(api):
    message = {"source": "chat", "external_id": "m-1", "text": "你好", "sent_at": "2026-11-23T15:00:00+08:00"}
    first = api.post("/api/v1/intake/messages", {"messages": [message]}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = api.post("/api/v1/intake/messages", {"messages": [message]}, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.json() == again.json()
    assert first.json()["created"] == 1


# --- one error shape everywhere ---------------------------------------------------------------------


def test_every_error_path_answers_the_one_shape(integration, case, settings, monkeypatch):
    client = _client(integration, "cases:read", "actions:write")
    assert _error_shape(client.get("/api/v1/cases/999999"))["code"] == "not_found"
    assert _error_shape(client.get("/api/v1/no-such-thing"))["code"] == "not_found"
    wrong_method = client.get(f"/api/v1/cases/{case.pk}/close")
    assert wrong_method.status_code == 405
    assert _error_shape(wrong_method)["code"] == "method_not_allowed"
    invalid = client.post(f"/api/v1/cases/{case.pk}/close", {"outcome": "nonsense"}, format="json")
    assert invalid.status_code == 400
    assert set(_error_shape(invalid)["fields"]) == {"outcome", "summary"}

    def broken(**kwargs):
        raise RuntimeError("database on fire: SELECT * FROM secrets")

    monkeypatch.setattr("interventions.api.cases.case_close", broken)
    failed = client.post(f"/api/v1/cases/{case.pk}/close", {"outcome": "safe", "summary": "好"}, format="json")
    assert failed.status_code == 500
    assert _error_shape(failed)["code"] == "server_error"
    assert "on fire" not in failed.content.decode()


def test_too_many_requests_answer_429_in_the_one_shape(integration, settings):
    from rest_framework.throttling import SimpleRateThrottle

    monkey_rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/min"}
    SimpleRateThrottle.THROTTLE_RATES = monkey_rates
    try:
        client = _client(integration, "cases:read")
        statuses = [client.get("/api/v1/alerts").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert _error_shape(client.get("/api/v1/alerts"))["code"] == "throttled"
    finally:
        SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


# --- reads -----------------------------------------------------------------------------------------


def test_alerts_are_filtered_and_paginated_by_cursor(integration):
    for n in range(5):
        factories.AlertFactory(desk="life", severity=Severity.CRITICAL if n % 2 else Severity.MEDIUM)
    factories.AlertFactory(desk="fraud", severity=Severity.CRITICAL)
    client = _client(integration, "cases:read")
    page = client.get("/api/v1/alerts", {"desk": "life", "severity_at_least": 4, "page_size": 1}).json()
    assert [alert["desk"] for alert in page["results"]] == ["life"]
    second = client.get(page["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["results"][0]["id"] != page["results"][0]["id"]


def test_a_staff_session_sees_only_its_desks(client, specialist):
    factories.AlertFactory(desk="fraud", summary="诈骗预警")
    factories.AlertFactory(desk="life", summary="生命预警")
    client.force_login(specialist)
    summaries = [alert["summary"] for alert in client.get("/api/v1/alerts").json()["results"]]
    assert summaries == ["生命预警"]


def test_the_case_timeline_is_read_through_the_api(integration, case, specialist):
    from interventions.services import case_add_note

    case_add_note(case=case, by=specialist, text="已联系家属")
    client = _client(integration, "cases:read")
    events = client.get(f"/api/v1/cases/{case.pk}/timeline").json()["results"]
    assert events[0]["kind"] == "note"
    assert events[0]["payload"]["text"] == "已联系家属"


def test_an_indicator_is_looked_up_in_any_spelling(integration, fraud_specialist):
    case = factories.CaseFactory(desk="fraud")
    indicator = indicator_sight(kind="phone", raw="13800138000", case=case).indicator
    factories_alert = factories.AlertFactory(desk="fraud")
    indicator_sight(kind="phone", raw="+86 138 0013 8000", alert=factories_alert)
    indicator_block(indicator=indicator, by=fraud_specialist, reason="反诈中心确认")
    client = _client(integration, "indicators:read")
    found = client.get("/api/v1/indicators/lookup", {"kind": "phone", "value": "138-0013-8000"}).json()
    assert found == {
        "kind": "phone",
        "value": "+8613800138000",
        "known": True,
        "blocklisted": True,
        "block_reason": "反诈中心确认",
        "cases": 1,
        "alerts": 1,
    }
    check = client.post(
        "/api/v1/blocklist/check",
        {"items": [{"kind": "phone", "value": "+86 138 0013 8000"}, {"kind": "payee", "value": "alipay:nobody"}]},
        format="json",
    ).json()
    assert [hit["value"] for hit in check["blocklisted"]] == ["+8613800138000"]


def test_the_docs_page_serves_its_assets_from_our_own_static_files(client, specialist):
    client.force_login(specialist)
    page = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


# --- bodies of every size, and requests crafted to break the parser -----------------------------


def test_the_largest_kind_of_batch_people_send_is_stored(api):
    text = ("我最近睡不着,总觉得活着没什么意思,快递还没到,能帮我查一下吗" * 20)[:480]
    batch = [
        {"source": "chat", "external_id": f"big-{n}", "text": text, "sent_at": "2026-12-07T21:00:00+08:00"}
        for n in range(1000)
    ]
    body = json.dumps({"messages": batch})  # escaped as \uXXXX, as many clients send it
    assert len(body) > 2_700_000
    response = api.post("/api/v1/intake/messages", body, content_type="application/json")
    assert (response.status_code, response.json()["created"]) == (202, 1000)


def test_a_body_above_what_the_api_promises_is_413_in_the_one_shape(api, integration):
    body = b'{"messages": "' + b"x" * (settings.SHOUHU_INTAKE_BODY_LIMIT + 1) + b'"}'
    response = api.post("/api/v1/intake/messages", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 413
    assert _error_shape(response)["code"] == "too_large"
    cases = _client(integration, "cases:read", "actions:write")
    response = cases.post("/api/v1/cases", b"{" + b" " * 10_000_000 + b"}", content_type="application/json")
    assert (response.status_code, _error_shape(response)["code"]) == (413, "too_large")
    assert not Message.objects.exists()


def test_json_nested_thousands_deep_is_a_bad_request(api):
    response = api.post("/api/v1/intake/messages", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert (response.status_code, _error_shape(response)["code"]) == (400, "parse_error")


@pytest.mark.parametrize("position", ["abc", "1' OR '1'='1", "2026-12-07"])
def test_a_crafted_cursor_is_a_bad_request(integration, position):
    cursor = base64.b64encode(f"o=0&r=0&p={position}".encode()).decode()
    response = _client(integration, "cases:read").get("/api/v1/alerts", {"cursor": cursor})
    assert (response.status_code, _error_shape(response)["code"]) == (400, "parse_error")
    garbled = _client(integration, "cases:read").get("/api/v1/alerts", {"cursor": "not-base64!"})
    assert (garbled.status_code, _error_shape(garbled)["code"]) == (400, "parse_error")
