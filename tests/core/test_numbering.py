"""Human numbers are gapless and unique per series, also when many processes take them at once."""

from __future__ import annotations

import multiprocessing

import pytest
from django.db import connections, transaction

from handel.core.numbering import next_number

WORKERS = 8
PER_WORKER = 15


def _take_numbers(queue: multiprocessing.Queue, fail_every: int) -> None:
    connections.close_all()
    taken = []
    for index in range(PER_WORKER):
        try:
            with transaction.atomic(durable=True):
                number = next_number("order", prefix="ORD-")
                if fail_every and index % fail_every == 0:
                    raise RuntimeError("rolled back: the number must be given back")
                taken.append(number)
        except RuntimeError:
            pass
    connections.close_all()
    queue.put(taken)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fail_every", [0, 4])
def test_parallel_processes_get_gapless_unique_numbers(fail_every):
    with transaction.atomic():
        next_number("order", prefix="ORD-")  # create the series
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_take_numbers, args=(queue, fail_every)) for _ in range(WORKERS)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    numbers = [number for batch in results for number in batch]
    assert len(numbers) == len(set(numbers)), "a number was handed out twice"
    values = sorted(int(number.removeprefix("ORD-")) for number in numbers)
    assert values == list(range(2, 2 + len(values))), "the series has a gap"
    assert all(len(number) == len("ORD-000001") for number in numbers)


@pytest.mark.django_db(transaction=True)
def test_a_number_needs_the_callers_transaction():
    with pytest.raises(RuntimeError):
        next_number("order")
