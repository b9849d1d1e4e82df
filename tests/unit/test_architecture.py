"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from console.store.db import Database
from console.store.migrate import HEAD_REVISION, head_revision, include_object
from console.store.models import Base

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_CONSOLE = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_console_never_imports_qt_or_ui() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & set(FORBIDDEN_IN_CONSOLE))
        for p in (ROOT / "console").rglob("*.py")
        if _imports(p) & set(FORBIDDEN_IN_CONSOLE)
    }
    assert offenders == {}


def _lint_imports(*config: Path) -> subprocess.CompletedProcess[str]:
    """Runs import-linter (the venv's ``lint-imports``) on the contracts in ``config``."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo",
               *map(str, config)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # it imports the root packages to find them
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_layer_contracts_hold() -> None:
    """pyproject.toml's [tool.importlinter]: console under ui, store under services, tools on top."""
    done = _lint_imports(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_broken_contract_fails_the_check(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text(BROKEN_CONTRACT, encoding="utf-8")
    done = _lint_imports(config)
    assert done.returncode != 0
    assert "ui is not allowed to import console" in done.stdout


BROKEN_CONTRACT = """
[tool.importlinter]
root_packages = ["console", "ui"]

[[tool.importlinter.contracts]]
name = "ui never imports console (false: it must)"
type = "forbidden"
source_modules = ["ui"]
forbidden_modules = ["console"]
"""


def test_console_runs_without_qt_loaded() -> None:
    code = ("import sys, console.app, console.cli.main, console.cli.commands, "
            "console.cli.db_commands; print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_head_revision_constant_matches_alembic() -> None:
    assert head_revision() == HEAD_REVISION


def test_migrations_match_the_models(db: Database) -> None:
    from console.store.migrate import upgrade

    upgrade(db)
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                     "compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


# The one door: ui/ reaches the services only through console.security.guard.Door.
RAW_MODULES = ("console.app", "console.store")
RAW_NAMES_FROM_APP = {"Services", "build_services", "open_services"}


def _runtime_imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names) imported by ``path`` outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                   for n in ast.walk(node)}
    found: list[tuple[str, set[str]]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, set()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, {alias.name for alias in node.names}))
    return found


def _raw(module: str, names: set[str]) -> bool:
    if module == "console.app":
        return bool(names & RAW_NAMES_FROM_APP) or not names
    if module.startswith("console.store"):
        return True
    return module.startswith("console.services") and any(n.endswith("Service") for n in names)


def test_ui_never_imports_the_raw_services() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m, names in _runtime_imports(p) if _raw(m, names))
        for p in (ROOT / "ui").rglob("*.py")
        if any(_raw(m, names) for m, names in _runtime_imports(p))
    }
    assert offenders == {}


def test_the_raw_import_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from typing import TYPE_CHECKING\n"
                      "from console.app import Services\n"
                      "from console.services.inbox import InboxService, new_idempotency_key\n"
                      "from console.services.inbox_query import InboxFilter\n"
                      "if TYPE_CHECKING:\n    from console.store.db import Database\n",
                      encoding="utf-8")
    raw = [m for m, names in _runtime_imports(sample) if _raw(m, names)]
    assert raw == ["console.app", "console.services.inbox"]
