"""Turn pydantic's JSON schema into self-contained pieces an Airflow ``Param`` can carry.

A ``Param`` holds one value's schema with no access to a shared ``$defs``, and the trigger form renders
``type: ["string", "null"]`` as an optional input but has no widget for ``anyOf``.
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}


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


def without_annotations(node: Any) -> Any:
    """Drop ``title`` and ``description`` at every level: pydantic fills them from class docstrings and field
    names, which is developer text. Property *names* that happen to be "title" or "description" are kept.
    """
    if isinstance(node, list):
        return [without_annotations(item) for item in node]
    if not isinstance(node, dict):
        return node
    stripped = {}
    for key, value in node.items():
        if key == "properties":
            stripped[key] = {name: without_annotations(schema) for name, schema in value.items()}
        elif key not in ("title", "description"):
            stripped[key] = without_annotations(value)
    return stripped
