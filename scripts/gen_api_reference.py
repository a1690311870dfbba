#!/usr/bin/env python
"""Generate docs/api-reference.md from the API's OpenAPI document (the one served at /v1/openapi.json).

    .venv/bin/python scripts/gen_api_reference.py          # rewrite docs/api-reference.md
    .venv/bin/python scripts/gen_api_reference.py --check  # exit 1 if the committed file is stale

The output depends on the OpenAPI document only (no dates, no environment), so a test can insist that the
committed reference matches the code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "api-reference.md"
METHODS = ("get", "post", "put", "patch", "delete")


def openapi_schema() -> dict:
    """The OpenAPI document, with every connector enabled whatever this shell's environment says."""
    sys.path.insert(0, str(ROOT))
    os.environ.pop("LIPWA_ENABLED_CONNECTORS", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from lipwa.api.v1.api import api

    # A JSON round trip turns lazy strings and tuples into plain values.
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/v1/"), default=str))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict) -> str:
    """A short human type: `string`, `integer`, `PaymentOut`, `array of RefundOut`, `"a" | "b"`, …"""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return " \\| ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    for combiner in ("anyOf", "oneOf", "allOf"):
        if combiner in schema:
            parts = [type_of(part) for part in schema[combiner] if part.get("type") != "null"]
            nullable = any(part.get("type") == "null" for part in schema[combiner])
            text = " or ".join(dict.fromkeys(parts)) or "any"
            return f"{text} (nullable)" if nullable else text
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"object of {type_of(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _cell(text: object) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _constraints(schema: dict) -> str:
    notes = []
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "min length"),
                       ("maxLength", "max length"), ("pattern", "pattern")):
        if key in schema:
            notes.append(f"{label} `{schema[key]}`" if key == "pattern" else f"{label} {schema[key]}")
    if "default" in schema and schema["default"] is not None:
        notes.append(f"default `{json.dumps(schema['default'])}`")
    return "; ".join(notes)


def _fields_table(schema: dict) -> list[str]:
    properties = schema.get("properties", {})
    if not properties:
        return ["(no fields)", ""]
    required = set(schema.get("required", []))
    lines = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, field in properties.items():
        description = " ".join(filter(None, [field.get("description") or field.get("title", ""),
                                             _constraints(field)]))
        lines.append(f"| `{name}` | {_cell(type_of(field))} | {'yes' if name in required else 'no'} | "
                     f"{_cell(description)} |")
    return [*lines, ""]


def _operation(path: str, method: str, operation: dict) -> list[str]:
    lines = [f"### {method.upper()} `{path}`", ""]
    if operation.get("summary"):
        lines += [operation["summary"] + ".", ""] if not operation["summary"].endswith(".") else \
            [operation["summary"], ""]
    if operation.get("description"):
        lines += [operation["description"].strip(), ""]
    if not operation.get("security"):
        lines += ["No authentication.", ""]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for parameter in parameters:
            lines.append(f"| `{parameter['name']}` | {parameter['in']} | {_cell(type_of(parameter.get('schema', {})))}"
                         f" | {'yes' if parameter.get('required') else 'no'} | "
                         f"{_cell(parameter.get('description', ''))} |")
        lines.append("")
    body = operation.get("requestBody", {}).get("content", {})
    for content_type, content in body.items():
        lines += [f"Request body ({content_type}): {type_of(content.get('schema', {}))}", ""]
    responses = operation.get("responses", {})
    if responses:
        lines += ["| status | meaning | body |", "|---|---|---|"]
        for status, response in responses.items():
            content = response.get("content", {})
            schema = next(iter(content.values()), {}).get("schema", {}) if content else {}
            lines.append(f"| {status} | {_cell(response.get('description', ''))} | "
                         f"{_cell(type_of(schema)) if content else '—'} |")
        lines.append("")
    return lines


def render(schema: dict) -> str:
    info = schema.get("info", {})
    lines = [
        "# API reference",
        "",
        "<!-- Generated by scripts/gen_api_reference.py from the OpenAPI document; do not edit by hand. -->",
        "",
        f"{info.get('title', 'lipwa API')} (version {info.get('version', '?')}). {info.get('description', '')}",
        "",
        "Every endpoint under `/v1/` needs `Authorization: Bearer sk_test_…` (test mode) or `sk_live_…` (live "
        "mode) unless it says otherwise. Writes accept an `Idempotency-Key` header. Errors always have the shape "
        "of [ErrorOut](#errorout). The live document is served at `/v1/openapi.json` and browsable at `/v1/docs`.",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, item[method]))
    lines += ["## Endpoints", ""]
    for tag, operations in by_tag.items():
        lines += [f"- **{tag}**: " + ", ".join(f"`{m.upper()} {p}`" for p, m, _ in operations)]
    lines.append("")
    for tag, operations in by_tag.items():
        lines += [f"## {tag}", ""]
        for path, method, operation in operations:
            lines += _operation(path, method, operation)
    lines += ["## Schemas", ""]
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        lines += [f"### {name}", ""]
        if component.get("description"):
            lines += [component["description"].strip(), ""]
        if "enum" in component:
            lines += [f"One of {type_of(component)}.", ""]
        else:
            lines += _fields_table(component)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api-reference.md is stale")
    args = parser.parse_args(argv)
    text = render(openapi_schema())
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run .venv/bin/python scripts/gen_api_reference.py",
                  file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
