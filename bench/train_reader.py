"""python -m bench.train_reader [--drafts]: trains the reader's second opinion
(dialogs/reader/model.py) on the labelled stories and writes dialogs/reader/model.npz; with
--drafts, the /draft checker's on the labelled drafts (dialogs/reader/drafts.npz), each
draft's stage given as words of its own (`dialogs.drafts.staged`).

Needs scikit-learn (`pip install -e '.[train]'`); the bot reads the model with numpy alone.
The stories are every tests/data/stories*.toml: the corpus and the sets written by other
authors (tests/data/README.md). Stories in another language and those that say too little
teach nothing about advice and are left out. The file also keeps a few stories with the
probabilities scikit-learn gave them, so a test can prove the numpy reading is the same.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bench import drafts
from bench.coaching import TODAY, load, reader_for, score
from bench.scoring import ROOT, Labelled
from dialogs.content import default_content
from dialogs.drafts import staged
from dialogs.reader import read_grounds
from dialogs.reader.language import english_share
from dialogs.reader.model import (
    DRAFT_MODEL,
    MODEL,
    Model,
    Weigher,
    mark_negation,
    weigh_features,
)

DATA = ROOT / "tests" / "data"
SETS = sorted(DATA.glob("stories*.toml"))
# drafts_fresh.toml is a test's own list, in another shape.
DRAFT_SETS = [DATA / "drafts.toml", *sorted(DATA.glob("drafts-*.toml"))]
# The regularisation, chosen by leaving one author's set out (docs/coaching.md, "A second
# opinion"), and the rarest label worth a model.
C = 4.0
# The second stage's regularisation, chosen the same way.
WEIGH_C = 1.0
MIN_EXAMPLES = 3
PROBES = 12


def vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)
    return words, chars


def vocabulary(vectorizer: TfidfVectorizer) -> np.ndarray:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    return np.array(terms)


def fit(
    texts: list[str], stories: list[Labelled], labels: list[str]
) -> tuple[TfidfVectorizer, TfidfVectorizer, list[LogisticRegression | None]]:
    """The first stage: one logistic regression per advice id (None for an id these
    stories hold too few examples of)."""
    words, chars = vectorizers()
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    models = []
    for advice in labels:
        truth = [advice in story.expect for story in stories]
        models.append(
            LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(matrix, truth)
            if sum(truth) >= MIN_EXAMPLES
            else None
        )
    return words, chars, models


def predict(
    fitted: tuple[TfidfVectorizer, TfidfVectorizer, list[LogisticRegression | None]],
    texts: list[str],
) -> np.ndarray:
    words, chars, models = fitted
    matrix = hstack([words.transform(texts), chars.transform(texts)]).tocsr()
    return np.array(
        [m.predict_proba(matrix)[:, 1] if m is not None else np.zeros(len(texts)) for m in models]
    ).T


@dataclass
class Fold:
    """One author's set, read by the rules and by a first stage trained without it."""

    fitted: tuple[TfidfVectorizer, TfidfVectorizer, list[LogisticRegression | None]]
    rows: np.ndarray  # the second stage's rows of its long English stories
    truth: np.ndarray


def author_folds(sets: list[Path], labels: list[str]) -> dict[Path, Fold]:
    """The second stage's examples: every long English story by another author than the
    rules' (`stories-*.toml`), read by the rules and by a first stage trained without that
    author's set, so the model is as sure as it is of text it never saw; one row per
    advice id. The corpus, which the rules were written against, only trains."""
    settings = default_content().reader
    min_meetings = default_content().readiness.min_meetings
    labelled = {path: [s for s in load(path) if s.expect and not s.lang] for path in sets}
    folds = {}
    for path, held in labelled.items():
        if not path.name.startswith("stories-"):
            continue
        train = [s for other, some in labelled.items() if other != path for s in some]
        fitted = fit([mark_negation(s.text.lower()) for s in train], train, labels)
        weighed = [
            (story, grounds)
            for story in held
            if (
                grounds := read_grounds(
                    story.text,
                    heroes=story.heroes,
                    today=TODAY,
                    min_meetings=min_meetings,
                    step=story.step,
                )
            )
            is not None
            and grounds.words >= settings.model_min_words
            and english_share(grounds.text) >= settings.model_english_share
        ]
        likely = predict(fitted, [mark_negation(grounds.text) for _, grounds in weighed])
        rows = [
            weigh_features(
                labels,
                probabilities,
                grounds.rules()[0],
                grounds.candidates,
                asked=grounds.asked,
                step=grounds.step,
                words=grounds.words,
            )
            for (_, grounds), probabilities in zip(weighed, likely, strict=True)
        ]
        truth = [advice in story.expect for story, _ in weighed for advice in labels]
        folds[path] = Fold(fitted, np.vstack(rows), np.array(truth))
        print(f"  {path.name}: {len(weighed)} stories weighed", flush=True)
    return folds


@dataclass(frozen=True)
class _FoldModel:
    """The shipped model's reading, from a fold's first stage (scikit-learn) and weigher."""

    labels: tuple[str, ...]
    fitted: tuple[TfidfVectorizer, TfidfVectorizer, list[LogisticRegression | None]]
    weigher: Weigher

    def probabilities(self, text: str) -> dict[str, float]:
        found = predict(self.fitted, [mark_negation(text.lower())])[0]
        return dict(zip(self.labels, found.tolist(), strict=True))

    weigh = Model.weigh


def leave_one_author_out(labels: list[str], folds: dict[Path, Fold]) -> None:
    """Scores the reader on each author's set with models trained without it: the rules
    alone, and the rules with the model as the bot reads (docs/coaching.md, "Weighing").
    The second stage of a fold learns from the other authors' rows, which first stages
    trained with the held author scored: a small flattery, said where the figures are."""
    reader = reader_for("full")
    rules = reader_for("rules")
    total = [0, 0, 0]
    for path, fold in folds.items():
        others = [f for p, f in folds.items() if p != path]
        weigher = LogisticRegression(C=WEIGH_C, max_iter=3000).fit(
            np.vstack([f.rows for f in others]), np.concatenate([f.truth for f in others])
        )
        model = _FoldModel(
            tuple(labels),
            fold.fitted,
            Weigher(weigher.coef_[0].astype(np.float32), float(weigher.intercept_[0])),
        )
        stories = load(path)
        with patch("dialogs.reader.story_model", return_value=model):
            weighed = score(stories, reader)
        alone = score(stories, rules)
        total = [total[0] + len(stories), total[1] + alone.matched, total[2] + weighed.matched]
        print(
            f"  {path.name}: rules {alone.matched / len(stories):.1%}, "
            f"weighed {weighed.matched / len(stories):.1%}",
            flush=True,
        )
    print(
        f"{total[0]} stories by {len(folds)} authors: rules alone {total[1]} "
        f"({total[1] / total[0]:.1%}), with the model {total[2]} ({total[2] / total[0]:.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.train_reader", description=__doc__)
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--drafts", action="store_true", help="train the /draft checker's")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--folds", action="store_true", help="score leaving one author out; write nothing"
    )
    arguments = parser.parse_args()
    sets = [p.resolve() for p in arguments.sets] or (DRAFT_SETS if arguments.drafts else SETS)
    out = arguments.out or (DRAFT_MODEL if arguments.drafts else MODEL)
    started = time.perf_counter()
    stories: list[Labelled]
    if arguments.drafts:
        stories = [d for path in sets for d in drafts.load(path) if d.expect and not d.lang]
        texts = [staged(d.text, d.step, d.meetings, d.medium) for d in stories]
        read_as = texts
    else:
        stories = [s for path in sets for s in load(path) if s.expect and not s.lang]
        texts = [story.text.lower() for story in stories]
        read_as = [mark_negation(text) for text in texts]
    labels = sorted({advice for story in stories for advice in story.expect})
    labels = [a for a in labels if sum(a in s.expect for s in stories) >= MIN_EXAMPLES]
    words, chars, models = fitted = fit(read_as, stories, labels)
    first = [m for m in models if m is not None]  # every label has its examples here
    assert len(first) == len(labels)
    probes = range(0, len(texts), max(1, len(texts) // PROBES))[:PROBES]
    stored = {}
    if not arguments.drafts:
        folds = author_folds(sets, labels)
        if arguments.folds:
            leave_one_author_out(labels, folds)
            return
        rows = np.vstack([fold.rows for fold in folds.values()])
        truth = np.concatenate([fold.truth for fold in folds.values()])
        weigher = LogisticRegression(C=WEIGH_C, max_iter=3000).fit(rows, truth)
        picked = rows[:: max(1, len(rows) // PROBES)][:PROBES]
        stored = {
            "weigh_coef": weigher.coef_[0].astype(np.float32),
            "weigh_intercept": np.float32(weigher.intercept_[0]),
            "weigh_probe_rows": picked,
            "weigh_probe_scores": weigher.predict_proba(picked)[:, 1],
            "negation": np.array(True),
        }
    digest = hashlib.sha256()
    for path in sets:
        digest.update(path.read_bytes())
    np.savez_compressed(
        out,
        labels=np.array(labels),
        word_vocabulary=vocabulary(words),
        word_idf=words.idf_.astype(np.float32),
        char_vocabulary=vocabulary(chars),
        char_idf=chars.idf_.astype(np.float32),
        coef=np.vstack([m.coef_[0] for m in first]).astype(np.float32),
        intercept=np.array([m.intercept_[0] for m in first], dtype=np.float32),
        probe_texts=np.array([texts[i] for i in probes]),
        probe_probabilities=predict(fitted, [read_as[i] for i in probes]),
        trained_on=np.array([str(p.relative_to(ROOT)) for p in sets]),
        sets_sha256=np.array(digest.hexdigest()),
        **stored,
    )
    print(
        f"{len(stories)} labelled texts, {len(labels)} advice ids: "
        f"{out} ({out.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
