"""A small Language Server Protocol client for tests: drives yaml-language-server (the npm
package behind VS Code's YAML extension) over stdio and collects the diagnostics it
publishes, as an editor would show them.

The package is installed on first use into a cache folder, as scripts/check_html.py
installs its npm packages ($BRIEFGEN_CHECK_CACHE/yaml-language-server, default
~/.cache/briefgen/yaml-language-server); ToolMissing says why it cannot run (no node or npm,
or the install failed)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

#: 1.x runs on the Node.js of Debian 12 and 13 (2.0 needs Node 22.13)
VERSION = "1.25.0"
TIMEOUT = 60.0  # seconds for any one answer; the machine may be busy


class ToolMissing(Exception):
    """yaml-language-server cannot be run here."""


def cache_dir() -> Path:
    env = os.environ.get("BRIEFGEN_CHECK_CACHE")
    if env:
        return Path(env) / "yaml-language-server"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefgen" / "yaml-language-server"


def server_command(cache: Path | None = None) -> list[str]:
    """node and the server's script, installed from npm into the cache on first use."""
    cache = cache or cache_dir()
    package = cache / "node_modules" / "yaml-language-server"
    script = package / "bin" / "yaml-language-server"
    node = shutil.which("node")
    if node is None:
        raise ToolMissing("node is not available (Debian package 'nodejs')")
    try:
        installed = json.loads((package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        installed = None
    if installed != VERSION or not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ToolMissing(f"yaml-language-server {VERSION} is not in {cache} and npm is "
                              "not available (Debian package 'npm')")
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
               "--no-save", "--ignore-scripts", f"yaml-language-server@{VERSION}"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise ToolMissing(f"'{' '.join(cmd)}' timed out") from exc
        if proc.returncode != 0 or not script.is_file():
            raise ToolMissing(f"'{' '.join(cmd)}' failed: {proc.stderr.strip()[-500:]}")
    return [node, str(script), "--stdio"]


class Client:
    """One yaml-language-server process: initialize, configure, open files, read the
    diagnostics it publishes. Use as a context manager (the server is shut down after)."""

    def __init__(self, command: list[str], root: Path) -> None:
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=root)
        self.root = root
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.published: dict[str, int] = {}  # uri -> how many times diagnostics came
        self.versions: dict[str, int] = {}  # uri -> the version of the open document
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def __enter__(self) -> Client:
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": "project"}],
            "capabilities": {"textDocument": {"publishDiagnostics": {}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": {
            "validate": True, "schemaStore": {"enable": False},
            "kubernetesCRDStore": {"enable": False}, "hover": False, "completion": False,
            "format": {"enable": False}}}})
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    # -- the protocol: JSON-RPC messages framed by a Content-Length header ------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)  # the server has gone
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length)))

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == ident and "method" not in m, timeout)["result"]

    def _wait(self, done: Any, timeout: float) -> dict[str, Any]:
        """Handle messages until one satisfies `done`; TimeoutError after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("yaml-language-server did not answer in time")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise TimeoutError(f"yaml-language-server exited ({self.proc.poll()})")
            if "method" in message and "id" in message:  # a request of the server's
                result: Any = None
                if message["method"] == "workspace/configuration":
                    result = [None for _ in message["params"]["items"]]
                self._send({"id": message["id"], "result": result})
            elif message.get("method") == "textDocument/publishDiagnostics":
                uri = message["params"]["uri"]
                self.diagnostics[uri] = message["params"]["diagnostics"]
                self.published[uri] = self.published.get(uri, 0) + 1
            if done(message):
                return message

    def check(self, path: Path, text: str | None = None, settle: float = 1.0
              ) -> list[dict[str, Any]]:
        """Open `path` (with `text`, else its contents; if open already, change it to that)
        and return the diagnostics the server publishes for it: the last set, once `settle`
        seconds pass without another (a schema loads after the first pass)."""
        uri = path.resolve().as_uri()
        before = self.published.get(uri, 0)
        text = path.read_text(encoding="utf-8") if text is None else text
        version = self.versions[uri] = self.versions.get(uri, 0) + 1
        if version == 1:
            self.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": version, "text": text}})
        else:  # open already: the editor's buffer changes
            self.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}]})
        self._wait(lambda m: self.published.get(uri, 0) > before, TIMEOUT)
        while True:
            count = self.published[uri]
            try:
                self._wait(lambda m, seen=count: self.published[uri] > seen, settle)
            except TimeoutError:
                break
        return self.diagnostics[uri]
