"""Skips for tests that need what this machine may lack: a Lean toolchain (`lean`), CUDA (`gpu`).

The package is installed editable (`make venv`), so no path set-up is needed here.
"""

from __future__ import annotations

import shutil

import pytest


def _cuda_available() -> bool:
    import torch  # only when a gpu test was collected: torch is slow to import

    return torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    lean_items = [item for item in items if item.get_closest_marker("lean")]
    if lean_items and not (shutil.which("lake") and shutil.which("lean")):
        skip = pytest.mark.skip(reason="needs a Lean toolchain: lake and lean not on PATH")
        for item in lean_items:
            item.add_marker(skip)
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    if gpu_items and not _cuda_available():
        skip = pytest.mark.skip(reason="needs CUDA")
        for item in gpu_items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray instance for the whole test session (starting Ray costs seconds)."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
