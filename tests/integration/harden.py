#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hardening tests of fdleak: it never harms the traced program, never loses
a leak, and survives every bad input.

    transparent-*   real programs print the same bytes on stdout and stderr
                    and exit the same, traced (with -o FILE) and untraced
    fault-*         the tracee or fdleak killed, signalled or orphaned
    scale-*         many threads, processes, fds; high fd numbers; long
                    paths; memory over a long trace
    bad-*           bad options, pids, commands and output files: one line
                    on stderr and the documented exit status
    garbage-*       syscalls given bad or vanishing memory
    i386-*          32-bit syscalls and programs

The victims are tests/victims/h_*.c (built by `make` into build/victims/);
they state their leaks on stdout as tests/victims/victim.h describes.

Usage: FDLEAK=path/to/fdleak harden.py [-v] [--long] [NAME|GLOB...]
       harden.py --list [--long]
  -v       show the commands and outputs of failed tests
  --long   also run the long tests (an hour with --interval)
Prints "ok NAME", "FAIL NAME: reason" or "skip NAME: reason" per test and
ends with "N passed, N failed[, N skipped]"; exits 1 if anything failed.
FDLEAK defaults to ./fdleak; a path containing "asan" multiplies every
time limit by 4 (or FDLEAK_TIMEOUT_SCALE).
"""

import fcntl
import fnmatch
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time

from common import (ROOT, VICTIMS, TIMEOUT, SANITIZER_MARKS, Failure,
                    Skip, fail_if, shell_status, read_status)

PYTHON = "/usr/bin/python3"
# Every process a test starts carries this in its environment, so that
# strays are found and killed after the test, whatever became of them.
TOKEN_VAR = "FDLEAK_HARDEN_TOKEN"
TOKEN = "%d-%s" % (os.getpid(), secrets.token_hex(6))


# --------------------------------------------------------------------------
# /proc


def proc_status(pid):
    """/proc/PID/status as a dict, or None if the process is gone."""
    return read_status(pid)


def proc_state(pid):
    """The State letter of pid ('R', 'S', 't', 'T', 'Z', ...), None if gone."""
    st = proc_status(pid)
    return st["State"][:1] if st and "State" in st else None


def tasks_of(pid):
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except OSError:
        return []


def task_status(pid, tid):
    return read_status(pid, tid)


def vm_rss_kib(pid):
    st = proc_status(pid)
    if not st or "VmRSS" not in st:
        return None
    return int(st["VmRSS"].split()[0])


def pids_with_token():
    """Processes whose environment carries this run's token."""
    found = []
    needle = ("%s=%s" % (TOKEN_VAR, TOKEN)).encode() + b"\0"
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                env = f.read() + b"\0"
        except OSError:
            continue
        if needle in env:
            found.append(int(name))
    return found


def kill_strays():
    """SIGKILL every process of this run that still exists."""
    for _ in range(3):
        pids = pids_with_token()
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


# --------------------------------------------------------------------------
# Running things


class Result:
    """How a command ended: status as a shell shows it, and its output."""

    def __init__(self, argv, status, stdout, stderr, timed_out, elapsed):
        self.argv = argv
        self.status = status
        self.stdout = stdout        # bytes
        self.stderr = stderr        # bytes
        self.timed_out = timed_out
        self.elapsed = elapsed

    @property
    def out(self):
        return self.stdout.decode(errors="replace")

    @property
    def err(self):
        return self.stderr.decode(errors="replace")


class Background:
    """A process started in a session of its own, whose stdout is read
    line by line as it comes; its stderr goes to a file."""

    def __init__(self, ctx, argv, env=None, cwd=None, **popen):
        self.ctx = ctx
        self.argv = list(argv)
        self.err_path = os.path.join(ctx.tmp, "stderr.%d" % len(ctx.procs))
        self.err_file = open(self.err_path, "wb")
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        if "preexec_fn" not in popen:
            popen["start_new_session"] = True
        self.proc = subprocess.Popen(
            self.argv, stdin=popen.pop("stdin", subprocess.DEVNULL),
            stdout=subprocess.PIPE, stderr=self.err_file,
            env=env if env is not None else ctx.env(), cwd=cwd or ctx.tmp,
            **popen)
        self.pid = self.proc.pid
        ctx.procs.append(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        """The first match of pattern in a line of stdout; Failure after
        timeout (scaled) or if stdout ends first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout * self.ctx.scale
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    break
                self.cond.wait(min(left, 0.2))
        raise Failure("%s: no line matching /%s/ %s" % (
            os.path.basename(self.argv[0]), pattern,
            "before its stdout ended (status %s)" % self.proc.poll()
            if self.eof else "within %gs" % (timeout * self.ctx.scale)))

    def stdout_text(self):
        with self.cond:
            return "\n".join(self.lines) + ("\n" if self.lines else "")

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        """Its status as a shell shows it; Failure if it runs on."""
        try:
            rc = self.proc.wait(timeout=timeout * self.ctx.scale)
        except subprocess.TimeoutExpired:
            raise Failure("%s still running after %gs" % (
                " ".join(self.argv)[:200], timeout * self.ctx.scale))
        self.reader.join(timeout=5)
        self.err_file.close()
        self.ctx.note_text("$ %s (status %d)" % (" ".join(self.argv)[:300],
                                                 shell_status(rc)),
                           "stdout:\n%s\nstderr:\n%s" % (
                               self.stdout_text()[-5000:],
                               self.stderr_text()[-5000:]))
        return shell_status(rc)

    def stderr_text(self):
        if not self.err_file.closed:
            self.err_file.flush()
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def kill(self):
        for target in (lambda: os.killpg(self.pid, signal.SIGKILL),
                       lambda: self.proc.kill()):
            try:
                target()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if not self.err_file.closed:
            self.err_file.close()


class Context:
    """What every test needs: fdleak, a scratch directory, the processes
    it started, and what to show with -v."""

    def __init__(self, fdleak, verbose, long_mode):
        self.fdleak = fdleak
        self.verbose = verbose
        self.long = long_mode
        self.scale = float(os.environ.get("FDLEAK_TIMEOUT_SCALE") or
                           (4 if fdleak and "asan" in fdleak else 1))
        self.asan = bool(fdleak and "asan" in fdleak)
        self.tmp = None
        self.log = []
        self.procs = []

    def begin(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fdleak-harden-"))
        self.log = []
        self.procs = []

    def end(self):
        for p in self.procs:
            p.kill()
        kill_strays()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, **extra):
        env = dict(os.environ)
        env.update(LC_ALL="C", FDLEAK_EXPECT="1", FDLEAK_VICTIM_DIR=self.tmp)
        env.pop("FDLEAK_SELFCHECK", None)
        env[TOKEN_VAR] = TOKEN
        env.update(extra)
        return env

    def plain_env(self, **extra):
        """The environment of real programs: no victim protocol."""
        env = self.env(**extra)
        env.pop("FDLEAK_EXPECT", None)
        return env

    def note_text(self, title, text):
        self.log.append("--- %s\n%s" % (title, (text or "").rstrip("\n")))

    def run(self, argv, env=None, timeout=TIMEOUT, cwd=None, check_san=None):
        """Run argv to its end in a session of its own (its strays are
        killed); Failure if it outlives timeout (scaled)."""
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                env=env if env is not None else self.env(),
                                cwd=cwd or self.tmp, start_new_session=True)
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout * self.scale)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.kill()
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                out, err = b"", b"(output lost)"
                proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        res = Result(argv, shell_status(proc.returncode), out, err,
                     timed_out, time.monotonic() - start)
        self.note_text("$ %s (status %d, %.1fs)" % (
            show(argv)[:300], res.status, res.elapsed),
            "stdout:\n%s\nstderr:\n%s" % (res.out[-8000:], res.err[-8000:]))
        if timed_out:
            raise Failure("timed out after %gs: %s" % (
                timeout * self.scale, show(argv)[:200]))
        if check_san if check_san is not None else argv[0] == self.fdleak:
            sanitizer_check(res.err)
        return res

    def report_path(self):
        return os.path.join(self.tmp, "report.json")

    def trace_json(self, argv, opts=(), env=None, timeout=TIMEOUT, cwd=None):
        """fdleak --format=json -o FILE opts -- argv: (result, report)."""
        path = self.report_path()
        if os.path.exists(path):
            os.unlink(path)
        res = self.run([self.fdleak, "--format=json", "-o", path] +
                       list(opts) + ["--"] + list(argv), env=env,
                       timeout=timeout, cwd=cwd)
        return res, self.load_report(path, res.status)

    def load_report(self, path, status=None):
        if not os.path.exists(path):
            raise Failure("no JSON report at %s (fdleak exited %s)" %
                          (path, status))
        with open(path, "rb") as f:
            raw = f.read()
        self.note_text("report", raw[:20000].decode(errors="replace"))
        try:
            report = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise Failure("fdleak wrote bad JSON: %s" % e)
        check_schema(report)
        return report


def show(argv):
    """argv as one line, bytes arguments included."""
    return " ".join(os.fsdecode(a) if isinstance(a, bytes) else str(a)
                    for a in argv)


def sanitizer_check(stderr_text):
    for mark in SANITIZER_MARKS:
        if mark in stderr_text:
            raise Failure("fdleak: sanitizer report: %s" % mark)


def victim(name):
    path = os.path.join(VICTIMS, name)
    if not os.access(path, os.X_OK):
        raise Failure("victim %s is not built (run `make victims`)" % path)
    return path


# --------------------------------------------------------------------------
# The victims' protocol (tests/victims/victim.h)


FIELD = re.compile(r'(\w+)=(\S*)')
KEYWORDS = ("EXPECT", "EXPECT_COUNT", "PROC", "EXIT", "SKIP", "ERROR",
            "SELFCHECK", "OPEN", "UNKNOWN")


def parse_fields(rest, last="target"):
    """key=value words; the field named last runs to the end of the line."""
    fields = {}
    cut = rest.find(" %s=" % last)
    if rest.startswith(last + "="):
        fields[last] = rest[len(last) + 1:]
        rest = ""
    elif cut >= 0:
        fields[last] = rest[cut + len(last) + 2:]
        rest = rest[:cut]
    for k, v in FIELD.findall(rest):
        fields[k] = v
    return fields


class Protocol:
    """What a victim's stdout says: leaks, processes, exits, open fds."""

    def __init__(self, stdout):
        self.expects = []       # dicts, pid and fd ints
        self.counts = []        # EXPECT_COUNT dicts
        self.unknowns = []      # UNKNOWN dicts: fds of untraced syscalls
        self.procs = {}         # pid -> ppid
        self.exits = {}         # pid -> ("code", n) | ("signal", name)
        self.skips = []
        self.errors = []
        self.open = {}          # pid -> {fd: fields} (FDLEAK_SELFCHECK)
        self.other = []         # lines of the program's own
        for line in stdout.splitlines():
            word, _, rest = line.partition(" ")
            if word not in KEYWORDS:
                self.other.append(line)
                continue
            if word == "ERROR":
                self.errors.append(rest)
                continue
            if word == "SKIP":
                self.skips.append(rest)
                continue
            f = parse_fields(rest, "link" if word == "OPEN" else "target")
            try:
                pid = f["pid"] = int(f["pid"])
            except (KeyError, ValueError):
                self.errors.append("malformed line: " + line)
                continue
            if "fd" in f:
                f["fd"] = int(f["fd"])
            if word == "EXPECT":
                self.expects.append(f)
            elif word == "EXPECT_COUNT":
                f["count"] = int(f["count"])
                self.counts.append(f)
            elif word == "UNKNOWN":
                self.unknowns.append(f)
            elif word == "PROC":
                self.procs[pid] = int(f.get("ppid", -1))
            elif word == "EXIT":
                self.exits[pid] = (("signal", f["signal"]) if "signal" in f
                                   else ("code", int(f.get("code", -1))))
            elif word == "SELFCHECK":
                self.open.setdefault(pid, {})
            elif word == "OPEN":
                self.open.setdefault(pid, {})[f["fd"]] = f

    def check(self):
        if self.errors:
            raise Failure("victim error: " + "; ".join(self.errors))


def own_output(stdout, drop=()):
    """A victim's stdout without the protocol lines (and lines starting
    with a word in drop)."""
    keep = []
    for line in stdout.splitlines():
        word = line.partition(" ")[0]
        if word in KEYWORDS or word in drop:
            continue
        keep.append(line)
    return "\n".join(keep)


# --------------------------------------------------------------------------
# The JSON report


def check_schema(report):
    """The shape of the JSON report, as the manual documents it."""
    def need(obj, keys, what):
        if not isinstance(obj, dict):
            raise Failure("JSON %s is not an object: %r" % (what, obj))
        for k in keys:
            if k not in obj:
                raise Failure("JSON %s has no %r: %r" % (what, k, obj))
    need(report, ("version", "processes", "summary"), "report")
    if not isinstance(report["processes"], list):
        raise Failure("JSON processes is not a list")
    for p in report["processes"]:
        need(p, ("pid", "ppid", "command", "exit_code", "exit_signal",
                 "leaks"), "process")
        for leak in p["leaks"]:
            need(leak, ("fd", "kind", "target", "syscall", "tid", "cloexec",
                        "across_exec", "origin", "backtrace"), "leak")
            if leak["origin"] not in ("syscall", "unknown"):
                raise Failure("JSON leak origin %r" % leak["origin"])
            for frame in leak["backtrace"]:
                need(frame, ("pc", "module", "offset", "function", "file",
                             "line", "inlined"), "frame")
    need(report["summary"], ("leaks", "processes"), "summary")
    total = sum(len(p["leaks"]) for p in report["processes"])
    if report["summary"]["leaks"] != total:
        raise Failure("summary.leaks %r, but %d leaks listed" %
                      (report["summary"]["leaks"], total))


def processes(report):
    """pid -> process object (the last entry of a pid)."""
    return {p["pid"]: p for p in report["processes"]}


def leaks_of(report, pid):
    """fd -> leak for pid, fds 0-2 aside."""
    out = {}
    for p in report["processes"]:
        if p["pid"] == pid:
            for leak in p["leaks"]:
                out[leak["fd"]] = leak
    return out


def functions(leak):
    return [f.get("function") for f in leak["backtrace"]]


def describe(leak):
    return "fd %s %s %s %s %r" % (leak["fd"], leak["kind"], leak["origin"],
                                  leak["syscall"], leak["target"])


def target_ok(expected, got):
    """Paths must be exact; other fds are described by fdleak in its own
    words (pipe ends, socket addresses): those only need a target."""
    if expected is None:
        return True
    if expected.startswith("/"):
        return got == expected
    return isinstance(got, str) and got != ""


def compare_expect(exp, leak, origin="syscall"):
    """Problems between an EXPECT (or UNKNOWN) line and a reported leak."""
    bad = []
    if leak["kind"] != exp["kind"]:
        bad.append("kind %r, expected %r" % (leak["kind"], exp["kind"]))
    if not target_ok(exp.get("target"), leak["target"]):
        bad.append("target %r, expected %r" % (leak["target"],
                                                exp.get("target")))
    if leak["origin"] != origin:
        bad.append("origin %r, expected %r" % (leak["origin"], origin))
    if origin == "syscall":
        if leak["syscall"] != exp["syscall"]:
            bad.append("syscall %r, expected %r" % (leak["syscall"],
                                                     exp["syscall"]))
        if "tid" in exp and leak["tid"] != int(exp["tid"]):
            bad.append("tid %r, expected %s" % (leak["tid"], exp["tid"]))
        if "cloexec" in exp and leak["cloexec"] != (exp["cloexec"] == "1"):
            bad.append("cloexec %r" % leak["cloexec"])
        if leak["across_exec"] != (exp.get("across_exec") == "1"):
            bad.append("across_exec %r" % leak["across_exec"])
        if exp.get("function") and exp["function"] not in functions(leak):
            bad.append("no frame in %s (backtrace %s)" % (
                exp["function"], ",".join(map(str, functions(leak)[:8]))))
    else:
        if leak["syscall"] is not None:
            bad.append("syscall %r, expected null" % leak["syscall"])
        if leak["backtrace"]:
            bad.append("a backtrace of %d frames" % len(leak["backtrace"]))
    return bad


def check_leaks(proto, report, pids=None, maybe=None):
    """The leaks of each process (or of pids) are exactly what the victim
    said: its EXPECT lines (origin syscall), UNKNOWN lines (origin
    unknown) and EXPECT_COUNT lines (counted by function). A leak nobody
    announced is a problem unless maybe(leak) says it may be there."""
    problems = []
    wanted = {e["pid"] for e in proto.expects + proto.unknowns +
              proto.counts}
    reported = {p["pid"] for p in report["processes"] if p["leaks"]}
    for pid in sorted(pids if pids is not None else wanted | reported):
        leaks = {fd: l for fd, l in leaks_of(report, pid).items() if fd > 2}
        exp = {e["fd"]: (e, "syscall") for e in proto.expects
               if e["pid"] == pid and e["fd"] > 2}
        exp.update({e["fd"]: (e, "unknown") for e in proto.unknowns
                    if e["pid"] == pid and e["fd"] > 2})
        counts = {c["function"]: [c, 0] for c in proto.counts
                  if c["pid"] == pid}
        for fd, leak in sorted(leaks.items()):
            if fd in exp:
                e, origin = exp.pop(fd)
                bad = compare_expect(e, leak, origin)
                if bad:
                    problems.append("pid %d fd %d: %s" % (pid, fd,
                                                          "; ".join(bad)))
                continue
            site = next((c for f, c in counts.items()
                         if f in functions(leak)), None)
            if site is None and maybe is not None and maybe(leak):
                continue
            if site is None:
                problems.append("pid %d: unexpected leak %s" %
                                (pid, describe(leak)))
                continue
            site[1] += 1
            if (leak["kind"], leak["syscall"]) != (site[0]["kind"],
                                                   site[0]["syscall"]):
                problems.append("pid %d: %s" % (pid, describe(leak)))
        for fd, (e, origin) in sorted(exp.items()):
            problems.append("pid %d: fd %d not reported (%s %s)" % (
                pid, fd, e["kind"], e.get("syscall", "origin unknown")))
        for f, (c, n) in counts.items():
            if n != c["count"]:
                problems.append("pid %d: %d leaks from %s, expected %d" %
                                (pid, n, f, c["count"]))
    return problems


def check_processes(proto, report):
    """The processes, parents and ends are the ones the victim said."""
    problems = []
    procs = processes(report)
    if len(procs) != len(report["processes"]):
        problems.append("a pid is listed twice")
    if report["summary"]["processes"] != len(report["processes"]):
        problems.append("summary.processes %r, %d listed" % (
            report["summary"]["processes"], len(report["processes"])))
    if set(procs) != set(proto.procs):
        problems.append("processes %s, expected %s" % (
            sorted(procs)[:10], sorted(proto.procs)[:10]))
    for pid, p in sorted(procs.items()):
        if pid in proto.procs and p["ppid"] != proto.procs[pid]:
            problems.append("pid %d: ppid %r, expected %d" %
                            (pid, p["ppid"], proto.procs[pid]))
        end = proto.exits.get(pid)
        if end is None:
            continue
        got = (("signal", p["exit_signal"]) if p["exit_signal"] else
               ("code", p["exit_code"]))
        if got != end:
            problems.append("pid %d: ended %s %s, expected %s %s" % (
                pid, got[0], got[1], end[0], end[1]))
    return problems


# --------------------------------------------------------------------------
# Tests


TESTS = []


class Test:
    def __init__(self, name, fn, long=False):
        self.name = name
        self.fn = fn
        self.long = long


def test(name, long=False):
    def wrap(fn):
        TESTS.append(Test(name, fn, long))
        return fn
    return wrap


# Transparency ------------------------------------------------------------


def transparent(ctx, argv, env=None, timeout=TIMEOUT, drop=(), protocol=False,
                cwd=None):
    """Run argv untraced and under fdleak -o FILE: the same stdout, stderr
    and exit status. (untraced result, traced result, report)."""
    env = env if env is not None else ctx.plain_env()
    plain = ctx.run(argv, env=env, timeout=timeout, cwd=cwd)
    traced, report = ctx.trace_json(argv, env=env, timeout=timeout, cwd=cwd)
    problems = []
    if traced.status != plain.status:
        problems.append("exit status %d traced, %d untraced" %
                        (traced.status, plain.status))
    if protocol:
        a, b = own_output(plain.out, drop), own_output(traced.out, drop)
        if a != b:
            problems.append("stdout differs: untraced %r, traced %r" %
                            (a[-300:], b[-300:]))
    elif plain.stdout != traced.stdout:
        problems.append("stdout differs (%d bytes untraced, %d traced): %s" %
                        (len(plain.stdout), len(traced.stdout),
                         first_difference(plain.stdout, traced.stdout)))
    if plain.stderr != traced.stderr:
        problems.append("stderr differs: untraced %r, traced %r" %
                        (plain.stderr[-300:], traced.stderr[-300:]))
    fail_if(problems)
    return plain, traced, report


def first_difference(a, b):
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
             min(len(a), len(b)))
    return "first at byte %d: %r vs %r" % (n, a[n:n + 40], b[n:n + 40])


def leak_note(report):
    return "%d leak(s) in %d process(es)" % (report["summary"]["leaks"],
                                             len(report["processes"]))


def simple_transparent(name, argv_fn, **kw):
    def fn(ctx):
        _, _, report = transparent(ctx, argv_fn(ctx), **kw)
        return leak_note(report)
    TESTS.append(Test(name, fn))


simple_transparent("transparent-ls", lambda c: ["ls", "-la", "/etc"])
simple_transparent("transparent-cat", lambda c: [
    "cat", "/etc/passwd", "/etc/hostname", "/usr/include/stdio.h"])
simple_transparent("transparent-sort", lambda c: [
    "sort", "-r", "/usr/include/stdio.h", "/usr/include/unistd.h"])
simple_transparent("transparent-find-head", lambda c: [
    "sh", "-c", "find /usr/include -name '*.h' | head"])
simple_transparent("transparent-tar-md5sum", lambda c: [
    "sh", "-c", "tar -cf - /usr/include/linux | md5sum"])
simple_transparent("transparent-bash-pipelines", lambda c: [
    "bash", "-c", "(echo a; echo b) | sort -r; x=$(echo sub); echo $x; "
    "{ cat /etc/hostname; } 2>&1 | wc -c"])
simple_transparent("transparent-failing-pipeline", lambda c: [
    "bash", "-c", "set -o pipefail; ls /nonexistent-fdleak 2>&1 | cat; "
    "echo status ${PIPESTATUS[*]} >&2; (exit 3) | true; "
    "false | (exit 41)"])
# The seccomp filter must not turn on speculation mitigations the program
# runs without (SECCOMP_FILTER_FLAG_SPEC_ALLOW).
simple_transparent("transparent-speculation", lambda c: [
    "grep", "-E", "^(Speculation_Store_Bypass|SpeculationIndirectBranch):",
    "/proc/self/status"])

FD_TABLE = r"""
import os, re, sys
fds = []
for name in sorted(os.listdir("/proc/self/fd"), key=int):
    try:
        link = os.readlink("/proc/self/fd/" + name)
    except OSError:
        continue
    flags = open("/proc/self/fdinfo/" + name).read().split("flags:")[1]
    fds.append("%s %s %s" % (name, re.sub(r"[0-9]+", "N", link),
                             flags.split()[0]))
with open(sys.argv[1], "w") as f:
    f.write("\n".join(fds) + "\n")
"""


def fd_table_test(name, closed):
    def fn(ctx):
        """The command's fd table, flags included, is the same traced and
        untraced: fdleak's own fds (its report, /proc) never reach it."""
        if not os.access(PYTHON, os.X_OK):
            raise Skip("%s is not installed" % PYTHON)
        tables = []
        for traced in (False, True):
            out = os.path.join(ctx.tmp, "fds.%d" % traced)
            argv = [PYTHON, "-c", FD_TABLE, out]
            if traced:
                argv = [ctx.fdleak, "--format=json", "-o",
                        ctx.report_path(), "--"] + argv
            if closed:
                argv = ["sh", "-c", 'exec <&- >&- 2>&-; exec "$@"',
                        "sh"] + argv
            res = ctx.run(argv, env=ctx.plain_env(), check_san=traced)
            if res.status != 0 or not os.path.exists(out):
                raise Failure("%s run failed: status %d" % (
                    "traced" if traced else "untraced", res.status))
            with open(out) as f:
                tables.append(f.read())
        if tables[0] != tables[1]:
            raise Failure("fd table untraced %r, traced %r" % tuple(tables))
        ctx.load_report(ctx.report_path())
        return "%d fds" % len(tables[0].splitlines())
    TESTS.append(Test(name, fn))


fd_table_test("transparent-fd-table", False)
fd_table_test("transparent-fd-table-std-closed", True)

SH_SCRIPT = r"""
set -e
dir=$1
for i in 1 2 3 4 5; do
    echo "line $i" > "$dir/f$i" &
done
wait
cat "$dir"/f* | sort | uniq -c
( cd "$dir" && ls | wc -l ) 2>&1
exec 3>"$dir/log"
echo to-three >&3
exec 3>&-
sub=$(sh -c 'echo inner $((6 * 7))')
echo "$sub"
trap 'echo trapped >&2' EXIT
echo done | tr a-z A-Z
"""


@test("transparent-sh-script")
def _sh_script(ctx):
    script = os.path.join(ctx.tmp, "script.sh")
    with open(script, "w") as f:
        f.write(SH_SCRIPT)
    for shell in ("sh", "bash"):
        # Each run writes its files into a directory of its own.
        dirs = []
        for run in ("plain", "traced"):
            dirs.append(os.path.join(ctx.tmp, "%s-%s" % (shell, run)))
            os.mkdir(dirs[-1])
        env = ctx.plain_env()
        plain = ctx.run([shell, script, dirs[0]], env=env)
        traced, report = ctx.trace_json([shell, script, dirs[1]], env=env)
        if (plain.status, plain.stdout, plain.stderr) != \
                (traced.status, traced.stdout, traced.stderr):
            raise Failure("%s: untraced %d %r %r, traced %d %r %r" % (
                shell, plain.status, plain.stdout, plain.stderr,
                traced.status, traced.stdout, traced.stderr))
    return leak_note(report)


PY_THREADS = r"""
import hashlib, os, sys, threading
d = sys.argv[1]
results = {}
lock = threading.Lock()
def work(i):
    h = hashlib.sha256()
    path = os.path.join(d, "t%d" % i)
    for round in range(20):
        with open(path, "w") as f:
            f.write(("%d:%d\n" % (i, round)) * 500)
        with open(path) as f:
            h.update(f.read().encode())
        r, w = os.pipe()
        os.write(w, b"x" * i)
        os.close(w)
        h.update(os.read(r, 100))
        os.close(r)
    os.unlink(path)
    with lock:
        results[i] = h.hexdigest()[:16]
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
for i in sorted(results): print(i, results[i])
print("threads:", len(results), file=sys.stderr)
sys.exit(len(results) - 5)
"""


@test("transparent-python-threads")
def _py_threads(ctx):
    if not os.access(PYTHON, os.X_OK):
        raise Skip("%s is not installed" % PYTHON)
    _, traced, report = transparent(ctx, [PYTHON, "-c", PY_THREADS, ctx.tmp])
    if traced.status != 3 or len(traced.stdout.splitlines()) != 8:
        raise Failure("python ran badly: status %d, %r" %
                      (traced.status, traced.stdout[:200]))
    return leak_note(report)


PERL_THREADS = r"""
use strict; use warnings; use threads; use Digest::MD5 qw(md5_hex);
my $d = shift;
sub work {
    my ($i) = @_;
    my $sum = '';
    for my $round (1..20) {
        my $p = "$d/p$i";
        open(my $w, '>', $p) or die "open $p: $!";
        print $w "$i:$round\n" x 300;
        close $w;
        open(my $r, '<', $p) or die;
        local $/; $sum = md5_hex($sum . <$r>);
        close $r;
        pipe(my $pr, my $pw) or die;
        close $pw; close $pr;
    }
    unlink "$d/p$i";
    return "$i $sum";
}
my @t = map { threads->create(\&work, $_) } 0..7;
print "$_\n" for sort map { $_->join } @t;
print STDERR "perl threads done\n";
exit 4;
"""

PERL_FORK = r"""
use strict; use warnings;
my $d = shift;
my @pids;
for my $i (0..7) {
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(my $w, '>', "$d/f$i") or die; print $w "child $i\n" x 100;
        close $w; exit $i;
    }
    push @pids, $pid;
}
my $sum = 0;
for my $p (@pids) { waitpid($p, 0); $sum += $? >> 8; }
my $lines = 0;
for my $i (0..7) { open(my $r, '<', "$d/f$i") or die; $lines++ while <$r>; }
print "sum $sum lines $lines\n";
print STDERR "perl fork done\n";
exit 5;
"""


@test("transparent-perl-threads")
def _perl_threads(ctx):
    if shutil.which("perl") is None:
        raise Skip("perl is not installed")
    if ctx.run(["perl", "-Mthreads", "-e1"], env=ctx.plain_env()).status:
        raise Skip("this perl has no ithreads (perl -Mthreads fails); "
                   "transparent-perl-fork covers perl")
    if ctx.run(["perl", "-MDigest::MD5", "-e1"], env=ctx.plain_env()).status:
        raise Skip("perl has no Digest::MD5")
    _, traced, report = transparent(ctx, ["perl", "-e", PERL_THREADS,
                                          ctx.tmp])
    if traced.status != 4 or len(traced.stdout.splitlines()) != 8:
        raise Failure("perl ran badly: status %d" % traced.status)
    return leak_note(report)


@test("transparent-perl-fork")
def _perl_fork(ctx):
    if shutil.which("perl") is None:
        raise Skip("perl is not installed")
    _, traced, report = transparent(ctx, ["perl", "-e", PERL_FORK, ctx.tmp])
    if traced.status != 5 or traced.stdout != b"sum 28 lines 800\n":
        raise Failure("perl ran badly: status %d %r" % (traced.status,
                                                       traced.stdout))
    return leak_note(report)


@test("transparent-signals")
def _signals(ctx):
    """SIGALRM, SIGCHLD, SIGSEGV + siglongjmp, SIGSTOP/SIGCONT, RT signals."""
    exe = victim("h_signals")
    _, traced, report = transparent(ctx, [exe], env=ctx.env(), protocol=True)
    proto = Protocol(traced.out)
    proto.check()
    root = root_process(report)
    problems = check_leaks(proto, report, pids=[root["pid"]])
    if traced.status != 3:
        problems.append("status %d, expected 3" % traced.status)
    fail_if(problems)


def root_process(report):
    pids = {p["pid"] for p in report["processes"]}
    roots = [p for p in report["processes"] if p["ppid"] not in pids]
    if len(roots) != 1:
        raise Failure("%d root processes in the report" % len(roots))
    return roots[0]


@test("transparent-vfork-posix-spawn")
def _spawn(ctx):
    exe = victim("h_spawn")
    _, traced, report = transparent(ctx, [exe], env=ctx.env(), protocol=True,
                                    drop=("SHPID",))
    proto = Protocol(traced.out)
    proto.check()
    problems = []
    root = root_process(report)
    problems += check_leaks(proto, report, pids=[root["pid"]])
    m = re.search(r"^SHPID (\d+)$", traced.out, re.M)
    if not m:
        raise Failure("h_spawn did not say the pid of its shell")
    # posix_spawn's file action opened /etc/hostname and dup2'd it onto fd
    # 7 (glibc's spawni) before the exec of sh.
    sh_leaks = leaks_of(report, int(m.group(1)))
    leak = sh_leaks.get(7)
    if leak is None:
        problems.append("posix_spawn'd sh: fd 7 not reported (leaks %s)" %
                        [describe(l) for l in sh_leaks.values()])
    elif (leak["kind"], leak["target"], leak["syscall"],
          leak["across_exec"]) != ("file", "/etc/hostname", "dup2", True):
        problems.append("posix_spawn'd sh fd 7: %s across_exec=%r" %
                        (describe(leak), leak["across_exec"]))
    if traced.status != 4:
        problems.append("status %d, expected 4" % traced.status)
    fail_if(problems)


def thread_exit_test(name, mode, status):
    def fn(ctx):
        exe = victim("h_threadexit")
        _, traced, report = transparent(ctx, [exe, mode], env=ctx.env(),
                                        protocol=True)
        proto = Protocol(traced.out)
        proto.check()
        problems = []
        if traced.status != status:
            problems.append("status %d, expected %d" % (traced.status,
                                                        status))
        if mode == "exec":
            # The fd crossed the exec: the shell holds it.
            for e in proto.expects:
                e["across_exec"] = "1"
        problems += check_processes(proto, report)
        problems += check_leaks(proto, report)
        if mode == "exec":
            p = root_process(report)
            sh = os.path.realpath("/bin/sh")
            if p["command"] is None or os.path.realpath(p["command"]) != sh:
                problems.append("command %r after the exec, expected %s" %
                                (p["command"], sh))
        fail_if(problems)
    TESTS.append(Test(name, fn))


thread_exit_test("transparent-thread-exit-pthread-exit", "pthread-exit", 5)
thread_exit_test("transparent-thread-exit-all-threads", "all-exit", 0)
thread_exit_test("transparent-thread-exit-group", "exit-group", 6)
thread_exit_test("transparent-thread-exec", "exec", 7)


# Faults ------------------------------------------------------------------


def spin_fd(leak):
    """h_loop's loops open /dev/null and close it at once: a process killed
    between the two holds it, and it may be reported (rightly)."""
    return leak["kind"] == "device" and leak["target"] in ("/dev/null", None)


def fdleak_bg(ctx, opts, argv, env=None, **popen):
    """fdleak --format=json -o report.json opts -- argv, in the background."""
    return Background(ctx, [ctx.fdleak, "--format=json", "-o",
                            ctx.report_path()] + list(opts) + ["--"] +
                      list(argv), env=env, **popen)


def finish(ctx, bg, timeout=30):
    status = bg.wait(timeout)
    sanitizer_check(bg.stderr_text())
    return status


def tracee_sigkill_test(name, fmt):
    def fn(ctx):
        """The tracee killed with SIGKILL from outside while it loops."""
        out = ctx.report_path() if fmt == "json" else \
            os.path.join(ctx.tmp, "report.txt")
        bg = Background(ctx, [ctx.fdleak, "--format=" + fmt, "-o", out, "--",
                              victim("h_loop"), "--threads=2"])
        pid = int(bg.wait_for(r"^READY pid=(\d+)", 20).group(1))
        time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
        status = finish(ctx, bg)
        proto = Protocol(bg.stdout_text())
        proto.check()
        problems = []
        if status != 128 + signal.SIGKILL:
            problems.append("fdleak exited %d, expected %d" %
                            (status, 128 + signal.SIGKILL))
        if fmt == "text":
            with open(out, errors="replace") as f:
                text = f.read()
            ctx.note_text("report", text)
            got = sorted(int(x) for x in re.findall(
                r"^fdleak: leak pid=%d fd=(\d+) " % pid, text, re.M))
            spin = sorted(int(x) for x in re.findall(
                r"^fdleak: leak pid=%d fd=(\d+) kind=device .*"
                r"target=(?:\"/dev/null\"|\?)$" % pid, text, re.M))
            want = sorted(e["fd"] for e in proto.expects)
            m = re.search(r"^fdleak: process pid=%d ppid=\d+ (\S+) "
                          r"leaks=(\d+) " % pid, text, re.M)
            if not m:
                problems.append("no process line for pid %d" % pid)
            elif m.groups() != ("signal=SIGKILL", str(len(got))):
                problems.append("process line says %s leaks=%s, expected "
                                "signal=SIGKILL leaks=%d" % (
                                    m.group(1), m.group(2), len(got)))
            # One /dev/null per thread (3) may be between open and close.
            if sorted(set(got) - set(spin)) != want or len(spin) > 3:
                problems.append("leak lines for fds %s, expected %s" %
                                (got, want))
            fail_if(problems)
            return
        report = ctx.load_report(out, status)
        p = processes(report).get(pid)
        if p is None:
            raise Failure("pid %d is not in the report" % pid)
        if (p["exit_code"], p["exit_signal"]) != (None, "SIGKILL"):
            problems.append("exit_code %r exit_signal %r, expected null "
                            "\"SIGKILL\"" % (p["exit_code"],
                                               p["exit_signal"]))
        # The manual allows an unknown target for a process that vanished
        # without stopping in its exit; count how many were known.
        known = sum(1 for l in p["leaks"] if l["target"] is not None)
        for e in proto.expects:
            e.pop("target", None)
        problems += check_leaks(proto, report, maybe=spin_fd)
        fail_if(problems)
        return "%d of %d targets known" % (known, len(p["leaks"]))
    TESTS.append(Test(name, fn))


tracee_sigkill_test("fault-tracee-sigkill", "json")
tracee_sigkill_test("fault-tracee-sigkill-text", "text")


@test("fault-stop-cont-from-outside")
def _stop_cont(ctx):
    """SIGSTOP and SIGCONT sent to a tracee from outside: it stops and goes
    on as it would untraced, no syscall of it failing with EINTR."""
    bg = fdleak_bg(ctx, [], [victim("h_progress")])
    pid = int(bg.wait_for(r"^READY pid=(\d+)", 20).group(1))
    time.sleep(0.3)
    problems = []
    for round in range(3):
        os.kill(pid, signal.SIGSTOP)
        deadline = time.monotonic() + 2 * ctx.scale
        while time.monotonic() < deadline:
            states = [(task_status(pid, t) or {}).get("State", "?")[:1]
                      for t in tasks_of(pid)]
            if states and all(st in ("t", "T") for st in states):
                break
            time.sleep(0.02)
        else:
            problems.append("round %d: threads not all stopped: %s" %
                            (round, states))
        ticks = re.findall(r"^TICK (\d+)$", bg.stdout_text(), re.M)
        time.sleep(0.3)
        if re.findall(r"^TICK (\d+)$", bg.stdout_text(), re.M) != ticks:
            problems.append("round %d: it ran while stopped" % round)
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.3)
        later = re.findall(r"^TICK (\d+)$", bg.stdout_text(), re.M)
        if len(later) <= len(ticks) + 2:
            problems.append("round %d: it did not go on after SIGCONT" %
                            round)
    proto = Protocol(bg.stdout_text())
    if proto.errors:
        problems.append("the tracee saw: %s" % "; ".join(proto.errors))
    os.kill(pid, signal.SIGKILL)
    status = finish(ctx, bg, 15)
    if status != 128 + signal.SIGKILL:
        problems.append("fdleak exited %d after the tracee was killed" %
                        status)
    fail_if(problems)


@test("fault-child-outlives-parent")
def _orphan(ctx):
    """fdleak waits for a child that outlives its parent; both reported."""
    bg = fdleak_bg(ctx, [], [victim("h_orphan")])
    child = int(bg.wait_for(r"^CHILD pid=(\d+)$", 20).group(1))
    try:
        bg.proc.wait(timeout=TIMEOUT * ctx.scale)
    except subprocess.TimeoutExpired:
        raise Failure("fdleak still runs after %gs" % (TIMEOUT * ctx.scale))
    # At once, before stdout is read to its end: is the child gone too?
    still = {child: proc_state(child)}
    status = finish(ctx, bg, TIMEOUT)
    proto = Protocol(bg.stdout_text())
    proto.check()
    report = ctx.load_report(ctx.report_path(), status)
    problems = ["pid %d still there (state %s) when fdleak exited" % (p, s)
                for p, s in sorted(still.items()) if s not in (None, "Z")]
    if status != 2:
        problems.append("fdleak exited %d, expected the parent's 2" % status)
    if not re.search(r"^ORPHAN pid=\d+ outlived=1$", bg.stdout_text(),
                     re.M):
        problems.append("the child did not outlive its parent")
    problems += check_processes(proto, report)
    problems += check_leaks(proto, report)
    fail_if(problems)


def forkkill(ctx, extra):
    """Parents SIGKILLed while they fork (h_forkkill): now and then a child
    exists whose parent's fork event never comes. It must not be held
    stopped, and fdleak must end (it used to wait for them forever)."""
    bg = fdleak_bg(ctx, [], [victim("h_forkkill"), "200"] + extra)
    try:
        bg.proc.wait(timeout=60 * ctx.scale)
    except subprocess.TimeoutExpired:
        held = []
        for name in os.listdir("/proc"):
            st = proc_status(int(name)) if name.isdigit() else None
            if st and st.get("TracerPid") == str(bg.pid) and \
                    st.get("State", "")[:1] == "t":
                held.append(int(name))
        raise Failure("fdleak still runs after %gs; %d of its tracees held "
                      "stopped: %s" % (60 * ctx.scale, len(held), held[:10]))
    status = finish(ctx, bg, TIMEOUT)
    report = ctx.load_report(ctx.report_path(), status)
    problems = []
    if status != 0:
        problems.append("fdleak exited %d, expected 0" % status)
    if not re.search(r"^DONE rounds=200$", bg.stdout_text(), re.M):
        problems.append("h_forkkill did not finish its rounds")
    if report["summary"]["leaks"] != 0:
        problems.append("%d leaks reported; the children leak nothing" %
                        report["summary"]["leaks"])
    fail_if(problems)
    return "%d processes traced" % report["summary"]["processes"]


@test("fault-parent-killed-while-forking")
def _forkkill(ctx):
    return forkkill(ctx, [])


@test("fault-parent-killed-while-forking-subreaper")
def _forkkill_subreaper(ctx):
    """The same under a traced child subreaper: the orphan's new parent is
    alive and traced, so its PPid says nothing; fdleak stops waiting for
    the event after a while (the victim waits for every orphan, so one
    held forever hangs it)."""
    return forkkill(ctx, ["--subreaper"])


def wait_gone(pids, timeout):
    """pids still alive after timeout. A zombie is dead: once fdleak is
    gone its tracees are reaped by whoever inherits them (init here, which
    may take its time), not by anything fdleak controls."""
    deadline = time.monotonic() + timeout
    while True:
        left = {p: proc_state(p) for p in pids}
        left = {p: s for p, s in left.items() if s not in (None, "Z", "X")}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


@test("fault-fdleak-sigkill-launch")
def _fdleak_sigkill(ctx):
    """fdleak killed: every tracee dies with it, stopped ones included."""
    bg = fdleak_bg(ctx, [], [victim("h_loop"), "--children=3", "--threads=3",
                             "--stopped"])
    bg.wait_for(r"^READY pid=(\d+)", 20)
    proto = Protocol(bg.stdout_text())
    pids = sorted(proto.procs)
    stopper = int(bg.wait_for(r"^STOPPER pid=(\d+)", 5).group(1))
    tids = [t for p in pids for t in tasks_of(p)]
    if len(pids) != 5 or len(tids) < 8:
        raise Failure("victim did not start everything: pids %s, tids %s" %
                      (pids, tids))
    deadline = time.monotonic() + 5 * ctx.scale
    while proc_state(stopper) not in ("T", "t") and \
            time.monotonic() < deadline:
        time.sleep(0.02)
    before = {p: proc_state(p) for p in pids}
    time.sleep(0.2)
    os.kill(bg.pid, signal.SIGKILL)
    bg.wait(10)
    # The kernel kills them (PTRACE_O_EXITKILL): no time scale for ASan.
    left = wait_gone(tids, 2)
    problems = ["tid %d still alive in state %s (2s after fdleak died)" %
                (t, s) for t, s in sorted(left.items())]
    fail_if(problems)
    return "states before: %s" % "".join(s or "-" for s in before.values())


def wait_traced(pid, tracer, timeout):
    """Until every thread of pid has TracerPid tracer; Failure if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tids = tasks_of(pid)
        st = [task_status(pid, t) for t in tids]
        if tids and all(s and s.get("TracerPid") == str(tracer) for s in st):
            return tids
        time.sleep(0.02)
    raise Failure("pid %d: not every thread traced by %d after %gs" %
                  (pid, tracer, timeout))


def check_untraced_and_running(bg_target, pid, settle=1.0):
    """Problems if any thread of pid is stopped or traced, or it stops
    making progress, after settle seconds."""
    problems = []
    deadline = time.monotonic() + settle
    while True:
        bad = []
        for tid in tasks_of(pid):
            st = task_status(pid, tid)
            if st is None:
                continue
            if st["State"][:1] in ("t", "T") or st["TracerPid"] != "0":
                bad.append("tid %d State %s TracerPid %s" % (
                    tid, st["State"], st["TracerPid"]))
        if not bad or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    problems += bad
    if proc_state(pid) in (None, "Z"):
        return problems + ["target pid %d died" % pid]
    ticks = [int(x) for x in re.findall(r"^TICK (\d+)$",
                                         bg_target.stdout_text(), re.M)]
    before = ticks[-1] if ticks else 0
    time.sleep(0.5)
    ticks = [int(x) for x in re.findall(r"^TICK (\d+)$",
                                         bg_target.stdout_text(), re.M)]
    if not ticks or ticks[-1] <= before + 10:
        problems.append("target made no progress after the detach "
                        "(TICK %d -> %s)" % (before, ticks[-1:]))
    proto = Protocol(bg_target.stdout_text())
    if proto.errors:
        problems.append("target saw: %s" % "; ".join(proto.errors))
    return problems


@test("fault-fdleak-sigkill-attach")
def _attach_sigkill(ctx):
    """fdleak -p killed with SIGKILL at several moments: the target runs on,
    untraced, unstopped, with no syscall failing."""
    target = Background(ctx, [victim("h_progress")], env=ctx.env())
    pid = int(target.wait_for(r"^READY pid=(\d+)", 10).group(1))
    problems = []
    for delay in (0, 0.05, 0.3, 1.0):
        fd = Background(ctx, [ctx.fdleak, "-p", str(pid), "-o",
                              os.path.join(ctx.tmp, "attach.txt")])
        wait_traced(pid, fd.pid, 10 * ctx.scale)
        time.sleep(delay)
        os.kill(fd.pid, signal.SIGKILL)
        fd.wait(10)
        problems += ["after a kill %gs into the trace: %s" % (delay, p)
                     for p in check_untraced_and_running(target, pid)]
    fail_if(problems)


def attach_stop_test(name, how):
    def fn(ctx):
        target = Background(ctx, [victim("h_progress")], env=ctx.env())
        pid = int(target.wait_for(r"^READY pid=(\d+)", 10).group(1))
        out = os.path.join(ctx.tmp, "attach.json")
        opts = ["--duration=1"] if how == "duration" else []
        fd = Background(ctx, [ctx.fdleak, "--format=json", "-o", out, "-p",
                              str(pid)] + opts)
        wait_traced(pid, fd.pid, 10 * ctx.scale)
        time.sleep(0.5)
        if how != "duration":
            os.kill(fd.pid, how)
        status = fd.wait(10)
        sanitizer_check(fd.stderr_text())
        problems = []
        if status != 0:
            problems.append("fdleak exited %d, expected 0" % status)
        report = ctx.load_report(out, status)
        if pid not in processes(report):
            problems.append("pid %d not in the report" % pid)
        problems += check_untraced_and_running(target, pid)
        fail_if(problems)
    TESTS.append(Test(name, fn))


@test("fault-attach-stopped-target")
def _attach_stopped(ctx):
    """A target stopped by SIGSTOP before the attach is still stopped after
    the detach, and goes on at SIGCONT."""
    target = Background(ctx, [victim("h_progress")], env=ctx.env())
    pid = int(target.wait_for(r"^READY pid=(\d+)", 10).group(1))
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while proc_state(pid) != "T" and time.monotonic() < deadline:
        time.sleep(0.02)
    out = os.path.join(ctx.tmp, "attach.txt")
    fd = Background(ctx, [ctx.fdleak, "-o", out, "--duration=1", "-p",
                          str(pid)])
    status = fd.wait(15)
    sanitizer_check(fd.stderr_text())
    problems = []
    if status != 0:
        problems.append("fdleak exited %d (stderr %r)" % (
            status, fd.stderr_text()[:300]))
    time.sleep(0.3)
    states = {t: task_status(pid, t) for t in tasks_of(pid)}
    for tid, st in sorted(states.items()):
        if st and (st["State"][:1] != "T" or st["TracerPid"] != "0"):
            problems.append("tid %d after the detach: State %s TracerPid "
                            "%s, expected T (stopped) and 0" % (
                                tid, st["State"], st["TracerPid"]))
    os.kill(pid, signal.SIGCONT)
    problems += check_untraced_and_running(target, pid)
    fail_if(problems)


attach_stop_test("fault-attach-sigterm", signal.SIGTERM)
attach_stop_test("fault-attach-sigint", signal.SIGINT)
attach_stop_test("fault-attach-duration", "duration")


# What strace 6.1 does, for comparison (Debian 12, `strace -f -o /dev/null
# -- sleep 100`): with -o FILE and a command its default is -I3, "fatal
# signals always blocked": it ignores SIGHUP, SIGINT, SIGQUIT, SIGPIPE and
# SIGTERM sent to it with kill(2); the tracee is not signalled, runs to its
# end, and strace exits with its status (a second signal changes nothing).
# Without -o (-I2) strace passes SIGINT or SIGTERM to the command it
# started, detaches, and kills itself with the same signal (128+N). ^C on a
# terminal reaches strace and the tracee together; the tracee dies, and
# strace kills itself with SIGINT. fdleak's manual asks for the second
# behaviour whatever -o says, with the report written, and SIGKILL for all
# at a second signal; these tests check that.
def launch_signal_test(name, sigs, loop_args, want_status, want_end):
    """fdleak receives sigs (kill(2)) while the tracee loops."""
    def fn(ctx):
        bg = fdleak_bg(ctx, [], [victim("h_loop")] + loop_args)
        pid = int(bg.wait_for(r"^READY pid=(\d+)", 20).group(1))
        time.sleep(0.2)
        notes = []
        for i, sig in enumerate(sigs):
            os.kill(bg.pid, sig)
            if i + 1 < len(sigs):
                time.sleep(0.5)
                state = proc_state(pid)
                notes.append("after %s: tracee %s" % (
                    signal.Signals(sig).name, state or "gone"))
                if state in (None, "Z") or not bg.alive():
                    raise Failure("%s (the tracee ignores it) ended the "
                                  "trace; %s" % (signal.Signals(sig).name,
                                                 notes[-1]))
        status = finish(ctx, bg, 15)
        proto = Protocol(bg.stdout_text())
        proto.check()
        report = ctx.load_report(ctx.report_path(), status)
        problems = []
        if status != want_status:
            problems.append("fdleak exited %d, expected %d" %
                            (status, want_status))
        p = processes(report).get(pid)
        if p is None:
            raise Failure("pid %d not in the report" % pid)
        if (p["exit_code"], p["exit_signal"]) != want_end:
            problems.append("tracee exit_code %r exit_signal %r, expected "
                            "%r %r" % (p["exit_code"], p["exit_signal"],
                                       *want_end))
        if want_end[1] == "SIGKILL":
            for e in proto.expects:
                e.pop("target", None)
        problems += check_leaks(proto, report, maybe=spin_fd)
        fail_if(problems)
        return "; ".join(notes)
    TESTS.append(Test(name, fn))


launch_signal_test("fault-sigterm-launch", [signal.SIGTERM], [],
                   128 + signal.SIGTERM, (None, "SIGTERM"))
launch_signal_test("fault-sigint-launch", [signal.SIGINT], [],
                   128 + signal.SIGINT, (None, "SIGINT"))
launch_signal_test("fault-sighup-launch", [signal.SIGHUP], [],
                   128 + signal.SIGHUP, (None, "SIGHUP"))
launch_signal_test("fault-sigterm-twice", [signal.SIGTERM, signal.SIGTERM],
                   ["--ignore-term"], 128 + signal.SIGKILL,
                   (None, "SIGKILL"))


@test("fault-sigterm-twice-children")
def _sigterm_children(ctx):
    """The first SIGTERM ends the command but not its children, which
    fdleak waits for; the second kills them all. Every process reported."""
    bg = fdleak_bg(ctx, [], [victim("h_loop"), "--children=2"])
    pid = int(bg.wait_for(r"^READY pid=(\d+)", 20).group(1))
    time.sleep(0.2)
    children = [p for p in Protocol(bg.stdout_text()).procs if p != pid]
    os.kill(bg.pid, signal.SIGTERM)
    time.sleep(0.5)
    problems = []
    if proc_state(pid) not in (None, "Z"):
        problems.append("the command still runs after the first SIGTERM")
    alive = [c for c in children if proc_state(c) not in (None, "Z")]
    if alive != children or not bg.alive():
        raise Failure("after the first SIGTERM: children alive %s of %s, "
                      "fdleak %s" % (alive, children,
                                     "runs" if bg.alive() else "ended"))
    os.kill(bg.pid, signal.SIGTERM)
    status = finish(ctx, bg, 15)
    proto = Protocol(bg.stdout_text())
    proto.check()
    report = ctx.load_report(ctx.report_path(), status)
    if status != 128 + signal.SIGTERM:
        problems.append("fdleak exited %d, expected the command's %d" %
                        (status, 128 + signal.SIGTERM))
    ends = {p: (q["exit_code"], q["exit_signal"])
            for p, q in processes(report).items()}
    want = {pid: (None, "SIGTERM")}
    want.update({c: (None, "SIGKILL") for c in children})
    if ends != want:
        problems.append("processes ended %r, expected %r" % (ends, want))
    for e in proto.expects:
        if e["pid"] != pid:
            e.pop("target", None)
    problems += check_leaks(proto, report, maybe=spin_fd)
    fail_if(problems)


@test("fault-sigint-terminal")
def _sigint_tty(ctx):
    """^C on a terminal reaches fdleak and the tracee at once: the tracee
    must get exactly one SIGINT (fdleak must not pass on a second)."""
    results = []
    for traced in (False, True):
        master, slave = os.openpty()

        def setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        argv = [victim("h_loop"), "--count-int"]
        if traced:
            argv = [ctx.fdleak, "--format=json", "-o", ctx.report_path(),
                    "--"] + argv
        bg = Background(ctx, argv, stdin=slave, preexec_fn=setup)
        os.close(slave)
        try:
            pid = int(bg.wait_for(r"^READY pid=(\d+)", 20).group(1))
            time.sleep(0.2)
            os.write(master, b"\x03")
            status = bg.wait(15)
        finally:
            os.close(master)
        if traced:
            sanitizer_check(bg.stderr_text())
        results.append((status, pid, bg.stdout_text()))
    (plain, _, _), (status, pid, out) = results
    if plain != 11:
        raise Skip("untraced, ^C did not give exactly one SIGINT (status "
                   "%d)" % plain)
    report = ctx.load_report(ctx.report_path(), status)
    problems = []
    if status != 11:
        problems.append("fdleak exited %d: the tracee got %s SIGINT, "
                        "expected status 11 (one SIGINT)" % (
                            status, status - 10 if 10 < status < 20
                            else "no clean"))
    p = processes(report).get(pid)
    if p is None or p["exit_code"] != status:
        problems.append("tracee in report: %r" % (p and (p["exit_code"],
                                                          p["exit_signal"])))
    fail_if(problems)


# Scale -------------------------------------------------------------------


def victim_report_test(name, argv_fn, timeout=TIMEOUT, status=0,
                       procs=True, note=None, env=None):
    def fn(ctx):
        argv = argv_fn(ctx)
        res, report = ctx.trace_json(argv, env=env(ctx) if env else None,
                                     timeout=timeout)
        proto = Protocol(res.out)
        proto.check()
        if proto.skips and not proto.expects and not proto.counts:
            raise Skip("victim skipped: %s" % "; ".join(proto.skips))
        problems = []
        if res.status != status:
            problems.append("fdleak exited %d, expected %d" % (res.status,
                                                               status))
        if procs:
            problems += check_processes(proto, report)
        problems += check_leaks(proto, report)
        fail_if(problems)
        return note(res, report) if note else "%.1fs, %s" % (
            res.elapsed, leak_note(report))
    TESTS.append(Test(name, fn))


victim_report_test("scale-threads-1000",
                   lambda c: [victim("h_threads"), "1000"], timeout=120)
victim_report_test("scale-children-500",
                   lambda c: [victim("h_children"), "500"], timeout=120)
victim_report_test(
    "scale-fds-60000", lambda c: [victim("h_manyfds"), "60000"],
    timeout=180, note=lambda res, rep: "%s; %s" % (
        re.search(r"^PEAK .*$", res.out, re.M).group(0)
        if re.search(r"^PEAK .*$", res.out, re.M) else "no PEAK",
        leak_note(rep)))
victim_report_test("scale-fd-max", lambda c: [victim("h_fdmax")],
                   note=lambda res, rep: re.search(
                       r"^LIMIT \d+", res.out, re.M).group(0))


def long_path(ctx, length, odd=b""):
    """A file under ctx.tmp whose absolute path is length bytes long, with
    odd at the start of its directory's name; the path, as bytes."""
    base = os.fsencode(ctx.tmp)
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    path = base
    try:
        i = 0
        # The last directory, "/" NAME, then "/leaf": NAME has 1-255 bytes.
        while length - len(path) - len(b"//leaf") > 255:
            name = b"%03d" % i + b"d" * 238
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, path, i = nfd, path + b"/" + name, i + 1
        size = length - len(path) - len(b"//leaf")
        last = (odd + b"e" * 255)[:size]
        if size < len(odd) or size < 1:
            raise Failure("cannot make a %d-byte path" % length)
        os.mkdir(last, dir_fd=fd)
        nfd = os.open(last, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd, path = nfd, path + b"/" + last
        os.close(os.open(b"leaf", os.O_CREAT | os.O_WRONLY, 0o644,
                         dir_fd=fd))
        return path + b"/leaf"
    finally:
        os.close(fd)


def json_string(raw):
    """raw bytes as the JSON report gives them: each byte that is not part
    of valid UTF-8 as U+FFFD (one per byte, as the manual says)."""
    return re.sub("[\udc80-\udcff]", "\ufffd",
                  raw.decode("utf-8", errors="surrogateescape"))


def text_unquote(q):
    """A Q field of the text report back to bytes."""
    out = bytearray()
    i = 0
    data = q.encode("utf-8")
    esc = {ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r",
           ord('"'): b'"', ord("\\"): b"\\"}
    while i < len(data):
        c = data[i]
        if c == ord("\\") and i + 1 < len(data):
            n = data[i + 1]
            if n == ord("x"):
                out.append(int(data[i + 2:i + 4], 16))
                i += 4
                continue
            out += esc.get(n, bytes([n]))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def path_test(name, length, odd=b"", exact=True):
    def fn(ctx):
        path = long_path(ctx, length, odd)
        exe = victim("h_longpath")
        # Pass the path as bytes: it may not be UTF-8.
        res, report = ctx.trace_json([os.fsencode(exe), path])
        proto = Protocol(res.out)
        proto.check()
        problems = []
        if res.status != 0:
            problems.append("fdleak exited %d" % res.status)
        if len(proto.expects) != 1:
            raise Failure("victim stated %d leaks" % len(proto.expects))
        exp = proto.expects[0]
        leak = leaks_of(report, exp["pid"]).get(exp["fd"])
        if leak is None:
            raise Failure("fd %d on the %d-byte path not reported" %
                          (exp["fd"], len(path)))
        want = json_string(path)
        if leak["kind"] != "file" or leak["origin"] != "syscall" or \
                leak["syscall"] != "openat":
            problems.append("leak %s" % describe(leak))
        if exact and leak["target"] != want:
            problems.append("target %r, expected the %d-byte path" % (
                (leak["target"] or "")[:80] + "...", len(path)))
        if not exact and leak["target"] not in (None, want):
            problems.append("target %r for a path the kernel cannot name "
                            "(%d bytes): expected null" % (
                                (leak["target"] or "")[:100], len(path)))
        # The text report: one unbroken line, the path escaped.
        out = os.path.join(ctx.tmp, "report.txt")
        tres = ctx.run([ctx.fdleak, "-o", out, "--", os.fsencode(exe),
                        path])
        with open(out, "rb") as f:
            text = f.read()
        lines = [l for l in text.split(b"\n")
                 if l.startswith(b"fdleak: leak ")]
        if tres.status != 0 or len(lines) != 1:
            problems.append("text report: status %d, %d leak lines" %
                            (tres.status, len(lines)))
        elif not all(l.startswith(b"fdleak: ") for l in text.split(b"\n")
                     if l):
            problems.append("text report has a line without the prefix")
        else:
            m = re.search(rb' target=(".*"|\?)$', lines[0])
            got = m and m.group(1)
            if exact and (not got or text_unquote(
                    got[1:-1].decode("utf-8")) != path):
                problems.append("text target %r is not the path" %
                                (got or lines[0])[:120])
            try:
                lines[0].decode("utf-8")
            except UnicodeDecodeError:
                problems.append("text leak line is not valid UTF-8")
        fail_if(problems)
        return "%d-byte path" % len(path)
    TESTS.append(Test(name, fn))


path_test("scale-path-4000", 4000)
path_test("scale-path-4095", 4095)
path_test("scale-path-odd-bytes", 600,
          odd=b"sp ace\ttab\nnl\"q\\b\x01\x7f\xff\xfe\xc3\xa9-\xe2\x82")
path_test("scale-path-too-long", 6000, exact=False)


def rss_test(ctx, seconds, interval, steady_from):
    """fdleak's RSS over a trace of h_churn (constant outstanding fds)."""
    out = os.path.join(ctx.tmp, "churn.txt")
    env = ctx.env()
    if ctx.asan:
        # ASan's quarantine holds freed memory up to 256 MiB: not ours.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":quarantine_size_mb=0:"
                               "thread_local_quarantine_size_kb=0").lstrip(":")
    bg = Background(ctx, [ctx.fdleak, "--interval=%g" % interval, "-o", out,
                          "--", victim("h_churn"), str(seconds)], env=env)
    samples = []
    start = time.monotonic()
    deadline = start + seconds + 60 * ctx.scale
    while bg.alive():
        if time.monotonic() > deadline:
            raise Failure("fdleak still runs %gs after a %gs trace" % (
                60 * ctx.scale, seconds))
        rss = vm_rss_kib(bg.pid)
        if rss is not None:
            samples.append((time.monotonic() - start, rss))
        time.sleep(min(1.0, max(0.1, seconds / 200)))
    status = finish(ctx, bg, 30)
    problems = []
    if status != 0:
        problems.append("fdleak exited %d" % status)
    proto = Protocol(bg.stdout_text())
    proto.check()
    with open(out, errors="replace") as f:
        text = f.read()
    dumps = re.findall(r"^fdleak: dump n=(\d+)", text, re.M)
    want = seconds / interval * 0.5
    if len(dumps) < want:
        problems.append("%d dumps in %gs at --interval=%g" %
                        (len(dumps), seconds, interval))
    m = re.search(r"^fdleak: summary leaks=(\d+)", text, re.M)
    if not m or int(m.group(1)) != 64:
        problems.append("summary %r, expected leaks=64" %
                        (m and m.group(0)))
    steady = [r for t, r in samples if t >= seconds * steady_from]
    if len(steady) < 4:
        problems.append("only %d RSS samples" % len(steady))
        fail_if(problems)
    first = max(steady[:max(2, len(steady) // 10)])
    last = max(steady[-max(2, len(steady) // 10):])
    m = re.search(r"^ROUNDS (\d+) children=(\d+) threads=(\d+)$",
                  bg.stdout_text(), re.M)
    if not m:
        raise Failure("h_churn did not finish its rounds")
    rounds, children, threads = (int(x) for x in m.groups())
    # Outstanding fds stay at 64, and every child and thread ends leaking
    # nothing: memory must plateau. Allow 1 MiB, or 5 % (allocator noise),
    # between the start and the end of the steady part.
    allowed = max(1024, first * 0.05)
    if last - first > allowed:
        steady_children = children * (1 - steady_from)
        problems.append(
            "VmRSS grew from %d KiB to %d KiB over %gs with 64 outstanding "
            "fds, while %d children and %d threads came and went, leaking "
            "nothing (%.0f bytes per child process; samples %s)" % (
                first, last, seconds, children, threads,
                (last - first) * 1024 / max(1, steady_children),
                [r for _, r in samples[::max(1, len(samples) // 12)]]))
    fail_if(problems)
    return "VmRSS %d -> %d KiB (peak %d), %d dumps, %d rounds, %d " \
        "children, %d threads" % (first, last, max(r for _, r in samples),
                                  len(dumps), rounds, children, threads)


@test("scale-interval-rss")
def _rss_short(ctx):
    return rss_test(ctx, 10, 0.5, 0.3)


@test("scale-interval-rss-hour", long=True)
def _rss_long(ctx):
    return rss_test(ctx, 3600, 10, 0.1)


# Bad input -----------------------------------------------------------------


def one_line_error(ctx, argv, status, mention=None, timeout=20,
                   may_run=False):
    """fdleak argv exits status, says one line on stderr (naming mention),
    nothing on stdout, and runs no command (unless may_run)."""
    marker = os.path.join(ctx.tmp, "command-ran")
    argv = [a.replace("@MARKER@", marker) for a in argv]
    res = ctx.run([ctx.fdleak] + argv, timeout=timeout)
    problems = []
    lines = res.err.splitlines()
    if res.status != status:
        problems.append("exit status %d, expected %d" % (res.status, status))
    if len(lines) != 1:
        problems.append("%d lines on stderr, expected 1: %r" %
                        (len(lines), res.err[:400]))
    elif not lines[0].startswith("fdleak: "):
        problems.append("stderr %r does not start with 'fdleak: '" %
                        lines[0])
    elif mention is not None and mention not in lines[0]:
        problems.append("stderr %r does not mention %r" % (lines[0],
                                                           mention))
    if res.stdout:
        problems.append("stdout %r" % res.out[:200])
    ran = os.path.exists(marker)
    if ran and not may_run:
        problems.append("the command ran")
    fail_if(problems)
    return (lines[0] if lines else "") + (
        " (the command ran first)" if ran else "")


RUNS = ["sh", "-c", "touch @MARKER@"]


def bad_test(name, argv_fn, status=125, mention=None, may_run=False):
    def fn(ctx):
        a = argv_fn(ctx)
        m = mention(ctx) if callable(mention) else mention
        return one_line_error(ctx, a, status, m, may_run=may_run)
    TESTS.append(Test(name, fn))


for _name, _args, _mention in (
        ("unknown-long", ["--frobnicate"], "--frobnicate"),
        ("unknown-short", ["-x"], "-x"),
        ("ambiguous-prefix", ["--d=3"], "--d"),
        ("flag-with-value", ["--std-fds=1"], "std-fds"),
        ("depth-abc", ["--depth=abc"], "abc"),
        ("depth-negative", ["--depth=-1"], "-1"),
        ("depth-too-big", ["--depth=257"], "257"),
        ("depth-empty", ["--depth="], "depth"),
        ("depth-trailing", ["--depth=3x"], "3x"),
        ("error-exitcode-0", ["--error-exitcode=0"], "error-exitcode"),
        ("error-exitcode-256", ["--error-exitcode=256"], "256"),
        ("error-exitcode-huge", ["--error-exitcode=99999999999999999999"],
         "error-exitcode"),
        ("format-empty", ["--format="], "format"),
        ("format-xml", ["--format=xml"], "xml"),
        ("interval-0", ["--interval=0"], "interval"),
        ("interval-negative", ["--interval=-1"], "interval"),
        ("interval-abc", ["--interval=abc"], "abc"),
        ("interval-nan", ["--interval=nan"], "nan"),
        ("min-age-negative", ["--min-age=-1"], "min-age"),
        ("duration-without-p", ["--duration=5"], "duration"),
        ("sample-0", ["--sample=0"], "sample"),
        ("sample-101", ["--sample=101"], "101"),
        ("sample-abc", ["--sample=abc"], "abc"),
        ("sample-fraction", ["--sample=2.5"], "2.5"),
        ("sample-without-p", ["--sample=10"], "sample"),
        ("sample-window-0", ["--sample-window=0"], "sample-window"),
        ("sample-window-without-p", ["--sample-window=100"],
         "sample-window")):
    bad_test("bad-option-" + _name, lambda c, a=_args: a + ["--"] + RUNS,
             125, _mention)

bad_test("bad-option-depth-missing", lambda c: ["--depth"], 125, "--depth")
bad_test("bad-option-o-missing", lambda c: ["-o"], 125, "-o")
bad_test("bad-option-p-missing", lambda c: ["-p"], 125, "-p")
bad_test("bad-option-no-command", lambda c: [], 125)
bad_test("bad-option-p-and-command",
         lambda c: ["-p", str(os.getpid()), "--"] + RUNS, 125)


def free_pid():
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    for pid in range(pid_max - 1, 300, -1):
        if not os.path.exists("/proc/%d" % pid):
            return pid
    raise Skip("no free pid")


for _name, _pid in (("0", "0"), ("negative", "-5"), ("abc", "abc"),
                    ("empty", ""), ("trailing", "12x"),
                    ("huge", "99999999999")):
    bad_test("bad-pid-" + _name, lambda c, p=_pid: ["-p", p], 125)
bad_test("bad-pid-nonexistent", lambda c: ["-p", str(free_pid())], 125,
         "no such process")
bad_test("bad-pid-ancestor", lambda c: ["-p", str(os.getpid())], 125,
         str(os.getpid()))
bad_test("bad-pid-init", lambda c: ["-p", "1"], 125)


@test("bad-pid-twice")
def _pid_twice(ctx):
    target = Background(ctx, [victim("h_progress"), "1"], env=ctx.env())
    pid = target.wait_for(r"^READY pid=(\d+)", 10).group(1)
    line = one_line_error(ctx, ["-p", pid, "-p", pid], 125, "twice")
    fail_if(check_untraced_and_running(target, int(pid)))
    return line


@test("bad-pid-self")
def _pid_self(ctx):
    # exec keeps the pid: fdleak is asked to attach to itself.
    res = ctx.run(["sh", "-c", 'exec "$0" -p $$', ctx.fdleak])
    lines = res.err.splitlines()
    if res.status != 125 or len(lines) != 1 or "itself" not in lines[0]:
        raise Failure("status %d, stderr %r (expected 125 and one line "
                      "saying it is fdleak itself)" % (res.status, res.err))
    return lines[0]


@test("bad-pid-zombie")
def _pid_zombie(ctx):
    p = subprocess.Popen(["true"], env=ctx.env())
    try:
        deadline = time.monotonic() + 5
        while proc_state(p.pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc_state(p.pid) != "Z":
            raise Failure("could not make a zombie")
        return one_line_error(ctx, ["-p", str(p.pid)], 125, "zombie")
    finally:
        p.wait()


@test("bad-pid-kernel-thread")
def _pid_kthread(ctx):
    for name in sorted(os.listdir("/proc"), key=lambda n: (len(n), n)):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[6]) & 0x00200000:     # PF_KTHREAD
            return one_line_error(ctx, ["-p", name], 125, "kernel thread")
    raise Skip("no kernel thread is visible in /proc")


def already_traced(ctx, tracer_argv_fn, what):
    target = Background(ctx, [victim("h_progress"), "1"], env=ctx.env())
    pid = int(target.wait_for(r"^READY pid=(\d+)", 10).group(1))
    tracer = Background(ctx, tracer_argv_fn(pid))
    wait_traced(pid, tracer.pid, 10 * ctx.scale)
    line = one_line_error(ctx, ["-p", str(pid)], 125, "traced")
    problems = []
    for tid in tasks_of(pid):
        st = task_status(pid, tid)
        if st and st["TracerPid"] != str(tracer.pid):
            problems.append("tid %d: TracerPid %s, expected %s's %d" % (
                tid, st["TracerPid"], what, tracer.pid))
    if not tracer.alive():
        problems.append("%s died" % what)
    fail_if(problems)
    return line


@test("bad-pid-traced-by-strace")
def _pid_strace(ctx):
    if shutil.which("strace") is None:
        raise Skip("strace is not installed")
    return already_traced(ctx, lambda pid: ["strace", "-f", "-o",
                                            "/dev/null", "-p", str(pid)],
                          "strace")


@test("bad-pid-traced-by-fdleak")
def _pid_fdleak(ctx):
    return already_traced(ctx, lambda pid: [ctx.fdleak, "-o", "/dev/null",
                                            "-p", str(pid)], "fdleak")


def _script(ctx, name, text, mode):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


bad_test("bad-command-not-found",
         lambda c: ["--", "/nonexistent/fdleak-cmd"], 127, "fdleak-cmd")
bad_test("bad-command-not-in-path",
         lambda c: ["--", "fdleak-no-such-command"], 127,
         "fdleak-no-such-command")
bad_test("bad-command-empty", lambda c: ["--", ""], 127)
bad_test("bad-command-not-executable",
         lambda c: ["--", _script(c, "noexec", "#!/bin/sh\ntouch "
                                  "@MARKER@\n", 0o644)], 126, "noexec")
bad_test("bad-command-directory", lambda c: ["--", c.tmp], 126,
         lambda c: c.tmp)
bad_test("bad-command-missing-interpreter",
         lambda c: ["--", _script(c, "badinterp", "#!/nonexistent/interp\n",
                                  0o755)], 127, "badinterp")
bad_test("bad-command-exec-format",
         lambda c: ["--", _script(c, "garbage", "\x7fELF not really\n",
                                  0o755)], 126, "garbage")
bad_test("bad-output-missing-directory",
         lambda c: ["-o", "/nonexistent-fdleak-dir/report", "--"] + RUNS,
         125, "/nonexistent-fdleak-dir/report")
# Root may open these for writing (DAC does not stop it); only the write
# fails, which fdleak can find out only when it writes the report, after
# the command ran. One line and 125 are what matter.
bad_test("bad-output-proc-version",
         lambda c: ["-o", "/proc/version", "--"] + RUNS, 125,
         "/proc/version", may_run=True)
bad_test("bad-output-proc-status",
         lambda c: ["-o", "/proc/1/status", "--"] + RUNS, 125,
         "/proc/1/status", may_run=True)
bad_test("bad-output-directory", lambda c: ["-o", c.tmp, "--"] + RUNS, 125,
         lambda c: c.tmp)
bad_test("bad-output-attach-missing-directory",
         lambda c: ["-o", "/nonexistent-fdleak-dir/report", "-p",
                    str(os.getpid())], 125)


# Garbage in the tracee's memory ------------------------------------------


@test("garbage-efault")
def _efault(ctx):
    """pipe2, socketpair, recvmsg, recvmmsg on bad or partly mapped memory."""
    exe = victim("h_badmem")
    env = ctx.env()
    plain = ctx.run([exe, "efault"], env=env)
    res, report = ctx.trace_json([exe, "efault"], env=env)
    proto = Protocol(res.out)
    proto.check()
    problems = []
    if (res.status, own_output(res.out)) != (plain.status,
                                             own_output(plain.out)):
        problems.append("output differs: untraced %d %r, traced %d %r" % (
            plain.status, own_output(plain.out), res.status,
            own_output(res.out)))
    problems += check_leaks(proto, report)
    fail_if(problems)


def race_test(name, mode):
    def fn(ctx):
        exe = victim("h_badmem")
        n = "1000" if ctx.asan else "3000"
        env = ctx.env(FDLEAK_SELFCHECK="1")
        res, report = ctx.trace_json([exe, mode, n], env=env, timeout=120)
        proto = Protocol(res.out)
        proto.check()
        problems = []
        if res.status != 0:
            problems.append("fdleak exited %d" % res.status)
        if own_output(res.out) != "%s: %s iterations done" % (mode, n):
            problems.append("the program's output changed: %r" %
                            own_output(res.out)[:200])
        if len(proto.open) != 1:
            raise Failure("%d SELFCHECKs from the victim, expected 1" %
                          len(proto.open))
        (pid, opened), = proto.open.items()
        real = {fd: o for fd, o in opened.items() if fd > 2}
        leaks = {fd: l for fd, l in leaks_of(report, pid).items() if fd > 2}
        lost = sorted(set(real) - set(leaks))
        phantom = sorted(set(leaks) - set(real))
        if lost:
            problems.append("%d open fds not reported (e.g. %s)" %
                            (len(lost), lost[:5]))
        if phantom:
            problems.append("%d reported fds that are not open (e.g. %s)" %
                            (len(phantom), [describe(leaks[f])
                                            for f in phantom[:3]]))
        by_origin = {}
        for fd, leak in leaks.items():
            by_origin[leak["origin"]] = by_origin.get(leak["origin"], 0) + 1
            if fd in real and leak["kind"] != "eventfd":
                problems.append("fd %d: kind %r, expected eventfd" %
                                (fd, leak["kind"]))
            if leak["origin"] == "syscall" and leak["syscall"] not in (
                    "recvmsg", "recvmmsg"):
                problems.append("fd %d: syscall %r" % (fd, leak["syscall"]))
            if not leak["target"]:
                problems.append("fd %d: no target" % fd)
        fail_if(problems)
        return "%d fds received and leaked; origin %s" % (
            len(real), ", ".join("%s: %d" % kv
                                 for kv in sorted(by_origin.items())))
    TESTS.append(Test(name, fn))


race_test("garbage-race-control", "race-control")
race_test("garbage-race-msghdr", "race-msghdr")
race_test("garbage-race-recvmmsg", "race-mmsg")


# 32-bit --------------------------------------------------------------------


def warned_32bit(stderr_text):
    lines = [l for l in stderr_text.splitlines() if l.strip()]
    return lines, [l for l in lines if "32-bit" in l]


def check_32bit(ctx, res, report, want_warnings=1):
    proto = Protocol(res.out)
    proto.check()
    problems = []
    lines, warnings = warned_32bit(res.err)
    if len(warnings) != want_warnings or len(lines) != want_warnings:
        problems.append("stderr %r: expected exactly %d line(s) warning of "
                        "32-bit syscalls" % (res.err[:500], want_warnings))
    for w in warnings:
        if not w.startswith("fdleak: "):
            problems.append("warning %r lacks the 'fdleak: ' prefix" % w)
    for p in report["processes"]:
        for leak in p["leaks"]:
            if leak["kind"] == "socket" and not any(
                    u["pid"] == p["pid"] and u["fd"] == leak["fd"]
                    for u in proto.unknowns):
                problems.append("pid %d: %s (an i386 syscall read as "
                                "x86_64 socket?)" % (p["pid"],
                                                     describe(leak)))
    problems += check_processes(proto, report)
    problems += check_leaks(proto, report)
    return problems


def need_ia32(ctx):
    """Skip where the kernel runs no 32-bit code (ia32_emulation=off, or
    built without it): there int 0x80 faults and a -m32 binary cannot be
    executed, untraced as much as traced."""
    res = ctx.run([victim("h_i386"), "probe"], env=ctx.plain_env())
    if res.status != 0:
        raise Skip("this kernel runs no 32-bit code (int 0x80 %s)" %
                   ("faults" if res.status < 0 or res.status > 128
                    else "exits %d" % res.status))


def int80_test(name, opts, warnings):
    def fn(ctx):
        """A 64-bit program making int 0x80 syscalls whose numbers mean
        other syscalls on x86_64 (read=close, dup=socket, ...). Under the
        seccomp filter they run untraced (no stop, no warning): their fds
        are found at exit, as origin unknown. Without it, fdleak sees them
        and warns once. Never misread either way."""
        need_ia32(ctx)
        exe = victim("h_i386")
        env = ctx.env()
        plain = ctx.run([exe, "int80"], env=env)
        res, report = ctx.trace_json([exe, "int80"], opts=opts, env=env)
        problems = check_32bit(ctx, res, report, want_warnings=warnings)
        if (res.status, own_output(res.out)) != (plain.status,
                                                 own_output(plain.out)):
            problems.append("output differs from the untraced run")
        fail_if(problems)
    TESTS.append(Test(name, fn))


int80_test("i386-int80", [], 0)
int80_test("i386-int80-no-seccomp", ["--no-seccomp"], 1)


def build_m32(ctx):
    if shutil.which("gcc") is None:
        raise Skip("gcc is not installed")
    need_ia32(ctx)
    out = os.path.join(ctx.tmp, "h_i386_32")
    res = ctx.run(["gcc", "-m32", "-std=gnu11", "-O0", "-g", "-pthread",
                   "-o", out, os.path.join(ROOT, "tests", "victims",
                                           "h_i386.c")],
                  env=ctx.plain_env(), check_san=False)
    if res.status != 0:
        raise Skip("gcc -m32 cannot build here (install gcc-multilib): %s" %
                   res.err.strip().splitlines()[-1:])
    return out


@test("i386-program")
def _m32(ctx):
    """A 32-bit program (gcc -m32) that leaks through libc and forks."""
    exe = build_m32(ctx)
    res, report = ctx.trace_json([exe, "libc"])
    problems = check_32bit(ctx, res, report)
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


@test("i386-exec-from-64-bit")
def _m32_exec(ctx):
    """sh (64-bit) runs two 32-bit programs and one 64-bit one: one
    warning in all; each leak right."""
    exe = build_m32(ctx)
    sh = "%s int80; %s libc; %s int80" % (exe, exe, victim("h_i386"))
    res, report = ctx.trace_json(["sh", "-c", sh])
    proto = Protocol(res.out)
    problems = []
    lines, warnings = warned_32bit(res.err)
    if len(warnings) != 1 or len(lines) != 1:
        problems.append("stderr %r: expected one line warning of 32-bit "
                        "syscalls" % res.err[:500])
    problems += check_leaks(proto, report, pids=[
        e["pid"] for e in proto.expects + proto.unknowns])
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


# --------------------------------------------------------------------------
# Main


def find_fdleak():
    name = os.environ.get("FDLEAK") or "fdleak"
    candidates = [name, os.path.join(ROOT, name)] if "/" in name else \
        [os.path.join(ROOT, name), shutil.which(name)]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


def main(argv):
    names = [a for a in argv if not a.startswith("-")]
    flags = [a for a in argv if a.startswith("-")]
    for f in flags:
        if f not in ("-v", "--verbose", "--long", "--list", "-h", "--help"):
            print("harden.py: unknown option %s" % f, file=sys.stderr)
            return 2
    if "-h" in flags or "--help" in flags:
        print(__doc__)
        return 0
    long_mode = "--long" in flags
    if names:
        chosen, unknown = [], []
        for pattern in names:
            # A glob takes the long tests only with --long; a name always.
            hits = [t for t in TESTS if t.name == pattern or
                    (fnmatch.fnmatchcase(t.name, pattern) and
                     (long_mode or not t.long))]
            if not hits:
                unknown.append(pattern)
            chosen += [t for t in hits if t not in chosen]
    else:
        chosen = [t for t in TESTS if long_mode or not t.long]
        unknown = []
    if "--list" in flags:
        for t in chosen:
            print(t.name + (" (--long)" if t.long else ""))
        return 0
    passed = failed = skipped = 0
    for name in unknown:
        print("FAIL %s: no such test" % name, flush=True)
        failed += 1
    fdleak = find_fdleak()
    if fdleak is None:
        print("FAIL setup: fdleak not found (FDLEAK=%s); build it with "
              "`make`" % (os.environ.get("FDLEAK") or "fdleak"), flush=True)
        print("%d passed, %d failed" % (0, failed + 1))
        return 1
    ctx = Context(fdleak, "-v" in flags or "--verbose" in flags, long_mode)
    for t in chosen:
        ctx.begin()
        try:
            note = t.fn(ctx)
            print("ok %s%s" % (t.name, " # " + note if note else ""),
                  flush=True)
            passed += 1
        except Skip as e:
            print("skip %s: %s" % (t.name, e), flush=True)
            skipped += 1
        except Failure as e:
            print("FAIL %s: %s" % (t.name, e), flush=True)
            failed += 1
            if ctx.verbose:
                print("\n".join(ctx.log), flush=True)
        except Exception as e:      # a bug in the test: say so, go on
            print("FAIL %s: test error %s: %s" % (t.name, type(e).__name__,
                                                  e), flush=True)
            failed += 1
            if ctx.verbose:
                import traceback
                traceback.print_exc(file=sys.stdout)
                print("\n".join(ctx.log), flush=True)
        finally:
            ctx.end()
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
