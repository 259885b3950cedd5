"""Backend settings for image hosts, with the API key kept out of widgets and workflows.

The API key comes from the environment (``ZIPP_API_KEY``, then ``OPENAI_API_KEY``) or from a
JSON config file: ``ZIPP_CONFIG`` names it, else ``$XDG_CONFIG_HOME/zipp/config.json``
(``~/.config/zipp/config.json``; ``%APPDATA%\\zipp\\config.json`` on Windows). The file may
hold ``api_key``, defaults for ``base_url`` and ``model`` (``openai``) and ``model_path``
(``gguf``)::

    {"api_key": "sk-...", "base_url": "http://127.0.0.1:8080/v1", "model": "qwen2.5-7b-instruct"}
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping, Optional

#: Environment variables read for the API key, in order.
API_KEY_ENV = ("ZIPP_API_KEY", "OPENAI_API_KEY")
#: Environment variable naming the config file.
CONFIG_ENV = "ZIPP_CONFIG"
#: The backends a host may choose: a GGUF model in-process, an OpenAI-compatible server, or
#: the model-free rules.
BACKENDS = ("gguf", "openai", "rules")
#: Allowed ``threads`` of the gguf backend (0 or None in a widget: the physical cores).
THREADS_RANGE = (1, 256)
#: Allowed ``context_length`` of the gguf backend (0 or None in a widget: 4,096).
CONTEXT_LENGTH_RANGE = (64, 131072)


def config_file_path() -> Path:
    """Where the host config file is read from (it need not exist)."""
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "zipp" / "config.json"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "zipp" / "config.json"


def load_config_file() -> dict[str, Any]:
    """The config file's JSON object, or {} when there is no file.

    Raises ValueError (naming the file, never its content) when it is not a JSON object.
    """
    path = config_file_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"zipp config file {path} could not be read: {type(error).__name__}") from None
    if not isinstance(data, dict):
        raise ValueError(f"zipp config file {path} must hold a JSON object")
    return data


def _find_api_key() -> tuple[Optional[str], Optional[str]]:
    for name in API_KEY_ENV:
        value = os.environ.get(name)
        if value:
            return value, name
    value = load_config_file().get("api_key")
    if isinstance(value, str) and value:
        return value, str(config_file_path())
    return None, None


def api_key() -> Optional[str]:
    """The API key from the environment, else from the config file, else None."""
    return _find_api_key()[0]


def api_key_source() -> Optional[str]:
    """Where the API key comes from (a variable's name or the config file's path), or None.

    Safe to show to the user: it never contains the key.
    """
    return _find_api_key()[1]


def _bounded(name: str, value: Any, bounds: tuple[int, int]) -> Optional[int]:
    """A whole number within ``bounds``, or None for None, "" or 0 (the library's default).

    Raises ValueError naming the setting for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number == 0:
        return None
    low, high = bounds
    if not low <= number <= high:
        raise ValueError(f"{name} {number} is outside [{low}, {high}] (0 for the default)")
    return number


def backend_settings(backend: str, base_url: str = "", model: str = "",
                     timeout_ms: Optional[int] = None, max_retries: Optional[int] = None, *,
                     model_path: str = "", threads: Optional[int] = None,
                     context_length: Optional[int] = None) -> dict[str, Any]:
    """Public (secret-free) rewriter settings for a host widget's values.

    ``backend`` is one of :data:`BACKENDS`. For ``openai``, empty ``base_url`` or ``model``
    fall back to the config file's values. For ``gguf``, an empty ``model_path`` falls back to
    the config file's, then to the library's default model; ``threads`` and ``context_length``
    of None or 0 leave the library's defaults. Raises ValueError for an unknown backend or a
    value out of range. The result is safe to show, log or store in a workflow;
    :func:`rewriter_config` adds the key.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    settings: dict[str, Any] = {"backend": backend}
    if backend == "gguf":
        path = (model_path or "").strip() or str(load_config_file().get("model_path") or "")
        if path:
            settings["model_path"] = os.path.expanduser(path)
        for name, value, bounds in (("threads", threads, THREADS_RANGE),
                                    ("context_length", context_length, CONTEXT_LENGTH_RANGE)):
            number = _bounded(name, value, bounds)
            if number is not None:
                settings[name] = number
    elif backend == "openai":
        defaults = load_config_file()
        url = base_url.strip() or str(defaults.get("base_url") or "")
        name = model.strip() or str(defaults.get("model") or "")
        if url:
            settings["base_url"] = url
        if name:
            settings["model"] = name
        if timeout_ms is not None:
            settings["timeout_ms"] = int(timeout_ms)
        if max_retries is not None:
            settings["max_retries"] = int(max_retries)
    return settings


def rewriter_config(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The full rewriter configuration: ``settings`` plus the API key for the ``openai`` backend."""
    config = dict(settings)
    config.pop("api_key", None)
    if config.get("backend") == "openai":
        key = api_key()
        if key:
            config["api_key"] = key
    return config


def settings_fingerprint(settings: Mapping[str, Any]) -> str:
    """A stable key for ``settings`` plus the current key (hashed: the key never appears)."""
    key = api_key() if settings.get("backend") == "openai" else None
    text = json.dumps(dict(settings), sort_keys=True) + "\0" + (key or "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
