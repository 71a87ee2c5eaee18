# SPDX-License-Identifier: MIT
"""
browser.py - headless Chromium driven over the DevTools protocol, for the
tests of the HTML report, the benchmark and `make screenshots`: open a
page, read its DOM, collect its console errors, take a screenshot.

No driver to download: Debian's chromium is started with
--remote-debugging-pipe, and commands go to its fd 3 and answers come from
its fd 4 as NUL-terminated JSON. As root, Chromium needs --no-sandbox; the
network flags keep it from calling home on a closed network.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]


class BrowserError(Exception):
    """Chromium is missing, died, or did not answer."""


def chromium_path():
    """Debian's chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def dump_dom(url, javascript=True, timeout=60):
    """The DOM of url after load, as `chromium --dump-dom` prints it."""
    exe = chromium_path()
    if exe is None:
        raise BrowserError("chromium is not installed")
    profile = tempfile.mkdtemp(prefix="fdleak-chromium-")
    try:
        argv = [exe] + [f for f in FLAGS if f != "--remote-debugging-pipe"] + [
            "--user-data-dir=" + profile, "--dump-dom", url]
        if not javascript:
            argv.insert(1, "--blink-settings=scriptEnabled=false")
        p = subprocess.run(argv, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise BrowserError("chromium --dump-dom exited %d: %s" % (
                p.returncode, p.stderr.decode(errors="replace")[-500:]))
        return p.stdout.decode("utf-8", errors="replace")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Browser:
    """One headless Chromium with one page (tab)."""

    def __init__(self, width=1280, height=900, javascript=True, timeout=60,
                 extra_flags=()):
        exe = chromium_path()
        if exe is None:
            raise BrowserError("chromium is not installed")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="fdleak-chromium-")
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def child_fds():
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        self.proc = subprocess.Popen(
            [exe] + FLAGS + list(extra_flags) +
            ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(3, 4),
            preexec_fn=child_fds, start_new_session=True)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        try:
            target = self.call("Target.createTarget",
                               {"url": "about:blank"})["targetId"]
            self.session = self.call("Target.attachToTarget", {
                "targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.call(domain + ".enable")
            self.call("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1,
                "mobile": False})
            if not javascript:
                self.call("Emulation.setScriptExecutionDisabled",
                          {"value": True})
        except Exception:
            self.close()
            raise

    def close(self):
        if self.proc is not None:
            try:
                self.call("Browser.close", timeout=5)
            except BrowserError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
            self.proc = None
            os.close(self.cmd_w)
            os.close(self.res_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("chromium did not answer in time")
            ready, _, _ = select.select([self.res_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)

    def call(self, method, params=None, timeout=None):
        """Send one command to the page's session; its result."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith(
                ("Target.", "Browser.")):
            msg["sessionId"] = self.session
        try:
            os.write(self.cmd_w, json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise BrowserError("chromium is gone: %s" % e)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise BrowserError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            m = self._read_message(deadline)
            if "method" in m:
                self.events.append(m)

    def open(self, url):
        """Load url; seconds from the navigation to the load event."""
        self.events = [e for e in self.events
                       if e["method"] != "Page.loadEventFired"]
        t0 = time.monotonic()
        res = self.call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise BrowserError("cannot open %s: %s" % (url, res["errorText"]))
        self.wait_event("Page.loadEventFired")
        return time.monotonic() - t0

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        res = self.call("Runtime.evaluate", {
            "expression": expression, "returnByValue": True,
            "awaitPromise": True})
        if "exceptionDetails" in res:
            raise BrowserError("evaluate %r: %s" % (
                expression[:80], res["exceptionDetails"].get("text")))
        return res["result"].get("value")

    def dom(self):
        """The page's DOM as HTML, read by the protocol (also with
        JavaScript off, where --dump-dom prints nothing)."""
        root = self.call("DOM.getDocument", {"depth": -1})["root"]
        return self.call("DOM.getOuterHTML",
                         {"nodeId": root["nodeId"]})["outerHTML"]

    def screenshot(self, path, full_page=True, clip=None):
        """A PNG of the page (whole, or clip {x, y, width, height})."""
        params = {"format": "png", "captureBeyondViewport": full_page}
        if clip is not None:
            params["clip"] = dict(clip, scale=1)
        elif full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def console_errors(self):
        """What the page logged as errors: exceptions, console.error, CSP."""
        self.drain()
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                errors.append("exception: %s" % p["exceptionDetails"].get(
                    "exception", {}).get("description") or
                    p["exceptionDetails"].get("text"))
            elif e["method"] == "Runtime.consoleAPICalled" and \
                    p.get("type") in ("error", "assert"):
                errors.append("console.%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description"))) for a in
                    p.get("args", []))))
            elif e["method"] == "Log.entryAdded" and \
                    p["entry"].get("level") == "error":
                errors.append("log: %s" % p["entry"].get("text"))
        return errors

    def dialogs(self):
        """Messages of alert(), confirm() and prompt() the page opened."""
        self.drain()
        return [e["params"].get("message") for e in self.events
                if e["method"] == "Page.javascriptDialogOpening"]

    def drain(self):
        """Collect the events Chromium has sent so far."""
        while True:
            ready, _, _ = select.select([self.res_r], [], [], 0.2)
            if not ready and b"\0" not in self.buf:
                return
            m = self._read_message(time.monotonic() + 5)
            if "method" in m:
                self.events.append(m)
