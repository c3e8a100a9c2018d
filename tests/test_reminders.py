"""Reminders in the conversation: proposals, /remind, /reminders, buttons, settings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from dialogs.model import (
    Membership,
    Preferences,
    Reminder,
    ReminderKind,
    ReminderResponse,
    ReminderStatus,
    StepId,
)
from tests.conftest import NOW, Chat
from tests.test_engine import add_hero, answer_tried, checkin, onboard, set_step

BERLIN = "Europe/Berlin"


def pending(chat: Chat) -> list:  # type: ignore[type-arg]
    rows = chat.store.reminder_rows.values()
    return sorted((r for r in rows if r.status == ReminderStatus.PENDING), key=lambda r: r.due_at)


async def interests_checkin(chat: Chat, reaction: str) -> None:
    # After a cold contact "what lit them up" is not asked.
    lit_up = () if reaction == "cold" else ("interests.lit_up=",)
    await checkin(chat, reaction, "interests.whose=theirs", "interests.problem=yes",
                  "interests.offer=insight", *lit_up)  # fmt: skip


async def memorable_history(chat: Chat, reaction: str, follow_up: str) -> None:
    """A cold radar check-in that left a door open, then an interests one in which the
    hero lit up about touring logistics; `follow_up` answers both follow-up offers."""
    await set_step(chat, StepId.RADAR)
    await checkin(chat, "cold", "radar.follow_up=no", "radar.door=yes", "radar.pace=as_planned")
    await chat.press(f"checkin.followup={follow_up}")
    await set_step(chat, StepId.INTERESTS)
    await checkin(chat, reaction, "interests.whose=theirs", "interests.problem=yes",
                  "interests.offer=insight")  # fmt: skip
    await chat.say("touring logistics")
    await answer_tried(chat)
    await chat.press(f"checkin.followup={follow_up}")


# --- the follow-up a check-in proposes ------------------------------------------------


@pytest.mark.parametrize(("reaction", "days"), [("hot", 4), ("warm", 7), ("lukewarm", 14),
                                                 ("cool", 21), ("cold", 30)])  # fmt: skip
async def test_the_follow_up_is_proposed_from_the_temperature(
    chat: Chat, reaction: str, days: int
) -> None:
    await onboard(chat)
    await interests_checkin(chat, reaction)
    assert chat.state == "checkin.followup"
    assert f"about {days} days" in chat.text
    await chat.press("checkin.followup=suggested")
    [reminder] = pending(chat)
    # Day-level reminders go out when the user's delivery window opens (09:00 UTC here).
    assert reminder.due_at == datetime.combine(
        NOW.date() + timedelta(days=days), time(9), tzinfo=UTC
    )
    assert reminder.kind is ReminderKind.FOLLOW_UP
    assert "I'll remind you about Dana on" in chat.text


async def test_the_follow_up_can_be_another_time_or_none(chat: Chat) -> None:
    await onboard(chat)
    await interests_checkin(chat, "warm")
    await chat.press("checkin.followup=w2")
    assert pending(chat)[0].due_at.date() == NOW.date() + timedelta(days=14)
    await interests_checkin(chat, "warm")
    await chat.press("checkin.followup=date")
    await chat.say("in 5 days")
    assert [r.due_at.date() for r in pending(chat)] == [NOW.date() + timedelta(days=5)]
    await interests_checkin(chat, "warm")
    await chat.press("checkin.followup=skip")
    assert pending(chat) == []
    assert "No reminder" in chat.text


async def test_a_picked_date_may_be_typed_the_way_people_say_it(chat: Chat) -> None:
    await onboard(chat)
    await interests_checkin(chat, "warm")
    await chat.press("checkin.followup=date")
    await chat.say("03/04")  # a UTC user: which order is unknown
    assert "two ways" in chat.text
    assert chat.state == "remind.date"
    await chat.say("in a fortnight")
    [reminder] = pending(chat)
    assert reminder.due_at == datetime(2026, 12, 10, 9, tzinfo=UTC)


async def test_a_new_contact_resets_the_heros_reminder_clock(chat: Chat) -> None:
    await onboard(chat)
    await interests_checkin(chat, "cold")
    await chat.press("checkin.followup=suggested")
    await chat.say("/remind Dana in 3 days")
    await interests_checkin(chat, "hot")
    # The old follow-up is gone the moment the new contact is logged; the manual one stays.
    assert [r.kind for r in pending(chat)] == [ReminderKind.MANUAL]
    await chat.press("checkin.followup=suggested")
    assert [(r.kind, (r.due_at.date() - NOW.date()).days) for r in pending(chat)] == [
        (ReminderKind.MANUAL, 3),
        (ReminderKind.FOLLOW_UP, 4),
    ]


# --- /remind ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("/remind Dana in 10 days", datetime(2026, 12, 6, 9, tzinfo=UTC)),
        ("/remind in 2 hours", NOW + timedelta(hours=2)),
        ("/remind in 1 minute", NOW + timedelta(minutes=1)),
        ("/remind Dana on 2026-12-03 10:00", datetime(2026, 12, 3, 10, tzinfo=UTC)),
        ("/remind dana tomorrow at 8:30", datetime(2026, 11, 27, 8, 30, tzinfo=UTC)),
        # NOW is Thursday 26 November 2026; day-level times land at the 09:00 opening.
        ("/remind Dana in a fortnight", datetime(2026, 12, 10, 9, tzinfo=UTC)),
        ("/remind Dana next tuesday", datetime(2026, 12, 1, 9, tzinfo=UTC)),
        ("/remind Dana next tuesday at 10", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("/remind Dana early February", datetime(2027, 2, 1, 9, tzinfo=UTC)),
        ("/remind Dana February 2", datetime(2027, 2, 2, 9, tzinfo=UTC)),
        ("/remind Dana 02/02", datetime(2027, 2, 2, 9, tzinfo=UTC)),
        ("/remind Dana 15/12 at 9.30", datetime(2026, 12, 15, 9, 30, tzinfo=UTC)),
        ("/remind friday 18:00", datetime(2026, 11, 27, 18, tzinfo=UTC)),
    ],
)
async def test_remind_understands_typed_times(chat: Chat, typed: str, due: datetime) -> None:
    await onboard(chat)
    await chat.say(typed)
    [reminder] = pending(chat)
    assert reminder.due_at == due
    assert reminder.kind is ReminderKind.MANUAL
    assert reminder.hero_id == 1
    assert "Done" in chat.text


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("/remind Dana in -3 days", "already passed"),
        ("/remind Dana on 2025-02-30", "isn't on the calendar"),
        ("/remind Dana in 500 years", "too far ahead"),
        ("/remind Dana whenever you feel like it", "couldn't read when"),
        ("/remind Dana on 2026-11-01", "already passed"),
        ("/remind Zed in 3 days", 'don\'t know a hero called "Zed"'),
        ("/remind Zed next tuesday", 'don\'t know a hero called "Zed"'),
        # A UTC user's country is unknown, so 03/04 could be either day.
        ("/remind Dana 03/04", "two ways"),
        ("/remind Dana last tuesday", "already passed"),
    ],
)
async def test_remind_explains_what_it_cannot_do(chat: Chat, typed: str, reply: str) -> None:
    await onboard(chat)
    await chat.say(typed)
    assert reply in chat.text
    assert pending(chat) == []


async def test_a_reminder_outside_the_window_says_when_it_will_come(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/remind in 6 hours")  # 21:00 UTC, after the 20:00 window end
    assert "outside your delivery window" in chat.text
    assert "Fri 27 Nov at 09:00" in chat.text


async def test_bare_remind_is_guided_by_buttons(chat: Chat) -> None:
    await onboard(chat)
    await add_hero(chat, "Sam")
    await chat.say("/remind")
    assert "Which hero" in chat.text
    await chat.press("remind.hero:1")
    assert chat.state == "remind.when"
    await chat.press("remind.when=w1")
    [reminder] = pending(chat)
    assert reminder.hero_id == 1
    assert reminder.due_at.date() == NOW.date() + timedelta(days=7)


# --- /reminders ------------------------------------------------------------------------


async def test_reminders_lists_what_is_coming_and_cancels(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/remind Dana in 2 days")
    await chat.say("/remind in 3 hours")
    await chat.say("/reminders")
    assert "Sat 28 Nov at 09:00: Dana" in chat.text
    assert "Thu 26 Nov at 18:00: Dana" in chat.text
    first, second = pending(chat)
    await chat.press(f"rem.cancel:{first.id}")
    assert "Cancelled" in chat.text
    assert pending(chat) == [second]
    await chat.say("/reminders")
    await chat.send_press(f"rem.cancel:{first.id}")
    assert "isn't pending" in chat.text


async def test_reminders_with_none_says_how_to_set_one(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/reminders")
    assert "/remind" in chat.text


# --- a reminder arriving, and its buttons ------------------------------------------------


async def deliver(chat: Chat, *reminder_ids: int) -> None:
    """Does what the dispatcher does: composes the message and marks the batch sent."""
    user = chat.store.users[chat.key]
    rows = [chat.store.reminder_rows[i] for i in reminder_ids]
    for row in rows:
        row.status = ReminderStatus.SENT
        row.batch = min(reminder_ids)
    [chat.last_reply] = await chat.coach.reminder_replies(chat.store.uow(), [(user, rows)])


async def test_a_reminder_is_a_coaching_moment(chat: Chat) -> None:
    await onboard(chat)
    await memorable_history(chat, "cool", follow_up="suggested")
    [reminder] = pending(chat)
    await deliver(chat, reminder.id)
    reply = chat.last_reply
    assert "Time to reach out to Dana" in reply.text
    assert "lit up about touring logistics" in reply.text
    assert "left a door open" in reply.text
    assert reply.advice == ("radar.cold_give_space",)
    assert [b.id for b in reply.buttons] == [
        f"rem.done:{reminder.id}",
        f"rem.snooze:{reminder.id}:1",
        f"rem.snooze:{reminder.id}:3",
        f"rem.snooze:{reminder.id}:7",
        f"rem.skip:{reminder.id}",
    ]


async def test_several_heroes_due_together_make_one_digest(chat: Chat) -> None:
    await onboard(chat)
    await add_hero(chat, "Sam")
    await chat.say("/remind Dana in 2 days")
    await chat.say("/remind Sam in 2 days")
    dana, sam = pending(chat)
    assert dana.due_at == sam.due_at  # day-level reminders share the window opening
    await deliver(chat, dana.id, sam.id)
    reply = chat.last_reply
    assert "A few heroes" in reply.text
    assert "• Dana" in reply.text
    assert "• Sam" in reply.text
    labels = [b.label for b in reply.buttons]
    assert "✅ Reached out to Dana" in labels
    assert "✅ Reached out to Sam" in labels


async def test_a_chunk_composes_each_users_digest_from_one_read(chat: Chat) -> None:
    """The dispatcher composes a chunk of messages at once: each user's message speaks of
    their own live heroes only, in the words and buttons a message composed alone had."""
    await onboard(chat)
    await memorable_history(chat, "warm", follow_up="skip")
    await add_hero(chat, "Sam")
    await add_hero(chat, "Lee")
    eve = Chat(chat.coach, chat.store, key=type(chat.key)("test", "2"), name="Eve")
    await onboard(eve, "Kim")
    store = chat.store
    ana, eve_user = store.users[chat.key], store.users[eve.key]
    dana, sam, lee, kim = store.hero_rows.values()
    lee.archived = True

    async def due(user_id: int, hero_id: int | None) -> Reminder:
        return await store.uow().reminders.add(user_id, hero_id, NOW, ReminderKind.MANUAL)

    # Ana: two live heroes (Dana twice), an archived one, and one about nobody in particular.
    anas = [await due(ana.id, hero) for hero in (dana.id, sam.id, lee.id, None, dana.id)]
    # Eve: one of Ana's heroes (not hers to hear about) and her own.
    eves = [await due(eve_user.id, hero) for hero in (dana.id, kim.id)]
    to_ana, to_eve = await chat.coach.reminder_replies(
        store.uow(), [(ana, anas), (eve_user, eves)]
    )

    interests = "You're at step 1: Talk in terms of their interests."
    # Step-1 heroes get step-1 advice, whatever the temperature of a warm contact.
    # Worded by the hero's contact count: Dana's two contacts, Sam's none.
    their_world = chat.coach.content.advice["interests.their_world"]
    assert to_ana.text == (
        "⏰ A few heroes to reach out to today:\n\n"
        f"• Dana: {interests} Last contact: Thu 26 Nov, warm. Last time Dana lit up about"
        f" touring logistics. Dana left a door open on Thu 26 Nov.\n{their_world.worded(2)}\n\n"
        f"• Sam: {interests}\n{their_world.text}"
    )
    batch = anas[0].id
    assert [(b.id, b.label) for b in to_ana.buttons] == [
        (f"rem.done:{anas[0].id}", "✅ Reached out to Dana"),
        (f"rem.done:{anas[1].id}", "✅ Reached out to Sam"),
        (f"rem.snooze:{batch}:1", "💤 1 day"),
        (f"rem.snooze:{batch}:3", "💤 3 days"),
        (f"rem.snooze:{batch}:7", "💤 1 week"),
        (f"rem.skip:{batch}", "Skip"),
    ]
    assert to_ana.advice == ("interests.their_world", "interests.their_world")
    assert to_eve.text == f"⏰ Time to reach out to Kim.\n\n{interests}\n\n{their_world.text}"
    batch = eves[0].id
    assert [b.id for b in to_eve.buttons] == [
        f"rem.done:{eves[1].id}",
        f"rem.snooze:{batch}:1",
        f"rem.snooze:{batch}:3",
        f"rem.snooze:{batch}:7",
        f"rem.skip:{batch}",
    ]
    assert to_eve.advice == ("interests.their_world",)


async def test_i_reached_out_starts_a_checkin_about_that_hero(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/remind Dana in 2 hours")
    [reminder] = pending(chat)
    await deliver(chat, reminder.id)
    await chat.say("/progress")  # the dialog moved on since; reminder buttons still work
    await chat.send_press(f"rem.done:{reminder.id}")
    assert chat.state == "checkin.story"  # the story first
    assert chat.store.reminder_rows[reminder.id].response is ReminderResponse.DONE


async def test_snooze_sets_a_new_reminder_and_skip_closes_it(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/remind Dana in 2 hours")
    [reminder] = pending(chat)
    await deliver(chat, reminder.id)
    await chat.send_press(f"rem.snooze:{reminder.id}:3")
    assert "Snoozed until Sun 29 Nov at 09:00" in chat.text
    [again] = pending(chat)
    assert again.hero_id == reminder.hero_id
    await chat.send_press(f"rem.snooze:{reminder.id}:3")
    assert "already taken care of" in chat.text
    assert len(pending(chat)) == 1
    await deliver(chat, again.id)
    await chat.send_press(f"rem.skip:{again.id}")
    assert chat.store.reminder_rows[again.id].response is ReminderResponse.SKIPPED


async def test_a_digests_snooze_brings_back_each_hero_it_named_once(chat: Chat) -> None:
    """Issue 9 item 15: a digest that had Dana twice, Sam, and an archived Lee snoozed
    into two Danas and a Lee nobody asked about."""
    await onboard(chat)
    await add_hero(chat, "Sam")
    await add_hero(chat, "Lee")
    store = chat.store
    ana = store.users[chat.key]
    dana, sam, lee = store.hero_rows.values()
    lee.archived = True
    due = [
        await store.uow().reminders.add(ana.id, hero, NOW, kind)
        for hero, kind in (
            (dana.id, ReminderKind.FOLLOW_UP),
            (sam.id, ReminderKind.MANUAL),
            (lee.id, ReminderKind.MANUAL),
            (dana.id, ReminderKind.MANUAL),
        )
    ]
    await deliver(chat, *(r.id for r in due))
    await chat.send_press(f"rem.snooze:{due[0].id}:1")
    assert "Snoozed until" in chat.text
    assert sorted(r.hero_id for r in pending(chat)) == [dana.id, sam.id]
    assert all(store.reminder_rows[r.id].response is ReminderResponse.SNOOZED for r in due)


async def test_snoozing_a_reminder_about_an_archived_hero_keeps_it_general(chat: Chat) -> None:
    await onboard(chat)
    store = chat.store
    [dana] = store.hero_rows.values()
    reminder = await store.uow().reminders.add(
        store.users[chat.key].id, dana.id, NOW, ReminderKind.MANUAL
    )
    dana.archived = True
    await deliver(chat, reminder.id)
    assert "Dana" not in chat.last_reply.text
    await chat.send_press(f"rem.snooze:{reminder.id}:3")
    [again] = pending(chat)
    assert again.hero_id is None


async def test_reminder_buttons_of_someone_else_do_nothing(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/remind Dana in 2 hours")
    [reminder] = pending(chat)
    await deliver(chat, reminder.id)
    other = Chat(chat.coach, chat.store, key=type(chat.key)("test", "2"), name="Eve")
    await other.send_press(f"rem.snooze:{reminder.id}:1")
    await other.send_press(f"rem.done:{reminder.id}")
    assert chat.store.reminder_rows[reminder.id].response is None
    assert len(pending(chat)) == 0


# --- /settings -------------------------------------------------------------------------


async def test_settings_change_timezone_window_and_pause(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/settings")
    assert "UTC" in chat.text
    assert "09:00 and 20:00" in chat.text
    await chat.press("settings.timezone")
    await chat.press("settings.timezone=berlin")
    prefs = chat.store.users[chat.key].prefs
    assert prefs.timezone == BERLIN
    assert "16:00" in chat.text  # 15:00 UTC is 16:00 in Berlin in November
    await chat.say("/settings")
    await chat.press("settings.timezone")
    await chat.say("UTC+13")
    assert chat.store.users[chat.key].prefs.timezone == "Etc/GMT-13"
    await chat.say("/settings")
    await chat.press("settings.timezone")
    await chat.say("Lemuria")
    assert "don't know that place" in chat.text
    await chat.say("honolulu")
    assert chat.store.users[chat.key].prefs.timezone == "Pacific/Honolulu"
    await chat.say("/settings")
    await chat.press("settings.window")
    await chat.say("25-26")
    assert "across midnight" in chat.text  # the hint names what else works
    await chat.say("8:30-21:00")
    prefs = chat.store.users[chat.key].prefs
    assert (prefs.window_start, prefs.window_end) == (time(8, 30), time(21))
    await chat.say("/settings")
    await chat.press("settings.pause")
    assert chat.store.users[chat.key].prefs.paused
    await chat.say("/settings")
    await chat.press("settings.resume")
    assert not chat.store.users[chat.key].prefs.paused


@pytest.mark.parametrize(
    "typed", ["I'm in Mumbai", "Delhi", "IST", "UTC+5:30", "india", "i live in bombay"]
)
async def test_places_and_zones_people_type_set_the_timezone(chat: Chat, typed: str) -> None:
    await onboard(chat)
    await chat.say("/settings")
    await chat.press("settings.timezone")
    await chat.say(typed)
    assert chat.store.users[chat.key].prefs.timezone == "Asia/Kolkata"
    assert "20:30" in chat.text  # 15:00 UTC, shown as the user's own time


async def test_a_window_may_cross_midnight_or_be_the_whole_day(chat: Chat) -> None:
    await onboard(chat)
    await chat.say("/settings")
    await chat.press("settings.window")
    await chat.say("22-7")
    prefs = chat.store.users[chat.key].prefs
    assert (prefs.window_start, prefs.window_end) == (time(22), time(7))
    await chat.say("/remind in 6 hours")  # 21:00 UTC, an hour before the window opens
    assert "Thu 26 Nov at 22:00" in chat.text
    await chat.say("/settings")
    await chat.press("settings.window")
    await chat.say("0 to 24")
    prefs = chat.store.users[chat.key].prefs
    assert (prefs.window_start, prefs.window_end) == (time(0), time(0))
    assert "between 00:00 and 24:00" in chat.text
    await chat.say("/remind in 7 hours")
    assert "outside your delivery window" not in chat.text
    await chat.say("/settings")
    await chat.press("settings.window")
    await chat.press("settings.window=any")
    assert "between 00:00 and 24:00" in chat.text
    await chat.say("/settings")
    assert "00:00 and 24:00" in chat.text


async def test_a_users_timezone_decides_what_today_and_days_mean(chat: Chat) -> None:
    # 15:00 UTC on 26 Nov is already 04:00 on 27 Nov in UTC+13.
    chat.coach.defaults = Preferences(timezone="Etc/GMT-13")
    await onboard(chat)
    await chat.say("/remind Dana in 1 day")
    [reminder] = pending(chat)
    assert reminder.due_at == datetime(2026, 11, 28, 9, tzinfo=UTC) - timedelta(hours=13)


async def test_writing_again_after_blocking_makes_the_user_reachable(chat: Chat) -> None:
    await onboard(chat)
    await chat.send(Membership(blocked=True))
    assert chat.last is not None
    assert chat.last.replies == ()
    assert not chat.store.users[chat.key].active
    await chat.say("/start")
    assert chat.store.users[chat.key].active
