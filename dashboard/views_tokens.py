"""``/settings/tokens/``: create (the secret is shown once), list and revoke API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. “bank sync script”.",
    )


def _page(
    request: HttpRequest, form: TokenForm, *, raw: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "raw_token": raw}
    return render(request, "settings/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    _, raw = services.token_create(user=request.user, name=form.cleaned_data["name"])
    # Rendered, not redirected: the secret exists only in this response.
    response = _page(request, TokenForm(), raw=raw, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(user=request.user, token_id=token_id)
    return redirect("tokens")
