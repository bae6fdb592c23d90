"""Production settings refuse to start half-configured; a missing service fails the run."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.services import service_problems

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "x7Qw2-kPz9vL4mN8rT1yB6cF3hJ0sD5gA2eK9uW4iO7pZ1xC8vB3nM6qR0tY5",
    "ALLOWED_HOSTS": "shouhu.example.internal",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SHOUHU_PORTAL_URL": "https://shouhu.example.internal",
    "SHOUHU_DATA_KEYS": "6hF3pYdUo1W8z2Xl0Q9rJmGk4sT7vNcB5eAiKwLqRyM=",
    "SHOUHU_INDEX_KEY": "q8Vn3xR2mT7yK5wL0pZ4cB9hJ6fD1sA8",
    "SHOUHU_DB_APP_ROLE": "shouhu_app",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test settings allow async-unsafe ORM calls for Playwright; a production process never does.
    leave_out = {*PROD_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SHOUHU_PORTAL_URL",
        "SHOUHU_DATA_KEYS",
        "SHOUHU_INDEX_KEY",
        "SHOUHU_DB_APP_ROLE",
    ],
)
def test_production_refuses_to_start_without_a_required_variable(name):
    missing = {key: value for key, value in PROD_ENV.items() if key != name}
    result = _manage("check", env=missing)
    assert result.returncode != 0
    assert f"Set the {name} environment variable" in result.stderr
    empty = _manage("check", env={**PROD_ENV, name: ""})
    assert empty.returncode != 0
    assert f"Set the {name} environment variable" in empty.stderr


def test_production_refuses_a_short_blind_index_key():
    result = _manage("check", env={**PROD_ENV, "SHOUHU_INDEX_KEY": "too-short"})
    assert result.returncode != 0
    assert "SHOUHU_INDEX_KEY to 32 characters or more" in result.stderr


def test_production_refuses_an_outbound_channel_without_a_signing_secret():
    result = _manage("check", env={**PROD_ENV, "SHOUHU_SMS_URL": "https://sms.example.internal/send"})
    assert result.returncode != 0
    assert "SHOUHU_OUTBOUND_SECRET" in result.stderr
    signed = _manage(
        "check",
        env={**PROD_ENV, "SHOUHU_SMS_URL": "https://sms.example.internal/send", "SHOUHU_OUTBOUND_SECRET": "s" * 40},
    )
    assert signed.returncode == 0, signed.stderr


def test_an_unreachable_database_or_broker_is_named(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/shouhu")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    problems = service_problems()
    assert len(problems) == 2
    assert problems[0].startswith("PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/postgres")
    assert problems[1].startswith("Redis (the Celery broker) is not reachable at redis://127.0.0.1:1/0")


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_that_forbids_inline_scripts(client):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"].split() == ["'self'"]  # no nonce asked for: no inline script at all
    assert "'unsafe-inline'" not in directives["style-src"]
    assert (directives["frame-ancestors"], directives["object-src"], directives["base-uri"]) == (
        "'none'",
        "'none'",
        "'none'",
    )


@pytest.mark.django_db
def test_the_api_docs_inline_style_carries_the_nonce_of_its_response(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("api-docs"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in response.text
    assert "<script>" not in response.text


# --- no copies of personal data in caches -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("specialist", "interventions:queue"),
        ("merchant_a", "orders:merchant_home"),
        ("liaison", "interventions:liaison_home"),
    ],
)
def test_pages_for_signed_in_people_are_not_stored(client, personas, persona, url_name):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_api_answer_is_not_stored(client, integration):
    from accounts.services import api_token_issue

    _token, key = api_token_issue(user=integration, name="x", scopes=["cases:read"], by=None)
    answered = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answered.status_code == 200
    refused = client.get("/api/v1/cases")
    assert refused.status_code in (401, 403)
    for response in (answered, refused):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_static_files_stay_cacheable_for_a_signed_in_person(client, specialist):
    client.force_login(specialist)
    assert "no-store" not in client.get(settings.STATIC_URL + "css/shouhu.css").get("Cache-Control", "")
