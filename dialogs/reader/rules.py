"""The signal rules: a table of regular expressions per signal over a normalised story.

Each match is a hit with its place and whether a negation in its clause governs it;
who did it and when is read around the hit by the reader (dialogs/reader/__init__.py).
Patterns use placeholders (<HE>, <OBJ>...) and cues: word beginnings that tell which
pieces of a story a rule must read at all.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeAlias

from dialogs.reader.text import words


class Signal(StrEnum):
    """Something a story says about the last interaction with the hero."""

    ABOUT_ME = "about_me"  # the conversation was mostly or half about the user
    ABOUT_THEM = "about_them"  # it was about the hero's work, interests, passions
    PROBLEM_SHARED = "problem_shared"  # the hero shared a problem, concern or struggle
    PITCHED_SOLUTION = "pitched_solution"  # the user pitched a fix, product or services
    OFFERED_INSIGHT = "offered_insight"  # an idea or question of the user's made them think
    MANY_COMPLIMENTS = "many_compliments"  # several compliments, gushing, "lost count"
    STARSTRUCK = "starstruck"  # starstruck, froze, nervous wreck, fangirled, tongue-tied
    AT_EASE = "at_ease"
    ACHIEVEMENTS = "achievements"  # time went on their awards and famous work
    POSTED = "posted"  # posted, live-tweeted, took photos or selfies
    WARM = "warm"  # enthusiastic, lit up, laughed, engaged, went great
    LUKEWARM = "lukewarm"  # polite but flat, ok-ish, hard to call it warm
    COLD = "cold"  # cold, distracted, on the phone, curt, bored, ghosted
    OPEN_DOOR = "open_door"  # "let's do this again", an invitation, an intro, a request
    FOLLOW_UP_QUESTIONS = "follow_up_questions"  # they asked the user questions
    QUICK_REPLY = "quick_reply"  # they replied quickly or the same day
    CUT_SHORT = "cut_short"  # shorter than planned, left early
    PEER = "peer"  # the user competed with, corrected, argued with or one-upped them
    DEFERENCE = "deference"  # the user deferred, listened, took notes
    ASKED_GUIDANCE = "asked_guidance"  # the user asked for their advice or opinion
    PUSHED = "pushed"  # the user pushed for time, a favour, an intro or a job too soon
    LESS_AWKWARD = "less_awkward"  # it is getting easier, more natural
    MORE_AWKWARD = "more_awkward"  # still or more awkward, stiff
    OUTCOME_YES = "outcome_yes"  # the user asked to shadow or be mentored: yes
    OUTCOME_NOT_NOW = "outcome_not_now"  # maybe later, not now, too busy right now
    OUTCOME_NO = "outcome_no"  # they declined
    PRAISED = "praised"  # the user's own verdict: "went great", "best meeting ever", "warm"
    CANT_TELL = "cant_tell"  # the user could not read the hero's reaction
    SMALL_TALK = "small_talk"  # it stayed on the surface: weather, small talk
    SKILLS = "skills"  # the user has a skill that could make the hero's life easier
    GLOOM = "gloom"  # the user's own dark verdict: "she hates me", "a disaster", "I could tell"
    ROOM = "room"  # the user worries about the moment or the hero's mood before the ask
    NOTHING_OFFERED = "nothing_offered"  # the user brought nothing: no insight, no question


# --- the pattern table ----------------------------------------------------------------

# Placeholders keep the table readable; names are lower-cased like everything else, so a
# hero's name can only be guessed as "a word that is not a pronoun or a function word".
_NOT_A_NAME = (
    r"(?!(?:i|me|my|myself|we|us|our|you|your|it|its|this|that|these|those|there|here|"
    r"the|a|an|some|any|what|how|who|which|to|on|in|at|for|about|with|and|but|or|so|"
    r"off|up|out|back|down|over|again|then|also|just|really|even|still)\b)"
)
_PLACEHOLDERS = {
    "<HE>": r"(?:he|she|they)",
    "<HIM>": r"(?:him|her|them)",
    "<HIS>": r"(?:his|her|their)",
    "<OBJ>": r"(?:him|her|them|" + _NOT_A_NAME + r"[a-z]+)",
    "<SUBJ>": r"(?:he|she|they|" + _NOT_A_NAME + r"[a-z]+)",
    "<POSS>": r"(?:his|her|their|(?!(?:it|that|what|there|here|let|he|she|who)'s)[a-z]+'s)",
    "<W>": r"(?:[\w'-]+ )",
    "<MONTH>": r"(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)",
}


def _expand(pattern: str) -> str:
    for token, regex in _PLACEHOLDERS.items():
        pattern = pattern.replace(token, regex)
    return pattern


@dataclass(frozen=True, slots=True)
class _Finder:
    """A regex and its cues: word beginnings of which every match holds at least one.

    A finder that reads across a colon (`whole`: 'replied: "thx"') reads the whole story.
    """

    cues: tuple[str, ...]
    pattern: re.Pattern[str]
    whole: bool = False


def _finder(cues: str, *patterns: str, whole: bool = False) -> _Finder:
    alternatives = "|".join(f"(?:{_expand(pattern)})" for pattern in patterns)
    return _Finder(tuple(cues.split("|")), re.compile(alternatives), whole)


@dataclass(frozen=True, slots=True)
class _Rule:
    signal: Signal
    finder: _Finder
    # Patterns that carry their own negation ("not awkward anymore") must not be
    # cancelled by it.
    negatable: bool
    # Outcome phrases like "she said yes" only answer the ask when the story is about
    # mentoring or shadowing at all.
    gated: bool
    # Patterns that say the signal did not happen ("no idea what's hard for her").
    denies: bool = False
    # The rule's patterns that hold their own negation ("without asking him"): a match of
    # one of them says what it says, and its "not" negates nothing.
    own: re.Pattern[str] | None = None


# A pattern or entry that holds its own negation ("can't stand me", "without asking him")
# says what it says: its "not" is no negation of it.
_OWN_NEGATION = re.compile(r"n't|\b(?:not|never|no|cannot|barely|hardly|without|nothing|zero)\b")


_OWN_HEAD = re.compile(
    r"(?:\\b)?(?:\(\?:)?(?:[\w']+ )?(?:without|never|no|not|cannot|can't|couldn't|didn't|don't)\b"
)


def _rule(
    signal: Signal,
    cues: str,
    *patterns: str,
    negatable: bool = True,
    gated: bool = False,
    whole: bool = False,
) -> _Rule:
    # Only a pattern headed by its negation says it of itself ("without asking him", "that's
    # not how"); one with "no" further in ("in no time") is negated as any other.
    own = [p for p in patterns if _OWN_HEAD.match(p)]
    return _Rule(
        signal,
        _finder(cues, *patterns, whole=whole),
        negatable,
        gated,
        own=re.compile("|".join(f"(?:{_expand(pattern)})" for pattern in own)) if own else None,
    )


# Each rule is a signal, its cues and its patterns. Cues are "|"-separated word beginnings
# and every pattern of the rule must contain one: a sentence holding none of them is not
# read at all (see the cue scanning below).
_RULES: tuple[_Rule, ...] = (
    _rule(
        Signal.ABOUT_ME,
        "about|talk|half|whole|most",
        r"\b(?:mostly|mainly|largely|all|entirely|half|only|just) about (?:me|myself)\b",
        r"\b(?:i|we)\b (?:<W>){0,4}?(?:talk\w*|spoke|speaking|rambl\w*|went on|going on|"
        r"droned on|chatt\w*|blabb\w*|yapp\w*|waffl\w*|prattl\w*|blather\w*|natter\w*|gabb\w*|"
        r"jabber\w*|rant\w*|(?:banged|banging|harped|harping) on|told <OBJ> all) (?:<W>){0,3}?"
        r"about (?:me|myself|my)\b",
        r"\btalk(?:ed|ing)? about myself\b",
        r"\b(?:half(?: the time| of it)?|the whole time|most of the time|most of it)"
        r"(?: was| went)? (?:about|on) (?:me|myself|my)\b",
        r"\bi (?:<W>){0,2}(?:did|was doing) (?:most of |all of |all )?the talking\b",
        r"\bi (?:<W>){0,2}talked (?:too much|the whole time|most of the time|non-?stop|"
        r"the entire time|way too much)\b",
        r"\bmade (?:it|the (?:conversation|coffee|meeting)) (?:all )?about me\b",
    ),
    _rule(
        Signal.ABOUT_THEM,
        "about|what|passion|interest|project|new |talk|let|asked",
        r"\b(?:talk\w*|spoke|speak\w*|chatt?\w*|went on|going on|told me|telling me|opened up|"
        r"asked|asking|heard|hearing|learn\w*|geeked out|nerded out|dug into|digging into|raved|"
        r"curious) (?:<W>){0,4}?about (?:<POSS>|him|her|them|himself|herself|themselves)\b",
        r"\bwhat <HE>(?:'s|'re| is| are| was| were| has been| had been)? (?:<W>)?"
        r"(?:passionate about|working on|excited about|obsessed with|into|building|"
        r"dreaming about)\b",
        r"\b<HIS> (?:passions?|interests|pet project|side project|current project|"
        r"latest project|new (?:album|book|project|company|label|film|show|venture|record))\b",
        r"\blet(?:ting)? <OBJ> (?:do (?:most of |all of |all )?the talking|talk)\b",
        r"\b<SUBJ> did (?:most of |all of |all )?the talking\b",
        r"\b(?:mostly|mainly|largely|all|entirely) about (?:him|her|them|his|their)\b",
        r"\basked (?:<OBJ> )?what (?:keeps|worries|bothers|frustrates|stresses|scares|bugs) "
        r"<HIM>\b",
        r"\basked (?:<OBJ> )?(?:what|how|why|where|when) <HE>(?:'s|'d|'re| is| was| had| has|"
        r" does| did| do| are| were)?\b",
        r"\b<HE> (?:<W>){0,5}?(?:telling me|told me|talked|talking|went on|going on|spoke|"
        r"raved|rambled|opened up) (?:<W>){0,2}?about (?!me\b|my\b|myself\b)",
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        "problem|concern|struggl|challenge|headache|frustrat|worr|pain|bottleneck|issue|stress|"
        "stuck|overwhelm|swamp|burn|complain|vent|fret|wrestl|battl|trouble|hard|difficult|"
        "killing|drowning|crushing|nightmare|mess|chaos|disaster|crisis",
        r"\b<POSS> (?:<W>){0,2}?(?:problems?|concerns?|struggles?|challenges?|headaches?|"
        r"frustrations?|worries|pain points?|bottlenecks?|issues|nightmares?|mess|chaos|"
        r"disasters?|crisis)\b",
        r"\b<HE>(?:'s|'re| is| are| was| were| has been| have been| had been)? (?:<W>){0,2}?"
        r"(?:struggl\w+|worried|worrying|frustrated|stressed|stuck|overwhelmed|swamped|"
        r"burn(?:ed|t) out|complain\w*|vent\w*|fretting|wrestling with|battling)\b",
        r"\b(?:killing|drowning|crushing|stressing) <HIM>(?: out)?\b",
        r"\b(?:shared|mentioned|opened up about|told me (?:all )?about|talked (?:a lot )?about|"
        r"admitted|confided|"
        r"confessed|brought up|complained about|vented about|asked (?:<HIM> )?about|"
        r"asked (?:<HIM> )?how <HE> (?:handles?|deals? with|copes? with)) (?:<W>){0,3}?"
        r"(?:problems?|concerns?|struggles?|challenges?|headaches?|frustrations?|"
        r"worr(?:y|ies)|pain points?|bottlenecks?|issues?|trouble|struggl\w*|nightmares?|"
        r"mess|chaos|disasters?|crisis)\b",
        r"\b(?:biggest|main|real|big|current|ongoing) (?:problem|challenge|headache|worry|"
        r"concern|struggle|pain point|bottleneck)\b",
        r"\b<HE> (?:<W>){0,2}?(?:having|has|had|have) (?:a |real |some )?(?:hard time|trouble|"
        r"difficult\w*|issues?|problems?)\b",
    ),
    _rule(
        Signal.PITCHED_SOLUTION,
        "pitch|solution|fix|solve|product|app|tool|service|platform|agency|startup|company|"
        "software|plugin|consulting|offer|propos|volunteer|team|sold|demo",
        # Someone else's pitch, or one still to come, is not this meeting's.
        r"(?<!perfect )(?<!her )(?<!his )(?<!their )(?<!need to )(?<!have to )"
        r"\bpitch(?:ed|ing)?\b",
        r"\b(?:proposed|suggested|offered|presented|recommended|sold|pushed|laid out|showed|"
        r"explained|came up with|jumped in with|jumped to|tried to sell|gave <OBJ>) "
        r"(?:<W>){0,3}?(?:solutions?|fix|(?:my|our) (?:product|app|tool|services?|platform|"
        r"agency|startup|company|software|plugin|consulting))\b",
        r"\b(?:offered|proposed|volunteered) to (?:fix|solve|build|redo|redesign|rebuild|"
        r"handle|automate|take care of|sort out|help (?:fix|solve))\b",
        r"\b(?:told|showed) <OBJ> (?:exactly )?how (?:to|i would|i'd|we could|<HE> could|"
        r"<HE> should) (?:fix|solve)\b",
        r"\b(?:my|our) (?:product|app|tool|platform|agency|startup|software|company|services?|"
        r"team|plugin) (?:could|would|can|will|might) (?:<W>){0,2}?(?:fix|solve|help|handle|"
        r"sort)\b",
        r"\bsold <OBJ> on\b",
        r"\bdemo(?:ed|'d)\b",
    ),
    _rule(
        Signal.OFFERED_INSIGHT,
        "idea|perspective|insight|thought|angle|observation|take|reframe|looking|hypothes|"
        "connection|parallel|analog|question|made|thinking|ponder|intrigu|point|pause|stopped|"
        "wrote",
        r"\b(?:i|we)\b (?:<W>){0,2}?(?:offered|shared|gave|floated|raised|brought up|"
        r"mentioned|suggested|threw out|pointed out|added|posed|asked) (?!me\b)(?:<W>){0,3}?"
        r"(?:idea|ideas|perspective|insight|insights|thought|thoughts|angle|observation|take|"
        r"reframe|way of looking|hypothesis|connection|parallel|analogy|"
        r"(?:good|sharp|thoughtful|provocative|interesting|smart|big|hard|deep|clever) "
        r"question)\b",
        r"\bmade <OBJ> (?:<W>)?(?:think|stop and think|pause|reconsider|rethink)\b",
        r"\b(?:got|had|left) <OBJ> (?:thinking|pondering|intrigued)\b",
        r"\b(?:that's|that was|it's|it was|what|such) (?:a |an )?(?:really |such a |very )?"
        r"(?:great|good|interesting|fair|fresh|smart|sharp|excellent|brilliant|thoughtful|"
        r"provocative|novel) (?:point|question|idea|take|angle|perspective|observation|"
        r"insight)\b",
        r"\b<HE> (?:said|says|called it|admitted|told me|replied) (?:<W>){0,3}?(?:great|good|"
        r"interesting|fair|fresh|smart|sharp|excellent|brilliant|thoughtful|provocative|novel) "
        r"(?:point|question|idea|take|angle|perspective|thought|observation|insight)\b",
        r"\b(?:food for thought|fresh perspective|new perspective|different perspective|"
        r"new angle|different angle|thought-? ?provoking|outside perspective)\b",
        r"\b<HE> (?:<W>)?(?:paused to think|stopped to think|paused and thought|"
        r"wrote (?:it|that) down|made a note)\b",
    ),
    _rule(
        Signal.OFFERED_INSIGHT,
        "thought|looked|considered|seen",
        r"\b(?:never|hadn't|had not|haven't|has not|hasn't) (?:<W>)?(?:thought|looked at it|"
        r"considered (?:it|that)|seen it) (?:<W>){0,2}?(?:that|this) way\b",
        r"\b(?:hadn't|had not|never) (?:thought of|considered) (?:that|it)\b",
        negatable=False,
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "count|compliment|kept|gush|fawn|suck|kiss|butter|shower|praise|flatter|told|times",
        r"\blost count\b",
        r"\b(?:so many|too many|lots of|a lot of|tons of|a ton of|loads of|a bunch of|several|"
        r"multiple|endless|countless|many|numerous|non-?stop|constant|a few|a couple(?: of)?|"
        r"two|three|four|five|six|a dozen|a million|way too many|a string of|a stream of) "
        r"(?:<W>)?compliments\b",
        r"\bi (?:<W>){0,3}?(?:gave|paid|threw|heaped|kept paying|kept giving) (?:<W>){0,3}?"
        r"compliments\b",
        r"\bcompliment(?:ed|ing)? (?:<W>){0,3}?(?:again and again|over and over|non-?stop|"
        r"constantly|the whole time|repeatedly|every (?:chance|few minutes|five minutes|"
        r"opportunity)|at every turn|all the time|(?:way )?too much|endlessly|a lot|so much|"
        r"like crazy)\b",
        r"\bcompliment(?:ed|ing)? (?:<W>){0,3}?(?:two|three|four|five|six|ten|a dozen|\d+|"
        r"a few|several|many|multiple|a million) times\b",
        r"\bcompliment after compliment\b",
        r"\btold <OBJ> (?:<W>){0,2}?(?:\d+|two|three|four|five|six|ten|a dozen|a few|several|"
        r"many|multiple|a million|a hundred) times\b",
        r"\b(?:\d+|two|three|four|five|six|ten|a dozen|a million|a hundred) times how "
        r"(?:much|great|amazing|brilliant|talented|awesome|good)\b",
        r"\bkept (?:on )?(?:complimenting|praising|gushing|fawning|flattering|raving|"
        r"telling <OBJ> how (?:great|amazing|much|brilliant|awesome|talented))\b",
        r"\bgush(?:ed|ing|es)?\b",
        r"\bfawn(?:ed|ing)?\b",
        r"\b(?:sucked|sucking|kissed|kissing) up\b",
        r"\bbutter(?:ed|ing) <OBJ> up\b",
        r"\bshower(?:ed|ing) <OBJ> with (?:praise|compliments)\b",
        r"\b(?:praised|flattered) <OBJ> (?:<W>){0,2}?(?:endlessly|non-?stop|over and over|"
        r"constantly|the whole time|to the skies|a lot|repeatedly)\b",
    ),
    _rule(
        Signal.STARSTRUCK,
        "star|awe|froze|freez|nervous|fan|tongue|blank|stammer|stutter|babbl|shak|sweat|pound|"
        "words|freak|germ|groupie",
        r"\bstar-? ?struck\b",
        r"\bawe-? ?struck\b",
        r"\bin awe\b",
        r"\bstarry-? ?eyed\b",
        r"\bfroze\b",
        r"\bfreez(?:e|ing)(?: up)?\b",
        r"\bnervous (?:wreck|mess)\b",
        r"\b(?:so|super|really|very|incredibly|too|totally|insanely|ridiculously|crazy|"
        r"extremely) nervous\b",
        r"\bfan-? ?(?:boy|girl)\w*\b",
        r"\btongue-? ?tied\b",
        r"\b(?:blanked|went blank|drew a blank)\b",
        r"\b(?:stammer|stutter|babbl)(?:ed|ing)\b",
        r"\b(?:shaking|shaky hands|sweaty palms|heart was pounding|hands were shaking|"
        r"palms were sweating)\b",
        r"\b(?:lost|forgot) (?:all )?my words\b",
        r"\b(?:freaked|freaking) out\b",
        r"\b(?:was|am|acted like|felt like) (?:a |such a |total |a total |a complete )?"
        r"(?:germ|groupie)\b",
    ),
    _rule(
        Signal.STARSTRUCK,
        "could|can|barely|hardly",
        r"\b(?:couldn't|could not|could barely|can't|cannot|barely could) (?:<W>)?(?:speak|talk|"
        r"think straight|get (?:a|the) words? out|form (?:a )?sentences?|string (?:two|a few) "
        r"words|look <OBJ> in the eye|believe i was (?:talking|sitting|there|meeting))\b",
        r"\bi (?:<W>)?(?:barely|hardly) (?:spoke|said a word|got a word out|managed a word)\b",
        negatable=False,
    ),
    _rule(
        Signal.AT_EASE,
        "ease|relax|calm|comfort|compos|confiden|myself|natural|normal|fine|cool|together|"
        "friend|regular",
        r"\bat ease\b",
        r"\bi (?:<W>){0,2}?(?:was|felt|stayed) (?:<W>)?(?:relaxed|calm|comfortable|composed|"
        r"confident|myself|natural|normal|fine)\b",
        r"\b(?:kept|keep) my cool\b",
        r"\bheld it together\b",
        r"\blike (?:talking to )?(?:a |an )?(?:old )?(?:friend|normal person|regular person)\b",
    ),
    _rule(
        Signal.AT_EASE,
        "star|awe|nervous|freez|froze|freak|tongue|fan|germ",
        r"(?:\bnot|n't|\bnever|\bno longer)(?: (?!so\b|more\b)[\w']+){0,2} (?:star-? ?struck|"
        r"nervous|freeze|freezing|froze|freak(?:ed)? out|awe-? ?struck|tongue-? ?tied|"
        r"fan-? ?girl\w*|fan-? ?boy\w*|a germ)\b",
        negatable=False,
    ),
    _rule(
        Signal.ACHIEVEMENTS,
        "achievement|accomplish|shortlist|nominat|deal|knight|honor|honour|ipo|award|grammy|oscar|emmy|tony|troph|prize|accolade|resume|cv|"
        "track|legacy|highlight|credit|wins|success|fame|famous|hit|best|seller|selling|nobel|"
        "pulitzer|medal|iconic|legend|classic|breakthrough|landmark|seminal|platinum|won",
        r"\b<POSS> (?:<W>){0,2}?(?:achievements?|accomplishments?|awards?|grammys?|oscars?|"
        r"emmys?|tonys?|trophies|trophy|prizes?|accolades|resume|cv|track record|legacy|"
        r"career highlights|credits|big wins|successes|fame|hits|hit (?:song|record|album|show)s?"
        r"|best-?sellers?|greatest hits|nobel|pulitzer|medals?|famous \w+|shortlists?|"
        r"nominations?|(?:film|book|record|publishing|tv) deals?|knighthood|honou?rs|ipo)\b",
        r"\b(?:famous|iconic|legendary|award-winning|classic|breakthrough|landmark|seminal|"
        r"platinum|best-?selling|grammy-winning|oscar-winning) (?:<W>)?(?:album|record|book|"
        r"paper|talk|ted talk|film|movie|song|track|campaign|project|work|novel|game|show|"
        r"design|building|keynote|article|study|exit|company|startup)s?\b",
        r"\b(?:the|that|those) (?:<W>)?(?:awards?|grammys?|oscars?|emmys?|pulitzer|nobel|prizes?|"
        r"trophy|trophies|medals?|titles|championships?|(?:championship|glory|golden|title) "
        r"(?:years|days|seasons|era))\b",
        r"\bhow <HE> won\b",
    ),
    _rule(
        Signal.POSTED,
        "post|live|tweet|insta|snap|tiktok|selfie|photo|pic|video|ig |film|record|stor|feed|"
        "social|twitter|linkedin",
        r"(?<!him )(?<!her )(?<!them )(?<!you )(?<!me )(?<!us )\bposted\b",
        r"(?<!a )(?<!her )(?<!his )(?<!their )(?<!the )(?<!latest )(?<!blog )"
        r"\bpost(?:ing|s)?\b(?![-']| office| mortem| meeting| coffee| lunch| call| game| show)",
        r"\b(?:live-? ?tweet\w*|live-? ?post\w*|live-? ?stream\w*|live-? ?blog\w*|"
        r"tweet(?:ed|ing)|instagramm?(?:ed|ing)|snapchatt?(?:ed|ing)|tiktok(?:ed|ing)|selfies?)\b",
        r"\b(?:took|take|taking|snapped|snap|snapping|grabbed|grab|shot|shooting|got|get|"
        r"getting|asked for|ask for|posed for) (?:<W>){0,3}?(?:photos?|pictures?|pics?|"
        r"selfies?|snaps?|videos?|photo ?ops?)\b",
        r"\b(?:my|an?) (?:instagram|insta|ig) (?:story|stories|post|reel)\b",
        r"\b(?:filmed|recorded) (?:<HIM>|the (?:whole )?(?:conversation|meeting|chat|thing|talk)"
        r"|it all|everything)\b",
        r"\bphoto ?op\b",
        r"\b(?:on|to|in) my (?:story|stories|feed|socials|instagram|insta|twitter|linkedin)\b",
    ),
    _rule(
        Signal.WARM,
        "warm|enthusias|animat|engag|friend|lovely|delight|excit|thrill|keen|interest|generous|"
        "kind|open|chatty|attentive|welcom|into|curious|happy|fun|great|present|invest|sweet|"
        "nice|impressed|lit|light|laugh|smil|grinn|hit it off|click|good|amazing|fantastic|"
        "awesome|wonderful|brilliant|excellent|real|genuine|well|swimming|perfect|long|over|"
        "lively",
        r"\benthusiastic(?:ally)?\b",
        r"\b(?:lit|lights?|lighting) up\b",
        # A nervous or polite laugh is no warmth.
        r"\blaugh(?:ed|ing|s)?\b(?! (?:nervously|awkwardly|politely|uncomfortably))",
        r"\blaughter\b",
        r"\b(?:smil(?:ed|ing|es)|grinn(?:ed|ing))\b",
        r"\bhit it off\b",
        r"\bclicked\b",
        r"\b(?:ran|went) (?:long|over)\b",
        r"\blonger than (?:planned|expected|scheduled)\b",
    ),
    _rule(
        Signal.PRAISED,
        "warm|great|good|amazing|fantastic|awesome|wonderful|brilliant|excellent|lovely|fun|"
        "real|genuine|went|going|gone|it|that|things|coffee|the|lunch|everything|today|best|"
        "loved|perfect|nailed|killed|super|so|really|10|ten|friendly|kind|nice|sweet|happy|"
        "pleasant|cool|chill|polite",
        r"(?<!had a )(?<!not )(?<!n't )\bwarm(?:ly|th|er|est)?\b(?! up)",
        r"\b(?:great|good|amazing|fantastic|awesome|wonderful|brilliant|excellent|lovely|fun|"
        r"real|genuine) (?:vibes?|energy|chat|conversation|rapport|connection|coffee|meeting|"
        r"talk|time)\b",
        r"\b(?:went|going|gone) (?:really |so |super |very |incredibly |surprisingly )?"
        r"(?:great|well|amazingly|fantastic(?:ally)?|brilliantly|swimmingly)\b",
        r"\b(?:it|that|things|coffee|the coffee|the meeting|the chat|the call|the conversation|"
        r"lunch|everything|today) (?:was|felt|turned out)(?: really| so| super| very| pretty| "
        r"just| actually| honestly| incredibly)* (?:great|amazing|fantastic|awesome|wonderful|"
        r"brilliant|excellent|lovely|fun|perfect|good)\b",
        r"\bbest (?:<W>)?(?:meeting|coffee|chat|call|conversation|lunch|day|time) (?:ever|of my "
        r"life)\b",
        r"\b(?:loved|love) it\b",
        r"\b(?:nailed|killed) it\b",
        r"\b<SUBJ>(?:'s| was| were| is| are| seemed| seems| looked| sounded)(?: really| so| super|"
        r" very| quite| genuinely| pretty| incredibly| totally| actually)* (?:friendly|lovely|"
        r"kind|nice|sweet|fun|great|happy|pleasant|cool|chill|polite)\b",
        r"\b(?:10|ten) ?(?:/|out of) ?10\b",
    ),
    _rule(
        Signal.SMALL_TALK,
        "small|weather|surface|superficial|shallow|traffic|chit|pleasant|nothing|kept|stayed|polite|"
        "sport|generic",
        r"\bsmall ?talk\b",
        r"\bchit-? ?chat\b",
        r"\b(?:the|about the) (?:weather|traffic)\b",
        r"\b(?:surface|shallow|superficial|generic)(?:-? ?level)?\b",
        r"\b(?:pleasantries|nothing deep|nothing real|nothing substantial)\b",
        negatable=False,
    ),
    _rule(
        Signal.SKILLS,
        "skill|could|can|good|know|offer|help|experience|background|expert|fluent",
        r"\bmy (?:<W>)?(?:skills?|experience|background|expertise)\b",
        r"\bi(?:'m| am) (?:<W>)?(?:good|great|skilled|experienced|fluent) (?:at|in|with)\b",
        r"\bi (?:could|can|might) (?:<W>)?(?:help|offer|take|handle|do|edit|design|build|run|"
        r"organi[sz]e|manage) (?:<W>){0,3}?(?:with|for <HIM>|<HIS>|some|the)\b",
        r"\boffer(?:ing)? (?:to help|my (?:<W>)?(?:skills?|help|time|services))\b",
        r"\b(?:i know|knowing) (?:<W>){0,2}?(?:sql|python|excel|design|editing|video|marketing|"
        r"spanish|code|coding|photoshop|figma|accounting|logistics)\b",
    ),
    _rule(
        Signal.LUKEWARM,
        "lukewarm|tepid|repl|answer|respon|wrote|got|so-so|so so|soso|meh|polite|flat|neutral|"
        "reserved|guarded|non|committal|muted|ok|fine|alright|all right|average|mediocre|decent|"
        "civil|cordial|special|mixed",
        r"\blukewarm\b",
        r"\btepid\b",
        r"\b(?:ok|okay)-? ?ish\b",
        r"\bso[- ]?so\b",
        r"\bmeh\b",
        r"\bpolite(?:ly)? but\b",
        r"\b(?:just|merely|only|perfectly|coolly|formally) polite(?:ly)?\b",
        r"\bpolite enough\b",
        r"\b(?:flat(?! white)|neutral|reserved|guarded|non-? ?committal|muted)\b",
        r"\b(?:it|that|things|coffee|the meeting|the chat|the call|the conversation|lunch|he|"
        r"she|they|it all) (?:was|went|felt|seemed|were)(?: just| kind of| kinda| sort of| "
        r"pretty| fairly)* (?:ok|okay|fine|alright|all right|average|mediocre|decent|polite|"
        r"civil|cordial)\b(?!-? ?ish)",
        r"\bmixed (?:signals|feelings|vibes?)\b",
        r"\b(?:replied|answered|responded|wrote back|got back to me)(?: [\w'-]+){0,4}? "
        r"(?:two|three|four|a few|several|\d+|a couple of) (?:weeks|days) later\b",
    ),
    _rule(
        Signal.LUKEWARM,
        "nothing|engag|interest|enthusias|warm|into|excit|chatty|friend|animat|keen|tell|say|"
        "read|call|bad|terrible|hot|cold",
        r"(?:\bnot|n't)(?: (?:that|very|super|particularly|really|especially|overly|exactly|"
        r"terribly|hugely|all that|too|quite|so))+ (?:engaged|interested|enthusiastic|warm|"
        r"into it|excited|chatty|friendly|animated|keen)\b",
        r"\b(?:wouldn't|would not|can't|couldn't) (?:exactly )?(?:say|call) it (?:warm|great)\b",
        r"(?:\bnot|n't) (?:bad|terrible)\b",
        r"\bnothing (?:special|much|remarkable)\b",
        r"\b(?:neither|not) (?:warm|hot) (?:nor|or) cold\b",
        negatable=False,
    ),
    _rule(
        Signal.CANT_TELL,
        "can|could|hard|difficult|no|not|unsure|dunno|idk|who|read|tell|sure",
        r"\b(?:can't|cannot|couldn't|could not|hard to|difficult to|no way to|not sure how to) "
        # "I couldn't tell you what's on her plate" is not knowing her trouble, not her mood.
        r"(?:really )?(?:tell(?! you\b)|say|read <OBJ>|read (?:it|the room))\b",
        r"\b(?:no idea|not sure|unsure|dunno|idk|who knows|don't know|do not know)"
        r"(?: [\w']+){0,2}? (?:how|what|if|whether) (?:<HE>|it)\b",
        r"\bhard to read\b",
        negatable=False,
    ),
    _rule(
        Signal.COLD,
        "cold|went|fell|got|distant|distract|curt|bored|dismissive|uninterested|disinterested|"
        "aloof|frost|icy|standoff|stand-off|impatient|annoy|irritat|brusque|detach|indifferent|"
        "unimpress|yawn|sigh|checked|short|phone|watch|email|laptop|slack|clock|word|off|ghost|"
        "read|early|abrupt|rush|hurry|elsewhere|miles",
        # Cold as a thing, not a mood: "the cold chain", "cold storage", "out in the cold".
        r"(?<!had a )(?<!got a )(?<!caught a )(?<!have a )(?<!in the )(?<!from the )"
        r"\bcold(?:ly|er|ness)?\b(?! (?:brew|"
        r"coffee|drink|drinks|water|weather|outside|day|morning|snap|calls?|emails?|e-mails?|"
        r"outreach|open|feet|turkey|case|hands|start|chain|storage|store|stores|room|rooms|"
        r"war|front|sores?|plunge|press(?:ed)?|frames?|fusion|reading|spell|cuts|meats?|"
        r"foods?|smoke[ds]?|forg(?:e|ing)|pitch(?:es|ing)?|dms?|messages?|texts?|"
        r"applications?|season|winter|nights?|months?)\b)",
        r"\b(?:distant|distracted|curt|bored|dismissive|uninterested|disinterested|aloof|"
        r"frosty|icy|standoffish|stand-offish|impatient|annoyed|irritated|brusque|detached|"
        r"indifferent|unimpressed|yawn\w*|sigh(?:ed|ing)|checked out|short with me)\b",
        r"\b(?:check(?:ed|ing|s)?|look(?:ed|ing|s)? at|on|glanc(?:ed|ing) at|scroll(?:ed|ing)"
        r"(?: through)?|typing on|texting on) <HIS> (?:phone|watch|email|laptop|slack)\b",
        r"\bglanc(?:ed|ing) at the clock\b",
        r"\bone[- ]word (?:answers|replies|responses)\b",
        r"\b(?:brushed|blew) me off\b",
        r"\bcold shoulder\b",
        r"\b(?:went|fell|got) (?:very |really |a bit )?(?:quiet|silent)\b",
        r"\bghost(?:ed|ing)\b",
        r"\bleft me on read\b",
        r"\bended (?:it |things |the (?:meeting|call|chat|coffee|conversation) )?(?:early|"
        r"abruptly)\b",
        r"\b(?:seemed|felt|was|looked) (?:<W>)?(?:rushed|in a rush|in a hurry|elsewhere|"
        r"a million miles away)\b",
    ),
    _rule(
        Signal.COLD,
        "barely|hardly|look|smile|make|ask|seem|interest|engag|impress|into|repl|respon|written|"
        "wrote|back|answer|heard|wait|want|itching|eager|keen|dying",
        r"\b<SUBJ> (?:barely|hardly) (?:spoke|talked|said (?:a word|anything|much)|"
        r"looked (?:at me|up)|engaged|smiled|responded|reacted|listened|made eye contact)\b",
        r"\b(?:didn't|did not|never|wouldn't|would not) (?:even )?(?:look (?:at me|up)|smile|"
        r"make eye contact|ask (?:me )?(?:(?:a single|any|one) (?:question|thing)|anything|"
        # Not "didn't ask me anything back": answers without questions are polite, not cold.
        r"any questions)(?! back)|"
        r"seem (?:<W>)?(?:interested|engaged|into it))\b",
        r"\b(?:wasn't|was not|weren't|were not|isn't|is not) (?:at all )?(?:interested|engaged|"
        r"impressed|into it)\b(?! in (?:taking|mentoring|having|being))",
        r"\b(?:hasn't|has not|haven't|have not|never|didn't|did not|still hasn't|no) "
        r"(?:<W>)?(?:replied|responded|written back|wrote back|gotten back|got back|answered|"
        r"heard back|reply|response|answer)\b",
        r"\bcouldn't wait to (?:leave|get away|go|get out)\b",
        r"\basked (?:me )?(?:no|zero) questions\b",
        r"(?<!\bi )\b(?:wanted|itching|eager|keen|dying) to (?:leave|get away|get going|"
        r"wrap (?:it |things )?up|get out)\b",
        negatable=False,
    ),
    _rule(
        Signal.OPEN_DOOR,
        "let|again|touch|invit|offer|promis|volunteer|said|told|reach|door|gave|asked|more|"
        "agreed|soon|next|coffee|meeting|chat|call|lunch|catch",
        r"\blet'?s (?:do (?:this|it|that) again|(?:grab|get|have|do) (?:<W>){0,2}?again|"
        r"keep in touch|stay in touch|(?:meet|catch up|talk|chat) again)\b",
        r"\b(?:do|doing) (?:this|it) again\b",
        r"\b(?:keep|stay|kept|staying|keeping) in touch\b",
        r"\b(?:invited|invites|inviting) me\b",
        r"\binvitation\b",
        r"\b(?:offered|promised|volunteered) (?:me )?(?:to )?(?:an? )?(?:intro(?:duc\w+)?s?|"
        r"connect me|send me|share|help me|look at|review|put me in touch|loop me in|"
        r"bring me|take me)\b",
        r"\b(?:said|told me) (?:i (?:could|can|should)|to) (?:<W>){0,2}?(?:email|call|text|"
        r"message|ping|reach out|get in touch|drop by|come by|send|follow up)\b",
        r"\breach out (?:any ?time|whenever|again)\b",
        r"\b(?:my|her|his|their|the) door is (?:always )?open\b",
        r"\bopen door\b",
        r"\bgave me <HIS> (?:<W>)?(?:number|card|email|cell|contact|details|handle)\b",
        r"\b<SUBJ> (?:<W>)?asked me (?:for|if i could|whether i could|to (?:send|share|forward|"
        r"help|come|join|look|review|email|follow up|keep|bring|introduce|drop by|stop by|"
        r"visit|connect|reach out|get in touch|think about|put together|write|sit in))\b",
        r"\b<SUBJ>(?:'d| would| wants| wanted| was keen| is keen| seemed keen)(?: love| like)? "
        r"to (?:meet|catch up|grab|get|have|do|chat|talk|hear more|see)\b"
        r"(?: [\w']+){0,4} (?:again|more|soon|next (?:week|month|time))\b",
        r"\b<HE> (?:<W>)?(?:suggested|proposed|offered|set up|booked|scheduled) (?:<W>){0,2}?"
        r"(?:coffee|meeting|chat|call|lunch|catch-? ?up)\b",
        r"\bsame time next (?:week|month)\b",
        r"\b(?:said yes|agreed) to (?:a |another |one more )?(?:<W>)?(?:coffee|meeting|chat|"
        r"call|lunch|catch-? ?up)\b",
        r"\bwe(?:'ve| have)? (?:already )?(?:got|have|set up|booked|scheduled|planned) "
        r"(?:another|a second|a third|a follow-? ?up|the next|our next) (?:<W>)?(?:coffee|"
        r"meeting|chat|call|lunch)\b",
    ),
    _rule(
        Signal.FOLLOW_UP_QUESTIONS,
        "question|asked|know|curious|quiz",
        r"\b<SUBJ> (?:also |even |then |actually |kept |really )?(?:asked|asking|had) "
        r"(?:me )?(?:<W>){0,3}?questions\b",
        r"(?<!\bi )\basked (?:me )?(?:about )?(?:what|how|why|where|when|whether|if) "
        r"(?:i|i'm|i've|i'd|i'll|my)\b",
        r"\basked me (?:<W>){0,3}?(?:questions|about|what|how|why|where|when|whether|if|"
        r"for my (?:take|opinion|thoughts|view))\b",
        r"\b(?:wanted|want|wants) to know (?:more )?(?:about )?(?:my|me|what i|how i|where i|"
        r"why i|when i)\b",
        r"\bcurious about (?:my|me|what i|how i)\b",
        r"\bquizz?ed me\b",
        r"\bfollow-? ?up questions\b",
        r"\bquestions (?:about|on) my\b",
        r"(?<!\bi )(?<!\bwe )\basked (?:me )?about (?:my|me|myself)\b",
        r"\basked (?:me )?(?:for )?my (?:opinion|take|thoughts|view|advice|input|feedback)\b",
    ),
    _rule(
        Signal.QUICK_REPLY,
        "repl|respon|answer|back|turnaround|texted|emailed|messaged|wrote|dm|pinged|called",
        r"\b(?:repl(?:ied|y|ies)|respond(?:ed|s)?|answer(?:ed|s)?|wrote back|writes back|"
        r"got back to me|texted back|emailed back|messaged back|got a (?:reply|response|answer)) "
        r"(?:<W>){0,4}?(?:quickly|fast|right away|immediately|straight away|instantly|"
        r"in no time|within (?:<W>)?(?:minutes?|an hour|the hour|hours?|a day)|"
        r"in (?:<W>)?minutes|the same day|same day|that (?:same )?(?:day|evening|afternoon|"
        r"night|morning)|within the day)\b",
        r"\b(?:texted|emailed|messaged|wrote|dm'?d|pinged|called) me(?: back)? (?:<W>){0,3}?"
        r"(?:right after(?:wards)?|straight after|soon after|right away|immediately|"
        r"the same day|same day|that (?:same )?(?:day|evening|night)|minutes later|"
        r"an hour later|within (?:<W>)?(?:minutes?|an hour|the hour|hours?))\b",
        r"\b(?:quick|fast|speedy|prompt|instant|immediate|same-? ?day) (?:reply|replies|"
        r"response|responses|answer|turnaround)\b",
    ),
    _rule(
        Signal.CUT_SHORT,
        "short|early|had to|than|only|abrupt|wrapped",
        r"\bcut (?:it |things |the (?:meeting|call|chat|coffee|conversation) |our (?:<W>)?|"
        r"us |me )?short\b",
        r"\b(?:left|leave|leaving|bailed|ducked out|dashed off|ran off|rushed off|headed out|"
        r"took off) (?:<W>){0,2}?early\b",
        r"\bhad to (?:leave|run|dash|rush off|head out|jump (?:off|on (?:a|another) call)|"
        r"take (?:a|another) call)\b",
        r"\b(?:shorter|less time) than (?:planned|expected|scheduled|promised|"
        r"i (?:hoped|expected|thought))\b",
        r"\bonly (?:(?:had|got|lasted|stayed|gave me|for|about|like|maybe) )*(?:\d+|five|ten|"
        r"fifteen|twenty|thirty|a few) ?min(?:ute)?s?\b",
        r"\bended (?:it |things |the (?:meeting|call|chat|coffee|conversation) )?(?:early|"
        r"abruptly)\b",
        r"\bwrapped (?:it |things )?up (?:early|abruptly|fast|quickly)\b",
    ),
    _rule(
        Signal.PEER,
        "correct|argu|debat|fought|bicker|disagree|spat|one-up|one up|oneup|compet|tried|wrong|"
        "peer|equal|colleague|buddy|rival|than|brag|show|over|interrupt|pushed back|pointed|"
        "told|explained|insisted|clashed",
        r"\bcorrect(?:ed|ing)? <OBJ>\b",
        r"\b(?:argu(?:ed|ing)|debat(?:ed|ing)|fought|bicker(?:ed|ing)) with <OBJ>\b",
        r"\b(?:got into|had) (?:an? )?(?:<W>)?(?:argument|debate|disagreement|spat)\b",
        r"\bdisagreed with <OBJ>\b",
        r"\bone[- ]?upp?(?:ed|ing)?\b",
        r"\bcompet(?:ed|ing) with <OBJ>\b",
        r"\b(?:i|we) (?:<W>)?(?:competed|got competitive|was competitive|were competitive)\b",
        r"\btried to (?:top|outdo|one-? ?up|compete|show <OBJ> up|prove)\b",
        r"\b(?:told|showed) <OBJ> (?:that )?<HE> (?:was|were|is|are|had it) wrong\b",
        r"\b(?:acted|talked|behaved|spoke|treated <OBJ>|carried myself) (?:<W>)?(?:like|as) "
        r"(?:an? |<HIS> )?(?:peer|equal|colleague|buddy|rival)s?\b",
        r"\bas equals\b",
        r"\bi (?:<W>)?(?:knew|know) (?:more|better) than\b",
        r"\bbragg?(?:ed|ing)\b",
        r"\bshow(?:ed|ing)? off\b",
        r"\btalked over <OBJ>\b",
        r"\binterrupt(?:ed|ing)? <OBJ>\b",
        r"\bpushed back on <OBJ>\b",
        r"\b(?:told <OBJ>|pointed out|explained|insisted|argued) (?:that )?(?:<POSS> |it |"
        r"this |that |the )(?:<W>){0,3}?(?:was|were|is|are) (?:<W>)?(?:wrong|outdated|off|"
        r"a mistake|flawed|broken|dated|old-fashioned|bad|weaker|worse|overrated|derivative|"
        r"boring|mediocre)\b",
        r"\bwe (?:<W>)?(?:debated|argued|bickered|clashed)\b",
    ),
    _rule(
        Signal.DEFERENCE,
        "defer|expert|guru|authority|master|teacher|sensei|pro|boss|oracle|listen|notes|let|"
        "hung|soak|respect|humbl|learn",
        r"\bdefer(?:red|ring|ential|ence)?\b",
        r"\b(?:treated|treating|saw|see) <OBJ> (?:<W>)?(?:like|as) (?:the|an?) (?:<W>)?"
        r"(?:expert|guru|authority|master|teacher|sensei|pro|boss|oracle)\b",
        r"\bi (?:<W>){0,2}?listen(?:ed|ing)\b",
        r"(?<!she )(?<!he )(?<!they )\b(?:just|mostly|mainly|actively|simply) listen(?:ed|ing)\b",
        r"\blisten(?:ed|ing)? (?:more than i (?:talked|spoke)|carefully|intently|closely|hard)\b",
        r"(?<!she )(?<!he )(?<!they )\b(?:took|take|taking) (?:lots of |a lot of |some |"
        r"careful |detailed |loads of |tons of |many |pages of )?notes\b",
        r"\blet <OBJ> (?:lead|steer|drive|take the lead|do (?:most of |all )?the talking|talk)\b",
        r"\bhung on <HIS> every word\b",
        r"\bsoak(?:ed|ing)? (?:it |everything )?(?:all )?(?:in|up)\b",
        r"\brespectful(?:ly)?\b",
        r"\bhumbl(?:e|y)\b",
        r"\blearn(?:ed|t|ing)? (?:so much|a lot|a ton|tons|loads) from\b",
        r"\b(?:did|do) (?:most of |a lot of |all of )?the listening\b",
    ),
    _rule(
        Signal.ASKED_GUIDANCE,
        "ask|sought|seek|brain",
        r"(?<!she )(?<!he )(?<!they )\basked (?!me\b|(?:for )?my\b)(?:<OBJ> )?(?:for )?"
        r"(?:<W>){0,2}?(?:advice|guidance|opinion|opinions|"
        r"thoughts|input|feedback|take|perspective|views?|pointers|tips|counsel|suggestions?|"
        r"wisdom)\b",
        r"\basked (?!me\b)(?:<OBJ> )?(?:what|how|which(?: [\w']+){0,4}?) <HE>(?: would|'d|"
        r" thinks?| thought| recommends?| suggests?| makes? of| made of)\b",
        r"\b(?:sought|seek|seeking|ask for|asking for) (?:his |her |their |some |any )?(?:advice|"
        r"guidance|counsel|input|opinion|feedback|perspective|wisdom|pointers|tips)\b",
        r"\bpick(?:ed|ing)? <POSS> brains?\b",
    ),
    _rule(
        Signal.PUSHED,
        "ask|begged|brought|press|push|nudg|hint|overst|forward|crossed|came on|jumped|"
        "presumptuous|too|insist|angl|kept|keep|followed|weekly|recurring|regular|standing|"
        "monthly|daily|time|stayed",
        r"\b(?:asked|asking|ask|begged|pressed|pushed|nudged|hinted)(?! me\b)(?: <OBJ>)? "
        r"(?:<W>){0,2}?for "
        r"(?:a |an |some |<HIS> )?(?:job|internship|position|role|gig|intro|introduction|"
        r"referral|reference|favou?r|loan|money|investment|funding|spot|contacts?|connections?|"
        r"more (?:of <HIS> )?time|another meeting|a second meeting|weekly (?:meetings|calls|"
        r"coffees)|regular (?:meetings|calls|coffees))\b",
        r"\basked (?!me\b)(?:<OBJ> )?(?:if|whether) (?:<W>){0,4}?(?:hire|introduce|intro|connect|"
        r"invest|fund|sign|refer|recommend|give me a job|put in a word|put me in touch)\b",
        r"\basked <OBJ> to (?:hire|introduce|intro|connect|invest|fund|sign|refer|recommend|"
        r"put in a word|put me in touch|meet (?:every|weekly|monthly|again next week)|review|"
        r"read|look at|listen to|promote|retweet|repost|feature|book)\b",
        r"\b(?:pushy|overst(?:epped|ep|epping)|too forward|crossed (?:a|the) line|"
        r"came on (?:too )?strong|too much too soon|jumped the gun|presumptuous)\b",
        r"\b(?:asked|pushed|pressed|brought (?:it |that |this )?up) (?:<W>){0,4}?"
        r"too (?:soon|early|fast)\b",
        r"\b(?:pushed|pushing|pressed|pressing|insisted|insisting|angling|angled) (?:hard )?"
        r"(?:for|on)\b",
        r"\b(?:kept|keep|keeps) (?:on )?(?:emailing|texting|messaging|calling|pinging|bugging|"
        r"nagging|hounding|following up|chasing|dming)\b"
        # Not "kept calling him 'sir'" or "kept calling him the GOAT": a name, not a call.
        r"(?! (?:him|her|them) (?:['\"]|(?:a|an|the|my|his|her)\b))",
        r"\bfollowed up (?:<W>)?(?:two|three|four|five|several|multiple|\d+|a bunch of|many) "
        r"times\b",
        r"\b(?:booked|scheduled|set up|proposed|suggested|asked for|pushed for) (?:<W>){0,2}?"
        r"(?:weekly|recurring|regular|standing|monthly|daily) (?:meetings?|coffees?|calls?|"
        r"sessions?|check-? ?ins?)\b",
        r"\b(?:took|taking) up (?:<W>)?(?:her|his|their|so much|too much) (?:of )?(?:<W>)?time\b",
        r"\b(?:overstayed|stayed (?:way )?too long)\b",
    ),
    _rule(
        Signal.PEER,
        # Claiming the idea first: "pointed out I had a paper on the same idea a month earlier".
        "point|same|similar|first|before|beat|one-up|oneup",
        r"\b(?:pointed|pointing|point) out (?:that )?(?:i|i'd|i had|mine) (?:<W>){0,5}?(?:same|"
        r"similar|first|earlier|before)\b",
        r"\bi(?:'d| had)? (?:<W>){0,3}?(?:the same|a similar|that) (?:idea|thing|approach|"
        r"result|finding) (?:<W>){0,4}?(?:first|earlier|before (?:him|her|them|<POSS> \w+))\b",
        r"\b(?:beat|beaten) (?:him|her|them) to it\b",
        r"\bone-?upp?(?:ed|ing)?\b",
    ),
    _rule(
        Signal.PUSHED,
        # A string of messages, or pinning them down: "sent her 3 texts yesterday trying to
        # lock in a visit", "kept trying to pin him down to a date".
        "sent|lock|pin|nail|commit",
        r"\bsent (?:<OBJ> )?(?:[3-9]|three|four|five|six|several|multiple|a bunch of) "
        r"(?:more )?(?:texts|messages|emails|dms|voice ?notes|follow-?ups|reminders)\b",
        r"\b(?:trying|tried|try) to (?:lock (?:in|down)|pin (?:<HIM> )?down|"
        r"nail (?:<HIM> )?down|get <HIM> to commit)\b",
    ),
    _rule(
        Signal.PUSHED,
        # Leaning on them for every call of the user's own: "you decide, I'll do whatever
        # you say", "I keep asking what he'd do about every decision". It oversteps too.
        "decide|whatever|every|everything|choose|call|pick",
        r"\byou (?:decide|choose|pick|make the call)\b",
        r"\b(?:i'll|i will|i'd) do (?:whatever|anything|exactly what) (?:you|<HE>) (?:say|says|"
        r"decide|decides|tell|tells|want|wants|think|thinks)\b",
        r"\b(?:asked|ask|asking|begged|told) <OBJ> to (?:decide|choose|pick|make the call|make "
        r"(?:the|my|this) (?:decision|call|choice)s?) (?:for me|on my|about my|between)\b",
        r"\bwhat <HE>(?:'d| would) do about (?:literally |basically |pretty much )?(?:every|"
        r"everything|all)\b",
        r"\b(?:ask|asking|asked) (?:<W>){0,3}?(?:about|on|before) (?:literally |basically )?"
        r"(?:every|each) (?:single |little )?(?:decision|choice|move|step)\b",
    ),
    _rule(
        Signal.PUSHED,
        "let|take",
        r"\b(?:wouldn't|did not|didn't) (?:let <OBJ> (?:go|leave)|take no for an answer)\b",
        negatable=False,
    ),
    _rule(
        Signal.LESS_AWKWARD,
        "less|easier|more|natural|flow|awkwardness|ice|warm|friend|smoother|comfortable|it|"
        "feels|felt",
        r"\bless (?:and less )?(?:awkward|stiff|formal|weird|tense|nervous|uncomfortable)\b",
        r"\b(?:getting|got|much|way|lot|far|gets|is|it's|it is|was|felt|feels) easier\b",
        r"\beasier (?:this time|now|than (?:before|last time|the first time))\b",
        r"\b(?:it's|it is|it was|it felt|it feels|feels|felt) (?:so |super |really |very |pretty |"
        r"much |way )?easy\b(?! to)",
        r"\bmore (?:natural|relaxed|comfortable|casual|easy-? ?going|fluid|normal)\b",
        r"\b(?:felt|feels|feeling|getting) (?:<W>)?natural\b",
        r"\bflow(?:s|ed|ing)? (?:<W>)?(?:naturally|better|easily|nicely|smoothly)\b",
        r"\bawkwardness (?:is |has |was )?(?:gone|fading|faded|disappeared|melted|wore off|"
        r"wearing off|went away)\b",
        r"\bice(?: is|'s| was| has been) broken\b",
        r"\bbr(?:oke|eaking) the ice\b",
        r"\bwarm(?:ed|ing) up to (?:each other|me)\b",
        r"\blike (?:old )?friends\b",
        r"\bsmoother\b",
        r"\bcomfortable with each other\b",
    ),
    _rule(
        Signal.LESS_AWKWARD,
        "awkward|stiff|weird|tense|uncomfortable",
        r"(?:\bnot|n't|\bno longer|\bnever|\bno)(?: (?:as|so|that|even|at all|really|too|very|"
        r"a bit|the least bit|remotely|one bit|a single|one|an|a|any))* (?:awkward|stiff|"
        r"weird|tense|uncomfortable)\b",
        negatable=False,
    ),
    _rule(
        Signal.MORE_AWKWARD,
        "awkward|stiff|tense|weird|forced|uncomfortable|strained|silence|cringe|stilted",
        r"(?<!less )(?<!less and )\bawkward(?:ly|ness)?\b(?! (?:at first|in the beginning|"
        r"at the start|to begin with|initially|the first time)\b| (?:is |has |was )?(?:\w+ )?"
        r"(?:gone|fading|faded|disappeared|melted|wore off|wearing off|went away)\b)",
        r"(?<!less )\bstiff(?:er|ly|ness)?\b",
        r"\b(?:still|even more|more|just as) (?:<W>){0,3}?(?:awkward|stiff|tense|weird|forced|"
        r"uncomfortable|stilted)\b",
        r"\b(?:felt|feels|feeling) (?:<W>){0,2}?(?:forced|tense|strained|uncomfortable|weird|"
        r"stilted)\b",
        r"\b(?:uncomfortable|long) silences?\b",
        r"\bcringe\w*\b",
    ),
    _rule(
        Signal.MORE_AWKWARD,
        "awkward|easier|natural|comfortable",
        r"(?:\bnot|n't)(?: (?!but\b|though\b)[\w']+){0,4}? (?:getting |any )?(?:any )?"
        r"(?:less awkward|easier|"
        r"more natural|more comfortable)\b",
        negatable=False,
    ),
    _rule(
        Signal.OUTCOME_YES,
        "mentor|take me on|shadow|ropes|mentee|apprentice|took me",
        r"\b(?:agreed|offered|happy|willing|glad|love|keen) to (?:mentor me|be my mentor|"
        r"take me on|let me shadow|have me shadow|show me the ropes)\b",
        r"(?<!will )(?<!would )(?<!could )(?<!might )(?<!can )(?<!if )(?<!whether )"
        r"\b<HE>(?:'s|'ll| is| will)? (?:<W>){0,2}?(?:let|lets|letting) me shadow\b",
        r"\b(?:i'm|i am|i'll be|i will be|i get to|gonna be|going to be|start(?:ing)?|"
        r"begin(?:ning)?) (?:<W>){0,2}?(?:shadowing <OBJ>|<POSS> (?:mentee|apprentice|shadow))\b",
        r"\b<HE>(?:'ll| will| is going to|'s going to| agreed to| offered to| wants to| is happy "
        r"to) (?:<W>)?mentor me\b",
        r"\btook me (?:on|under <HIS> wing)\b",
        r"\b(?:officially )?my mentor now\b",
    ),
    _rule(
        Signal.OUTCOME_YES,
        "yes|yeah|yep|sure|course|absolutely|definitely|agreed|accepted",
        r"\b(?:said|says|answered|replied|was like) (?:an? )?(?:<W>)?(?:yes|yeah|yep|sure|"
        r"of course|absolutely|definitely)\b(?! to (?:a |another |coffee|lunch|drinks|meeting|"
        r"a call))",
        r"\b<HE> (?:agreed|accepted)\b",
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "not|timing",
        r"\bnot (?:right now|now|at the moment|this (?:year|quarter|month|season|semester)|"
        r"the right time|(?:quite )?yet|a good time)\b",
        r"\btiming (?:isn't|wasn't|is not|was not) right\b",
        r"\bnot (?:until|till|before) (?:after )?(?:the|<HIS>|next|later|she|he|they)\b",
        negatable=False,
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "maybe|later|month|week|next|after|new year|fall|spring|summer|autumn|winter|busy|"
        "swamped|slammed|down the|revisit|once|when|rain|ask|check|come|try|circle|reach|talk|"
        "stretched",
        r"\bmaybe (?:later|next (?:year|quarter|month|season|time)|in (?:a few|a couple of|"
        r"six|three|<W>)(?:months|weeks)|down the (?:road|line)|someday|one day|eventually)\b",
        r"\b(?:ask|check (?:back|in)|come back|try|circle back|revisit|reach out|talk) "
        r"(?:me |her |him |them )?(?:again |about (?:it|this|that) |back )?(?:in (?:a few|"
        r"a couple of|<W>)(?:months?|weeks?)|later|next (?:year|quarter|month|season)|"
        r"after (?:the|<HIS>) \w+|in the (?:new year|fall|spring|summer|autumn|winter)|"
        r"in (?:the )?(?:<MONTH>|spring|summer|fall|autumn|winter))\b",
        r"\b(?:busy|swamped|slammed|stretched) (?:until|till|through|for the next)\b",
        r"\b(?:too|really|super|very|incredibly|crazy|so) (?:busy|swamped|slammed) "
        r"(?:right now|at the moment|this (?:year|quarter|month|season|semester)|for now|"
        r"to (?:take|have|mentor))\b",
        r"\b(?:down the (?:road|line)|later this year|in the new year|revisit)\b",
        r"\b(?:once|when|after) (?:things|the (?:tour|launch|season|release|project|semester)|"
        r"<HIS> \w+) (?:calm|settle|quiet|slow|wrap|end|is over|are over|wraps|ends|finish)",
        r"\brain ?check\b",
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NO,
        "said|says|answered|replied|declin|turned|reject|refus|passed|shot|shut",
        r"\b(?:said|says|answered|replied):? (?:a |an )?\"?(?:<W>)?(?:no|nope)\b(?! (?:problem|"
        r"worries|worry|big deal|rush|pressure|need|stress|doubt|idea|matter)\b)",
        r"\b(?:declined|turned me down|turned it down|rejected|refused|passed on|"
        r"shot (?:me|it) down|shut (?:me|it) down)\b",
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NO,
        "tak|mentor|have|do|open",
        r"\b<HE>(?:'s|'re| is| are| was| were| does| do| did| can| could| will| would| wo|"
        r" ca)?(?:n't| not| never) (?:<W>){0,2}?(?:tak(?:e|ing) on|tak(?:e|ing) (?:anyone|"
        r"anybody|mentees|interns|people)|mentor(?:ing|s)?|have (?:anyone|anybody|someone|me) "
        r"shadow|do (?:mentoring|shadowing|mentees|that)|open to (?:mentoring|shadowing|it|that|"
        r"mentees))\b",
        negatable=False,
        gated=True,
    ),
    # --- many ways to say one thing (issue 11): broader phrasings per signal ---------
    _rule(
        Signal.ABOUT_ME,
        "talk|describ|going|rambl|tell|told|explain|brag|monolog|monologu|dron|spent|whole|most|"
        "half|turned|made|word|impress|all|went",
        r"\b(?:i|me)\b (?:<W>){0,6}?(?:talking|describing|going on|rambling|telling|explaining|"
        r"bragging|droning|raving|boasting|banging on|yapping|talked|described|rambled|"
        r"explained|bragged|droned|went on|boasted|yapped) (?:<W>){0,4}?(?:about |on |of )?"
        r"(?:my|me|myself)\b",
        r"\b(?:the whole|the entire|most of the|half the|half of the|all|an|the) (?:<W>)?"
        r"(?:hour|time|lunch|call|coffee|dinner|meeting|conversation|chat|walk|drink|breakfast)"
        r"(?: was| went)? (?:<W>){0,3}?(?:on|about|talking about|describing|discussing) "
        r"(?:my|me|myself)\b",
        r"\bmonologu\w+\b",
        r"\b(?:turned|brought|steered|dragged) (?:it|things|the (?:conversation|talk|chat)) "
        r"back to (?:me|myself|my)\b",
        r"\b<HE> (?:barely|hardly|never|couldn't|could not) (?:got?|get) a word in\b",
        r"\b(?:trying|tried) to impress <HIM>\b",
        r"\b(?:all|mostly|mainly) (?:about )?(?:me|my (?:<W>)?(?:stuff|work|band|project|startup|"
        r"album|ep|podcast|life|career|plans))\b",
        r"\bmade (?:it|everything|the whole thing) about (?:me|myself|my)\b",
    ),
    _rule(
        Signal.PITCHED_SOLUTION,
        "build|make|redo|redesign|fix|rebuild|set|automat|how|proposal|with|using|walk|sell|"
        "restructur|pitch|sales|deck|slides",
        r"\b(?:i'd|i would|i could|i'll|i will|i can|offered to|going to|planning to|want to|"
        r"gonna|i said i'd) (?:<W>){0,2}?(?:build|make|redo|redesign|rebuild|set up|automate|"
        r"code|develop) (?:<W>){0,3}?(?:app|apps|system|site|website|tool|platform|software|"
        r"plugin|dashboard|database)\b",
        r"\bhow (?:i'd|i would|i could|<HE> should|<HE> could) (?:<W>)?(?:redo|fix|"
        r"restructure|rebuild|improve|overhaul|solve|sort out|reorgani[sz]e|run)\b",
        # "how to run it" is a pitch when the user told it, not as a topic of its own.
        r"\b(?:told|showed|explained|taught|lectured|laid out|walked <HIM> through) (?:<HIM> )?"
        r"(?:exactly )?how to (?:<W>)?(?:redo|fix|restructure|rebuild|improve|overhaul|solve|"
        r"sort out|reorgani[sz]e|run)\b",
        r"\b(?:with|using|through|via) (?:my|our) (?:<W>)?(?:software|app|tool|product|platform|"
        r"service|services|agency|startup|company|plugin|consultancy|system)\b",
        r"\bproposals?\b",
        r"\b(?:sales|pitch) (?:talk|deck|mode|pitch)\b",
        r"\bslides\b",
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "every|stop|overdid|overdo|laid|idol|legend|told|things|like|times",
        r"\bcompliment(?:ed|ing)? (?:<W>){0,3}?(?:every|each) (?:<W>)?(?:min|minute|minutes|"
        r"chance|time|turn|sentence)\b",
        r"\b(?:stop|quit) complimenting\b",
        r"\b(?:overdid|overdo|overdoing|laid it on|laying it on) (?:it|thick)?\b",
        r"\btold <OBJ> (?:<W>){0,5}?(?:like |about |at least )?(?:\d+|two|three|four|five|six|"
        r"ten|a dozen|a few|several|many) times\b",
        r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a dozen|a million) things (?:i )?"
        r"(?:<W>){0,3}?compliment\w*\b",
    ),
    _rule(
        Signal.STARSTRUCK,
        "brain|blank|scream|stared|star|shook|trembl|idol|hero|dream|fangirl|fanboy|speechless|"
        "mumbl|sweat|died|dying|pinch|omg",
        r"\b(?:my )?(?:brain|mind|head) (?:<W>)?(?:went|was|goes) (?:completely |totally )?"
        r"(?:blank|empty|mush)\b",
        r"\bscream(?:ed|ing)\b",
        r"\bstared at (?:my|the)\b",
        r"\b(?:speechless|shook|trembling|mumbl(?:ed|ing)|sweating|sweaty)\b",
        r"\b(?:fan-? ?girl|fan-? ?boy)(?:ed|ing)?\b",
    ),
    _rule(
        Signal.AT_EASE,
        "one|1|single|no|without|phone|kept|normal|easy|felt|just",
        r"\b(?:just |only |exactly |kept (?:it )?to )?(?:one|1|a single) (?:<W>)?compliment\b",
        r"\b(?:no|without (?:my|a|any)?) ?(?:phone|phones|selfies|photos|pics|posting)\b",
        r"\bphones? (?:<W>)?(?:stayed|was|were|went|remained|stays) (?:<W>)?(?:in|away|face)\b",
        r"\bkept (?:my|the) phones? (?:<W>)?(?:in|away|face|off)\b",
        r"\b(?:so |pretty |totally |just |surprisingly )?normal in person\b",
        r"\b(?:felt|was) (?:<W>)?easy\b",
    ),
    _rule(
        Signal.ACHIEVEMENTS,
        "discograph|album|record|song|year|one|career|timeline|what|ted|forbes|billboard|"
        "wembley|glory|biograph|bio|greatest|fan|famous|big",
        r"\bdiscograph\w*\b",
        r"\b(album|record|song|year|hit|film|book|project) by \1\b",
        r"\bone by one\b",
        r"\bwhat (?:was it|it was) like (?:playing|working|winning|recording|being|making|"
        r"touring|writing|meeting|getting)\b",
        r"\b<HIS> (?:whole |entire )?(?:career (?:timeline|history|story)|bio|biography|"
        r"back catalogue|back catalog|glory days|greatest|big (?:records|hits|deals|wins|"
        r"moments|years))\b",
        r"\b(?:ted talk|forbes|billboard|wembley|hall of fame|the grammys|the oscars)\b",
        r"\bfan (?:q ?& ?a|q and a|interview|questions)\b",
    ),
    _rule(
        Signal.LUKEWARM,
        "one|repl|answer|respon|wrote|messag|email|short|good|no|didn|didn't|commit|after|month|"
        "week|wk|sure|maybe|friendly|thanks",
        r"\bone[- ]word\b(?! answers)",
        r"\b(?:replied|answered|responded|wrote back|messaged back|emailed back|got back to me|"
        r"reply|response|answer|heard back)\b(?: [\w'-]+){0,5}? (?:after|in|took) (?:a |one |"
        r"two |three |four |\d+ |a couple of |several |a few )?(?:weeks?|wks?|months?)\b",
        r"\b(?:\d+|two|three|four|a few|several) (?:weeks?|wks?|months?) (?:later|after)\b",
        r"\b(?:super |very |really |pretty |kind of |kinda )?short (?:reply|answer|email|message|"
        r"note|response)\b",
        r"\b(?:super|very|really|pretty|kinda) short\b",
        r"\bkept it (?:short|brief|formal)\b",
        r"\b(?:said|wrote|replied|just) \"?good luck\b",
        r"\b(?:no|without (?:any )?|didn't say anything about |nothing about |never mentioned )"
        r"(?:<W>){0,2}?(?:mention of )?(?:meeting|seeing|talking|catching up|getting together) "
        r"(?:again|up)\b",
        r"\b(?:didn't|did not|wouldn't|would not) commit\b",
        r"(?:replied|answered|wrote|messaged|texted|email|reply|dm)[^.!?]{0,20}?[:\"] ?\"?"
        r"(?:thx|thanks|ok|okay|k|sure|noted|hey|cool|nice|great|will do|sure, maybe)[.!]?\"",
        negatable=False,
        whole=True,
    ),
    _rule(
        Signal.CANT_TELL,
        "idk|dunno|no|not|clue|good|was|can't|cant|figure|what|read|into|cold|warm|confus|"
        "unsure|who",
        r"\b(?:idk|dunno|no clue|no idea|can't figure|cant figure|can't work out|"
        r"couldn't figure|couldn't work out|hard to read|can't read|couldn't read)\b"
        r"(?! (?:what|how|why) (?:<HE>|<HIS>)(?:'s| is| are| was)? (?:<W>)?(?:struggl|deal|work|"
        r"hard|tough|up to|going through|busy)| what(?:'s| is)? (?:going on|happening|up)\b)",
        r"\b(?:good|warm|positive) or (?:bad|cold|not|negative)\b",
        r"\bwhat to make of (?:it|that|this|<HIM>)\b",
        r"\b(?:was|is) (?:<HE>|that|it) (?:<W>)?(?:into it|interested|warm|cold|good|bad|"
        r"a good sign|a bad sign) or\b",
        r"\bis that (?:cold|warm|good|bad|neutral|a (?:good|bad) sign)\b",
        negatable=False,
    ),
    _rule(
        Signal.COLD,
        "waiting|kept|gave|minutes|cut|run|go|card|yawn|unfollow|stop|slack|messages|phone|"
        "sorry|defensive|moved|had|need",
        r"\bkept me waiting\b",
        r"\bcut me off\b",
        r"\b(?:i've|i have|i) (?:got|gotta|need) to (?:run|go)\b",
        r"\bdidn't (?:take|want) my (?:card|number|demo)\b",
        r"\bunfollow(?:ed)? me\b",
        r"\b(?:stop|quit) (?:emailing|messaging|texting|calling|sending)\b",
        # "on his phone", not "demoing my app on my phone": the user's own device is no sign.
        r"\b(?:answering|checking|on|typing|reading) (?!my |our )(?:<W>)?(?:slack|emails|"
        r"messages|texts|phone)\b",
        r"\bgot (?:a bit |kind of |kinda |really |very )?defensive\b",
        r"\b(?:no|doesn't have|don't have|didn't have) time for (?:coffees|me|this|meetings)\b",
        r"\bmoved it (?:twice|again|three times)\b",
        r"\breally need to go\b",
    ),
    _rule(
        Signal.CUT_SHORT,
        "cut|short|minutes|min|gave",
        r"\bcut (?:<W>){0,2}?short\b",
        r"\bgave me (?:\d+|five|ten|fifteen) ?min\w*\b",
        # "left after ten minutes"; "felt normal after five minutes" is no cut.
        r"(?<!normal )(?<!fine )(?<!relaxed )(?<!easy )(?<!better )(?<!calm )(?<!comfortable )"
        r"(?<!natural )\bafter (?:\d+|five|ten|fifteen|twenty) ?min\w*\b"
        r"(?!,? (?:i|it|we|things) (?:was|were|felt|got))",
    ),
    _rule(
        Signal.PUSHED,
        "ask|every|review|intro|forward|give|full|contact|book|without|stay|past|call|text|"
        "email|message|another|swing|drop|showed|times|walked|followed|try|send|stop|show|turn",
        r"\b(?:asked|begged|pressed|pushed)(?: <OBJ>)? (?:if|whether|to|for) (?:<W>){0,6}?"
        r"(?:every (?:week|day|monday|tuesday|wednesday|thursday|friday)|weekly|review|intro|"
        r"introduce|forward|give me|full day|contacts?|contact list|a job|hire me|sign|"
        r"connect me|put me in touch|take all)\b",
        r"\b(?:booked|scheduled|put) (?:<W>){0,3}?(?:in|on|into) <HIS> (?:calendar|diary)\b",
        r"\bwithout (?:really |even )?(?:asking|checking with) <HIM>\b",
        r"\bstayed (?:way |well |long )?(?:past|over|beyond|after) (?:our|the|my) (?:<W>)?"
        r"(?:hour|time|slot)\b",
        r"\b(?:called|texted|emailed|messaged|rang|dmed|dm'd|pinged) (?:<W>){0,4}?(?:two|three|"
        r"four|five|several|\d+) times\b",
        r"\bthen another (?:one |message |email |text )?(?:this morning|the next day|"
        r"an hour later|since|because|when)\b",
        r"\b(?:swing|drop|stop|show up|turn up) (?:by )?(?:at )?<HIS> (?:office|studio|house|"
        r"place|work)\b",
        r"\b(?:walked|followed) <HIM> to (?:<HIS>|the) (?:car|gate|door|train|taxi)\b",
        r"\bsend (?:one|just one) more\b",
        r"\btry once more\b",
    ),
    _rule(
        Signal.PEER,
        "level|equal|peer|told|better|differently|should|behind|same|we|cute",
        r"\bon <HIS> level\b",
        r"\b(?:like|as) (?:<HIS> |an? )?(?:equal|peer)s?\b",
        r"\btold <OBJ> (?:<W>){0,4}?(?:what|how) <HE> should\b",
        r"\b(?:i'd|i would) (?:<W>)?have (?:done|handled|played|run) (?:<W>){0,3}?"
        r"(?:differently|better)\b",
        r"\b(?:better|worse) than <HIS>\b",
        r"\b<HE>(?:'s|'re| is| are| was) behind on\b",
    ),
    _rule(
        Signal.DEFERENCE,
        "took|notes|makes|sense|run|report|by you",
        r"\btook notes\b",
        r"\b(?:that|it) makes (?:a lot of |so much |total )?sense\b",
        r"\brun (?:it|this|that|the \w+ \w+|the \w+) by (?:you|<HIM>)\b",
        r"\breport back\b",
        r"\b(?:i'd|i will|i'll) try <HIS> (?:approach|advice|idea|way|suggestion)\b",
    ),
    _rule(
        Signal.SMALL_TALK,
        "know|knew|idea|dunno|sure|nothing|shop|work|what|never|just|small",
        r"\b(?:don't|didn't|do not|did not|still don't|never|no idea|dunno|not sure)"
        r"(?: [\w']+){0,3}? (?:what|about|whether)(?: [\w']+){0,3}? (?:struggl\w*|dealing|hard|"
        r"tough|worr\w*|problems?|challeng\w*|keeps? (?:her|him|them) up|working on)\b",
        r"\b(?:no|nothing about) (?:shop ?talk|work|business|the label|the studio)\b",
        r"\bnothing about what\b",
        r"\bjust (?:be )?small ?talk\b",
        negatable=False,
    ),
    _rule(
        Signal.SKILLS,
        "i build|i code|i do|i speak|i know|i'm a|i am a|i've done|decent|years|that|it",
        r"\bi (?:build|code|design|edit|write|do|make|run|teach|program|translate) "
        r"(?:<W>){0,2}?(?:websites?|apps?|sites?|for a living|video|editing|sound|books|"
        r"contracts|marketing|events|social|music|code)\b",
        r"\bi code\b",
        r"\bi speak (?:fluent )?\w+\b",
        r"\bi(?:'m| am) (?:a |an )?(?:decent|good|great|trained|qualified|professional|"
        r"experienced)? ?(?:bookkeeper|accountant|designer|developer|editor|engineer|"
        r"translator|event planner|planner|producer|photographer|lawyer|marketer|coder|"
        r"programmer|writer)\b",
        r"\bi've done (?:<W>){0,2}?for (?:\d+|two|three|five|ten) years\b",
        r"\b(?:that's|it's) my day job\b",
    ),
    _rule(
        Signal.OUTCOME_NO,
        "answer|hard|bandwidth|fit|no",
        r"\banswer(?:ed)?:? no\b",
        r"\bhard no\b",
        r"\b(?:doesn't|does not|don't|do not) have the bandwidth\b",
        r"\bnot (?:the )?(?:right )?fit\b",
        gated=True,
        whole=True,
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "can't|cannot|not|ask|ping|let|think|later",
        r"\b(?:can't|cannot|couldn't) (?:take|have) (?:me|anyone|someone) (?:on )?(?:this|right|"
        r"now|until|till)\b",
        r"\b(?:ask|ping|check with|email) (?:<HIM> |me )?(?:again )?(?:in|after|once|when) "
        r"(?:<W>){0,2}?(?:<MONTH>|spring|summer|fall|autumn|winter|the new year|\w+ settled|"
        r"things|they|she|he|the)\b",
        r"\blet me think about it\b",
        r"\bmaybe later\b",
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_YES,
        "said yes|yes to|happy to have|tag|yes but",
        r"\bsaid yes to (?:me )?(?:<W>){0,2}?(?:tagging|coming|joining|sitting|shadowing)\b",
        r"\b(?:happy|glad|love) to have you (?:shadow|tag|come|join|sit)\b",
        r"\"yes,? but\b",
    ),
    _rule(
        Signal.GLOOM,
        "hate|disaster|ice|annoyed|didn't|did|being|doesn't|can't|tell|know|polite",
        r"\b<HE> (?:<W>)?(?:hates|hated) (?:me|it)\b",
        r"\b(?:a |total |complete |an absolute )?disaster\b",
        r"\btotal ice\b",
        r"\b<HE>(?:'s| is| was) (?:<W>)?annoyed with me\b",
        r"\b(?:didn't|did not) want to be there\b",
        r"\bjust being polite\b",
        r"\bi (?:could |can )?(?:just )?(?:tell|know)\b(?! <HIM>)",
        negatable=False,
    ),
    _rule(
        Signal.ROOM,
        "bad|rough|mood|look|moment|right|day|timing|how|read|catch|see",
        r"\b(?:bad|rough|hard|tough|terrible|stressful) (?:day|week|month|time)\b",
        r"\b(?:her|his|their) mood\b",
        r"\bwhat (?:should i|do i) look for\b",
        r"\bthe (?:moment|timing)(?:'s| is)? right\b",
        r"\bright (?:moment|time) to ask\b",
        r"\bread (?:the room|her mood|his mood|the mood)\b",
        r"\bsee how <HE>(?:'s| is) (?:doing|feeling)\b",
        r"\bcatch <HIM> (?:on|at) a (?:bad|good|busy)\b",
        r"\bwhat kind of day\b",
        negatable=False,
    ),
    _rule(
        Signal.LESS_AWKWARD,
        "relax|comfortable|chill|easy|natural|awkward|better|friend|teas|joke|laugh",
        r"\b(?:it's|it is|its|it was|things are|things were|it feels|it felt|now|so|way|really)"
        r" (?:<W>)?(?:relaxed|comfortable|chill|easy|natural|easygoing|easy-going)\b",
        r"\bawkwardness (?:<W>){0,2}?(?:gone|over|vanished)\b",
        r"\b(?:each|every) (?:one|time|coffee|lunch|meeting)?,? ?(?:<W>)?(?:better|easier|more "
        r"relaxed|more natural|less awkward) than the last\b",
        r"\b(?:an |a )?old friend\b",
        r"\bteased me\b",
        r"\blaughs? at my (?:<W>)?jokes now\b",
        negatable=False,
    ),
    _rule(
        Signal.OPEN_DOOR,
        "asked|told|wants|wanted|invited|said|come|drop|stop|swing|stayed|thought|blue|"
        "texted|emailed|called|messaged",
        r"\b<SUBJ> (?:<W>)?(?:asked|told|wants|wanted|invited|said|says) (?:me )?(?:to|i should|"
        r"i could|i can) (?:<W>)?(?:come|send|drop|stop(?! (?:emailing|messaging|texting|"
        r"contacting|calling|writing|bothering|following))|join|visit|bring|swing|sit in|meet)\b",
        r"\b(?:come|drop|stop|swing|pop) by\b",
        r"\bstayed (?:<W>)?(?:two|three|\d+|an extra|another) (?:<W>)?hours?\b",
        r"\bthought of you\b",
        r"\bout of the blue\b",
        r"\b<SUBJ> (?:texted|emailed|called|messaged|dmed|dm'd|wrote to|reached out to) me "
        r"first\b",
    ),
    _rule(
        Signal.QUICK_REPLY,
        "wrote|replied|answered|responded|back|got",
        r"\b(?:wrote back|replied|answered|responded|got back to me|texted back|emailed back) "
        r"(?:<W>){0,3}?(?:the same|that same|within the|within an?) (?:day|evening|night|"
        r"afternoon|morning|hour)\b",
    ),
    _rule(
        Signal.AT_EASE,
        "kept|one|compliment|phone",
        r"\bkept (?:my|the) (?:<W>)?phones? (?:<W>)?(?:in|away|face|off)\b",
        r"\b(?:one|1|a single) (?:nice|kind|honest|genuine|sincere|small) (?:thing|word|"
        r"compliment|remark)\b",
        r"\bcompliments?:? (?:1|one|just one|only one)\b",
        r"\bphones?:? (?:stayed |was |remained )?(?:in my|away|off|face down)\b",
        negatable=False,
        whole=True,
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        "asked|ask|what|how|worr|hard|tough|keeps|struggl|challeng|biggest",
        r"\b(?:asked|ask|asking) (?:<OBJ> )?(?:about )?(?:what|how|which)(?:'s)? (?:<W>){0,4}?"
        r"(?:worr\w*|hardest|toughest|hard|tough|keeps (?:<HIM>|<HIM> )?up|struggl\w*|"
        r"challeng\w*|biggest|bothering|frustrat\w*)\b",
        r"\b<POSS> biggest (?:<W>)?(?:issue|problem|worry|challenge|headache|fear)\b",
    ),
    _rule(
        Signal.LUKEWARM,
        "repl|answer|wrote|messag|text|email|respon|heard|got|took|just|sure",
        r"\b(?:replied|answered|wrote back|wrote|messaged back|texted back|emailed back|"
        r"responded|reply|response|answer|heard back|got back)[^.!?]{0,40}?\""
        r"(?:[^\s\"]+ ?){1,4}\"",
        r"\btook (?:<W>)?(?:\d+|two|three|four|a few|several|a couple of) (?:weeks?|wks?|days|"
        r"months?) to (?:answer|reply|respond|get back|write back)\b",
        r"\bjust (?:a )?(?:\"|')?(?:👍|thumbs up|emoji|like|heart)\b",
        negatable=False,
        whole=True,
    ),
    _rule(
        Signal.ABOUT_ME,
        "rambl|monolog|dron|went|bang|talk|spoke|kept",
        r"\b(?:rambl\w+|monologu\w+|droned on|went on and on|banged on) (?:<W>){0,4}?(?:about|"
        r"abt) (?:my|me|myself)\b",
        r"(?<!she )(?<!he )(?<!they )\b(?:talk\w*|spoke) (?:<W>){0,4}?about (?:me|myself)\b",
        r"\bkept (?:bringing|turning|steering) (?:it|things|the conversation) back to me\b",
    ),
    _rule(
        Signal.GLOOM,
        "regret|annoyed|likes|pity|hate|sure|think",
        r"\b<HE>(?:'s| is)? (?:<W>){0,2}?regret\w*\b",
        r"\b(?:going to|gonna) be (?:<W>)?annoyed with me\b",
        r"\b<HE> (?:barely|hardly|doesn't|does not) (?:<W>)?likes? me\b",
        r"\bout of pity\b",
        negatable=False,
    ),
    _rule(
        Signal.PRAISED,
        "friends|good|ready|vibe|living|great|subtle|def|totally|enthusias|animat|engag|"
        "delight|excit|thrill|keen|interest|generous|open|chatty|attentive|welcom|into|"
        "curious|present|invest|impress",
        r"\bwe're (?:<W>)?(?:friends|good|besties|tight)(?: now)?\b",
        r"\b<HE>(?:'s| is) (?:<W>)?(?:ready|going|gonna|definitely going) to (?:mentor|help) me\b",
        r"\b(?:the )?vibe was (?:<W>)?(?:good|great|amazing|immaculate)\b",
        r"\bliving the dream\b",
        r"\b(?:so|super|really|very|incredibly|genuinely|visibly) (?:animated|engaged|excited|"
        r"friendly|chatty|lively|open|into it)\b",
        r"\b<SUBJ>(?:'s| was| were| is| are| seemed| seems| looked| got| sounded| became| "
        r"stayed| felt)(?: really| so| super| very| quite| genuinely| pretty| incredibly| "
        r"clearly| totally| visibly| actually)* (?:enthusiastic|animated|engaged|"
        r"delighted|excited|thrilled|keen|interested|generous|open|chatty|attentive|"
        r"welcoming|into it|curious|present|invested|impressed)\b",
        r"\bgreat news\b",
        r"\b(?:very|so) subtle\b",
        r"\b<HE> (?:<W>)?(?:totally|definitely|def) wants to\b",
        negatable=False,
    ),
    _rule(
        Signal.COLD,
        "cancel|office|contact|unavailable|busy|read|coffees|mentoring|left|replied|pick|formal|"
        "further|foreseeable",
        r"\b(?:cancell?ed|canceled) (?:<W>){0,3}?(?:coffees?|meetings?|calls?|lunch(?:es)?|"
        r"twice|again)\b",
        r"\bout of (?:the )?office\b",
        r"\b(?:not|stop|don't|do not) (?:to )?contact(?:ing)? (?:<HIM>|me)\b",
        r"\bcontact (?:<HIS>|the) office\b",
        r"\bunavailable\b",
        r"\btoo busy for (?:<W>)?(?:coffee|coffees|meetings|me|this|chats)\b",
        r"\b(?:are|is|were|was|sitting|left) on read\b",
        r"\b(?:doesn't|does not|don't|do not) (?:really )?do (?:coffees|coffee|meetings|"
        r"mentoring|that)\b",
        r"\bleft (?:right|straight|immediately) after\b",
        r"\b(?:hasn't|has not|haven't|didn't) (?:<W>)?(?:replied|answered|responded) to any\b",
        r"\bdidn't pick up\b",
        r"\buntil further notice|foreseeable future\b",
        negatable=False,
    ),
    _rule(
        Signal.OPEN_DOOR,
        "asked|let's|lets|love|offered|send|said|course|writing|number",
        r"\b<SUBJ> (?:<W>)?asked (?:me )?(?:to send|to see|for my (?:number|email|card|mix|"
        r"mixes|demo|portfolio|notes|details|contact))\b",
        r"\b(?:let's|lets) find a time\b",
        r"\b(?:i'd|i would|<HE>'d|<HE> would) love to (?:hear|see|meet|catch|have|chat|talk)\b",
        r"\boffered to (?:teach|show|introduce|help|send|mentor|take) me\b",
        r"\bsend me (?:that|it|your|the)\b",
        r"\b<HE> said (?:of course|sure thing|absolutely)\b",
        r"\b(?:emailed|texted|messaged|sent) me (?:<W>){0,4}?(?:an hour later|the next morning|"
        r"next morning|that same night|the same night|that night|right after)\b",
    ),
    _rule(
        Signal.LUKEWARM,
        "changed|think|set|heart|emoji|hm|catch|after|slammed|busy",
        r"\bchanged the subject\b",
        r"\b(?:she'd|he'd|she would|he would|she'll|he'll|they'd) (?:\"|')?think about\b",
        r"\b(?:didn't|did not) (?:set|suggest|propose|offer) (?:<W>)?(?:another|a new|a) "
        r"(?:date|time|meeting|coffee)\b",
        r"\b(?:a )?(?:heart|thumbs up|smiley) emoji\b",
        r"\"hm+\"",
        r"\b(?:slammed|busy|swamped) (?:until|till) (?:<W>){0,3}?(?:but|and)\b",
        negatable=False,
        whole=True,
    ),
    _rule(
        Signal.CANT_TELL,
        "not|so|reading|that's|all",
        r"\bnot sure (?:if|whether) <HE> (?:<W>)?(?:liked|likes|was into|enjoyed|wanted)\b",
        r"\bso what is it\b",
        r"\breading people is hard\b",
        r"\bthat's all i know\b",
        negatable=False,
    ),
    _rule(
        Signal.NOTHING_OFFERED,
        "said|offered|added|brought|contributed|have|kept|nodding|idea|nothing",
        r"\b(?:said|offered|added|brought|contributed|suggested) nothing\b",
        r"\b(?:didn't|did not|don't|do not) (?:really )?have (?:anything|much) (?:useful )?to "
        r"(?:add|say|offer|contribute)\b",
        r"\b(?:just )?(?:kept|sat there) nodding\b",
        r"\bno idea what to (?:say|suggest|add)\b",
        r"\bnothing (?:useful|smart|helpful) to (?:add|say|offer)\b",
        negatable=False,
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        "problem|issue|worr|struggl|challeng|bring|mention|share|opened|talked|told|vented|"
        "complain|hard|tough|difficult|trouble|what",
        r"\b(?:problems?|issues?|worries|struggles?|challenges?|concerns?) (?:<W>)?(?:came up|"
        r"were mentioned|surfaced|got mentioned)\b",
        r"\b(?:bring|bringing|mention|mentioning|share|sharing) (?:up )?(?:any |a single |one )?"
        r"(?:real )?(?:problems?|issues?|worries|struggles?|challenges?|concerns?)\b",
        r"\b(?:opened up|talked|told me|vented|complained|went on) (?:<W>){0,2}?about how "
        r"(?:hard|tough|difficult)\b",
        r"\bhow (?:hard|tough|difficult) it is (?:to|for)\b",
        r"\bthe (?:trouble|problems?|issues?|headaches?) <HE>(?:'s| is| was| has been) having\b",
        r"\bwhat (?:worries|bothers|frustrates|keeps up|stresses) <HIM>\b",
    ),
    _rule(
        Signal.OFFERED_INSIGHT,
        "nobody|no one|never",
        r"\b(?:nobody|no one|no-one) (?:had |has )?(?:ever )?asked <HIM> that\b",
        negatable=False,
    ),
    _rule(
        Signal.PITCHED_SOLUTION,
        "bring|mention|push|plug|show",
        r"\b(?:bring up|brought up|mention|mentioned|push|pushed|plug|plugged|show|showed) "
        r"(?:<W>)?(?:my|our) (?:app|product|startup|company|agency|software|tool|services?|"
        r"platform)\b",
    ),
    _rule(
        Signal.STARSTRUCK,
        "panick|freeze|sweat|forgot|nothing|frozen|barely|mind|brain",
        r"\bpanick(?:ed|ing)\b",
        r"\bsweat(?:ed|ing)? through\b",
        r"\bforgot my (?:own )?name\b",
        r"\bnothing came out\b",
        r"\bfrozen\b",
        r"\b(?:could|can) (?:barely|hardly) (?:eat|breathe|speak|talk|think|move)\b",
        negatable=False,
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "couldn't|could|can't|another|one|compliment|admire|love",
        r"\b(?:couldn't|could not|can't) stop (?:praising|complimenting|gushing|fangirling|"
        r"fanboying|telling <HIM> how)\b",
        # "then another one about our tour" is another telling, not another compliment, and
        # "then another email last week" another contact.
        r"\b(?:then|and) (?:another|one more)\b(?! (?:one |message |email |text |voice note )?"
        r"(?:about|on) (?:my|our)\b)(?! (?:<W>)?(?:e-?mails?|messages?|texts?|dms?|calls?|"
        r"coffees?|meetings?|articles?|links?|notes?|letters?|follow-?ups?|reminders?|"
        r"questions?|voice notes?|lunch|drinks?|tries|tr(?:y|ied)|attempts?|weeks?|days?|"
        r"months?|hours?|minutes?|round|time)\b)",
        r"\bhow much i (?:admire|love|adore) (?:<W>){0,3}?and <HIS> \w+,? and <HIS>\b",
        negatable=False,
    ),
    _rule(
        Signal.ACHIEVEMENTS,
        "every",
        r"\bevery (?:single )?(?:award|prize|trophy|record|album|hit|accolade|credit)\b",
    ),
    _rule(
        Signal.ABOUT_ME,
        "talking|talked|own",
        r"\bdid (?:most of |all of |all )?the talking about (?:my|our)\b",
        r"\bi talked,? (?:and )?<HE> listened\b",
        r"\bwith (?:my|stories of my) own\b",
    ),
    _rule(
        Signal.OUTCOME_YES,
        "agreed|said|asked|of course|yes",
        r"\b(?:agreed|said (?:ok|okay|yes|sure)) to (?:let(?:ting)? me |me )?(?:<W>)?(?:shadow\w*|"
        r"sit(?:ting)? in|tag(?:ging)? along|come along|join\w*)\b",
        r"\b<SUBJ> asked me (?:if|whether) i'd (?:<W>)?(?:shadow|sit in|join|come along)\b",
        r"\"(?:of course|yes|absolutely|sure|definitely)\b(?!,? not\b)",
        gated=True,
        whole=True,
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "can't|cannot|couldn't|circle|quarter|month|year|impossible",
        r"\b(?:can't|cannot|couldn't) (?:<W>){0,4}?(?:until|till|right now|this (?:year|quarter|"
        r"month|season))\b",
        r"\bcircle back (?:in|after|when|once)\b",
        r"\b(?:this|next) (?:quarter|month|year|season) is (?:impossible|crazy|too much)\b",
        negatable=False,
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NO,
        "plain|flat|firm|is a no|no|asked again|doesn't|ever|ask",
        r"\b(?:plain|flat|firm|hard|clear) no\b",
        r"\bis a no\b",
        r"\b(?:doesn't|does not|don't|do not) want to be asked again\b",
        r"\bno,? ever\b",
        r"\bsaid no to (?:<W>)?(?:shadow\w*|mentor\w*|it|that|me)\b",
        r"\b(?:please )?don't ask (?:me )?again\b",
        negatable=False,
        gated=True,
    ),
    _rule(
        Signal.OUTCOME_NO,
        "absolutely|definitely|certainly|hell|god|no|nope|nah",
        # The hero's own words, read across the sentences of a quote: "absolutely not", or
        # a reply that ends in a plain "No.".
        r"\"(?:absolutely|definitely|certainly|hell|god),? no(?:t|pe)?\b",
        r"\"(?:[^\"]{0,80}?[.?!,] )?(?:no|nope|nah)[.!]+\s*\"",
        negatable=False,
        gated=True,
        whole=True,
    ),
    _rule(
        Signal.PEER,
        "wrong|explained|were|founders|peers|more|better|not how|jumped|behind",
        r"\b(?:you're|you are|<HE>'s|<HE> is|<HE> was|<HE> were) (?:<W>)?(?:wrong|mistaken|"
        r"out of date|outdated|behind)\b",
        r"\bexplained (?:the|<HIS>|how the) (?:<W>)?(?:market|industry|business|field|job|"
        r"craft|scene|trade|work|label|genre)s? (?:works )?to <HIM>\b",
        r"\bif i were <HIM>\b",
        r"\bbetween two (?:founders|peers|equals|pros|professionals)\b",
        r"\b(?:more|better) (?:<W>){0,3}?than <HE> (?:has|does|did|is|had)\b",
        r"\bthat's not how (?:<W>){0,3}?(?:anymore|these days|now|works)\b",
        r"\bjumped in (?:saying|to say|to correct)\b",
    ),
    _rule(
        Signal.PUSHED,
        "asked|every|without|showed|hung|weekly",
        r"\basked <OBJ> for (?:a |an |<HIS> )?(?:full|copy|tour|templates?|contacts|notes|"
        r"slides|files|numbers|list)\b",
        r"\b(?:asked|ask|pushed|wanted|want|begged) (?:<W>){0,6}?(?:every single|every) "
        r"(?:week|friday|monday|tuesday|wednesday|thursday|day)\b",
        r"\bmeet weekly\b",
        r"\bwithout (?:telling|asking|warning|checking with) <HIM>\b",
        r"\b(?:showed|turned) up (?:<W>){0,3}?(?:unannounced|uninvited|without)\b",
        r"\bhung around\b",
    ),
    _rule(
        Signal.DEFERENCE,
        "argue|good|turn|kept",
        r"\b(?:didn't|did not|never) (?:argue|push back|contradict)\b",
        r"\bgood to know\b",
        r"\b(?:turn|turned|turning|steered|steering) it back to what <HE> (?:thought|thinks)\b",
        negatable=False,
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "said|told|called|times|loved|love|admire",
        r"\b(?:said|told <OBJ>|called <HIM>) (?:<W>){0,5}?(?:like |about |at least )?(?:\d+|two|"
        r"three|four|five|six|seven|ten) times\b",
        r"\btold <OBJ> (?:how much )?i (?:loved|love|admire|adore) (?:<W>){0,4}?and <HIS> "
        r"(?:<W>){0,3}?and <HIS>\b",
    ),
    _rule(
        Signal.ABOUT_ME,
        "rest|ended|telling",
        r"\b(?:the )?rest (?:of it )?was (?:me|about me|all me|my)\b",
        r"\bended up (?:telling|talking) (?:<OBJ> )?(?:all )?about (?:my|every|all|me)\b",
    ),
    _rule(
        Signal.ACHIEVEMENTS,
        "award|review|prize|accolade",
        r"\b(?:the|<HIS>) (?:<W>)?(?:awards|reviews|prizes|accolades|nominations)\b",
    ),
    _rule(
        Signal.FOLLOW_UP_QUESTIONS,
        "asks",
        r"\b<SUBJ> (?:always |now |even |also )?asks (?:me )?(?:about|after|how|what) "
        r"(?:my|me|i)\b",
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "let|not until",
        r"\blet me think about it\b",
        r"\bnot until (?:after )?(?:the|<HIS>|next|later)\b",
        negatable=False,
    ),
    _rule(
        Signal.SKILLS,
        "i fix|i repair|i shoot|i mix|i master|i produce|i've got|i have|i'm good|i am good|"
        "i've done|offer to|i could",
        r"\bi (?:fix|repair|shoot|mix|master|produce|organi[sz]e|book|manage) (?:<W>)?\w+",
        r"\bi(?:'ve| have) got (?:<W>){0,2}?(?:certs|certification|certificates|experience|"
        r"a degree|skills)\b",
        r"\bi(?:'m| am) (?:<W>)?good at\b",
        r"\bi(?:'ve| have) done (?:that|this|it) for (?:years|ages|a decade)\b",
        r"\boffer to (?:do|fix|help|run|cover|handle|edit|design|build|manage|organi[sz]e)\b",
        r"\bi could (?:cover|run|help|do|handle|fix|edit|design|build|manage)\b",
    ),
    _rule(
        Signal.ABOUT_ME,
        "talking|going|rambl|dron|bang|brag",
        r"(?<!she's )(?<!he's )(?<!she was )(?<!he was )(?<!they were )\b(?:talking|going on|"
        r"rambling|droning on|banging on|bragging) (?:about|abt) (?:my|me|myself)\b",
    ),
    _rule(
        Signal.OFFERED_INSIGHT,
        "helped|got|made",
        r"\b(?:it |that |this )?(?:helped|got|made) <HIM> (?:think|rethink|see it)\b",
    ),
    _rule(
        Signal.OUTCOME_NOT_NOW,
        "maybe",
        r"\bmaybe (?:after|once|when|in) (?:the|<HIS>|a|next)\b",
        gated=True,
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "list|compliment",
        r"\b(?:a list of |like |about )?(?:\d+|ten|twenty|a dozen|a bunch of|a whole list of) "
        r"(?:<W>)?compliments\b",
    ),
    _rule(
        Signal.OFFERED_INSIGHT,
        "wrote|question|idea|point|thought",
        r"\bwrote (?:it|that|this|them) down\b",
        r"\b(?:question|idea|point|thought|take) (?:<W>){0,6}?(?:was|is) a (?:really )?(?:great|"
        r"good|smart|sharp|fair) one\b",
    ),
    _rule(
        Signal.MANY_COMPLIMENTS,
        "saying|telling",
        r"\b(?:saying|telling <OBJ>) (?:<W>){0,5}?(?:like |about |at least |prob |probably )?"
        r"(?:\d+|two|three|four|five|six|seven|ten) times\b",
    ),
    _rule(
        Signal.NOTHING_OFFERED,
        "had|just",
        r"\bhad nothing (?:useful |smart |helpful )?to (?:say|add|offer)\b",
        r"\bjust nodded\b",
        negatable=False,
    ),
    _rule(
        Signal.LUKEWARM,
        "said|cool|warm|meh|ish",
        r"\b(?:said|replied|wrote|answered) (?:\"|')(?:let's see|we'll see|maybe|sure|ok|okay|"
        r"hm+|noted|cool)\b",
        r"\b(?:cool|warm|meh|ok|okay)-? ?ish\b",
        negatable=False,
    ),
    _rule(
        Signal.QUICK_REPLY,
        "back|replied|answered|responded|wrote",
        r"\b(?:back|replied|answered|responded|wrote back) (?:<W>){0,2}?(?:in|within) "
        r"(?:like |about |under |less than |barely )?(?:\d+|two|five|ten|a few|a couple of) ?"
        r"(?:minutes|min|seconds|secs)\b",
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        "handle|handling|deal|fight|struggl|about",
        r"\b(?:handles?|handling|deal(?:s|ing)? with|fighting|struggl\w* with|about) (?:<W>){0,3}?"
        r"(?:burnout|turnover|cash ?flow|layoffs|budget cuts|debt|a lawsuit|staffing|"
        r"understaffing|churn|late payments)\b",
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        # The user asking where their work breaks: "asked what breaks for her on tour".
        "ask|what|where",
        r"\b(?:asked|asking|ask) (?:<OBJ> )?(?:what|where|why|how often) (?:<W>){0,4}?(?:breaks|"
        r"goes wrong|go wrong|jams|slows|fails|falls apart|gets stuck|falls over|keeps breaking|"
        r"bottlenecks?|hurts|stalls)\b",
    ),
    _rule(
        Signal.PROBLEM_SHARED,
        "keep|kept",
        r"\bkeep(?:s|ing)? <HIM> up at night\b",
    ),
    _rule(
        Signal.COLD,
        "looked|glanced|phone|laptop|screen",
        r"\b(?:only |barely |hardly )?(?:looked|glanced) up from <HIS> (?:phone|laptop|screen|"
        r"email|notes)\b",
        r"\b<HIS> (?:phone|laptop|screen) (?:the whole time|all along|the entire time|all "
        r"through)\b",
    ),
)


# --- the lexicon rules -------------------------------------------------------------------
# Meanings as data (words.toml [lexicon] and [reactions]): an actor, a class of act and a
# class of object, combined here. A new wording of a known deed ("walked her through my
# whole portfolio") is read because its verb and its object are in a class, not because
# its sentence is in a rule. They read the whole story: a list of praises or favours runs
# across commas.
_LEXICON = words()["lexicon"]
_REACTIONS = words()["reactions"]
_ACTS = words()["acts"]
_PROBLEMS = words()["problems"]


def _any(entries: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{entry})" for entry in entries) + ")"


_SLOW = r"\b" + _any(_REACTIONS["slow"]) + r"\b"


def _phrases(signal: Signal, entries: list[str], *, negatable: bool = True) -> list[_Rule]:
    rules = []
    for own in (False, True):
        chosen = [entry for entry in entries if bool(_OWN_NEGATION.search(entry)) is own]
        if chosen:
            # A phrase may open on a quotation mark (the hero's words), where \b can't match.
            pattern = r"(?:\b|(?=[\"']))" + _any(chosen) + r"(?![\w'])"
            finder = _finder("i", pattern, whole=True)
            rules.append(_Rule(signal, finder, negatable and not own, False))
    return rules


def _lexicon_rules() -> tuple[_Rule, ...]:
    telling = _any(_LEXICON["telling"])
    not_mine = _any(_LEXICON["not_self_topics"])
    own = (
        r"(?:my|our) (?:whole |entire |own |full |life |long )*(?!" + not_mine + r"(?![\w']))[a-z]"
    )
    praise = _any(_LEXICON["praise"])
    # The user as actor, or no subject at all at a sentence's start ("told her she's...").
    mine = r"(?:\b(?:i|we|i'm|i'll|i'd|we're|we'll) (?:<W>){0,2}?|(?:^|(?<=[.!?:;] )|(?<=\band )))"
    said = mine + r"(?:said|kept saying|told <OBJ>|called <HIM>|complimented|praised)\b"
    tell_mine = (
        # "I told her...", or a sentence with no subject: "Walked her through...", "Planning
        # to show her...".
        r"(?:\b(?:i|we) (?:<W>){0,3}?|(?:^|(?<=[.!?:;] )|(?<=\band ))(?:(?:planning|going|want|"
        r"wanting|hoping|thinking|about) (?:to|of|on) )?)"
        + telling
        + r" (?:<W>){0,1}?(?:all |everything )?"
        r"(?:about |through |thru |on |over |with |of )?"
    )
    about_me = (
        # I + telling + my X, told at length: the whole of it, a second thing of mine, or
        # minutes of it. "I told her about my trip" alone is a detail, not the meeting.
        tell_mine + r"(?:my|our) (?:whole|entire|full|complete|life|every)\b",
        tell_mine + own + r"[^.!?]*?\b(?:my|our) (?!" + not_mine + r"(?![\w']))[a-z]",
        # "in detail", "a 2000-word email about my career": long by what it is.
        tell_mine + own + r"[^.!?]*?\bin (?:great |full |minute |excruciating |painful )?detail\b",
        r"\b(?:sent|wrote) <OBJ> (?:a |an )?(?:\d+[- ]?(?:word|page)|long|huge|massive|giant|"
        r"enormous|novel-length|essay-length) (?:<W>)?(?:email|message|letter|dm|text|"
        r"voice note|essay) (?:all )?about (?:my|me|myself)\b",
        # A subjectless diary line: "then spent what felt like forever on my podcast".
        r"(?:^|(?<=[.!?:;,] )|(?<=\band )|(?<=\bthen ))(?:spent|wasted|used) (?:<W>){0,4}?on "
        r"(?:my|me|myself)\b",
        # "all twelve minutes of it", "all forty slides": the whole of a long thing of mine.
        tell_mine + own + r"[^.!?]*?\ball (?:\d+|[a-z]+) (?:minutes|mins|hours|slides|pages|"
        r"songs|tracks|photos|chapters|episodes)\b",
        tell_mine + own + r"[^.!?]*?\bfor (?:<W>)?(?:\d+|ten|fifteen|twenty|thirty|forty|"
        r"an|half an) (?:minutes|mins|hours?)\b",
        # Not "posted them all on my story": a feed is where photos go, not a topic.
        r"\b(?:the whole|the entire|all|most) (?:<W>){0,3}?(?:about (?:me|my|myself)|on (?:me|"
        r"myself|my(?! (?:story|stories|feed|socials|insta|instagram|ig|twitter|linkedin|tiktok|"
        r"page|channel|status|timeline)\b)))\b",
        # "half the lunch was me and my app".
        r"\b(?:the whole|the entire|all|most|half) (?:of )?(?:<W>){0,3}?(?:was|went on) (?:just )?"
        r"(?:me|about me|about my|on me|on my)\b",
        # "Most of the call was me going through my portfolio".
        r"\b(?:the whole|the entire|all|most|half) (?:of )?(?:<W>){0,3}?(?:was|went on) "
        r"(?:just )?me " + _any(_LEXICON["telling_at"]) + r" (?:<W>)?(?:my|our)\b",
        r"\b\d0 ?/ ?\d0 (?:about )?me\b",
        # "I told her about leaving the agency, about my ex, about the font": a list of me.
        r"\b(?:i|we) (?:<W>){0,2}?(?:told <OBJ>|talked|went on) about [^.!?]{3,80}?, about "
        r"[^.!?]{3,80}?, (?:and )?about\b",
        r"\b<HE> knew (?:all )?about my\b",
        r"\b(?:i|we) (?:<W>){0,3}?(?:used|spent|wasted|took) (?:<W>){0,4}?on (?:my|me|myself)\b",
        # The time spent or used on a telling of the user's own thing, with or without "I".
        r"(?:\b(?:i|we) (?:<W>){0,3}?|(?:^|(?<=[.!?:;] )|(?<=\band )))(?:used|spent|wasted|took) "
        r"(?:<W>){0,5}?(?:to )?" + _any(_LEXICON["telling_at"]) + r" (?:<W>)?(?:my|our)\b",
        # A lecture, a monologue, a rundown on something of the user's.
        tell_mine + _any(_LEXICON["at_length"]) + r" (?:on|about|of) (?:<W>)?(?:my|our)\b",
        mine + _any(_LEXICON["at_length"]) + r" (?:on|about|of) (?:<W>)?(?:my|our)\b",
        # "talked my van business 90% of the time".
        r"\b(?:talked|talking|spoke|went on) (?:about )?(?:my|our) [^.!?]{0,40}?\b"
        r"(?:\d0 ?%|most|all|half) (?:of )?(?:the )?(?:time|hour|call|lunch|coffee)\b",
        r"\bi (?:never|didn't|did not|couldn't) stop(?:ped)? (?:talking|answering)?",
        r"\bi talked,? (?:and |while )?<HE> listened\b",
        # Three things of the user's in one breath: "my studies, my three years, my CFA".
        r"(?:^|(?<=[.!?:;] ))[^.!?]*?\bmy [a-z][^.!?,]{0,40}?, (?:<W>)?my [a-z][^.!?,]{0,40}?"
        r",? (?:and )?my [a-z]",
    )
    compliments = (
        # Three words of praise in one sentence the user said: a string of compliments.
        said + (r"[^.!?]*?\b" + praise + r"\b") * 3,
        # Not "I said 'just one more thing' like four times", "said sorry five times".
        said + r"(?![^.!?]{0,12}?\b(?:just one more|one more|sorry|thanks|thank you)\b)"
        r"[^.!?]{0,60}?\b" + _any(_LEXICON["repeated"]) + r"\b",
        # "then said it again about his woodcuts": the same praise of another thing.
        r"\b(?:said|told <OBJ>) (?:it|that) again (?:about|when|on|at|for)\b",
        # "told her she's a legend, that her film changed me, that she's the reason...".
        said + r"[^.!?]*?\b" + praise + r"\b[^.!?]*?, (?:and )?that [^.!?]*?, (?:and )?that\b",
        # "kept calling him the GOAT": praise said again and again.
        r"\bkept (?:calling <HIM>|saying|telling <OBJ>) [^.!?]{0,40}?\b" + praise + r"\b",
        # "first I told her she's amazing, then that her atlas is my bible".
        said + r"[^.!?]*?\b" + praise + r"\b[^.!?]*?,? (?:and )?then (?:that|i said|told <OBJ>)\b",
        r"\bcompliments i (?:paid|gave|made)\b",
        r"\bcomplimented (?:every|all|each)\b",
        r"\b(?:complimented|praised|admired) (?:<W>){0,3}?[^.!?]*?, [^.!?]*?, [^.!?]*?\b",
        r"\bthanked me,? (?:<W>)?(?:again and again|over and over)",
    )
    pushed = (
        # Asking for three things in one go: "asked her to A, B and C".
        r"\bask(?:ed|ing)? (?:<OBJ> )?(?:on \w+ )?(?:to|for|if (?:<W>){1,3}?)[^.!?]{3,80}?, "
        # Each item a request, not a new clause: "asking her to X, we've had 4 coffees".
        r"(?!(?:we|i|he|she|they|it|that|this)\b)[^.!?]{3,80}?,? (?:and|&) ",
    )
    # I + told her / said + her X is outdated: the user correcting the expert.
    judged = (
        # "told her", "told the head chef": the hero by a pronoun or by their trade.
        r"(?:\b(?:i|we) (?:<W>){0,2}?|(?<=\band ))(?:told (?:the (?:[a-z]+ ){0,2})?<OBJ>|said|"
        r"pointed out|"
        r"explained|informed <OBJ>)"
        r"(?: that| actually)?[^.!?]{0,80}?\b" + _any(_ACTS["judging"]) + r"(?![\w'])"
    )
    # I + told her / suggested + she should switch...: a fix for the hero's work.
    prescribed = (
        mine + r"(?:<W>){0,1}?(?:told|tell|suggested|suggest|said|explained|launched "
        r"(?:straight )?into)(?: <OBJ>)?(?: how| that)? (?:<HE>|<SUBJ>) "
        + _any(_ACTS["prescribing"]),
        mine + r"(?:<W>){0,6}?(?:replace|switch|move|put|roll)s? (?:<W>){0,4}?"
        r"(?:with|to|on|onto|out) my\b",
        mine + r"(?:suggest|suggested|suggesting|propose|proposed) (?:that )?(?:<HE>|<SUBJ>) "
        r"(?:should |could |might )?(?:roll|replace|switch|move|adopt|use|try|buy|hire)s?\b",
        r"\b(?:proposing|proposed|a proposal for) (?:a |an )?new\b",
        # A better way of the user's own: "there's a faster way", "how we do it at my startup".
        mine + r"(?:<W>){0,4}?(?:there's|there is) a (?:much )?(?:faster|better|cheaper|easier|"
        r"quicker|smarter|simpler) way\b",
        r"\b(?:how|the way) (?:we|i) do (?:it|things|this|that) (?:at|in) (?:my|our)\b",
        # What the user's thing would do for the hero's work: a solution, however it is put.
        r"\b(?:(?:it|that|this) )?(?:would|could|will|can|to|it'd|that'd|it'll|that'll) (?:<W>)?"
        r"(?:fix|save|solve|sort out|sort|cut|halve|overhaul|revamp|modernise|modernize|improve|"
        r"speed up|double|boost|"
        r"streamline|transform|automate) (?:all )?<HIS>\b",
        # "how my agency could run her socials": the user's business doing the hero's work.
        r"\b(?:my|our) (?:agency|company|firm|team|startup|app|product|tool|platform|service|"
        r"studio|shop|business) (?:could|would|can|will) (?:<W>){0,2}?(?:run|do|handle|fix|"
        r"manage|build|take over|sort|redo|replace) <HIS>\b",
        # A price named is a sale: "quoted her a day rate".
        r"\bquoted <OBJ> (?:a |my |our )?(?:<W>)?(?:rate|price|fee|quote)\b",
    )
    rules = [
        _Rule(Signal.ABOUT_ME, _finder("i", *about_me, whole=True), True, False),
        _Rule(Signal.MANY_COMPLIMENTS, _finder("i", *compliments, whole=True), True, False),
        _Rule(Signal.PUSHED, _finder("i", *pushed, whole=True), True, False),
        _Rule(Signal.PEER, _finder("i", judged, whole=True), True, False),
        _Rule(Signal.PITCHED_SOLUTION, _finder("i", *prescribed, whole=True), True, False),
        *_phrases(Signal.ROOM, _ACTS["room"]),
        *_phrases(Signal.PUSHED, _ACTS["pushing"]),
        *_phrases(Signal.AT_EASE, _LEXICON["restraint"]),
        *_phrases(Signal.ABOUT_ME, _LEXICON["hogging"]),
        *_phrases(Signal.NOTHING_OFFERED, _PROBLEMS["nothing_offered"]),
        *_phrases(Signal.DEFERENCE, _LEXICON["deference"]),
        *_phrases(Signal.POSTED, _LEXICON["posting"]),
        *_phrases(Signal.ACHIEVEMENTS, _LEXICON["fame"]),
        *_phrases(Signal.PROBLEM_SHARED, _PROBLEMS["shared"]),
        # The hero's trouble never came up: a denial wins over a trouble named in passing.
        *[
            replace(rule, negatable=False, denies=True)
            for rule in _phrases(Signal.PROBLEM_SHARED, _PROBLEMS["missed"])
        ],
        *_phrases(Signal.OFFERED_INSIGHT, _PROBLEMS["insight"]),
        *_phrases(Signal.SMALL_TALK, _PROBLEMS["surface"]),
        *_phrases(Signal.SKILLS, _PROBLEMS["skills"]),
        *_phrases(Signal.LESS_AWKWARD, words()["relationship"]["familiar"]),
        *_phrases(Signal.PEER, _ACTS["competing"]),
        *_phrases(Signal.STARSTRUCK, _ACTS["starstruck"], negatable=False),
        *_phrases(Signal.COLD, _REACTIONS["cold"]),
        *_phrases(Signal.COLD, _REACTIONS["cold_negative"], negatable=False),
        *_phrases(Signal.LUKEWARM, _REACTIONS["lukewarm"]),
        *_phrases(Signal.OPEN_DOOR, _REACTIONS["warm"]),
        *_phrases(Signal.PRAISED, _REACTIONS["verdict_warm"]),
        *_phrases(Signal.GLOOM, _REACTIONS["verdict_cold"]),
        *_phrases(Signal.CANT_TELL, _REACTIONS["unsure"], negatable=False),
        _Rule(
            Signal.LUKEWARM,
            # "Three weeks, then: "interesting."" and ""thanks." 16 days later".
            _finder(
                "i",
                _SLOW + r"[^\"]{0,80}\"[^\"]{1,16}\"",
                r"\"[^\"]{1,16}\"[^\"]{0,12}" + _SLOW,
                # The same in single quotes: "after five weeks with just 'thanks'".
                _SLOW + r"[^'\"]{0,80}(?<!\w)'[^'\"]{1,16}'(?!\w)",
                r"(?<!\w)'[^'\"]{1,16}'(?!\w)[^'\"]{0,12}" + _SLOW,
                whole=True,
            ),
            False,
            False,
        ),
    ]
    for signal, name in (
        (Signal.OUTCOME_NOT_NOW, "not_now"),
        (Signal.OUTCOME_NO, "no"),
        (Signal.OUTCOME_YES, "yes"),
    ):
        rules.extend(
            replace(rule, gated=True) for rule in _phrases(signal, _ACTS[name], negatable=False)
        )
    return tuple(rules)


_RULES = (*_RULES, *_lexicon_rules())


# The story is about the ask itself, so "she said yes" answers it.
_MENTORSHIP = _finder(
    "shadow|mentor|mentee|apprentic|take me|wing|tag|ask|answer|finally|popped|the question|"
    "not now|not right now|not until|circle|sit|been|"
    # the ask's own words (words.toml [acts] the_ask)
    "spend|intern|follow|work|join|be|become|stage|assist|week|watch|observ|jumpseat|"
    "placement|host|under|learn|ride",
    r"\b(?:shadow\w*|mentor\w*|mentee\w*|apprentic\w*|take me (?:on|under)|tag(?:ging)? along)\b",
    r"\b(?:ask (?:<HIM> |me )?again|finally asked|popped the question|the big question|answer:|"
    r"not (?:right )?now|not until|circle back|sit in|been asked|take me)\b",
    r"\basked\.",
    r"\bunder <HIS> wing\b",
    r"\b" + _any(_ACTS["the_ask"]),
)

# The user wonders whether it is time to ask: the readiness check applies.
_WONDERING = _finder(
    "ask|broach|bring|rais|mention|pop|should i|is it|am i|right|time|moment|when|how|haven't|"
    "ready|have|not|before|will|would|could|might",
    r"\b(?:should|shall|can|could|may|when|whether|if|how|ready|time|soon|early|wondering|"
    r"wonder|thinking|think|planning|plan|want|going|gonna|about|considering|tempted|dare)\b"
    r"(?: [\w']+){0,6}? (?:ask(?:ing)?|broach(?:ing)?|bring(?:ing)? (?:it )?up|rais(?:e|ing)|"
    r"pop the question)\b(?: [\w']+){0,6}? "
    r"(?:shadow\w*|mentor\w*|mentee|mentorship|apprentic\w*|take me (?:on|under))",
    r"\b(?:ready|time|too soon|too early) (?:<W>){0,2}?(?:to ask|for the ask|to broach)\b",
    r"\bshould i (?:ask|bring (?:it|this) up|broach|pop)\b",
    # ...unless it is another contact that is too soon ("too soon to email her again?").
    r"\b(?:is it|am i) (?:<W>){0,2}?(?:time|ready|too soon|too early)\b(?! to (?:ping|e-?mail|"
    r"call|ring|text|message|dm|reach|follow|write|send|chase|nudge|contact|check in|get in))",
    # An ask still to come, whatever leads up to it.
    r"\b(?:ask|asking|pop|popping|broach|broaching) (?:<W>){0,6}?(?:shadow\w*|mentor\w*|"
    r"apprentic\w*|take me (?:on|under))",
    r"\b(?:right|time|moment|when|how) to ask\b",
    r"\b(?:right|good|best|wrong) (?:moment|time) to (?:ask|bring|raise|broach|mention)\b",
    r"\b(?:haven't|have not|not|didn't|did not) ask(?:ed)? (?:<W>)?yet\b",
    r"\b(?:am i|i'm|i am) (?:<W>)?ready\b(?: to ask| for the ask|\?|, )",
    r"\b(?:for|before|about|with|time for) the (?:big )?ask\b",
    r"\bbefore i (?:ask|pop|broach)\b",
    r"\b(?:will|would|could|might) <HE> (?:<W>)?(?:let me shadow|mentor me|take me on)\b",
    # Any of the ask's words: "can I ask to observe her sim session yet?"
    r"\b(?:ask|asking|pop|popping|broach|broaching|bring(?:ing)? up|rais(?:e|ing)|"
    r"mention(?:ing)?) (?:<W>){0,6}?" + _any(_ACTS["the_ask"]),
)

_TO_ASK = _finder("i", r"\b" + _any(_ACTS["to_ask"]) + r"\b", whole=True)

# --- negation ------------------------------------------------------------------------

# How far back a negation still governs a match: a few words, and never across a clause.
_NEGATION_REACH = 6
_LOOKBACK_CHARS = 160
_PEEK_CHARS = 12
_NEGATOR = re.compile(
    r"\b(?:not|no|never|without|hardly|barely|nor|neither|none|nothing|nobody|zero|cannot|"
    r"[a-z]+n't|(?:did|does|do|was|were|is|are|has|have|had|could|would|should|ca|wo|ai|"
    r"must|need)nt|hard to (?:say|tell|call)|far from|instead of|rather than|"
    # "I've stopped bringing my theories", "resisted the urge to post": acts left off.
    # A hero who "stopped answering" is cold, not not-cold.
    r"(?:stopped|quit)"
    r"(?!\s*$| (?:respond|repl|answer|writ|return|get|text|email|call|com|show|pick))"
    r"|gave up|no longer|resisted|refrained from|avoided)\b"
)
_CLAUSE_BREAK = re.compile(
    r"[.!?;:,()\[\]\"]|\s-+\s|\b(?:but|though|although|however|whereas|except|then|because|"
    r"(?:and|so) (?=(?:then|he|she|they|i|we|it|you|my|his|her|their|the)\b))\b"
)
# "I pitched nothing" negates from behind.
_NEGATED_AFTER = re.compile(r" (?:nothing|none|zero|no one|nobody|at no point)\b")
# Phrases that contain a negator yet affirm what follows ("couldn't stop laughing").
_NOT_A_NEGATION = re.compile(
    r"\b(?:not only|not just|no doubt|without (?:a )?doubt|no matter|no wonder|nothing but|"
    r"not to mention|no end of|not (?:going to|gonna) lie|(?:can't|won't) lie|not kidding|"
    r"no (?:joke|lie|kidding)|"
    r"no shortage of|never stop(?:ped)?|in no time|"
    # "I don't know how many times": a count too big to keep, not a denial.
    r"(?:do|did|can|could)(?:n't| not) (?:even )?(?:know|count|tell you) how (?:many|much|often)|"
    r"should(?:n't| not) have|wish i (?:hadn't|had not|didn't)|"
    r"(?:could|can|did|would)(?:n't| not) (?:stop|help|wait|believe|resist|hesitate|"
    r"get enough)|never (?:been|felt|seen [\w']+|had|heard [\w']+) (?:so|more|such|this))\b"
)


def _negated(text: str, start: int, end: int) -> bool:
    """Tells whether a negation in its clause governs the match from start to end."""
    # A match's last word is its point ("pitch", "said no"); negators before it count, in
    # the match ("i didn't talk about myself") or up to a few words ahead of it.
    point = text.rfind(" ", start, end) + 1 or start
    # Both scans run a little past the point: "and she" only breaks a clause if "she"
    # follows, and "never seen her so" affirms only if "so" follows.
    low, high = max(0, start - _LOOKBACK_CHARS), end + _PEEK_CHARS
    breaks = [found.end() for found in _CLAUSE_BREAK.finditer(text, low, high)]
    clause = max([low, *(found for found in breaks if found <= point)])
    window = _NOT_A_NEGATION.sub(_blank, text[clause:high])[: point - clause]
    split = max(0, start - clause)
    words = [*window[:split].split()[-_NEGATION_REACH:], *window[split:].split()]
    if _NEGATOR.search(" ".join(words)):
        return True
    return _NEGATED_AFTER.match(text, end) is not None


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


# --- meeting counts ------------------------------------------------------------------

_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "once": 1, "twice": 2, "thrice": 3,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_CARD = r"(?:" + "|".join(k for k in _CARDINALS if not k.endswith("ce")) + r"|\d{1,2})"
_ORD = r"(?:" + "|".join(_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))"
# What a meeting is called (words.toml [relationship]): "five visits", "our fifth brew".
_MEETING_NOUNS: list[str] = words()["relationship"]["meetings"]
_MEETING = "(?:" + "|".join(_MEETING_NOUNS) + ")"
_MET = (
    r"(?:met|met up|had coffee|grabbed coffee|got coffee|gotten coffee|caught up|sat down|"
    r"seen each other|hung out|had lunch)"
)
# Each pattern captures its number in one group; "a few coffees" captures none.
_COUNTS = _finder(
    "|".join(
        {re.sub(r"[^a-z].*", "", noun) for noun in _MEETING_NOUNS}
        | {"time", "once", "twice", "thrice"}
    ),
    rf"(?<!to a )(?<!for a )\b(?P<n>{_ORD}) {_MEETING}\b",
    rf"\b(?P<n2>{_ORD}) time (?:that )?(?:we|i)(?: [\w']+){{0,2}} (?:met|had coffee|"
    rf"grabbed coffee|got coffee|caught up|sat down|saw each other|hung out|talked)\b",
    rf"\b{_MET}(?: [\w']+){{0,3}}? for the (?P<n3>{_ORD}) time\b",
    rf"\b(?P<n4>{_CARD}) {_MEETING}(?:e?s)?\b",
    rf"\b{_MET}(?: [\w']+){{0,3}}? (?:(?P<n5>{_CARD}) times|(?P<n6>once|twice|thrice))\b",
    rf"\b{_MEETING} (?:number |no\.? ?|#) ?(?P<n7>{_CARD})\b",
    rf"\b(?:on|at|after|before) {_MEETING} (?P<n8>{_CARD})\b",
    rf"\b(?P<n9>{_ORD}) time (?:meeting|seeing|having coffee|grabbing coffee|talking to)\b",
    rf"\b(?P<n10>{_ORD}) time (?:we've|we have|i've|i have) (?:met|talked|had coffee|seen)\b",
    rf"\b(?P<n11>{_CARD}) (?:[\w'-]+ )?{_MEETING}(?:e?s)\b",
    rf"\({_MEETING}? ?(?P<n12>{_ORD})\)",
    rf"(?:, |\. |^)(?P<n13>{_ORD}) time\b",
    rf"\b{_MEETING}(?:e?s)?\b(?: [\w']+){{0,4}}?,? number (?P<n14>{_CARD})\b",
    rf"\b(?P<n15>{_CARD}) times (?:now )?(?:we|i)(?: [\w']+){{0,2}}? (?:met|meet|had|have|drink|"
    rf"drank|grabbed|got|saw|see|talked)\b",
    rf"\b{_MET}(?: [\w']+){{0,2}}? (?:just |only )?the (?P<n16>one) time\b",
)


def _number(word: str) -> int | None:
    if word.isdecimal():
        return int(word)
    if word[:-2].isdecimal():
        return int(word[:-2])
    return _CARDINALS.get(word, _ORDINALS.get(word))


# --- cue scanning --------------------------------------------------------------------

# Running some forty rule regexes over a long story is slow in Python's engine; one scan
# for every rule's cues (word beginnings), arranged as a trie, tells which pieces of the
# story each rule must read.
_ALL_FINDERS = (*(rule.finder for rule in _RULES), _MENTORSHIP, _WONDERING, _COUNTS)
_ALL_CUES = sorted({cue for finder in _ALL_FINDERS for cue in finder.cues})
_Trie: TypeAlias = dict[str, "_Trie"]


def _trie_pattern(words: list[str]) -> str:
    """Builds a regex that matches the longest of the words starting at a position."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the word ends here

    def branch(node: _Trie) -> str:
        arms = [re.escape(char) + branch(child) for char, child in node.items() if char]
        if not arms:
            return ""
        group = "(?:" + "|".join(arms) + ")"
        return group + "?" if "" in node else group

    return branch(root)


# A lookahead reports a cue at every word start, so cues that overlap are all seen.
_CUE_SCAN = re.compile(r"(?<!\w)(?=(" + _trie_pattern(_ALL_CUES) + "))")
# The longest cue starting at a position stands for the shorter cues it begins with.
_CUE_SET = frozenset(_ALL_CUES)
_CUES_STARTING = {
    hit: [hit[:end] for end in range(1, len(hit) + 1) if hit[:end] in _CUE_SET] for hit in _CUE_SET
}
# Patterns never cross punctuation, so the story is read in pieces between marks;
# "coffee no. 5" is one piece.
_PIECE_END = re.compile(r"(?<![.!?;,:])(?:(?<!\bno)\.|[!?;,:])[.!?;,:]*+ ")


class _Story:
    """A normalised story cut into pieces, with the pieces that hold each cue."""

    __slots__ = ("_pieces", "_pieces_by_cue", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0, *(end.end() for end in _PIECE_END.finditer(text))]
        self._pieces = list(zip(starts, [*starts[1:], len(text)], strict=True))
        self._pieces_by_cue: dict[str, set[int]] = {}
        for hit in _CUE_SCAN.finditer(text):
            piece = bisect_right(starts, hit.start()) - 1
            for cue in _CUES_STARTING[hit.group(1)]:
                self._pieces_by_cue.setdefault(cue, set()).add(piece)

    def matches(self, finder: _Finder) -> Iterator[re.Match[str]]:
        """Yields the finder's matches, reading only the pieces that hold its cues."""
        if finder.whole:
            yield from finder.pattern.finditer(self.text)
            return
        found: set[int] = set()
        for cue in finder.cues:
            found |= self._pieces_by_cue.get(cue, set())
        for index in sorted(found):
            start, end = self._pieces[index]
            yield from finder.pattern.finditer(self.text, start, end)

    def meetings(self) -> int | None:
        """Finds the highest meeting count the story states, if it states one."""
        counts = [
            _number(word)
            for match in self.matches(_COUNTS)
            if not _negated(self.text, match.start(), match.end())
            for word in match.groupdict().values()
            if word
        ]
        return max((count for count in counts if count is not None), default=None)

    def mentions(self, finder: _Finder) -> bool:
        """Tells whether the finder matches anywhere, negated or not."""
        return next(self.matches(finder), None) is not None

    def hits(self, *, asking: bool = False) -> list[Hit]:
        """Finds every signal the story mentions, with its place and whether it is negated.

        `asking`: the user is at the ask step, so "she said no" answers the ask even when
        the story does not name it.
        """
        about_mentoring = asking or self.mentions(_MENTORSHIP)
        found: list[Hit] = []
        praise = [match for match in _PRAISE.finditer(self.text)]
        for word in {match.group() for match in praise}:
            said = [match for match in praise if match.group() == word]
            if len(said) >= _PRAISE_TIMES:
                found.append(Hit(Signal.MANY_COMPLIMENTS, said[0].start(), said[-1].end(), False))
        for rule in _RULES:
            if rule.gated and not about_mentoring:
                continue
            for match in self.matches(rule.finder):
                own = rule.own is not None and rule.own.fullmatch(
                    self.text, match.start(), match.end()
                )
                negated = rule.denies or (
                    rule.negatable and not own and _negated(self.text, match.start(), match.end())
                )
                found.append(Hit(rule.signal, match.start(), match.end(), negated))
        return found


# The same word of praise said three times is a string of compliments, however phrased:
# "her keynote was amazing, her book was amazing, her label was amazing".
_PRAISE = re.compile(
    r"\b(?:amazing|incredible|brilliant|a legend|a genius|my idol|my hero|a hero|awesome|"
    r"genius|iconic|the best|so talented|a visionary|inspiring|wonderful)\b"
)
_PRAISE_TIMES = 3


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a rule matched: the signal, where, and whether a negation governs it."""

    signal: Signal
    start: int
    end: int
    negated: bool


CLAUSE_BREAK = _CLAUSE_BREAK


def negated(text: str, start: int, end: int) -> bool:
    """Tells whether a negation in its clause governs the words from start to end."""
    return _negated(text, start, end)


def scan(text: str) -> _Story:
    """Cuts a normalised text into the pieces the rules read."""
    return _Story(text)


def wondering(story: _Story, *, asking: bool = False) -> bool:
    """Tells whether the user wonders whether it is time to ask.

    `asking`: at the ask step, "I planned to ask this week" needs no word for the ask.
    """
    return story.mentions(_WONDERING) or (asking and story.mentions(_TO_ASK))


OUTCOMES = (Signal.OUTCOME_NOT_NOW, Signal.OUTCOME_YES, Signal.OUTCOME_NO)
