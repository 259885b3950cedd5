"""A real ComfyUI 0.3.64 with the node pack, for test_comfy_real_host.py.

``scripts/ci_comfyui.sh`` prepares ComfyUI and its Python (torch included) once in the host cache
folder (``$ZIPP_HOST_CACHE/comfyui``, else ``~/.cache/zipp-ci/comfyui``). Here, per test run: a
libzipp wheel is built from the built library (no Rust toolchain on PATH) and installed into that
Python; a base folder (``--base-directory``) gets the pack in custom_nodes/ and the test's models
and inputs; the server listens on a free 127.0.0.1 port and is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from built_wheel import no_rust_path  # bindings/python/tests, on the path from the root conftest

REPO = Path(__file__).resolve().parents[3]
PACK = REPO / "hosts" / "comfyui"
VERSION = "0.3.64"
PREPARE = "bash scripts/ci_comfyui.sh"


def cache_folder() -> Path:
    """Where scripts/ci_comfyui.sh put ComfyUI and its virtual environment."""
    root = os.environ.get("ZIPP_HOST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "zipp-ci")
    return Path(root) / "comfyui"


@dataclass
class Prepared:
    """The unpacked ComfyUI and the Python that runs it."""

    source: Path
    python: Path


def prepared() -> tuple[Optional[Prepared], str]:
    """The prepared ComfyUI, or None and why not."""
    folder = cache_folder()
    source = folder / f"ComfyUI-{VERSION}"
    python = folder / "venv" / "bin" / "python"
    if not (source / "main.py").is_file():
        return None, f"ComfyUI {VERSION} is not prepared in {folder} (run `{PREPARE}`)"
    if not (python.is_file() and (folder / "venv" / ".zipp-ready").is_file()):
        return None, f"ComfyUI's Python environment in {folder / 'venv'} is not ready (run `{PREPARE}`)"
    return Prepared(source, python), ""



def build_wheel(library: Path, out: Path, scratch: Path) -> Path:
    """Builds the libzipp wheel around ``library`` from a copy of the binding (the repository gets
    no build/ or .egg-info) and returns its path."""
    shutil.copytree(REPO / "bindings" / "python", scratch / "bindings" / "python",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    shutil.copytree(REPO / "examples" / "personas", scratch / "examples" / "personas")
    env = dict(os.environ, ZIPP_PREBUILT_LIBRARY=str(library), PATH=no_rust_path())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(scratch / "bindings" / "python")], env=env, check=True)
    wheels = list(out.glob("libzipp-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def install_wheel(python: Path, wheel: Path) -> None:
    """Installs the wheel into ComfyUI's Python (replacing an earlier one), offline."""
    env = dict(os.environ, PATH=no_rust_path())
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index",
                    "--no-deps", "--force-reinstall", str(wheel)], env=env, check=True)


def lay_out(base: Path) -> None:
    """The base folder: the pack (copied as an install would) in custom_nodes/comfyui-zipp."""
    shutil.copytree(PACK, base / "custom_nodes" / "comfyui-zipp",
                    ignore=shutil.ignore_patterns("tests", "__pycache__"))
    for name in ("models", "input", "output", "temp", "user"):
        (base / name).mkdir(parents=True, exist_ok=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running ComfyUI; ``stop()`` ends it by its process id."""

    def __init__(self, host: Prepared, base: Path, env: dict[str, str]) -> None:
        self.host = host
        self.base = base
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = base / "comfyui.log"
        command = [str(host.python), "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port),
                   "--base-directory", str(base), "--disable-auto-launch",
                   "--database-url", f"sqlite:///{base / 'user' / 'comfyui.db'}"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=host.source, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Polls GET /system_stats until it answers; returns the seconds it took."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"ComfyUI exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.get("/system_stats", timeout=2)
                return time.monotonic() - start
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"ComfyUI did not answer within {timeout} s:\n{self.log_tail()}")

    def get(self, path: str, timeout: float = 30) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return json.loads(response.read())

    def post(self, path: str, body: Any, timeout: float = 30) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode("utf-8"),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"POST {path}: {error.code} {error.read().decode('utf-8', 'replace')}") from None

    def run(self, workflow: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
        """Queues an API-format workflow and returns its /history entry once it is done."""
        prompt_id = self.post("/prompt", {"prompt": workflow, "client_id": "zipp-tests"})["prompt_id"]
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            entry = self.get(f"/history/{prompt_id}").get(prompt_id)
            if entry is not None and entry.get("status", {}).get("completed") is not None:
                return entry
            if self.process.poll() is not None:
                raise RuntimeError(f"ComfyUI exited while running {prompt_id}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise AssertionError(f"prompt {prompt_id} did not finish within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminates the server by its pid (killed after 20 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def server_env(base: Path) -> dict[str, str]:
    """The server's environment: the wheel's library (no ZIPP_LIBRARY, no repository on the
    path), no API key, no zipp config file, an empty zipp cache folder, no Rust toolchain."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("ZIPP_LIBRARY", "PYTHONPATH", "ZIPP_API_KEY", "OPENAI_API_KEY", "ZIPP_MODEL")}
    env.update(PATH=no_rust_path(), ZIPP_CONFIG=str(base / "no-zipp-config.json"),
               ZIPP_CACHE_DIR=str(base / "zipp-cache"), PYTHONUNBUFFERED="1")
    return env


def cached_nodes(entry: dict[str, Any]) -> set[str]:
    """The node ids a /history entry served from the cache (the others ran)."""
    cached: set[str] = set()
    for kind, data in entry.get("status", {}).get("messages", []):
        if kind == "execution_cached":
            cached.update(str(n) for n in data.get("nodes", []))
    return cached


def succeeded(entry: dict[str, Any]) -> bool:
    return entry.get("status", {}).get("status_str") == "success"


def text_of(entry: dict[str, Any], node_id: str) -> str:
    """The text a node showed (PreviewText / PreviewAny ``ui.text``)."""
    outputs = entry["outputs"].get(node_id)
    assert outputs is not None, f"node {node_id} has no output: {json.dumps(entry)[:2000]}"
    return outputs["text"][0]


def combo_options(node_info: dict[str, Any], name: str) -> list[Any]:
    """A combo input's choices from /object_info (V3 ``["COMBO", {"options"}]`` or V1 ``[[...]]``)."""
    for group in ("required", "optional"):
        spec = node_info["input"].get(group, {}).get(name)
        if spec is not None:
            if isinstance(spec[0], list):
                return spec[0]
            return spec[1]["options"]
    raise KeyError(name)
