"""Templates filled from an excerpt: its distinctive terms, authorities and opening claim."""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set

from bot.core.citations import format_citation
from bot.core.pages import clip
from bot.core.questions.model import VARIABLE, Authority, Prompts, Question, Template, _digest
from bot.core.readings import (
    TOKEN_RE,
    CountedTerms,
    Library,
    Reading,
    TermStatistics,
    fold,
    plain_text,
    slugify,
    term,
    tokens,
)
from bot.core.sentences import format_sentence_span, split_sentences
from bot.core.sentences import sentences as paragraph_sentences

OPENING_LIMIT = 200  # characters of the opening claim before it is clipped
TERM_CANDIDATES = 5  # distinctive terms tried per excerpt
MIN_TERM_LENGTH = 5  # shorter words ("free", "path") are rarely key terms

# Function words and the connective words of argument: never a "distinctive term".
_STOP_WORDS = """
    a about above according across actually after again against ago all almost alone along
    already also although always among an and another any anybody anyone anything anyway are
    aren around as at away back be became because become becomes been before behind being below
    besides best better between beyond both brief briefly but by came can cannot can't certain
    certainly clearly come comes could couldn did didn does doesn doing done don't down due
    during each either else elsewhere end enough especially etc even ever every everybody
    everyone everything exactly example far few first following for former forth four from
    further furthermore get gets getting give given gives go goes going gone got had has have
    having he her here hers herself him himself his how however i if in indeed instead into is
    isn it its it's itself just keep kept know known last later least less let like likely
    little long made make makes making many may maybe me meanwhile might more moreover most
    mostly much must my myself namely near nearly need needed needs neither never nevertheless
    new next no nobody none nor not nothing now of off often on once one ones only onto or other
    others otherwise ought our ours ourselves out over own per perhaps put quite rather really
    said same say says second see seem seemed seems seen several shall she should simply since
    so some somehow someone something sometimes somewhat soon still such sure take taken than
    that that's the their theirs them themselves then there thereby therefore these they thing
    things third this those though three through thus to together too took toward towards
    truly two under unless until up upon us use used uses using very via was wasn way ways we
    well went were what whatever when whenever where whereas whether which while who whoever
    whole whom whose why will with within without won't would yes yet you your yours yourself
    argue argued argues argument arguments attempt attempts begin beginning began big bigger
    call called calls case cases claim claims clear course fact facts find form forms found
    great hand idea ideas important kind kinds level look looks mean means meant number order
    part parts picture point points possible question questions real reason right short show
    shown shows simple single sort tell term terms think thought time times today told true
    view want wanted wants word words year years
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def excerpt_values(
    reading: Reading,
    first: int,
    last: int,
    *,
    prompts: Prompts,
    library: Library,
    sentences: tuple[int, int] | None = None,
) -> dict[str, list[str]]:
    """What each placeholder can be filled with for this excerpt (paragraphs ``first`` to
    ``last``, or sentences ``sentences`` of paragraph ``first``), best first (may be empty)."""
    if sentences is None:
        text = " ".join(p.plain for p in reading.span(first, last))
        citation = format_citation(reading.slug, first, last)
    else:
        piece = paragraph_sentences(reading.paragraph(first))[sentences[0] - 1 : sentences[1]]
        text = plain_text(" ".join(piece))
        span = format_sentence_span(first, sentences[0], last, sentences[1])
        citation = f"{reading.slug} §{span}"
    return {
        "term": distinctive_terms(text, library, prompts.authorities)[:TERM_CANDIDATES],
        "authority": authorities_in(text, prompts.authorities),
        "opening": [opening] if (opening := opening_claim(text)) else [],
        "citation": [citation],
        "title": [reading.title],
    }


def _filled(
    reading: Reading,
    templates: Sequence[Template],
    values: Mapping[str, list[str]],
    count: int,
    taken: set[str],
) -> list[Question]:
    uses = Counter(question_id.split("=", 1)[0] for question_id in taken)
    rounds: dict[str, int] = {}
    ranked = []
    for index, template in enumerate(templates):
        group = next((p for p in template.placeholders if p in VARIABLE), "")
        rounds[group] = rounds.get(group, -1) + 1
        # Least used in the plan first, so posts rotate through the templates; then one of
        # each placeholder kind in turn, so a post mixes a term, an authority, an opening ...
        ranked.append((uses[template.id], rounds[group], index, template))
    ranked.sort(key=lambda r: r[:3])
    chosen: list[Question] = []
    in_post: dict[str, set[str]] = {name: set() for name in VARIABLE}
    done: set[str] = set()
    # First pass: no two questions share a term, authority or opening; second: they may.
    for strict in (True, False):
        for *_, template in ranked:
            if len(chosen) == count:
                return chosen
            if template.id in done:
                continue
            found = _fill(reading, template, values, taken, in_post if strict else None)
            if found is not None:
                question, filling = found
                chosen.append(question)
                taken.add(question.id)
                done.add(template.id)
                for name, value in filling.items():
                    if name in in_post:
                        in_post[name].add(fold(value))
    return chosen


def _fill(
    reading: Reading,
    template: Template,
    values: Mapping[str, list[str]],
    taken: Set[str],
    in_post: Mapping[str, set[str]] | None,
) -> tuple[Question, dict[str, str]] | None:
    names = template.placeholders
    for combination in itertools.product(*(values[name] for name in names)):
        filling = dict(zip(names, combination, strict=True))
        if in_post is not None and any(
            fold(filling[name]) in in_post[name] for name in names if name in VARIABLE
        ):
            continue
        parts = [_id_part(filling[name]) for name in names]
        question_id = f"{template.id}={'+'.join(parts)}" if parts else template.id
        if question_id in taken:
            continue
        text = template.fill(filling)
        question = Question(
            question_id, text, template.kind, reading.slug, (), template.path, template.line
        )
        return question, filling
    return None


def _id_part(value: str) -> str:
    slug = slugify(value)
    if len(slug) <= 40:
        return slug or _digest(value)
    return f"{slug[:30]}-{_digest(value)}"


# --- reading an excerpt ------------------------------------------------------------------------


def opening_claim(text: str, limit: int = OPENING_LIMIT) -> str:
    """The excerpt's opening claim: its first sentence that states rather than asks.

    A leading question ("What is proletarian internationalism?") is skipped when one of the next
    two sentences makes a statement; the result is clipped to ``limit`` characters at a word.
    """
    sentences = split_sentences(" ".join(text.split()))
    if not sentences:
        return ""
    for sentence in sentences[:3]:
        if not sentence.rstrip("\"'”’)]").endswith("?") and len(sentence.split()) >= 4:
            return clip(sentence, limit)
    return clip(sentences[0], limit)


def authorities_in(text: str, authorities: Iterable[Authority]) -> list[str]:
    """Names of ``authorities`` mentioned in ``text`` (whole words, any case): most mentioned
    first, then in order of first mention."""
    found = []
    for authority in authorities:
        matches = list(authority.pattern.finditer(text))
        if matches:
            found.append((-len(matches), matches[0].start(), authority.name))
    return [name for *_, name in sorted(found)]


def distinctive_terms(
    text: str, library: Library, authorities: Iterable[Authority] = ()
) -> list[str]:
    """Words of ``text`` ranked by TF-IDF against the library's paragraphs, best first.

    Stop words, words under five letters, names (words ``text`` only writes capitalised, like
    "Trade" in "World Trade Organization") and the authorities' names are left out; words that
    occur twice or more in ``text`` rank before words that occur once. Words are in lower case.
    """
    names = {term(w) for a in authorities for n in a.names for w in TOKEN_RE.findall(n)}
    counts: Counter[str] = Counter()
    lowercase: set[str] = set()
    for token in tokens(text):
        key = term(token)
        if len(key) < MIN_TERM_LENGTH or key in STOP_WORDS or key in names or "'" in key:
            continue
        counts[key] += 1
        if token == key:
            lowercase.add(key)
    candidates = [key for key in counts if key in lowercase]
    stats = library.terms or _counted(library)
    documents = stats.paragraphs
    frequency = stats.frequencies(candidates)  # only these: the index sums a few dozen rows

    def rank(key: str) -> tuple[bool, float, str]:
        # Sublinear term frequency, so a word used often everywhere cannot outweigh a rarer word
        # that this excerpt is about.
        idf = math.log((documents + 1) / (frequency[key] + 1))
        return counts[key] < 2, -(1 + math.log(counts[key])) * idf, key

    return sorted(candidates, key=rank)


@functools.lru_cache(maxsize=2)  # the library in use, and the one a reload replaces
def _counted(library: Library) -> TermStatistics:
    """A library parsed from files counts its terms in memory, once."""
    return CountedTerms(library)
