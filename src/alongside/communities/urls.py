from django.urls import path

from alongside.communities import views

app_name = "communities"
urlpatterns = [
    path("communities/", views.directory, name="directory"),
    path("feed/", views.feed, name="feed"),
    path("waiting/", views.waiting, name="waiting"),
    path("search/", views.search, name="search"),
    path("preferences/reading/", views.reading_preferences, name="reading_preferences"),
    path("c/<slug:slug>/", views.community, name="community"),
    path("c/<slug:slug>/join/", views.join, name="join"),
    path("c/<slug:slug>/leave/", views.leave, name="leave"),
    path("c/<slug:slug>/new/", views.thread_new, name="thread_new"),
    path("c/<slug:slug>/moderate/", views.moderate, name="moderate"),
    path("c/<slug:slug>/edit/", views.community_edit, name="community_edit"),
    path("c/<slug:slug>/t/<int:thread_id>/", views.thread, name="thread"),
    path("c/<slug:slug>/t/<int:thread_id>/reply/", views.reply, name="reply"),
    path("t/<int:thread_id>/lock/", views.thread_lock, name="thread_lock"),
    path("t/<int:thread_id>/pin/", views.thread_pin, name="thread_pin"),
    path("posts/<int:post_id>/", views.post, name="post"),
    path("posts/<int:post_id>/react/", views.react, name="react"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:post_id>/reveal/", views.post_reveal, name="post_reveal"),
    path("posts/<int:post_id>/history/", views.post_history, name="post_history"),
]
