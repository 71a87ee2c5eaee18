#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
screenshots.py - the pictures of the README and the man page directory,
made by `make screenshots` with headless Chromium (tests/integration/
browser.py) from real runs of fdleak on the victims:

  man/screenshots/report.png      the HTML report of the bundled example
  man/screenshots/flamegraph.png  the flame graph of a shell running six
                                  victims (threads, forks, sockets, fd
                                  passing, a leak of every kind of fd)
  man/screenshots/timeline.png    the timeline of an attach run with
                                  --interval on the server victim, which
                                  leaks steadily

Usage: FDLEAK=./fdleak screenshots.py [OUTDIR]
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
from common import ROOT, VICTIMS  # noqa: E402


def run_fdleak(fdleak, args, tmp):
    env = dict(os.environ, LC_ALL="C")
    env.pop("FDLEAK_EXPECT", None)
    subprocess.run([fdleak] + args, check=False, cwd=tmp, env=env,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


def section_clip(b, section):
    """The section's box; sites drawn at their real height first (off
    screen, content-visibility gives them a placeholder's)."""
    return b.evaluate("""(() => { document.querySelectorAll('details.site')
        .forEach(d => d.style.contentVisibility = 'visible');
        const r = document.getElementById('%s')
        .getBoundingClientRect(); return {x: 0, y: r.y + scrollY - 8,
        width: 1280, height: r.height + 16}; })()""" % section)


def main(argv):
    fdleak = os.path.abspath(os.environ.get("FDLEAK") or
                             os.path.join(ROOT, "fdleak"))
    out = os.path.abspath(argv[1] if len(argv) > 1 else
                          os.path.join(ROOT, "man", "screenshots"))
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="fdleak-screenshots-")
    try:
        report = os.path.join(tmp, "example.html")
        run_fdleak(fdleak, ["--format=html", "-o", report, "--",
                            os.path.join(VICTIMS, "example")], tmp)
        families = os.path.join(tmp, "families.html")
        script = "; ".join(os.path.join(VICTIMS, v) for v in (
            "example", "sockets", "forker fork", "threads", "scm_rights",
            "families"))
        run_fdleak(fdleak, ["--format=html", "-o", families, "--", "sh",
                            "-c", script], tmp)
        server = subprocess.Popen([os.path.join(VICTIMS, "server"), "10"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, cwd=tmp,
                                  start_new_session=True)
        try:
            time.sleep(0.5)
            timeline = os.path.join(tmp, "timeline.html")
            run_fdleak(fdleak, ["-p", str(server.pid), "--interval=0.5",
                                "--duration=5", "--format=html", "-o",
                                timeline], tmp)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        with browser.Browser(width=1280, height=900) as b:
            b.open("file://" + report)
            b.evaluate("document.querySelector('details.site').open = true")
            b.screenshot(os.path.join(out, "report.png"))
            b.open("file://" + families)
            b.screenshot(os.path.join(out, "flamegraph.png"),
                         clip=section_clip(b, "flame"))
            b.open("file://" + timeline)
            b.screenshot(os.path.join(out, "timeline.png"),
                         clip=section_clip(b, "timeline"))
            errors = b.console_errors()
        if errors:
            print("screenshots: console errors: %s" % errors, file=sys.stderr)
            return 1
        for name in ("report.png", "flamegraph.png", "timeline.png"):
            print("  PNG     %s" % os.path.relpath(os.path.join(out, name),
                                                   ROOT))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
