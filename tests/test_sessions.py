"""Sessions end when they should: after a while without activity (sooner for staff who can read
cases), and everywhere at once when the user's roles or password change."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_set_roles
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_specialist_idle_for_more_than_30_minutes_is_signed_out(client, specialist):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(specialist)
        assert client.get(reverse("interventions:queue")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("interventions:queue")).status_code == 200  # activity: the clock restarts
    with time_machine.travel(start + timedelta(minutes=58), tick=False):  # just inside the 30 minutes
        assert client.get(reverse("interventions:queue")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):  # just past them
        response = client.get(reverse("interventions:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_shop_keeps_its_session_for_two_hours_idle(client, merchant_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(merchant_a)
        client.get(reverse("orders:merchant_home"))
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        assert client.get(reverse("orders:merchant_home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=90 + 119), tick=False):  # just inside the two hours
        assert client.get(reverse("orders:merchant_home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=90 + 119 + 121), tick=False):  # just past them
        assert client.get(reverse("orders:merchant_home")).status_code == 302


def test_polling_keeps_no_session_alive_and_sends_htmx_to_the_login_page(client, specialist):
    start = timezone.now()
    poll = {"HX-Request": "true", "X-Shouhu-Poll": "1"}
    with time_machine.travel(start, tick=False):
        client.force_login(specialist)
        client.get(reverse("interventions:queue"))
    for minutes in (10, 20, 29):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("interventions:queue"), headers=poll).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get(reverse("interventions:queue"), headers=poll)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_the_stream_of_changes_keeps_no_session_alive(client, specialist):
    """An open page reconnects its stream every few minutes (interventions/live.py): that is the
    page, not the person, and a screen left alone still signs out."""
    start = timezone.now()
    stream = reverse("interventions:live_events")
    with time_machine.travel(start, tick=False):
        client.force_login(specialist)
        client.get(reverse("interventions:queue"))
    for minutes in (10, 20, 29):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(stream).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get(stream)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_change_of_roles_signs_the_user_out_of_every_session(client, specialist):
    client.force_login(specialist)
    assert client.get(reverse("interventions:queue")).status_code == 200
    user_set_roles(user=specialist, roles=[Role.SPECIALIST, Role.SUPERVISOR], by=None, reason="晋升")
    response = client.get(reverse("interventions:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_setting_the_same_roles_again_signs_no_one_out(client, specialist):
    client.force_login(specialist)
    user_set_roles(user=specialist, roles=[Role.SPECIALIST], by=None)
    assert client.get(reverse("interventions:queue")).status_code == 200


def test_a_new_password_signs_the_user_out_of_every_session(client, specialist):
    client.force_login(specialist)
    specialist.set_password("a-new-long-passphrase-2026")
    specialist.save()
    assert client.get(reverse("interventions:queue")).status_code == 302


def test_changing_the_password_on_its_page_signs_out_every_other_session(client, specialist, reauthenticated):
    elsewhere = Client()
    elsewhere.force_login(specialist)
    assert elsewhere.get(reverse("interventions:queue")).status_code == 200
    client.force_login(specialist)
    reauthenticated(client)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": factories.PASSWORD,
            "password1": "a-new-long-passphrase-2026",
            "password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("interventions:queue")).status_code == 200  # the one who changed it stays
    assert elsewhere.get(reverse("interventions:queue")).status_code == 302  # the other is signed out
