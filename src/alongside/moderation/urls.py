from django.urls import path

from alongside.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("report/", views.report, name="report"),
    path("reports/mine/", views.mine, name="mine"),
    path("rules/<slug:slug>/", views.community_rules, name="rules"),
    path("block/", views.block, name="block"),
    path("blocked/", views.blocked, name="blocked"),
    path("blocked/<int:block_id>/unblock/", views.unblock, name="unblock"),
    path("reports/<int:report_id>/decide/", views.decide, name="decide"),
    path("feedback/<int:feedback_id>/close/", views.close_feedback, name="close_feedback"),
]
