"""Shared fixtures of the modeling-file suite: model folders carrying our modeling files, reference cases.

Runs under each supported transformers version (scripts/python-envs.sh makes the virtualenvs). Expected
values come from the real lsg-converter 0.1.9 classes (fixtures/make_runtime_fixtures.py and
fixtures/make_modeling_fixtures.py), never from this code.
"""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List

# Before transformers is imported: no hub, and a module cache of this run only (transformers caches
# remote code by folder name, so two versions must never share one).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_MODULES_CACHE"] = tempfile.mkdtemp(prefix="lsg-modules-")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file

REPO = Path(__file__).resolve().parents[2]
MODELING = REPO / "modeling"
FIXTURES = REPO / "fixtures"
RELATIVE_IMPORT = re.compile(r"^\s*from\s+\.(\w+)\s+import", re.MULTILINE)

torch.set_num_threads(2)


def modeling_files(module: str) -> List[Path]:
    """The module's file and, recursively, every module it imports relatively (what a folder must carry)."""
    found: List[Path] = []
    pending = [module]
    while pending:
        name = pending.pop()
        path = MODELING / f"{name}.py"
        if path in found:
            continue
        found.append(path)
        pending.extend(RELATIVE_IMPORT.findall(path.read_text()))
    return found


def install_modeling_files(folder: Path, module: str) -> None:
    for path in modeling_files(module):
        shutil.copy(path, folder / path.name)


@pytest.fixture
def model_folder(tmp_path: Path):
    """Copies a fixture folder (relative to fixtures/) into a temp folder with our modeling files."""
    counter = iter(range(1000))

    def make(relative: str, module: str = "modeling_lsg_roberta", weights: str = None) -> Path:
        target = tmp_path / f"{Path(relative).name}-{next(counter)}"
        shutil.copytree(FIXTURES / relative, target)
        for stale in target.glob("modeling_lsg_*.py"):
            stale.unlink()
        if weights is not None:
            shutil.copy(FIXTURES / weights / "model.safetensors", target / "model.safetensors")
        install_modeling_files(target, module)
        return target
    return make


class Case:
    """One recorded reference case: tensors and metadata of a safetensors fixture."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.stem
        self.tensors: Dict[str, np.ndarray] = load_file(str(path))
        with safe_open(str(path), "np") as f:
            self.meta = f.metadata() or {}

    def tensor(self, key: str) -> torch.Tensor:
        return torch.from_numpy(self.tensors[key])

    def has(self, key: str) -> bool:
        return key in self.tensors

    def weights_absent_from_folder(self, model: torch.nn.Module) -> Dict[str, np.ndarray]:
        names = dict(model.named_parameters())
        return {k: v for k, v in self.tensors.items() if k in names}


def load_case(relative: str) -> Case:
    return Case(FIXTURES / relative)


def overlay(model: torch.nn.Module, tensors: Dict[str, np.ndarray]) -> None:
    """Copies recorded head weights (randomly initialised in the reference) into the model."""
    state = model.state_dict()
    with torch.no_grad():
        for key, value in tensors.items():
            if key in state:
                state[key].copy_(torch.from_numpy(value))


class RecordedRandn:
    """Replays recorded torch.randn draws (the reference's lsh projections), in call order."""

    def __init__(self, draws: List[torch.Tensor]):
        self.draws = list(draws)
        self.original = torch.randn

    def __enter__(self):
        def replay(*shape, **kwargs):
            expected = self.draws.pop(0)
            requested = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)
            assert requested == tuple(expected.shape), f"randn{requested}, recorded {tuple(expected.shape)}"
            return expected.clone()
        torch.randn = replay
        return self

    def __exit__(self, *exc):
        torch.randn = self.original
        assert not self.draws, f"{len(self.draws)} recorded projections were not used"


def max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    assert tuple(a.shape) == tuple(b.shape), f"shape {tuple(a.shape)} != {tuple(b.shape)}"
    return float((a.detach().float() - b.detach().float()).abs().max())


def lsg_convert_binary() -> Path:
    """The lsg-convert executable: $LSG_CONVERT, else the package's debug or release build."""
    explicit = os.environ.get("LSG_CONVERT")
    candidates = [Path(explicit)] if explicit else [REPO / ".build/debug/lsg-convert", REPO / ".build/release/lsg-convert"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"lsg-convert not built (looked at {', '.join(map(str, candidates))}); "
                            "run `swift build` first or set LSG_CONVERT")


def run_lsg_convert(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(lsg_convert_binary()), *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"lsg-convert {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
    return result
