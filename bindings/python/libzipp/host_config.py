"""Backend settings for image hosts, with the API key kept out of widgets and workflows.

The API key comes from the environment (``ZIPP_API_KEY``, then ``OPENAI_API_KEY``) or from a
JSON config file: ``ZIPP_CONFIG`` names it, else ``$XDG_CONFIG_HOME/zipp/config.json``
(``~/.config/zipp/config.json``; ``%APPDATA%\\zipp\\config.json`` on Windows). The file may
hold ``api_key`` and defaults for ``base_url`` and ``model``::

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


def backend_settings(backend: str, base_url: str = "", model: str = "",
                     timeout_ms: Optional[int] = None, max_retries: Optional[int] = None) -> dict[str, Any]:
    """Public (secret-free) rewriter settings for a host widget's values.

    Empty ``base_url`` or ``model`` fall back to the config file's values. The result is
    safe to show, log or store in a workflow; :func:`rewriter_config` adds the key.
    """
    settings: dict[str, Any] = {"backend": backend}
    if backend != "rules":
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
    """The full rewriter configuration: ``settings`` plus the API key for a server backend."""
    config = dict(settings)
    config.pop("api_key", None)
    if config.get("backend", "rules") != "rules":
        key = api_key()
        if key:
            config["api_key"] = key
    return config


def settings_fingerprint(settings: Mapping[str, Any]) -> str:
    """A stable key for ``settings`` plus the current key (hashed: the key never appears)."""
    key = api_key() if settings.get("backend", "rules") != "rules" else None
    text = json.dumps(dict(settings), sort_keys=True) + "\0" + (key or "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
