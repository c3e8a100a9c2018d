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
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bench import drafts
from bench.coaching import load
from bench.scoring import ROOT, Labelled
from dialogs.drafts import staged
from dialogs.reader.model import DRAFT_MODEL, MODEL

DATA = ROOT / "tests" / "data"
SETS = sorted(DATA.glob("stories*.toml"))
# drafts_fresh.toml is a test's own list, in another shape.
DRAFT_SETS = [DATA / "drafts.toml", *sorted(DATA.glob("drafts-*.toml"))]
# The regularisation, chosen by leaving one author's set out (docs/coaching.md, "A second
# opinion"), and the rarest label worth a model.
C = 4.0
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.train_reader", description=__doc__)
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--drafts", action="store_true", help="train the /draft checker's")
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    sets = [p.resolve() for p in arguments.sets] or (DRAFT_SETS if arguments.drafts else SETS)
    out = arguments.out or (DRAFT_MODEL if arguments.drafts else MODEL)
    started = time.perf_counter()
    stories: list[Labelled]
    if arguments.drafts:
        stories = [d for path in sets for d in drafts.load(path) if d.expect and not d.lang]
        texts = [staged(d.text, d.step, d.meetings, d.medium) for d in stories]
    else:
        stories = [s for path in sets for s in load(path) if s.expect and not s.lang]
        texts = [story.text.lower() for story in stories]
    words, chars = vectorizers()
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    labels = sorted({advice for story in stories for advice in story.expect})
    labels = [a for a in labels if sum(a in s.expect for s in stories) >= MIN_EXAMPLES]
    models = [
        LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(
            matrix, [advice in story.expect for story in stories]
        )
        for advice in labels
    ]
    probes = texts[:: max(1, len(texts) // PROBES)][:PROBES]
    probe_matrix = hstack([words.transform(probes), chars.transform(probes)]).tocsr()
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
        coef=np.vstack([m.coef_[0] for m in models]).astype(np.float32),
        intercept=np.array([m.intercept_[0] for m in models], dtype=np.float32),
        probe_texts=np.array(probes),
        probe_probabilities=np.array([m.predict_proba(probe_matrix)[:, 1] for m in models]).T,
        trained_on=np.array([str(p.relative_to(ROOT)) for p in sets]),
        sets_sha256=np.array(digest.hexdigest()),
    )
    print(
        f"{len(stories)} labelled texts, {len(labels)} advice ids, {matrix.shape[1]} features: "
        f"{out} ({out.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
