"""Pages: the server-rendered dashboard and the htmx form that adds a transaction."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import services
from .forms import CATEGORY_SUGGESTIONS, TransactionForm
from .presentation import dashboard_context
from .views_imports import ImportForm


def _form_context(form: TransactionForm, saved: str = "") -> dict[str, object]:
    return {
        "form": form,
        "categories": CATEGORY_SUGGESTIONS,
        "saved": saved,
        "import_form": ImportForm(),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = dashboard_context(user_id=request.user.pk)
    context.update(_form_context(TransactionForm()))
    return render(request, "dashboard/index.html", context)


@login_required
@require_POST
def transaction_add(request: HttpRequest) -> HttpResponse:
    """Save a transaction. The figures update over the WebSocket, like any other write."""
    form = TransactionForm(request.POST)
    if form.is_valid():
        txn = services.transaction_create(user=request.user, **form.cleaned_data)
        if not request.htmx:
            return redirect("dashboard")
        saved = f"{txn.amount:+,.2f} {txn.description}".strip()
        return render(
            request, "dashboard/transaction_form.html", _form_context(TransactionForm(), saved)
        )
    if request.htmx:
        # htmx swaps 2xx responses only; the errors are in the form it swaps in.
        return render(request, "dashboard/transaction_form.html", _form_context(form))
    context = dashboard_context(user_id=request.user.pk)
    context.update(_form_context(form))
    return render(request, "dashboard/index.html", context, status=400)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
