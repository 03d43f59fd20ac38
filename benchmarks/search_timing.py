"""How long a search takes over a 10,000-post corpus, on the database the environment names.

    PYTHONPATH=src .venv/bin/python benchmarks/search_timing.py [--posts 10000] [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search PYTHONPATH=src \
        .venv/bin/python benchmarks/search_timing.py

Without DATABASE_URL it uses SQLite in a throwaway DATA_DIR (removed afterwards). A PostgreSQL
database named in DATABASE_URL must exist; the corpus is made once and reused by later runs.
Seeds six communities with topics, a reader who belongs to four of them, and `--posts` posts
(threads of ten) written with the ORM in bulk (benchmark data: no screening, no notifications),
then times, per query, what the search page asks for: `selectors.search_results` (posts,
communities and a spelling suggestion) when the code has it, and `selectors.post_search` alone.
Prints one markdown table: median and 90th percentile in milliseconds over `--runs` runs, after
two unmeasured ones, and how many posts were found. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUERIES = [
    "sleep",
    "slept",
    "panic attack",
    '"warm bath"',
    "sleep -work",
    "anxiety or panic",
    "anxeity",
    "lighthouse",
    "what is the best way to stop worrying at night",
    "students",
]

_SUBJECTS = ["I", "My sister", "My partner", "Everyone at work", "My son", "Our group", "My counsellor"]
_PHRASES = [
    "slept badly again and woke at four",
    "could not sleep after the news",
    "had a panic attack on the bus",
    "felt lonely all weekend",
    "thought about my dad a lot today",
    "lost my job last month",
    "ate nothing but toast",
    "am sleeping a little better with a warm bath before bed",
    "keeps worrying at night",
    "started a new course at university",
    "finds the mornings the hardest",
    "went for a long walk by the canal",
    "is anxious about the exams",
    "cried in the car park",
    "wrote three things I am grateful for",
    "talked to a listener here and it helped",
    "panic attacks come out of nowhere",
    "drank less this week, one day at a time",
    "missed the meeting because of low mood",
    "is learning to say no at work",
]
_COMMUNITIES = [
    ("Sleep and rest", ["anxiety"], "Nights, naps and the hours in between."),
    ("Anxiety support", ["anxiety"], "Worry, panic and getting through the day."),
    ("Grief and loss", ["grief"], "For anyone missing someone."),
    ("Recovery together", ["addiction"], "One day at a time."),
    ("Students", ["students"], "Exams, deadlines and being far from home."),
    ("Work and money", ["work"], "Jobs, bills and everything in between."),
]


def _setup_django(data_dir: Path | None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    if data_dir is not None:
        os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    import django

    django.setup()


def _body(rng: random.Random) -> str:
    sentences = [f"{rng.choice(_SUBJECTS)} {rng.choice(_PHRASES)}." for _ in range(rng.randint(2, 6))]
    return " ".join(sentences)


def _seed(posts: int) -> Any:
    from django.db import connection
    from django.utils.html import escape

    from alongside.accounts import services as account_services
    from alongside.accounts.models import Role, User
    from alongside.communities import services
    from alongside.communities.models import Post, Thread

    reader = User.objects.filter(username="bench_search_reader").first()
    if reader is not None and Post.objects.count() >= posts:
        return reader
    admin = account_services.user_register(pseudonym="bench_search_lead", password=secrets.token_urlsafe(24))
    account_services.user_role_set(actor=None, user=admin, role=Role.ADMIN, reason="benchmark data")
    reader = account_services.user_register(pseudonym="bench_search_reader", password=secrets.token_urlsafe(24))
    communities = []
    for index, (name, topics, description) in enumerate(_COMMUNITIES):
        community = services.community_create(actor=admin, name=name, description=description, topics=topics)
        if index < 4:
            services.community_join(actor=reader, community=community)
        communities.append(community)
    rng = random.Random(2026)  # noqa: S311 - benchmark text, not secrets
    threads = Thread.objects.bulk_create(
        Thread(community=communities[i % len(communities)], title=rng.choice(_PHRASES).capitalize()[:150])
        for i in range(posts // 10)
    )
    rows = []
    for thread in threads:
        for position in range(10):
            body = _body(rng)
            rows.append(
                Post(
                    thread=thread,
                    author=reader if position % 2 else admin,
                    is_opening=position == 0,
                    body=body,
                    body_html=f"<p>{escape(body)}</p>",
                )
            )
    Post.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return reader


def _time(call: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    for _ in range(2):
        result = call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.9))], result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    data_dir = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="alongside-search-bench-"))
    try:
        _setup_django(data_dir)
        from django.core.management import call_command
        from django.db import connection

        from alongside.communities import selectors

        call_command("migrate", verbosity=0, interactive=False)
        reader = _seed(options.posts)
        everything = getattr(selectors, "search_results", None)
        print(f"{connection.vendor}, {options.posts} posts, {options.runs} runs per query\n")
        print("| query | search page: median ms | p90 ms | posts alone: median ms | p90 ms | posts found |")
        print("|---|---:|---:|---:|---:|---:|")
        for query in QUERIES:
            posts_median, posts_p90, found = _time(
                lambda q=query: selectors.post_search(user=reader, query=q), options.runs
            )
            if everything is not None:
                page_median, page_p90, _ = _time(lambda q=query: everything(user=reader, query=q), options.runs)
                page = f"{page_median:.1f} | {page_p90:.1f}"
            else:
                page = "- | -"
            print(f"| `{query}` | {page} | {posts_median:.1f} | {posts_p90:.1f} | {len(found)} |")
    finally:
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
