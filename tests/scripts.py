"""The project's scripts (scripts/*.py) as modules, for tests of their parts.

They are scripts, not a package, so they are loaded from their files; once
per run, and registered in ``sys.modules`` (dataclasses look their module
up there). A script imports its siblings (``import apps``) as it does when
run, so scripts/ is on ``sys.path``."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@cache
def script(name: str) -> ModuleType:
    """``script("demo")`` is scripts/demo.py."""
    if str(SCRIPTS) not in sys.path:
        sys.path.append(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
