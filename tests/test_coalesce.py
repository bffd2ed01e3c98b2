import asyncio

from live.coalesce import Coalescer


class Work:
    """Records runs; each run waits until the test releases it."""

    def __init__(self) -> None:
        self.started = asyncio.Queue()
        self.release = asyncio.Event()
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        await self.started.put(self.runs)
        await self.release.wait()
        self.release.clear()


async def test_burst_of_requests_costs_one_run():
    work = Work()
    coalescer = Coalescer(work, window_secs=0)
    for _ in range(1000):
        coalescer.request()
    assert await work.started.get() == 1
    work.release.set()
    coalescer.request()  # a later change: exactly one more run, on the trailing edge
    assert await work.started.get() == 2
    work.release.set()
    await coalescer.aclose()
    assert work.runs == 2


async def test_requests_during_a_run_cause_exactly_one_more_run():
    work = Work()
    coalescer = Coalescer(work, window_secs=0)
    coalescer.request()
    assert await work.started.get() == 1
    for _ in range(500):  # changes arriving while the recompute runs
        coalescer.request()
    work.release.set()
    assert await work.started.get() == 2  # the trailing run sees the last change
    work.release.set()
    await coalescer.aclose()
    assert coalescer.runs == 2


async def test_failed_run_does_not_stop_later_runs():
    calls = asyncio.Queue()

    async def flaky() -> None:
        await calls.put(None)
        if calls.qsize() == 1:
            raise RuntimeError("database went away")

    coalescer = Coalescer(flaky, window_secs=0)
    coalescer.request()
    await calls.get()
    coalescer.request()
    await calls.get()
    await coalescer.aclose()
    assert coalescer.runs == 2


async def test_aclose_without_requests_is_harmless():
    coalescer = Coalescer(Work(), window_secs=0)
    await coalescer.aclose()
    assert coalescer.runs == 0
