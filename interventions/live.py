"""Pages that update themselves: what changed is pushed to the open pages as server-sent events.

django-eventstream serves the stream (`/events/?channel=…`) on the ASGI server and carries each
event between processes through Redis pub/sub. An event says only *that* something changed and
what kind of change it was: no words, no names, no ids beyond the case's own. The page then
fetches itself again, through the same views, desk scope and access log as a reload.

Channels:
- `case-<pk>`: anything written on the case's timeline (a shop's answer, a liaison's freeze, a
  linked alert, a colleague's note: every change writes its line through
  services.timeline.case_event_record).
- `queue-<desk>`: an alert raised, joined, claimed or dismissed on the desk.

An event lost (Redis down, a process restarted) costs nothing but time: the page polls while
its stream is down, resynchronises when the stream comes back, and polls slowly all the time
(static/js/live.js).
"""

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django_eventstream import send_event
from django_eventstream import views as eventstream_views
from django_eventstream.channelmanager import ChannelManagerBase
from django_eventstream.event import Event

from accounts.selectors import user_desks

from .models import Case

logger = logging.getLogger(__name__)

CHANGED = "changed"
# Sent to every open stream of a process whose link to Redis came back: events may have been
# missed while it was down, so every page fetches itself again.
RESYNC = "resync"

_CASE = re.compile(r"case-(\d{1,12})")
_QUEUE = re.compile(r"queue-([a-z_]{1,20})")


def case_channel(case_id: int) -> str:
    return f"case-{case_id}"


def queue_channel(desk: str) -> str:
    return f"queue-{desk}"


def case_changed(case_id: int, *, kind: str) -> None:
    """Tell the case's open pages, once the transaction commits, that its timeline has a new line."""
    _after_commit(case_channel(case_id), kind)


def queue_changed(desk: str, *, kind: str) -> None:
    """Tell the desk's open queues, once the transaction commits, that an alert came or went."""
    _after_commit(queue_channel(desk), kind)


def _after_commit(channel: str, kind: str) -> None:
    # robust: a push that fails must never fail the work that was saved; the pages catch up by
    # polling (live.js), so a failure is logged and nothing else.
    transaction.on_commit(partial(_publish, channel, kind), robust=True)


def _publish(channel: str, kind: str) -> None:
    try:
        send_event(channel, CHANGED, {"kind": kind})
    except Exception:  # Redis down or unreachable: the pages poll until it is back.
        logger.warning("Could not push a change on %s; open pages will catch up by polling", channel, exc_info=True)


class LiveChannels(ChannelManagerBase):
    """Who may follow which channel: a case's channel to those who may read the case on their
    desks, a queue's channel to those who work the desk. Nothing to anonymous requests. No
    channel is stored for replay: an event only says "fetch again", and a page that reconnects
    fetches again anyway."""

    def get_channels_for_request(self, request, view_kwargs):
        return set(request.GET.getlist("channel"))

    def can_read_channel(self, user, channel):
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        desks = user_desks(user)
        allowed = False
        if match := _QUEUE.fullmatch(channel):
            allowed = match.group(1) in desks
        elif match := _CASE.fullmatch(channel):
            allowed = Case.objects.filter(pk=int(match.group(1)), desk__in=desks).exists()
        release_connection()
        return allowed

    def is_channel_reliable(self, channel):
        return False


def release_connection() -> None:
    """A stream waits for minutes; it must not hold a database connection meanwhile (one per open
    page would exhaust PostgreSQL). Its checks are done, so its thread's connection is closed; the
    next check opens one again. Inside a transaction (a test's) nothing is closed."""
    if not connection.in_atomic_block:
        connection.close()


async def for_at_most(stream: AsyncIterator, seconds: float) -> AsyncIterator:
    """End a stream after `seconds`: the browser reconnects by itself, and the new connection is
    checked again (signed in, not idle, still on the desk), so a stream cannot outlive a session."""
    deadline = asyncio.get_running_loop().time() + seconds
    iterator = aiter(stream)
    try:
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                chunk = await asyncio.wait_for(anext(iterator), timeout=left)
            except (StopAsyncIteration, TimeoutError):
                return
            yield chunk
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


def stream_lifetime() -> float:
    return settings.SHOUHU_LIVE_STREAM_MAX.total_seconds()


class RedisLink(eventstream_views.RedisListener):
    """The ASGI process's subscription to the events of every other process, kept alive.

    django-eventstream's own listener subscribes once: when Redis restarts, its task ends and the
    process's open pages hear nothing more while their streams still look alive. This one
    reconnects with a growing pause, and when the link is back tells every open stream to fetch
    its page again, since what was published meanwhile is gone."""

    CHANNEL = "events_channel"  # the library's pub/sub channel, published to by send_event

    def __init__(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # No socket timeout: the subscription waits for as long as nothing happens. No retries
        # inside redis-py either: a reconnection it made silently would hide missed events.
        options = {key: value for key, value in settings.EVENTSTREAM_REDIS.items() if key != "socket_timeout"}
        self.redis_client = Redis(**options, retry=Retry(NoBackoff(), 0), socket_keepalive=True)
        self.pubsub = self.redis_client.pubsub()
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        # The library starts this as a task and keeps no reference; keep one, or it may be
        # collected while it waits.
        self.task = asyncio.current_task()
        pause, missed = 0.5, False
        while True:
            try:
                await self.pubsub.subscribe(self.CHANNEL)
                if missed:
                    logger.info("Push link to Redis is back; open pages fetch themselves again")
                    resync_open_streams()
                    pause, missed = 0.5, False
                async for message in self.pubsub.listen():
                    if message["type"] == "message":
                        _deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Push link to Redis lost; retrying in %.1f s", pause, exc_info=True)
                missed = True
                await self._reset()
                await asyncio.sleep(pause)
                pause = min(pause * 2, 10.0)

    async def _reset(self) -> None:
        try:
            await self.pubsub.aclose()
        except Exception:  # the connection is already gone
            logger.debug("Closing a broken pub/sub connection failed", exc_info=True)
        self.pubsub = self.redis_client.pubsub()


def _deliver(published: dict) -> None:
    event = Event(published["channel"], published["event_type"], published["data"], id=published["pub_id"])
    eventstream_views.get_listener_manager().add_to_queues(published["channel"], event)


def resync_open_streams() -> None:
    """Ask every stream open in this process to have its page fetch itself again."""
    manager = eventstream_views.get_listener_manager()
    with manager.lock:
        channels = list(manager.listeners_by_channel)
    for channel in channels:
        manager.add_to_queues(channel, Event(channel, RESYNC, json.dumps({"kind": RESYNC})))


def install_redis_link() -> None:
    """Put RedisLink in the place of the library's listener, when pushes go through Redis."""
    if getattr(settings, "EVENTSTREAM_REDIS", None):
        eventstream_views.get_listener_manager().redis_listener = RedisLink()
