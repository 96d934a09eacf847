"""Plans, their preview ("23 installments, ends ..."), and groups.yaml with path:line errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import ContentError, PlanError
from bot.core.excerpts import Installment, plan_installments
from bot.core.plan import (
    GROUP_KEYS,
    GroupConfig,
    Plan,
    default_readings,
    format_date,
    format_moment,
    format_preview,
    parse_groups_yaml,
    plan_readings,
    resolve_readings,
    schedule_preview,
    short_names,
)
from bot.core.readings import Library, LibraryError, load_library
from bot.core.schedule import UTC, next_slot, parse_cadence

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library(ROOT / "readings")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def make_plan(readings: tuple[str, ...], schedule: str = "tue 19:00 Europe/Berlin") -> Plan:
    return Plan(readings=readings, cadence=parse_cadence(schedule), start=utc(2027, 1, 1))


# Readings of a plan.


def test_default_readings_follow_the_library_order(shipped: Library) -> None:
    slugs = default_readings(shipped)
    orders = [shipped[slug].order for slug in slugs]
    assert len(slugs) == 4
    assert None not in orders
    assert orders == sorted(o for o in orders if o is not None)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["soic"], ("against-soic",)),
        (["SOIC", " china "], ("against-soic", "internationalism-in-china")),
        (
            ["borochov-socialism-in-one-country", "mccune"],
            ("borochov-socialism-in-one-country", "proletarian-internationalism"),
        ),
    ],
)
def test_resolve_readings(shipped: Library, names: list[str], expected: tuple[str, ...]) -> None:
    assert resolve_readings(shipped, names) == expected


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["soik"], r"no reading called 'soik': did you mean 'soic'\?$"),
        (
            ["zzz"],
            r"no reading called 'zzz': known readings are proletarian-.*\(or their aliases\)$",
        ),
        (["soic", "against-soic"], r"'against-soic' is against-soic, which is already in"),
        ([], r"at least one reading"),
    ],
)
def test_resolve_readings_errors(shipped: Library, names: list[str], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        resolve_readings(shipped, names)


def test_plan_installments_and_missing_reading(shipped: Library) -> None:
    plan = make_plan(("internationalism-in-china", "against-soic"))
    assert plan.installments(shipped) == plan_installments(
        [shipped["internationalism-in-china"], shipped["against-soic"]], 600
    )
    with pytest.raises(PlanError, match=r"'gone' is not in the library: restore readings/gone\.md"):
        plan_readings(make_plan(("against-soic", "gone")), shipped)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"readings": ()}, "at least one reading"),
        ({"readings": ("a", "a")}, "appears twice"),
        ({"start": dt.datetime(2027, 1, 1)}, "aware"),
        ({"word_target": 0}, "positive"),
        ({"questions_per_post": -1}, "not negative"),
    ],
)
def test_plan_rejects_bad_values(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "readings": ("a",),
        "cadence": parse_cadence("mon 19:00 UTC"),
        "start": utc(2027, 1, 1),
    }
    with pytest.raises(ValueError, match=message):
        Plan(**{**fields, **changes})  # type: ignore[arg-type]


# Preview.


def installments(count: int) -> tuple[Installment, ...]:
    return tuple(Installment("against-soic", 3 * n + 1, 3 * n + 3, 600 + n) for n in range(count))


def test_preview_dates_every_remaining_installment() -> None:
    plan = make_plan(("against-soic",), "mon,thu 19:00 Europe/Berlin")
    parts = installments(10)
    now = utc(2027, 3, 20)  # a Saturday; summer time starts on 28 March
    preview = schedule_preview(plan, parts, posted=4, now=now)
    assert (preview.total, preview.posted) == (10, 4)
    assert [i.number for i in preview.items] == [5, 6, 7, 8, 9, 10]
    assert [i.installment for i in preview.items] == list(parts[4:])
    expected = [next_slot(plan.cadence, now)]
    while len(expected) < 6:
        expected.append(next_slot(plan.cadence, expected[-1]))
    assert [i.slot for i in preview.items] == expected
    assert all(i.slot.astimezone(BERLIN).time() == dt.time(19) for i in preview.items)
    assert preview.ends == expected[-1]


@pytest.mark.parametrize(
    ("now", "last_slot", "first"),
    [
        # A slot exactly now is the next one.
        (utc(2027, 1, 5, 18), None, utc(2027, 1, 5, 18)),
        # ... unless it was just posted.
        (utc(2027, 1, 5, 18), utc(2027, 1, 5, 18), utc(2027, 1, 12, 18)),
        # Before the plan starts, the first slot after its start.
        (utc(2026, 12, 1), None, utc(2027, 1, 5, 18)),
        # A last slot handled while the clock was a year ahead does not hold the plan back.
        (utc(2027, 1, 5, 19), utc(2028, 1, 4, 18), utc(2027, 1, 12, 18)),
    ],
)
def test_preview_first_slot(
    now: dt.datetime, last_slot: dt.datetime | None, first: dt.datetime
) -> None:
    preview = schedule_preview(
        make_plan(("against-soic",)), installments(3), posted=0, now=now, last_slot=last_slot
    )
    assert preview.items[0].slot == first


def test_preview_of_a_finished_plan() -> None:
    preview = schedule_preview(make_plan(("a",)), installments(3), posted=3, now=utc(2027, 2, 1))
    assert preview.items == () and preview.ends is None
    assert format_preview(preview) == "3 installments, all posted"


@pytest.mark.parametrize(
    ("posted", "now", "last_slot", "message"),
    [
        (-1, utc(2027, 1, 1), None, "between 0 and 3"),
        (4, utc(2027, 1, 1), None, "between 0 and 3"),
        (0, dt.datetime(2027, 1, 1), None, "aware"),
        (0, utc(2027, 1, 1), dt.datetime(2027, 1, 1), "aware"),
    ],
)
def test_preview_rejects_bad_arguments(
    posted: int, now: dt.datetime, last_slot: dt.datetime | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        schedule_preview(
            make_plan(("a",)), installments(3), posted=posted, now=now, last_slot=last_slot
        )


def test_format_preview() -> None:
    parts = (
        *installments(3),
        Installment("against-soic", 12, 14, 612),
        *(Installment("proletarian-internationalism", n, n, 1) for n in range(1, 20)),
    )
    assert len(parts) == 23
    # Monday 1 Feb 2027: the first remaining installment posts on Tuesday 2 Feb, the last of
    # the twenty 19 weeks later, Tuesday 15 June (in summer time, still at 19:00).
    preview = schedule_preview(make_plan(("a",)), parts, posted=3, now=utc(2027, 2, 1, 12))
    lines = format_preview(preview, names={"against-soic": "soic"}).splitlines()
    assert lines[0] == " 4  Tue 2 Feb 2027 19:00   soic §12-14 (612 words)"
    assert lines[1] == " 5  Tue 9 Feb 2027 19:00   proletarian-internationalism §1 (1 word)"
    assert lines[-2] == "23  Tue 15 Jun 2027 19:00  proletarian-internationalism §19 (1 word)"
    assert lines[-1] == "23 installments, ends Tue 15 Jun 2027"
    assert len(lines) == 21


@pytest.mark.parametrize(
    ("moment", "zone", "date", "full"),
    [
        (utc(2027, 2, 2, 18), "Europe/Berlin", "Tue 2 Feb 2027", "Tue 2 Feb 2027 19:00"),
        # Late evening in New York is already the next day in UTC.
        (utc(2027, 11, 8, 0, 30), "America/New_York", "Sun 7 Nov 2027", "Sun 7 Nov 2027 19:30"),
        (utc(2027, 12, 31, 23), "Europe/Berlin", "Sat 1 Jan 2028", "Sat 1 Jan 2028 00:00"),
    ],
)
def test_format_date(moment: dt.datetime, zone: str, date: str, full: str) -> None:
    assert format_date(moment, ZoneInfo(zone)) == date
    assert format_moment(moment, ZoneInfo(zone)) == full


def test_short_names(shipped: Library) -> None:
    names = short_names(shipped)
    assert set(names) == set(default_readings(shipped))
    for slug, name in names.items():
        reading = shipped[slug]
        assert name in (reading.slug, *reading.aliases)
        assert all(len(name) <= len(other) for other in (reading.slug, *reading.aliases))
    assert names["against-soic"] == "soic"


# groups.yaml


def test_the_example_parses_and_documents_every_key(shipped: Library) -> None:
    text = (ROOT / "groups.example.yaml").read_text(encoding="utf-8")
    groups = parse_groups_yaml(text, "groups.example.yaml", shipped)
    assert len(groups) == 2
    full, minimal = groups
    documented = set(re.findall(r"^\s*-?\s*(\w+):", text, re.MULTILINE)) - {"groups"}
    assert documented == set(GROUP_KEYS)
    assert full.readings == resolve_readings(shipped, ["mccune", "soic", "china", "borochov"])
    assert str(full.cadence) == "mon,thu 19:00 Europe/Berlin"
    assert full.summary is not None and str(full.summary) == "sun 18:00 Europe/Berlin"
    assert (full.word_target, full.questions_per_post, full.paused) == (600, 3, False)
    assert full.start == dt.date(2027, 1, 4)
    assert (minimal.name, minimal.readings, minimal.summary) == ("456789012345678901", None, None)
    plan = minimal.plan(shipped, default_start=utc(2027, 5, 1))
    assert plan.readings == default_readings(shipped) and plan.start == utc(2027, 5, 1)
    assert full.plan(shipped, default_start=utc(2030, 1, 1)).start == utc(2027, 1, 3, 23)


GOOD = """\
groups:
  - channel_id: 111
    schedule: mon,thu 19:00
    timezone: Europe/Berlin
"""


def test_values_and_defaults() -> None:
    text = GOOD + (
        "    name: evening\n"
        "    readings: soic\n"
        "    words: 450\n"
        "    questions: 0\n"
        "    start: '2027-03-01'\n"
        "    ping_role_id: '222'\n"
        "    organizer_role_id: null\n"
        "    summary: off\n"
        "    paused: yes\n"
    )
    (group,) = parse_groups_yaml(text, "groups.yaml")
    assert group == GroupConfig(
        name="evening",
        channel_id=111,
        cadence=parse_cadence("mon,thu 19:00 Europe/Berlin"),
        readings=("soic",),
        word_target=450,
        questions_per_post=0,
        start=dt.date(2027, 3, 1),
        ping_role_id=222,
        organizer_role_id=None,
        summary=None,
        paused=True,
        path="groups.yaml",
        line=2,
    )


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "groups:\n", "groups: []\n"])
def test_no_groups(text: str) -> None:
    assert parse_groups_yaml(text, "groups.yaml") == ()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("groups: [\n", 2, r"not valid YAML"),
        ("- channel_id: 1\n", 1, r"expected a line 'groups:' and a list of groups under it"),
        ("group:\n  - channel_id: 1\n", 1, r"unknown key 'group': did you mean 'groups'\?"),
        ("groups:\n  channel_id: 1\n", 2, r"'groups' must be a list"),
        ("groups:\n  - mon 19:00\n", 2, r"each group must be 'key: value' lines"),
        (GOOD + "    chanel: 5\n", 5, r"unknown key 'chanel': did you mean 'channel_id'\?"),
        (GOOD + "    words: 600\n    words: 500\n", 6, r"'words' is given twice"),
        (GOOD.replace("channel_id: 111", "name: x"), 2, r"missing 'channel_id': add"),
        (GOOD.replace("    schedule: mon,thu 19:00\n", ""), 2, r"missing 'schedule': add"),
        (GOOD.replace("111", "abc"), 2, r"channel_id: 'abc' is not a Discord id: right-click"),
        (GOOD.replace("111", "-1"), 2, r"channel_id: -1 is not a Discord id"),
        (GOOD.replace("111", "true"), 2, r"channel_id: True is not a Discord id"),
        (GOOD + "    ping_role_id: 1.5\n", 5, r"ping_role_id: 1.5 is not a Discord id"),
        (GOOD + "    words: 20\n", 5, r"words: 20 is not a whole number from 50 to 10000"),
        (GOOD + "    words: lots\n", 5, r"words: 'lots' is not a whole number"),
        (GOOD + "    questions: 11\n", 5, r"questions: 11 is not a whole number from 0 to 10"),
        (GOOD.replace("mon,thu", "mon,thr"), 3, r"schedule: 'thr' in 'mon,thr' is not a weekday"),
        (GOOD.replace("mon,thu 19:00", "19:00"), 3, r"schedule: no weekday in '19:00'"),
        (GOOD.replace("19:00", "7"), 3, r"schedule: '7' is not a time of day"),
        (GOOD.replace("Europe/Berlin", "Berlin"), 4, r"timezone: unknown timezone 'Berlin'"),
        (GOOD.replace("    timezone: Europe/Berlin\n", ""), 3, r"schedule: no timezone in"),
        (GOOD.replace("Europe/Berlin", ""), 4, r"timezone: must be text, e\.g\. timezone: Eur"),
        (GOOD + "    start: 2027-13-01\n", 5, r"start: '2027-13-01' is not a date: write it as"),
        (GOOD + "    start: 2027-01-04 19:00\n", 5, r"start: '2027-01-04 19:00' is not a date"),
        (
            GOOD + "    start: 0999-01-01\n",
            5,
            r"start: '0999-01-01': the year 999 is outside 2000 to 2100: write the date as",
        ),
        (GOOD + "    start: '2101-01-01'\n", 5, r"start: '2101-01-01': the year 2101 is outside"),
        (GOOD + "    paused: maybe\n", 5, r"paused: 'maybe' is not true or false"),
        (GOOD + "    summary: sunday\n", 5, r"summary: no time of day in 'sunday'"),
        (GOOD + "    summary: sat,sun 18:00\n", 5, r"summary: the summary is weekly: name one"),
        (GOOD + "    summary: sun 18:00 UTC\n", 5, r"summary: .*names timezone UTC but the plan"),
        (GOOD + "    readings: [1, 2]\n", 5, r"readings: must be a list of reading slugs or"),
        (GOOD + "    readings: []\n", 5, r"readings: must be a list"),
        (GOOD + "    name: [a]\n", 5, r"name: must be text"),
        (
            GOOD + GOOD.replace("groups:\n", ""),
            5,
            r"channel 111 is already used by the group on line 2: one channel holds one group",
        ),
        (
            GOOD
            + "    name: a\n"
            + GOOD.replace("groups:\n", "").replace("111", "112")
            + "    name: a\n",
            6,
            r"name 'a' is already used by the group on line 2: give each group its own name",
        ),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_groups_yaml(text, "groups.yaml")
    (error,) = caught.value.errors
    assert (error.path, error.line) == ("groups.yaml", line)
    assert re.search(message, error.message), error.message
    assert str(error).startswith(f"groups.yaml:{line}: ")


@pytest.mark.parametrize(
    ("readings", "message"),
    [
        ("[mccune, soik]", r"readings: no reading called 'soik': did you mean"),
        ("[soic, against-soic]", r"readings: 'against-soic' is against-soic, which is already"),
    ],
)
def test_reading_names_are_checked_with_a_library(
    shipped: Library, readings: str, message: str
) -> None:
    text = GOOD + f"    readings: {readings}\n"
    with pytest.raises(LibraryError, match=message) as caught:
        parse_groups_yaml(text, "groups.yaml", shipped)
    assert caught.value.errors[0].line == 5
    # Without a library the names are kept as written and checked when the plan is made.
    (group,) = parse_groups_yaml(text, "groups.yaml")
    with pytest.raises(ContentError, match=r"^groups\.yaml:2: group '111': "):
        group.plan(shipped, default_start=utc(2027, 1, 1))


def test_every_problem_is_reported_at_once() -> None:
    text = "groups:\n  - channel_id: x\n    words: 1\n  - schedule: mon 19:00 UTC\n    paused: 2\n"
    with pytest.raises(LibraryError) as caught:
        parse_groups_yaml(text, "groups.yaml")
    assert [(e.line, e.message.split(":")[0]) for e in caught.value.errors] == [
        (2, "channel_id"),
        (3, "words"),
        (2, "missing 'schedule'"),
        (5, "paused"),
        (4, "missing 'channel_id'"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [("content", "content"), ("counts", "counts"), ("off", "off")]
)
def test_reply_log_setting(value: str, expected: str) -> None:
    text = f'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n    reply_log: {value}\n'
    (group,) = parse_groups_yaml(text, "groups.yaml")
    assert group.reply_log == expected


def test_reply_log_defaults_to_content_and_rejects_other_values() -> None:
    (group,) = parse_groups_yaml(
        'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n', "groups.yaml"
    )
    assert group.reply_log == "content"
    with pytest.raises(LibraryError) as caught:
        parse_groups_yaml(
            'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n    reply_log: all\n',
            "groups.yaml",
        )
    assert [str(e) for e in caught.value.errors] == [
        "groups.yaml:4: reply_log: 'all' is not one of content, counts, off"
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [("react", "react"), ("reply", "reply"), ("off", "off")]
)
def test_quote_check_setting(value: str, expected: str) -> None:
    text = f'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n    quote_check: {value}\n'
    (group,) = parse_groups_yaml(text, "groups.yaml")
    assert group.quote_check == expected


def test_quote_check_defaults_to_react_and_rejects_other_values_with_their_line() -> None:
    base = 'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n'
    (group,) = parse_groups_yaml(base, "groups.yaml")
    assert group.quote_check == "react"
    with pytest.raises(LibraryError) as caught:
        parse_groups_yaml(base + "    quote_check: loud\n", "groups.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "groups.yaml:4: quote_check: 'loud' is not one of react, reply, off"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sun 18:00", "sun 18:00 Europe/Berlin"), ("off", None), ("OFF", None)],
)
def test_parse_summary(text: str, expected: str | None) -> None:
    from bot.core.plan import parse_summary

    summary = parse_summary(text, ZoneInfo("Europe/Berlin"))
    assert (None if summary is None else str(summary)) == expected


def test_a_summary_names_one_weekday() -> None:
    from bot.core.plan import parse_summary

    with pytest.raises(PlanError, match="name one weekday"):
        parse_summary("sat,sun 18:00", ZoneInfo("Europe/Berlin"))
