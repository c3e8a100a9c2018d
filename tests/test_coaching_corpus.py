"""The reader's score on the labelled corpus (tests/data/stories.toml) stays at its floor.

The floors are the figures reached when they were set, rounded down a little; a change
that makes the reader understand less fails here. `python -m bench.coaching` prints the
full figures and the stories missed.
"""

from __future__ import annotations

from bench.coaching import CORPUS, load, reader_for, score

# Share of stories whose advice matches, and accuracy of the facts.
MATCH_FLOOR = 0.88
FACT_FLOORS = {"hero": 0.8, "kind": 0.83, "meetings": 0.8, "time": 0.91, "language": 0.98}
# Each half on its own: s001-s420 (the reader was first tuned on them) and s421-s1020
# (written later, in other fields and voices), so a gain on one cannot hide a loss on the other.
HALF_FLOORS = {(1, 420): 0.87, (421, 1020): 0.89}


def test_the_corpus_is_scored_at_its_floor() -> None:
    stories = load(CORPUS)
    assert len(stories) >= 400
    result = score(stories, reader_for("full"))
    assert result.share >= MATCH_FLOOR, f"{result.matched}/{result.stories} stories match"
    for name, floor in FACT_FLOORS.items():
        right, asked = result.facts[name]
        assert right / asked >= floor, f"{name}: {right}/{asked}"


def test_each_half_of_the_corpus_is_scored_at_its_floor() -> None:
    stories = load(CORPUS)
    for (first, last), floor in HALF_FLOORS.items():
        half = [story for story in stories if first <= int(story.id[1:]) <= last]
        result = score(half, reader_for("full"))
        assert result.share >= floor, f"s{first}-s{last}: {result.matched}/{result.stories}"


def test_a_story_in_another_language_gets_no_advice() -> None:
    stories = [story for story in load(CORPUS) if story.lang]
    assert stories
    result = score(stories, reader_for("full"))
    assert result.matched == result.stories
