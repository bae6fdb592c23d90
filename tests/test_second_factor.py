"""Logging in with django-allauth, and the second factor staff cannot do without.

Every login here goes through the real pages: the password form, setting up an authenticator app
(its codes are computed from the secret the page shows, as the app would), the code asked at login,
recovery codes, and reauthentication before exports. Done means: a staff login without a second
factor reaches no staff page, the admin included, and the sixth wrong password from one address
is refused while the login's owner still signs in from elsewhere.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from demo.codes import code_now
from tests import factories

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a base32 secret, as an authenticator app holds it


def code(secret: str = SECRET) -> str:
    return code_now(secret)


def log_in_with_password(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content[:300]


def with_authenticator(user) -> Authenticator:
    return TOTP.activate(user, SECRET).instance


# Staff pages of each kind: casework, the managers' pages, the administration site, the API.
STAFF_PAGES = [
    ("specialist", "interventions:queue"),
    ("specialist", "interventions:today"),
    ("manager", "interventions:summary"),
    ("manager", "interventions:figures"),
    ("supervisor", "admin:index"),
    ("specialist", "api-case-list"),
]


@pytest.mark.parametrize(("persona", "url_name"), STAFF_PAGES)
def test_staff_without_an_authenticator_reach_only_the_page_that_sets_one_up(client, personas, persona, url_name):
    log_in_with_password(client, personas[persona])
    response = client.get(reverse(url_name))
    if url_name.startswith("api-"):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "second_factor_required"
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize(("persona", "url_name"), STAFF_PAGES)
def test_staff_with_an_authenticator_are_asked_its_code_before_anything(client, personas, persona, url_name):
    user = personas[persona]
    with_authenticator(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": factories.PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    # Not logged in yet: every page sends them back to log in.
    page = client.get(reverse(url_name))
    assert page.status_code in (302, 401, 403)
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": code()})
    assert client.get(reverse(url_name)).status_code == 200


def test_a_wrong_code_does_not_let_staff_in(client, specialist):
    with_authenticator(specialist)
    log_in_with_password(client, specialist)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000" if code() != "000000" else "111111"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("interventions:queue")).status_code == 302


def test_setting_up_an_authenticator_opens_the_portal_and_shows_recovery_codes(client, specialist):
    log_in_with_password(client, specialist)
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    assert secret in setup.text  # shown beside the QR code, to type in by hand
    response = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    codes = client.get(response.url)
    assert len(codes.context["unused_codes"]) == 10
    assert client.get(reverse("interventions:queue")).status_code == 200
    assert Authenticator.objects.filter(user=specialist, type=Authenticator.Type.TOTP).exists()


def test_a_recovery_code_logs_in_once(client, specialist):
    with_authenticator(specialist)
    recovery = RecoveryCodes.activate(specialist)
    spare = recovery.generate_codes()[0]
    log_in_with_password(client, specialist)
    client.post(reverse("mfa_authenticate"), {"code": spare})
    assert client.get(reverse("interventions:queue")).status_code == 200
    client.post(reverse("account_logout"))
    log_in_with_password(client, specialist)
    client.post(reverse("mfa_authenticate"), {"code": spare})
    assert "_auth_user_id" not in client.session


def test_the_admin_sends_people_to_the_portal_login_and_demands_the_second_factor(client, supervisor):
    response = client.get(reverse("admin:index"))
    assert response.url.startswith(reverse("admin:login"))
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))  # the admin's own form is never shown
    log_in_with_password(client, supervisor)
    assert client.get(reverse("admin:index")).url.startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("admin:accounts_user_changelist")).url.startswith(reverse("mfa_activate_totp"))


def test_a_session_opened_by_the_password_link_still_needs_the_second_factor(client, specialist):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    specialist.set_unusable_password()
    specialist.save()
    uid = urlsafe_base64_encode(force_bytes(specialist.pk))
    link = reverse("accounts:password_set", args=[uid, default_token_generator.make_token(specialist)])
    form = client.get(link, follow=True)
    new_password = "a-long-new-password-2026"
    client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert client.session.get("_auth_user_id") == str(specialist.pk)
    assert client.get(reverse("interventions:queue")).url.startswith(reverse("mfa_activate_totp"))


OUTSIDER_ADDRESS = "203.0.113.7"


def _guess(client, user, n: int, address: str = OUTSIDER_ADDRESS):
    return client.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{n}"}, REMOTE_ADDR=address)


def test_the_sixth_password_from_the_same_address_is_refused_even_when_it_is_right(
    client, specialist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            assert "密码不正确" in _guess(client, specialist, n).text
        fifth = _guess(client, specialist, 4)
    assert "密码不正确" in fifth.text
    assert "您所在的地址输错密码的次数过多" in fifth.text  # told at once that the address now waits
    sixth = client.post(
        reverse("account_login"),
        {"login": specialist.email, "password": factories.PASSWORD},
        REMOTE_ADDR=OUTSIDER_ADDRESS,
    )
    assert "请 15 分钟后再试" in sixth.text
    assert "账号没有被锁定" in sixth.text
    assert "_auth_user_id" not in client.session


def test_an_outsider_guessing_cannot_keep_the_specialist_out(client, specialist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(8):
            _guess(client, specialist, n)
    response = client.post(
        reverse("account_login"), {"login": specialist.email, "password": factories.PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(specialist.pk)


def test_the_specialist_is_emailed_once_in_chinese_naming_the_address(
    client, specialist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            _guess(client, specialist, n)
        for n in range(5):  # a second address pausing within the same window sends nothing more
            _guess(client, specialist, n, address="198.51.100.9")
        for n in range(3):  # nor do refused attempts
            _guess(client, specialist, n)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [specialist.email]
    assert sent.subject == "有人为您的守护账号输错了密码"
    assert OUTSIDER_ADDRESS in sent.body
    assert "账号没有被锁定" in sent.body


def test_wrong_passwords_for_a_login_that_does_not_exist_email_no_one(db, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            response = client.post(
                reverse("account_login"), {"login": "nobody@example.test", "password": f"x-{n}"}, REMOTE_ADDR="1.2.3.4"
            )
    assert "请 15 分钟后再试" in response.text  # the same answer as for a real login
    assert mail.outbox == []


def test_the_address_may_try_again_once_the_window_has_passed(client, specialist):
    for n in range(5):
        _guess(client, specialist, n)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        response = client.post(
            reverse("account_login"),
            {"login": specialist.email, "password": factories.PASSWORD},
            REMOTE_ADDR=OUTSIDER_ADDRESS,
        )
    assert response.status_code == 302


def test_twenty_wrong_passwords_a_minute_from_one_address_pause_it_for_every_login(client, specialist, supervisor):
    for n in range(20):
        client.post(
            reverse("account_login"), {"login": f"guess{n}@example.test", "password": "x"}, REMOTE_ADDR="1.2.3.4"
        )
    refused = client.post(
        reverse("account_login"), {"login": supervisor.email, "password": factories.PASSWORD}, REMOTE_ADDR="1.2.3.4"
    )
    assert "请 1 分钟后再试" in refused.text
    assert "_auth_user_id" not in client.session


def test_an_ipv6_guesser_cannot_dodge_the_count_with_a_fresh_address_each_time(client, specialist):
    for n in range(5):
        _guess(client, specialist, n, address=f"2001:db8:1:2::{n + 1:x}")
    refused = client.post(
        reverse("account_login"),
        {"login": specialist.email, "password": factories.PASSWORD},
        REMOTE_ADDR="2001:db8:1:2:ffff::1",
    )
    assert "请 15 分钟后再试" in refused.text


def test_the_count_holds_with_a_cache_that_keeps_nothing(client, specialist, settings):
    """A flushed or unreachable cache neither resets the count nor breaks the login page."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for n in range(5):
        _guess(client, specialist, n)
    sixth = client.post(
        reverse("account_login"),
        {"login": specialist.email, "password": factories.PASSWORD},
        REMOTE_ADDR=OUTSIDER_ADDRESS,
    )
    assert "请 15 分钟后再试" in sixth.text
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_one_account_do_not_lock_out_another(client, specialist, supervisor):
    for n in range(6):
        client.post(reverse("account_login"), {"login": specialist.email, "password": f"wrong-{n}"})
    log_in_with_password(client, supervisor)


def test_staff_cannot_switch_their_second_factor_off(client, specialist):
    totp = with_authenticator(specialist)
    client.force_login(specialist)
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(pk=totp.pk).exists()


def test_a_shop_may_do_without_a_second_factor_until_its_admin_requires_one(
    client, merchant_a, shop_a, reauthenticated
):
    log_in_with_password(client, merchant_a)
    assert client.get(reverse("orders:merchant_home")).status_code == 200
    client.post(reverse("account_logout"))
    client.force_login(merchant_a)
    reauthenticated(client)
    client.post(reverse("orders:staff_second_factor"), {"required": "on"})
    shop_a.refresh_from_db()
    assert shop_a.second_factor_required
    client.post(reverse("account_logout"))
    log_in_with_password(client, merchant_a)
    assert client.get(reverse("orders:merchant_home")).url.startswith(reverse("mfa_activate_totp"))


def test_liaisons_may_set_up_a_second_factor_and_are_then_asked_for_it(client, liaison):
    log_in_with_password(client, liaison)
    assert client.get(reverse("interventions:liaison_home")).status_code == 200
    with_authenticator(liaison)
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": liaison.email, "password": factories.PASSWORD})
    assert response.url == reverse("mfa_authenticate")


def test_authenticator_secrets_are_encrypted_at_rest(specialist):
    with_authenticator(specialist)
    RecoveryCodes.activate(specialist)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE user_id = %s", [specialist.pk])
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert SECRET not in stored
    assert "gAAAA" in stored  # Fernet tokens
    assert TOTP(Authenticator.objects.get(user=specialist, type="totp")).validate_code(code())


def test_an_export_asks_for_the_password_again_and_then_goes_ahead(client, manager, reauthenticated):
    client.force_login(manager)
    url = reverse("interventions:figures_export", args=["claim"])
    asked = client.post(url, {"purpose": "review"})
    assert asked.status_code == 302
    assert asked.url.startswith(reverse("account_reauthenticate"))
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
    # The password given on that page carries out the export that was held.
    done = client.post(asked.url, {"password": factories.PASSWORD})
    assert done.status_code == 200
    assert done["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=manager).count() == 1


def test_a_login_minutes_ago_counts_as_giving_the_password_again(client, manager):
    with_authenticator(manager)
    log_in_with_password(client, manager)
    client.post(reverse("mfa_authenticate"), {"code": code()})
    url = reverse("interventions:figures_export", args=["claim"])
    done = client.post(url, {"purpose": "review"})
    assert done.status_code == 200
    assert done["Content-Disposition"].startswith("attachment")
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        asked = client.post(url, {"purpose": "review"})
    assert asked.url.startswith(reverse("account_reauthenticate"))


def test_an_htmx_request_that_needs_reauthentication_loads_the_whole_page(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("interventions:figures_export", args=["claim"]),
        {"purpose": "review"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/figures/",
    )
    assert response.status_code == 204
    # The whole page asks for the password, then goes back to the page the request came from.
    back = urlencode({"next": "http://testserver/figures/"})
    assert response["HX-Redirect"] == f"{reverse('account_reauthenticate')}?{back}"


def test_a_page_that_needs_reauthentication_comes_back_to_itself_afterwards(client, manager):
    client.force_login(manager)
    url = reverse("interventions:figures_export", args=["claim"])
    response = client.post(f"{url}?from=figures", {"purpose": "review"})
    assert response.status_code == 302
    assert response.url == f"{reverse('account_reauthenticate')}?{urlencode({'next': f'{url}?from=figures'})}"


def test_changing_a_login_in_the_admin_asks_for_the_password_again(client, manager, specialist):
    client.force_login(manager)
    # The manager holds the admin permission through the supervisor/manager role table.
    response = client.post(reverse("admin:accounts_user_change", args=[specialist.pk]), {})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_no_one_signs_up(client):
    assert client.get("/accounts/signup/").status_code == 404
    assert client.get("/accounts/email/").status_code == 404
    assert len(mail.outbox) == 0


def test_a_code_used_a_moment_ago_is_refused_with_a_message_that_says_why(client, specialist):
    with_authenticator(specialist)
    used = code()
    log_in_with_password(client, specialist)
    client.post(reverse("mfa_authenticate"), {"code": used})
    assert client.get(reverse("interventions:queue")).status_code == 200
    client.post(reverse("account_logout"))
    log_in_with_password(client, specialist)
    response = client.post(reverse("mfa_authenticate"), {"code": used})
    assert "_auth_user_id" not in client.session
    assert "刚用过" in response.text
    assert "等下一个" in response.text
