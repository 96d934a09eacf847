"""Citations: every accepted form resolves, and bad references explain themselves."""

from __future__ import annotations

import pytest

from bot.core.citations import (
    format_citation,
    format_range,
    resolve,
    suggestions,
    table_of_contents,
)
from bot.core.errors import CitationError
from bot.core.readings import Library
from tests.core.conftest import make_reading


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("soic §12", "against-soic §12"),
        ("soic 12", "against-soic §12"),
        ("soic:12", "against-soic §12"),
        ("soic ¶12", "against-soic §12"),
        ("soic §12-14", "against-soic §12-14"),
        ("soic 12–14", "against-soic §12-14"),
        ("soic §§12-14", "against-soic §12-14"),
        ("soic:12 - 14", "against-soic §12-14"),
        ("soic 14-12", "against-soic §12-14"),
        ("SOIC §3", "against-soic §3"),
        ("against-soic §3", "against-soic §3"),
        ("  soic   §3  ", "against-soic §3"),
        ("pi 1", "proletarian-internationalism §1"),
        ("borochov-soic 30", "borochov §30"),
        # title prefix, ignoring a leading article and punctuation
        ("What is proletarian §2", "proletarian-internationalism §2"),
        ("work of socialism §5", "borochov §5"),
        ('Against "Socialism §4', "against-soic §4"),
        # fuzzy title
        ("proletarian internationalsim 3", "proletarian-internationalism §3"),
        ("borocov 3", "borochov §3"),
        # author
        ("mccune 2", "proletarian-internationalism §2"),
    ],
)
def test_paragraph_references_resolve(library: Library, reference: str, expected: str) -> None:
    assert str(resolve(library, reference)) == expected


@pytest.mark.parametrize(
    ("reference", "slug", "first", "last"),
    [
        ("soic#conclusion", "against-soic", 15, 18),
        ("soic # Conclusion", "against-soic", 15, 18),
        ("soic#what-is-socialism-in-one-country", "against-soic", 2, 14),
        ("soic#what is", "against-soic", 2, 14),
        ("borochov conclusion", "borochov", 20, 30),
        ("borochov#intro", "borochov", 1, 19),
        ("pi#what is it?", "proletarian-internationalism", 2, 11),
    ],
)
def test_section_references_resolve(
    library: Library, reference: str, slug: str, first: int, last: int
) -> None:
    citation = resolve(library, reference)
    assert (citation.reading.slug, citation.first, citation.last) == (slug, first, last)
    assert citation.section is not None


@pytest.mark.parametrize("reference", ["borochov n2", "borochov note 2", "borochov [^2]"])
def test_note_references_resolve(library: Library, reference: str) -> None:
    citation = resolve(library, reference)
    assert citation.note is not None
    assert citation.note.text == "Second note."
    assert citation.paragraphs == ()
    assert str(citation) == "borochov n2"


@pytest.mark.parametrize(
    "reference", ["soic", "against-soic", "What is Proletarian Internationalism?", "borochov"]
)
def test_bare_reading_name_is_the_whole_reading(library: Library, reference: str) -> None:
    citation = resolve(library, reference)
    assert citation.contents
    assert citation.is_whole_reading
    assert len(citation.paragraphs) == len(citation.reading.paragraphs)


def test_bare_number_uses_the_default_reading(library: Library) -> None:
    assert str(resolve(library, "§7", default=library["borochov"])) == "borochov §7"
    assert str(resolve(library, "7-9", default=library["borochov"])) == "borochov §7-9"


@pytest.mark.parametrize(
    ("reference", "message_parts"),
    [
        ("soic §19", ["out of range", "against-soic has paragraphs 1-18"]),
        ("soic §0", ["against-soic has paragraphs 1-18"]),
        ("soic 10-40", ["against-soic has paragraphs 1-18"]),
        ("socialism in one 3", ["several readings", "against-soic", "borochov"]),
        ("socialism in one", ["several readings", "against-soic", "borochov"]),
        ("zzzzqqq 3", ["No reading called 'zzzzqqq'"]),
        ("bakunin 3", ["No reading called 'bakunin'", "/readings"]),
        ("soic#nowhere", ["no section 'nowhere'", "Conclusion"]),
        ("borochov n9", ["no note 9", "n1-n3"]),
        ("soic n1", ["against-soic has no notes"]),
        ("§4", ["Which reading?"]),
        ("", ["Empty reference"]),
        # Malformed after a good name: what was understood, and what is valid.
        ("soic -1", ["against-soic", "'-1' is not a reference", "`against-soic §1` to `§18`"]),
        ("soic §", ["'§' is not a reference", "against-soic#what-is-socialism-in-one-country"]),
        ("soic §a", ["'§a' is not a reference"]),
        ("soic §-1", ["'§-1' is not a reference"]),
        ("soic §²", ["'§²' is not a reference"]),
        ("soic—2", ["'—2' is not a reference"]),
        ("borochov n", ["'n' is not a reference", "notes `borochov n1` to `n3`"]),
        ("soic 99999999999999999999", ["§99999999999999999999 is out of range", "1-18"]),
        ("soic §1234567", ["§1234567 is out of range"]),
    ],
)
def test_bad_references_explain_themselves(
    library: Library, reference: str, message_parts: list[str]
) -> None:
    with pytest.raises(CitationError) as caught:
        resolve(library, reference)
    for part in message_parts:
        assert part in str(caught.value)


@pytest.mark.parametrize("reference", ["x" * 10_000, "§" * 500, "soic " + "9" * 50, "\x00 §1"])
def test_hostile_references_raise_only_citation_errors(library: Library, reference: str) -> None:
    with pytest.raises(CitationError):
        resolve(library, reference)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [(3, None, "soic §3"), (3, 3, "soic §3"), (3, 5, "soic §3-5")],
)
def test_format_citation(first: int, last: int | None, expected: str) -> None:
    assert format_citation("soic", first, last) == expected
    assert format_range(first, last) == expected.removeprefix("soic ")


@pytest.mark.parametrize(
    ("partial", "first_value"),
    [
        ("", "proletarian-internationalism"),
        ("so", "against-soic"),
        ("work", "borochov"),
        ("mcc", "proletarian-internationalism"),
        ("soic con", "against-soic#conclusion"),
    ],
)
def test_suggestions(library: Library, partial: str, first_value: str) -> None:
    choices = suggestions(library, partial)
    assert choices[0][1] == first_value
    assert len(choices) <= 25
    assert all(len(label) <= 100 and len(value) <= 100 for label, value in choices)


def test_suggestions_include_every_matching_section(library: Library) -> None:
    values = [value for _, value in suggestions(library, "conclusion")]
    assert values == [
        "proletarian-internationalism#conclusion",
        "against-soic#conclusion",
        "borochov#conclusion",
    ]


def test_a_title_alone_is_the_table_of_contents(library: Library) -> None:
    citation = resolve(library, "borochov")
    assert citation.contents
    assert table_of_contents(citation.reading) == [
        ("§1-19", "Introduction"),
        ("§20-30", "Conclusion"),
        ("n1-n3", "Notes"),
    ]
    assert table_of_contents(library["against-soic"])[0] == ("§1", "(before the first heading)")
    assert not resolve(library, "borochov 1-30").contents


def test_a_reading_without_headings_has_one_row() -> None:
    plain = make_reading("plain", "Plain", ["One.", "Two."])
    assert table_of_contents(plain) == [("§1-2", "")]


def test_a_name_in_titles_and_authors_lists_the_candidates() -> None:
    library = Library(
        (
            make_reading("three-sources", "The Three Sources of Marxism", ["L."], author="Lenin"),
            make_reading("manifesto", "Manifesto", ["M."], author="Karl Marx"),
        )
    )
    with pytest.raises(CitationError) as caught:
        resolve(library, "marx")
    assert "several readings" in str(caught.value)
    assert "three-sources" in str(caught.value) and "manifesto" in str(caught.value)
    assert str(resolve(library, "lenin 1")) == "three-sources §1"


def test_a_fuzzy_title_without_a_clear_margin_lists_the_candidates() -> None:
    library = Library(
        (
            make_reading("wage-labour", "Wage Labour and Capital", ["W."]),
            make_reading("wage-labor", "Wage Labor and Capitol", ["V."]),
        )
    )
    with pytest.raises(CitationError) as caught:
        resolve(library, "wage labuor and capitl")
    assert "about as close to several readings" in str(caught.value)
    assert "wage-labour" in str(caught.value) and "wage-labor" in str(caught.value)


def test_only_the_list_hint_depends_on_the_front_end(library: Library) -> None:
    with pytest.raises(CitationError) as caught:
        resolve(library, "bakunin")
    assert str(caught.value).endswith("`/readings` lists them all.")
    assert caught.value.hinted("`reading-group readings`").endswith(
        "`reading-group readings` lists them all."
    )


class _Unscannable(Library):
    """A library whose readings cannot be walked one by one: a look-up that scans fails."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the look-up scanned every reading")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("r-777 §2", "r-777 §2"),
        ("alias-777 §1-2", "r-777 §1-2"),
        ("r-777:1", "r-777 §1"),
        ("Reading 777 §2", "r-777 §2"),
        ("r-777 §2.1", "r-777 §2.1"),
        ("r-777", "r-777 §1-2"),
    ],
)
def test_a_look_up_by_slug_alias_or_title_does_not_scan_the_readings(
    reference: str, expected: str
) -> None:
    readings = tuple(
        make_reading(f"r-{n}", f"Reading {n}", ["One.", "Two. Three."], aliases=[f"alias-{n}"])
        for n in range(1000)
    )
    assert str(resolve(_Unscannable(readings), reference)) == expected
