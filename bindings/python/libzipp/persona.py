"""Persona: a validated, immutable persona handle (``ZippPersona``)."""

from __future__ import annotations

import ctypes
import json
import os
import weakref
from typing import Any, Callable, Mapping, Optional, Union

from . import _native
from .errors import check

Survey = Union[Mapping[str, Any], str]


class Persona:
    """A persona loaded by libzipp. Immutable, so one object may be used from many threads.

    Make one with :meth:`from_file`, :meth:`from_json`, :meth:`from_text` or
    :meth:`from_survey`. Free it with :meth:`close` or a ``with`` block; a finalizer frees it
    otherwise. A closed persona is passed to the library as NULL, which refuses it.
    """

    __slots__ = ("_ptr", "_finalizer", "_json", "__weakref__")

    def __init__(self, pointer: Any) -> None:
        """Wraps a live ``ZippPersona*``; use the ``from_*`` constructors instead."""
        if not pointer:
            raise ValueError("Persona needs a live ZippPersona pointer")
        lib = _native.load()
        self._ptr: Any = pointer
        self._json: Optional[str] = None
        self._finalizer = weakref.finalize(self, lib.zipp_persona_free, pointer)

    @classmethod
    def _make(cls, constructor: Callable[..., int], argument: Optional[bytes]) -> "Persona":
        out = _native.PersonaPtr()
        check(constructor(argument, ctypes.byref(out)))
        return cls(out)

    @classmethod
    def from_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Persona":
        """Loads a persona file: a ``zipp.persona/v1`` JSON document or plain first-person text."""
        lib = _native.load()
        return cls._make(lib.zipp_persona_from_file, _native.encode(os.fspath(path)))

    @classmethod
    def from_json(cls, document: str) -> "Persona":
        """Parses and validates a JSON persona document."""
        lib = _native.load()
        return cls._make(lib.zipp_persona_from_json, _native.encode(document))

    @classmethod
    def from_text(cls, text: str) -> "Persona":
        """Makes a persona from plain first-person text (at most 16 KiB)."""
        lib = _native.load()
        return cls._make(lib.zipp_persona_from_text, _native.encode(text))

    @classmethod
    def from_survey(cls, survey: Survey) -> "Persona":
        """Builds a persona from intake-survey answers (a mapping or a JSON object string).

        Keys: ``name``, ``age_band``, ``gender``, ``country``, ``region``, ``language``,
        ``profession``, ``hobbies`` (list or comma-separated string) and ``notes``.
        """
        lib = _native.load()
        text = survey if isinstance(survey, str) else json.dumps(dict(survey))
        return cls._make(lib.zipp_persona_from_survey, _native.encode(text))

    @property
    def handle(self) -> Any:
        """The ``ZippPersona*`` for a C call (a NULL pointer once closed)."""
        return self._ptr if self._finalizer.alive else _native.PersonaPtr()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has freed the handle."""
        return not self._finalizer.alive

    def to_json(self) -> str:
        """The persona as pretty-printed JSON."""
        if self._json is None or self.closed:
            lib = _native.load()
            out = ctypes.c_void_p()
            check(lib.zipp_persona_to_json(self.handle, ctypes.byref(out)))
            self._json = _native.take_string(lib, out)
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The persona document as a dict."""
        document: dict[str, Any] = json.loads(self.to_json())
        return document

    def hash(self) -> str:
        """The persona's content hash: 64 hex digits, equal for equal documents."""
        lib = _native.load()
        out = ctypes.c_void_p()
        check(lib.zipp_persona_hash(self.handle, ctypes.byref(out)))
        return _native.take_string(lib, out)

    @property
    def id(self) -> Optional[str]:
        """The document's ``id``, if it has one."""
        value = self.to_dict().get("id")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> Optional[str]:
        """The document's ``name``, if it has one."""
        value = self.to_dict().get("name")
        return value if isinstance(value, str) else None

    def close(self) -> None:
        """Frees the handle now. Safe to call twice; never while another thread uses it."""
        self._finalizer()

    def __enter__(self) -> "Persona":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<libzipp.Persona closed>"
        return f"<libzipp.Persona id={self.id!r}>"
