"""The one reader of what a user writes about a hero (docs/coaching.md, section 1).

`read` turns a story into a Reading: signals with who did it, whether they did, when,
and the words it came from; the facts the story carries (hero, day, kind, meeting
count, a date the hero named, language); and the advice the policy chooses.

The pipeline: clean and respell from a table (text.py), scan the rules (rules.py, regexes with
negation by clause), place each hit (who, time) from the sentence around it, read
the facts (facts.py, language.py), advise (policy.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from dialogs.content import default_content
from dialogs.reader import facts, rules
from dialogs.reader.language import english_share, identify
from dialogs.reader.model import Model, clashes, story_model
from dialogs.reader.policy import ACT_ADVICE, advise
from dialogs.reader.reading import (
    MEETING_SIGNALS,
    USER_ACTS,
    Polarity,
    Reading,
    SignalReading,
    Time,
    Who,
)
from dialogs.reader.rules import Signal
from dialogs.reader.text import Speller, clean, words

__all__ = [
    "Polarity",
    "Reading",
    "Signal",
    "SignalReading",
    "StoryReading",
    "Time",
    "Who",
    "read",
    "read_story",
]


# --- placing a hit: who and when -----------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)|\s-\s")
_USER = (
    r"(?:i|i'm|i've|i'd|i'll|we|we're|we've|we'd|me and|myself|"
    r"my (?:mind|brain|head|heart|hands|voice|palms|knees))"
)
# "It was 80/20 me", "it turned into a contest", "it'll cut her bill": the meeting or the
# user's thing as subject, so the story's own actor (the user) did the user's acts.
_IT = r"(?:it(?:'s| was| is| turned| became| felt| ended up)|(?:it|that)(?:'ll|'d| will| would))"
_HERO = r"(?:he|she|they|he's|she's|they're|he'd|she'd|they'd|he'll|she'll|they'll)"
_HEDGE = re.compile(
    r"\b(?:i think|i'm (?:pretty |so |totally |absolutely )?sure|pretty sure|i just know|"
    r"i could (?:just )?tell|i feel like|i bet|i guess|probably|i'm certain|"
    r"\d+ ?% sure|i reckon|i'd say|"
    r"i suppose|i figure|i'm (?:convinced|positive)|i swear|surely)\b"
)
_IRONY = re.compile(
    r"(?:\blol\b|\blmao\b|\U0001f643|\U0001f644|/s\b|\byeah right\b|\boh yeah\b|"
    r"\bliving the dream\b|\bwhat a (?:warm|great|lovely)\b|\bso subtle\b|"
    r"\breally felt the love\b|\bsaid no one ever\b|\blove that for me\b|\briveting\b|"
    r"\bthanks a lot\b)"
)
_REPORTED = re.compile(r"\b(?:said|says|told|replied|answered|wrote|texted|emailed)\b")
# "which gym he goes to": a subject a few words after "which" or "what" heads a clause too.
_DIARY_ASK = re.compile(r"asked (?!me\b)")
_CLAUSE_OPENS = re.compile(
    r"(?:^|[.,;:!?(]|\b(?:and|then|but|so|when|while|because|after|before|as|though))\s*$"
)
_HEROS_OWN = re.compile(r"(?:his|her|their) ")
_EMBEDDING = re.compile(
    r"\b(?:(?:how|what|why|where|when|if|whether|that|who|which)|(?:which|what|whose)"
    r"(?:\s+[\w'-]+){1,4})\s+$"
)
_AFTER_PREPOSITION = re.compile(r"\b(?:on|in|at|with|for|to|from|of|about|by|into)\s+$")
# "i told her she's a genius" and "i said he": a clause someone reports, not the
# subject of the acts that follow it ("..., asked for a selfie and posted it").
_REPORTING = re.compile(
    r"\b(?:told|tell|telling|said|say|says|saying|think|thinks|thought|know|knew|felt|feel|hope|"
    r"reckons|claims|swears|"
    r"guess|bet|mentioned|joked|admitted|swear|swore)(?: (?:her|him|them|me|you|"
    # or the one told by name ("told Bettina she..."), not a clause's first word
    r"(?!(?:so|that|to|and|but|then|because|it|this|if|when|is|was|are)\b)[a-z][\w-]+))?\s+$"
)
# "told Bettina", "saw lena at the door": the hero's name right after a verb of the user's
# is its object, not the subject of the acts that follow.
_OBJECT_OF = re.compile(
    r"\b(?:ask|asking|tell|telling|show|showing|send|sending|email|emailing|text|texting|"
    r"call|calling|thank|thanking|invite|inviting|pitch|pitching|bug|bugging|pester|pestering|"
    r"message|messaging|ping|pinging|meet|meeting|"
    r"told|asked|saw|met|showed|gave|sent|emailed|texted|called|thanked|caught|followed|"
    r"invited|bought|hugged|interrupted|cornered|pinged|messaged|tagged|corrected|pitched|"
    r"approached|watched|helped|bothered|begged|reminded|promised|offered|chased|grabbed|"
    r"stopped|ambushed|complimented|praised|flattered|found|spotted|visited|joined)\s+$"
)
_POSSESSIVE = r"(?!(?:it|that|he|she|what|there|here|let|who|where)'s)[a-z]+'s"
_DETERMINER = r"(?:my|a|an|the|some|his|her|their|our|one|another|other|two|few|couple of)"


@cache
def _others() -> re.Pattern[str]:
    nouns = "|".join(re.escape(noun) for noun in words()["others"]["nouns"])
    return re.compile(
        # "Walt's manager", "my friend's sister": a possessive before a person is that person.
        rf"\b(?:{_DETERMINER} (?:[\w-]+ )?(?:{nouns})s?|{_POSSESSIVE} (?:[\w-]+ )?(?:{nouns})s?|"
        rf"someone|somebody|everyone|everybody|"
        rf"people|nobody else)\b"
    )


# What a hero's assistant or office passes on for them: a refusal, a brush-off, an invitation.
_PASSED_ON = frozenset(
    {
        Signal.COLD,
        Signal.CUT_SHORT,
        Signal.LUKEWARM,
        Signal.OPEN_DOOR,
        Signal.WARM,
        Signal.QUICK_REPLY,
        *rules.OUTCOMES,
    }
)
_MESSENGER = re.compile(
    r"\b(?:" + "|".join(re.escape(noun) for noun in words()["others"]["messengers"]) + r")s?$"
)


@cache
def _markers(kind: str) -> re.Pattern[str]:
    phrases = sorted(words()["time"][kind], key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w'])")


def _subject_pattern(names: Sequence[str]) -> re.Pattern[str]:
    hero = "|".join(re.escape(name) for name in names)
    # "Walt's manager pitched me": the manager, not Walt, is the subject.
    nouns = "|".join(re.escape(noun) for noun in words()["others"]["nouns"])
    theirs = rf"(?P<theirs>(?:{hero})'s (?:[\w-]+ )?(?:{nouns})s?)|" if hero else ""
    hero_names = rf"|(?P<name>{hero})(?:'s)?" if hero else ""
    return re.compile(
        rf"(?<![\w'])(?:{theirs}(?P<user>{_USER})|(?P<hero>{_HERO}){hero_names}|(?P<it>{_IT})|(?P<other>"
        + _others().pattern
        + r"))(?![\w'])"
    )


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int
    asks: bool
    # "Got a selfie? No.": a question the user answers at once tells what did not happen.
    answered_no: bool = False


_ANSWER = re.compile(
    r"\s*(?:(?P<no>no|nope|nah|not once|never|none|zero)|yes|yep|yeah|yup)\b[.!,]"
)


def _sentences(text: str) -> list[_Sentence]:
    found: list[_Sentence] = []
    start = 0
    for end in [*_SENTENCE_END.finditer(text), None]:
        stop = end.end() if end else len(text)
        piece = text[start:stop]
        # Inside a quote, "serious? No." is someone's reply, not the user answering.
        quoted = text.count('"', 0, stop) % 2 == 1
        answer = _ANSWER.match(text, stop) if piece.rstrip().endswith("?") and not quoted else None
        if answer:
            found.append(_Sentence(start, stop, False, bool(answer.group("no"))))
        else:
            asks = "?" in piece or bool(_markers("asked").search(piece))
            found.append(_Sentence(start, stop, asks))
        start = stop
    return found


_USERS_WORRY = re.compile(
    r"\s*(?:am |was |have been |'ve been |feel |felt )?(?:so |really |a bit |pretty )?"
    r"(?:worried|stressed|anxious|concerned|nervous|scared|afraid|freaking out)\b"
)


def _who(text: str, hit: rules.Hit, sentence: _Sentence, subjects: re.Pattern[str]) -> Who:
    if hit.signal in MEETING_SIGNALS:
        return Who.HERO
    # The match's own first word, else the last subject named before it in the sentence.
    first = subjects.match(text, hit.start)
    candidates = [first] if first else []
    if not candidates:
        # "asked her how she'd approach it and took notes": a subject after a wh-word or
        # "that" heads a clause inside the sentence, not the sentence's own acts.
        candidates = [
            found
            for found in subjects.finditer(text, sentence.start, hit.start)
            if not _EMBEDDING.search(text, max(sentence.start, found.start() - 40), found.start())
            and not _REPORTING.search(text, max(sentence.start, found.start() - 16), found.start())
            # "the crunch on her team": a noun after a preposition is no one's subject.
            and not _AFTER_PREPOSITION.search(
                text, max(sentence.start, found.start() - 7), found.start()
            )
            and not (
                found.groupdict().get("name")
                and _OBJECT_OF.search(text, max(sentence.start, found.start() - 14), found.start())
            )
            # "ask what scaling her team took, then just listen": the hero's people after a
            # verb are its object, not the subject of the user's acts.
            and not (
                hit.signal in USER_ACTS
                and found.group("other")
                and _HEROS_OWN.match(found.group("other"))
                and not _CLAUSE_OPENS.search(text, sentence.start, found.start())
            )
        ][-1:]
    if not candidates:
        if (
            hit.signal is Signal.FOLLOW_UP_QUESTIONS
            and _DIARY_ASK.match(text, hit.start)
            and not text[sentence.start : hit.start].strip()
        ):
            # "Asked if I could follow him around": a diary line drops its "I", so these are
            # the user's questions, not the hero's.
            return Who.USER
        return Who.USER if hit.signal in USER_ACTS else Who.HERO
    subject = candidates[0]
    if (
        hit.signal is Signal.PROBLEM_SHARED
        and subject.group("user")
        and _USERS_WORRY.match(text, subject.end(), hit.end)
    ):
        # "I'm worried about Obi": the user's own worry, not a problem the hero shared.
        return Who.USER
    if subject.group("user") or subject.group("it"):
        # "i asked him" is the user's; "we laughed" is the meeting's, so the hero's too.
        return Who.USER if hit.signal in USER_ACTS else Who.HERO
    other = subject.group("other") or subject.groupdict().get("theirs")
    if other:
        if hit.signal in _PASSED_ON and _MESSENGER.search(other):
            # "Her assistant said she can't take on requests": the hero's answer, passed on.
            return Who.HERO
        if hit.signal is Signal.PROBLEM_SHARED and (
            subject.groupdict().get("theirs") or _HEROS_OWN.match(other)
        ):
            # "Her team can't ship": the trouble of the hero's people is the hero's trouble.
            return Who.HERO
        return Who.OTHER
    if hit.signal is Signal.OFFERED_INSIGHT:
        # "she said she'd never thought of that" is the hero's word for the user's insight.
        return Who.USER
    return Who.HERO


def _planned(text: str, start: int, at: int) -> bool:
    """Whether a plan marker governs the clause of `at`, in the sentence from `start`. A
    plan governs its own clause: "I didn't plan to, but I pitched" is a pitch. A reason
    shares its plan's time: "thinking of sending it because it would fix her problem"."""
    breaks = [
        found.end()
        for found in rules.CLAUSE_BREAK.finditer(text, start, at)
        if found.group() != "because"
    ]
    clause = max([start, *breaks])
    marker = _markers("planned").search(text, clause, at)
    return marker is not None and not rules.negated(text, marker.start(), marker.end())


def _ahead(text: str, at: int) -> bool:
    """Whether the words at `at` are told as a plan or asked about, not as what happened."""
    start = max((found.end() for found in _SENTENCE_END.finditer(text, 0, at)), default=0)
    end = _SENTENCE_END.search(text, at)
    return "?" in text[at : end.end() if end else len(text)] or _planned(text, start, at)


def _time(text: str, hit: rules.Hit, sentence: _Sentence) -> Time:
    if (
        hit.signal in rules.OUTCOMES
        and sentence.asks
        and not _REPORTED.search(text, sentence.start, hit.start)
    ):
        # "Should I ask again later?" is the user's question, not the hero's answer.
        return Time.ASKED
    if hit.signal not in USER_ACTS:
        return Time.HAPPENED
    if sentence.asks:
        return Time.ASKED
    return Time.PLANNED if _planned(text, sentence.start, hit.start) else Time.HAPPENED


_AT_FIRST = re.compile(r"\b(?:at first|initially|to begin with|in the beginning|at the start)\b")
_TURN = re.compile(r"\bbut\b")
# Reactions a story can say changed: "distracted at first, but then stayed an extra hour".
_PASSING = frozenset(
    {Signal.COLD, Signal.WARM, Signal.LUKEWARM, Signal.MORE_AWKWARD, Signal.STARSTRUCK}
)


def _passed(text: str, hit: rules.Hit, sentence: _Sentence) -> bool:
    """Tells whether the story says the reaction gave way to another later in the sentence."""
    if hit.signal not in _PASSING:
        return False
    first = _AT_FIRST.search(text, max(sentence.start, hit.start - 40), sentence.end)
    return bool(
        first and first.start() < hit.end + 30 and _TURN.search(text, first.end(), sentence.end)
    )


def _hedged(text: str, hit: rules.Hit, sentence: _Sentence) -> bool:
    """Tells whether "I think", "I'm sure"... governs the hit's clause."""
    breaks = [
        found.start() for found in rules.CLAUSE_BREAK.finditer(text, sentence.start, sentence.end)
    ]
    start = max([sentence.start, *(point for point in breaks if point <= hit.start)])
    end = min([sentence.end, *(point for point in breaks if point >= hit.end)])
    # Irony marks the whole sentence: "super engaged lol" is no deed.
    return (
        _HEDGE.search(text, start, end) is not None
        or _IRONY.search(text, sentence.start, sentence.end) is not None
    )


# What ends the words a quote may take in: punctuation inside a sentence, or an emoji
# standing in for it ("posted it 😭😭 she was so nice").
_QUOTE_BREAK = re.compile(r"[,;:\u2600-\u27bf\U0001f000-\U0001faff]")


def _evidence(text: str, hit: rules.Hit, sentence: _Sentence) -> str:
    """The words to quote back: the clause around the match, trimmed to a few words."""
    # A comma ends the clause a quote may take in ("had a call, i pitched again" quotes
    # the pitch, not the call).
    before = _QUOTE_BREAK.split(text[sentence.start : hit.start])[-1].split()[-4:]
    after = _QUOTE_BREAK.split(text[hit.end : sentence.end])[0].split()[:3]
    quote = " ".join([*before, text[hit.start : hit.end], *after])
    return quote.strip(" .,;:!-")


def _about_others(
    text: str, sentences: list[_Sentence], hero: str | None, heroes: Sequence[str]
) -> tuple[frozenset[int], tuple[str, ...]]:
    """The sentences about the user's other heroes, and those heroes, in a story that names
    more than one: "Nadia replied in an hour. Kenji still hasn't answered." is warm about
    Nadia, and Kenji's silence is not hers. A sentence that names no one is about whoever
    was named last; one that names the story's hero is about that hero."""
    if hero is None or len(heroes) < 2:
        return frozenset(), ()
    # The words this story uses for each hero, short forms and slips included ("Teo").
    own = set(facts.hero_names(hero)) | {word for _, word in facts.name_places(text, hero)}
    names = {
        other: sorted({word for _, word in facts.name_places(text, other)} - own)
        for other in heroes
        if other != hero
    }
    patterns = {
        other: re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, found)) + r")(?![\w])")
        for other, found in names.items()
        if found
    }
    mine = re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, own)) + r")(?![\w])")
    elsewhere: set[int] = set()
    mentioned: list[str] = []
    topic = hero
    for place, sentence in enumerate(sentences):
        piece = text[sentence.start : sentence.end]
        named = [other for other, pattern in patterns.items() if pattern.search(piece)]
        if mine.search(piece):
            topic = hero
        elif named:
            topic = named[-1]
        mentioned.extend(other for other in named if other not in mentioned)
        if topic != hero:
            elsewhere.add(place)
    return frozenset(elsewhere), tuple(mentioned)


# --- reading ---------------------------------------------------------------------------


@cache
def _speller() -> Speller:
    return Speller()


def read(
    text: str,
    *,
    heroes: Sequence[str] = (),
    today: date | None = None,
    min_meetings: int = 3,
    languages: bool = True,
    step: str | None = None,
    use_model: bool = True,
) -> Reading:
    """Reads a story into signals, facts and advice.

    `use_model`: False for the rules alone (the benchmark's comparison).
    `step`: the hero's current step, when the caller knows it; at "ask" a bare "she said
    yes" is the answer to the ask.
    """
    reading, grounds = _read(
        text, heroes=heroes, today=today, min_meetings=min_meetings, languages=languages, step=step
    )
    if grounds is None:
        return reading
    advice, evidence = second_opinion(grounds) if use_model else grounds.rules()
    return replace(reading, advice=advice, evidence=evidence)


@dataclass(frozen=True)
class Grounds:
    """What the second opinion weighs for one English story: its words, all the advice the
    rules would give (the most important first) and the words each rests on, and what
    the model may not say on its own."""

    text: str
    words: int
    candidates: tuple[str, ...]
    evidence: Mapping[str, str]
    step: str
    # The hero is at the ask, or the story tells an answer to one: only then may the model
    # say how an ask went (it does not know whether "she said no" answered one).
    asked: bool
    # What the rules saw someone else do, or the user not do ("she pitched me her idea").
    ruled_out: frozenset[str]
    # The advice for what the rules saw the user do: the slips a "well done" cannot praise.
    slips: frozenset[str] = frozenset()

    def rules(self) -> tuple[tuple[str, ...], dict[str, str]]:
        kept = self.candidates[: default_content().reader.max_advice]
        return kept, {advice: self.evidence[advice] for advice in kept}


def read_grounds(
    text: str,
    *,
    heroes: Sequence[str] = (),
    today: date | None = None,
    min_meetings: int = 3,
    step: str | None = None,
) -> Grounds | None:
    """The rules' side of a story, for training the second opinion (bench.train_reader);
    None for a story in another language."""
    return _read(text, heroes=heroes, today=today, min_meetings=min_meetings, step=step)[1]


def _read(
    text: str,
    *,
    heroes: Sequence[str],
    today: date | None,
    min_meetings: int,
    step: str | None,
    languages: bool = True,
) -> tuple[Reading, Grounds | None]:
    cleaned = clean(text)
    language = identify(cleaned) if languages else "en"
    normal = _speller().fix(cleaned)
    story = rules.scan(normal)
    sentences = _sentences(normal)
    starts = [sentence.start for sentence in sentences]
    names = [name for hero in heroes for name in facts.hero_names(hero)]
    subjects = _subject_pattern(names)
    found: list[SignalReading] = []
    asks_to_ask = rules.wondering(story, asking=step == "ask")
    hero, named = facts.find_hero(normal, heroes) if heroes else (None, None)
    elsewhere, others = _about_others(normal, sentences, hero, heroes)
    # At the ask step a bare "she said no" answers the ask, unless the ask is still to come.
    for hit in story.hits(asking=step == "ask" and not asks_to_ask):
        place = _index(starts, hit.start)
        sentence = sentences[place]
        if place in elsewhere or _passed(normal, hit, sentence):
            continue
        found.append(
            SignalReading(
                signal=hit.signal,
                who=_who(normal, hit, sentence, subjects),
                polarity=Polarity.DID_NOT if hit.negated or sentence.answered_no else Polarity.DID,
                time=_time(normal, hit, sentence),
                evidence=_evidence(normal, hit, sentence),
                hedged=_hedged(normal, hit, sentence),
            )
        )
    day = None
    if today is not None:
        day, _ = facts.find_date(normal, today, ahead=_ahead)
    kind, kind_words = facts.find_kind(normal)
    named_date, named_words = facts.find_named_date(normal, today or date.today())
    user_times = {f.time for f in found if f.signal in USER_ACTS and f.polarity is Polarity.DID}
    if asks_to_ask or (Time.ASKED in user_times and Time.HAPPENED not in user_times):
        time = Time.ASKED
    elif Time.PLANNED in user_times and Time.HAPPENED not in user_times:
        time = Time.PLANNED
    elif not found and any(sentence.asks for sentence in sentences):
        time = Time.ASKED
    else:
        time = Time.HAPPENED
    reading = Reading(
        signals=tuple(found),
        hero=hero or (heroes[0] if heroes else None),
        hero_named=named,
        day=day,
        kind=kind,
        kind_words=kind_words,
        meetings=story.meetings(),
        named_date=named_date if today is not None else None,
        named_date_words=named_words,
        time=time,
        language=language,
        wondering=asks_to_ask,
        words=len(normal.split()),
        others=others,
        strangers=facts.strangers(text, heroes) if heroes and named is None else (),
    )
    if language != "en":
        return reading, None
    candidates, evidence = advise(reading, min_meetings=min_meetings)
    own = "".join(normal[s.start : s.end] for i, s in enumerate(sentences) if i not in elsewhere)
    return reading, Grounds(
        text=own,
        words=len(own.split()),
        candidates=candidates,
        evidence=evidence,
        step=step or "interests",
        asked=step == "ask" or any(f.signal in rules.OUTCOMES for f in found),
        # The advice of a user's act (policy.ACT_ADVICE) the rules saw someone else do or
        # the user not do, and of the acts they saw the user do.
        ruled_out=frozenset(
            ACT_ADVICE[f.signal]
            for f in found
            if f.signal in ACT_ADVICE and (f.who is not Who.USER or f.polarity is Polarity.DID_NOT)
        ),
        slips=frozenset(
            ACT_ADVICE[f.signal]
            for f in found
            if f.signal in ACT_ADVICE and f.who is Who.USER and f.polarity is Polarity.DID
        ),
    )


def second_opinion(grounds: Grounds) -> tuple[tuple[str, ...], dict[str, str]]:
    """The advice for a story, the rules' and the model's (model.py), at most `max_advice`
    pieces, each with the words it rests on: the rules' evidence, or the sentence the
    model finds clearest.

    How much say the model has grows with the story. Under `model_min_words` it has none:
    in a few words a word outweighs who did it. Under `model_weigh_words` it may add its
    likeliest advice when the rules left room (alone, or another step's view beside
    theirs). In a longer story, where the rules' readings go wrong more often, the two
    are weighed together and the model may overrule them; a place the weighing leaves
    free goes to the rules' next choice unless it all but rules it out, and when it keeps
    nothing the rules' first piece stands. Either way the model never gives on its own
    what `ruled_out` or `asked` forbid, nor two pieces that clash (warm and cold).
    """
    settings = default_content().reader
    found = story_model()
    kept, evidence = grounds.rules()
    if (
        found is None
        or grounds.words < settings.model_min_words
        # A story in a language the identifier took for English: the model would guess.
        or english_share(grounds.text) < settings.model_english_share
    ):
        return kept, evidence
    likely = found.probabilities(grounds.text)
    if grounds.words < settings.model_weigh_words or found.weigher is None:
        chosen = _added(likely, kept, grounds)
    else:
        weights = found.weigh(
            likely,
            kept,
            grounds.candidates,
            asked=grounds.asked,
            step=grounds.step,
            words=grounds.words,
        )
        chosen = _weighed(weights, kept, grounds) or list(kept[:1])
    return tuple(chosen), {
        advice: grounds.evidence.get(advice) or _clearest(found, grounds.text, advice)
        for advice in chosen
    }


def _clearest(found: Model, text: str, advice: str) -> str:
    """The sentence the model's advice rests on most: the one without which the model is
    least sure of it, of those that say something when quoted alone (a "Good idea?" after
    the plan it asks about says nothing)."""
    sentences = [text[s.start : s.end].strip() for s in _sentences(text)]
    sentences = [said for said in sentences if len(said.split()) >= _QUOTABLE] or [
        said for said in sentences if said
    ]
    if len(sentences) < 2:
        return sentences[0] if sentences else text
    return min(sentences, key=lambda said: found.probabilities(text.replace(said, " "))[advice])


# The fewest words a quoted sentence needs to say something alone.
_QUOTABLE = 4


def _may_say(advice: str, grounds: Grounds) -> bool:
    """Whether the model may give this advice of its own accord. Not a "well done" for a
    step the rules saw the user slip in twice or more ("lost count of the compliments,
    took selfies"): one slip the rules may misread, two they seldom do. Nor beside a slip
    the rules saw in another step: the label rules keep "well done" for stories where
    nothing went wrong."""
    if advice in grounds.candidates:
        return True
    if advice.endswith(".well_done") and (
        sum(clashes(advice, (s,)) for s in grounds.slips) >= 2
        or any(not clashes(advice, (s,)) for s in grounds.slips)
    ):
        return False
    return advice not in grounds.ruled_out and (
        grounds.asked or not advice.startswith("ask.outcome")
    )


def _added(likely: Mapping[str, float], kept: tuple[str, ...], grounds: Grounds) -> list[str]:
    """The rules' advice and the model's likeliest beside it, if there is room: another
    step's view only, since two readings of one step contradict each other."""
    settings = default_content().reader
    steps = {advice.partition(".")[0] for advice in kept}
    best = max(
        (a for a in likely if a.partition(".")[0] not in steps and _may_say(a, grounds)),
        key=likely.__getitem__,
        default=None,
    )
    bar = settings.model_alone if not kept else settings.model_beside
    if best is None or len(kept) >= settings.max_advice or likely[best] < bar:
        return list(kept)
    return [*kept, best]


def _weighed(weights: Mapping[str, float], kept: tuple[str, ...], grounds: Grounds) -> list[str]:
    """The advice that scores `model_weigh` or more, best first, in the rules' order of
    importance (the model's own after theirs)."""
    settings = default_content().reader
    chosen: list[str] = []
    for advice in sorted(weights, key=weights.__getitem__, reverse=True):
        if len(chosen) == settings.max_advice or weights[advice] < settings.model_weigh:
            break
        if _may_say(advice, grounds) and not clashes(advice, chosen):
            chosen.append(advice)
    # A place left free goes to the rules' own next choice unless the weighing all but
    # rules it out: "she checked her phone and left early" is still worth a word.
    for advice in kept:
        if len(chosen) >= settings.max_advice:
            break
        if (
            advice not in chosen
            and chosen
            and weights.get(advice, 0.0) >= settings.model_keep
            and not clashes(advice, chosen)
        ):
            chosen.append(advice)
    place = {advice: i for i, advice in enumerate(grounds.candidates)}
    return sorted(chosen, key=lambda advice: place.get(advice, len(place)))


def _index(starts: list[int], point: int) -> int:
    return max(0, bisect_right(starts, point) - 1)


# --- the engine's entry point ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryReading:
    """The engine's view of a reading: the signals that happened, a meeting count, advice."""

    signals: frozenset[Signal]
    coffees: int | None
    advice: tuple[str, ...]
    reading: Reading | None = None

    @property
    def says_too_little(self) -> bool:
        """Tells whether the story gave the coach nothing to advise on."""
        return not self.advice


def read_story(
    text: str,
    *,
    min_meetings: int = 3,
    heroes: Sequence[str] = (),
    today: date | None = None,
    step: str | None = None,
) -> StoryReading:
    """Reads a debrief into what happened, the stated meeting count and the advice."""
    reading = read(text, heroes=heroes, today=today, min_meetings=min_meetings, step=step)
    happened = {
        found.signal
        for found in reading.signals
        if found.counts and found.who is (Who.USER if found.signal in USER_ACTS else Who.HERO)
    }
    # One answer per ask: "no, not right now" is a not-now, and a yes beats a no.
    for place, outcome in enumerate(rules.OUTCOMES):
        if outcome in happened:
            happened.difference_update(rules.OUTCOMES[place + 1 :])
            break
    return StoryReading(
        signals=frozenset(happened),
        coffees=reading.meetings,
        advice=reading.advice,
        reading=reading,
    )
