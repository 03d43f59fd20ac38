"""Demo communities for development and demonstrations: a handful of groups with rules, a pinned
welcome, conversations, reactions, one thread still waiting for a reply, one post behind a
content warning and one anonymous post. Every word here was written for the demo; all of it goes
through the services, so it is screened, audited and notified like anything a person writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alongside.communities import selectors, services
from alongside.communities.enums import ContentWarning, MembershipStatus, ReactionKind, Visibility

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.communities.models import Community, Post


@dataclass(frozen=True)
class _Reply:
    author: int  # index into the members list (wrapped), or -1 for the administrator
    body: str
    anonymous: bool = False
    reactions: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Thread:
    author: int
    title: str
    body: str
    replies: tuple[_Reply, ...] = ()
    anonymous: bool = False
    warnings: tuple[str, ...] = ()
    reactions: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Community:
    name: str
    description: str
    rules: tuple[str, ...]
    topics: tuple[str, ...]
    welcome: str
    threads: tuple[_Thread, ...] = ()
    visibility: str = Visibility.PUBLIC
    members: tuple[int, ...] | None = None  # None: everyone
    welcome_replies: tuple[_Reply, ...] = field(default=())


KIND_RULES = (
    "Be kind. Everyone here is doing their best with what they have today.",
    "Share your own experience; please don't tell others what they must do.",
    "Keep what people share here, here. No screenshots, no names of real people.",
    "Use a content warning when you write about self-harm, suicide, abuse or other heavy topics.",
)
R = ReactionKind

DEMO: tuple[_Community, ...] = (
    _Community(
        name="Anxiety support",
        description=(
            "For anyone living with worry, panic or the what-ifs that arrive at 3 a.m. Come as you are: "
            "you can post, read quietly, or just leave a reaction to say you've been there too."
        ),
        rules=(*KIND_RULES, "No diagnosing each other. Tips are welcome; prescriptions are not."),
        topics=("anxiety", "panic", "worry", "sleep"),
        welcome=(
            "Hello and welcome. This is a calm corner for talking about anxiety in all its shapes.\n\n"
            "A few ideas for a first post: what anxiety feels like for you, one small thing that helped "
            "this week, or a question you've been carrying around. There are no wrong answers.\n\n"
            "If you are in danger right now, please use **Get help now** at the top of every page."
        ),
        welcome_replies=(
            _Reply(
                0, "Hi everyone. Mostly reading for now, but it's good to know this is here.", reactions=(R.SUPPORT,)
            ),
        ),
        threads=(
            _Thread(
                0,
                "Tight chest before every meeting",
                "Every Monday the team meeting comes round and my chest goes tight about an hour before. "
                "Nothing bad has ever happened in one. I know that, and my body doesn't seem to care.\n\n"
                "Does anyone else get the physical side more than the thoughts?",
                replies=(
                    _Reply(
                        1,
                        "Yes, very much. For me it's my stomach. Something that helps a little: I write three "
                        "things I want to say on a card beforehand, so my brain has less to juggle.",
                        reactions=(R.HELPED, R.RELATE),
                    ),
                    _Reply(
                        2,
                        "Same here. Walking round the block just before helps me burn off some of the "
                        "adrenaline. Not a cure, but the first ten minutes are easier.",
                        reactions=(R.RELATE,),
                    ),
                    _Reply(0, "The card idea is lovely, I'm going to try it next Monday. Thank you both."),
                ),
                reactions=(R.RELATE, R.SUPPORT),
            ),
            _Thread(
                3,
                "Small wins thread",
                "Let's collect small wins, however tiny. Mine: I answered a phone call from a number I "
                "didn't know, and it was only the dentist.",
                replies=(
                    _Reply(
                        1, "I went to the supermarket at a busy time and didn't leave my basket behind. Counting it!"
                    ),
                    _Reply(4, "Slept six hours in a row. First time in weeks.", reactions=(R.SUPPORT,)),
                ),
                reactions=(R.SUPPORT,),
            ),
            _Thread(
                1,
                "Worried people can tell",
                "I always feel like everyone can see how nervous I am, like it's written on my face. "
                "I've never told anyone at work. I'm posting this anonymously because even this feels a lot.",
                anonymous=True,
                replies=(
                    _Reply(
                        2,
                        "Thank you for trusting us with this. For what it's worth, people notice far less "
                        "than it feels like from the inside. You're not alone in feeling watched.",
                        reactions=(R.SUPPORT,),
                    ),
                ),
                reactions=(R.RELATE,),
            ),
        ),
    ),
    _Community(
        name="Grief and loss",
        description=(
            "A gentle place for people who are grieving: a person, a pet, a relationship, a future you "
            "had pictured. There is no timetable for grief, and no right way to do it."
        ),
        rules=(*KIND_RULES[:3], "Please don't compare losses. Every grief is real."),
        topics=("grief", "bereavement", "loss"),
        welcome=(
            "Welcome. Whatever brought you here, we're glad you found us.\n\n"
            "You don't have to write anything. Reading other people's words can help too. When you're "
            "ready, you might tell us about the person or the loss you're carrying."
        ),
        welcome_replies=(_Reply(4, "Thank you for making this space. I'll be reading.", reactions=(R.SUPPORT,)),),
        threads=(
            _Thread(
                2,
                "Still setting two mugs out",
                "It's been four months since Dad died and I still get two mugs out of the cupboard every "
                "morning. I put one back each time. I don't know why I'm telling strangers this, but it "
                "helps to say it somewhere.",
                replies=(
                    _Reply(
                        0,
                        "I did the same with my gran's favourite chair for a long time. Saying it out loud "
                        "here is exactly what this place is for.",
                        reactions=(R.RELATE, R.SUPPORT),
                    ),
                    _Reply(3, "Sending you warmth. Maybe one day the second mug can be for a friend who comes round."),
                ),
                reactions=(R.SUPPORT, R.RELATE),
            ),
            _Thread(
                4,
                "Losing a pet feels silly to grieve",
                "Our old cat, Biscuit, died last week. People at work don't really get why I'm so flat. "
                "He was with me through three house moves and a divorce.",
                replies=(
                    _Reply(
                        1,
                        "It's not silly at all. He was family and he was there for the hard years. "
                        "Of course you miss him.",
                        reactions=(R.HELPED,),
                    ),
                ),
            ),
        ),
    ),
    _Community(
        name="Recovery together",
        description=(
            "A private group for people in recovery from alcohol or drug use, and for those thinking "
            "about it. Members are approved by the hosts, so you can speak openly."
        ),
        rules=(
            *KIND_RULES,
            "What is shared in this group stays in this group.",
            "No judgement about slips. Recovery is rarely a straight line.",
        ),
        topics=("recovery", "sobriety", "addiction"),
        visibility=Visibility.PRIVATE,
        members=(0, 1, 2),
        welcome=(
            "Welcome to Recovery together. Everyone here was approved by a host, and posts are only "
            "visible to members.\n\nYou can count days here, or not. Both are fine."
        ),
        welcome_replies=(_Reply(1, "Glad this group exists. Day 41 for me today.", reactions=(R.SUPPORT,)),),
        threads=(
            _Thread(
                0,
                "Weekends are the hardest",
                "Weekdays have a shape, work and the commute and tea. Saturday afternoons used to mean the "
                "pub, and now there's this big empty stretch. How do you fill it?",
                warnings=(ContentWarning.SUBSTANCE_USE,),
                replies=(
                    _Reply(
                        2,
                        "I started a Saturday swim. Mostly because you can't drink in a pool. Now I actually like it.",
                        reactions=(R.HELPED,),
                    ),
                    _Reply(1, "Cooking something that takes all afternoon. Slow food, slow mind."),
                ),
            ),
        ),
    ),
    _Community(
        name="Parents and carers",
        description=(
            "For people who look after someone: children, partners, parents, friends. Somewhere to put "
            "down the load for a moment and talk to people who understand."
        ),
        rules=(*KIND_RULES[:3], "Other people's children and relatives deserve privacy too: no names or photos."),
        topics=("parenting", "caring", "family"),
        welcome=(
            "Hello, and welcome. Caring for someone can be lonely, even when you're never alone.\n\n"
            "Tell us who you care for if you'd like to, or just pull up a chair."
        ),
        welcome_replies=(_Reply(3, "Pulling up a chair. Caring for my mum for two years now.", reactions=(R.RELATE,)),),
        threads=(
            _Thread(
                3,
                "Guilt about wanting a break",
                "I love my mum, and some days I want to get in the car and drive to the sea on my own. "
                "Then I feel awful for thinking it. Does that go away?",
                replies=(
                    _Reply(
                        4,
                        "I don't think wanting a break is the opposite of love. It might be what keeps "
                        "you able to keep going.",
                        reactions=(R.HELPED, R.SUPPORT),
                    ),
                    _Reply(
                        0,
                        "Respite care gave me one afternoon a week and it changed everything. Worth asking "
                        "your GP or the council about.",
                    ),
                ),
                reactions=(R.RELATE,),
            ),
            _Thread(
                4,
                "When the person you cared for has gone",
                "Dad was in a hospice for his last three weeks. I'd been his carer for six years, and "
                "now the days have no shape at all. I keep checking the time for his tablets.",
                warnings=(ContentWarning.GRIEF,),
                replies=(
                    _Reply(
                        2,
                        "Six years is a whole life's rhythm. It makes sense the clock still runs in you. "
                        "Be gentle with yourself.",
                        reactions=(R.SUPPORT,),
                    ),
                ),
            ),
        ),
    ),
    _Community(
        name="Students",
        description=(
            "For students at college or university: exams, deadlines, homesickness, money worries, "
            "and finding your people. Night owls welcome."
        ),
        rules=KIND_RULES[:4],
        topics=("study", "exams", "university", "loneliness"),
        welcome=(
            "Welcome! This is a space for students to talk about how things are really going, not "
            "just the version we post elsewhere.\n\nFirst-years, final-years and everyone in between."
        ),
        welcome_replies=(_Reply(4, "Hi all, second year here and very happy to find this.", reactions=(R.SUPPORT,)),),
        threads=(
            _Thread(
                4,
                "Homesick in week three",
                "Everyone in my flat seems to have made friends already. I call home every night and then "
                "feel worse after. Is it normal to feel like this three weeks in?",
                replies=(
                    _Reply(
                        0,
                        "Completely normal. Week three was my lowest point too. It got better once I "
                        "joined one society, even though I went to the first meeting shaking.",
                        reactions=(R.HELPED,),
                    ),
                    _Reply(2, "A lot of people are pretending they're fine. You're just being honest about it."),
                ),
                reactions=(R.RELATE,),
            ),
            _Thread(
                1,
                "Can't start my dissertation",
                "I have a blank document, a deadline in six weeks and a feeling like a brick in my stomach "
                "every time I open the laptop. Has anyone found a way to just begin?",
            ),  # left unanswered on purpose: "Waiting for a reply" has something to show
        ),
    ),
    _Community(
        name="Listeners' lounge",
        description=(
            "A hidden room for trained listeners and staff to debrief, swap ideas and look after "
            "themselves. By invitation only."
        ),
        rules=(
            "Never share anything that could identify the people you support.",
            "Look after yourself first: step away when you need to.",
            "Ask for supervision when something stays with you.",
        ),
        topics=("listening", "debrief", "self-care"),
        visibility=Visibility.HIDDEN,
        members=(1, 2, 3, 4),
        welcome=(
            "Welcome to the lounge. This space is for the people who hold space for others.\n\n"
            "Debrief here, share what's working, and remember that you're allowed to need support too."
        ),
        welcome_replies=(_Reply(2, "Thanks for setting this up. Needed somewhere like this.", reactions=(R.SUPPORT,)),),
        threads=(
            _Thread(
                1,
                "How do you switch off after a late shift?",
                "After an evening of listening I find my head is still full when I try to sleep. What do "
                "you all do to close the door on it?",
                replies=(
                    _Reply(
                        3,
                        "I write a three-line note, what stayed with me, what I did well, what I'll "
                        "take to supervision, and then shut the notebook. The physical act helps.",
                        reactions=(R.HELPED,),
                    ),
                ),
            ),
        ),
    ),
)


def _pick(people: Sequence[User], admin: User, index: int) -> User:
    return admin if index < 0 else people[index % len(people)]


def _react(post: Post, kinds: Sequence[str], people: Sequence[User], skip: User | None) -> None:
    """Each reaction comes from a different member of the community (never the post's author)."""
    reactors = [person for person in people if person != skip]
    for kind, person in zip(kinds, reactors, strict=False):
        services.reaction_set(actor=person, post=post, kind=kind, on=True)


def _join(*, admin: User, community: Community, person: User) -> None:
    """Membership as a real person would get it: join, ask and be approved, or be invited."""
    if community.visibility == Visibility.HIDDEN:
        services.community_invite(actor=admin, community=community, invitee=person)
    membership = services.community_join(actor=person, community=community)
    if membership.status == MembershipStatus.PENDING:
        services.membership_decide(actor=admin, membership=membership, approve=True)


def communities_demo_create(*, admin: User, members: Sequence[User]) -> list[Community]:
    """Create the demo communities, written by `members` and hosted by `admin`. Does nothing (and
    returns []) if any community exists already, so running the seed twice is harmless."""
    if selectors.any_community_exists() or not members:
        return []
    created = []
    for spec in DEMO:
        community = services.community_create(
            actor=admin,
            name=spec.name,
            description=spec.description,
            rules=list(spec.rules),
            topics=list(spec.topics),
            visibility=spec.visibility,
        )
        indexes = range(len(members)) if spec.members is None else spec.members
        people = list(dict.fromkeys(members[i % len(members)] for i in indexes))
        for person in people:
            if person != admin:
                _join(admin=admin, community=community, person=person)

        welcome = services.thread_create(
            actor=admin, community=community, title=f"Welcome to {spec.name}", body=spec.welcome
        )
        services.thread_pin(actor=admin, thread=welcome)
        for reply in spec.welcome_replies:
            author = _pick(people, admin, reply.author)
            post = services.post_reply(actor=author, thread=welcome, body=reply.body, is_anonymous=reply.anonymous)
            _react(post, reply.reactions, people, author)

        for item in spec.threads:
            author = _pick(people, admin, item.author)
            thread = services.thread_create(
                actor=author,
                community=community,
                title=item.title,
                body=item.body,
                is_anonymous=item.anonymous,
                content_warnings=list(item.warnings),
            )
            opening = selectors.opening_post(thread=thread)
            _react(opening, item.reactions, people, author)
            for reply in item.replies:
                replier = _pick(people, admin, reply.author)
                post = services.post_reply(actor=replier, thread=thread, body=reply.body, is_anonymous=reply.anonymous)
                _react(post, reply.reactions, people, replier)
        created.append(community)
    return created
