"""The listener training: its lessons, their quizzes, the code of conduct, and how far someone is.

The lessons are data (frozen dataclasses), written by us. Each ends with a short quiz; which answer
is right is marked in the data and only `quiz_grade` (a pure function) looks at it, so no page or
answer ever shows it. `listener_training_get` is the one read of a person's progress: the pages,
the services and the admin all ask it.

Pass marks: "all but one right" for most lessons; every answer right for the two lessons where a
wrong idea puts someone at risk (boundaries, and crisis).

After a declined application a person trains again: lessons passed and the code of conduct
accepted before that decision no longer count (the rows are kept, a new pass updates them), and
they may apply again once they have, from REAPPLY_AFTER after the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alongside.chat.enums import ListenerStatus
from alongside.chat.models import LessonResult, ListenerProfile

if TYPE_CHECKING:
    from alongside.accounts.models import User

# A declined person may apply again this long after the decision (and after training again).
REAPPLY_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Option:
    id: str
    text: str | Promise
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str  # also the quiz form's field name
    text: str | Promise
    options: tuple[Option, ...]

    def __post_init__(self) -> None:
        if sum(option.correct for option in self.options) != 1:
            raise ValueError(f"question {self.id}: exactly one option must be right")
        if len({option.id for option in self.options}) != len(self.options):
            raise ValueError(f"question {self.id}: option ids repeat")

    @property
    def choices(self) -> list[tuple[str, str | Promise]]:
        """The options as a form shows them: never saying which one is right."""
        return [(option.id, option.text) for option in self.options]


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str | Promise
    summary: str | Promise
    paragraphs: tuple[str | Promise, ...]
    questions: tuple[Question, ...]
    pass_mark: int  # right answers needed to pass
    links_to_help: bool = False  # the page ends with a link to the crisis page

    def __post_init__(self) -> None:
        if len({question.id for question in self.questions}) != len(self.questions):
            raise ValueError(f"lesson {self.slug}: question ids repeat")
        if not 1 <= self.pass_mark <= len(self.questions):
            raise ValueError(f"lesson {self.slug}: the pass mark must be between 1 and the number of questions")

    def number_of(self, question_id: str) -> int:
        """The question's number as people see it (1, 2, …)."""
        return next(index for index, question in enumerate(self.questions, 1) if question.id == question_id)


@dataclass(frozen=True)
class QuizResult:
    lesson: str  # the lesson's slug
    score: int
    total: int
    pass_mark: int
    # The questions answered wrongly (ids, in order): what to look at again. Never the right answers.
    to_review: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark


def quiz_grade(lesson: Lesson, answers: Mapping[str, str]) -> QuizResult:
    """Mark a quiz: `answers` maps question ids to the chosen option's id. A question left out, or
    answered with an unknown option, counts as wrong."""
    to_review = tuple(
        question.id
        for question in lesson.questions
        if not any(option.correct and option.id == answers.get(question.id) for option in question.options)
    )
    total = len(lesson.questions)
    return QuizResult(
        lesson=lesson.slug, score=total - len(to_review), total=total, pass_mark=lesson.pass_mark, to_review=to_review
    )


def _q(id: str, text: str | Promise, *options: tuple[str | Promise, bool]) -> Question:
    return Question(
        id=id,
        text=text,
        options=tuple(
            Option(id="abcd"[index], text=words, correct=right) for index, (words, right) in enumerate(options)
        ),
    )


RIGHT, WRONG = True, False

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        slug="active-listening",
        title=_("Listening well"),
        summary=_("How to help someone feel heard, without fixing, judging or advising."),
        paragraphs=(
            _(
                "When someone reaches out, what helps most is feeling heard. You don't need the right words "
                "or a solution. Your calm attention is the gift."
            ),
            _(
                "Say back what you hear, in your own words: “It sounds like the evenings are the hardest part.” "
                "Ask open questions, ones that can't be answered with yes or no: “What has that been like for "
                "you?” Let quiet moments be; people often need time to find their words."
            ),
            _(
                "Try not to rush to advice, to cheer someone up, or to tell your own story at length. A short "
                "“I've been somewhere like that too” can help; then turn back to them. It's their chat."
            ),
            _(
                "You are a peer: someone who has been there, not a therapist, counsellor or doctor. Never give "
                "medical advice, never suggest a diagnosis, and never tell anyone what to do about medication. "
                "You can gently encourage them to talk with their doctor or someone they trust."
            ),
        ),
        questions=(
            _q(
                "q1",
                _("Someone writes: “I just can't face going back to work tomorrow.” Which reply listens best?"),
                (_("“You should call in sick.”"), WRONG),
                (_("“It sounds like tomorrow feels really heavy. What's making it so hard?”"), RIGHT),
                (_("“Everyone feels like that on a Sunday.”"), WRONG),
                (_("“I had an awful job once, let me tell you about it.”"), WRONG),
            ),
            _q(
                "q2",
                _("Which of these is an open question?"),
                (_("“Are you okay?”"), WRONG),
                (_("“Did you sleep last night?”"), WRONG),
                (_("“What's been on your mind this week?”"), RIGHT),
                (_("“Is it your boss?”"), WRONG),
            ),
            _q(
                "q3",
                _("Someone asks whether they should stop taking their medication. What do you do?"),
                (_("Tell them what you did when you were on medication."), WRONG),
                (
                    _(
                        "Say kindly that you can't give medical advice, and encourage them to talk with their "
                        "doctor or pharmacist before changing anything."
                    ),
                    RIGHT,
                ),
                (_("Look it up and tell them what dose to take."), WRONG),
                (_("Tell them they are probably better off without it."), WRONG),
            ),
            _q(
                "q4",
                _("The person goes quiet for a while. What helps?"),
                (_("Ending the chat: they must have gone."), WRONG),
                (_("Filling the silence with advice."), WRONG),
                (_("Giving them time. A short “I'm still here, take your time” is enough."), RIGHT),
                (_("Asking several questions in a row to keep things going."), WRONG),
            ),
        ),
        pass_mark=3,
    ),
    Lesson(
        slug="boundaries",
        title=_("Boundaries, and what never to ask for"),
        summary=_("Staying anonymous, keeping chats here, and saying no kindly."),
        paragraphs=(
            _(
                "Everyone here uses a pseudonym, on purpose: it is what makes it safe to speak openly, for the "
                "person you listen to and for you. So never ask for, or share, real names, phone numbers, "
                "addresses, e-mail addresses, social media accounts or photos: yours or theirs."
            ),
            _(
                "If someone offers theirs, stop them kindly: “Let's keep that private. This space works best "
                "when we both stay anonymous.”"
            ),
            _(
                "Keep the conversation here. Never move it to another app, a phone call or a meeting, however "
                "kind it seems. Here, responders can step in if things become serious, and both of you are "
                "protected."
            ),
            _(
                "You are a listener, not a rescuer or a friend on call. Never take money, gifts or favours, and "
                "never flirt or have romantic or sexual conversations. If a chat crosses a line, say so kindly "
                "and clearly; if it goes on, you may end the chat and report it. Saying no is allowed."
            ),
        ),
        questions=(
            _q(
                "q1",
                _("At the end of a chat the person asks: “What's your Instagram, so we can keep talking?”"),
                (_("Share it: they seem trustworthy."), WRONG),
                (_("Give your phone number instead."), WRONG),
                (
                    _(
                        "Thank them warmly, explain that you keep chats here so you both stay anonymous and safe, "
                        "and let them know they can ask for a listener again any time."
                    ),
                    RIGHT,
                ),
                (_("Ignore the message and end the chat."), WRONG),
            ),
            _q(
                "q2",
                _("Which of these is all right to ask?"),
                (_("Their real first name, to make it feel more personal."), WRONG),
                (_("Which town they live in."), WRONG),
                (_("How they are feeling right now."), RIGHT),
                (_("Their phone number, in case the chat drops."), WRONG),
            ),
            _q(
                "q3",
                _("The person offers to send you a gift to say thank you."),
                (_("Accept something small: it would be rude not to."), WRONG),
                (_("Decline kindly: listeners never take money, gifts or favours."), RIGHT),
                (_("Ask them to send it through another app."), WRONG),
                (_("Give them your address so it can be posted."), WRONG),
            ),
            _q(
                "q4",
                _("A chat turns flirtatious. What do you do?"),
                (_("Play along, so they don't feel rejected."), WRONG),
                (
                    _(
                        "Say kindly and clearly that this isn't what this space is for; if it goes on, end the "
                        "chat and report it."
                    ),
                    RIGHT,
                ),
                (_("Suggest carrying on somewhere more private."), WRONG),
                (_("Say nothing and hope it stops."), WRONG),
            ),
        ),
        pass_mark=4,
    ),
    Lesson(
        slug="confidentiality",
        title=_("Keeping what is shared safe"),
        summary=_("What people tell you stays with you, with one exception: their safety."),
        paragraphs=(
            _(
                "What people tell you stays with you. Don't repeat, copy, screenshot or post anything from a "
                "chat anywhere else: not on social media, not in a community here, not to friends. Not even "
                "without a name: small details can be enough to recognise someone."
            ),
            _(
                "The one exception is safety. If you are worried someone may be in danger, press “Ask "
                "responders for help” in the chat. That shares the conversation with our trained responders, "
                "and only with them. It isn't breaking a confidence: it is how we keep people safe."
            ),
            _(
                "So don't promise total secrecy. If someone asks, you can say: “What you share stays here. The "
                "one exception is if I'm worried you're in danger; then I'd ask our responders to help.”"
            ),
            _(
                "It's fine to tell someone you trust that a chat was hard, as long as you say nothing about "
                "the person or what they told you."
            ),
        ),
        questions=(
            _q(
                "q1",
                _("A chat moved you, and you'd like to post about it in a community to encourage others."),
                (_("Post it word for word: it could help people."), WRONG),
                (_("Post it with the details changed."), WRONG),
                (_("Don't: what people share with you stays with you."), RIGHT),
                (_("Post a screenshot with the pseudonym hidden."), WRONG),
            ),
            _q(
                "q2",
                _("Someone says: “Promise you'll never tell anyone what I'm about to say.”"),
                (_("“I promise, whatever it is.”"), WRONG),
                (
                    _(
                        "“What you share stays here. The one exception is if I'm worried you're in danger; then "
                        "I'd ask our responders to help.”"
                    ),
                    RIGHT,
                ),
                (_("“I'd rather not hear secrets.”"), WRONG),
                (_("Say nothing about it and carry on."), WRONG),
            ),
            _q(
                "q3",
                _("When is it right to share a conversation with someone else?"),
                (_("When a friend asks what being a listener is like."), WRONG),
                (_("When you're worried the person is in danger, through “Ask responders for help”."), RIGHT),
                (_("When the story is unusual."), WRONG),
                (_("Never, even when someone's life may be at risk."), WRONG),
            ),
            _q(
                "q4",
                _("Which of these is fine?"),
                (_("Taking a screenshot of a chat to remember it."), WRONG),
                (_("Telling a friend “I listened to someone today and it was hard”, with no details."), RIGHT),
                (_("Searching for the person on social media."), WRONG),
                (_("Copying the chat to another listener for a second opinion."), WRONG),
            ),
        ),
        pass_mark=3,
    ),
    Lesson(
        slug="crisis",
        title=_("When someone is in crisis"),
        summary=_("Taking it seriously, staying with the person, and bringing in help."),
        paragraphs=(
            _(
                "Sometimes a person tells you they want to end their life, that they are hurting themselves, "
                "or that they are in danger from someone else. Sometimes they only hint at it: “I can't do this "
                "any more”, “everyone would be better off without me”. Take it seriously, every time."
            ),
            _(
                "It's all right to ask gently and directly: “Are you thinking about ending your life?” Asking "
                "does not put the idea in anyone's head; it shows them you can hear it."
            ),
            _(
                "Stay with them. Don't end the chat or leave. Press “Ask responders for help” in the chat: our "
                "trained responders are alerted and can see the conversation. Keep talking with the person "
                "while help is brought in."
            ),
            _(
                "Share the “Get help now” page, linked at the top of every page: it lists crisis lines and "
                "emergency numbers for their country. If they are in danger right now, encourage them to call "
                "their local emergency number. This service is not an emergency service, and neither are you: "
                "your part is to stay, stay calm, and bring in help."
            ),
            _(
                "Don't promise to keep it secret, don't argue or lecture, don't try to handle it alone, and "
                "never give medical advice."
            ),
        ),
        questions=(
            _q(
                "q1",
                _("Someone writes: “I don't see the point any more. Everyone would be better off without me.”"),
                (_("Change the subject to something more cheerful."), WRONG),
                (
                    _(
                        "Take it seriously: ask gently whether they are thinking of ending their life, stay with "
                        "them, and press “Ask responders for help”."
                    ),
                    RIGHT,
                ),
                (_("End the chat: it is too serious for a peer."), WRONG),
                (_("Tell them they have so much to live for, and move on."), WRONG),
            ),
            _q(
                "q2",
                _("You have pressed “Ask responders for help”. What now?"),
                (_("Leave the chat: the responders take it from here."), WRONG),
                (_("Stay in the chat and keep talking with them while help is brought in."), RIGHT),
                (_("Give them your phone number so they can reach you."), WRONG),
                (_("Wait quietly without writing anything."), WRONG),
            ),
            _q(
                "q3",
                _("Where can you point someone for crisis lines in their country?"),
                (_("The “Get help now” page, linked at the top of every page."), RIGHT),
                (_("Your own phone number."), WRONG),
                (_("A search engine."), WRONG),
                (_("A group chat on another app."), WRONG),
            ),
            _q(
                "q4",
                _("The person says they have just taken far too many pills."),
                (_("Tell them what to do about it medically."), WRONG),
                (_("Ask them to keep it between the two of you."), WRONG),
                (
                    _(
                        "Encourage them to call their local emergency number now, share the “Get help now” page, "
                        "press “Ask responders for help”, and stay with them."
                    ),
                    RIGHT,
                ),
                (_("Suggest they see how they feel in an hour."), WRONG),
            ),
        ),
        pass_mark=4,
        links_to_help=True,
    ),
    Lesson(
        slug="self-care",
        title=_("Looking after yourself"),
        summary=_("Listening can be heavy. Your limits matter too."),
        paragraphs=(
            _(
                "Listening to people who are struggling is meaningful, and it can also be heavy. Notice how you "
                "feel after a chat. Feeling tired or sad, or replaying a conversation in your head, is common: "
                "it's a sign to rest, not a failure."
            ),
            _(
                "Set your own limits. You choose how many chats you take at once; take breaks between them, and "
                "go offline whenever you need to. You never have to take a chat you're not up for."
            ),
            _(
                "After a hard chat, do something that grounds you: a walk, a glass of water, time with someone "
                "you trust (without details of the person). If a chat stirs up your own struggles, you deserve "
                "support too: you can ask for a listener yourself, and the “Get help now” page is there for you "
                "as much as for anyone."
            ),
            _(
                "You are not responsible for fixing anyone's life, or for what happens next. Your part is to "
                "listen well and to bring in help when it's needed."
            ),
        ),
        questions=(
            _q(
                "q1",
                _("After a hard chat you feel drained and keep thinking about it."),
                (_("Take another chat straight away to take your mind off it."), WRONG),
                (_("Take a break, go offline if you need to, and do something that grounds you."), RIGHT),
                (_("Contact the person on another app to check they're all right."), WRONG),
            ),
            _q(
                "q2",
                _("How many chats should you take at once?"),
                (_("As many as come in."), WRONG),
                (_("As many as you can give real attention to. One is fine."), RIGHT),
                (_("Never fewer than three."), WRONG),
            ),
            _q(
                "q3",
                _("Who is responsible for what happens in the person's life?"),
                (_("You, as their listener."), WRONG),
                (_("They are, with support around them; your part is to listen and bring in help."), RIGHT),
                (_("Whoever talked with them last."), WRONG),
            ),
        ),
        pass_mark=2,
        links_to_help=True,
    ),
)

LESSONS_BY_SLUG: dict[str, Lesson] = {lesson.slug: lesson for lesson in LESSONS}

CODE_OF_CONDUCT: tuple[str | Promise, ...] = (
    _("I listen without judging. I don't try to fix, diagnose or treat anyone."),
    _("I am a peer, not a therapist, counsellor or doctor, and I never give medical advice."),
    _(
        "I keep everyone anonymous: I never ask for or share real names, phone numbers, addresses, e-mail "
        "addresses, social media accounts or photos, mine or theirs."
    ),
    _("I keep chats here, and never move a conversation to another app, a call or a meeting."),
    _(
        "I keep what people tell me private. I share it only through “Ask responders for help”, when I'm "
        "worried someone may be in danger."
    ),
    _(
        "When someone is in crisis I stay with them, ask responders for help, and share the “Get help now” page "
        "with crisis lines for their country."
    ),
    _("I never ask for or accept money, gifts or favours, and I never flirt or have romantic or sexual conversations."),
    _("I treat every person with respect, whatever their background, beliefs, identity or story."),
    _("I look after myself: I take breaks, and I go offline when I need to."),
    _("I understand that if I break these promises, I may no longer be a listener here."),
)


def lesson_by_slug(slug: str) -> Lesson | None:
    return LESSONS_BY_SLUG.get(slug)


# --- A person's progress ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingProgress:
    """Where someone is on the way to listening. `passed` holds only the passes that count now."""

    profile: ListenerProfile | None
    passed: Mapping[str, LessonResult]
    conduct_accepted: bool
    reapply_from: datetime | None  # declined: the earliest they may apply again
    now: datetime

    @property
    def status(self) -> str:
        return self.profile.status if self.profile is not None else ListenerStatus.TRAINING

    @property
    def lessons_left(self) -> tuple[Lesson, ...]:
        return tuple(lesson for lesson in LESSONS if lesson.slug not in self.passed)

    @property
    def trained(self) -> bool:
        return not self.lessons_left and self.conduct_accepted

    @property
    def waiting_to_reapply(self) -> bool:
        return self.reapply_from is not None and self.now < self.reapply_from

    @property
    def can_apply(self) -> bool:
        return (
            self.status in (ListenerStatus.TRAINING, ListenerStatus.DECLINED)
            and self.trained
            and not self.waiting_to_reapply
        )


def _counts_since(profile: ListenerProfile | None) -> datetime | None:
    """After a decline, only what was done since the decision counts."""
    if profile is not None and profile.status == ListenerStatus.DECLINED:
        return profile.decided_at
    return None


def training_progress(
    *, profile: ListenerProfile | None, results: list[LessonResult], now: datetime
) -> TrainingProgress:
    since = _counts_since(profile)
    passed = {
        result.lesson: result
        for result in results
        if result.lesson in LESSONS_BY_SLUG and (since is None or result.passed_at > since)
    }
    accepted_at = profile.conduct_accepted_at if profile is not None else None
    conduct_accepted = accepted_at is not None and (since is None or accepted_at > since)
    reapply_from = since + REAPPLY_AFTER if since is not None else None
    return TrainingProgress(
        profile=profile, passed=passed, conduct_accepted=conduct_accepted, reapply_from=reapply_from, now=now
    )


def listener_training_get(*, user: User, profile: ListenerProfile | None = None) -> TrainingProgress:
    """The person's own training and application (their listener profile, if they have one). Pass a
    `profile` already loaded (and locked) to use it instead of reading it again."""
    if profile is None:
        profile = ListenerProfile.objects.filter(user=user).first()
    results = list(LessonResult.objects.filter(user=user))
    return training_progress(profile=profile, results=results, now=timezone.now())
