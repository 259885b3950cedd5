"""MineJob: persona mining on a library thread (``ZippMineJob``)."""

from __future__ import annotations

import ctypes
import json
import math
import os
import time
import weakref
from typing import Any, Mapping, Optional, Union

from . import _native
from .errors import check

Config = Union[Mapping[str, Any], str]

#: Longest single zipp_job_wait call, in seconds, so that Ctrl-C is seen between calls.
_WAIT_SLICE = 0.25


def _path_default(value: Any) -> str:
    """json.dumps fallback: path-like values (pathlib.Path) become their string."""
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _config_argument(config: Config) -> Optional[bytes]:
    """The configuration as a JSON object string: a str is passed as it is, a mapping is dumped."""
    if config is None:
        return None
    text = config if isinstance(config, str) else json.dumps(dict(config), default=_path_default)
    return _native.encode(text)


class MineJob:
    """A persona-mining job: trains the GATv2 encoder on a graph and writes personas.

    Start one with :meth:`start`; the work runs on a library thread while Python goes on.
    :meth:`poll` reports progress, :meth:`wait` blocks until it ends (without holding the GIL),
    :meth:`cancel` asks it to stop and :meth:`result` tells how it ended.

    Every method may be called from any thread. Free it with :meth:`close` or a ``with`` block
    (never while another thread uses it), which cancels a running job and waits for its thread
    to end; a finalizer does the same otherwise. A closed job is passed to the library as NULL,
    which refuses it (:class:`NullPointerError`).
    """

    __slots__ = ("_ptr", "_finalizer", "__weakref__")

    def __init__(self, pointer: Any) -> None:
        """Wraps a live ``ZippMineJob*``; use :meth:`start` instead."""
        if not pointer:
            raise ValueError("MineJob needs a live ZippMineJob pointer")
        lib = _native.load()
        self._ptr: Any = pointer
        self._finalizer = weakref.finalize(self, lib.zipp_job_free, pointer)

    @classmethod
    def start(cls, config: Config) -> "MineJob":
        """Checks ``config`` and starts mining; returns at once.

        ``config`` is a mapping (dumped to JSON; ``pathlib.Path`` values become strings) or a
        JSON object string with the keys of ``zipp mine run``: ``graph`` (the file ``zipp mine
        ingest`` wrote) and ``out_dir`` (both required), ``images``, ``encoder``, ``train``,
        ``evidence``, ``verbalizer``, ``max_personas``, ``resume``, ``device`` and ``threads``
        (see the README's persona-mining section). Relative paths are taken from the process's
        working directory (not from a configuration file's folder as ``zipp mine run`` does).

        A malformed configuration or an unknown key raises :class:`InvalidJsonError`, a value
        out of range :class:`InvalidConfigError`. Files are read by the job: a missing graph
        ends the job with :class:`ZippIOError`, raised by :meth:`result`.
        """
        lib = _native.load()
        out = _native.MineJobPtr()
        check(lib.zipp_mine_start(_config_argument(config), ctypes.byref(out)))
        return cls(out)

    @property
    def handle(self) -> Any:
        """The ``ZippMineJob*`` for a C call (a NULL pointer once closed)."""
        return self._ptr if self._finalizer.alive else _native.MineJobPtr()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has freed the handle."""
        return not self._finalizer.alive

    def poll(self) -> dict[str, Any]:
        """The job's progress: ``stage`` ("queued", "loading", "training", "salience",
        "verbalizing", "done", "failed", "cancelled"), ``fraction`` (0..1 of the whole job),
        ``epoch``, ``epochs``, ``loss``, ``posting_accuracy``, ``eta_seconds`` (None when
        unknown), ``personas``, ``elapsed_seconds`` and ``error`` (for a failed job)."""
        lib = _native.load()
        out = ctypes.c_void_p()
        status = lib.zipp_job_poll(self.handle, ctypes.byref(out))
        text = _native.take_string(lib, out) if status == 0 else None
        check(status)
        assert text is not None
        document: dict[str, Any] = json.loads(text)
        return document

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Waits for the job to end, at most ``timeout`` seconds (None: no limit).

        Returns True when the job has ended (done, failed or cancelled), False when the time ran
        out. The GIL is released while waiting, and Ctrl-C interrupts a long wait.
        """
        if timeout is not None and (math.isnan(timeout) or timeout < 0):
            raise ValueError(f"timeout must be a non-negative number of seconds or None, not {timeout!r}")
        deadline = None if timeout is None or math.isinf(timeout) else time.monotonic() + timeout
        lib = _native.load()
        finished = ctypes.c_bool(False)
        while True:
            step = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, max(0.0, deadline - time.monotonic()))
            check(lib.zipp_job_wait(self.handle, int(math.ceil(step * 1000)), ctypes.byref(finished)))
            if finished.value:
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False

    def cancel(self) -> None:
        """Asks the job to stop and returns at once.

        The job stops within about a second (at the next training batch or persona) and then
        :meth:`result` raises :class:`OperationCancelledError`. The checkpoint of the last
        finished epoch stays, so a new job with the same configuration resumes from it. Does
        nothing on a finished or closed job.
        """
        _native.load().zipp_job_cancel(self.handle)

    def result(self) -> dict[str, Any]:
        """How the job ended, once it has.

        On success, a dict with ``out_dir``, ``personas_dir``, ``personas_written``,
        ``personas_kept``, ``personas_failed`` ([user, reason] pairs), ``salience``,
        ``encoder``, ``metrics`` (paths), ``valid`` and ``test`` ({``posting_accuracy``,
        ``auc``, ``pairs``}), ``best_epoch`` and ``resumed_epochs``. Raises
        :class:`PendingError` while the job runs, :class:`OperationCancelledError` when it was
        cancelled, and the failure's :class:`ZippError` subclass (for example
        :class:`ZippIOError` for a missing graph) when it failed.
        """
        lib = _native.load()
        out = ctypes.c_void_p()
        status = lib.zipp_job_result(self.handle, ctypes.byref(out))
        text = _native.take_string(lib, out) if status == 0 else None
        check(status)
        assert text is not None
        document: dict[str, Any] = json.loads(text)
        return document

    def close(self) -> None:
        """Cancels a running job, waits for its thread to end and frees the handle.

        Safe to call twice; never while another thread uses the job.
        """
        self._finalizer()

    def __enter__(self) -> "MineJob":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<libzipp.MineJob closed>" if self.closed else "<libzipp.MineJob>"
