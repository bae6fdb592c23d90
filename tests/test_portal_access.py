"""Who lands where, and who gets 404: the shell's pages for every persona."""

import pytest
from django.urls import reverse

LANDING = {
    "specialist": "interventions:queue",
    "supervisor": "interventions:queue",
    "manager": "interventions:summary",
    "merchant_a": "orders:merchant_home",
    "liaison": "interventions:liaison_home",
}

# page → personas who may open it
PAGES = {
    "interventions:queue": {"specialist", "supervisor", "manager"},
    "interventions:summary": {"supervisor", "manager"},
    "orders:merchant_home": {"merchant_a", "merchant_b"},
    "interventions:liaison_home": {"liaison"},
}


@pytest.mark.parametrize(("persona", "url_name"), LANDING.items())
def test_each_role_lands_on_its_start_page(client, personas, persona, url_name):
    client.force_login(personas[persona])
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url == reverse(url_name)


@pytest.mark.parametrize("persona", ["outsider", "integration"])
def test_a_login_without_portal_role_is_told_so(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert "没有可用的页面" in response.text


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_visitor_is_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize(
    "persona", ["specialist", "supervisor", "manager", "merchant_a", "merchant_b", "liaison", "integration", "outsider"]
)
def test_pages_open_for_their_roles_and_404_for_everyone_else(client, personas, url_name, persona):
    client.force_login(personas[persona])
    response = client.get(reverse(url_name))
    expected = 200 if persona in PAGES[url_name] else 404
    assert response.status_code == expected


def test_merchant_staff_whose_shop_is_deactivated_gets_404(client, merchant_a, shop_a):
    shop_a.is_active = False
    shop_a.save()
    client.force_login(merchant_a)
    assert client.get(reverse("orders:merchant_home")).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 200), ("manager", 200)])
def test_supervisors_and_managers_reach_the_admin(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("admin:index")).status_code == status


@pytest.mark.parametrize("persona", ["specialist", "merchant_a", "liaison", "integration", "outsider"])
def test_everyone_else_is_kept_out_of_the_admin(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_wrong_password_keeps_the_email_and_says_why_in_chinese(client, specialist):
    response = client.post(reverse("account_login"), {"login": "li@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "li@example.test" in response.text
    assert "密码不正确" in response.text
