"""Loading an example of docs/examples/ (the textbook idioms the docs set
beside ours) afresh for each test: its module-level state and the environment
variables its classes read at import start clean."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
LoadExample = Callable[[str], ModuleType]


@pytest.fixture
def load_example(monkeypatch: pytest.MonkeyPatch) -> LoadExample:
    """``load_example("config_classes")`` or ``load_example("<package>/<name>")``."""

    def load(name: str) -> ModuleType:
        module_name = "docs_examples_" + name.replace("/", "_")
        spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)  # Flask finds its root path there
        spec.loader.exec_module(module)
        return module

    return load
