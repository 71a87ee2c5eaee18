#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
bench.py - what fdleak costs, against strace, strace -k and valgrind.

Run by `make bench` (never by `make check`). Builds the workloads in
tests/bench/workloads/ into build/bench/ (cc -O2 -g), runs each one
untraced and under every tool in alternating rounds (round r runs every
tool once, so drift in the machine's load hits all columns alike), and
prints one table of median wall times and ratios. Full runs are written,
newest first, to tests/bench/RESULTS.md with the date, the machine and the
tool versions.

  python3 tests/bench/bench.py                 full run (about 5-10 min)
  python3 tests/bench/bench.py --quick         1 run each, small sizes
  python3 tests/bench/bench.py --only churn    one workload (repeatable)
  python3 tests/bench/bench.py --runs 9 --k-runs 3

Columns: strace is `strace -f --seccomp-bpf -qq -o /dev/null -e trace=SET`
where SET is every syscall in src/syscalls.def (what fdleak traces), so it
stops on the same calls but captures no stacks; strace -k is the same with
stacks. fdleak is `fdleak -o /dev/null --`, full stacks (default --depth).
floor is tests/bench/floor.c (built by `make bench`): a tracer with fdleak's filter that stops
where fdleak stops and does nothing there (no registers, stacks or model):
the price of the ptrace stops alone on this machine. fdleak/floor is what
fdleak's own work adds. The getppid row also times the program under a
seccomp filter with no tracer (`floor --seccomp-only`): what entering the
kernel through any filter costs each syscall. Each run records what a
wakeup costs on the machine (`floor --wake-latency`): a ptrace stop is two.
The html row is not a tracer's cost: the HTML report of symstacks (10 000
sites, written by fdleak --from from its JSON report) is opened in
headless Chromium (tests/integration/browser.py), and its cell is the
seconds from the navigation to the first frame painted after the load
event, the median of fresh browsers; target: under 2 s.
The attach row times nginx serving wrk over loopback with
"Connection: close", untraced and with each tracer attached to the worker
(-p; no seccomp filter is possible there, for strace as for fdleak); its
cells are microseconds per request, not seconds.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nginx_attach import (Failed, Nginx, find_planted, find_summary,  # noqa: E402
                          stop_tracer, wait_attached, wrk_us_per_req)

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "tests" / "bench" / "workloads"
BUILD = ROOT / "build" / "bench"
RESULTS = ROOT / "tests" / "bench" / "RESULTS.md"

TOOLS = ["untraced", "floor", "strace", "strace-k", "valgrind", "fdleak"]
HEAD = {"untraced": "untraced", "floor": "floor", "strace": "strace",
        "strace-k": "strace -k", "valgrind": "valgrind", "fdleak": "fdleak"}
FLOOR = BUILD / "floor"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- the tools ---------------------------------------------------------------

def fd_syscalls():
    """Names of the syscalls fdleak traces, from src/syscalls.def."""
    text = (ROOT / "src" / "syscalls.def").read_text()
    return re.findall(r"^SYSCALL\(\s*(\w+)\s*,", text, re.M)


def strace_set(names):
    """The names strace accepts, as one -e trace= argument."""
    names = list(names)
    while names:
        p = subprocess.run(["strace", "-qq", "-o", "/dev/null", "-e",
                            "trace=" + ",".join(names), "true"],
                           capture_output=True, text=True)
        if p.returncode == 0:
            return ",".join(names)
        m = re.search(r"invalid system call '([^']+)'", p.stderr)
        if not m or m.group(1) not in names:
            raise SystemExit("strace refuses the syscall set: " + p.stderr)
        log(f"note: strace does not know {m.group(1)}; left out of its set")
        names.remove(m.group(1))
    raise SystemExit("strace accepts none of the fd syscalls")


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0] if out else None


class Env:
    """Which tools exist here, and how each one wraps a command."""

    def __init__(self, fdleak):
        self.fdleak = fdleak
        self.have_strace = shutil.which("strace") is not None
        self.trace = strace_set(fd_syscalls()) if self.have_strace else ""
        self.have_valgrind = shutil.which("valgrind") is not None
        self.strace_k = self.have_strace and self._strace_k_works()
        helptext = subprocess.run([fdleak, "--help"], capture_output=True,
                                  text=True).stdout
        self.fdleak_attach = re.search(r"(^|\s)-p[ ,]", helptext) is not None

    def _strace_k_works(self):
        p = subprocess.run(["strace", "-k", "-qq", "-o", "/dev/null", "-e",
                            "trace=openat", "true"], capture_output=True,
                           text=True)
        return p.returncode == 0

    def wrap(self, tool, argv, extra=()):
        """Command line that runs argv under tool; None if not here."""
        if tool == "untraced":
            return list(argv)
        if tool == "floor":
            return [str(FLOOR), "--"] + list(argv) if FLOOR.exists() else None
        if tool in ("strace", "strace-k"):
            if not self.have_strace or (tool == "strace-k" and not self.strace_k):
                return None
            k = ["-k"] if tool == "strace-k" else []
            return (["strace", "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null"]
                    + k + ["-e", "trace=" + self.trace] + list(argv))
        if tool == "valgrind":
            if not self.have_valgrind:
                return None
            return (["valgrind", "--track-fds=yes", "-q",
                     "--log-file=/dev/null"] + list(argv))
        if tool == "fdleak":
            return [self.fdleak, "-o", "/dev/null"] + list(extra) + ["--"] + list(argv)
        if tool == "baseline":
            return [self.baseline, "-o", "/dev/null"] + list(extra) + ["--"] + list(argv)
        raise ValueError(tool)

    def versions(self):
        v = {
            "fdleak": first_line([self.fdleak, "-V"]),
            "strace": first_line(["strace", "-V"]),
            "valgrind": first_line(["valgrind", "--version"]),
            "cc": first_line([os.environ.get("CC", "cc"), "--version"]),
            "tar": first_line(["tar", "--version"]),
            "python3": first_line([shutil.which("python3") or "python3", "--version"]),
            "nginx": first_line(["nginx", "-v"]),
            "wrk": first_line(["wrk", "-v"]),
        }
        return {k: x for k, x in v.items() if x}


# --- running -----------------------------------------------------------------

def timed(cmd, capture=False, timeout=600):
    """Wall seconds of one run of cmd; with capture, also its stdout."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=timeout)
    t1 = time.perf_counter()
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise Failed(f"exit {p.returncode}: {' | '.join(err)}")
    if capture:
        return t1 - t0, p.stdout.decode(errors="replace"), time.monotonic()
    return t1 - t0


def vm_hwm(pid):
    """Peak RSS of pid in kB so far, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss(cmd):
    """
    Peak RSS (MB) of cmd's own process, by polling VmHWM every 2 ms (a
    high-water mark, so only the last 2 ms can be missed). Not wait4's
    ru_maxrss: that also counts the tracees, and the pre-exec python fork.
    """
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best = [0]
    done = threading.Event()

    def poll():
        while not done.is_set():
            kb = vm_hwm(p.pid)
            if kb is not None:
                best[0] = max(best[0], kb)
            time.sleep(0.002)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    # Wait without reaping so the poller never reads a recycled pid.
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    done.set()
    th.join()
    _, status = os.waitpid(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise Failed(f"exit {p.returncode}")
    return best[0] / 1024.0


# --- the attach rows (nginx_attach.py) ------------------------------------------

def attach_cmd(env, tool, pid, sample=100):
    if tool in ("strace", "strace-k"):
        if not env.have_strace or (tool == "strace-k" and not env.strace_k):
            return None
        k = ["-k"] if tool == "strace-k" else []
        # --seccomp-bpf does not apply to -p: strace stops on everything too.
        return (["strace", "-f", "-qq", "-o", "/dev/null"] + k
                + ["-e", "trace=" + env.trace, "-p", str(pid)])
    if tool in ("fdleak", "baseline"):
        if not env.fdleak_attach:
            return None
        s = [f"--sample={sample}"] if sample < 100 else []
        binary = env.fdleak if tool == "fdleak" else env.baseline
        return [binary, "-o", "/dev/null", "-p", str(pid)] + s
    return None


def attach_run(env, nginx, tool, seconds, sample=100):
    """Microseconds per request with tool attached to the nginx worker."""
    if tool == "untraced":
        return wrk_us_per_req(nginx.url(), seconds)
    cmd = attach_cmd(env, tool, nginx.worker, sample)
    tr = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_attached(tr, nginx.worker, tool)
        if sample == 100:
            time.sleep(0.2)		# the baseline read from /proc
        return wrk_us_per_req(nginx.url(), seconds)
    finally:
        stop_tracer(tr, nginx.worker)


# --- workloads -----------------------------------------------------------------

class Workload:
    """
    name: row name; argv(quick): the command; tools: columns it runs;
    kmax: cap on strace -k runs; skip: {tool: reason}; target: text;
    pair: a second command fdleak runs right before argv in every round,
    so that the ratio of the two does not depend on the load drifting
    between rows.
    """

    def __init__(self, name, argv, tools=TOOLS, kmax=None, skip=None,
                 target="", report_ts=False, attach=False, pair=None,
                 seccomp_alone=False, sample=100, html=False):
        self.name, self.argv, self.tools = name, argv, tools
        self.kmax, self.skip = kmax, skip or {}
        self.target, self.report_ts, self.attach = target, report_ts, attach
        self.pair = pair	# argv fdleak also runs each round, for a paired ratio
        # Also time argv under a seccomp filter and no tracer, each round
        # right after the untraced run: what the filter alone costs.
        self.seccomp_alone = seccomp_alone
        # Attach rows: fdleak --sample=sample (100: attached throughout).
        self.sample = sample
        # Render the HTML report of argv in Chromium instead (see the doc).
        self.html = html


def workloads(quick):
    b = lambda w: str(BUILD / w)
    n_churn = 2000 if quick else 20000
    py = shutil.which("python3") or "python3"
    return [
        Workload("churn", lambda: [b("churn"), str(n_churn)],
                 target="<=1.0x strace, k >=10x"),
        Workload("churn-d1", lambda: [b("churn"), str(n_churn), "1"],
                 skip={"strace-k": "skip (slow)"}, target="(for d30)"),
        Workload("churn-d30", lambda: [b("churn"), str(n_churn), "30"],
                 skip={"strace-k": "skip (slow)"},
                 pair=lambda: [b("churn"), str(n_churn), "1"],
                 target="d30/d1 <=1.3"),
        Workload("getppid", lambda: [b("getppid"), "100000" if quick else "1000000"],
                 seccomp_alone=True, target="<=1.2x untraced"),
        Workload("tar", lambda: ["tar", "-cf", "/dev/null", "/usr/include"],
                 target="<strace, <=2x untr"),
        # python3 as found in PATH, as a user types it (here a pyenv shim:
        # bash and several execs, ~1 500 openat); valgrind would follow
        # only the shell.
        Workload("python", lambda: [py, "-c",
                                    "import email, json, http.client, asyncio, unittest"],
                 skip={"valgrind": "n/a (execs)"},
                 target="<strace, <=2x untr"),
        Workload("many", lambda: [b("many"), "5000" if quick else "50000", "3"],
                 skip={"strace-k": "skip (slow)"},
                 target="RSS <=50 MB"),
        Workload("symstacks", lambda: [b("symstacks"), "1000" if quick else "10000"],
                 kmax=1, report_ts=True, target="report <=2 s"),
        Workload("html 10000 sites", lambda: [b("symstacks"), "1000" if quick
                                              else "10000"],
                 tools=["fdleak"], html=True, target="render <=2 s"),
        Workload("attach nginx (us/req)", None,
                 skip={"valgrind": "n/a"}, attach=True,
                 target="<=1.0x strace -p"),
    ] + [
        Workload(f"attach --sample={p} (us/req)", None,
                 tools=["untraced", "fdleak"], attach=True, sample=p,
                 target=">=60% untr, found <=30 s" if p == 10 else "")
        for p in SAMPLE_SHARES
    ]


# The sampled attach rows, and how many times each finds the planted leak.
SAMPLE_SHARES = (25, 10, 5)
SAMPLE_WINDOW = 0.2	# fdleak's default --sample-window, in seconds


def find_runs(w, quick):
    return 1 if quick else (10 if w.sample == 10 else 3)


def cell_seconds(w, asecs):
    """wrk seconds per cell: whole window+gap cycles, two at least."""
    cycle = SAMPLE_WINDOW * 100 / w.sample
    return max(asecs, 2 * cycle)


def build_workloads():
    BUILD.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    for src in sorted(SRC.glob("*.c")):
        out = BUILD / src.stem
        if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
            continue
        log(f"  CC      {src.relative_to(ROOT)}")
        subprocess.run([cc, "-O2", "-g", "-Wall", "-Wextra", "-o", str(out),
                        str(src)], check=True)


# --- the table -----------------------------------------------------------------

def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def ratio(a, b):
    if not isinstance(a, float) or not isinstance(b, float) or b <= 0:
        return None
    return a / b


def rfmt(x):
    return "-" if x is None else f"{x:.2f}x"


def verdict(w, med, extra):
    """PASS/FAIL against the issue's targets, from this run's medians."""
    f, u, s, k = (med.get(t) for t in ("fdleak", "untraced", "strace", "strace-k"))
    ok = None
    if w.name == "churn" and ratio(f, s) is not None:
        ok = ratio(f, s) <= 1.0 and (ratio(k, f) is None or ratio(k, f) >= 10)
    elif w.name == "churn-d30" and extra.get("d30/d1") is not None:
        ok = extra["d30/d1"] <= 1.3
    elif w.name == "getppid" and ratio(f, u) is not None:
        ok = ratio(f, u) <= 1.2
    elif w.name in ("tar", "python") and ratio(f, u) is not None:
        ok = ratio(f, u) <= 2.0 and (ratio(f, s) is None or ratio(f, s) < 1.0)
    elif w.name == "many" and extra.get("rss") is not None:
        ok = extra["rss"] <= 50
    elif w.name == "symstacks" and extra.get("report") is not None:
        ok = extra["report"] <= 2.0
    elif w.html and isinstance(med.get("fdleak"), float):
        ok = med["fdleak"] <= 2.0
    elif w.attach and w.sample == 10 and extra.get("finds"):
        finds = extra["finds"]
        ok = ratio(u, f) is not None and ratio(u, f) >= 0.6 and all(
            t is not None and t <= 30 for t, _, _ in finds) and \
            sum(x for _, x, _ in finds) == 0
    elif w.attach and w.sample == 100 and ratio(f, s) is not None:
        # us per request: at least strace -p's request rate.
        ok = ratio(f, s) <= 1.0
    return "" if ok is None else ("PASS" if ok else "FAIL")


RATIO_COLS = ["floor/untr", "fdleak/untr", "fdleak/floor", "fdleak/strace",
              "strace-k/fdleak", "fdleak RSS MB"]


def unavailable_row(w, cell, note):
    """A row for a workload that cannot run here."""
    return [w.name] + [cell] * len(TOOLS) + ["-"] * len(RATIO_COLS) + [
        w.target, "", note]


def table(rows):
    head = ["workload"] + [HEAD[t] for t in TOOLS] + RATIO_COLS + [
        "target", "", "notes"]
    lines = [head]
    for r in rows:
        lines.append(r)
    width = [max(len(str(l[i])) for l in lines) for i in range(len(head))]
    out = []
    for n, l in enumerate(lines):
        cells = []
        for i, c in enumerate(l):
            c = str(c)
            cells.append(c.ljust(width[i]) if i in (0, len(head) - 3, len(head) - 2, len(head) - 1)
                         else c.rjust(width[i]))
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in width))
    return "\n".join(out)


# --- main ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="1 run each, small sizes, results not written")
    ap.add_argument("--only", action="append", default=[],
                    help="run only this workload (repeatable; a prefix works)")
    ap.add_argument("--runs", type=int, default=None,
                    help="alternating rounds (default 5, quick 1)")
    ap.add_argument("--k-runs", type=int, default=None,
                    help="rounds that also run strace -k (default 2, quick 1)")
    ap.add_argument("--attach-seconds", type=float, default=None,
                    help="wrk duration per attach cell (default 2, quick 1)")
    ap.add_argument("--no-write", action="store_true",
                    help="do not write tests/bench/RESULTS.md")
    ap.add_argument("--write", action="store_true",
                    help="write RESULTS.md even with --quick or --only")
    ap.add_argument("--baseline", metavar="FDLEAK",
                    help="another fdleak binary (an earlier build) run in the "
                    "same rounds, as the column 'baseline': before and after")
    args = ap.parse_args()

    fdleak = os.environ.get("FDLEAK", str(ROOT / "fdleak"))
    if not os.path.isabs(fdleak):
        fdleak = str(ROOT / fdleak)
    if not os.access(fdleak, os.X_OK):
        raise SystemExit(f"{fdleak}: not built (make)")
    os.chdir(ROOT)
    build_workloads()
    # A private copy: a rebuild of ./fdleak during the run changes nothing.
    snapdir = tempfile.mkdtemp(prefix="fdleak-bench-")
    built = datetime.datetime.fromtimestamp(os.stat(fdleak).st_mtime,
                                            datetime.timezone.utc)
    shutil.copy2(fdleak, os.path.join(snapdir, "fdleak"))
    try:
        return run_all(args, os.path.join(snapdir, "fdleak"),
                       f"{os.path.relpath(fdleak, ROOT)} built {built:%Y-%m-%d %H:%M} UTC")
    finally:
        shutil.rmtree(snapdir, ignore_errors=True)


def run_all(args, fdleak, fdleak_built):
    runs = args.runs or (1 if args.quick else 5)
    kruns = args.k_runs if args.k_runs is not None else (1 if args.quick else 2)
    asecs = args.attach_seconds or (1 if args.quick else 2)
    env = Env(fdleak)
    env.baseline = args.baseline
    if args.baseline:
        # The default column list of every workload: the baseline joins it.
        TOOLS.append("baseline")
        HEAD["baseline"] = "baseline"
    env.wake = wake_probe()
    log(env.wake)
    env.built = fdleak_built
    load0 = os.getloadavg()
    if load0[0] > 0.5 * (os.cpu_count() or 1):
        log(f"warning: load average {load0[0]:.2f} on {os.cpu_count()} CPUs: "
            "other work on this machine makes the medians noisy")

    wls = workloads(args.quick)
    if args.only:
        wls = [w for w in wls if any(w.name == o or w.name.startswith(o)
                                     for o in args.only)]
        if not wls:
            raise SystemExit("--only matches no workload")

    rows, notes_all, raw = [], [], []
    t_start = time.monotonic()
    for w in wls:
        log(f"== {w.name}")
        samples = {t: [] for t in TOOLS}
        cell = {}
        extra = {}
        nginx = None
        if w.attach:
            if not env.fdleak_attach:
                rows.append(unavailable_row(w, "not built", "fdleak has no -p"))
                continue
            if not shutil.which("nginx") or not shutil.which("wrk"):
                rows.append(unavailable_row(w, "n/a", "needs nginx and wrk "
                                            "(apt-get install nginx wrk)"))
                continue
            try:
                nginx = Nginx()
            except Failed as e:
                rows.append(unavailable_row(w, "n/a", str(e)[:60]))
                continue
        argv = w.argv() if w.argv else None
        if w.html:
            rows.append(html_row(w, env, argv, runs))
            continue
        report_tail = {"fdleak": [], "depth0": []}
        paired, alone = [], []
        try:
            for r in range(runs):
                for t in w.tools:
                    if t in w.skip:
                        cell[t] = w.skip[t]
                        continue
                    if t == "strace-k" and r >= min(kruns, w.kmax or kruns):
                        continue
                    if t in cell and isinstance(cell[t], str):
                        continue	# failed or not available earlier
                    if w.attach:
                        if attach_cmd(env, t, 0) is None and t != "untraced":
                            cell[t] = "n/a"
                            continue
                        try:
                            samples[t].append(attach_run(
                                env, nginx, t, cell_seconds(w, asecs),
                                w.sample))
                        except Failed as e:
                            cell[t] = "ERR"
                            notes_all.append(f"{w.name} {t}: {e}")
                        if not nginx.alive():
                            raise Failed(f"nginx worker died under {t}")
                        continue
                    cmd = env.wrap(t, argv)
                    if cmd is None:
                        cell[t] = "n/a"
                        continue
                    try:
                        if w.seccomp_alone and t == "untraced" and FLOOR.exists():
                            alone.append(timed([str(FLOOR), "--seccomp-only", "--"] + argv))
                        if w.pair and t == "fdleak":
                            paired.append(timed(env.wrap(t, w.pair())))
                        if w.report_ts and t == "fdleak":
                            secs, out, end = timed(cmd, capture=True)
                            report_tail["fdleak"].append(end - int(out.split()[-1]) / 1e9)
                            # The same without stacks: what is left is not symbolizing.
                            _, out, end = timed(env.wrap(t, argv, ["--depth=0"]), capture=True)
                            report_tail["depth0"].append(end - int(out.split()[-1]) / 1e9)
                        else:
                            secs = timed(cmd)
                        samples[t].append(secs)
                    except (Failed, subprocess.TimeoutExpired) as e:
                        cell[t] = "ERR"
                        notes_all.append(f"{w.name} {t}: {e}")
                log(f"   round {r + 1}/{runs}: " + "  ".join(
                    f"{t}={samples[t][-1]:.3f}" for t in w.tools
                    if len(samples[t]) == r + 1))
            if w.attach and nginx.planted:
                extra["finds"] = []
                for i in range(find_runs(w, args.quick)):
                    res = find_planted(env.fdleak, nginx, w.sample)
                    extra["finds"].append(res)
                    log(f"   find {i + 1}: found after {res[0]} s, "
                        f"{res[1]} false leaks")
                    if not nginx.alive():
                        raise Failed("nginx worker died while finding")
        except Failed as e:
            notes_all.append(f"{w.name}: {e}")
        finally:
            if nginx is not None:
                nginx.stop()
        med = {}
        for t in TOOLS:
            if t not in w.tools:
                cell[t] = "-"
            if samples[t] and t not in cell:
                med[t] = statistics.median(samples[t])
                cell[t] = med[t]
            cell.setdefault(t, "-")
        notes = []
        if paired and len(paired) == len(samples["fdleak"]):
            # Median of per-round ratios: each pair ran back to back.
            extra["d30/d1"] = statistics.median(
                a / b for a, b in zip(samples["fdleak"], paired))
            notes.append(f"d30/d1 = {extra['d30/d1']:.2f}x (paired per round; "
                         f"d1 median {statistics.median(paired):.2f} s)")
        u = med.get("untraced")
        if alone and ratio(statistics.median(alone), u):
            extra["seccomp alone"] = ratio(statistics.median(alone), u)
            notes.append(f"seccomp filter alone (no tracer) "
                         f"{extra['seccomp alone']:.2f}x untraced")
        if report_tail["fdleak"]:
            rt = statistics.median(report_tail["fdleak"])
            r0 = statistics.median(report_tail["depth0"])
            extra["report"] = rt
            notes.append(f"after exit {rt:.2f} s (--depth=0: {r0:.2f} s)")
        if ratio(med.get("fdleak"), med.get("baseline")):
            notes.append(f"fdleak/baseline "
                         f"{ratio(med['fdleak'], med['baseline']):.2f}x")
        if w.attach and ratio(u, med.get("fdleak")):
            notes.append(f"{100 * ratio(u, med['fdleak']):.0f}% of untraced "
                         "throughput")
        if extra.get("finds"):
            notes.append(find_summary(extra["finds"]))
            raw.append(f"{w.name} found after (s): " + " ".join(
                "-" if t is None else f"{t:.1f}" for t, _, _ in extra["finds"]))
        rss = None
        if not w.attach and "fdleak" in med:
            try:
                rss = peak_rss(env.wrap("fdleak", argv))
                extra["rss"] = rss
                if w.name == "many":
                    # Growth with outstanding fds: the same at a tenth of them.
                    small = [argv[0], str(int(argv[1]) // 10), argv[2]]
                    rss10 = peak_rss(env.wrap("fdleak", small))
                    per = (rss - rss10) * 1048576 / (int(argv[1]) - int(small[1]))
                    notes.append(f"RSS at {small[1]} fds {rss10:.1f} MB: "
                                 f"{per:.0f} B per outstanding fd")
            except Failed as e:
                notes_all.append(f"{w.name} rss: {e}")
        raw.append(f"{w.name}: " + "; ".join(
            f"{HEAD[t]} " + " ".join(fmt(x) for x in samples[t])
            for t in TOOLS if samples[t]))
        runs_note = ", ".join(f"{HEAD[t]} n={len(samples[t])}" for t in TOOLS
                              if samples[t] and len(samples[t]) != runs)
        if runs_note:
            notes.append(runs_note)
        f = med.get("fdleak")
        fl = med.get("floor")
        if w.name in ("getppid", "tar", "python") and ratio(fl, med.get("untraced")):
            limit = 1.2 if w.name == "getppid" else 2.0
            if ratio(fl, med.get("untraced")) > limit:
                notes.append(f"the ptrace floor alone is over {limit}x")
        rows.append([w.name] + [fmt(cell[t]) for t in TOOLS] + [
            rfmt(ratio(fl, med.get("untraced"))),
            rfmt(ratio(f, med.get("untraced"))),
            rfmt(ratio(f, fl)),
            rfmt(ratio(f, med.get("strace"))),
            rfmt(ratio(med.get("strace-k"), f)),
            "-" if rss is None else f"{rss:.1f}",
            w.target, verdict(w, med, extra), "; ".join(notes)])

    elapsed = time.monotonic() - t_start
    tab = table(rows)
    print()
    print(tab)
    for n in notes_all:
        print("note: " + n)
    print(f"\n{runs} alternating rounds (strace -k: {kruns}), {elapsed:.0f} s, "
          f"load average at start {load0[0]:.2f}; {env.wake}")
    if (args.quick or args.only) and not args.write or args.no_write:
        print("(not written to RESULTS.md" + (": quick or --only run)" if not args.no_write else ")"))
        return 0
    write_results(env, tab, notes_all, raw, runs, kruns, asecs, elapsed, load0, args)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def html_row(w, env, argv, runs):
    """The html row: the page of argv's report opened in Chromium, runs
    times, each in a fresh browser."""
    sys.path.insert(0, str(ROOT / "tests" / "integration"))
    import browser
    cells = {t: "-" for t in TOOLS}
    notes = []
    if browser.chromium_path() is None:
        return unavailable_row(w, "n/a", "needs chromium (apt-get install "
                               "chromium)")
    tmp = tempfile.mkdtemp(prefix="fdleak-bench-html-")
    try:
        saved, page = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.html")
        timed([env.fdleak, "--format=json", "-o", saved, "--"] + argv)
        t_from = timed([env.fdleak, "--from=" + saved, "--format=html",
                        "-o", page])
        secs = []
        for r in range(runs):
            with browser.Browser(width=1280, height=900) as b:
                t0 = time.monotonic()
                load = b.open("file://" + page)
                b.evaluate("new Promise(r => requestAnimationFrame(() => "
                           "requestAnimationFrame(r)))")
                secs.append(time.monotonic() - t0)
                sites = b.evaluate("document.querySelectorAll('details.site')"
                                   ".length")
            log(f"   round {r + 1}/{runs}: load event {load:.3f} s, painted "
                f"{secs[-1]:.3f} s, {sites} sites")
        cells["fdleak"] = statistics.median(secs)
        notes.append(f"{sites} sites, page {os.path.getsize(page) / 1e6:.1f} "
                     f"MB written by --from in {t_from:.2f} s; "
                     f"runs {' '.join(f'{x:.2f}' for x in secs)}")
    except (Failed, browser.BrowserError) as e:
        return unavailable_row(w, "ERR", str(e)[:80])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [w.name] + [fmt(cells[t]) for t in TOOLS] + ["-"] * len(
        RATIO_COLS) + [w.target, verdict(w, cells, {}), "; ".join(notes)]


def wake_probe():
    """What a wakeup costs here: a ptrace stop is two of them."""
    parts = []
    if FLOOR.exists():
        p = subprocess.run([str(FLOOR), "--wake-latency"], capture_output=True,
                           text=True)
        v = p.stdout.split()
        if p.returncode == 0 and len(v) == 2:
            other, same = (float(x) for x in v)
            parts.append(f"wakeup median {other:.0f} us on the other CPU, "
                         f"{same:.0f} us on the same one (floor --wake-latency)")
    try:
        gov = Path("/sys/devices/system/cpu/cpuidle/current_governor_ro").read_text().strip()
        parts.append(f"cpuidle governor {gov}")
        if gov == "haltpoll":
            hp = Path("/sys/module/haltpoll/parameters/guest_halt_poll_ns").read_text().strip()
            parts.append(f"guest_halt_poll_ns={hp}")
    except OSError:
        pass
    return "; ".join(parts) or "wakeup cost not measured"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def write_results(env, tab, notes, raw, runs, kruns, asecs, elapsed, load0, args):
    now = datetime.datetime.now(datetime.timezone.utc)
    sec = [f"## {now:%Y-%m-%d %H:%M} UTC, {platform.node()}", "",
           f"- kernel {platform.release()}, {cpu_model()}, {os.cpu_count()} CPUs, "
           f"load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}",
           f"- {env.wake}",
           f"- {runs} alternating rounds, strace -k {kruns}, attach cells "
           f"{asecs:g} s of wrk each; bench took {elapsed:.0f} s"
           + (" (--quick)" if args.quick else "")
           + (f" (--only {' '.join(args.only)})" if args.only else ""),
           f"- {env.built}",
           "- " + "; ".join(f"{k}: {v}" for k, v in env.versions().items()),
           "", "```", tab, "```", ""]
    for n in notes:
        sec.append(f"note: {n}  ")
    sec += ["", "<details><summary>every run (seconds; attach: us/request)</summary>",
            "", "```"] + raw + ["```", "</details>", ""]
    header = ("# fdleak benchmark results\n\n"
              "Written by `make bench` (tests/bench/bench.py), newest first.\n"
              "Cells are median wall seconds (attach row: microseconds per\n"
              "request); ratios are of those medians, from the same run.\n\n")
    old = RESULTS.read_text() if RESULTS.exists() else ""
    i = old.find("\n## ")
    body = old[i + 1:] if i >= 0 else ""
    RESULTS.write_text(header + "\n".join(sec) + "\n" + body)


if __name__ == "__main__":
    sys.exit(main())
