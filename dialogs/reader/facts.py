"""Facts a story carries besides its signals: the hero, the day, the kind, a named date.

All of it is read from the normalised text (see text.py) and relative to a `today`
the caller passes, so a reading never depends on the clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from rapidfuzz.distance import Levenshtein

from dialogs.reader.text import words

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "couple of": 2, "few": 3, "a few": 3}  # fmt: skip


def _phrase(words_: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(words_, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![\w'])")


# --- which hero -----------------------------------------------------------------------

_QUOTED = re.compile(r"[\"'(]([^\"'()]+)[\"')]")


def hero_names(hero: str) -> list[str]:
    """The ways a story may name a hero: the full name, each part, and a quoted nickname."""
    nicknames = [nick.strip().lower() for nick in _QUOTED.findall(hero)]
    plain = _QUOTED.sub(" ", hero).lower().split()
    names = [" ".join(plain), *plain, *nicknames]
    return [name for name in dict.fromkeys(names) if len(name) >= 2]


# Short forms that are also common words: "will" is no sign of William.
_COMMON_SHORT = frozenset(
    {"will", "bill", "pat", "rob", "art", "max", "sue", "ray", "mar", "sam", "don", "ken", "con",
     "van", "bea", "liz", "ben", "tom", "jan", "val", "ali", "eve", "nat", "gene", "mike"}
)  # fmt: skip


def _short_form(word: str, name: str) -> bool:
    """Tells whether the word is a short form of the name: "walt" for Walter."""
    return 3 <= len(word) <= len(name) - 2 and name.startswith(word) and word not in _COMMON_SHORT


def name_places(text: str, hero: str) -> list[tuple[int, str]]:
    """Where the story names the hero, and the word it uses each time: a name, a part of
    it, a quoted nickname, or a name typed one letter off ("Marcos" for Marcus) or cut
    short ("Teo" for Teodoro) when it is long enough that this cannot make it another word."""
    places: dict[int, str] = {}
    names = hero_names(hero)
    for name in names:
        for found in re.finditer(rf"(?<![\w']){re.escape(name)}(?:'s)?(?![\w'])", text):
            places.setdefault(found.start(), name)
    fuzzy = [name for name in names if len(name) >= 5 and " " not in name]
    if fuzzy:
        for match in re.finditer(r"[a-z][a-z'-]+", text):
            word = match.group().removesuffix("'s")
            if match.start() in places or word in names or _someone_elses(text, match.start()):
                continue
            if any(
                (word[0] == name[0] and Levenshtein.distance(word, name) == 1)
                or _short_form(word, name)
                for name in fuzzy
            ):
                places[match.start()] = word
    return sorted(places.items())


def _role_before() -> re.Pattern[str]:
    nouns = "|".join(re.escape(noun) for noun in words()["others"]["nouns"])
    return re.compile(rf"\b(?:{nouns})s? $")


_ROLE_BEFORE = _role_before()


def _someone_elses(text: str, place: int) -> bool:
    """Tells whether the name at `place` follows a role ("my colleague Maria"): a name one
    letter off the hero's, so introduced, is someone else's."""
    return _ROLE_BEFORE.search(text[max(0, place - 30) : place]) is not None


# A capitalised name doing what a hero does in a story ("Kenji never replied", "coffee
# with Kenji"): a person the coach may not know. Sentence-initial words are names only
# before a verb of contact, since "Coffee was great" capitalises a common word.
_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_ADVERBS = (
    r"(?:(?:never|still|finally|just|also|only|even|really|has|had|did|hasn't|hadn't|didn't"
    r"|has not|did not|not|then) )*"
)
_PERSON_VERBS = (
    r"(?:said|says|replied|replies|wrote|writes|texted|emailed|messaged|called|rang|answered|"
    r"ghosted|invited|introduced|laughed|smiled|agreed|told|asked|offered|thanked|responded|"
    r"got back)"
)
_STRANGER = re.compile(
    rf"(?:^|(?<=[.!?] )|(?<=\n))(?P<first>{_NAME}) (?i:{_ADVERBS}{_PERSON_VERBS})\b"
    rf"|(?<=[a-z,] )(?P<subject>{_NAME}) (?i:{_ADVERBS}{_PERSON_VERBS})\b"
    rf"|\b(?i:(?:coffee|lunch|dinner|drinks|call|chat|meeting|pint|walk) with|(?:^|(?<=\bi )"
    rf"|(?<=\bwe ))(?:finally )?(?:met|emailed|texted|messaged|called|pinged|thanked|asked|"
    rf"told)) (?P<object>{_NAME})\b"
)
_NOT_NAMES = frozenset(
    {"I", "I'm", "She", "He", "They", "We", "You", "It", "Mr", "Mrs", "Ms", "Dr", "Prof",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "God",
     "January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December", "Zoom", "Teams", "Slack", "Linkedin", "LinkedIn",
     "Instagram", "Twitter", "Whatsapp", "WhatsApp", "Google", "Christmas", "Easter",
     "Everyone", "Nobody", "Someone", "Somebody", "Mom", "Mum", "Dad", "Then", "And", "But",
     "So", "Also", "Today", "Yesterday", "Anyway", "Honestly", "Finally", "Still", "Just",
     "Both", "Her", "His", "Your", "My", "Our", "Their", "Sir", "Madam", "Chef", "Boss",
     "Coach", "Doc", "Professor", "Doctor", "Captain", "Auntie", "Uncle", "Big", "Not", "No",
     "Yes", "Barely", "Only", "Even", "Never", "Always", "Really", "Literally", "Basically",
     "Apparently", "Actually", "Obviously", "Later", "Afterwards", "Eventually", "Suddenly",
     "Gut", "Heart", "Everybody"}
)  # fmt: skip


# After a hero set aside, the one the story is about instead: "it's obi I'm worried about".
_SOMEONE_ELSE = re.compile(
    r"(?:^|[.!?,;] |but |no,? )(?:it's|this one's about|it's really about) "
    r"(?P<name>[a-z][\w-]+)(?:[.!?,:]|$| (?:i'm|that|who|this))"
)


_NOT_SOMEONE = frozenset(
    {"fine", "ok", "okay", "good", "all", "me", "him", "her", "them", "that", "this", "not",
     "just", "really", "over", "done", "true", "fair", "hard", "weird", "late", "early",
     "nothing", "everything", "complicated", "about", "more", "less", "too", "so", "the",
     "a", "my", "our", "his", "their", "work", "time", "money"}
)  # fmt: skip


def strangers(text: str, heroes: Sequence[str]) -> tuple[str, ...]:
    """Names in the story, as typed, of people who act as a hero would and are none of
    the user's heroes nor introduced by a role ("my colleague Maria"), or whom the story
    is about after setting the heroes aside ("Kofi's fine, it's obi I'm worried about")."""
    lowered = text.lower()
    known = [_plain(name) for hero in heroes for name in hero_names(hero)]
    found: list[str] = []
    if heroes and find_hero(lowered, heroes) == (None, None) and name_places_any(lowered, heroes):
        focus = _SOMEONE_ELSE.search(lowered)
        if focus is not None and focus.group("name") not in _NOT_SOMEONE:
            found.append(focus.group("name").capitalize())
    for match in _STRANGER.finditer(text):
        name = match.group("first") or match.group("subject") or match.group("object")
        word = _plain(name)
        if (
            len(name) < 3
            or name in _NOT_NAMES
            # "Mostly talked...": an adverb opening a sentence, not a name.
            or (match.group("first") and len(name) >= 6 and name.endswith("ly"))
            or name in found
            or any(word == k or _close(word, k) or _nickname(word, k) for k in known)
            # Introduced by a role anywhere in the story ("my friend Leah did"): not a hero.
            or any(
                _someone_elses(lowered, m.start())
                for m in re.finditer(rf"\b{re.escape(name.lower())}\b", lowered)
            )
        ):
            continue
        found.append(name)
    return tuple(found)


def name_places_any(text: str, heroes: Sequence[str]) -> bool:
    return any(name_places(text, hero) for hero in heroes)


def _plain(name: str) -> str:
    """The name without accents, lower-cased: "László" is typed "Laszlo" too."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _nickname(word: str, name: str) -> bool:
    """Tells whether the word may be a nickname of the name: "Toby" for Tobias, "Enzo" for
    Lorenzo, "Lou" for Lucinda."""
    return (word[0] == name[0] and (word[:2] == name[:2] or len(word) <= 3)) or (
        len(word) >= 3 and word in name
    )


def _close(word: str, name: str) -> bool:
    return len(name) >= 5 and word[0] == name[0] and Levenshtein.distance(word, name) <= 1


# The user says which hero the story is about ("this one's about Mei-Ling", "what I
# want to ask about is Priya"), or sets one aside ("Kofi's all good", "not Marisol").
_FOCUS = (
    r"(?:(?:this|it)(?: one| time| message| question)?(?:'s| is)|i'm (?:writing|asking|here)"
    r"|i (?:want|wanted|need|meant) to (?:ask|talk|tell you)|(?:my )?question(?:'s| is))"
    r" (?:really |actually |all |more |mostly )?about (?:dr |mr |mrs |ms |prof )?<NAME>"
    r"|(?:what|who) i (?:want|wanted|need|meant) to (?:ask|talk) about is (?:dr |mr |ms )?<NAME>"
    r"|(?:^|[.!?,;] |but |no,? )it's <NAME>(?:[.!?,:]|$| (?:i'm|that|who|this))"
    # "Imogen said January, fine. But Yara just said yes!": the story turns to its news.
    r"|(?:^|[.!?;] )(?:but|anyway|meanwhile|however),? (?:the (?:real|big|actual) news (?:is|:) )?"
    r"(?:(?:dr|mr|mrs|ms|prof) )?<NAME>\b"
)
_ASIDE = (
    r"(?:^|[.!?] )<NAME>(?:'s| is) (?:all |totally |doing )?(?:good|fine|ok|okay)[,.;]"
    r"|\(not <NAME>\b|\bforget <NAME>\b|\b<NAME> aside\b"
    r"|\b<NAME>\b[^.!?]*\bthat's not (?:why i'm (?:here|writing)|the point|what i'm asking)"
)


def find_hero(text: str, heroes: Sequence[str]) -> tuple[str | None, str | None]:
    """The hero the story is about, with the word that named them: the one the user says
    it is about, else the first named that the user did not set aside."""
    named = {hero: places for hero in heroes if (places := name_places(text, hero))}
    if not named:
        return None, None

    def said(pattern: str, hero: str) -> bool:
        names = "|".join(re.escape(word) for word in {w for _, w in named[hero]})
        return (
            # The name may stand with its "'s" ("Kofi's fine") or without.
            re.search(pattern.replace("<NAME>", f"(?:{names})(?![\\w])(?:'s)?"), text) is not None
        )

    order = sorted(named, key=lambda hero: named[hero][0][0])
    other = _SOMEONE_ELSE.search(text)
    if other and other["name"] not in _NOT_SOMEONE and all(said(_ASIDE, h) for h in order):
        # "Kofi's fine, it's Obi I'm worried about": about someone who is no hero.
        return None, None
    if len(order) > 1:
        focus = [hero for hero in order if said(_FOCUS, hero)]
        aside = [hero for hero in order if said(_ASIDE, hero)]
        chosen = focus[0] if len(focus) == 1 else next((h for h in order if h not in aside), None)
        if chosen is not None:
            order.remove(chosen)
            order.insert(0, chosen)
    hero = order[0]
    return hero, named[hero][0][1]


# --- what kind of contact -------------------------------------------------------------

# "over email", "on a call": the channel said outright beats a word in passing.
_CHANNEL = re.compile(
    r"\b(?:over|by|via|through|on|in) (?:an? )?"
    r"(?:quick |short |long |video |phone |zoom |linkedin |twitter |instagram )?"
    r"(email|e-mail|call|dm|message|text|zoom|phone|linkedin|slack|whatsapp)\b"
)
_CHANNEL_KIND = {
    "email": "email", "e-mail": "email", "call": "call", "zoom": "call", "phone": "call",
    "dm": "message", "message": "message", "text": "message", "linkedin": "message",
    "slack": "message", "whatsapp": "message",
}  # fmt: skip


# "in his workshop" is where the hero works, not a workshop the user went to.
_WORKPLACE = re.compile(r"\b(?:his|her|their|[a-z]+'s) workshop$")


def find_kind(text: str) -> tuple[str | None, str | None]:
    """The kind of contact (coffee, call, email, event, message) and the word it came from."""
    said = _CHANNEL.search(text)
    if said:
        return _CHANNEL_KIND[said.group(1)], said.group()
    # "met her at a conference", "at the launch party": the place is the kind.
    # Not in the hero's quoted words: "let's do this again after the conference" names
    # the next meeting's place, not this one's.
    event = re.search(
        r"\b(?:at|after) (?:the |a |an |her |his |their |our )?(?:[\w'-]+ )?"
        r"(?:" + _phrase(words()["kinds"]["event"]).pattern + r")",
        re.sub(r'"[^"]*"', lambda quote: " " * len(quote.group()), text),
    )
    if event:
        return "event", event.group()
    first: tuple[int, str, str] | None = None
    for kind, names in words()["kinds"].items():
        found = next(
            (m for m in _phrase(names).finditer(text) if not _WORKPLACE.search(text, 0, m.end())),
            None,
        )
        if found and (first is None or found.start() < first[0]):
            first = (found.start(), kind, found.group())
    if first is None:
        return None, None
    return first[1], first[2]


# --- when it was ----------------------------------------------------------------------

_WHEN = re.compile(
    r"\b(?:(today|this morning|this afternoon|earlier today|tonight)|(yesterday)|"
    r"(?:(last|this past|on|this) )?(" + "|".join(_WEEKDAYS) + r")|"
    r"(a|an|one|two|three|four|five|six|a couple of|a few|few|\d{1,2}) (day|week)s? ago|"
    r"(last week)|(the other day))\b"
)


# "on tues", "last thurs": a short weekday counts only after such a word ("sat down" is no day).
_SHORT_DAY = re.compile(r"\b(last|this past|on) (mon|tues?|weds?|thu|thurs?|fri|sat|sun)\b\.?")
_SHORT_DAYS = {day[:3]: day for day in _WEEKDAYS}


def find_date(
    text: str, today: date, *, ahead: Callable[[str, int], bool] | None = None
) -> tuple[date | None, str | None]:
    """The day of the contact, when the story says it relative to today. `ahead(text, at)`
    tells a day told as a plan or a question ("I'm going on Friday"), which is no day of
    the contact."""
    text = _SHORT_DAY.sub(lambda m: f"{m[1]} {_SHORT_DAYS[m[2][:3]]}", text)
    for found in _WHEN.finditer(text):
        if ahead is not None and ahead(text, found.start()):
            continue
        same, yesterday, which, weekday, count, unit, last_week, other_day = found.groups()
        if same:
            return today, found.group()
        if yesterday:
            return today - timedelta(days=1), found.group()
        if weekday:
            back = (today.weekday() - _WEEKDAYS.index(weekday)) % 7
            if which == "last" and back == 0:
                back = 7
            if which in {"last", "this past"} or back:
                return today - timedelta(days=back or 7), found.group()
            continue
        if count:
            days = (
                int(count)
                if count.isdecimal()
                else _NUMBERS[count.removeprefix("a ") if count != "a" else "a"]
            )
            return today - timedelta(days=days * (7 if unit == "week" else 1)), found.group()
        if last_week:
            return today - timedelta(days=7), found.group()
        if other_day:
            return today - timedelta(days=2), found.group()
    return None, None


# --- a date the hero named ------------------------------------------------------------

_UNTIL = r"(?:until|till|til|'til|through|thru|up to|before)"
_TARGET = (
    r"(?:(?:the )?(new year)|(?:after )?(?:the )?(holidays|christmas)|"
    # "mid-January", "the end of March": the month is what the coach needs.
    r"(?:(?:mid|early|late)-? ?|the (?:end|start|beginning|middle) of )?"
    r"(" + "|".join(_MONTHS) + r")|(?:the )?(spring|summer|fall|autumn|winter)|"
    r"(next (?:week|month|year|quarter))|(the end of (?:the )?(?:year|month|quarter)))"
)


def _busy_pattern() -> re.Pattern[str]:
    busy = "|".join(re.escape(word) for word in words()["named_date"]["busy"])
    return re.compile(rf"\b(?:{busy})(?: [\w']+){{0,3}}? {_UNTIL} {_TARGET}")


def find_named_date(text: str, today: date) -> tuple[date | None, str | None]:
    """A date the hero named ("busy until February", "slammed until the new year")."""
    # "Not till after the winter season, ask me in March": the latest date named holds.
    named = [
        (day, found.group())
        for found in (
            *_busy_pattern().finditer(text),
            *re.finditer(
                rf"\b(?:not|no|after|after (?:the|her|his|their) \w+|ask (?:me )?(?:again )?"
                rf"(?:in|after)) {_UNTIL}? ?{_TARGET}",
                text,
            ),
        )
        if (day := _named_day(found, today)) is not None
    ]
    return max(named, default=(None, None), key=lambda pair: pair[0] or today)


def _named_day(found: re.Match[str], today: date) -> date | None:
    new_year, holidays, month, season, next_, end = found.groups()
    if new_year or holidays:
        return date(today.year + 1, 1, 1)
    if month or season:
        number = _MONTHS.index(month) + 1 if month else _SEASONS[season or ""]
        if season and re.search(r"\bafter\b", found.group()):
            number = number % 12 + 3  # after a season: when the next one begins
            number = number - 12 if number > 12 else number
        year = today.year + (1 if number <= today.month else 0)
        return date(year, number, 1)
    if next_:
        days = {"week": 7, "month": 31, "year": 366, "quarter": 92}[next_.split()[-1]]
        return today + timedelta(days=days)
    if end:
        if "year" in end:
            return date(today.year, 12, 31)
        return today + timedelta(days=30)
    return None
