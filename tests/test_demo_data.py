"""`make demo` loads the seed stories; every demo login reaches its start page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demo import stories
from interventions.models import Alert, Case, Severity
from interventions.services.intake import messages_scan_overdue
from orders.models import MerchantReport, Order
from tests.plaintext import plaintext_copies


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_holds_the_seed_stories(demo):
    assert Case.objects.filter(title__contains="除草剂").exists()
    reorder = Alert.objects.get(source="order", severity=Severity.CRITICAL, status="new")
    assert reorder.case.title.startswith("年轻妈妈")
    pills = MerchantReport.objects.get(merchant__external_ref="shop-kangning", talking_now=True)
    assert (pills.alert.severity, pills.alert.desk) == (Severity.CRITICAL, "life")
    assert Case.objects.filter(title__contains="短信验证码").get().sightings.count() == 3
    assert Case.objects.filter(title__contains="13,000").exists()
    assert Order.objects.filter(product__risk_category="pesticide").values("merchant").distinct().count() == 2


def test_the_herbicide_case_shows_her_second_account_through_the_phone(client, demo):
    case = Case.objects.get(title__contains="除草剂")
    client.force_login(get_user_model().objects.get(email="li@shouhu.demo"))
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert 'data-testid="same-phone"' in page
    assert "tb_yu_0412" in page


def test_the_demo_keeps_no_copy_of_what_people_wrote_in_plain_text(demo):
    assert plaintext_copies() == []


def test_the_sweep_finds_no_demo_message_left_to_scan(demo):
    """The demo raised each seeded message's alert itself: beat's sweep, a minute after `make demo`
    starts, must not scan them again and raise a second alert on cases already open."""
    alerts = Alert.objects.count()
    assert messages_scan_overdue(now=timezone.now() + timedelta(days=1)) == 0
    assert Alert.objects.count() == alerts


def test_loading_the_demo_twice_adds_nothing(demo):
    counts = (Alert.objects.count(), Case.objects.count(), Order.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Alert.objects.count(), Case.objects.count(), Order.objects.count()) == counts


def test_match_offsets_point_at_the_term_in_the_original_text(demo):
    for alert in Alert.objects.exclude(matches=[]).prefetch_related("messages"):
        texts = {message.pk: message.text for message in alert.messages.all()}
        for match in alert.matches:
            assert texts[match["message_id"]][match["start"] : match["end"]] == match["term"]


@pytest.mark.parametrize(
    "email",
    [email for email, *_ in stories.STAFF]
    + [email for _shop, email, *_ in stories.MERCHANT_STAFF]
    + [email for email, *_ in stories.LIAISONS],
)
def test_every_demo_login_reaches_its_start_page(client, demo, email):
    assert client.login(username=email, password=stories.DEMO_PASSWORD)
    response = client.get(reverse("accounts:home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, "a demo person with a role is sent to their start page"
