"""Open a page in headless Chromium, photograph it, and report console errors and requests.

A small test helper over the DevTools protocol (``--remote-debugging-port`` and a websocket)::

    from tests.browser import screenshot
    result = screenshot(html_path, tmp_path / "page.png")
    assert result.console_errors == []
    assert result.external_requests == []

Console errors are ``console.error`` calls, uncaught exceptions and the browser's own error log
entries (a resource that failed to load, a blocked request); requests are every URL the page
asked for, the page itself included. Chromium is ``chromium`` on the PATH (``.ci/run``
installs it); tests that need it skip without it via :func:`require_chromium`.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = ["BrowserResult", "require_chromium", "screenshot"]

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]  # fmt: skip
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


@dataclass
class BrowserResult:
    """What happened while the page loaded.

    Attributes:
        png: the screenshot written.
        console_errors: error messages (console.error, exceptions, browser log errors).
        requests: every URL requested, in order (the page itself first).
        title: the page's ``document.title``.
        height: the page's full height in CSS pixels.
    """

    png: Path
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    title: str = ""
    height: int = 0

    @property
    def external_requests(self) -> list[str]:
        """Requests that leave the machine (anything but file:, data:, about: and 127.0.0.1)."""
        local = ("file:", "data:", "about:", "http://127.0.0.1", "http://localhost")
        return [u for u in self.requests if not u.startswith(local)]


def chromium_binary() -> str | None:
    """The Chromium on this machine, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path, or skip the calling test (outside CI) when there is none."""
    found = chromium_binary()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


class _DevTools:
    """A minimal DevTools protocol client over one websocket (flattened target sessions)."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.deadline = time.monotonic() + timeout

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _receive(self) -> dict[str, Any]:
        if time.monotonic() > self.deadline:
            raise TimeoutError("the browser did not answer in time")
        message: dict[str, Any] = json.loads(self.ws.recv())
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method: str, seconds: float) -> bool:
        """Read events until ``method`` arrives (True) or ``seconds`` pass (False)."""
        import websocket

        if any(e["method"] == method for e in self.events):
            return True
        end = time.monotonic() + seconds
        self.ws.settimeout(0.2)
        try:
            while time.monotonic() < end:
                try:
                    if self._receive().get("method") == method:
                        return True
                except websocket.WebSocketTimeoutException:
                    continue  # nothing in the last 0.2 s: keep waiting until ``end``
            return False
        finally:
            self.ws.settimeout(max(1.0, self.deadline - time.monotonic()))

    def drain(self, seconds: float) -> None:
        """Collect the events of the next ``seconds`` (late requests, late errors)."""
        self.wait_for("__never__", seconds)

    def close(self) -> None:
        self.ws.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif e["method"] == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            exc = details.get("exception", {})
            out.append(exc.get("description") or details.get("text", "exception"))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
    return out


def screenshot(
    page: str | os.PathLike[str],
    png: str | os.PathLike[str],
    *,
    width: int = 1280,
    height: int | None = None,
    settle: float = 0.5,
    timeout: float = 60.0,
) -> BrowserResult:
    """Load ``page`` (an HTML file or an http URL) and write a PNG of it to ``png``.

    Args:
        page: a path to an HTML file, or a ``http://`` URL.
        png: where the screenshot goes.
        width: viewport width in CSS pixels.
        height: screenshot height; default the page's full height.
        settle: seconds to keep listening after the load event (late requests and errors).
        timeout: seconds for the whole visit.
    """
    binary = require_chromium()
    url = (
        str(page)
        if str(page).startswith(("http://", "https://"))
        else Path(page).resolve().as_uri()
    )
    png = Path(png)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    proc = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},900", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    tools: _DevTools | None = None
    pump: threading.Thread | None = None
    try:
        ws_url, pump = _listening(proc, timeout)
        tools = _DevTools(ws_url, timeout)
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable", session)
        tools.call(
            "Emulation.setDeviceMetricsOverride", session,
            width=width, height=height or 900, deviceScaleFactor=1, mobile=False,
        )  # fmt: skip
        tools.events.clear()
        tools.call("Page.navigate", session, url=url)
        if not tools.wait_for("Page.loadEventFired", timeout):
            raise TimeoutError(f"{url} did not finish loading")
        tools.drain(settle)
        full = tools.call("Page.getLayoutMetrics", session)["cssContentSize"]
        shot_height = height or int(full["height"])
        tools.call(
            "Emulation.setDeviceMetricsOverride", session,
            width=width, height=shot_height, deviceScaleFactor=1, mobile=False,
        )  # fmt: skip
        data = tools.call("Page.captureScreenshot", session, format="png")["data"]
        png.write_bytes(base64.b64decode(data))
        title = tools.call("Runtime.evaluate", session, expression="document.title")
        requests = [
            e["params"]["request"]["url"]
            for e in tools.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        return BrowserResult(
            png=png,
            console_errors=_errors(tools.events),
            requests=requests,
            title=str(title.get("result", {}).get("value", "")),
            height=int(full["height"]),
        )
    finally:
        if tools is not None:
            tools.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if pump is not None:
            pump.join(10)
        if proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(profile, ignore_errors=True)


def _listening(proc: subprocess.Popen[str], timeout: float) -> tuple[str, threading.Thread]:
    """Chromium's DevTools websocket address, read from its stderr, and the reading thread.

    The thread keeps reading stderr to the end, so Chromium never blocks on a full pipe.
    """
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    end = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        m = _LISTENING.search(line)
        if m:
            return m.group(1), reader
    raise RuntimeError("chromium did not start:\n" + "".join(seen[-20:]))
