"""``manage.py simulate --users 50 --rate 20 --duration 60``: live-looking traffic.

Each tick writes ``rate × tick`` transactions spread over the users, through the same
paths as everything else: directly with the bulk service (one commit and one
announcement per tick; reaches screens in other processes only over Redis), or with
``--api URL`` as batches to the JSON API with a temporary token per user (reaches the
screens of the server it posts to, whatever its channel layer).
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable

import requests
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dashboard import services
from dashboard.inputs import TransactionInput
from dashboard.models import ApiToken
from dashboard.simulation import simulated_transaction

SIM_USER_PREFIX = "sim-"
TOKEN_NAME = "simulator (revoked when it stops)"
HTTP_TIMEOUT_SECS = 10
SERVER_WAIT_SECS = 30

Writer = Callable[[dict[object, list[TransactionInput]]], None]


def _api_writer(base_url: str, users: list[object]) -> tuple[Writer, Callable[[], None]]:
    tokens = {user.pk: services.token_create(user=user, name=TOKEN_NAME) for user in users}
    session = requests.Session()
    url = base_url.rstrip("/") + "/api/transactions/"

    def write(batches: dict[object, list[TransactionInput]]) -> None:
        for user, items in batches.items():
            # A two-decimal amount survives float's shortest repr exactly.
            body = [
                {"amount": float(i.amount), "description": i.description, "category": i.category}
                for i in items
            ]
            headers = {"Authorization": f"Bearer {tokens[user.pk][1]}"}
            try:
                response = session.post(url, json=body, headers=headers, timeout=HTTP_TIMEOUT_SECS)
            except requests.RequestException as error:
                raise CommandError(f"the server at {base_url} went away: {error}") from None
            if response.status_code != 201:
                refusal = f"{response.status_code} {response.text[:500]}"
                raise CommandError(f"the API refused a batch: {refusal}")

    def close() -> None:
        session.close()
        ApiToken.objects.filter(pk__in=[token.pk for token, _ in tokens.values()]).delete()

    return write, close


def _direct_write(batches: dict[object, list[TransactionInput]]) -> None:
    # One commit per tick: one announcement per tick, for all users at once.
    with transaction.atomic():
        for user, items in batches.items():
            services.transactions_create_many(user=user, items=items)


def _wait_for_server(base_url: str) -> None:
    deadline = time.monotonic() + SERVER_WAIT_SECS
    while True:
        try:
            requests.get(base_url.rstrip("/") + "/healthz", timeout=2).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise CommandError(f"no server answered at {base_url}") from None
            time.sleep(0.5)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Write realistic transactions for many users at a steady rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50, help="simulated users (sim-NN)")
        parser.add_argument("--user", action="append", default=[], metavar="NAME",
                            help="also write for this existing user (e.g. demo)")
        parser.add_argument("--rate", type=float, default=20, help="transactions per second")
        parser.add_argument("--duration", type=float, default=60, help="seconds; 0 = forever")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between writes")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--api", metavar="URL", help="post to this server's JSON API")

    def _users(self, count: int, names: list[str]) -> list[object]:
        model = get_user_model()
        users = []
        for number in range(1, count + 1):
            user, created = model.objects.get_or_create(username=f"{SIM_USER_PREFIX}{number:02d}")
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users.append(user)
        for name in names:
            try:
                users.append(model.objects.get_by_natural_key(name))
            except model.DoesNotExist:
                raise CommandError(f"no user named {name!r}") from None
        if not users:
            raise CommandError("nobody to simulate: give --users N or --user NAME")
        return users

    def handle(self, *args: object, **options: object) -> None:
        users = self._users(options["users"], options["user"])  # type: ignore[arg-type]
        rate, tick, duration = options["rate"], options["tick"], options["duration"]
        if rate <= 0 or tick <= 0 or duration < 0:  # type: ignore[operator]
            raise CommandError("--rate and --tick must be positive, --duration 0 or more")
        rng = random.Random(options["seed"])
        # `make run SIMULATE=1` stops it with SIGTERM: clean up (revoke tokens) as on Ctrl-C.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
        close: Callable[[], None] = lambda: None  # noqa: E731
        write: Writer = _direct_write
        if options["api"]:
            _wait_for_server(options["api"])  # type: ignore[arg-type]
            write, close = _api_writer(options["api"], users)  # type: ignore[arg-type]
        try:
            written = self._run(write, users, rng, rate, tick, duration)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            written = -1
        finally:
            close()
        if written >= 0:
            self.stdout.write(f"Wrote {written:,} transactions for {len(users)} users.")

    def _run(self, write: Writer, users: list[object], rng: random.Random,
             rate: float, tick: float, duration: float) -> int:
        total = round(rate * duration) if duration else None
        start, written, ticks = time.monotonic(), 0, 0
        while total is None or written < total:
            ticks += 1
            due = round(rate * tick * ticks)  # counted from the start: no drift
            due = due if total is None else min(due, total)
            batches: dict[object, list[TransactionInput]] = defaultdict(list)
            for _ in range(due - written):
                batches[rng.choice(users)].append(simulated_transaction(rng))
            if batches:
                write(batches)
            written = due
            if total is None or written < total:
                time.sleep(max(0.0, start + ticks * tick - time.monotonic()))
        return written
