"""One live server and one Chromium for every browser story of the session.

Debian's chromium is used (Playwright cannot download its own browsers here), headless, with no
sandbox and no background networking. The live server is the ASGI application under uvicorn, as
the stream of changes to open pages runs in production (docs/deploy.md), so the stories see the
pages update themselves.
"""

import gc
import logging
import shutil
import socket
import threading
import time

import pytest
import uvicorn
from django.test.utils import modify_settings

from accounts.logging import PHONE
from tests.browser import helpers
from tests.factories import PASSWORD
from tests.plaintext import plaintext_copies

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium).")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


class AsgiLiveServer:
    """What pytest-django's live_server offers (url, its ALLOWED_HOSTS change), served by uvicorn
    in a thread with the static files, instead of Django's WSGI test server: that one cannot
    stream server-sent events."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.asgi import get_asgi_application

        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, 0))
        self.host, self.port = listening.getsockname()
        config = uvicorn.Config(
            ASGIStaticFilesHandler(get_asgi_application()),
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [listening]}, daemon=True)
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The ASGI live server did not start")
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        # The request threads are gone; their database connections close when collected, and
        # must be closed before the test database is dropped.
        gc.collect()

    def __str__(self) -> str:
        return self.url


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    server = AsgiLiveServer()
    yield server
    server.stop()


@pytest.fixture
def log_in(page, live_server):
    """Log in through the real login form, as a person would."""

    def log_in_as(email: str, password: str = PASSWORD):
        return helpers.log_in(page, live_server.url, email, password)

    return log_in_as


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(autouse=True)
def logs_without_personal_data(transactional_db):
    """Every story's log, at production's INFO level and with tracebacks, holds no phone number
    and no text a person or a shop wrote (messages, reports, notes, check-in replies)."""
    root = logging.getLogger()
    kept, level = _Kept(), root.level
    root.addHandler(kept)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(kept)
        root.setLevel(level)
    log = "\n".join(kept.lines)
    assert not PHONE.search(log), PHONE.search(log).group(0)
    for text in _texts_people_wrote():
        assert text[:12] not in log, text[:12]


@pytest.fixture(autouse=True)
def database_without_plaintext(transactional_db):
    """After every story's actions, nothing kept encrypted is also in the database in plain text
    (every text, JSON and array column of every table, read with raw SQL)."""
    yield
    assert plaintext_copies() == []


def _texts_people_wrote() -> list[str]:
    from interventions.models import CaseEvent, Message
    from orders.models import MerchantReport, ReportNote

    texts = [
        *Message.objects.values_list("text", flat=True),
        *MerchantReport.objects.values_list("text", flat=True),
        *ReportNote.objects.values_list("text", flat=True),
        *(event.payload.get("text", "") for event in CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE)),
    ]
    return [text for text in texts if text and len(text) >= 8]
