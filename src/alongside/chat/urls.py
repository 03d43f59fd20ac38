from django.urls import include, path

from alongside.chat.views import conversations as views
from alongside.chat.views import rooms

app_name = "chat"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:conversation_id>/", views.conversation, name="conversation"),
    path("<int:conversation_id>/send/", views.send, name="send"),
    path("<int:conversation_id>/poll/", views.poll, name="poll"),
    path("<int:conversation_id>/read/", views.read, name="read"),
    path("<int:conversation_id>/end/", views.end, name="end"),
    path("<int:conversation_id>/rate/", views.rate, name="rate"),
    path("<int:conversation_id>/block/", views.block, name="block"),
    path("<int:conversation_id>/report/", views.report, name="report"),
    path("<int:conversation_id>/hand-over/", views.hand_over, name="hand_over"),
    path("<int:conversation_id>/escalate/", views.escalate, name="escalate"),
    path("desk/", views.desk, name="desk"),
    path("desk/online/", views.desk_online, name="desk_online"),
    path("desk/pick/<int:request_id>/", views.pick, name="pick"),
    path("health/", views.health, name="health"),
    path("room/<slug:slug>/", rooms.room, name="room"),
    path("room/<slug:slug>/open/", rooms.room_toggle, name="room_toggle"),
    path("room/<slug:slug>/messages/<int:seq>/", rooms.room_moderate, name="room_moderate"),
    path("listen/", include("alongside.chat.listener_urls")),
]
