"""The reference integrations use lipwa only through its SDK and webhooks, and each stands alone: no example
imports `lipwa` (only `lipwa_sdk`) or another example's code, and each has a README, a manage.py and migrations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import EXAMPLES_DIR

EXAMPLES = ["insurer", "dusangire", "pola", "feexpay_shop", "kali_safaris"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_every_example_is_listed_and_nothing_else_is_there():
    found = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    assert found == sorted(EXAMPLES)
    listing = (EXAMPLES_DIR / "README.md").read_text()
    assert all(f"({name}/)" in listing for name in EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_uses_only_the_sdk(name):
    root = EXAMPLES_DIR / name
    own_packages = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    others = {p.name for other in EXAMPLES if other != name for p in (EXAMPLES_DIR / other).iterdir()
              if (p / "__init__.py").exists()} - own_packages
    for path in root.rglob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top != "lipwa", f"{path} imports {module}: examples reach lipwa through lipwa_sdk only"
            assert top not in others, f"{path} imports {module} from another example"
    assert (root / "README.md").exists() and (root / "manage.py").exists()
    assert list(root.glob("*/migrations/0001_initial.py"))
