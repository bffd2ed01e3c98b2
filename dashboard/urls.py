from django.contrib import admin
from django.urls import include, path

from . import api, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transactions/", views.transaction_add, name="transaction-add"),
    path("api/summary/", api.summary, name="api-summary"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
