from django.urls import path

from alongside.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("report/", views.report, name="report"),
    path("report/room/<slug:slug>/<int:seq>/", views.report_message, name="report_message"),
    path("message-reports/<int:report_id>/decide/", views.decide_message, name="decide_message"),
    path("reports/mine/", views.mine, name="mine"),
    path("rules/<slug:slug>/", views.community_rules, name="rules"),
    path("site-rules/", views.site_rules, name="site_rules"),
    path("block/", views.block, name="block"),
    path("blocked/", views.blocked, name="blocked"),
    path("blocked/<int:block_id>/unblock/", views.unblock, name="unblock"),
    path("reports/<int:report_id>/decide/", views.decide, name="decide"),
    path("reports/<int:report_id>/claim/", views.claim, name="claim"),
    path("reports/<int:report_id>/act/", views.act, name="act"),
    path("away/", views.away, name="away"),
    path("log/<slug:slug>/", views.community_log, name="log"),
    path("transparency/", views.transparency, name="transparency"),
    path("feedback/<int:feedback_id>/close/", views.close_feedback, name="close_feedback"),
    path("chat-reports/<int:report_id>/answer/", views.answer_chat_report, name="answer_chat_report"),
    path("sanction/", views.sanction, name="sanction"),
    path("sanctions/", views.sanctions_list, name="sanctions"),
    path("sanctions/<int:sanction_id>/lift/", views.lift, name="lift"),
    path("standing/", views.standing, name="standing"),
    path("standing/<int:sanction_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("standing/<int:sanction_id>/appeal/", views.appeal, name="appeal"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/decide/", views.decide_appeal, name="decide_appeal"),
]
