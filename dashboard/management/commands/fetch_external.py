"""``manage.py fetch_external [--loop] [--all]``: refresh the external sources that are due."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand, CommandParser

from dashboard.external import next_due_in_secs, refresh_due_sources

logger = logging.getLogger(__name__)

IDLE_RECHECK_SECS = 60.0  # with no sources, look again for new ones this often
MIN_SLEEP_SECS = 1.0


class Command(BaseCommand):
    help = "Fetch the external sources that are due (all of them with --all), once or forever."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep refreshing as they fall due")
        parser.add_argument("--all", action="store_true", help="fetch every source now")

    def handle(self, *args: object, loop: bool, all: bool, **options: object) -> None:  # noqa: A002
        try:
            asyncio.run(self._run(loop=loop, force=all))
        except KeyboardInterrupt:
            pass

    async def _run(self, *, loop: bool, force: bool) -> None:
        while True:
            try:
                outcomes = await refresh_due_sources(force=force)
                for outcome in outcomes:
                    self.stdout.write(f"{outcome.name}: {outcome.value or outcome.error}")
            except Exception:
                # A broken pass (say, the database restarting) must not end the loop.
                logger.exception("Refreshing external sources failed")
            if not loop:
                return
            force = False
            wait = await sync_to_async(next_due_in_secs)()
            await asyncio.sleep(max(MIN_SLEEP_SECS, IDLE_RECHECK_SECS if wait is None else wait))
