"""Shared fixtures: the `fracnoise` command-line tool (for bit-identity tests against its output)."""

import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _find_cli():
    """The CLI binary: $FRACNOISE_CLI, the workspace's target/release/fracnoise, or one built now
    with cargo. None (with the reason) when none can be had."""
    env = os.environ.get("FRACNOISE_CLI")
    if env:
        if not os.path.exists(env):
            pytest.fail(f"FRACNOISE_CLI={env} does not exist (unset it to use target/release/fracnoise)")
        return env, None
    built = ROOT / "target" / "release" / "fracnoise"
    if built.exists():
        return str(built), None
    if shutil.which("cargo") is None or not (ROOT / "cli" / "Cargo.toml").exists():
        return None, "the fracnoise CLI is not built (target/release/fracnoise) and cargo is not available to build it"
    r = subprocess.run(["cargo", "build", "--release", "-p", "fracnoise-cli"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0 or not built.exists():
        return None, f"cargo build --release -p fracnoise-cli failed: {r.stderr[-2000:]}"
    return str(built), None


@pytest.fixture(scope="session")
def cli():
    """A function running the CLI with arguments; fails the test on a non-zero exit status."""
    path, why = _find_cli()
    if path is None:
        pytest.skip(why)

    def run(*args, check=True):
        r = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"fracnoise {' '.join(map(str, args))} failed ({r.returncode}): {r.stderr}")
        return r

    return run


@pytest.fixture
def npy(tmp_path):
    """A path in a temporary folder, and a loader."""

    class Files:
        def path(self, name):
            return tmp_path / name

        def load(self, name):
            return np.load(tmp_path / name)

    return Files()
