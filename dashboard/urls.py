from django.contrib import admin
from django.urls import include, path

from . import api, api_transactions, openapi, views, views_imports, views_tokens, wall_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transactions/", views.transaction_add, name="transaction-add"),
    path("imports/", views_imports.import_upload, name="import-upload"),
    path("settings/tokens/", views_tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views_tokens.token_revoke, name="token-revoke"),
    path("api/summary/", api.summary, name="api-summary"),
    path("wall/", wall_views.wall, name="wall"),
    path("wall/<str:token>/", wall_views.wall_link, name="wall-link"),
    path("api/external/", api.external, name="api-external"),
    path("api/transactions/", api_transactions.transactions, name="api-transactions"),
    path(
        "api/transactions/<int:txn_id>/",
        api_transactions.transaction_detail,
        name="api-transaction",
    ),
    path("api/openapi.json", openapi.openapi_json, name="api-openapi"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
