"""The one rule for writing a generated output where a file may already be.

Used by fill, generate, regenerate, print bundles and PDFs alike:

* an output whose bytes no longer match the SHA-256 the manifest recorded for it was
  edited by hand: it is kept and reported (``EditedOutputError``) unless ``force``;
* the previous file, when it differs from the new one, is first copied to
  ``.history/`` beside it (unless ``keep_history = false``), then the new file
  replaces it atomically, so an output is always the old or the new file.
"""

from __future__ import annotations

import glob
import hashlib
from datetime import datetime
from pathlib import Path

from recordkit.errors import EditedOutputError
from recordkit.files import write_atomic

HISTORY = ".history"


def replace_output(
    path: Path,
    data: bytes,
    recorded_sha256: str | None,
    *,
    force: bool = False,
    keep_history: bool = True,
    version: str = "",
    durable: bool = False,
) -> None:
    """Write ``data`` to ``path`` under the rule above (``recorded_sha256``: the manifest's
    hash of what recordkit last wrote there, None when it never recorded one)."""
    try:
        previous = path.read_bytes()
    except FileNotFoundError:
        previous = None
    if previous is not None:
        edited = (
            recorded_sha256 is not None and hashlib.sha256(previous).hexdigest() != recorded_sha256
        )
        if edited and not force:
            raise EditedOutputError(path)
        if keep_history and previous != data:
            # A hand edit (or a file of unknown origin) exists nowhere else: forced to disk.
            keep_previous(path, previous, version, durable=edited or recorded_sha256 is None)
    write_atomic(path, data, durable=durable)
    # Temporary files of a run killed mid-write, beside the output and in its history.
    name = glob.escape(path.name)
    for leftover in [
        *path.parent.glob(f".{name}.*.tmp"),
        *path.parent.glob(f"{HISTORY}/.{glob.escape(path.stem)}.*.tmp"),
    ]:
        leftover.unlink(missing_ok=True)


def is_hand_edited(path: Path, recorded_sha256: str | None) -> bool:
    """Whether the file at ``path`` differs from what recordkit recorded writing there."""
    try:
        return (
            recorded_sha256 is not None
            and hashlib.sha256(path.read_bytes()).hexdigest() != recorded_sha256
        )
    except FileNotFoundError:
        return False


def keep_previous(path: Path, previous: bytes, version: str = "", durable: bool = True) -> Path:
    """Copy of the previous bytes under ``.history/`` (never overwriting an older copy)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    tag = f".v{version}" if version else ""
    folder = path.parent / HISTORY
    target = folder / f"{path.stem}{tag}.{stamp}{path.suffix}"
    number = 1
    while target.exists():
        if target.read_bytes() == previous:
            return target  # a rerun after a crash: this copy is already kept
        number += 1
        target = folder / f"{path.stem}{tag}.{stamp}-{number}{path.suffix}"
    write_atomic(target, previous, durable=durable)
    return target
