"""The wall socket through the real ASGI stack: tokens, shared frames, names, viewers, heartbeat."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from dashboard import external, services
from live import fragments, wallcache
from live.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED

from .livetools import connect, frame_version, without_version

pytestmark = pytest.mark.django_db(transaction=True)

create = sync_to_async(services.transaction_create)
revoke = sync_to_async(services.wall_link_revoke)


@pytest.fixture
async def alice(make_user):
    return await sync_to_async(make_user)("alice.private", first_name="Alice", last_name="Hidden")


@pytest.fixture
async def staff(make_user):
    return await sync_to_async(make_user)("operator", is_staff=True)


@pytest.fixture
async def link():
    return await sync_to_async(services.wall_link_create)(name="lobby")


def tile(frame: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}".*?class="tile-value">([^<]*)<', frame, re.S)
    assert match, f"tile {name!r} not in frame"
    return match.group(1).strip()


def viewers(frame: str) -> tuple[int, int, int]:
    match = re.search(r"<strong>(\d+)</strong> watching <span class=\"sub\">(\d+) dashboards?"
                      r" · (\d+) walls?", frame)
    assert match, "no viewer count in frame"
    return int(match[1]), int(match[2]), int(match[3])


async def receive_until(ws, marker: str) -> str:
    """The next frame containing ``marker`` (heartbeats and viewer counts may come between)."""
    while True:
        frame = await ws.receive_from(timeout=5)
        if marker in frame:
            return frame


async def open_wall(token: str | None = None, *, user=None):
    ws = await connect(f"/ws/wall/{token}/" if token else "/ws/wall/", user=user)
    connected, _ = await ws.connect()
    assert connected
    return ws


async def test_wall_link_socket_starts_with_snapshot_and_viewers(link, alice):
    _, token = link
    await create(user=alice, amount=Decimal("40.00"), category="Salary")
    await create(user=alice, amount=Decimal("-15.50"), category="Dining")
    ws = await open_wall(token)
    frame = await ws.receive_from()
    assert 'id="wall-totals"' in frame and 'id="wall-feed"' in frame
    assert (tile(frame, "today-count"), tile(frame, "today-net")) == ("2", "+24.50")
    assert viewers(await ws.receive_from()) == (1, 0, 1)
    await ws.disconnect()


async def test_wall_updates_when_anybodys_transaction_is_saved(link, alice, make_user):
    _, token = link
    bob = await sync_to_async(make_user)("bob")
    ws = await open_wall(token)
    await receive_until(ws, "wall-totals")
    await create(user=alice, amount=Decimal("100.25"), category="Salary")
    frame = await receive_until(ws, "wall-totals")
    assert tile(frame, "all-income") == "+100.25"
    await create(user=bob, amount=Decimal("-0.25"), category="Dining")
    frame = await receive_until(ws, "wall-totals")
    assert (tile(frame, "all-count"), tile(frame, "all-net")) == ("2", "+100.00")
    await ws.disconnect()


async def test_backdated_save_updates_all_time_but_not_today(link, alice):
    """A row on an earlier day invalidates the cached history (``dashboard.wall_history``)."""
    _, token = link
    await create(user=alice, amount=Decimal("1.00"))
    ws = await open_wall(token)
    await receive_until(ws, "wall-totals")
    await create(user=alice, amount=Decimal("5.00"),
                 created_at=timezone.now() - dt.timedelta(days=3))
    frame = await receive_until(ws, "wall-totals")
    assert (tile(frame, "today-count"), tile(frame, "all-count")) == ("1", "2")
    assert tile(frame, "all-income") == "+6.00"
    await ws.disconnect()


async def test_wall_never_receives_names_when_names_are_off(link, alice, settings):
    settings.WALL_SHOW_NAMES = False
    _, token = link
    ws = await open_wall(token)
    frames = [await ws.receive_from()]
    await create(user=alice, amount=Decimal("-12.00"), description="therapy session",
                 category="Health")
    frames.append(await receive_until(ws, "wall-feed"))
    assert "Health" in frames[-1]
    for frame in frames:
        assert "alice" not in frame.lower() and "Hidden" not in frame
        assert "therapy" not in frame  # descriptions never reach the wall
    await ws.disconnect()


async def test_wall_shows_names_when_an_operator_turns_them_on(link, alice, settings):
    settings.WALL_SHOW_NAMES = True
    _, token = link
    await create(user=alice, amount=Decimal("3.00"))
    ws = await open_wall(token)
    assert 'class="who">Alice Hidden<' in await ws.receive_from()
    await ws.disconnect()


@pytest.mark.parametrize("token", ["wrong", "x" * 43])
async def test_wrong_token_socket_closed_with_4403(db, token):
    ws = await open_wall(token)
    assert await ws.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_revoked_and_expired_tokens_closed_with_4403(link):
    revoked, revoked_token = link
    await revoke(link=revoked)
    _, expired_token = await sync_to_async(services.wall_link_create)(
        name="old", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for token in (revoked_token, expired_token):
        ws = await open_wall(token)
        assert await ws.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_revoking_a_link_closes_its_open_sockets_only(link, staff):
    wall_link, token = link
    _, other_token = await sync_to_async(services.wall_link_create)(name="kitchen")
    revoked_ws, other_ws, staff_ws = await open_wall(token), await open_wall(other_token), \
        await open_wall(user=staff)
    for ws in (revoked_ws, other_ws, staff_ws):
        await receive_until(ws, "wall-totals")
    await revoke(link=wall_link)
    while (message := await revoked_ws.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert message == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    # The others still serve: a save reaches them.
    await create(user=staff, amount=Decimal("9.00"))
    for ws in (other_ws, staff_ws):
        assert tile(await receive_until(ws, "wall-totals"), "all-count") == "1"
        await ws.disconnect()


async def test_deleting_a_link_closes_its_sockets(link):
    wall_link, token = link
    ws = await open_wall(token)
    await receive_until(ws, "wall-totals")
    await sync_to_async(wall_link.delete)()
    while (message := await ws.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert message["code"] == CLOSE_FORBIDDEN


async def test_staff_session_opens_the_wall_others_are_refused(staff, alice):
    ws = await open_wall(user=staff)
    assert 'id="wall-totals"' in await ws.receive_from()
    await ws.disconnect()
    ws = await open_wall(user=alice)  # signed in, not staff
    assert await ws.receive_output() == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    ws = await open_wall()  # anonymous
    assert await ws.receive_output() == {"type": "websocket.close",
                                         "code": CLOSE_UNAUTHENTICATED}


async def test_wall_token_opens_no_dashboard_socket(link):
    _, token = link
    ws = await connect(f"/ws/dashboard/?token={token}")
    connected, _ = await ws.connect()
    assert connected
    assert await ws.receive_output() == {"type": "websocket.close",
                                         "code": CLOSE_UNAUTHENTICATED}


async def test_viewer_counts_follow_connects_and_disconnects(link, alice):
    _, token = link
    wall = await open_wall(token)
    await wall.receive_from()
    assert viewers(await wall.receive_from()) == (1, 0, 1)
    dashboard = await connect(user=alice)
    await dashboard.connect()
    assert viewers(await receive_until(wall, "watching")) == (2, 1, 1)
    second = await open_wall(token)
    assert viewers(await receive_until(wall, "watching")) == (3, 1, 2)
    await dashboard.disconnect()
    assert viewers(await receive_until(wall, "watching")) == (2, 0, 2)
    await second.disconnect()
    assert viewers(await receive_until(wall, "watching")) == (1, 0, 1)
    await wall.disconnect()


async def test_refused_sockets_are_not_counted(link, alice):
    _, token = link
    wall = await open_wall(token)
    await wall.receive_from()
    assert viewers(await wall.receive_from()) == (1, 0, 1)
    refused = await open_wall("wrong")
    await refused.receive_output()
    await create(user=alice, amount=Decimal("1"))
    # The next frame is the figures: no viewer change was announced for the refused socket.
    assert "wall-totals" in await wall.receive_from(timeout=5)
    await wall.disconnect()


async def test_heartbeat_arrives_when_nothing_changes(link, settings):
    settings.WALL_HEARTBEAT_SECS = 0.05
    _, token = link
    ws = await open_wall(token)
    await ws.receive_from()
    await ws.receive_from()
    for _ in range(2):
        assert await ws.receive_from(timeout=5) == '<div id="wall-heartbeat" hidden></div>\n'
    await ws.disconnect()


async def test_many_walls_share_one_recompute_per_change(link, alice, monkeypatch):
    monkeypatch.setattr(wallcache, "current_minute", lambda: 1)  # no minute turns mid-test
    renders = []
    original = wallcache._render

    def counting(minute, show_names):
        renders.append(minute)
        return original(minute, show_names)

    monkeypatch.setattr(wallcache, "_render", counting)
    _, token = link
    walls = [await open_wall(token) for _ in range(5)]
    for ws in walls:
        await receive_until(ws, "wall-totals")
    assert len(renders) == 1  # the first socket's snapshot; the others reuse it
    await create(user=alice, amount=Decimal("7.00"))
    frames = [await receive_until(ws, "wall-totals") for ws in walls]
    assert {tile(frame, "all-count") for frame in frames} == {"1"}
    assert len({frame_version(frame) for frame in frames}) == 1
    assert len(renders) == 2  # one recompute for the change, shared by five screens
    for ws in walls:
        await ws.disconnect()


async def test_last_frame_matches_a_fresh_render_after_a_burst(link, alice, settings,
                                                               monkeypatch):
    monkeypatch.setattr(wallcache, "current_minute", lambda: 1)
    settings.LIVE_COALESCE_WINDOW_SECS = 0.05
    _, token = link
    ws = await open_wall(token)
    await receive_until(ws, "wall-totals")

    @sync_to_async
    def burst():
        for cents in range(1, 201):
            services.transaction_create(user=alice, amount=Decimal(cents) / 100)

    await burst()
    frames = []
    while not frames or tile(frames[-1], "all-count") != "200":
        frames.append(await receive_until(ws, "wall-totals"))
    assert len(frames) < 50
    versions = [frame_version(frame) for frame in frames]
    assert versions == sorted(versions)
    _, fresh = await sync_to_async(fragments.wall_frame)(show_names=False)
    for section in ("wall-totals", "wall-feed", "wall-categories", "wall-largest"):
        start = f'<section id="{section}"'
        assert _section(without_version(frames[-1]), start) == _section(fresh, start)
    await ws.disconnect()


def _section(html: str, start: str) -> str:
    begin = html.index(start)
    return html[begin:html.index("</section>", begin)]


async def test_wall_shows_external_sources_once_refreshed(link):
    """An external source refresh reaches the wall like a transaction: a new shared frame."""
    from dashboard.models import ExternalSource

    ws = await open_wall(link[1])
    first = await receive_until(ws, 'id="wall-totals"')
    assert 'id="external-tiles" class="panel external-tiles empty"' in first

    @sync_to_async
    def fetched() -> None:
        source = ExternalSource.objects.create(
            name="EUR rate", url="http://127.0.0.1:9/rates", json_path="rates.EUR", unit="USD"
        )
        services.external_sources_record(outcomes=[external.FetchOutcome(
            source_id=source.pk, name=source.name, value="1.0842", at=timezone.now()
        )])

    await fetched()
    frame = await receive_until(ws, "EUR rate")
    assert '<span class="value">1.0842</span> <span class="unit">USD</span>' in frame
    await ws.disconnect()
