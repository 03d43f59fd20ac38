from django.urls import path

from alongside.communities.views import communities, discover, moderation, people, threads

app_name = "communities"
urlpatterns = [
    path("communities/", communities.directory, name="directory"),
    path("feed/", discover.feed, name="feed"),
    path("waiting/", discover.waiting, name="waiting"),
    path("search/", discover.search, name="search"),
    path("welcome/", discover.welcome, name="welcome"),
    path("badges/", discover.badges, name="badges"),
    path("people/<str:pseudonym>/", people.person, name="person"),
    path("preferences/reading/", discover.reading_preferences, name="reading_preferences"),
    path("c/<slug:slug>/", communities.community, name="community"),
    path("c/<slug:slug>/join/", communities.join, name="join"),
    path("c/<slug:slug>/leave/", communities.leave, name="leave"),
    path("c/<slug:slug>/new/", communities.thread_new, name="thread_new"),
    path("c/<slug:slug>/edit/", communities.community_edit, name="community_edit"),
    path("c/<slug:slug>/moderate/", moderation.moderate, name="moderate"),
    path("c/<slug:slug>/moderate/posts/<int:post_id>/approve/", moderation.post_approve, name="post_approve"),
    path("c/<slug:slug>/moderate/posts/<int:post_id>/reject/", moderation.post_reject, name="post_reject"),
    path(
        "c/<slug:slug>/moderate/requests/<int:membership_id>/approve/",
        moderation.request_approve,
        name="request_approve",
    ),
    path("c/<slug:slug>/moderate/requests/<int:membership_id>/deny/", moderation.request_deny, name="request_deny"),
    path("c/<slug:slug>/moderate/invite/", moderation.invite, name="invite"),
    path("c/<slug:slug>/moderate/ban/", moderation.ban, name="ban"),
    path("c/<slug:slug>/moderate/role/", moderation.role, name="role"),
    path("c/<slug:slug>/t/<int:thread_id>/", threads.thread, name="thread"),
    path("c/<slug:slug>/t/<int:thread_id>/reply/", threads.reply, name="reply"),
    path("t/<int:thread_id>/lock/", moderation.thread_lock, name="thread_lock"),
    path("t/<int:thread_id>/pin/", moderation.thread_pin, name="thread_pin"),
    path("t/<int:thread_id>/follow/", threads.thread_follow, name="thread_follow"),
    path("t/<int:thread_id>/mute/", threads.thread_mute, name="thread_mute"),
    path("posts/<int:post_id>/", threads.post, name="post"),
    path("posts/<int:post_id>/react/", threads.react, name="react"),
    path("posts/<int:post_id>/edit/", threads.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", threads.post_delete, name="post_delete"),
    path("posts/<int:post_id>/reveal/", threads.post_reveal, name="post_reveal"),
    path("posts/<int:post_id>/history/", threads.post_history, name="post_history"),
]
