"""Pages that update themselves (interventions/live.py): who may follow which stream, what an
event carries, and that a push which fails or a Redis that restarts loses no change for good."""

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.test import AsyncClient, Client
from django.urls import reverse
from django_eventstream import eventstream as eventstream_module
from django_eventstream import views as eventstream_views

from accounts.models import Desk
from interventions import live
from interventions.models import CaseEvent
from interventions.services import alert_claim, case_add_note
from tests import factories

pytestmark = pytest.mark.django_db


def _run(coroutine):
    """Run a coroutine on an event loop of its own thread: the browser stories' Playwright keeps a
    loop in this one for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def listeners(monkeypatch):
    """A listener manager of the test's own in the library's place: the process's own may be
    serving the browser stories' live server, and must not be started or filled from here."""
    manager = eventstream_views.ListenerManager()
    manager.redis_listener = None  # the test starts the RedisLink it means to
    monkeypatch.setattr(eventstream_views, "listener_manager", manager)
    return manager


@pytest.fixture
def life_case(specialist):
    return factories.CaseFactory(desk=Desk.LIFE, owner=specialist)


@pytest.fixture
def fraud_case(fraud_specialist):
    return factories.CaseFactory(desk=Desk.FRAUD, owner=fraud_specialist)


def test_a_stream_follows_the_desks_of_the_person(specialist, supervisor, life_case, fraud_case):
    channels = live.LiveChannels()
    assert channels.can_read_channel(specialist, "queue-life")
    assert not channels.can_read_channel(specialist, "queue-fraud")
    assert channels.can_read_channel(specialist, f"case-{life_case.pk}")
    assert not channels.can_read_channel(specialist, f"case-{fraud_case.pk}")
    assert channels.can_read_channel(supervisor, f"case-{fraud_case.pk}")
    assert not channels.can_read_channel(None, "queue-life")
    for made_up in ("case-", "case-1 OR 1=1", "queue-", "anything", f"case-{life_case.pk}x"):
        assert not channels.can_read_channel(specialist, made_up)


@pytest.fixture
def published():
    """What send_event publishes on Redis, read by a subscriber of the test's own."""
    subscriber = redis.Redis(**settings.EVENTSTREAM_REDIS).pubsub()
    subscriber.subscribe(live.RedisLink.CHANNEL)
    assert subscriber.get_message(timeout=5)["type"] == "subscribe"

    def read(channel: str) -> list[dict]:
        seen = []
        while (message := subscriber.get_message(timeout=1.0)) is not None:
            event = json.loads(message["data"])
            if event["channel"] == channel:
                seen.append(event)
        return seen

    yield read
    subscriber.close()


def test_a_line_on_the_timeline_is_pushed_once_it_commits_without_its_words(
    specialist, life_case, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        case_add_note(case=life_case, by=specialist, text="她说药已经买好了,在阳台上")
    assert published(f"case-{life_case.pk}") == [], "nothing is pushed before the commit"
    for callback in waiting:
        callback()

    [event] = published(f"case-{life_case.pk}")
    assert event["event_type"] == live.CHANGED
    assert json.loads(event["data"]) == {"kind": CaseEvent.Kind.NOTE}
    assert "阳台" not in json.dumps(event, ensure_ascii=False)


def test_claiming_an_alert_is_pushed_to_its_desks_queue(specialist, published, django_capture_on_commit_callbacks):
    alert = factories.AlertFactory(desk=Desk.LIFE)
    with django_capture_on_commit_callbacks(execute=True):
        alert_claim(alert=alert, by=specialist)
    [event] = published("queue-life")
    assert json.loads(event["data"]) == {"kind": "claimed"}


def test_a_push_that_fails_never_fails_the_work(specialist, life_case, monkeypatch, caplog):
    """Redis is down: the note is saved, the failure is logged, the pages catch up by polling."""
    from tests.conftest import free_port

    monkeypatch.setattr(eventstream_module, "redis_client", redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    caplog.set_level(logging.WARNING, logger="interventions.live")
    live._publish(f"case-{life_case.pk}", CaseEvent.Kind.NOTE)
    assert "open pages will catch up by polling" in caplog.text


def _listen(manager, channel: str) -> eventstream_views.Listener:
    listener = eventstream_views.Listener()
    listener.channels = {channel}
    listener.assign_loop()
    manager.add_listener(listener)
    return listener


def test_the_link_to_redis_comes_back_and_tells_open_pages_to_fetch_again(redis_of_its_own, settings, listeners):
    """Redis stops while a page is open and starts again: the process's link subscribes again, the
    page is told to fetch itself (what was published meanwhile is gone), and the next change
    arrives as before."""
    settings.EVENTSTREAM_REDIS = {"host": "127.0.0.1", "port": redis_of_its_own.port, "socket_connect_timeout": 1}
    publisher = redis.Redis(**settings.EVENTSTREAM_REDIS)
    manager = listeners

    def publish(kind: str) -> None:
        data = json.dumps({"kind": kind})
        message = {"channel": "case-7", "event_type": live.CHANGED, "data": data, "pub_id": None}
        publisher.publish(live.RedisLink.CHANNEL, json.dumps(message))

    async def wait_for_event(listener) -> list:
        await asyncio.wait_for(listener.aevent.wait(), timeout=15)
        with manager.lock:
            items, listener.channel_items = listener.channel_items.get("case-7", []), {}
            listener.aevent.clear()
        return [(item.type, json.loads(item.data)["kind"]) for item in items]

    async def scenario() -> None:
        link = live.RedisLink()
        task = asyncio.create_task(link.start())
        listener = _listen(manager, "case-7")
        try:
            await _until(lambda: publisher.pubsub_numsub(live.RedisLink.CHANNEL)[0][1] == 1)
            publish("note")
            assert await wait_for_event(listener) == [(live.CHANGED, "note")]

            redis_of_its_own.stop()
            await asyncio.sleep(1.5)
            redis_of_its_own.start()
            assert await wait_for_event(listener) == [(live.RESYNC, live.RESYNC)]

            publish("interception_updated")
            assert await wait_for_event(listener) == [(live.CHANGED, "interception_updated")]
        finally:
            manager.remove_listener(listener)
            task.cancel()

    _run(scenario())


async def _until(condition, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_stream_ends_after_its_lifetime_and_lets_go_of_its_source():
    closed = []

    async def forever():
        try:
            while True:
                yield b"keep-alive"
                await asyncio.sleep(0.05)
        finally:
            closed.append(True)

    async def read() -> int:
        return len([chunk async for chunk in live.for_at_most(forever(), 0.3)])

    assert 2 <= _run(read()) <= 10
    assert closed == [True]


@pytest.mark.django_db(transaction=True)
def test_the_stream_opens_for_the_desk_and_refuses_another_desks_case(specialist, life_case, fraud_case, listeners):
    signed_in = Client()
    signed_in.force_login(specialist)
    browser = AsyncClient()
    browser.cookies = signed_in.cookies
    url = reverse("interventions:live_events")

    async def first_chunk(query: str) -> str:
        response = await browser.get(f"{url}?{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert "no-cache" in response["Cache-Control"]
        assert response["X-Accel-Buffering"] == "no"  # a proxy must not hold the events back
        stream = aiter(response.streaming_content) if response.streaming else None
        if stream is None:
            return response.content.decode()
        chunk = await anext(stream)
        await stream.aclose()
        return chunk.decode()

    assert "stream-open" in _run(first_chunk(f"channel=case-{life_case.pk}&channel=queue-life"))
    refused = _run(first_chunk(f"channel=case-{fraud_case.pk}"))
    assert "stream-error" in refused
    assert "forbidden" in refused


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client, life_case):
    response = client.get(f"{reverse('interventions:live_events')}?channel=case-{life_case.pk}")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
