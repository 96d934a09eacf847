"""Discussion questions: anchored questions per reading, and templates filled from an excerpt.

``prompts/<slug>.yaml`` (the file is named after a reading's slug or one of its aliases) anchors
questions to paragraphs::

    questions:
      - at: 12                 # or at: [3, 7]
        kind: critique         # comprehension, interpretation, critique or connection
        text: >-
          Where is the argument of this paragraph weakest?

``prompts/general.yaml`` holds the names of authorities to recognise in an excerpt and templates
for when no anchored question remains (placeholders in :data:`PLACEHOLDERS`)::

    authorities: [Marx, Engels, {name: Mao Zedong, also: [Mao]}]
    templates:
      - kind: interpretation
        text: What work does the word “{term}” do in {citation}?

A question with several anchors is due in the excerpt that holds the last of them, so members
have read every paragraph it refers to. Everything here is pure and deterministic: the same
prompts, library, excerpt and ``used`` ids give the same questions.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.citations import format_citation
from bot.core.errors import ContentError
from bot.core.pages import clip
from bot.core.readings import Library, LibraryError, Reading, closest, fold, plain_text, slugify
from bot.core.sentences import format_sentence_span, split_sentences
from bot.core.sentences import sentences as paragraph_sentences
from bot.core.yamlfile import Builder, compose

KINDS = ("comprehension", "interpretation", "critique", "connection")

#: Placeholders a template may use -> what they are filled with.
PLACEHOLDERS: Mapping[str, str] = {
    "term": "a word distinctive to the excerpt, compared with the rest of the library",
    "authority": "an authority named in the excerpt (from the list in general.yaml)",
    "opening": "the excerpt's opening claim: its first sentence, clipped",
    "citation": "the excerpt's citation, e.g. against-soic §3-4",
    "title": "the reading's title",
}
# Placeholders whose value varies within one reading: two questions of a post should not share
# one. The others are the same for every template filled from the same excerpt.
VARIABLE = ("term", "authority", "opening")

GENERAL_FILE = "general.yaml"
FILE_KEYS: Mapping[str, str] = {"questions": "the list of questions"}
QUESTION_KEYS: Mapping[str, str] = {
    "at": "the paragraph(s) the question is about: 12 or [3, 7]",
    "kind": "comprehension, interpretation, critique or connection",
    "text": "the question",
}
GENERAL_KEYS: Mapping[str, str] = {
    "authorities": "names to recognise in an excerpt",
    "templates": "questions with placeholders",
}
TEMPLATE_KEYS: Mapping[str, str] = {"kind": QUESTION_KEYS["kind"], "text": "the template"}
AUTHORITY_KEYS: Mapping[str, str] = {"name": "how questions name them", "also": "other spellings"}

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

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(r"'s$", re.IGNORECASE)
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class Question:
    """A discussion question: anchored (from a reading's prompt file) or a filled template.

    Attributes:
        id: stable across restarts and edits elsewhere in the file; record it to avoid repeats.
        text: what members see.
        kind: comprehension, interpretation, critique, connection, or None when not given.
        reading: the slug of the reading it belongs to.
        anchors: paragraph numbers it is about, ascending; empty for a filled template.
        path, line: where it was written, for messages and previews.
    """

    id: str
    text: str
    kind: str | None
    reading: str
    anchors: tuple[int, ...]
    path: str
    line: int

    @property
    def due(self) -> int:
        """The paragraph whose excerpt asks it: the last anchor (0 for a filled template)."""
        return self.anchors[-1] if self.anchors else 0


@dataclass(frozen=True, slots=True)
class Template:
    """A question with placeholders, from ``general.yaml``."""

    id: str
    text: str
    kind: str | None
    placeholders: tuple[str, ...]
    path: str
    line: int

    def fill(self, values: Mapping[str, str]) -> str:
        """The text with each placeholder replaced by ``values[name]``."""
        return self.text.format_map(values)


@dataclass(frozen=True, slots=True)
class Authority:
    """A name to recognise in an excerpt: ``name`` is shown, any of ``names`` matches."""

    name: str
    names: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        """Any of ``names`` as a whole word, in any case, with any spacing between words."""
        return _name_pattern(self.names)


@functools.lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "Mao Zedong" is one mention rather than "Mao" plus a stray word.
    spellings = sorted(names, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in spellings)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Prompts:
    """Every anchored question (grouped by reading, in file order), template and authority."""

    questions: tuple[Question, ...] = ()
    templates: tuple[Template, ...] = ()
    authorities: tuple[Authority, ...] = ()

    def for_reading(self, slug: str) -> tuple[Question, ...]:
        """The anchored questions of reading ``slug``, in file order."""
        return tuple(q for q in self.questions if q.reading == slug)

    def question(self, question_id: str) -> Question | None:
        """The anchored question with this id, if it still exists."""
        return next((q for q in self.questions if q.id == question_id), None)


# --- loading -----------------------------------------------------------------------------------


def load_prompts(directory: Path, library: Library) -> Prompts:
    """Load ``<slug>.yaml`` for readings and ``general.yaml`` from ``directory``.

    A reading without a prompt file is fine (templates serve it), and so is a missing
    ``general.yaml`` (then only anchored questions are asked).

    Raises:
        LibraryError: every problem in every file, each with its file and line.
    """
    if not directory.is_dir():
        raise LibraryError(
            [
                ContentError(
                    str(directory),
                    None,
                    "prompts directory not found: create it or set PROMPTS_DIR to the folder "
                    "that holds your prompts/<slug>.yaml files",
                )
            ]
        )
    names: dict[str, Reading] = {}
    for each in library:
        names.setdefault(each.slug, each)
        for alias in each.aliases:
            names.setdefault(alias, each)
    errors: list[ContentError] = []
    questions: list[Question] = []
    templates: tuple[Template, ...] = ()
    authorities: tuple[Authority, ...] = ()
    owners: dict[str, Path] = {}
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    for path in files:
        if path.stem == Path(GENERAL_FILE).stem:
            general = _File.open(path, errors)
            if general is not None:
                templates, authorities = general.general()
            continue
        reading = names.get(path.stem)
        if reading is None:
            hint = closest(path.stem, list(names), "readings")
            errors.append(
                ContentError(
                    str(path),
                    None,
                    f"no reading {path.stem!r} in the library{hint} (a prompt file is named "
                    f"after a reading's slug or alias, e.g. {directory / 'against-soic.yaml'})",
                )
            )
            continue
        if reading.slug in owners:
            errors.append(
                ContentError(
                    str(path),
                    None,
                    f"{owners[reading.slug]} already holds the questions for {reading.slug!r}: "
                    "merge the two files into one",
                )
            )
            continue
        owners[reading.slug] = path
        prompt_file = _File.open(path, errors)
        if prompt_file is not None:
            questions.extend(prompt_file.questions(reading))
    errors.extend(_duplicates(questions, templates))
    if errors:
        raise LibraryError(errors)
    order = {reading.slug: index for index, reading in enumerate(library)}
    questions.sort(key=lambda q: order[q.reading])  # stable: file order within a reading
    return Prompts(tuple(questions), templates, authorities)


class _File:
    """One YAML file being checked: its node tree, and the errors found so far."""

    def __init__(self, path: Path, root: yaml.Node, errors: list[ContentError]) -> None:
        self.path = str(path)
        self.root = root
        self.errors = errors
        self._builder = Builder("")

    @classmethod
    def open(cls, path: Path, errors: list[ContentError]) -> _File | None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            errors.append(ContentError(str(path), None, f"not UTF-8 text ({exc.reason})"))
            return None
        try:
            root = compose(text, str(path))
        except ContentError as exc:
            errors.append(exc)
            return None
        if root is None:
            errors.append(ContentError(str(path), None, "the file is empty"))
            return None
        return cls(path, root, errors)

    def error(self, node: yaml.Node, message: str) -> None:
        self.errors.append(ContentError(self.path, node.start_mark.line + 1, message))

    def value(self, node: yaml.Node) -> Any:
        return self._builder.construct_object(node, deep=True)

    def mapping(
        self, node: yaml.Node, keys: Mapping[str, str], what: str
    ) -> dict[str, yaml.Node] | None:
        """The keys of a mapping node with their value nodes; unknown keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            example = next(iter(keys))
            self.error(node, f"{what} must be 'key: value' lines, e.g. '{example}: ...'")
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(self.value(key_node))
            if key in found:
                self.error(key_node, f"{key!r} is given twice in this {what}: keep one")
            elif key not in keys:
                self.error(key_node, f"unknown key {key!r} in this {what}{closest(key, keys)}")
            else:
                found[key] = value_node
        return found

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.error(node, f"{what} must be a list: one '- ...' item per line")
        return []

    def text(self, node: yaml.Node | None, parent: yaml.Node, what: str) -> str | None:
        value = None if node is None else self.value(node)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(node or parent, f"missing text: add 'text: ...' with the {what}")
            return None
        if not isinstance(value, str):
            self.error(node or parent, f"text must be words, not {type(value).__name__}")
            return None
        return " ".join(value.split())

    def kind(self, node: yaml.Node | None) -> str | None:
        if node is None:
            return None
        value = self.value(node)
        if value not in KINDS:
            hint = closest(str(value), KINDS, "kinds")
            self.error(node, f"kind {value!r} is not one of {', '.join(KINDS)}{hint}")
            return None
        return str(value)

    def questions(self, reading: Reading) -> list[Question]:
        reported = len(self.errors)
        top = self.mapping(self.root, FILE_KEYS, "file")
        if top is None:
            return []
        if "questions" not in top:
            if len(self.errors) == reported:  # else a misspelt key was named already
                self.error(self.root, "missing 'questions:': list the questions under it")
            return []
        found = []
        for item in self.sequence(top["questions"], "questions"):
            fields = self.mapping(item, QUESTION_KEYS, "question")
            if fields is None:
                continue
            text = self.text(fields.get("text"), item, "question")
            kind = self.kind(fields.get("kind"))
            anchors = self.anchors(fields.get("at"), item, reading)
            if text is None or anchors is None or (kind is None and "kind" in fields):
                continue
            question_id = f"{reading.slug}:{_digest(text)}"
            line = item.start_mark.line + 1
            found.append(Question(question_id, text, kind, reading.slug, anchors, self.path, line))
        return found

    def anchors(
        self, node: yaml.Node | None, parent: yaml.Node, reading: Reading
    ) -> tuple[int, ...] | None:
        if node is None:
            self.error(parent, "missing 'at': add the paragraph it is about, e.g. 'at: 12'")
            return None
        value = self.value(node)
        items = value if isinstance(value, list) else [value]
        count = len(reading.paragraphs)
        if not items or not all(isinstance(n, int) and not isinstance(n, bool) for n in items):
            self.error(
                node, f"at: {value!r} is not a paragraph number: write 'at: 12' or 'at: [3, 7]'"
            )
            return None
        wrong = [n for n in items if not 1 <= n <= count]
        if wrong:
            self.error(
                node,
                f"anchor §{wrong[0]} is out of range: {reading.slug} has paragraphs 1-{count}",
            )
            return None
        return tuple(sorted(set(items)))

    def general(self) -> tuple[tuple[Template, ...], tuple[Authority, ...]]:
        top = self.mapping(self.root, GENERAL_KEYS, "file")
        if top is None:
            return (), ()
        templates = []
        for item in self.sequence(top["templates"], "templates") if "templates" in top else []:
            fields = self.mapping(item, TEMPLATE_KEYS, "template")
            if fields is None:
                continue
            text = self.text(fields.get("text"), item, "template")
            kind = self.kind(fields.get("kind"))
            placeholders = self.placeholders(fields.get("text"), text)
            if text is None or placeholders is None or (kind is None and "kind" in fields):
                continue
            line = item.start_mark.line + 1
            templates.append(
                Template(f"general:{_digest(text)}", text, kind, placeholders, self.path, line)
            )
        authorities = []
        for item in (
            self.sequence(top["authorities"], "authorities") if "authorities" in top else []
        ):
            authority = self.authority(item)
            if authority is not None:
                authorities.append(authority)
        return tuple(templates), tuple(authorities)

    def placeholders(self, node: yaml.Node | None, text: str | None) -> tuple[str, ...] | None:
        if node is None or text is None:
            return None
        try:
            fields = [(name, spec, conv) for _, name, spec, conv in _FORMATTER.parse(text)]
        except ValueError:
            self.error(node, "a '{' or '}' is not closed: write {{ or }} for a literal brace")
            return None
        names: list[str] = []
        for name, spec, conversion in fields:
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                hint = closest(name, PLACEHOLDERS, "placeholders")
                self.error(node, f"unknown placeholder {{{name}}} in the template{hint}")
                return None
            if spec or conversion:
                self.error(node, f"write the placeholder as {{{name}}}, without ':' or '!'")
                return None
            if name not in names:
                names.append(name)
        return tuple(names)

    def authority(self, node: yaml.Node) -> Authority | None:
        if isinstance(node, yaml.ScalarNode):
            name = self.value(node)
            if isinstance(name, str) and name.strip():
                return Authority(name.strip(), (name.strip(),))
            self.error(node, "an authority is a name, e.g. '- Engels'")
            return None
        fields = self.mapping(node, AUTHORITY_KEYS, "authority")
        if fields is None:
            return None
        name = self.value(fields["name"]) if "name" in fields else None
        also = self.value(fields["also"]) if "also" in fields else []
        also = [also] if isinstance(also, str) else also
        if not isinstance(name, str) or not name.strip():
            self.error(
                node, "missing 'name': the name questions should use, e.g. 'name: Mao Zedong'"
            )
            return None
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            self.error(fields["also"], "'also' must be a list of names, e.g. [Mao, Chairman Mao]")
            return None
        return Authority(name.strip(), (name.strip(), *(a.strip() for a in also)))


def _duplicates(questions: Sequence[Question], templates: Sequence[Template]) -> list[ContentError]:
    seen: dict[str, tuple[str, int]] = {}
    errors = []
    items: list[Question | Template] = [*templates, *questions]
    for item in items:
        key = fold(item.text)
        if key in seen:
            path, line = seen[key]
            errors.append(
                ContentError(
                    item.path,
                    item.line,
                    f"duplicate question: the same text is at {path}:{line}; keep one",
                )
            )
        else:
            seen[key] = (item.path, item.line)
    return errors


def _digest(text: str) -> str:
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:10]


# --- choosing questions for an excerpt ---------------------------------------------------------


def questions_for(
    installment_slug: str,
    first: int,
    last: int,
    *,
    prompts: Prompts,
    library: Library,
    count: int,
    used: Set[str],
    sentences: tuple[int, int] | None = None,
) -> list[Question]:
    """The questions for the excerpt ``first``..``last`` of a reading (or its sentences
    ``sentences``, a piece of one paragraph).

    Anchored questions due in the excerpt and not in ``used`` come first, in paragraph order
    (when there are more than ``count``, the choice favours different kinds and paragraphs);
    then templates filled from the excerpt, each template at most once, until ``count``.

    Args:
        installment_slug: the reading's slug (or an alias).
        first, last: the excerpt's paragraphs, inclusive.
        prompts: from :func:`load_prompts`.
        library: the readings; distinctive terms are measured against all of it.
        count: how many questions the post carries.
        used: ids already asked in this plan; none of them is returned.
        sentences: for a piece of paragraph ``first``, its first and last sentence: templates
            are filled from those sentences (questions anchored to the paragraph are due in
            every piece of it).

    Raises:
        ValueError: the reading is not in the library.
    """
    reading = _reading(library, installment_slug)
    if count <= 0:
        return []
    chosen = _anchored(prompts.for_reading(reading.slug), first, last, count, used)
    if len(chosen) < count:
        taken = set(used) | {q.id for q in chosen}
        values = excerpt_values(
            reading, first, last, prompts=prompts, library=library, sentences=sentences
        )
        chosen += _filled(reading, prompts.templates, values, count - len(chosen), taken)
    return chosen


def _reading(library: Library, slug: str) -> Reading:
    for reading in library:
        if slug == reading.slug or slug in reading.aliases:
            return reading
    raise ValueError(f"no reading {slug!r} in the library")


def _anchored(
    questions: Sequence[Question], first: int, last: int, count: int, used: Set[str]
) -> list[Question]:
    due = [q for q in questions if first <= q.due <= last and q.id not in used]
    due.sort(key=lambda q: q.due)  # stable: file order within a paragraph
    if len(due) <= count:
        return due
    # More than fit: pick greedily for a new kind and a new paragraph, earliest first, so a post
    # is not three questions of one kind about the first paragraph of its excerpt.
    picked: list[int] = []
    kinds: set[str | None] = set()
    paragraphs: set[int] = set()
    while len(picked) < count:
        index = min(
            (i for i in range(len(due)) if i not in picked),
            key=lambda i: (-(due[i].kind not in kinds) - (due[i].due not in paragraphs), i),
        )
        picked.append(index)
        kinds.add(due[index].kind)
        paragraphs.add(due[index].due)
    return [due[i] for i in sorted(picked)]


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
    stats = _library_stats(library)
    names = {w.lower() for a in authorities for n in a.names for w in _TOKEN_RE.findall(n)}
    counts: Counter[str] = Counter()
    lowercase: set[str] = set()
    for token in _tokens(text):
        key = token.lower()
        if len(key) < MIN_TERM_LENGTH or key in STOP_WORDS or key in names or "'" in key:
            continue
        counts[key] += 1
        if token == key:
            lowercase.add(key)
    candidates = [key for key in counts if key in lowercase]

    def rank(key: str) -> tuple[bool, float, str]:
        # Sublinear term frequency, so a word used often everywhere cannot outweigh a rarer word
        # that this excerpt is about.
        idf = math.log((stats.documents + 1) / (stats.frequency[key] + 1))
        return counts[key] < 2, -(1 + math.log(counts[key])) * idf, key

    return sorted(candidates, key=rank)


def _tokens(text: str) -> Iterator[str]:
    """Words with apostrophes made straight and possessives removed ("Borochov’s" -> "Borochov")."""
    for match in _TOKEN_RE.finditer(text):
        yield _POSSESSIVE_RE.sub("", match.group(0).replace("’", "'"))


@dataclass(frozen=True)
class _Stats:
    documents: int
    frequency: Mapping[str, int]  # lowercase word -> paragraphs that contain it


@functools.lru_cache(maxsize=2)  # the library in use, and the one a reload replaces
def _library_stats(library: Library) -> _Stats:
    frequency: Counter[str] = Counter()
    documents = 0
    for reading in library:
        for paragraph in reading.paragraphs:
            documents += 1
            frequency.update({token.lower() for token in _tokens(paragraph.plain)})
    return _Stats(documents, frequency)
