"""Sentences: one splitter for numbering, citing and cutting; robust to abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.readings import Paragraph
from bot.core.sentences import format_sentence_span, sentences, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("He said “stop.” Then left.", ["He said “stop.”", "Then left."]),
        ("A (note.) B… C", ["A (note.)", "B…", "C"]),
        ("No end", ["No end"]),
        ("e.g.this stays", ["e.g.this stays"]),
        ("Mr. Smith met Mrs. Jones. They talked.", ["Mr. Smith met Mrs. Jones.", "They talked."]),
        ("It grew, i.e. it doubled. Then?", ["It grew, i.e. it doubled.", "Then?"]),
        ("See p. 12 and vol. II of it. Next.", ["See p. 12 and vol. II of it.", "Next."]),
        ("No. That is wrong.", ["No.", "That is wrong."]),
        ("It rose 1.5 per cent. Then fell.", ["It rose 1.5 per cent.", "Then fell."]),
        ("By V. I. Lenin in 1915. Read it.", ["By V. I. Lenin in 1915.", "Read it."]),
        ('"Stop!" he cried. "Why?" She left.', ['"Stop!" he cried.', '"Why?"', "She left."]),
        ("Wait... and see. Done.", ["Wait... and see.", "Done."]),
        ("The end.¹ Next one.", ["The end.¹", "Next one."]),
        ("The end.[a] Next one.", ["The end.[a]", "Next one."]),
        ("In 1917. 1918 came.", ["In 1917.", "1918 came."]),
        ("  Spaced \n out.   Text.  ", ["Spaced out.", "Text."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(st.text(alphabet=st.sampled_from("aB1 .!?”“\"'()[]¹\n…"), max_size=300))
def test_sentences_give_back_the_text_in_order(text: str) -> None:
    pieces = split_sentences(text)
    assert " ".join(pieces) == " ".join(text.split())
    assert all(piece and piece == piece.strip() for piece in pieces)


def test_a_paragraphs_sentences_are_those_shown_with_note_markers() -> None:
    paragraph = Paragraph(3, "First claim.[^1] Second *claim*. Third.", None, 9)
    assert sentences(paragraph) == ("First claim.¹", "Second *claim*.", "Third.")


@pytest.mark.parametrize(
    ("span", "expected"),
    [((3, 4, 3, 4), "3.4"), ((3, 4, 3, 9), "3.4-3.9"), ((3, 4, 5, 2), "3.4-5.2")],
)
def test_format_sentence_span(span: tuple[int, int, int, int], expected: str) -> None:
    assert format_sentence_span(*span) == expected
