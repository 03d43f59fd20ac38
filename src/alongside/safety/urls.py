from django.urls import path

from alongside.safety.views import exercises as exercise_views
from alongside.safety.views import help as help_views
from alongside.safety.views import plans as plan_views
from alongside.safety.views import talk_now as talk_now_views
from alongside.safety.views import triage as triage_views
from alongside.safety.views import worry

app_name = "safety"
urlpatterns = [
    path("", help_views.help_page, name="help"),
    path("country/", help_views.country_choose, name="country"),
    path("support/", help_views.support_page, name="support"),
    path("talk-now/", talk_now_views.talk_now, name="talk_now"),
    path("plan/", plan_views.plan_page, name="plan"),
    path("plan/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plan/print/", plan_views.plan_print, name="plan_print"),
    path("plan/delete/", plan_views.plan_delete, name="plan_delete"),
    path("plan/share/<int:conversation_id>/", plan_views.plan_share, name="plan_share"),
    path("plan/share/<int:conversation_id>/stop/", plan_views.plan_share_stop, name="plan_share_stop"),
    path("plan/shared/<int:share_id>/", plan_views.plan_shared, name="plan_shared"),
    path("worried/", worry.worried, name="worried"),
    path("guide/", triage_views.guide_page, name="guide"),
    path("guide/choose/", triage_views.guide_choose, name="guide_choose"),
    path("guide/restart/", triage_views.guide_restart, name="guide_restart"),
    path("exercises/", exercise_views.exercise_list, name="exercises"),
    path("exercises/<slug:slug>/", exercise_views.exercise_page, name="exercise"),
]
