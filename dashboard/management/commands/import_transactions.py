"""``manage.py import_transactions FILE --user NAME``: a CSV or OFX/QFX statement, all or
nothing, rows imported before skipped, with a progress bar on the terminal."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from dashboard import services
from dashboard.imports import CSV_HEADERS, ImportFileError, parse_file

BAR_WIDTH = 30


class TerminalProgress:
    """``[#####.....]  50%  50,000/100,000 rows`` redrawn in place on a terminal."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent == self.last_percent:
            return
        self.last_percent = percent
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        end = "\n" if done >= total else ""
        line = f"\r[{bar}] {percent:3d}%  {done:,}/{total:,} rows{end}"
        self.stream.write(line, style_func=str, ending="")
        self.stream.flush()


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or field not in CSV_HEADERS:
            fields = ", ".join(CSV_HEADERS)
            raise CommandError(f"--map takes FIELD=HEADER with FIELD one of {fields}")
        mapping[field] = header
    return mapping


class Command(BaseCommand):
    help = "Import a CSV or OFX/QFX file of transactions for one user; re-imports add nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the owner's username")
        parser.add_argument(
            "--map", action="append", default=[], metavar="FIELD=HEADER",
            help="read FIELD (amount, created_at, description, category, external_id) "
            "from the column named HEADER",
        )
        parser.add_argument(
            "--progress", choices=["auto", "always", "never"], default="auto",
            help="draw a progress bar on stderr (auto: when it is a terminal)",
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        try:
            user = get_user_model().objects.get_by_natural_key(options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {options['user']!r}") from None
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        try:
            items = parse_file(data, name=path.name, mapping=_mapping(options["map"]))  # type: ignore[arg-type]
        except ImportFileError as error:
            raise CommandError("nothing imported:\n  " + "\n  ".join(error.errors)) from None
        show = options["progress"] == "always" or (
            options["progress"] == "auto" and self.stderr.isatty()
        )
        progress = TerminalProgress(self.stderr) if show else None
        result = services.transactions_import(user=user, items=items, progress=progress)
        self.stdout.write(
            f"Added {result.added:,} transactions, skipped {result.skipped:,} "
            f"imported before (from {path.name}, for {user.get_username()})."
        )
