"""Where the repository's own files are, for tests that read them (the starter, the example)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# What `baocao init` copies into a new office folder.
STARTER = REPO_ROOT / "bot" / "workspace" / "starter"
CONFIG_EXAMPLE = REPO_ROOT / "config.example.toml"
