"""Create or revoke a wall link from the shell: ``manage.py wall_link --name lobby``."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from dashboard import services
from dashboard.models import WallLink


class Command(BaseCommand):
    help = "Create a wall link (prints its URL once) or revoke one with --revoke."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--name", help="where the screen is, e.g. lobby")
        parser.add_argument("--expires-in-days", type=float, default=None)
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="printed in front of the path (default: %(default)s)")
        parser.add_argument("--revoke", metavar="NAME", help="revoke every active link so named")

    def handle(self, *args, name: str | None, expires_in_days: float | None, base_url: str,
               revoke: str | None, **options) -> None:  # type: ignore[override]
        if revoke:
            links = WallLink.objects.filter(name=revoke, revoked_at__isnull=True)
            if not links:
                raise CommandError(f"No active wall link named {revoke!r}.")
            for link in links:
                services.wall_link_revoke(link=link)
            self.stdout.write(f"Revoked {len(links)} wall link(s) named {revoke!r}.")
            return
        if not name:
            raise CommandError("Give --name (where the screen is) or --revoke NAME.")
        expires_at = (
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        )
        link, token = services.wall_link_create(name=name, expires_at=expires_at)
        url = base_url.rstrip("/") + reverse("wall-link", args=[token])
        self.stdout.write(f"Wall link {link.name!r} (id {link.pk}); shown once, copy it now:")
        self.stdout.write(url)
