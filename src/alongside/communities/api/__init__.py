"""JSON API for communities, one module per resource; each has its own router (with its tags),
and the project's API sets authentication once for all of them.

Errors: a community, thread or post the caller may not see is 404 `not_found`, exactly like a
missing one; an action the caller may not take on something they can see is 403 `not_allowed`
with the reason; input the services reject is 422 `invalid`. Anonymous posts never carry their
author: moderators ask for it through the audited reveal endpoint.
"""

from ninja import Router

from alongside.communities.api import communities, discover, moderation, posts, threads

router = Router()
for module in (communities, threads, posts, moderation, discover):
    router.add_router("", module.router)
