"""Validation of request bodies and query strings against Discord's OpenAPI description.

``openapi.json`` beside this file is Discord's published description of its HTTP API
(github.com/discord/discord-api-spec, MIT licence: see ``openapi.LICENSE``). It is loaded once
per process; each (method, route) gets a cached JSON Schema 2020-12 validator whose ``$ref`` s
resolve inside the document.
"""

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fakediscord.errors import FormErrors

SPEC_PATH = Path(__file__).with_name("openapi.json")
_URI = "urn:discord-openapi"
_MAX_REPORTED = 20


def _pointer(*parts: str | int) -> str:
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class OpenApi:
    """Discord's OpenAPI document with validators for the routes the fake implements."""

    def __init__(self, spec: dict[str, Any]) -> None:
        # Discord accepts a snowflake as a JSON integer as well as a string (discord.py sends
        # ``recipient_id`` and message ids as ints); the spec only describes the string form.
        schemas = spec["components"]["schemas"]
        schemas["SnowflakeType"] = {
            "anyOf": [dict(schemas["SnowflakeType"]), {"type": "integer", "minimum": 0}]
        }
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)

    @functools.cache  # noqa: B019 - one instance per process (see load_spec)
    def _validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{_URI}#/{pointer}"}, registry=self._registry)

    def operation(self, method: str, template: str) -> Mapping[str, Any] | None:
        """The spec's operation object for ``method template``, if the spec describes it."""
        item = self.spec["paths"].get(template)
        if item is None:
            return None
        op: Mapping[str, Any] | None = item.get(method.lower())
        return op

    def validate_body(self, method: str, template: str, body: Any, errors: FormErrors) -> None:
        """Validates a JSON body (or a multipart request's ``payload_json``).

        Args:
            method: HTTP method.
            template: the spec's path template, e.g. ``/channels/{channel_id}/messages``.
            body: the decoded JSON body.
            errors: where schema errors are added, in Discord's error shape.
        """
        op = self.operation(method, template)
        if op is None or "requestBody" not in op:
            return
        if "application/json" not in op["requestBody"].get("content", {}):
            return
        pointer = _pointer(
            "paths",
            template,
            method.lower(),
            "requestBody",
            "content",
            "application/json",
            "schema",
        )
        _report(self._validator(pointer).iter_errors(body), errors, ())

    def validate_query(
        self, method: str, template: str, query: Mapping[str, str], errors: FormErrors
    ) -> None:
        """Validates query parameters the spec declares (coercing their string values)."""
        op = self.operation(method, template)
        if op is None:
            return
        declared: list[tuple[str, Mapping[str, Any]]] = []
        for i, param in enumerate(op.get("parameters", [])):
            declared.append((_pointer("paths", template, method.lower(), "parameters", i), param))
        for i, param in enumerate(self.spec["paths"][template].get("parameters", [])):
            declared.append((_pointer("paths", template, "parameters", i), param))
        for pointer, param in declared:
            name = str(param.get("name"))
            if param.get("in") != "query" or name not in query:
                continue
            schema = self._resolve(param.get("schema", {}))
            value = _coerce(query[name], schema)
            validator = self._validator(f"{pointer}/schema")
            _report(validator.iter_errors(value), errors, (name,))

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "integer" in kinds:
        try:
            return int(raw)
        except ValueError:
            return raw
    if "boolean" in kinds:
        lowered = raw.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    return raw


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors to report for ``error``; for a union (anyOf/oneOf), those of its best branch.

    Discord's unions are discriminated by a ``type`` field: the branch whose ``type`` matched
    is the one the sender meant; among the others, the one failing deepest came closest.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        key = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(key, []).append(sub)
    if not branches:
        return [best_match([error]) or error]
    chosen = max(branches.values(), key=_branch_fit)
    return [leaf for sub in chosen for leaf in _leaves(sub)]


def _branch_fit(errors: list[ValidationError]) -> tuple[bool, int, int]:
    discriminator_failed = any(
        e.validator in ("const", "enum") and list(e.absolute_path)[-1:] == ["type"] for e in errors
    )
    return (not discriminator_failed, min(len(e.absolute_path) for e in errors), -len(errors))


def _report(found: Iterable[ValidationError], errors: FormErrors, prefix: tuple[str, ...]) -> None:
    leaves = [leaf for error in found for leaf in _leaves(error)]
    for error in leaves[:_MAX_REPORTED]:
        path = (*prefix, *error.absolute_path)
        code, message = _describe(error)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            for key in error.validator_value:
                if key not in instance:
                    errors.add((*path, key), code, message)
            continue
        errors.add(path, code, message)


def _describe(error: ValidationError) -> tuple[str, str]:
    kind, limit = error.validator, error.validator_value
    if kind in ("maxLength", "maxItems"):
        return "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
    if kind in ("minLength", "minItems"):
        return "BASE_TYPE_MIN_LENGTH", f"Must be {limit} or more in length."
    if kind == "required":
        return "BASE_TYPE_REQUIRED", "This field is required"
    if kind in ("enum", "const"):
        return "BASE_TYPE_CHOICES", f"Value must be one of {limit!r}."
    if kind == "maximum":
        return "NUMBER_TYPE_MAX", f"int value should be <= {limit}."
    if kind == "minimum":
        return "NUMBER_TYPE_MIN", f"int value should be >= {limit}."
    return f"SCHEMA_{str(kind).upper()}", error.message[:300]


@functools.cache
def load_spec() -> OpenApi:
    """The OpenAPI document, loaded once per process."""
    with SPEC_PATH.open(encoding="utf-8") as f:
        return OpenApi(json.load(f))
