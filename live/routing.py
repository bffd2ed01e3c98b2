from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/dashboard/", consumers.DashboardConsumer.as_asgi()),
    path("ws/wall/", consumers.WallConsumer.as_asgi()),
    path("ws/wall/<str:token>/", consumers.WallConsumer.as_asgi()),
]
