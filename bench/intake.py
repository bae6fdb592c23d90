"""Seconds for a burst of chat messages to go from the intake API to alerts in the desks' queues.

Usage, from the repository root (DJANGO_SETTINGS_MODULE defaults to config.settings.test):

    .venv/bin/python bench/intake.py [--messages 10000] [--batch 1000] [--alert-share 0.05] [--seed 1]

Target (from the issue): 10,000 messages from the API to alerts in under 10 s, on PostgreSQL,
Redis and one Celery worker.

What runs, as in production except for the HTTP server:

    API      POST /api/v1/intake/messages, one request per batch, in order, through django.test.Client:
             in-process WSGI with the real URLconf, middleware, token authentication, DRF validation
             and the intake service; no socket and no gunicorn, so HTTP parsing and the network are
             left out. Each request commits its batch and enqueues one scan task after commit. A POST
             answered with a 5xx is sent again, as an integration would, and printed.
    broker   Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0), on a queue of this run's own.
    worker   one `celery -A config worker --pool solo --concurrency 1` subprocess, started before the
             clock, warmed up with an empty scan task, and stopped at the end whatever happens.
    done     when every message of the run has scanned_at set (polled every 50 ms).

The bench process, the worker, PostgreSQL and Redis share this machine's CPUs (the count is
printed), where production runs the API and the worker on machines of their own.

The database is PostgreSQL only, and the bench's own: DATABASE_URL defaults to
postgres://postgres@127.0.0.1:5432/shouhu_bench_intake, which is created if missing and migrated.
The shouhu, test_shouhu and shouhu_bench databases belong to the suite and the seeder and are
refused. Before each run the messages, alerts, their link table and the alerts' history are emptied,
so repeated runs measure the same thing; buyers are named per run, so each run creates its own.

Messages are generated, deterministically from --seed: ordinary customer-service traffic (delivery,
sizes, refunds, invoices; some with weak terms such as 今晚 or 杀虫剂 and some with benign idioms such
as 跳楼价, which reach the alert service and must raise nothing), and --alert-share of them from
people in danger (我不想活了,农药已经买好了 / 安眠药攒了一整瓶 / 游戏币…转到对方账户后联系不上了), each
person on one desk, some writing twice so their second message joins the first one's alert. The
expected alerts per desk (one per person) are printed next to the alerts the run created.
"""

import argparse
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/shouhu_bench_intake"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER_URL)
# Not setdefault: in eager mode the scan would run inside the POST and nothing would be measured.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from psycopg import sql  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import api_token_issue, api_token_revoke, user_create  # noqa: E402
from config.celery import app  # noqa: E402
from interventions.models import Alert, Message  # noqa: E402
from interventions.tasks import scan_messages  # noqa: E402

TARGET_SECONDS = 10.0
URL = "/api/v1/intake/messages"
POLL_EVERY = 0.05
# Give up when the worker scans nothing for this long: it is stuck, not slow.
STALL_SECONDS = 60.0
WORKER_START_SECONDS = 60.0
# A POST answered with a 5xx was rolled back whole; an integration sends it again, and so does the
# bench (storing is idempotent per source and external id). Every failure is counted and printed.
ATTEMPTS = 3
# Other people's databases on the same server: the suite's and the seeder's.
NOT_OURS = {"shouhu", "test_shouhu", "shouhu_bench"}
INTEGRATION_EMAIL = "bench-intake@bench.invalid"
TZ = ZoneInfo("Asia/Shanghai")

# --- Messages ------------------------------------------------------------------------------------

# fmt: off
FILL = {
    "product": ["连衣裙", "运动鞋", "羽绒服", "保温杯", "蓝牙耳机", "电饭煲", "儿童书包", "手机壳", "充电宝",
                "四件套", "洗发水", "猫粮", "台灯", "空气炸锅", "行李箱", "榨汁机", "扫地机器人", "电动牙刷",
                "登山包", "茶叶礼盒"],
    "garment": ["连衣裙", "羽绒服", "牛仔裤", "卫衣", "T恤", "衬衫", "外套", "毛衣"],
    "size": ["S", "M", "L", "XL", "XXL", "38", "40", "42"],
    "courier": ["顺丰", "中通", "圆通", "韵达", "申通", "京东物流", "邮政", "极兔"],
    "color": ["黑色", "白色", "米色", "藏青色", "卡其色", "灰色"],
    "city": ["北京市朝阳区", "上海市浦东新区", "广州市天河区", "成都市武侯区", "杭州市西湖区"],
    "fruit": ["小番茄", "草莓", "苹果", "葡萄", "黄瓜"],
}
# fmt: on

# Most traffic matches no term. The last rows hold weak terms (今晚, 付款, 杀虫剂, 绳子) or idioms
# with a hot word (跳楼价, 想死你了, 农药残留): they cost the scanner and the alert service a look,
# as real traffic does, and must raise nothing. (Money already sent by transfer, "已经转账了", is no
# longer among them: paying a seller by transfer is paying off the platform, and the fraud desk
# now looks at it.)
ORDINARY = [
    "请问什么时候发货?",
    "快递到哪了,{days}天了还没到",
    "{courier}显示已签收,但是我没收到包裹",
    "这件{garment}有{size}码吗?",
    "我身高{height},{garment}穿什么码合适?",
    "{product}质量有问题,可以退货吗?",
    "申请退款{days}天了,什么时候到账?",
    "能不能换个颜色,我想要{color}的",
    "{product}怎么用?说明书看不懂",
    "发票怎么开?抬头写公司名称可以吗",
    "地址填错了,能改成{city}吗?",
    "有没有{color}的{product},想买{n}件",
    "{product}什么时候补货?",
    "包装破了,{product}有划痕,怎么处理",
    "收到的{product}和图片颜色不一样",
    "七天无理由退货运费谁出?",
    "验证码收不到怎么办",
    "退货地址发我一下",
    "衣服收到了,谢谢",
    "今晚能发货吗?",
    "已经付款了,麻烦尽快发货",
    "这款杀虫剂对蟑螂有用吗",
    "晾衣绳子有多长的",
    "{product}今天跳楼价吗?还有货吗",
    "笑死,快递员把{product}放到邻居家门口了",
    "客服小姐姐想死你了,上次的{product}很好用",
    "这批{fruit}有农药残留检测报告吗?",
    "烧烤木炭什么时候发货,周末要用",
]

# A person in danger writes one or two messages; the second joins the alert the first raised.
STORIES = {
    "life": [
        ["我不想活了,农药已经买好了"],
        ["我不想活了,农药已经买好了,今晚就喝"],
        ["安眠药攒了一整瓶"],
        ["活不下去了", "安眠药攒了一整瓶"],
        ["活着好累,撑不下去了", "安眠药攒了一整瓶,今晚就吃"],
    ],
    "fraud": [
        ["他说2亿游戏币卖1.3万,我转到对方账户后就联系不上了"],
        ["游戏币的钱转到对方账户后联系不上了,被骗了一万三"],
        ["刷单返利的客服让我先垫付3000元,现在联系不上了"],
        ["对方说是公安局的,让我把钱转到安全账户"],
        ["卖游戏币的人让我加微信私下交易", "游戏币的钱转到对方账户后联系不上了"],
    ],
}
# About five messages per ordinary shopper in the burst; people in danger also ask ordinary things.
MESSAGES_PER_SHOPPER = 5
SPAN_SECONDS = 3_600  # the burst's messages were sent over the last hour


def _ordinary(rng: random.Random) -> str:
    numbers = {"days": rng.randint(2, 15), "height": rng.randint(150, 190), "n": rng.randint(2, 10)}
    return rng.choice(ORDINARY).format(**numbers, **{slot: rng.choice(words) for slot, words in FILL.items()})


@dataclass
class Traffic:
    batches: list[bytes]
    messages: int
    signal_messages: int
    people_in_danger: Counter  # desk -> people, i.e. the alerts expected


def traffic(*, run_id: str, messages: int, batch: int, alert_share: float, seed: int) -> Traffic:
    """The run's messages in the order they were sent, cut into request bodies of `batch`."""
    rng = random.Random(seed)
    events: list[tuple[float, str, str]] = []  # (seconds into the hour, buyer_ref, text)
    people = Counter()
    wanted = round(messages * alert_share)
    while len(events) < wanted:
        desk = ("life", "fraud")[sum(people.values()) % 2]  # alternate, so both desks get their share
        story = rng.choice(STORIES[desk])[: wanted - len(events)]
        buyer = f"{run_id}-{desk}-{people[desk]}"
        people[desk] += 1
        at = rng.uniform(0, SPAN_SECONDS - 600)
        for text in story:
            events.append((at, buyer, text))
            at += rng.uniform(30, 600)
    signal = len(events)
    shoppers = [f"{run_id}-shopper-{n}" for n in range(max(1, messages // MESSAGES_PER_SHOPPER))]
    in_danger = sorted({buyer for _at, buyer, _text in events})
    while len(events) < messages:
        buyer = rng.choice(in_danger) if in_danger and rng.random() < 0.05 else rng.choice(shoppers)
        events.append((rng.uniform(0, SPAN_SECONDS), buyer, _ordinary(rng)))
    events.sort(key=lambda event: event[0])
    start = datetime.now(TZ) - timedelta(seconds=SPAN_SECONDS)
    items = [
        _item(rng, run_id, n, buyer, text, start + timedelta(seconds=at)) for n, (at, buyer, text) in enumerate(events)
    ]
    # Encoded before the clock starts: building the body is the integration's work, not ours.
    bodies = [json.dumps({"messages": items[i : i + batch]}).encode() for i in range(0, len(items), batch)]
    return Traffic(bodies, len(items), signal, people)


def _item(rng: random.Random, run_id: str, n: int, buyer: str, text: str, sent_at: datetime) -> dict:
    item = {
        "source": "complaint" if rng.random() < 0.1 else "chat",
        "channel": rng.choice(["app", "web", "mini-program"]),
        "external_id": f"{run_id}-{n}",
        "buyer_ref": buyer,
        "merchant_ref": f"shop-{rng.randrange(200)}",
        "text": text,
        "sent_at": sent_at.isoformat(timespec="seconds"),
    }
    if rng.random() < 0.3:  # an order the platform has not pushed yet: kept as a reference only
        item["order_ref"] = f"{run_id}-order-{n}"
    return item


# --- Database ------------------------------------------------------------------------------------


def database_prepare() -> str:
    """Check that the database is a PostgreSQL one of the bench's own, create it if missing, migrate
    it and empty what a run writes. Returns its name."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        sys.exit(f"bench/intake.py measures PostgreSQL; DATABASE_URL gives {connection.vendor}. Refusing.")
    if db["NAME"] in NOT_OURS:
        sys.exit(f"The {db['NAME']} database belongs to the suite or the seeder; use a database of the bench's own.")
    _database_create(db)
    call_command("migrate", verbosity=0, interactive=False)
    _tables_empty()
    return db["NAME"]


def _database_create(db: dict) -> None:
    # CREATE DATABASE cannot run in a transaction, nor in the database it creates: use the
    # server's maintenance database, in autocommit.
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
        if maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is None:
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")


def _tables_empty() -> None:
    tables = [
        Message._meta.db_table,
        Alert._meta.db_table,
        Alert.messages.through._meta.db_table,
        Alert.history.model._meta.db_table,
    ]
    # CASCADE reaches the tables pointing at alerts (fraud sightings); the bench writes none, and
    # the database is its own.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tables)} CASCADE")


def integration_token(run_id: str) -> tuple[ApiToken, str]:
    """A token with intake:write for the bench's integration user, who is created once."""
    user = User.objects.filter(email=INTEGRATION_EMAIL).first()
    if user is None:
        user = user_create(
            email=INTEGRATION_EMAIL, display_name="压测消息系统", password=None, roles=[Role.INTEGRATION], by=None
        )
    return api_token_issue(user=user, name=f"bench intake {run_id}", scopes=[ApiToken.Scope.INTAKE_WRITE], by=None)


# --- Worker --------------------------------------------------------------------------------------

TASK_DONE = re.compile(
    r"Task interventions\.tasks\.scan_messages\[(?P<id>[^\]]+)\] succeeded in (?P<seconds>[\d.]+)s: (?P<scanned>\d+)"
)
TASK_RETRY = re.compile(r"Task interventions\.tasks\.scan_messages\[[^\]]+\] retry: (?P<why>.*)")


class Worker:
    """One Celery worker subprocess consuming only this run's queue, with its log in a file."""

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.directory = Path(tempfile.mkdtemp(prefix="bench-intake-"))
        self.log = self.directory / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "solo", "--concurrency", "1", "--queues", self.queue,
            "--hostname", f"{self.queue}@%h", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ]  # fmt: skip
        with self.log.open("w") as output:
            self.process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while pattern not in self.text():
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {pattern!r} in the worker's log after {timeout:.0f} s")
            time.sleep(POLL_EVERY)

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the worker exited with status {self.process.returncode}")

    def warm_up(self) -> None:
        """Wait until the worker consumes from the queue and has loaded its lexicon: an empty scan
        task makes the round trip and builds the lexicon, so neither lands inside the clock."""
        self.wait_for(" ready.", WORKER_START_SECONDS)
        task = scan_messages.delay([])
        self.wait_for(f"[{task.id}] succeeded", WORKER_START_SECONDS)

    def scan_tasks(self) -> list[tuple[float, int]]:
        """(seconds, messages scanned) of every scan task that scanned something."""
        found = [(float(m["seconds"]), int(m["scanned"])) for m in TASK_DONE.finditer(self.text())]
        return [(seconds, scanned) for seconds, scanned in found if scanned]

    def retries(self) -> list[str]:
        """Why each scan task was retried (a retry waits the task's default_retry_delay)."""
        return [m["why"] for m in TASK_RETRY.finditer(self.text())]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # a warm shutdown: the worker finishes its task first
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


def route_all_tasks(queue: str | None) -> None:
    """Send every task to `queue` (None: back to the settings' routes). Celery builds its router once
    from the routes of that moment, so it is rebuilt."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else settings.CELERY_TASK_ROUTES
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def queue_purge(queue: str) -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


def queue_delete(queue: str) -> None:
    """Remove the run's queue and kombu's bindings of it from Redis. kombu's queue_delete only knows
    the bindings its own channel declared, so the keys are deleted by name."""
    with app.connection_for_write() as broker:
        broker.default_channel.client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Timings:
    api: float = 0.0
    scanned: float = 0.0
    requests: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "POST n: status, the error the API logged"


class ServerErrors(logging.Handler):
    """Keeps the API's logged server errors, so that a failed POST prints one line, not a traceback."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.errors.append(str(error).splitlines()[0] if error else record.getMessage())


def post_batches(client: Client, key: str, batches: list[bytes], timings: Timings, started: float) -> None:
    server_errors = ServerErrors()
    api_log = logging.getLogger("config.api")
    api_log.addHandler(server_errors)
    api_log.propagate = False
    try:
        for number, body in enumerate(batches, 1):
            _post(client, key, number, body, timings, server_errors)
    finally:
        api_log.removeHandler(server_errors)
        api_log.propagate = True
    timings.api = time.perf_counter() - started


def _post(client: Client, key: str, number: int, body: bytes, timings: Timings, errors: ServerErrors) -> None:
    for _attempt in range(ATTEMPTS):
        sent = time.perf_counter()
        response = client.post(URL, data=body, content_type="application/json", headers=_auth(key))
        timings.requests.append(time.perf_counter() - sent)
        if response.status_code < 500:
            break
        logged = errors.errors[-1] if errors.errors else response.content[:200].decode(errors="replace")
        timings.failures.append(f"POST {number}: {response.status_code}, {logged}")
    if response.status_code != 202:
        raise RuntimeError(f"POST {number} answered {response.status_code}: {response.content[:500]!r}")
    result = response.json()
    if result["created"] != result["accepted"]:
        raise RuntimeError(f"{result['duplicates']} messages of POST {number} were stored already: not a fresh run")


def _auth(key: str) -> dict:
    return {"authorization": f"Bearer {key}"}


def wait_until_scanned(worker: Worker, timings: Timings, started: float) -> None:
    """Poll until no message waits for its scan. The table was emptied, so these are the run's."""
    last_left, last_progress = None, time.monotonic()
    while left := Message.objects.filter(scanned_at__isnull=True).count():
        worker.check_alive()
        if left != last_left:
            last_left, last_progress = left, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise TimeoutError(f"{left} messages still unscanned, none scanned in the last {STALL_SECONDS:.0f} s")
        time.sleep(POLL_EVERY)
    timings.scanned = time.perf_counter() - started


def run(args: argparse.Namespace, run_id: str, worker: Worker, key: str) -> tuple[Traffic, Timings]:
    load = traffic(
        run_id=run_id, messages=args.messages, batch=args.batch, alert_share=args.alert_share, seed=args.seed
    )
    client = Client()
    # Warm the URLconf, DRF and the token lookup with an empty batch, as a running server would be.
    client.post(URL, data=b'{"messages": []}', content_type="application/json", headers=_auth(key))
    timings = Timings()
    started = time.perf_counter()
    post_batches(client, key, load.batches, timings, started)
    wait_until_scanned(worker, timings, started)
    return load, timings


def _spread(values: list[float]) -> str:
    values = sorted(values)
    return f"min {values[0]:.3f} / median {statistics.median(values):.3f} / max {values[-1]:.3f} s"


def report(args: argparse.Namespace, database: str, load: Traffic, timings: Timings, worker: Worker) -> None:
    total = timings.scanned
    tasks = worker.scan_tasks()
    retries = worker.retries()
    alerts = dict(Alert.objects.values_list("desk").annotate(n=Count("id")).order_by("desk"))
    print(
        f"database {database}, broker {settings.CELERY_BROKER_URL}, queue {worker.queue}, one solo worker, "
        f"{os.cpu_count()} CPUs shared by all"
    )
    print("HTTP: django.test.Client, in-process WSGI (real URLconf, middleware, token auth, DRF); no socket")
    print(
        f"messages {load.messages:,} in {len(load.batches)} batches of up to {args.batch:,}; "
        f"{load.signal_messages} from {sum(load.people_in_danger.values())} people in danger "
        f"({load.signal_messages / load.messages:.1%})"
    )
    print(
        f"API:                {timings.api:6.2f} s  {len(timings.requests)} POSTs, {len(timings.failures)} failed "
        f"(per POST {_spread(timings.requests)})"
    )
    print(f"until all scanned:  {total:6.2f} s  ({total - timings.api:.2f} s after the last POST)")
    if tasks:
        busy = sum(seconds for seconds, _scanned in tasks)
        print(
            f"scan tasks:         {len(tasks)} ran for {len(load.batches)} batches, {len(retries)} retried; "
            f"worker busy {busy:.2f} s (per task {_spread([seconds for seconds, _scanned in tasks])})"
        )
    for failure in timings.failures:
        print(f"  POST failed, sent again: {failure}")
    for why in retries:
        print(f"  scan task retried: {why}")
    print(f"total:              {total:6.2f} s  = {load.messages / total:,.0f} messages/s")
    for desk in sorted(set(alerts) | set(load.people_in_danger)):
        expected = load.people_in_danger[desk]
        mark = "" if alerts.get(desk, 0) == expected else "   <-- not one per person in danger"
        print(f"alerts {desk:<6} {alerts.get(desk, 0):5}  (expected {expected}, one per person){mark}")
    print(f"messages on alerts {Alert.messages.through.objects.count()}")
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    if timings.failures or retries:
        verdict += f", with {len(timings.failures)} failed POSTs and {len(retries)} retried scan tasks"
    print(f"target: {load.messages:,} messages in < {TARGET_SECONDS:.0f} s: {verdict} ({total:.2f} s)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000, help="messages per POST (the API takes at most 1,000)")
    parser.add_argument("--alert-share", type=float, default=0.05, help="share of messages from people in danger")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.messages < 1 or not 1 <= args.batch <= 1_000 or not 0 <= args.alert_share <= 1:
        parser.error("--messages >= 1, 1 <= --batch <= 1000, 0 <= --alert-share <= 1")
    return args


def main() -> None:
    args = parse_args()
    database = database_prepare()
    run_id = f"b{uuid.uuid4().hex[:8]}"
    token, key = integration_token(run_id)
    queue = f"bench-intake-{run_id}"
    app.conf.task_always_eager = False
    route_all_tasks(queue)
    queue_purge(queue)
    worker = Worker(queue)
    failed = True
    try:
        worker.start()
        worker.warm_up()
        load, timings = run(args, run_id, worker, key)
        report(args, database, load, timings, worker)
        failed = False
    finally:
        worker.stop()
        if failed:
            print(f"--- the worker's log ({worker.log}), last lines ---\n{worker.tail()}", file=sys.stderr)
        else:
            shutil.rmtree(worker.directory, ignore_errors=True)
        queue_delete(queue)
        route_all_tasks(None)
        api_token_revoke(token=token, by=None)


if __name__ == "__main__":
    main()
