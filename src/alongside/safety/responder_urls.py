from django.urls import path

from alongside.safety.views import responders

app_name = "responders"
urlpatterns = [
    path("", responders.queue, name="queue"),
    path("<int:event_id>/", responders.event, name="event"),
    path("<int:event_id>/acknowledge/", responders.acknowledge, name="acknowledge"),
    path("<int:event_id>/reach-out/", responders.reach_out, name="reach_out"),
    path("<int:event_id>/join/", responders.join_chat, name="join_chat"),
    path("<int:event_id>/escalate/", responders.escalate, name="escalate"),
    path("<int:event_id>/close/", responders.close, name="close"),
]
