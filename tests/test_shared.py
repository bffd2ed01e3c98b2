import asyncio
import time

from live.shared import SharedReads


class Producer:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> str:
        self.calls += 1
        call = self.calls
        await self.release.wait()
        return f"state {call}"


async def test_sockets_told_before_a_read_started_share_it():
    shared, produce = SharedReads(), Producer()
    told_at = time.monotonic()
    readers = [asyncio.create_task(shared.read("user.1", since=told_at, produce=produce))
               for _ in range(50)]
    await asyncio.sleep(0)  # let every reader reach the shared read
    produce.release.set()
    assert await asyncio.gather(*readers) == ["state 1"] * 50
    assert produce.calls == 1 and shared.started == 1


async def test_a_change_after_the_read_started_gets_a_new_read():
    shared, produce = SharedReads(), Producer()
    first = asyncio.create_task(shared.read("user.1", since=time.monotonic(), produce=produce))
    await asyncio.sleep(0)
    told_later = time.monotonic()  # this socket learnt of a change after the read began
    second = asyncio.create_task(shared.read("user.1", since=told_later, produce=produce))
    await asyncio.sleep(0)
    produce.release.set()
    assert (await first, await second) == ("state 1", "state 2")


async def test_keys_do_not_share():
    shared, produce = SharedReads(), Producer()
    produce.release.set()
    since = time.monotonic()
    assert await shared.read("user.1", since=since, produce=produce) == "state 1"
    assert await shared.read("user.2", since=since, produce=produce) == "state 2"


async def test_a_reader_going_away_does_not_cancel_the_others():
    shared, produce = SharedReads(), Producer()
    since = time.monotonic()
    leaving = asyncio.create_task(shared.read("user.1", since=since, produce=produce))
    staying = asyncio.create_task(shared.read("user.1", since=since, produce=produce))
    await asyncio.sleep(0)
    leaving.cancel()
    produce.release.set()
    assert await staying == "state 1"


async def test_finished_reads_are_forgotten():
    shared, produce = SharedReads(keep_secs=0), Producer()
    produce.release.set()
    await shared.read("user.1", since=time.monotonic(), produce=produce)
    forgotten = asyncio.Event()
    asyncio.get_running_loop().call_later(0, forgotten.set)  # runs after the forget timer
    await forgotten.wait()
    assert shared._reads == {}
