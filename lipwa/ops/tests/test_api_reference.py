"""docs/api-reference.md is generated from the OpenAPI document and must match the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "gen_api_reference.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_api_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_api_reference_is_up_to_date():
    generator = _generator()
    expected = generator.render(generator.openapi_schema())
    assert generator.OUTPUT.read_text() == expected, (
        "docs/api-reference.md is stale: run .venv/bin/python scripts/gen_api_reference.py")


def test_the_reference_is_deterministic_and_covers_every_operation():
    generator = _generator()
    schema = generator.openapi_schema()
    first = generator.render(schema)
    assert generator.render(generator.openapi_schema()) == first
    for path, item in schema["paths"].items():
        for method in item:
            if method in generator.METHODS:
                assert f"### {method.upper()} `{path}`" in first
    for name in schema["components"]["schemas"]:
        assert f"### {name}\n" in first
