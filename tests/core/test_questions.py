"""Questions: prompt files are validated with file and line, and posts get the right questions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.core.questions import (
    Authority,
    Prompts,
    Question,
    authorities_in,
    distinctive_terms,
    load_prompts,
    opening_claim,
    questions_for,
)
from bot.core.readings import Library, LibraryError
from tests.core.conftest import make_reading

GENERAL = """\
authorities:
  - Engels
  - name: Mao Zedong
    also: [Mao]
templates:
  - kind: interpretation
    text: What does “{term}” mean in {citation}?
  - kind: critique
    text: Why does the excerpt bring in {authority}?
  - kind: comprehension
    text: "The excerpt opens: “{opening}” What supports it?"
  - kind: critique
    text: Which sentence in {citation} would you push back on?
  - text: What is the strongest objection to {title}?
"""


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def load(tmp_path: Path, library: Library, files: dict[str, str]) -> Prompts:
    return load_prompts(write(tmp_path / "prompts", files), library)


# --- loading -----------------------------------------------------------------------------------


def test_a_valid_file_loads_with_anchors_kinds_and_normalised_text(
    tmp_path: Path, library: Library
) -> None:
    prompts = load(
        tmp_path,
        library,
        {
            "soic.yaml": """\
                questions:
                  - at: [7, 3, 7]
                    kind: connection
                    text: >-
                      A question that the YAML
                      folds over two lines?
                  - at: 18
                    text: A question without a kind?
                """
        },
    )
    first, second = prompts.for_reading("against-soic")
    assert first.anchors == (3, 7)
    assert first.due == 7
    assert first.kind == "connection"
    assert first.text == "A question that the YAML folds over two lines?"
    assert (first.path, first.line) == (str(tmp_path / "prompts" / "soic.yaml"), 2)
    assert (second.anchors, second.kind, second.line) == ((18,), None, 7)
    assert prompts.templates == ()


def test_ids_are_stable_when_questions_are_reordered_or_reflowed(
    tmp_path: Path, library: Library
) -> None:
    one = load(
        tmp_path / "one",
        library,
        {"pi.yaml": "questions:\n  - {at: 1, text: 'First?'}\n  - {at: 2, text: 'Second?'}\n"},
    )
    two = load(
        tmp_path / "two",
        library,
        {"pi.yaml": "questions:\n  - {at: 2, text: 'Second?'}\n  - {at: 5, text: '  First? '}\n"},
    )
    ids_one = {q.text: q.id for q in one.questions}
    ids_two = {q.text: q.id for q in two.questions}
    assert ids_one == ids_two
    assert len(set(ids_one.values())) == 2
    assert all(i.startswith("proletarian-internationalism:") for i in ids_one.values())


def test_templates_and_authorities_load(tmp_path: Path, library: Library) -> None:
    prompts = load(tmp_path, library, {"general.yaml": GENERAL})
    assert [t.placeholders for t in prompts.templates] == [
        ("term", "citation"),
        ("authority",),
        ("opening",),
        ("citation",),
        ("title",),
    ]
    assert prompts.templates[4].kind is None
    assert prompts.authorities == (
        Authority("Engels", ("Engels",)),
        Authority("Mao Zedong", ("Mao Zedong", "Mao")),
    )


def test_a_missing_directory_is_an_error(tmp_path: Path, library: Library) -> None:
    with pytest.raises(LibraryError, match="prompts directory not found"):
        load_prompts(tmp_path / "nowhere", library)


QUESTION = "questions:\n  - at: 1\n    kind: critique\n    text: Why?\n"


@pytest.mark.parametrize(
    ("files", "where", "message"),
    [
        pytest.param(
            {"soci.yaml": QUESTION},
            "soci.yaml",
            "no reading 'soci' in the library: did you mean 'soic'?",
            id="unknown-reading",
        ),
        pytest.param(
            {"soic.yaml": QUESTION, "against-soic.yaml": QUESTION},
            "soic.yaml",
            "already holds the questions for 'against-soic': merge the two files",
            id="two-files-for-one-reading",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 1\n    text: Why?\n  - at: 40\n    text: How?\n"},
            "soic.yaml:4",
            "anchor §40 is out of range: against-soic has paragraphs 1-18",
            id="anchor-out-of-range",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: [3, 19]\n    text: Why?\n"},
            "soic.yaml:2",
            "anchor §19 is out of range: against-soic has paragraphs 1-18",
            id="anchor-list-out-of-range",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 0\n    text: Why?\n"},
            "soic.yaml:2",
            "anchor §0 is out of range",
            id="anchor-zero",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: twelve\n    text: Why?\n"},
            "soic.yaml:2",
            "at: 'twelve' is not a paragraph number: write 'at: 12' or 'at: [3, 7]'",
            id="anchor-not-a-number",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: []\n    text: Why?\n"},
            "soic.yaml:2",
            "is not a paragraph number",
            id="anchor-empty-list",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - text: Why?\n"},
            "soic.yaml:2",
            "missing 'at'",
            id="anchor-missing",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    kind: critique\n"},
            "soic.yaml:2",
            "missing text: add 'text: ...' with the question",
            id="text-missing",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    text: '  '\n"},
            "soic.yaml:3",
            "missing text",
            id="text-blank",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    text: [a, list]\n"},
            "soic.yaml:3",
            "text must be words, not list",
            id="text-not-words",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    txt: Why?\n    text: How?\n"},
            "soic.yaml:3",
            "unknown key 'txt' in this question: did you mean 'text'?",
            id="unknown-question-key",
        ),
        pytest.param(
            {"soic.yaml": "question:\n  - at: 2\n    text: Why?\n"},
            "soic.yaml:1",
            "unknown key 'question' in this file: did you mean 'questions'?",
            id="unknown-file-key",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    text: Why?\n    text: How?\n"},
            "soic.yaml:4",
            "'text' is given twice in this question",
            id="key-twice",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    kind: critque\n    text: Why?\n"},
            "soic.yaml:3",
            "kind 'critque' is not one of comprehension, interpretation, critique, connection: "
            "did you mean 'critique'?",
            id="bad-kind",
        ),
        pytest.param(
            {
                "soic.yaml": "questions:\n  - at: 2\n    text: Why so?\n"
                "  - at: 5\n    text: why so\n"
            },
            "soic.yaml:4",
            "duplicate question: the same text is at ",
            id="duplicate-text",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  - at: 2\n    text: 'Why?\n"},
            "soic.yaml:4",
            "not valid YAML",
            id="yaml-syntax",
        ),
        pytest.param(
            {"soic.yaml": "- at: 2\n  text: Why?\n"},
            "soic.yaml:1",
            "file must be 'key: value' lines, e.g. 'questions: ...'",
            id="list-at-top",
        ),
        pytest.param(
            {"soic.yaml": "questions:\n  at: 2\n"},
            "soic.yaml:2",
            "questions must be a list",
            id="questions-not-a-list",
        ),
        pytest.param(
            {"soic.yaml": "# nothing yet\n"},
            "soic.yaml",
            "the file is empty",
            id="empty-file",
        ),
        pytest.param(
            {"general.yaml": "templates:\n  - text: What does {trem} mean?\n"},
            "general.yaml:2",
            "unknown placeholder {trem} in the template: did you mean 'term'?",
            id="unknown-placeholder",
        ),
        pytest.param(
            {"general.yaml": "templates:\n  - text: What does {term mean?\n"},
            "general.yaml:2",
            "is not closed: write {{ or }} for a literal brace",
            id="stray-brace",
        ),
        pytest.param(
            {"general.yaml": "templates:\n  - text: What does {term!r} mean?\n"},
            "general.yaml:2",
            "write the placeholder as {term}",
            id="placeholder-conversion",
        ),
        pytest.param(
            {"general.yaml": "templates:\n  - kind: critic\n    text: Why {term}?\n"},
            "general.yaml:2",
            "did you mean 'critique'?",
            id="template-bad-kind",
        ),
        pytest.param(
            {"general.yaml": "templates:\n  - text: Why {term}?\n    at: 3\n"},
            "general.yaml:3",
            "unknown key 'at' in this template",
            id="template-unknown-key",
        ),
        pytest.param(
            {
                "general.yaml": "authorities:\n  - name: Mao Zedong\n    also: Chairman Mao\n"
                "  - [Engels]\n"
            },
            "general.yaml:4",
            "authority must be 'key: value' lines",
            id="authority-not-a-name",
        ),
        pytest.param(
            {"general.yaml": "authorities:\n  - also: [Mao]\n"},
            "general.yaml:2",
            "missing 'name'",
            id="authority-without-name",
        ),
        pytest.param(
            {
                "general.yaml": "templates:\n  - text: Why {citation}?\n",
                "pi.yaml": "questions:\n  - at: 3\n    text: Why {citation}?\n",
            },
            "pi.yaml:2",
            "duplicate question: the same text is at ",
            id="question-duplicates-template",
        ),
    ],
)
def test_prompt_errors_name_the_file_and_line(
    tmp_path: Path, library: Library, files: dict[str, str], where: str, message: str
) -> None:
    with pytest.raises(LibraryError) as caught:
        load(tmp_path, library, files)
    assert len(caught.value.errors) == 1, caught.value
    error = str(caught.value.errors[0])
    assert error.startswith(f"{tmp_path / 'prompts' / where}:"), error
    assert message in error


def test_every_error_in_every_file_is_reported_at_once(tmp_path: Path, library: Library) -> None:
    with pytest.raises(LibraryError) as caught:
        load(
            tmp_path,
            library,
            {
                "pi.yaml": "questions:\n  - at: 99\n    text: A?\n"
                "  - at: 1\n    kind: x\n    text: B?\n",
                "general.yaml": "templates:\n  - text: '{nope}'\n",
            },
        )
    lines = sorted((e.path.rsplit("/", 1)[1], e.line) for e in caught.value.errors)
    assert lines == [("general.yaml", 2), ("pi.yaml", 2), ("pi.yaml", 5)]


# --- choosing questions ------------------------------------------------------------------------


@pytest.fixture
def essay() -> Library:
    """A reading whose paragraphs have words worth picking, and a second one to compare with."""
    essay = make_reading(
        "essay",
        "An Essay",
        [
            "What is a nation? A nation is a community of production. Engels wrote about "
            "the world market, and Engels was right about the bourgeoisie.",
            "Territory shapes production, and territory shapes the working class. Lenin "
            "agreed about territory.",
            "The market decides nothing. Workers decide.",
            "Nations and markets and production again.",
            "Production of nations in the market.",
        ],
    )
    other = make_reading(
        "other",
        "Another Essay",
        ["The market and production and nations.", "The working class and the bourgeoisie."],
    )
    return Library((essay, other))


ANCHORED = """\
questions:
  - {at: 3, kind: critique, text: "Third critique?"}
  - {at: 1, kind: comprehension, text: "First comprehension?"}
  - {at: [1, 2], kind: connection, text: "First and second?"}
  - {at: 1, kind: comprehension, text: "First comprehension again?"}
  - {at: 2, kind: comprehension, text: "Second comprehension?"}
  - {at: 5, kind: critique, text: "Fifth critique?"}
"""


@pytest.fixture
def prompts(tmp_path: Path, essay: Library) -> Prompts:
    return load(tmp_path, essay, {"essay.yaml": ANCHORED, "general.yaml": GENERAL})


def texts(questions: list[Question]) -> list[str]:
    return [q.text for q in questions]


@pytest.mark.parametrize(
    ("first", "last", "count", "expected"),
    [
        # Paragraph order (a question is due at its last anchor), file order within one.
        (
            1,
            3,
            5,
            [
                "First comprehension?",
                "First comprehension again?",
                "First and second?",
                "Second comprehension?",
                "Third critique?",
            ],
        ),
        # Too many: one of each kind and paragraph first, still shown in paragraph order.
        (1, 3, 3, ["First comprehension?", "First and second?", "Third critique?"]),
        (1, 1, 1, ["First comprehension?"]),
        # [1, 2] is not due until paragraph 2 has been read.
        (1, 1, 5, ["First comprehension?", "First comprehension again?"]),
        (2, 2, 2, ["First and second?", "Second comprehension?"]),
        (4, 5, 1, ["Fifth critique?"]),
    ],
)
def test_anchored_questions_due_in_the_excerpt_come_first_in_paragraph_order(
    prompts: Prompts, essay: Library, first: int, last: int, count: int, expected: list[str]
) -> None:
    chosen = questions_for(
        "essay", first, last, prompts=prompts, library=essay, count=count, used=set()
    )
    assert texts(chosen)[: len(expected)] == expected
    assert len(chosen) == count
    assert all(q.anchors for q in chosen[: len(expected)])
    assert not any(q.anchors for q in chosen[len(expected) :])


def test_used_questions_are_skipped_and_templates_fill_the_post(
    prompts: Prompts, essay: Library
) -> None:
    used = {q.id for q in prompts.for_reading("essay") if q.due == 1}
    chosen = questions_for("essay", 1, 1, prompts=prompts, library=essay, count=3, used=used)
    assert len(chosen) == 3
    assert not {q.id for q in chosen} & used
    assert not any(q.anchors for q in chosen)


@pytest.mark.parametrize("count", [0, -1])
def test_no_questions_when_none_are_wanted(prompts: Prompts, essay: Library, count: int) -> None:
    assert (
        questions_for("essay", 1, 5, prompts=prompts, library=essay, count=count, used=set()) == []
    )


def test_an_unknown_reading_is_a_value_error(prompts: Prompts, essay: Library) -> None:
    with pytest.raises(ValueError, match="no reading 'nope'"):
        questions_for("nope", 1, 1, prompts=prompts, library=essay, count=3, used=set())


def test_templates_are_filled_from_the_excerpt(prompts: Prompts, essay: Library) -> None:
    used = {q.id for q in prompts.questions}
    chosen = questions_for("essay", 1, 2, prompts=prompts, library=essay, count=5, used=used)
    assert texts(chosen) == [
        "What does “territory” mean in essay §1-2?",
        "Why does the excerpt bring in Engels?",
        "The excerpt opens: “A nation is a community of production.” What supports it?",
        "Which sentence in essay §1-2 would you push back on?",
        "What is the strongest objection to An Essay?",
    ]
    assert [q.kind for q in chosen] == [
        "interpretation",
        "critique",
        "comprehension",
        "critique",
        None,
    ]
    assert all(q.reading == "essay" and q.anchors == () for q in chosen)
    # The id says what the template was filled with, so the same template can come back with
    # another filling but never with the same one.
    assert chosen[0].id.endswith("=territory+essay-1-2")
    assert chosen[1].id.endswith("=engels")


def test_a_post_never_carries_the_same_question_twice(prompts: Prompts, essay: Library) -> None:
    used = {q.id for q in prompts.questions}
    chosen = questions_for("essay", 1, 5, prompts=prompts, library=essay, count=20, used=used)
    assert len({q.id for q in chosen}) == len(chosen)
    assert len(set(texts(chosen))) == len(chosen)
    # Five templates, each at most once per post.
    assert len(chosen) == 5


def test_filled_templates_rotate_and_never_repeat_within_a_plan(
    prompts: Prompts, essay: Library
) -> None:
    used = {q.id for q in prompts.questions}
    seen: list[str] = []
    for first, last in [(1, 1), (1, 1), (1, 1), (2, 2)]:
        chosen = questions_for(
            "essay", first, last, prompts=prompts, library=essay, count=2, used=used
        )
        used |= {q.id for q in chosen}
        seen += texts(chosen)
    assert len(seen) == len(set(seen))
    # The first post takes a term and an authority; the same excerpt again gets the templates
    # not used yet before any template comes back with another term.
    assert seen[0].startswith("What does “") and seen[1] == "Why does the excerpt bring in Engels?"
    assert seen[2].startswith("The excerpt opens:")


def test_the_same_inputs_give_the_same_questions(prompts: Prompts, essay: Library) -> None:
    calls = [
        questions_for("essay", 1, 3, prompts=prompts, library=essay, count=6, used={"x"})
        for _ in range(2)
    ]
    assert calls[0] == calls[1]


def test_an_alias_names_the_reading(tmp_path: Path, library: Library) -> None:
    prompts = load(tmp_path, library, {"soic.yaml": QUESTION})
    chosen = questions_for("soic", 1, 1, prompts=prompts, library=library, count=1, used=set())
    assert texts(chosen) == ["Why?"]
    assert chosen[0].reading == "against-soic"


# --- reading an excerpt ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nations are communities. They produce.", "Nations are communities."),
        (
            "What is a nation? A nation is a community of production.",
            "A nation is a community of production.",
        ),
        ("What? Why? How? Who is asking this?", "What?"),
        ("Short. A longer first claim follows here.", "A longer first claim follows here."),
        ("One claim " + "goes on " * 40 + "and ends.", "One claim " + "goes on " * 23 + "goes…"),
        ("", ""),
    ],
)
def test_opening_claim(text: str, expected: str) -> None:
    assert opening_claim(text) == expected


def test_distinctive_terms_prefer_repeated_rare_words(essay: Library) -> None:
    text = essay["essay"].paragraph(2).plain
    terms = distinctive_terms(text, essay, [Authority("Lenin", ("Lenin",))])
    # "territory" occurs three times here and nowhere else; "shapes" twice; names, short and
    # stop words never count.
    assert terms[:2] == ["territory", "shapes"]
    assert "lenin" not in terms and "and" not in terms and "the" not in terms


def test_distinctive_terms_skip_words_only_written_as_names() -> None:
    reading = make_reading(
        "r", "R", ["The World Trade Organization sets trade rules.", "Trade in World Trade."]
    )
    library = Library((reading,))
    assert "trade" not in distinctive_terms(reading.paragraph(2).plain, library)
    assert "trade" in distinctive_terms(reading.paragraph(1).plain, library)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Engels and engels and Lenin.", ["Engels", "Lenin"]),
        ("Lenin, then Engels, then Lenin’s speech.", ["Lenin", "Engels"]),
        ("Marxist-Leninists and Engelsians.", []),
        ("Chairman Mao and Mao Zedong.", ["Mao Zedong"]),
    ],
)
def test_authorities_are_found_by_whole_word(text: str, expected: list[str]) -> None:
    authorities = [
        Authority("Engels", ("Engels",)),
        Authority("Lenin", ("Lenin",)),
        Authority("Mao Zedong", ("Mao Zedong", "Mao")),
    ]
    assert authorities_in(text, authorities) == expected


def test_a_piece_of_a_paragraph_fills_templates_from_its_own_sentences(
    prompts: Prompts, essay: Library
) -> None:
    used = {q.id for q in prompts.questions}
    # Sentences 3 of §1 only: Engels, not "a nation is a community of production".
    chosen = questions_for(
        "essay", 1, 1, prompts=prompts, library=essay, count=5, used=used, sentences=(3, 3)
    )
    shown = texts(chosen)
    assert "Why does the excerpt bring in Engels?" in shown
    assert "Which sentence in essay §1.3 would you push back on?" in shown
    assert not any("community of production" in text for text in shown)
    assert any(text.startswith("The excerpt opens: “Engels wrote about") for text in shown)
