"""Sentence citations: ``soic §3.4`` and ``soic §3.4-3.9`` resolve, name themselves, show their
paragraph's context, and bad ones explain themselves."""

from __future__ import annotations

import pytest

from bot.core.citations import resolve
from bot.core.errors import CitationError
from bot.core.readings import Library, Reading
from tests.core.conftest import make_reading

LONG = " ".join(f"Sentence {n} of the long one." for n in range(1, 11))


@pytest.fixture(scope="module")
def soic() -> Reading:
    return make_reading(
        "against-soic",
        "Against Socialism in One Country",
        ["One. Two.", LONG, "Mr. Smith spoke.[^1] He left. Then?"],
        aliases=["soic"],
        notes={"1": "A note."},
    )


@pytest.fixture(scope="module")
def books(soic: Reading) -> Library:
    return Library((soic, make_reading("other", "Other", ["A. B."])))


@pytest.mark.parametrize(
    ("reference", "expected", "sentences"),
    [
        ("soic §2.4", "against-soic §2.4", (4, 4)),
        ("soic 2.4", "against-soic §2.4", (4, 4)),
        ("soic:2.4", "against-soic §2.4", (4, 4)),
        ("soic ¶2.4", "against-soic §2.4", (4, 4)),
        ("soic §2.4-2.9", "against-soic §2.4-2.9", (4, 9)),
        ("soic 2.4–2.9", "against-soic §2.4-2.9", (4, 9)),
        ("soic:2.9 - 2.4", "against-soic §2.4-2.9", (4, 9)),
        ("soic §2.9-3.1", "against-soic §2.9-3.1", (9, 1)),
        # A paragraph as the start runs from its first sentence.
        ("soic §2-3.2", "against-soic §2.1-3.2", (1, 2)),
        ("against-soic §3.1", "against-soic §3.1", (1, 1)),
    ],
)
def test_sentence_references_resolve(
    books: Library, reference: str, expected: str, sentences: tuple[int, int]
) -> None:
    citation = resolve(books, reference)
    assert str(citation) == expected
    assert citation.sentences == sentences


def test_a_bare_sentence_uses_the_default_reading(books: Library, soic: Reading) -> None:
    assert str(resolve(books, "§2.3", default=soic)) == "against-soic §2.3"
    with pytest.raises(CitationError, match="Which reading"):
        resolve(books, "§2.3")


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("soic §2.11", r"^against-soic §2\.11 is out of range: §2 has sentences 1-10\.$"),
        ("soic §2.0", r"^against-soic §2\.0 is out of range: §2 has sentences 1-10\.$"),
        ("soic §9.1", r"^against-soic §9 is out of range: against-soic has paragraphs 1-3\.$"),
        ("soic §2.4-3.4", r"§3\.4 is out of range: §3 has sentences 1-3\."),
        (
            "soic §2.4-3",
            r"^against-soic §2\.4-3 is ambiguous: write §2\.4-2\.3 for sentences 4-3 of §2, "
            r"or §2\.4-3\.N to end at sentence N of §3\.$",
        ),
    ],
)
def test_bad_sentence_references_explain_themselves(
    books: Library, reference: str, message: str
) -> None:
    with pytest.raises(CitationError, match=message):
        resolve(books, reference)


def test_cited_sentences_come_with_their_paragraphs_context(books: Library) -> None:
    (marked,) = resolve(books, "soic §2.4-2.5").marked
    assert (marked.span, marked.count, marked.whole) == ("2.4-2.5", 10, False)
    assert marked.label == "§2.4-2.5 (§2 has 10 sentences)"
    assert marked.shown(lambda cited: f"**{cited}**") == (
        "… Sentence 3 of the long one. **Sentence 4 of the long one. Sentence 5 of the long "
        "one.** Sentence 6 of the long one. …"
    )
    first, middle, last = resolve(books, "soic §1.2-3.1").marked
    assert first.shown(lambda cited: f"[{cited}]") == "One. [Two.]"
    assert (middle.span, middle.whole) == ("2", True)
    assert last.shown(lambda cited: f"[{cited}]") == "[Mr. Smith spoke.¹] He left. …"
    assert last.more_after


def test_editing_another_paragraph_changes_no_sentence_number(soic: Reading) -> None:
    edited = make_reading(
        "against-soic",
        "Against Socialism in One Country",
        ["One. Two. A third, new.", LONG, "Mr. Smith spoke.[^1] He left. Then?"],
        aliases=["soic"],
        notes={"1": "A note."},
    )
    before = resolve(Library((soic,)), "soic §2.4-2.5").marked[0].cited
    after = resolve(Library((edited,)), "soic §2.4-2.5").marked[0].cited
    assert before == after == "Sentence 4 of the long one. Sentence 5 of the long one."
