"""The spec as the generator reads it (``scripts/apigen``), so tests and generator agree."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from apigen import sources
from apigen.diff import compare
from apigen.model import ApiSpec

SPEC_DIR = ROOT / "spec"
CURRENT: ApiSpec = sources.newest(SPEC_DIR)

__all__ = ["CURRENT", "SPEC_DIR", "ApiSpec", "compare", "sources"]
