from django.contrib import admin
from django.urls import include, path

from . import api, views, wall_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("transactions/", views.transaction_add, name="transaction-add"),
    path("api/summary/", api.summary, name="api-summary"),
    path("wall/", wall_views.wall, name="wall"),
    path("wall/<str:token>/", wall_views.wall_link, name="wall-link"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
