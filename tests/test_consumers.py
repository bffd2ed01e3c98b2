"""The dashboard socket, through the real ASGI stack (origin check, session auth, router)."""

from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from dashboard import services
from dashboard.models import Transaction
from live import fragments
from live.consumers import CLOSE_MESSAGE_TOO_BIG, CLOSE_UNAUTHENTICATED

from .livetools import connect, figure, frame_version, without_version

pytestmark = pytest.mark.django_db(transaction=True)

create = database_sync_to_async(services.transaction_create)
update = database_sync_to_async(services.transaction_update)
delete = database_sync_to_async(services.transaction_delete)


@pytest.fixture
async def alice(make_user):
    return await database_sync_to_async(make_user)("alice")


@pytest.fixture
async def bob(make_user):
    return await database_sync_to_async(make_user)("bob")


async def open_dashboard(user):
    communicator = await connect(user=user)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_connect_starts_with_a_snapshot_of_current_state(alice, make_txn):
    await database_sync_to_async(make_txn)(alice, "40.00")
    await database_sync_to_async(make_txn)(alice, "-15.50")
    ws = await open_dashboard(alice)
    frame = await ws.receive_from()
    assert figure(frame, "count") == "2"
    assert figure(frame, "income") == "+40.00"
    assert figure(frame, "expenses") == "-15.50"
    assert figure(frame, "net") == "+24.50"
    await ws.disconnect()


async def test_create_edit_delete_push_exact_figures(alice):
    ws = await open_dashboard(alice)
    await ws.receive_from()  # snapshot
    txn = await create(user=alice, amount=Decimal("100.25"), description="Salary")
    frame = await ws.receive_from()
    assert (figure(frame, "count"), figure(frame, "income")) == ("1", "+100.25")
    assert "Salary" in frame
    await update(txn=txn, amount=Decimal("-7.75"))
    frame = await ws.receive_from()
    assert (figure(frame, "income"), figure(frame, "expenses")) == ("0.00", "-7.75")
    await delete(txn=txn)
    frame = await ws.receive_from()
    assert (figure(frame, "count"), figure(frame, "net")) == ("0", "0.00")
    await ws.disconnect()


async def test_rolled_back_write_sends_no_frame(alice):
    ws = await open_dashboard(alice)
    await ws.receive_from()

    @database_sync_to_async
    def failed_write():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.transaction_create(user=alice, amount=Decimal("666"))
            raise RuntimeError("rolled back")

    await failed_write()
    await create(user=alice, amount=Decimal("1"))
    # The first frame after the rollback is the one for the committed write.
    frame = await ws.receive_from()
    assert (figure(frame, "count"), figure(frame, "income")) == ("1", "+1.00")
    assert "666" not in without_version(frame)  # the version stamp may hold any digits
    await ws.disconnect()


async def test_users_never_receive_each_others_frames(alice, bob):
    ws_alice = await open_dashboard(alice)
    ws_bob = await open_dashboard(bob)
    await ws_alice.receive_from()
    await ws_bob.receive_from()
    await create(user=bob, amount=Decimal("-999.99"), description="bob's secret")
    bob_frame = await ws_bob.receive_from()
    assert figure(bob_frame, "expenses") == "-999.99"
    await create(user=alice, amount=Decimal("5"), description="alice's own")
    # Alice's next frame is for her own write: none was sent to her for Bob's.
    alice_frame = await ws_alice.receive_from()
    assert "alice&#x27;s own" in alice_frame
    assert "bob" not in alice_frame and "999" not in without_version(alice_frame)
    assert figure(alice_frame, "count") == "1"
    await ws_alice.disconnect()
    await ws_bob.disconnect()


async def test_anonymous_socket_closed_with_4401(db):
    ws = await connect()
    connected, _ = await ws.connect()
    assert connected  # accepted first, so the close code reaches the client
    assert await ws.receive_output() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_foreign_origin_is_refused(alice):
    ws = await connect(user=alice, headers=[(b"origin", b"http://evil.example")])
    connected, _ = await ws.connect()
    assert not connected


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"text_data": "not json {"}, "not valid JSON"),
        ({"text_data": "[1, 2]"}, "unknown message"),
        ({"text_data": '{"type": "subscribe", "group": "user.2"}'}, "unknown message"),
        ({"bytes_data": b"\x00\x01"}, "binary frames are not accepted"),
    ],
)
async def test_malformed_frames_are_refused_and_socket_survives(alice, payload, reason):
    ws = await open_dashboard(alice)
    await ws.receive_from()
    await ws.send_to(**payload)
    refusal = await ws.receive_from()
    assert 'id="live-error"' in refusal and reason in refusal
    await ws.send_json_to({"type": "refresh"})  # still serving
    assert figure(await ws.receive_from(), "count") == "0"
    assert await database_sync_to_async(Transaction.objects.count)() == 0
    await ws.disconnect()


async def test_oversize_message_closes_with_1009(alice):
    ws = await open_dashboard(alice)
    await ws.receive_from()
    await ws.send_to(text_data='{"type": "refresh", "pad": "' + "x" * 10_000 + '"}')
    assert await ws.receive_output() == {"type": "websocket.close", "code": CLOSE_MESSAGE_TOO_BIG}


async def test_burst_coalesces_and_ends_on_exact_final_state(alice, settings):
    settings.LIVE_COALESCE_WINDOW_SECS = 0.05
    ws = await open_dashboard(alice)
    await ws.receive_from()

    @database_sync_to_async
    def burst():
        # 1,000 saves, each committed on its own: 1,000 change messages.
        for cents in range(1, 1001):
            services.transaction_create(user=alice, amount=Decimal(cents) / 100)

    await burst()
    frames = []
    while not frames or figure(frames[-1], "count") != "1,000":
        frames.append(await ws.receive_from(timeout=10))
    assert len(frames) < 100  # bounded: far fewer recomputes than writes
    versions = [frame_version(f) for f in frames]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    # Old state + pushed updates == a fresh render, byte for byte (bar the version stamp).
    fresh = await database_sync_to_async(fragments.dashboard_frame)(user_id=alice.pk)
    assert without_version(frames[-1]) == without_version(fresh)
    assert figure(frames[-1], "income") == "+5,005.00"
    await ws.disconnect()


async def test_pushed_fragments_match_the_page_render(alice, make_txn):
    from django.test import Client

    await database_sync_to_async(make_txn)(alice, "12.34", description="Coffee beans")
    ws = await open_dashboard(alice)
    frame = without_version(await ws.receive_from())

    @database_sync_to_async
    def page():
        client = Client()
        client.force_login(alice)
        return without_version(client.get("/").content.decode())

    html = await page()
    for fragment_id in ["figures", "latest", "trends", "recent"]:
        start = frame.index(f'<section id="{fragment_id}"')
        end = frame.index("</section>", start) + len("</section>")
        assert frame[start:end] in html
    await ws.disconnect()
