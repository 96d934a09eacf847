"""Loading and validating ``prompts/``: every problem reported with its file and line."""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import ContentError
from bot.core.polls import PollError, proposition_text
from bot.core.questions.model import (
    KINDS,
    PLACEHOLDERS,
    Authority,
    FilePoll,
    Prompts,
    Question,
    Template,
    _digest,
)
from bot.core.readings import Library, LibraryError, Reading, closest, fold
from bot.core.yamlfile import Builder, compose

GENERAL_FILE = "general.yaml"
FILE_KEYS: Mapping[str, str] = {
    "questions": "the list of questions",
    "polls": "propositions members take a stance on",
}
QUESTION_KEYS: Mapping[str, str] = {
    "at": "the paragraph(s) the question is about: 12 or [3, 7]",
    "kind": "comprehension, interpretation, critique or connection",
    "text": "the question",
}
GENERAL_KEYS: Mapping[str, str] = {
    "authorities": "names to recognise in an excerpt",
    "templates": "questions with placeholders",
}
POLL_KEYS: Mapping[str, str] = {
    "at": "the paragraph whose installment asks it: 12",
    "text": "the proposition, e.g. 'Socialism in one country was unavoidable in 1924'",
}
TEMPLATE_KEYS: Mapping[str, str] = {"kind": QUESTION_KEYS["kind"], "text": "the template"}
AUTHORITY_KEYS: Mapping[str, str] = {"name": "how questions name them", "also": "other spellings"}

_FORMATTER = string.Formatter()


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
    polls: list[FilePoll] = []
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
            polls.extend(prompt_file.polls(reading))
    errors.extend(_duplicates(questions, templates))
    if errors:
        raise LibraryError(errors)
    order = {reading.slug: index for index, reading in enumerate(library)}
    questions.sort(key=lambda q: order[q.reading])  # stable: file order within a reading
    polls.sort(key=lambda p: order[p.reading])
    return Prompts(tuple(questions), templates, authorities, tuple(polls))


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

    @functools.cached_property
    def top(self) -> dict[str, yaml.Node] | None:
        """A reading's file: its top-level keys (checked once)."""
        return self.mapping(self.root, FILE_KEYS, "file")

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
        top = self.top
        if top is None:
            return []
        if "questions" not in top:
            if len(self.errors) == reported and "polls" not in top:  # else a misspelt key
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

    def polls(self, reading: Reading) -> list[FilePoll]:
        """The file's ``polls:``, each ``{at: 12, text: proposition}``."""
        top = self.top
        found = []
        for item in self.sequence(top["polls"], "polls") if top and "polls" in top else []:
            fields = self.mapping(item, POLL_KEYS, "poll")
            if fields is None:
                continue
            text = self.text(fields.get("text"), item, "proposition")
            anchors = self.anchors(fields.get("at"), item, reading)
            if text is None or anchors is None:
                continue
            if len(anchors) > 1:
                self.error(fields["at"], "a poll is asked once: give one paragraph, e.g. 'at: 12'")
                continue
            try:
                proposition = proposition_text(text)
            except PollError as exc:
                self.error(fields["text"], str(exc))
                continue
            line = item.start_mark.line + 1
            found.append(FilePoll(reading.slug, anchors[0], proposition, self.path, line))
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
