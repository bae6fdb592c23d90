"""Twenty integrations post at once, their batches sharing people nobody has seen yet, in every
order: no request fails, and every message is stored exactly once."""

import random
import threading

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from config.db import retried_on_deadlock, statements_committed_whole
from interventions.models import Message
from orders.models import Buyer

URL = "/api/v1/intake/messages"
CLIENTS, BATCHES, PER_BATCH = 20, 3, 100


def _batch(client: int, number: int, rng: random.Random) -> list[dict]:
    # Every batch names some of the same sixty new people, as many as it likes, in its own order:
    # sets of different sizes iterate in different orders, as do different processes.
    people = rng.sample([f"new-{n}" for n in range(60)], rng.randint(3, 60))
    return [
        {
            "source": "chat",
            "external_id": f"c{client}-b{number}-m{n}",
            "buyer_ref": people[n % len(people)],
            "buyer_phone": f"1380013{rng.randint(0, 9999):04d}",
            "text": "请问什么时候发货?",
            "sent_at": "2026-12-07T21:00:00+08:00",
        }
        for n in range(PER_BATCH)
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_with_the_same_new_people_all_succeed_and_store_each_message_once(intake_token):
    start = threading.Barrier(CLIENTS)
    answers: list[int] = []

    def integration(client: int) -> None:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {intake_token}")
        rng = random.Random(client)  # nosec B311: a fixed shuffle per client
        batches = [_batch(client, number, rng) for number in range(BATCHES)]
        start.wait()
        try:
            for batch in batches:
                answers.append(api.post(URL, {"messages": batch}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=integration, args=(client,)) for client in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [202] * (CLIENTS * BATCHES)
    assert Message.objects.count() == CLIENTS * BATCHES * PER_BATCH
    assert Buyer.objects.filter(account_ref__startswith="new-").count() == 60


class _Aborted(Exception):
    sqlstate = "40P01"


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = _Aborted()
    return error


def test_a_batch_aborted_to_break_a_deadlock_is_written_again_and_other_errors_are_not():
    calls = []

    @retried_on_deadlock
    def write(outcome):
        calls.append(outcome)
        if len(calls) == 1:
            raise _deadlock()
        return outcome

    assert write("stored") == "stored"
    assert len(calls) == 2

    @retried_on_deadlock
    def broken():
        calls.append("broken")
        raise OperationalError("connection lost")

    with pytest.raises(OperationalError, match="connection lost"):
        broken()
    assert calls.count("broken") == 1

    @retried_on_deadlock
    def always_deadlocked():
        calls.append("again")
        raise _deadlock()

    with pytest.raises(OperationalError):
        always_deadlocked()
    assert calls.count("again") == 3


def test_inside_a_callers_transaction_a_write_aborted_by_a_deadlock_is_undone_alone_and_written_again(db):
    attempts = []

    @retried_on_deadlock
    @statements_committed_whole
    def record(account: str) -> None:
        attempts.append(account)
        Buyer.objects.create(account_ref=f"{account}-{len(attempts)}")
        if len(attempts) == 1:
            raise _deadlock()

    with transaction.atomic():  # an Idempotency-Key's transaction around the work
        Buyer.objects.create(account_ref="before")
        record("tb")
    assert sorted(Buyer.objects.values_list("account_ref", flat=True)) == ["before", "tb-2"]
