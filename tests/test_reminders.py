"""Check-ins kept on time and once, replies that close them, and the escalation clocks that page
the people on duty. Sends go to a loopback receiver that checks signatures."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from interventions.models import Alert, CaseEvent, CheckIn, DutyShift, Notification, Severity
from interventions.selectors import FirstActionClock, first_action_clock
from interventions.services import (
    alerts_escalate,
    case_escalate,
    checkin_plan,
    messages_scan,
    morning_digests_send,
    reminders_sweep,
)
from interventions.services.outbox import retry_delay
from tests import factories, receiver

SECRET = "test-outbound-secret"
NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def platform(settings):
    """The platform's chat and SMS endpoints, on loopback."""
    server, received = receiver.start(SECRET)
    base = f"http://127.0.0.1:{server.server_port}"
    settings.SHOUHU_OUTBOUND_SECRET = SECRET
    settings.SHOUHU_PLATFORM_CHAT_URL = f"{base}/chat"
    settings.SHOUHU_SMS_URL = f"{base}/sms"
    settings.SHOUHU_VOICE_URL = f"{base}/voice"
    yield received
    server.shutdown()


@pytest.fixture
def case(specialist):
    buyer = factories.BuyerFactory(account_ref="tb_girl_12", time_zone="Asia/Shanghai")
    return factories.CaseFactory(owner=specialist, buyer=buyer, risk_level=3)


def _plan(case, specialist, **kwargs):
    options = {"local_day": date(2026, 11, 24), "local_time": time(8, 30), "channel": "chat", "text": "早上好"}
    return checkin_plan(case=case, by=specialist, **{**options, **kwargs})


# --- check-ins ------------------------------------------------------------------------------------


def test_good_morning_is_sent_at_0830_shanghai_and_not_a_minute_before(platform, case, specialist):
    with time_machine.travel(NOON, tick=False):
        [checkin] = _plan(case, specialist)
    with time_machine.travel(datetime(2026, 11, 24, 0, 29, 59, tzinfo=UTC), tick=False):
        reminders_sweep()
    assert platform.requests == []
    with time_machine.travel(datetime(2026, 11, 24, 0, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
        reminders_sweep()
    [request] = platform.requests
    assert request["signed"]
    assert request["path"] == "/chat"
    assert request["body"] == {"account": "tb_girl_12", "text": "早上好", "case": case.reference}
    assert request["key"] == f"shouhu-checkin-{checkin.pk}"
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DELIVERED
    assert case.events.filter(kind=CaseEvent.Kind.CHECKIN_SENT).count() == 1


def test_a_daily_check_in_in_a_dst_zone_is_sent_at_0830_local_on_both_sides_of_the_change(platform, case, specialist):
    case.buyer.time_zone = "America/New_York"
    case.buyer.save()
    with time_machine.travel(datetime(2026, 10, 30, 12, tzinfo=UTC), tick=False):
        _plan(case, specialist, local_day=date(2026, 10, 31), days=2, channel="sms")
    # 31 October 08:30 EDT is 12:30 UTC; 1 November 08:30 EST (after the change) is 13:30 UTC
    for moment, expected in [
        (datetime(2026, 10, 31, 12, 29, tzinfo=UTC), 0),
        (datetime(2026, 10, 31, 12, 30, tzinfo=UTC), 1),
        (datetime(2026, 11, 1, 12, 30, tzinfo=UTC), 1),  # 07:30 local: not yet
        (datetime(2026, 11, 1, 13, 30, tzinfo=UTC), 2),
    ]:
        with time_machine.travel(moment, tick=False):
            reminders_sweep()
        assert len(platform.requests) == expected, moment
    assert {request["path"] for request in platform.requests} == {"/sms"}


def test_a_check_in_due_while_the_worker_was_down_is_sent_once_when_it_comes_back(platform, case, specialist):
    with time_machine.travel(NOON, tick=False):
        [checkin] = _plan(case, specialist)
    with time_machine.travel(datetime(2026, 11, 24, 3, 0, tzinfo=UTC), tick=False):  # 11:00, hours late
        reminders_sweep()
        reminders_sweep()
    assert platform.deliveries_per_key() == {checkin.idempotency_key: 1}


def test_a_refused_send_is_retried_with_backoff_and_then_the_owner_is_told(platform, case, specialist, settings):
    settings.SHOUHU_DELIVERY_MAX_ATTEMPTS = 3
    platform.fail_next = 10
    with time_machine.travel(NOON, tick=False):
        [checkin] = _plan(case, specialist)
    due = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    for seconds in (0, 10, 30, 89, 90):  # tries at 0 s, after 30 s, then after 60 s more
        with time_machine.travel(due + timedelta(seconds=seconds), tick=False):
            reminders_sweep()
    assert len(platform.requests) == 3
    checkin.refresh_from_db()
    assert (checkin.status, checkin.attempts, checkin.last_error) == (CheckIn.Status.FAILED, 3, "HTTP 503")
    told = Notification.objects.get(recipient=specialist, channel="portal")
    assert told.kind == Notification.Kind.CHECKIN_FAILED
    assert case.reference in told.title


def test_the_persons_reply_through_intake_closes_the_check_in(platform, case, specialist):
    with time_machine.travel(NOON, tick=False):
        [checkin] = _plan(case, specialist)
    with time_machine.travel(datetime(2026, 11, 24, 0, 30, tzinfo=UTC), tick=False):
        reminders_sweep()
    with time_machine.travel(datetime(2026, 11, 24, 0, 44, tzinfo=UTC), tick=False):
        reply = factories.MessageFactory(buyer=case.buyer, text="早上好,我好多了")
        messages_scan(message_ids=[reply.pk])
    checkin.refresh_from_db()
    assert (checkin.status, checkin.reply) == (CheckIn.Status.REPLIED, reply)
    event = case.events.get(kind=CaseEvent.Kind.CHECKIN_REPLIED)
    assert event.payload["text"] == "早上好,我好多了"  # read through the field; at rest a token
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM interventions_caseevent WHERE id = %s", [event.pk])
        assert "好多了" not in cursor.fetchone()[0]


def test_no_reply_chases_the_owner_then_puts_an_alert_back_in_the_queue(platform, case, specialist):
    with time_machine.travel(NOON, tick=False):
        [checkin] = _plan(case, specialist)
    sent = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        reminders_sweep()
    with time_machine.travel(sent + timedelta(hours=2, minutes=59), tick=False):
        reminders_sweep()
    assert not Notification.objects.filter(kind=Notification.Kind.CHECKIN_NO_REPLY).exists()
    with time_machine.travel(sent + timedelta(hours=3), tick=False):
        reminders_sweep()
        reminders_sweep()
    assert Notification.objects.filter(kind=Notification.Kind.CHECKIN_NO_REPLY, channel="portal").count() == 1
    assert not Alert.objects.filter(source="checkin").exists()
    with time_machine.travel(sent + timedelta(hours=4), tick=False):
        reminders_sweep()
        reminders_sweep()
    alert = Alert.objects.get(source="checkin")
    assert (alert.desk, alert.severity, alert.buyer) == (case.desk, Severity.HIGH, case.buyer)
    checkin.refresh_from_db()
    assert (checkin.status, checkin.requeued_alert) == (CheckIn.Status.MISSED, alert)


def test_a_phone_check_in_is_on_the_owners_today_list_and_is_recorded_there(client, case, specialist):
    [checkin] = _plan(case, specialist, channel="phone", local_day=date.today())
    client.force_login(specialist)
    page = client.get(reverse("interventions:today"))
    assert case.reference in page.text
    client.post(reverse("interventions:checkin_call", args=[checkin.pk]), {"reached": "on", "note": "她说好多了"})
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DONE
    assert any(e.payload.get("reached") is True for e in case.events.filter(kind=CaseEvent.Kind.CHECKIN_CALLED))


def test_someone_elses_phone_check_in_cannot_be_recorded(client, case, specialist, supervisor):
    [checkin] = _plan(case, specialist, channel="phone")
    client.force_login(supervisor)
    assert client.post(reverse("interventions:checkin_call", args=[checkin.pk]), {"reached": "on"}).status_code == 404


# --- escalation clocks ---------------------------------------------------------------------------


@pytest.fixture
def rota(db, life_team):
    supervisor = factories.UserFactory(display_name="值班主管", paging_phone="13900000001")
    lead = factories.UserFactory(display_name="条线负责人", paging_phone="13900000002")
    for user, role in ((supervisor, "supervisor"), (lead, "desk_lead")):
        DutyShift.objects.create(
            desk="life", role=role, user=user, starts_at=NOON - timedelta(hours=8), ends_at=NOON + timedelta(hours=8)
        )
    return {"supervisor": supervisor, "lead": lead}


def test_an_unclaimed_critical_alert_pages_the_supervisor_at_5_minutes_and_the_lead_at_15(platform, rota):
    alert = factories.AlertFactory(desk="life", severity=Severity.CRITICAL, created_at=NOON)

    def paged(user):
        return set(Notification.objects.filter(recipient=user).values_list("channel", flat=True))

    with time_machine.travel(NOON + timedelta(minutes=4, seconds=59), tick=False):
        reminders_sweep()
    assert not Notification.objects.exists()
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        reminders_sweep()
        reminders_sweep()
    assert paged(rota["supervisor"]) == {"portal", "sms", "email"}
    assert paged(rota["lead"]) == set()
    assert platform.deliveries_per_key() == {f"alert:{alert.pk}:tier1:sms:{rota['supervisor'].pk}": 1}
    assert len(mail.outbox) == 1
    with time_machine.travel(NOON + timedelta(minutes=15), tick=False):
        reminders_sweep()
    assert paged(rota["lead"]) == {"portal", "sms", "email"}
    assert Notification.objects.filter(recipient=rota["supervisor"]).count() == 3


def test_a_claimed_alert_pages_no_one(rota):
    factories.AlertFactory(
        desk="life",
        severity=Severity.CRITICAL,
        created_at=NOON,
        status="claimed",
        claimed_by=rota["supervisor"],
        claimed_at=NOON,
    )
    with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
        reminders_sweep()
    assert not Notification.objects.exists()


def test_with_no_one_on_the_rota_the_desks_supervisors_are_paged(supervisor):
    factories.AlertFactory(desk="fraud", severity=Severity.CRITICAL, created_at=NOON)
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        reminders_sweep()
    assert Notification.objects.filter(recipient=supervisor, channel="portal").exists()


def test_a_stop_payment_near_the_end_of_its_window_pages_the_owner(fraud_specialist):
    case = factories.CaseFactory(desk="fraud", owner=fraud_specialist)
    centre = factories.PoliceUnitFactory(kind="anti_fraud_centre")
    from interventions.services import stop_payment_request

    with time_machine.travel(NOON, tick=False):
        stop_payment_request(
            case=case,
            unit=centre,
            by=fraud_specialist,
            payee_account="alipay:seller_88",
            amount=Decimal("13000"),
            paid_at=NOON,
            reported_at=NOON,
            transaction_ref="T1",
        )
    with time_machine.travel(NOON + timedelta(minutes=19), tick=False):
        reminders_sweep()
    assert not Notification.objects.exists()
    with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
        reminders_sweep()
    page = Notification.objects.get(recipient=fraud_specialist, channel="portal")
    assert page.kind == Notification.Kind.STOP_PAYMENT_CLOSING
    assert "10" in page.title


def test_an_interception_unanswered_by_its_deadline_escalates(specialist, supervisor):
    case = factories.CaseFactory(owner=specialist)
    factories.InterceptionRequestFactory(case=case, deadline=NOON)
    with time_machine.travel(NOON - timedelta(seconds=1), tick=False):
        reminders_sweep()
    assert not Notification.objects.exists()
    with time_machine.travel(NOON, tick=False):
        reminders_sweep()
    assert set(
        Notification.objects.filter(kind=Notification.Kind.INTERCEPTION_OVERDUE, channel="portal").values_list(
            "recipient", flat=True
        )
    ) == {specialist.pk, supervisor.pk}


# --- the notification list and the digest --------------------------------------------------------


def test_the_unread_count_shows_and_opening_a_notification_reads_it(client, rota, supervisor):
    alert = factories.AlertFactory(desk="life", severity=Severity.CRITICAL, created_at=NOON)
    DutyShift.objects.filter(role="supervisor").update(user=supervisor)
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        reminders_sweep()
    client.force_login(supervisor)
    page = client.get(reverse("interventions:queue")).text
    assert 'data-testid="unread-count">1<' in page
    item = Notification.objects.get(recipient=supervisor, channel="portal")
    response = client.post(reverse("interventions:notification_open", args=[item.pk]))
    assert response.url == reverse("interventions:alert", args=[alert.pk])
    item.refresh_from_db()
    assert item.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("interventions:queue")).text


def test_no_one_opens_anothers_notification(client, rota, specialist):
    factories.AlertFactory(desk="life", severity=Severity.CRITICAL, created_at=NOON)
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        reminders_sweep()
    item = Notification.objects.filter(channel="portal").first()
    client.force_login(specialist)
    assert client.post(reverse("interventions:notification_open", args=[item.pk])).status_code == 404
    assert item.title not in client.get(reverse("interventions:notifications")).text


def test_each_supervisor_gets_one_morning_digest_a_day(supervisor, specialist):
    factories.CaseFactory(owner=specialist, risk_level=4)
    with time_machine.travel(datetime(2026, 11, 23, 23, 45, tzinfo=UTC), tick=False):  # 07:45 Shanghai
        morning_digests_send()
        morning_digests_send()
    digest = Notification.objects.get(recipient=supervisor, channel="portal")
    assert "2026-11-24" in digest.title
    assert Notification.objects.filter(recipient=supervisor, channel="email").count() == 1
    assert not Notification.objects.filter(recipient=specialist).exists()


def test_notification_texts_carry_no_personal_data(platform, rota, case, specialist):
    alert = factories.AlertFactory(
        desk="life", severity=Severity.CRITICAL, created_at=NOON, buyer=case.buyer, summary="危急:我不想活了"
    )
    alert.messages.add(factories.MessageFactory(text="我不想活了", buyer=case.buyer))
    factories.CheckInFactory(case=case, owner=specialist, due_at=NOON - timedelta(hours=5), status="sent")
    CheckIn.objects.update(sent_at=NOON - timedelta(hours=5))
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        reminders_sweep()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {Notification.Kind.ALERT_UNCLAIMED, Notification.Kind.CHECKIN_NO_REPLY}
    for note in Notification.objects.all():
        assert "tb_girl_12" not in note.title + note.body
        assert "不想活" not in note.title + note.body
    for request in platform.requests:
        assert "不想活" not in request["body"]["text"]


def test_alerts_already_paged_cost_the_clock_no_query_each(rota, django_assert_max_num_queries):
    for _ in range(20):
        factories.AlertFactory(desk="life", severity=Severity.CRITICAL, created_at=NOON)
    with time_machine.travel(NOON + timedelta(minutes=20), tick=False):
        reminders_sweep()
        paged = Notification.objects.count()
        # the next minute: four tiers read, the rota asked once per role, the sent keys in one query
        with django_assert_max_num_queries(10):
            assert alerts_escalate(now=timezone.now()) == 0
    assert Notification.objects.count() == paged


def test_a_failed_send_is_tried_again_after_30_seconds_doubling_up_to_an_hour():
    waits = [retry_delay(attempts).total_seconds() for attempts in (0, 1, 2, 3, 7, 8, 30)]
    assert waits == [30, 30, 60, 120, 1920, 3600, 3600]


# --- escalation and the first action -------------------------------------------------------------


def test_escalating_a_case_pages_the_supervisor_on_duty_at_once(
    client, platform, rota, specialist, django_capture_on_commit_callbacks
):
    case = factories.CaseFactory(owner=specialist, risk_level=4)
    client.force_login(specialist)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interventions:case_act", args=[case.pk, "escalate"]), {"reason": "她说今晚就去江边"})
    pages = Notification.objects.filter(kind=Notification.Kind.CASE_ESCALATED)
    assert set(pages.values_list("recipient", "channel")) == {
        (rota["supervisor"].pk, channel) for channel in ("portal", "sms", "email")
    }
    page = pages.get(channel="portal")
    assert case.reference in page.title
    assert "李娜" in page.title
    # The reason speaks of the person: it stays on the encrypted timeline, not in the page.
    assert "江边" not in page.title + page.body
    assert page.link == reverse("interventions:case", args=[case.pk])
    assert platform.deliveries_per_key() == {f"{page.key.rsplit(':', 2)[0]}:sms:{rota['supervisor'].pk}": 1}


def test_a_case_escalated_again_after_it_came_back_pages_again(rota, specialist):
    case = factories.CaseFactory(owner=specialist)
    with time_machine.travel(NOON, tick=False):
        case_escalate(case=case, by=specialist, reason="第一次")
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        case_escalate(case=case, by=specialist, reason="又升级")
    assert Notification.objects.filter(kind=Notification.Kind.CASE_ESCALATED, channel="portal").count() == 2


def test_a_high_risk_case_with_no_first_action_in_30_minutes_pages_its_owner_and_the_supervisor(rota, specialist):
    case = factories.CaseFactory(owner=specialist, opened_at=NOON)
    factories.AlertFactory(desk="life", severity=Severity.CRITICAL, case=case, status="promoted")
    with time_machine.travel(NOON + timedelta(minutes=29, seconds=59), tick=False):
        assert reminders_sweep()["first_actions_paged"] == 0
    with time_machine.travel(NOON + timedelta(minutes=30), tick=False):
        assert reminders_sweep()["first_actions_paged"] == 1
        assert reminders_sweep()["first_actions_paged"] == 0
    portal = Notification.objects.filter(kind=Notification.Kind.FIRST_ACTION_OVERDUE, channel="portal")
    assert set(portal.values_list("recipient", flat=True)) == {specialist.pk, rota["supervisor"].pk}
    assert "30" in portal.first().title


def test_a_first_action_stops_the_clock_and_a_low_risk_case_has_none(rota, specialist):
    acted = factories.CaseFactory(owner=specialist, opened_at=NOON, risk_level=3)
    factories.CaseEventFactory(case=acted, kind=CaseEvent.Kind.POLICE_REFERRED, created_at=NOON + timedelta(minutes=9))
    calm = factories.CaseFactory(owner=specialist, opened_at=NOON, risk_level=1)
    closed = factories.CaseFactory(
        owner=specialist, opened_at=NOON, risk_level=4, status="closed", outcome="safe", closed_at=NOON
    )
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert reminders_sweep()["first_actions_paged"] == 0
        assert first_action_clock(acted).done_at == NOON + timedelta(minutes=9)
        assert first_action_clock(calm) is None
        assert first_action_clock(closed).done_at is None
    assert not Notification.objects.filter(kind=Notification.Kind.FIRST_ACTION_OVERDUE).exists()


def test_the_first_action_clock_is_one_query_whatever_the_alerts_and_events(specialist, django_assert_num_queries):
    """Rated high and with two critical alerts, the case is found once per alert: the first row
    is read, and the first action is the earliest of the timeline's actions."""
    case = factories.CaseFactory(owner=specialist, opened_at=NOON, risk_level=4)
    for _ in range(2):
        factories.AlertFactory(desk="life", severity=Severity.CRITICAL, case=case, status="promoted")
    for minutes in (20, 9, 40):
        factories.CaseEventFactory(
            case=case, kind=CaseEvent.Kind.POLICE_REFERRED, created_at=NOON + timedelta(minutes=minutes)
        )
    factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.NOTE, created_at=NOON + timedelta(minutes=1))
    with django_assert_num_queries(1):
        clock = first_action_clock(case)
    assert clock == FirstActionClock(due_at=NOON + timedelta(minutes=30), done_at=NOON + timedelta(minutes=9))
    calm = factories.CaseFactory(owner=specialist, opened_at=NOON, risk_level=1)
    with django_assert_num_queries(1):
        assert first_action_clock(calm) is None


def test_the_case_page_shows_the_first_action_clock_until_the_first_action(client, specialist):
    case = factories.CaseFactory(owner=specialist, risk_level=4)
    client.force_login(specialist)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    due = int((case.opened_at + timedelta(minutes=30)).timestamp())
    assert f'data-due="{due}"' in page
    assert "首次处置截止" in page
    factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.CONTACT_REVEALED)
    page = client.get(reverse("interventions:case", args=[case.pk])).text
    assert f'data-due="{due}"' not in page
    assert "首次处置 " in page
