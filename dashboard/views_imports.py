"""The dashboard's import form: upload a CSV or OFX/QFX file, see progress, see the result.

Progress reaches the page as frames over the user's own WebSocket (``import_progress``
domain signal → ``live``), not by polling: the upload request simply waits for the
import, and the frames fill the progress bar meanwhile. The figures then update like
after any other write: one announcement after the import commits.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from . import services
from .imports import ImportFileError, parse_file
from .signals import import_progress

IMPORT_MAX_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file (see the README for its columns) or an OFX/QFX bank statement."
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"Files up to {IMPORT_MAX_BYTES // 2**20} MiB, please.")
        return upload


def _import(user: AbstractBaseUser, data: bytes, name: str) -> services.ImportResult:
    def report(done: int, total: int) -> None:
        import_progress.send(sender=ImportForm, user_id=user.pk, done=done, total=total)

    items = parse_file(data, name=name)
    report(0, len(items))
    return services.transactions_import(user=user, items=items, progress=report)


def _form(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    return render(request, "dashboard/import_form.html", context, status=status)


@login_required
@require_POST
async def import_upload(request: HttpRequest) -> HttpResponse:
    """Import the uploaded file for the signed-in user; answers with the form's new state."""
    user = await request.auser()
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form(request, {"import_form": form}, status=200 if request.htmx else 400)
    upload = form.cleaned_data["file"]
    try:
        # Parsing and writing take seconds for big files: on the thread pool, not the
        # one thread every thread-sensitive call of this process queues on.
        result = await sync_to_async(_import, thread_sensitive=False)(
            user, upload.read(), upload.name
        )
    except ImportFileError as error:
        context = {"import_form": ImportForm(), "import_errors": error.errors}
        return _form(request, context, status=200 if request.htmx else 400)
    context = {"import_form": ImportForm(), "import_result": result, "import_name": upload.name}
    return _form(request, context)
