"""Turn pydantic's JSON schema into self-contained, labelled pieces an Airflow ``Param`` can carry.

A ``Param`` holds one value's schema with no access to a shared ``$defs``, and the trigger form renders
``type: ["string", "null"]`` as an optional input but has no widget for ``anyOf``.

Airflow refuses a bad value with jsonschema's own text: ``Invalid input for param <name>: <message>``, then the
schema that failed and the value. It never reads a schema's ``title``, so the only place a refusal can name a
nested field in words is that printed schema: every property therefore carries a ``title`` in words, printed
first, and the noise pydantic adds (class names, class docstrings, ``default: null``) is dropped.
"""

from __future__ import annotations

import re
from typing import Any

_NULL = {"type": "null"}
_ANNOTATIONS = ("title", "description", "default")
_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z0-9])")


def param_schemas(model_schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One self-contained, labelled schema per property of a model's JSON schema (``by_alias=True``).

    Top-level properties keep the ``title`` and ``description`` their fields declare; nested properties are
    titled from their names ("addressLine1" -> "Address line 1") and keep a field's own ``description``.
    No schema has a ``default`` key, as it would clash with ``Param``'s own ``default`` argument.
    """
    properties = inline_refs(_without_class_annotations(model_schema))["properties"]
    return {name: _labelled(schema, schema["title"]) for name, schema in properties.items()}


def field_words(name: str) -> str:
    """A camelCase field name in words: "zipOrPostalCode" -> "Zip or postal code", "orgId" -> "Org ID"."""
    words = _WORD_START.sub(" ", name).lower().split()
    words = ["ID" if word == "id" else word for word in words]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Return ``schema`` with every local ``$ref`` replaced by its ``$defs`` entry, and ``$defs`` dropped.

    Keywords next to a ``$ref`` (pydantic puts a field's ``description`` there) win over the definition's own.
    The order models are not recursive, so plain substitution terminates.
    """
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = definitions[node["$ref"].rsplit("/", 1)[-1]]
            node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        resolved = {key: resolve(value) for key, value in node.items() if key != "$defs"}
        return _as_nullable_type(resolved)

    return resolve(schema)


def _as_nullable_type(node: dict[str, Any]) -> dict[str, Any]:
    """Rewrite ``anyOf: [X, {"type": "null"}]`` as X with ``type: [X.type, "null"]`` when X has one type."""
    options = node.get("anyOf")
    if not (isinstance(options, list) and len(options) == 2 and _NULL in options):
        return node
    (other,) = (option for option in options if option != _NULL)
    if not isinstance(other.get("type"), str):
        return node
    merged = {**other, **{key: value for key, value in node.items() if key != "anyOf"}}
    merged["type"] = [other["type"], "null"]
    if "enum" in merged:
        merged["enum"] = [*merged["enum"], None]
    return merged


def _without_class_annotations(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop the ``title`` (class name) and ``description`` (class docstring) of the model and each of its
    ``$defs``: developer text. Field-level titles and descriptions, next to a ``$ref``, are kept.
    """

    def bare(node: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in node.items() if key not in ("title", "description")}

    definitions = {name: bare(definition) for name, definition in schema.get("$defs", {}).items()}
    return {**bare(schema), **({"$defs": definitions} if definitions else {})}


def _labelled(node: Any, title: str | None) -> Any:
    """``node`` titled ``title`` (first, then its own description: jsonschema prints a schema in key order),
    its properties titled from their names and its list items "one of the <title>"; other annotations dropped.
    """
    if isinstance(node, list):
        return [_labelled(item, None) for item in node]
    if not isinstance(node, dict):
        return node
    labelled: dict[str, Any] = {}
    if title is not None:
        labelled["title"] = title
        if "description" in node:
            labelled["description"] = node["description"]
    for key, value in node.items():
        if key == "properties":
            labelled[key] = {name: _labelled(child, field_words(name)) for name, child in value.items()}
        elif key == "items" and title is not None:
            labelled[key] = _labelled(value, f"One of the {title[:1].lower()}{title[1:]}")
        elif key not in _ANNOTATIONS:
            labelled[key] = _labelled(value, None)
    return labelled
