#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Integration tests of fdleak: trace real programs, compare with the truth.

The victims (tests/victims/*.c, built into build/victims/) describe at run
time, on stdout, every fd they leak on purpose (see tests/victims/victim.h):

    EXPECT pid=P fd=N kind=K syscall=S function=F [tid=T] cloexec=C
           [across_exec=1] [target=TEXT]
    EXPECT_COUNT pid=P function=F count=N kind=K syscall=S
    PROC pid=P ppid=Q        EXIT pid=P code=N|signal=SIGX
    SKIP SYSCALL ERRNO       ERROR TEXT

Each test runs a victim under `fdleak --format=json -o FILE` and checks that
the report holds exactly those leaks, those processes and those exits.
Other tests compare real programs traced and untraced, or fdleak's own
errors and exit statuses.

The attach-* tests start long-running victims (server, mtserver) or nginx
in the background, attach `fdleak -p PID` to them and detach, and check the
report (only fds made during the window and still open), the live dumps
(--interval, SIGUSR1, --min-age), the errors of -p, and that the target
runs on unharmed. They are skipped while `fdleak --help` does not mention
-p; attach-nginx also while /usr/sbin/nginx is missing.

Usage: FDLEAK=path/to/fdleak run.py [-v] [NAME|GLOB...]
       run.py --selfcheck [--strace] [NAME...]   check the victims' claims
                                                   without fdleak
       run.py --list
Prints "ok NAME", "FAIL NAME: reason" or "skip NAME: reason" per test and
ends with "N passed, N failed, N skipped"; exits 1 if anything failed.
"""

import fnmatch
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

import reports
import sampling
from common import (ROOT, VICTIMS, TIMEOUT, SANITIZER_MARKS, Failure,
                    Skip, fail_if, shell_status)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------
# Running things


class Result:
    """How a command ended: status as a shell reports it, and its output."""

    def __init__(self, argv, status, stdout, stderr, timed_out):
        self.argv = argv
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(argv, env=None, timeout=TIMEOUT, cwd=None):
    """Run argv in a session of its own; kill it and its strays at the end."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=cwd, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc.pid)
        proc.kill()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            # Something outside the group still holds the pipes.
            out, err = b"", b"(output lost)"
            proc.wait()
    kill_group(proc.pid)
    return Result(argv, shell_status(proc.returncode),
                  out.decode(errors="replace"), err.decode(errors="replace"),
                  timed_out)


class Context:
    """What every test needs: fdleak, options, a scratch directory."""

    def __init__(self, fdleak, verbose):
        self.fdleak = fdleak
        self.verbose = verbose
        self.scale = float(os.environ.get("FDLEAK_TIMEOUT_SCALE") or
                           (4 if fdleak and "asan" in fdleak else 1))
        self.tmp = None
        self.log = []
        self.cleanups = []
        self.background = []        # Background programs of this test
        self.has_attach = None      # whether fdleak --help mentions -p

    def begin(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fdleak-test-"))
        self.log = []
        self.cleanups = []
        self.background = []

    def collect(self):
        """Add what the background programs printed to the log."""
        for bg in self.background:
            bg.note()

    def end(self):
        # Background programs die before their directory goes.
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # a cleanup must not hide the result
                self.log.append("--- cleanup failed: %s" % e)
        self.cleanups = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def env(self, **extra):
        env = dict(os.environ)
        env.update(LC_ALL="C", FDLEAK_EXPECT="1", FDLEAK_VICTIM_DIR=self.tmp)
        env.pop("FDLEAK_SELFCHECK", None)
        env.update(extra)
        return env

    def note(self, title, text):
        """Keep output to show with -v if the test fails."""
        if text:
            self.log.append("--- %s\n%s" % (title, text.rstrip("\n")))

    def run(self, argv, timeout=TIMEOUT, **kw):
        res = run(argv, timeout=timeout * self.scale, **kw)
        self.log.append("--- $ %s (status %d)" % (" ".join(argv), res.status))
        self.note("stdout", res.stdout[:20000])
        self.note("stderr", res.stderr[:20000])
        if res.timed_out:
            raise Failure("timed out after %gs: %s" %
                          (timeout * self.scale, " ".join(argv)))
        return res

    def fdleak_run(self, opts, argv, env=None, timeout=TIMEOUT, cwd=None):
        """Run fdleak with opts on argv; (result, JSON report or None)."""
        json_path = os.path.join(self.tmp, "report.json")
        if os.path.exists(json_path):
            os.unlink(json_path)
        res = self.run([self.fdleak] + list(opts) + ["--"] + list(argv),
                       env=env if env is not None else self.env(),
                       timeout=timeout, cwd=cwd)
        for mark in SANITIZER_MARKS:
            if mark in res.stderr:
                raise Failure("fdleak: sanitizer report: %s" % mark)
        report = None
        if os.path.exists(json_path):
            with open(json_path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            self.note("report", text[:20000])
            try:
                report = json.loads(text)
            except ValueError as e:
                raise Failure("fdleak wrote bad JSON: %s" % e)
        return res, report

    def trace_json(self, argv, opts=(), env=None, timeout=TIMEOUT, cwd=None):
        json_path = os.path.join(self.tmp, "report.json")
        res, report = self.fdleak_run(
            ["--format=json", "-o", json_path] + list(opts), argv, env=env,
            timeout=timeout, cwd=cwd)
        if report is None:
            raise Failure("no JSON report (fdleak exited %d)" % res.status)
        check_schema(report)
        return res, report


def victim_path(name):
    path = os.path.join(VICTIMS, name)
    if not os.access(path, os.X_OK):
        raise Failure("victim %s is not built (run `make victims`)" % path)
    return path


# --------------------------------------------------------------------------
# The victims' protocol


TOKEN = re.compile(r'(\w+)=(\S*)')


def parse_fields(rest):
    """key=value words; target= runs to the end of the line."""
    fields = {}
    cut = rest.find(" target=")
    if rest.startswith("target="):
        cut = -1
        fields["target"] = rest[len("target="):]
        rest = ""
    elif cut >= 0:
        fields["target"] = rest[cut + len(" target="):]
        rest = rest[:cut]
    for key, value in TOKEN.findall(rest):
        fields[key] = value
    return fields


class Protocol:
    """What a victim's stdout says about its leaks, processes and exits."""

    KEYWORDS = ("EXPECT", "EXPECT_COUNT", "PROC", "EXIT", "SKIP", "ERROR",
                "SELFCHECK", "OPEN")

    def __init__(self, stdout):
        self.expects = []       # dicts; pid and fd as ints
        self.counts = []        # dicts; pid and count as ints
        self.procs = {}         # pid -> ppid
        self.exits = {}         # pid -> ("code", int) or ("signal", name)
        self.skips = []         # (syscall, errno name)
        self.errors = []
        self.selfchecked = set()
        self.open = {}          # pid -> {fd: fields}
        self.other = []         # every other line, in order
        for line in stdout.splitlines():
            word, _, rest = line.partition(" ")
            if word not in self.KEYWORDS:
                self.other.append(line)
                continue
            if word == "ERROR":
                self.errors.append(rest)
                continue
            if word == "SKIP":
                parts = rest.split()
                self.skips.append((parts[0] if parts else "?",
                                   parts[1] if len(parts) > 1 else "?"))
                continue
            if word == "OPEN":
                fields = parse_link_fields(rest)
            else:
                fields = parse_fields(rest)
            try:
                pid = int(fields["pid"])
            except (KeyError, ValueError):
                self.errors.append("malformed line: " + line)
                continue
            if word == "EXPECT":
                fields["pid"] = pid
                fields["fd"] = int(fields["fd"])
                self.expects.append(fields)
            elif word == "EXPECT_COUNT":
                fields["pid"] = pid
                fields["count"] = int(fields["count"])
                self.counts.append(fields)
            elif word == "PROC":
                self.procs[pid] = int(fields.get("ppid", -1))
            elif word == "EXIT":
                if "signal" in fields:
                    self.exits[pid] = ("signal", fields["signal"])
                else:
                    self.exits[pid] = ("code", int(fields.get("code", -1)))
            elif word == "SELFCHECK":
                self.selfchecked.add(pid)
                self.open.setdefault(pid, {})
            elif word == "OPEN":
                self.open.setdefault(pid, {})[int(fields["fd"])] = fields

    def expects_of(self, pid, std_fds):
        return {e["fd"]: e for e in self.expects
                if e["pid"] == pid and std_reported(e, std_fds)}

    def counts_of(self, pid):
        return [c for c in self.counts if c["pid"] == pid]

    def leaking_pids(self, std_fds):
        pids = {e["pid"] for e in self.expects if std_reported(e, std_fds)}
        return pids | {c["pid"] for c in self.counts}

    def total(self, std_fds):
        return (sum(1 for e in self.expects if std_reported(e, std_fds)) +
                sum(c["count"] for c in self.counts))


def std_reported(e, std_fds):
    """Whether leak e (an EXPECT) is reported: fds 0-2 the program made
    itself are (as valgrind 3.25 does), those it was given across an
    exec only with --std-fds."""
    return std_fds or e["fd"] > 2 or str(e.get("across_exec")) != "1"


def parse_link_fields(rest):
    """An OPEN line: link= is last and may hold spaces."""
    head, sep, link = rest.partition(" link=")
    fields = dict(TOKEN.findall(head))
    fields["link"] = link if sep else ""
    return fields


def strip_protocol(stdout):
    """The victim's own output, without the protocol lines."""
    return "\n".join(Protocol(stdout).other)


# --------------------------------------------------------------------------
# Checking a JSON report


def check_schema(report):
    """The shape of the JSON report, as documented."""
    if not isinstance(report, dict):
        raise Failure("JSON report is not an object")
    for key in ("version", "processes", "suppressions", "summary"):
        if key not in report:
            raise Failure("JSON report has no %r" % key)
    if not isinstance(report["processes"], list):
        raise Failure("JSON processes is not a list")
    for e in report["suppressions"]:
        if set(e) != {"name", "file", "line", "default", "hits"} or \
                e["hits"] < 1:
            raise Failure("JSON suppression %r" % e)
    for proc in report["processes"]:
        for key in ("pid", "ppid", "command", "argv", "exit_code",
                    "exit_signal", "leaks", "sites", "misuse", "inherited",
                    "suppressed", "suppressed_misuse", "suppressed_inherited",
                    "suppressed_default", "only_from_hidden",
                    "min_age_hidden", "fork_inherited_hidden", "failures",
                    "ran_out", "unopened_closes"):
            if key not in proc:
                raise Failure("JSON process has no %r: %r" % (key, proc))
        for site in proc["sites"]:
            for key in ("count", "kinds", "fds", "oldest_fd", "newest_fd",
                        "targets", "backtrace"):
                if key not in site:
                    raise Failure("JSON site has no %r: %r" % (key, site))
        for m in proc["misuse"]:
            for key in ("type", "fd", "tid", "count", "fds", "more_fds",
                        "syscall", "kind", "backtrace", "previous_close",
                        "created"):
                if key not in m:
                    raise Failure("JSON misuse has no %r: %r" % (key, m))
        for i in proc["inherited"]:
            for key in ("fd", "kind", "target", "syscall", "tid", "program",
                        "backtrace"):
                if key not in i:
                    raise Failure("JSON inherited has no %r: %r" % (key, i))
        for leak in proc["leaks"]:
            for key in ("fd", "kind", "target", "syscall", "tid",
                        "created_in", "cloexec", "across_exec", "origin",
                        "backtrace"):
                if key not in leak:
                    raise Failure("JSON leak has no %r: %r" % (key, leak))
            for frame in leak["backtrace"]:
                for key in ("pc", "module", "offset", "function", "file",
                            "line", "inlined"):
                    if key not in frame:
                        raise Failure("JSON frame has no %r: %r" %
                                      (key, frame))
    for key in ("leaks", "processes", "leaking", "sites", "misuse",
                "inherited", "suppressed", "suppressed_misuse",
                "suppressed_inherited", "suppressed_default",
                "only_from_hidden", "min_age_hidden", "fork_inherited_hidden",
                "unopened_closes"):
        if key not in report["summary"]:
            raise Failure("JSON summary has no %r" % key)


def leaks_by_pid(report):
    """pid -> list of leaks, over every process entry of that pid."""
    by_pid = {}
    for proc in report["processes"]:
        by_pid.setdefault(proc["pid"], []).extend(proc["leaks"])
    return by_pid


def root_process(report):
    pids = {p["pid"] for p in report["processes"]}
    roots = [p for p in report["processes"] if p["ppid"] not in pids]
    if not roots:
        raise Failure("JSON report has no root process")
    return roots[0]


def functions(leak):
    return [f.get("function") for f in leak["backtrace"]]


def describe(leak):
    return "fd %s (%s %s %s, functions %s)" % (
        leak["fd"], leak["kind"], leak["syscall"], leak["target"],
        ",".join(str(f) for f in functions(leak)[:6]))


def compare_leak(pid, exp, leak):
    """Differences between one EXPECT line and the reported leak."""
    bad = []

    def want(key, expected, got):
        if expected != got:
            bad.append("%s %r, expected %r" % (key, got, expected))

    want("kind", exp["kind"], leak["kind"])
    want("syscall", exp["syscall"], leak["syscall"])
    if "target" in exp:
        want("target", exp["target"], leak["target"])
    if "tid" in exp:
        want("tid", int(exp["tid"]), leak["tid"])
    if "cloexec" in exp:
        want("cloexec", exp["cloexec"] == "1", leak["cloexec"])
    want("across_exec", exp.get("across_exec") == "1", leak["across_exec"])
    want("origin", "syscall", leak["origin"])
    if exp["function"] not in functions(leak):
        bad.append("no frame in %s (backtrace: %s)" % (
            exp["function"], ", ".join(str(f) for f in functions(leak))))
    if bad:
        return ["pid %d fd %d: %s" % (pid, exp["fd"], "; ".join(bad))]
    return []


def check_leaks(proto, report, std_fds=False):
    """Every process's leaks are exactly what the victim said."""
    problems = []
    by_pid = leaks_by_pid(report)
    for pid in sorted(set(by_pid) | proto.leaking_pids(std_fds)):
        leaks = by_pid.get(pid, [])
        for l in leaks:
            if not std_fds and l["fd"] <= 2 and l["across_exec"]:
                problems.append("pid %d: fd %d, given across exec, reported "
                                "without --std-fds" % (pid, l["fd"]))
        expects = proto.expects_of(pid, std_fds)
        counted = {}
        for leak in leaks:
            exp = expects.pop(leak["fd"], None)
            if exp is not None:
                problems += compare_leak(pid, exp, leak)
                continue
            site = next((c for c in proto.counts_of(pid)
                         if c["function"] in functions(leak)), None)
            if site is None:
                problems.append("pid %d: unexpected leak %s" %
                                (pid, describe(leak)))
                continue
            counted[site["function"]] = counted.get(site["function"], 0) + 1
            if (leak["kind"], leak["syscall"]) != (site["kind"],
                                                   site["syscall"]):
                problems.append("pid %d: %s leak %s, expected %s %s" % (
                    pid, site["function"], describe(leak), site["kind"],
                    site["syscall"]))
        for fd, exp in sorted(expects.items()):
            problems.append("pid %d: fd %d not reported (%s %s from %s)" %
                            (pid, fd, exp["kind"], exp["syscall"],
                             exp["function"]))
        for site in proto.counts_of(pid):
            got = counted.get(site["function"], 0)
            if got != site["count"]:
                problems.append("pid %d: %d leaks from %s, expected %d" %
                                (pid, got, site["function"], site["count"]))
    want = proto.total(std_fds)
    if report["summary"]["leaks"] != want:
        problems.append("summary.leaks %r, expected %d" %
                        (report["summary"]["leaks"], want))
    return problems


def check_processes(proto, report, commands):
    """The processes, their parents, commands and exits are the victim's."""
    problems = []
    procs = report["processes"]
    pids = {p["pid"] for p in procs}
    if report["summary"]["processes"] != len(procs):
        problems.append("summary.processes %r, but %d processes listed" %
                        (report["summary"]["processes"], len(procs)))
    if len(pids) != len(procs):
        problems.append("a pid is listed twice: %s" %
                        sorted(p["pid"] for p in procs))
    if proto.procs and pids != set(proto.procs):
        problems.append("processes %s, expected %s" %
                        (sorted(pids), sorted(proto.procs)))
    for p in procs:
        pid = p["pid"]
        if pid in proto.procs and p["ppid"] != proto.procs[pid]:
            problems.append("pid %d: ppid %r, expected %d" %
                            (pid, p["ppid"], proto.procs[pid]))
        command = p["command"]
        if not (isinstance(command, str) and command.startswith("/")):
            problems.append("pid %d: command %r is not an absolute path" %
                            (pid, command))
        elif commands and os.path.realpath(command) not in commands:
            problems.append("pid %d: command %r, expected one of %s" %
                            (pid, command, sorted(commands)))
        end = proto.exits.get(pid)
        if proto.procs and end is None:
            problems.append("pid %d: the victim did not say how it ended"
                            % pid)
        elif end is not None:
            got = (("signal", p["exit_signal"]) if p["exit_signal"]
                   else ("code", p["exit_code"]))
            if got != end or (end[0] == "signal" and p["exit_code"]
                              is not None):
                problems.append("pid %d: exit_code %r exit_signal %r, "
                                "expected %s %s" % (pid, p["exit_code"],
                                                    p["exit_signal"], *end))
    return problems


# --------------------------------------------------------------------------
# Tests


TESTS = []


def register(test):
    TESTS.append(test)
    return test


class VictimTest:
    """Run a victim under fdleak and check the report against its claims."""

    def __init__(self, name, victim, args=(), status=0, opts=(),
                 images=("exec_target",), std_fds=False, untraced=False,
                 timeout=TIMEOUT, victim_status=None, total_leaks=None):
        self.name = name
        self.total_leaks = total_leaks  # summary.leaks, whatever the victim says
        self.victim = victim
        self.args = list(args)
        self.status = status            # fdleak's expected exit status
        self.opts = list(opts)
        self.images = images            # other victims it may execve
        self.std_fds = std_fds
        self.untraced = untraced        # compare stdout/status untraced
        self.timeout = timeout
        # The victim's own exit status, where fdleak's differs from it.
        self.victim_status = status if victim_status is None else \
            victim_status

    def argv(self):
        return [victim_path(self.victim)] + self.args

    def run(self, ctx):
        argv = self.argv()
        res, report = ctx.trace_json(argv, self.opts, timeout=self.timeout)
        proto = Protocol(res.stdout)
        if proto.errors:
            raise Failure("victim error: " + "; ".join(proto.errors))
        problems = []
        if res.status != self.status:
            problems.append("fdleak exited %d, expected %d" %
                            (res.status, self.status))
        commands = {os.path.realpath(argv[0])}
        commands |= {os.path.realpath(os.path.join(VICTIMS, i))
                     for i in self.images}
        problems += check_processes(proto, report, commands)
        problems += check_leaks(proto, report, self.std_fds)
        if self.total_leaks is not None and not proto.skips and \
                report["summary"]["leaks"] != self.total_leaks:
            problems.append("summary.leaks %d, expected %d" %
                            (report["summary"]["leaks"], self.total_leaks))
        if self.untraced:
            plain = ctx.run(argv, env=ctx.env(), timeout=self.timeout)
            if plain.status != self.victim_status:
                problems.append("untraced status %d, expected %d" %
                                (plain.status, self.victim_status))
            if strip_protocol(plain.stdout) != strip_protocol(res.stdout):
                problems.append("stdout differs from the untraced run")
                ctx.note("untraced stdout (protocol lines removed)",
                         strip_protocol(plain.stdout))
                ctx.note("traced stdout (protocol lines removed)",
                         strip_protocol(res.stdout))
        fail_if(problems)
        return skipped_checks(proto)

    def selfcheck(self, ctx, use_strace):
        """Run the victim without fdleak; its claims must match /proc."""
        env = ctx.env(FDLEAK_SELFCHECK="1")
        argv = self.argv()
        res = ctx.run(argv, env=env, timeout=self.timeout)
        proto = Protocol(res.stdout)
        problems = ["victim error: " + e for e in proto.errors]
        if res.status != self.victim_status:
            problems.append("exited %d, expected %d" %
                            (res.status, self.victim_status))
        problems += selfcheck_protocol(proto)
        if use_strace:
            problems += strace_check(ctx, argv, env, self.timeout)
        fail_if(problems)
        return skipped_checks(proto)


def skipped_checks(proto):
    """The victim's SKIP lines: sub-checks skipped, or the whole test."""
    if proto.skips and not proto.expects and not proto.counts:
        raise Skip(", ".join("%s refused (%s)" % s for s in proto.skips))
    return ["%s refused by the kernel (%s)" % s for s in proto.skips]


class FunctionTest:
    """A test written as a function of the context. It returns nothing, a
    list of skipped sub-checks, or (that list, a note for the ok line)."""

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn

    def run(self, ctx):
        return self.fn(ctx) or []


def test(name):
    def wrap(fn):
        return register(FunctionTest(name, fn))
    return wrap


# The victims.
register(VictimTest("example", "example"))
register(VictimTest("families", "families", timeout=120))
register(VictimTest("threads", "threads", timeout=120))
register(VictimTest("forker-fork", "forker", ["fork"]))
register(VictimTest("forker-vfork", "forker", ["vfork"]))
register(VictimTest("forker-spawn", "forker", ["spawn"]))
register(VictimTest("execer-main", "execer", ["main"]))
register(VictimTest("execer-thread", "execer", ["thread"]))
register(VictimTest("execer-setfd", "execer", ["setfd"]))
register(VictimTest("scm-rights", "scm_rights"))
register(VictimTest("noleak", "noleak"))
register(VictimTest("many", "many", timeout=300, total_leaks=50000))
register(VictimTest("signals", "signals", untraced=True))
register(VictimTest("stdfds", "stdfds"))
register(VictimTest("stdfds-reported", "stdfds", opts=["--std-fds"],
                    std_fds=True))
for _args, _status in ((["exit", "0"], 0), (["exit", "7"], 7),
                       (["exit", "255"], 255),
                       (["signal", "SIGTERM"], 128 + signal.SIGTERM),
                       (["signal", "SIGSEGV"], 128 + signal.SIGSEGV),
                       (["signal", "SIGKILL"], 128 + signal.SIGKILL),
                       (["signal", "SIGABRT"], 128 + signal.SIGABRT)):
    register(VictimTest("exitcodes-%s-%s" % tuple(_args), "exitcodes",
                        _args, status=_status, untraced=True))


for _name, _victim, _args, _status, _victim_status in (
        ("error-exitcode-leak", "exitcodes", ["exit", "0"], 3, 0),
        ("error-exitcode-leak-status", "exitcodes", ["exit", "5"], 3, 5),
        ("error-exitcode-noleak", "noleak", [], 0, 0)):
    register(VictimTest(_name, _victim, _args, status=_status,
                        victim_status=_victim_status,
                        opts=["--error-exitcode=3"]))


@test("depth")
def _depth(ctx):
    """--depth=2 keeps at most two frames (inlined ones aside) per leak."""
    res, report = ctx.trace_json([victim_path("example")], ["--depth=2"])
    problems = []
    for proc in report["processes"]:
        for leak in proc["leaks"]:
            frames = [f for f in leak["backtrace"] if not f["inlined"]]
            if not 1 <= len(frames) <= 2:
                problems.append("fd %d: %d frames" % (leak["fd"], len(frames)))
    want = Protocol(res.stdout).total(False)
    if report["summary"]["leaks"] != want:
        problems.append("summary.leaks %r, expected %d" %
                        (report["summary"]["leaks"], want))
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


LEAK_LINE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse_text_report(text):
    """fdleak's text report: (processes, leaks with their frames, summary)."""
    procs, leaks, summary = [], [], None
    site_frames = None      # the frames of the site the next leak lines share
    for line in text.splitlines():
        if not line.startswith("fdleak: "):
            continue
        body = line[len("fdleak: "):]
        word, _, rest = body.strip().partition(" ")
        fields = {k: (v[1:-1] if v.startswith('"') else v)
                  for k, v in LEAK_LINE.findall(rest)}
        if body.startswith("process "):
            procs.append(fields)
            site_frames = None
        elif body.startswith("site "):
            site_frames = []
        elif body.startswith("leak "):
            fields["frames"] = site_frames if site_frames is not None else []
            leaks.append(fields)
        elif body.startswith("summary "):
            summary = fields
        elif body.startswith(("misuse ", "inherited ")):
            site_frames = None
        elif word in ("at", "by") and site_frames is not None:
            m = re.match(r'(?:at|by) (0x[0-9a-f]+): (\S+)', body.strip())
            if m:
                site_frames.append(m.group(2))
    return procs, leaks, summary


def check_text_report(text, proto, exe):
    procs, leaks, summary = parse_text_report(text)
    problems = []
    if len(procs) != 1:
        return ["%d process lines, expected 1" % len(procs)]
    p = procs[0]
    if (p.get("exit"), p.get("leaks"), p.get("command")) != \
            ("0", str(len(proto.expects)), exe):
        problems.append("process line %r" % p)
    pid = int(p.get("pid", -1))
    expects = proto.expects_of(pid, False)
    for leak in leaks:
        exp = expects.pop(int(leak.get("fd", -1)), None)
        if exp is None or int(leak.get("pid", -1)) != pid:
            problems.append("unexpected leak line %r" % leak)
            continue
        for key in ("kind", "syscall", "target"):
            if leak.get(key) != exp.get(key):
                problems.append("fd %d: %s %r, expected %r" %
                                (exp["fd"], key, leak.get(key), exp.get(key)))
        if exp["function"] not in leak["frames"]:
            problems.append("fd %d: no 'at' line in %s" %
                            (exp["fd"], exp["function"]))
    for fd in expects:
        problems.append("fd %d has no leak line" % fd)
    # Each leak of the example has a site of its own.
    want = {"leaks": str(len(proto.expects)), "processes": "1", "leaking": "1",
            "sites": str(len(proto.expects)), "misuse": "0", "inherited": "0",
            "suppressed": "0"}
    if summary != want:
        problems.append("summary %r, expected %r" % (summary, want))
    return problems


@test("text-report")
def _text_report(ctx):
    exe = victim_path("example")
    res, _ = ctx.fdleak_run([], [exe])
    proto = Protocol(res.stdout)
    problems = check_text_report(res.stderr, proto, os.path.realpath(exe))
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


@test("text-report-to-file")
def _text_report_file(ctx):
    exe = victim_path("example")
    out = os.path.join(ctx.tmp, "report.txt")
    res, _ = ctx.fdleak_run(["--format=text", "-o", out], [exe])
    proto = Protocol(res.stdout)
    if not os.path.exists(out):
        raise Failure("-o %s was not written" % out)
    with open(out, errors="replace") as f:
        text = f.read()
    ctx.note("report", text)
    problems = check_text_report(text, proto, os.path.realpath(exe))
    if "fdleak: leak " in res.stderr:
        problems.append("leak lines on stderr despite -o")
    fail_if(problems)


# Real programs.


@test("real-sh-exec-redirect")
def _sh_redirect(ctx):
    res, report = ctx.trace_json(["/bin/sh", "-c",
                                  "exec 7</etc/hostname; true"])
    if res.status != 0:
        raise Failure("fdleak exited %d" % res.status)
    root = root_process(report)
    got = [(p["pid"], l["fd"], l["kind"], l["target"])
           for p in report["processes"] for l in p["leaks"]]
    want = [(root["pid"], 7, "file", os.path.realpath("/etc/hostname"))]
    if got != want or report["summary"]["leaks"] != 1:
        raise Failure("leaks %r, expected %r" % (got, want))


@test("real-python-os-open")
def _python_open(ctx):
    res, report = ctx.trace_json(
        [sys.executable, "-c", "import os; os.open('/etc/hostname', 0)"])
    if res.status != 0:
        raise Failure("fdleak exited %d" % res.status)
    got = [(l["kind"], l["target"], l["syscall"])
           for p in report["processes"] for l in p["leaks"]]
    want = [("file", os.path.realpath("/etc/hostname"), "openat")]
    if got != want or report["summary"]["leaks"] != 1:
        raise Failure("leaks %r, expected %r" % (got, want))


def compare_test(name, argv):
    """A real program prints the same and exits the same under fdleak."""
    def fn(ctx):
        env = ctx.env()
        plain = ctx.run(argv, env=env)
        res, report = ctx.trace_json(argv, env=env)
        problems = []
        if res.status != plain.status:
            problems.append("status %d traced, %d untraced" %
                            (res.status, plain.status))
        if res.stdout != plain.stdout:
            problems.append("stdout differs traced and untraced")
        fail_if(problems)
        return [], "%d leak(s) reported in %d process(es), not asserted" % (
            report["summary"]["leaks"], len(report["processes"]))
    register(FunctionTest(name, fn))


compare_test("real-ls", ["ls", "-la", "/etc"])
compare_test("real-python-pass", [sys.executable, "-c", "pass"])
compare_test("real-tar", ["tar", "-cf", "/dev/null", "/usr/include"])


# fdleak's own errors.


def error_test(name, status, make_argv, one_line=None):
    """fdleak exits status; with one_line, says one line naming it."""
    def fn(ctx):
        argv = make_argv(ctx)
        res = ctx.run([ctx.fdleak] + argv, env=ctx.env())
        problems = []
        if res.status != status:
            problems.append("fdleak exited %d, expected %d" %
                            (res.status, status))
        if one_line is not None:
            lines = res.stderr.strip().splitlines()
            word = one_line(ctx)
            if len(lines) != 1 or word not in lines[0]:
                problems.append("stderr %r, expected one line naming %r" %
                                (res.stderr, word))
        if not res.stderr.strip():
            problems.append("nothing on stderr")
        fail_if(problems)
    register(FunctionTest(name, fn))


def _not_executable(ctx):
    path = os.path.join(ctx.tmp, "not-executable")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(path, 0o644)
    return ["--", path]


error_test("error-not-found", 127, lambda c: ["--", "/nonexistent/fdleak-cmd"],
           lambda c: "fdleak-cmd")
error_test("error-not-in-path", 127,
           lambda c: ["--", "fdleak-no-such-command"],
           lambda c: "fdleak-no-such-command")
error_test("error-directory", 126, lambda c: ["--", c.tmp], lambda c: c.tmp)
error_test("error-not-executable", 126, _not_executable,
           lambda c: "not-executable")
error_test("error-bad-option", 125,
           lambda c: ["--no-such-option", "--", "true"])
error_test("error-bad-format", 125, lambda c: ["--format=xml", "--", "true"])
error_test("error-bad-error-exitcode", 125,
           lambda c: ["--error-exitcode=many", "--", "true"])
error_test("error-no-command", 125, lambda c: [])


# --------------------------------------------------------------------------
# Attach mode (fdleak -p PID)
#
# The victims here run until killed: server leaks one fd every Nth request
# from handle_request_leaky() and says so (LEAKED fd=F request=R time=T);
# mtserver keeps threads churning, blocked in read(2) and in nanosleep.
# The tests start them in the background, attach and detach fdleak, and
# check that the report holds only what was made during the window and is
# still open, and that the target runs on unharmed.


class Background:
    """A program running in a session of its own while the test goes on;
    threads collect its stdout and stderr lines with the time they came."""

    def __init__(self, ctx, argv, env=None, name=None):
        self.ctx = ctx
        self.argv = argv
        self.name = name or os.path.basename(argv[0])
        self.cond = threading.Condition()
        self.lines = {"out": [], "err": []}    # [(time.monotonic(), text)]
        self.eof = {"out": False, "err": False}
        self.noted = False
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     env=env if env is not None else
                                     ctx.env(), start_new_session=True)
        self.pid = self.proc.pid
        self.readers = [
            threading.Thread(target=self._read, args=(stream, key),
                             daemon=True)
            for stream, key in ((self.proc.stdout, "out"),
                                (self.proc.stderr, "err"))]
        for t in self.readers:
            t.start()
        ctx.background.append(self)
        ctx.cleanups.append(self.kill)

    def _read(self, stream, key):
        for raw in iter(stream.readline, b""):
            now = time.monotonic()
            with self.cond:
                self.lines[key].append(
                    (now, raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.eof[key] = True
            self.cond.notify_all()

    def text(self, key="out"):
        with self.cond:
            return "\n".join(t for _, t in self.lines[key])

    def count(self, key="out"):
        with self.cond:
            return len(self.lines[key])

    def snapshot(self, key="out"):
        with self.cond:
            return list(self.lines[key])

    def wait_for(self, pattern, timeout, key="out", start=0):
        """The first line from index start on that matches pattern, as
        (index, time, match); Failure if none comes in time."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout * self.ctx.scale
        i = start
        with self.cond:
            while True:
                lines = self.lines[key]
                while i < len(lines):
                    m = rx.search(lines[i][1])
                    if m:
                        return i, lines[i][0], m
                    i += 1
                if self.eof[key]:
                    self.proc.poll()
                    raise Failure("%s (pid %d) ended (status %s) before "
                                  "printing /%s/" % (
                                      self.name, self.pid,
                                      self.status_text(), pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("%s (pid %d) did not print /%s/ within "
                                  "%gs" % (self.name, self.pid, pattern,
                                           timeout * self.ctx.scale))
                self.cond.wait(min(left, 0.5))

    def alive(self):
        return self.proc.poll() is None

    def status_text(self):
        rc = self.proc.poll()
        return "running" if rc is None else str(shell_status(rc))

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        """Its exit status (as a shell shows it); Failure on time-out."""
        try:
            rc = self.proc.wait(timeout=timeout * self.ctx.scale)
        except subprocess.TimeoutExpired:
            raise Failure("%s (pid %d) still running after %gs" % (
                self.name, self.pid, timeout * self.ctx.scale))
        for t in self.readers:
            t.join(timeout=10)
        return shell_status(rc)

    def kill(self):
        kill_group(self.pid)
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for t in self.readers:
            t.join(timeout=5)

    def note(self):
        if self.noted:
            return
        self.noted = True
        self.ctx.log.append("--- background $ %s (pid %d, %s)" % (
            " ".join(self.argv), self.pid, self.status_text()))
        for key in ("out", "err"):
            text = self.text(key)
            if len(text) > 6000:
                text = "[...]\n" + text[-6000:]
            self.ctx.note("std" + key, text)


def attach_supported(ctx):
    """Whether fdleak --help mentions -p (attach mode is implemented)."""
    if ctx.has_attach is None:
        res = run([ctx.fdleak, "--help"], timeout=30 * ctx.scale)
        ctx.has_attach = re.search(r'(^|[\s\[,|])-p\b',
                                   res.stdout + res.stderr, re.M) is not None
    return ctx.has_attach


def attach_test(name, selfcheck=None):
    """A test of attach mode, skipped while fdleak has no -p. selfcheck,
    if given, checks its victim untraced (run.py --selfcheck)."""
    def wrap(fn):
        def run_it(ctx):
            if not attach_supported(ctx):
                raise Skip("fdleak has no -p")
            return fn(ctx)
        t = FunctionTest(name, run_it)
        if selfcheck is not None:
            t.selfcheck = lambda ctx, use_strace: selfcheck(ctx) or []
        return register(t)
    return wrap


def proc_status(pid, tid=None):
    """/proc/PID[/task/TID]/status as a dict; FileNotFoundError if gone."""
    path = "/proc/%d/status" % pid if tid is None else \
        "/proc/%d/task/%d/status" % (pid, tid)
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def task_ids(pid):
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except (FileNotFoundError, ProcessLookupError):
        return []


def check_released(pid, when=""):
    """Problems if pid or a thread of it is stopped, traced or filtered."""
    tids = task_ids(pid)
    if not tids:
        return ["%spid %d is gone" % (when, pid)]
    problems = []
    for tid in tids:
        try:
            st = proc_status(pid, tid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        state = st.get("State", "?")
        if state[:1] in ("t", "T"):
            problems.append("%stid %d is stopped (State: %s)" %
                            (when, tid, state))
        if st.get("TracerPid", "0") != "0":
            problems.append("%stid %d is still traced (TracerPid %s)" %
                            (when, tid, st["TracerPid"]))
        if st.get("Seccomp", "0") != "0":
            problems.append("%stid %d has a seccomp filter (Seccomp %s)" %
                            (when, tid, st["Seccomp"]))
    return problems


def tracer_of(pid, tid=None):
    try:
        return int(proc_status(pid, tid).get("TracerPid", "0"))
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return -1


def wait_traced(ctx, pid, tracer, timeout=30, all_threads=True):
    """Wait until tracer (a Background) traces pid (and all its threads)."""
    deadline = time.monotonic() + timeout * ctx.scale
    while True:
        tids = task_ids(pid) if all_threads else [pid]
        if tids and all(tracer_of(pid, t) == tracer.pid for t in tids):
            return
        if not tracer.alive():
            raise Failure("%s (pid %d) exited %s before tracing pid %d: %s" %
                          (tracer.name, tracer.pid, tracer.status_text(), pid,
                           tracer.text("err").strip()[:500]))
        if time.monotonic() > deadline:
            raise Failure("%s (pid %d) did not trace pid %d within %gs" %
                          (tracer.name, tracer.pid, pid,
                           timeout * ctx.scale))
        time.sleep(0.01)


def start_attach(ctx, pids, opts):
    """fdleak -p PID... OPTS in the background."""
    argv = [ctx.fdleak]
    for pid in pids:
        argv += ["-p", str(pid)]
    return Background(ctx, argv + list(opts), name="fdleak")


def finish_attach(ctx, fdl, timeout=60, sig=None):
    """Send sig (if any) to fdleak, wait for it; problems with its status."""
    if sig is not None:
        fdl.signal(sig)
    status = fdl.wait(timeout)
    problems = []
    err = fdl.text("err")
    for mark in SANITIZER_MARKS:
        if mark in err:
            problems.append("fdleak: sanitizer report: %s" % mark)
    if status != 0:
        problems.append("fdleak exited %d, expected 0 (stderr: %s)" %
                        (status, err.strip()[-300:]))
    return problems


def json_documents(text):
    """The JSON documents of a stream, one after another."""
    dec = json.JSONDecoder()
    docs, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        try:
            doc, i = dec.raw_decode(text, i)
        except ValueError as e:
            raise Failure("fdleak wrote bad JSON (document %d): %s" %
                          (len(docs) + 1, e))
        docs.append(doc)


def read_attach_json(ctx, path):
    """(dumps, final report) from an -o FILE of --format=json."""
    if not os.path.exists(path):
        raise Failure("-o %s was not written" % path)
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    ctx.note("report " + os.path.basename(path), text[-20000:])
    docs = json_documents(text)
    if not docs:
        raise Failure("%s holds no JSON document" % path)
    dumps = [d for d in docs[:-1] if isinstance(d, dict) and "dump" in d]
    if len(dumps) != len(docs) - 1:
        raise Failure("%s: %d documents before the report are not dumps" %
                      (path, len(docs) - 1 - len(dumps)))
    for line in text.splitlines():
        if line.startswith('{"dump"'):
            try:
                json.loads(line)
            except ValueError:
                raise Failure("a JSON dump is not one line: %r" % line[:200])
    report = docs[-1]
    check_schema(report)
    return dumps, report


def check_attached_report(report, running, exe=None, ppid=None):
    """The attach-mode parts of a JSON report: the processes in running
    (pids still alive at detach) say so, every leak has an age."""
    problems = []
    for p in report["processes"]:
        if p["pid"] in running:
            if p.get("running") is not True:
                problems.append("pid %d: running %r, expected true" %
                                (p["pid"], p.get("running")))
            if p["exit_code"] is not None or p["exit_signal"] is not None:
                problems.append("pid %d: exit_code %r exit_signal %r for a "
                                "running process" % (p["pid"], p["exit_code"],
                                                     p["exit_signal"]))
            if exe is not None and \
                    os.path.realpath(str(p["command"])) != exe:
                problems.append("pid %d: command %r, expected %r" %
                                (p["pid"], p["command"], exe))
            if ppid is not None and p["ppid"] != ppid:
                problems.append("pid %d: ppid %r, expected %d" %
                                (p["pid"], p["ppid"], ppid))
        for leak in p["leaks"]:
            age = leak.get("age")
            if age is None and leak["origin"] != "syscall":
                continue            # no syscall seen: no creation time
            if isinstance(age, bool) or not isinstance(age, (int, float)) \
                    or age < 0:
                problems.append("pid %d fd %s: age %r is not a number of "
                                "seconds" % (p["pid"], leak["fd"], age))
    total = sum(len(p["leaks"]) for p in report["processes"])
    if report["summary"]["leaks"] != total:
        problems.append("summary.leaks %r, but %d leaks listed" %
                        (report["summary"]["leaks"], total))
    if report["summary"]["processes"] != len(report["processes"]):
        problems.append("summary.processes %r, but %d processes listed" %
                        (report["summary"]["processes"],
                         len(report["processes"])))
    return problems


# The text format: dumps and the final report.


def parse_kinds(text):
    """"file:3,pipe:2" -> {"file": 3, "pipe": 2}; None if malformed."""
    kinds = {}
    for part in text.split(","):
        name, sep, n = part.partition(":")
        if not sep or not n.isdigit():
            return None
        kinds[name] = int(n)
    return kinds


def parse_attach_text(text):
    """fdleak's text output in attach mode: (dumps, processes, leaks,
    summary), dumps normalized as JSON dumps are, each process, leak and
    dump site with the functions of its frames."""
    dumps, procs, leaks, summary = [], [], [], None
    frames = None
    site = []           # the frames of the report's site above a leak line
    for line in text.splitlines():
        if not line.startswith("fdleak: "):
            continue
        body = line[len("fdleak: "):]
        m = re.match(r'\s+(?:at|by) (0x[0-9a-fA-F]+): (\S+)', body)
        if m:
            if frames is not None:
                frames.append({"pc": m.group(1), "function": m.group(2)})
            continue
        frames = None
        word, _, rest = body.partition(" ")
        fields = {k: (v[1:-1] if v.startswith('"') else v)
                  for k, v in LEAK_LINE.findall(rest)}
        if word == "dump":
            dumps.append({"dump": int(fields.get("n", -1)),
                          "elapsed": float(fields.get("elapsed", -1)),
                          "processes": [], "line": line})
        elif word == "dump-process" and dumps:
            dumps[-1]["processes"].append({
                "pid": int(fields.get("pid", -1)),
                "fds": int(fields.get("fds", -1)),
                "outstanding": int(fields.get("outstanding", -1)),
                "sites": []})
        elif word == "dump-site" and dumps and dumps[-1]["processes"]:
            growth = fields.get("growth", "")
            site = {"pid": int(fields.get("pid", -1)),
                    "count": int(fields.get("count", -1)),
                    "growth": int(growth) if re.match(r'^[+-]\d+$', growth)
                    else None,
                    "growth_text": growth,
                    "kinds": parse_kinds(fields.get("kinds", "")),
                    "backtrace": []}
            dumps[-1]["processes"][-1]["sites"].append(site)
            frames = site["backtrace"]
        elif word == "process":
            procs.append(fields)
            site = []
        elif word == "site":
            site = []
            frames = site
        elif word == "leak":
            # Frames under the leak line, or else those of its site.
            fields["backtrace"] = []
            fields["site_backtrace"] = site
            leaks.append(fields)
            frames = fields["backtrace"]
        elif word == "summary":
            summary = fields
    return dumps, procs, leaks, summary


def site_key(site):
    return tuple(f.get("pc") for f in site["backtrace"])


def site_functions(site):
    """The functions of a dump site's stack, or of a text leak line's
    (its own frames, or those of the site it is listed under)."""
    frames = site["backtrace"] or site.get("site_backtrace") or []
    return [f.get("function") for f in frames]


def check_dumps(dumps, pid, function, interval=None):
    """Problems with a series of dumps of one process; and the count of
    the site whose stack holds function, per dump (0 if absent)."""
    problems, counts = [], []
    previous = {}
    for i, d in enumerate(dumps):
        n = d.get("dump")
        where = "dump %s" % n
        if n != i + 1:
            problems.append("dump %d is numbered %r" % (i + 1, n))
        el = d.get("elapsed")
        if isinstance(el, bool) or not isinstance(el, (int, float)) or el < 0:
            problems.append("%s: elapsed %r" % (where, el))
        else:
            # Dump k of --interval=S comes at k*S seconds or later (later
            # when fdleak was busy: then it may be close to the next one).
            if interval is not None and el < (i + 1) * interval - 0.15:
                problems.append("%s: elapsed %r, before %d intervals of %gs" %
                                (where, el, i + 1, interval))
            prev = dumps[i - 1].get("elapsed") if i > 0 else None
            if isinstance(prev, (int, float)) and el < prev:
                problems.append("%s: elapsed %r after %r" % (where, el, prev))
        procs = d.get("processes", [])
        if [p.get("pid") for p in procs] != [pid]:
            problems.append("%s: processes %r, expected [%d]" % (
                where, [p.get("pid") for p in procs], pid))
            counts.append(0)
            continue
        p = procs[0]
        sites = p.get("sites", [])
        fds, out = p.get("fds"), p.get("outstanding")
        if not isinstance(fds, int) or not isinstance(out, int) or \
                out < 0 or fds < out:
            problems.append("%s: fds=%r outstanding=%r" % (where, fds, out))
        if sum(s.get("count", 0) for s in sites) != out:
            problems.append("%s: site counts add up to %d, outstanding=%r" %
                            (where, sum(s.get("count", 0) for s in sites),
                             out))
        order = [(s.get("growth") or 0, s.get("count") or 0) for s in sites]
        if order != sorted(order, reverse=True):
            problems.append("%s: sites not sorted by growth then count: %r"
                            % (where, order))
        found = 0
        seen = {}
        for s in sites:
            c, g, k = s.get("count"), s.get("growth"), s.get("kinds")
            if "pid" in s and s["pid"] != pid:
                problems.append("%s: site of pid %r" % (where, s["pid"]))
            if not isinstance(c, int) or c < 0 or \
                    not isinstance(g, int) or isinstance(g, bool):
                problems.append("%s: site count=%r growth=%r" % (
                    where, c, s.get("growth_text", g)))
                continue
            if not isinstance(k, dict) or sum(k.values()) != c:
                problems.append("%s: site kinds %r do not add up to count "
                                "%d" % (where, k, c))
            if not s["backtrace"]:
                problems.append("%s: a site without a stack" % where)
            key = site_key(s)
            seen[key] = c
            want = c - previous.get(key, 0)
            if g != want:
                problems.append("%s: site %s count %d growth %d, expected "
                                "%+d (previous count %d)" % (
                                    where, ",".join(
                                        str(f) for f in site_functions(s)[:3]),
                                    c, g, want, previous.get(key, 0)))
            if function in site_functions(s):
                if found:
                    problems.append("%s: %s is in two sites" % (where,
                                                                function))
                found += c
                if k != {"file": c}:
                    problems.append("%s: %s site kinds %r, expected "
                                    "{'file': %d}" % (where, function, k, c))
        previous = seen
        counts.append(found)
    return problems, counts


def check_growing(counts, strict):
    """The leaking site's counts, dump after dump: never smaller, larger
    at the end (strict: larger at each dump). An interval dump may follow
    the previous one closely when fdleak itself was slow (ASan)."""
    if not counts or 0 in counts:
        return ["no handle_request_leaky site in a dump: counts %s" % counts]
    pairs = list(zip(counts, counts[1:]))
    if any(b < a for a, b in pairs) or (strict and any(b == a for a, b in
                                                       pairs)) or \
            counts[-1] <= counts[0]:
        return ["the handle_request_leaky site does not grow from dump to "
                "dump: counts %s" % counts]
    return []


# The server victim.


LEAKED_LINE = re.compile(r'^LEAKED fd=(\d+) request=(\d+) time=([\d.]+)$')
PROGRESS_LINE = re.compile(r'^PROGRESS (\d+)$')


def start_server(ctx, every=10):
    srv = Background(ctx, [victim_path("server"), str(every)], name="server")
    srv.wait_for(r'^READY ', 30)
    return srv


class ServerLog:
    """What server said so far: its startup leaks and LEAKED lines."""

    def __init__(self, srv):
        lines = srv.snapshot("out")
        proto = Protocol("\n".join(t for _, t in lines))
        if proto.errors:
            raise Failure("server error: " + "; ".join(proto.errors))
        self.startup = {e["fd"]: e for e in proto.expects}
        self.leaked = []            # (request, fd, time)
        self.progress = []          # (time received, n)
        for when, text in lines:
            m = LEAKED_LINE.match(text)
            if m:
                self.leaked.append((int(m.group(2)), int(m.group(1)),
                                    float(m.group(3))))
            m = PROGRESS_LINE.match(text)
            if m:
                self.progress.append((when, int(m.group(1))))
        self.by_fd = {fd: (req, t) for req, fd, t in self.leaked}

    def leaked_before(self, t):
        return sum(1 for _, _, when in self.leaked if when < t)

    def leaked_between(self, t0, t1):
        return [x for x in self.leaked if t0 <= x[2] <= t1]


def wait_leaked(srv, fds, timeout=10):
    """Wait until server has printed the LEAKED line of every fd in fds."""
    log = ServerLog(srv)
    for fd in fds:
        if fd > 2 and fd not in log.by_fd and fd not in log.startup:
            try:
                srv.wait_for(r'^LEAKED fd=%d ' % fd, timeout)
            except Failure:
                pass
    return ServerLog(srv)


def check_progress(srv, when):
    """Problems if server has stopped (or stops) making progress."""
    if not srv.alive():
        return ["%sserver exited %s" % (when, srv.status_text())]
    log = ServerLog(srv)
    last = log.progress[-1][1] if log.progress else 0
    # Two steps on: a line still in the pipe is no proof of progress.
    start = 0
    while True:
        try:
            start, _, m = srv.wait_for(r'^PROGRESS (\d+)$', 10, start=start)
        except Failure as e:
            return ["%sno progress after PROGRESS %d: %s" % (when, last, e)]
        if int(m.group(1)) >= last + 100:
            return []
        start += 1


def check_server_leaks(srv, report, t0, t1, after=0):
    """The leaks of one attach to server between t0 and t1 (monotonic):
    fds leaked in handle_request_leaky during the window, one unbroken run
    of them, never a startup fd or one leaked before; at most one request's
    fds still in flight. Returns (problems, leaky leaks, last request)."""
    problems = []
    leaks = leaks_by_pid(report).get(srv.pid, [])
    hostname = os.path.realpath("/etc/hostname")
    log = wait_leaked(srv, [l["fd"] for l in leaks
                            if "handle_request_leaky" in functions(l) or
                            l["target"] == hostname])
    leaky, in_flight, unknown = [], [], []
    for leak in leaks:
        fd, fns = leak["fd"], functions(leak)
        known = leak["origin"] == "syscall"
        if fd in log.startup:
            problems.append("fd %d from leak_at_startup (open before the "
                            "attach) reported" % fd)
            continue
        # What the report says it is, then whether the server agrees. An
        # fd of no known origin had its syscall under way at attach or
        # detach: the first or last leak, or an fd of a request in flight.
        if known and "handle_request_leaky" not in fns or not known and \
                (leak["kind"], leak["target"]) != ("file", hostname):
            if "handle_request" in fns or not known:
                in_flight.append(leak)
            else:
                problems.append("unexpected leak %s" % describe(leak))
            continue
        if fd not in log.by_fd:
            problems.append("fd %d reported as leaked by "
                            "handle_request_leaky, but the server never "
                            "leaked it (%s)" % (fd, describe(leak)))
            continue
        req, when = log.by_fd[fd]
        if when < t0:
            problems.append("fd %d (request %d) was leaked %.2fs before "
                            "fdleak started, yet reported" %
                            (fd, req, t0 - when))
        elif when > t1:
            problems.append("fd %d (request %d) was leaked after fdleak "
                            "exited, yet reported" % (fd, req))
        leaky.append((req, leak))
        if not known:
            unknown.append(req)
            continue
        if (leak["kind"], leak["syscall"], leak["target"], leak["tid"]) != \
                ("file", "openat", hostname, srv.pid):
            problems.append("fd %d: %s %s %r tid %r, expected file openat "
                            "%r tid %d" % (fd, leak["kind"], leak["syscall"],
                                           leak["target"], leak["tid"],
                                           hostname, srv.pid))
        age = leak.get("age")
        if isinstance(age, (int, float)) and age > t1 - when + 0.15:
            problems.append("fd %d: age %r, but it was opened %.2fs before "
                            "fdleak exited" % (fd, age, t1 - when))
    if len(in_flight) > 2:
        problems.append("%d fds of handle_request or of no known origin "
                        "reported (one request in flight holds at most 2): "
                        "%s" % (
                            len(in_flight),
                            "; ".join(describe(l) for l in in_flight[:4])))
    if not leaky:
        problems.append("no leak from handle_request_leaky reported (server "
                        "leaked %d fds while fdleak ran)" %
                        len(log.leaked_between(t0, t1)))
        return problems, leaky, after
    leaky.sort(key=lambda x: x[0])
    requests = [r for r, _ in leaky]
    if set(unknown) - {requests[0], requests[-1]}:
        problems.append("fds of requests %s reported with no origin; only "
                        "the first (%d) or last (%d) can have been opened as "
                        "fdleak attached or detached" % (
                            unknown, requests[0], requests[-1]))
    order = [r for r, _, _ in log.leaked]
    first = order.index(requests[0])
    run_ = order[first:first + len(requests)]
    if run_ != requests:
        missing = sorted(set(order[first:order.index(requests[-1]) + 1]) -
                         set(requests))
        problems.append("leaks of requests %d..%d reported, but not those of "
                        "requests %s in between" % (
                            requests[0], requests[-1],
                            ",".join(str(m) for m in missing[:10])))
    if requests[0] <= after:
        problems.append("request %d's fd reported, though the previous "
                        "attach already saw up to request %d" %
                        (requests[0], after))
    ages = [l.get("age") for _, l in leaky]
    if all(isinstance(a, (int, float)) for a in ages) and \
            any(b > a + 0.1 for a, b in zip(ages, ages[1:])):
        problems.append("ages do not decrease with the request order: %s" %
                        ages[:20])
    return problems, leaky, requests[-1]


def server_selfcheck(ctx):
    """server untraced: its EXPECT and LEAKED fds are open as it says,
    nothing else is, and it makes progress."""
    srv = start_server(ctx)
    time.sleep(0.6)
    problems = []
    fds = {}
    d = "/proc/%d/fd" % srv.pid
    listed = time.monotonic()
    for name in os.listdir(d):
        try:
            link = os.readlink(os.path.join(d, name))
            mode = os.stat(os.path.join(d, name)).st_mode
        except OSError:
            continue                # closed meanwhile: a request in flight
        fds[int(name)] = (link, kind_of(link, mode))
    log = wait_leaked(srv, [fd for fd in fds if fd > 2])
    if len(log.startup) != 5:
        problems.append("%d EXPECT lines, expected 5" % len(log.startup))
    for fd, exp in log.startup.items():
        got = fds.get(fd)
        if got is None or got[1] != exp["kind"] or \
                got[0] != exp.get("target"):
            problems.append("EXPECT fd %d (%s %s) is %r" % (
                fd, exp["kind"], exp.get("target"), got))
    hostname = os.path.realpath("/etc/hostname")
    for req, fd, when in log.leaked:
        if when < listed and fds.get(fd, (None,))[0] != hostname:
            problems.append("LEAKED fd %d (request %d) is %r" % (
                fd, req, fds.get(fd)))
    if not log.leaked:
        problems.append("no LEAKED line")
    if [r for r, _, _ in log.leaked] != \
            [10 * (i + 1) for i in range(len(log.leaked))]:
        problems.append("LEAKED requests are not every 10th")
    stray = sorted(fd for fd in fds if fd > 2 and fd not in log.startup and
                   fd not in log.by_fd)
    if len(stray) > 2:
        problems.append("fds open but not announced: %s" % stray)
    problems += check_progress(srv, "")
    fail_if(problems)


@attach_test("attach-server", selfcheck=server_selfcheck)
def _attach_server(ctx):
    """Attach twice (--duration=1, then SIGINT after 1 s): only fds made
    during each window and still open are reported; the server goes on."""
    srv = start_server(ctx)
    exe = os.path.realpath(victim_path("server"))
    time.sleep(0.3)
    problems, after, notes = [], 0, []
    for rnd, how in ((1, "duration"), (2, "SIGINT")):
        when = "attach %d: " % rnd
        path = os.path.join(ctx.tmp, "attach-%d.json" % rnd)
        opts = ["--format=json", "-o", path]
        if how == "duration":
            opts.append("--duration=1")
        t0 = time.monotonic()
        fdl = start_attach(ctx, [srv.pid], opts)
        if how == "SIGINT":
            wait_traced(ctx, srv.pid, fdl)
            time.sleep(1.0)
            p = finish_attach(ctx, fdl, sig=signal.SIGINT)
        else:
            p = finish_attach(ctx, fdl)
        t1 = time.monotonic()
        p += check_released(srv.pid, "after detach: ")
        if how == "duration" and t1 - t0 < 1.0:
            p.append("--duration=1 ended after %.2fs" % (t1 - t0))
        p += check_progress(srv, "after detach: ")
        problems += [when + x for x in p]
        if p:
            break
        _, report = read_attach_json(ctx, path)
        p = check_attached_report(report, {srv.pid}, exe, os.getpid())
        if srv.pid not in {q["pid"] for q in report["processes"]}:
            p.append("the server (pid %d) is not in the report" % srv.pid)
        lp, leaky, after = check_server_leaks(srv, report, t0, t1, after)
        if [q["pid"] for q in report["processes"]] != [srv.pid]:
            p.append("processes %s, expected only the server" %
                     [q["pid"] for q in report["processes"]])
        problems += [when + x for x in p + lp]
        notes.append("%d" % len(leaky))
    fail_if(problems)
    return [], "leaks reported per attach: %s" % ", ".join(notes)


@attach_test("attach-two")
def _attach_two(ctx):
    """-p A -p B: both traced at once, each with its own leaks, both left
    running."""
    a, b = start_server(ctx), start_server(ctx, every=5)
    exe = os.path.realpath(victim_path("server"))
    time.sleep(0.3)
    path = os.path.join(ctx.tmp, "two.json")
    t0 = time.monotonic()
    fdl = start_attach(ctx, [a.pid, b.pid], ["--duration=1", "--format=json",
                                             "-o", path])
    problems = finish_attach(ctx, fdl)
    t1 = time.monotonic()
    for srv in (a, b):
        problems += check_released(srv.pid, "after detach: ")
        problems += check_progress(srv, "after detach: ")
    fail_if(problems)
    _, report = read_attach_json(ctx, path)
    problems += check_attached_report(report, {a.pid, b.pid}, exe,
                                      os.getpid())
    pids = sorted(q["pid"] for q in report["processes"])
    if pids != sorted((a.pid, b.pid)):
        problems.append("processes %s, expected %s" %
                        (pids, sorted((a.pid, b.pid))))
    counts = []
    for srv in (a, b):
        lp, leaky, _ = check_server_leaks(srv, report, t0, t1)
        problems += ["pid %d: %s" % (srv.pid, x) for x in lp]
        counts.append(len(leaky))
    fail_if(problems)
    return [], "leaks %d and %d" % tuple(counts)


@attach_test("attach-target-exits")
def _attach_target_exits(ctx):
    """The target dies (SIGTERM) under fdleak: fdleak ends by itself and
    reports how it ended and what it held open then."""
    srv = start_server(ctx)
    exe = os.path.realpath(victim_path("server"))
    time.sleep(0.3)
    path = os.path.join(ctx.tmp, "exits.json")
    t0 = time.monotonic()
    fdl = start_attach(ctx, [srv.pid], ["--format=json", "-o", path])
    wait_traced(ctx, srv.pid, fdl)
    time.sleep(0.5)
    srv.signal(signal.SIGTERM)
    problems = finish_attach(ctx, fdl, timeout=30)
    t1 = time.monotonic()
    status = srv.wait(30)
    if status != 128 + signal.SIGTERM:
        problems.append("the server ended with status %d, expected %d" %
                        (status, 128 + signal.SIGTERM))
    fail_if(problems)
    _, report = read_attach_json(ctx, path)
    problems += check_attached_report(report, set())
    procs = [q for q in report["processes"] if q["pid"] == srv.pid]
    if len(report["processes"]) != 1 or not procs:
        problems.append("processes %s, expected [%d]" % (
            [q["pid"] for q in report["processes"]], srv.pid))
    else:
        q = procs[0]
        if (q["exit_code"], q["exit_signal"]) != (None, "SIGTERM") or \
                q.get("running") is True:
            problems.append("exit_code %r exit_signal %r running %r, "
                            "expected null, SIGTERM, not running" % (
                                q["exit_code"], q["exit_signal"],
                                q.get("running")))
        if os.path.realpath(str(q["command"])) != exe:
            problems.append("command %r, expected %r" % (q["command"], exe))
    lp, leaky, _ = check_server_leaks(srv, report, t0, t1)
    problems += lp
    fail_if(problems)
    return [], "%d leaks at exit" % len(leaky)


# The multithreaded victim.


def start_mtserver(ctx):
    fifo = os.path.join(ctx.tmp, "mtserver.fifo")
    os.mkfifo(fifo)
    mt = Background(ctx, [victim_path("mtserver"), fifo], name="mtserver")
    mt.wait_for(r'^READY ', 30)
    reader = int(mt.wait_for(r'^READER tid=(\d+)', 5)[2].group(1))
    sleeper = int(mt.wait_for(r'^SLEEPER tid=(\d+)', 5)[2].group(1))
    return mt, fifo, reader, sleeper


def task_syscall(pid, tid):
    """The syscall number a thread is blocked in, or None."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
            word = f.read().split(" ", 1)[0]
    except OSError:
        return None
    return int(word) if word.lstrip("-").isdigit() else None


def wait_blocked(ctx, pid, tid, nr, what, timeout=10):
    deadline = time.monotonic() + timeout * ctx.scale
    while task_syscall(pid, tid) != nr:
        if time.monotonic() > deadline:
            raise Failure("%s (tid %d) is not blocked in syscall %d (it is "
                          "in %r)" % (what, tid, nr, task_syscall(pid, tid)))
        time.sleep(0.01)


def feed_reader(ctx, mt, fifo, token):
    """Write token to the FIFO; problems unless the reader prints it."""
    start = mt.count()
    with open(fifo, "w") as f:
        f.write(token + "\n")
    try:
        mt.wait_for(r'^READ %s$' % re.escape(token), 10, start=start)
    except Failure as e:
        return ["the blocked read did not return %r: %s" % (token, e)]
    return []


MT_ERRORS = re.compile(r'^(READ-ERROR|READ-EOF|SLEEP-ERROR|SLEEP-SHORT|'
                       r'ERROR)\b')


def mt_errors(mt):
    return ["mtserver: %s" % t for _, t in mt.snapshot("out")
            if MT_ERRORS.match(t)]


def mtserver_selfcheck(ctx):
    """mtserver untraced: its threads, a read that returns what the FIFO
    gets, full sleeps, progress, and no fd beyond the FIFO's."""
    mt, fifo, reader, sleeper = start_mtserver(ctx)
    problems = []
    tids = task_ids(mt.pid)
    if len(tids) != 11 or reader not in tids or sleeper not in tids:
        problems.append("threads %s (reader %d, sleeper %d), expected 11" %
                        (tids, reader, sleeper))
    wait_blocked(ctx, mt.pid, reader, 0, "the reader")
    problems += feed_reader(ctx, mt, fifo, "selfcheck-%d" % os.getpid())
    wait_blocked(ctx, mt.pid, reader, 0, "the reader")
    try:
        mt.wait_for(r'^SLEPT 1$', 10)
    except Failure as e:
        problems.append(str(e))
    base = mt.snapshot("out")
    progress = [int(m.group(1)) for m in
                (PROGRESS_LINE.match(t) for _, t in base) if m]
    if progress:
        try:
            mt.wait_for(r'^PROGRESS (\d*)$', 5, start=len(base))
        except Failure as e:
            problems.append(str(e))
        later = [int(m.group(1)) for m in
                 (PROGRESS_LINE.match(t) for _, t in mt.snapshot("out")) if m]
        if later[-1] <= progress[-1]:
            problems.append("PROGRESS does not advance: %d then %d" %
                            (progress[-1], later[-1]))
    else:
        problems.append("no PROGRESS line")
    fds = [int(x) for x in os.listdir("/proc/%d/fd" % mt.pid)]
    if 3 not in fds or len([fd for fd in fds if fd > 3]) > 16:
        problems.append("open fds %s: expected 0-3 and a few in flight" %
                        sorted(fds))
    problems += mt_errors(mt)
    fail_if(problems)


@attach_test("attach-mt-cycles", selfcheck=mtserver_selfcheck)
def _attach_mt_cycles(ctx):
    """50 attach/detach cycles on 11 busy, blocked and sleeping threads:
    never killed, never left stopped or traced, read and nanosleep go on."""
    mt, fifo, reader, sleeper = start_mtserver(ctx)
    exe = os.path.realpath(victim_path("mtserver"))
    wait_blocked(ctx, mt.pid, reader, 0, "the reader")
    problems = feed_reader(ctx, mt, fifo, "before-cycles")
    wait_blocked(ctx, mt.pid, reader, 0, "the reader")
    ways = (("--duration=0.1", None), ("SIGINT", signal.SIGINT),
            ("SIGTERM", signal.SIGTERM), ("SIGHUP", signal.SIGHUP))
    path = os.path.join(ctx.tmp, "cycle.json")
    started = time.monotonic()
    cycles = 50
    unknown = 0
    for i in range(cycles):
        how, sig = ways[i % len(ways)]
        when = "cycle %d (%s): " % (i + 1, how)
        if os.path.exists(path):
            os.unlink(path)
        opts = ["--format=json", "-o", path]
        if sig is None:
            opts.append(how)
        fdl = start_attach(ctx, [mt.pid], opts)
        if sig is not None:
            wait_traced(ctx, mt.pid, fdl)
            time.sleep(0.05)
        p = finish_attach(ctx, fdl, timeout=30, sig=sig)
        if not mt.alive():
            p.append("mtserver died: status %s" % mt.status_text())
        p += check_released(mt.pid)
        if not p:
            _, report = read_attach_json(ctx, path)
            p += check_attached_report(report, {mt.pid}, exe, os.getpid())
            leaks = leaks_by_pid(report)
            if set(leaks) - {mt.pid}:
                p.append("processes %s in the report" % sorted(leaks))
            mine = leaks.get(mt.pid, [])
            for leak in mine:
                # An fd held at the entry of its close is on its way out,
                # not of unknown origin: every outstanding fd has its stack.
                if leak["origin"] != "syscall":
                    unknown += 1
                    p.append("leak of unknown origin %s" % describe(leak))
                elif not {"churn_file", "churn_pipe"} & \
                        set(functions(leak)):
                    p.append("unexpected leak %s" % describe(leak))
            if len(mine) > 16:
                p.append("%d fds reported; 8 churners hold at most 16 at "
                         "once" % len(mine))
        p += mt_errors(mt)
        if p:
            problems += [when + x for x in p]
            break
    elapsed = time.monotonic() - started
    if not problems:
        wait_blocked(ctx, mt.pid, reader, 0, "after the cycles, the reader")
        problems += feed_reader(ctx, mt, fifo, "after-%d-cycles" % cycles)
        start = mt.count()
        for pattern in (r'^SLEPT \d+$', r'^PROGRESS \d+$'):
            try:
                mt.wait_for(pattern, 10, start=start)
            except Failure as e:
                problems.append("after the cycles: %s" % e)
        problems += check_released(mt.pid, "at the end: ")
        problems += mt_errors(mt)
    fail_if(problems)
    return [], "%d cycles in %.1fs; %d fds of unknown origin" % (
        cycles, elapsed, unknown)


# Live dumps.


@attach_test("attach-dumps")
def _attach_dumps(ctx):
    """--interval=0.5 (text): successive dumps show the leaking site grow;
    then SIGUSR1 alone makes dumps; SIGINT ends each run with a report."""
    srv = start_server(ctx)
    time.sleep(0.3)
    problems = []
    notes = []
    for mode in ("interval", "SIGUSR1"):
        when = "%s: " % mode
        t0 = time.monotonic()
        if mode == "interval":
            fdl = start_attach(ctx, [srv.pid], ["--interval=0.5"])
            fdl.wait_for(r'^fdleak: dump n=3 ', 30, key="err")
            sent = []
        else:
            fdl = start_attach(ctx, [srv.pid], [])
            wait_traced(ctx, srv.pid, fdl)
            time.sleep(0.7)
            sent = []
            for n in (1, 2):
                sent.append(time.monotonic())
                fdl.signal(signal.SIGUSR1)
                fdl.wait_for(r'^fdleak: dump n=%d ' % n, 30, key="err")
                # Two leaks printed after the dump began: one at least
                # was made after it, so the next dump must count more.
                start = srv.count()
                for _ in range(2):
                    start = srv.wait_for(LEAKED_LINE.pattern, 30,
                                         start=start)[0] + 1
        t_read = time.monotonic()
        p = finish_attach(ctx, fdl, sig=signal.SIGINT)
        t1 = time.monotonic()
        p += check_released(srv.pid, "after detach: ")
        p += check_progress(srv, "after detach: ")
        lines = fdl.snapshot("err")
        text = "\n".join(t for _, t in lines)
        ctx.note("fdleak output (%s)" % mode, text[-20000:])
        dumps, procs, leaks, summary = parse_attach_text(text)
        if sent:
            first = next((w for w, t in lines
                          if t.startswith("fdleak: dump ")), None)
            if first is not None and first < sent[0]:
                p.append("a dump came before SIGUSR1 was sent, without "
                         "--interval")
            if len(dumps) != 2:
                p.append("%d dumps for 2 SIGUSR1" % len(dumps))
        elif len(dumps) < 3:
            p.append("%d dumps, expected 3 or more" % len(dumps))
        dp, counts = check_dumps(dumps, srv.pid, "handle_request_leaky",
                                 0.5 if mode == "interval" else None)
        p += dp
        p += check_growing(counts, strict=mode != "interval")
        log = ServerLog(srv)
        # fds = the baseline (0-2, the startup leaks, requests leaked
        # before fdleak started, none ever closed) + the outstanding ones.
        base = 3 + len(log.startup) + log.leaked_before(t0)
        top = 3 + len(log.startup) + log.leaked_before(t_read) + 4
        for d in dumps:
            for q in d["processes"][:1]:
                if not base + q["outstanding"] - 2 <= q["fds"] <= top:
                    p.append("dump %d: fds=%d, expected %d + outstanding %d "
                             "(at most %d)" % (d["dump"], q["fds"], base,
                                               q["outstanding"], top))
        if counts and counts[-1] > len(log.leaked_between(t0, t1)):
            p.append("%d fds of handle_request_leaky in the last dump, but "
                     "only %d leaked while fdleak ran" % (
                         counts[-1], len(log.leaked_between(t0, t1))))
        # The final report, in text.
        if len(procs) != 1:
            p.append("%d process lines, expected 1" % len(procs))
        else:
            pr = procs[0]
            if pr.get("pid") != str(srv.pid) or \
                    pr.get("state") != "running" or "exit" in pr:
                p.append("process line %r: expected pid=%d state=running "
                         "and no exit=" % (pr, srv.pid))
            if pr.get("leaks") != str(len(leaks)):
                p.append("process line says leaks=%s, %d leak lines" %
                         (pr.get("leaks"), len(leaks)))
        want = {"leaks": str(len(leaks)), "processes": "1",
                "leaking": "1" if leaks else "0"}
        if {k: (summary or {}).get(k) for k in want} != want:
            p.append("summary %r, expected %r" % (summary, want))
        leaky = 0
        for leak in leaks:
            fns = site_functions(leak)
            if not re.match(r'^\d+\.\d$', leak.get("age", "")):
                p.append("leak fd=%s: age=%r, expected seconds with one "
                         "decimal" % (leak.get("fd"), leak.get("age")))
            if "handle_request_leaky" in fns:
                leaky += 1
            elif "handle_request" not in fns:
                p.append("unexpected leak line fd=%s (%s)" % (
                    leak.get("fd"), ",".join(str(f) for f in fns[:5])))
            if leak.get("fd", "").isdigit() and int(leak["fd"]) in log.startup:
                p.append("startup fd %s reported" % leak["fd"])
        if counts and leaky < counts[-1]:
            p.append("the report holds %d leaks of handle_request_leaky, the "
                     "last dump %d" % (leaky, counts[-1]))
        problems += [when + x for x in p]
        notes.append("%s: counts %s" % (mode, counts))
    fail_if(problems)
    return [], "; ".join(notes)


@attach_test("attach-dumps-json")
def _attach_dumps_json(ctx):
    """--format=json --interval=0.3 --duration=1.5: one-line dump objects,
    then the report, in one stream of JSON documents."""
    srv = start_server(ctx)
    exe = os.path.realpath(victim_path("server"))
    time.sleep(0.3)
    path = os.path.join(ctx.tmp, "dumps.json")
    t0 = time.monotonic()
    fdl = start_attach(ctx, [srv.pid], ["--format=json", "--interval=0.3",
                                        "--duration=1.5", "-o", path])
    problems = finish_attach(ctx, fdl)
    t1 = time.monotonic()
    problems += check_released(srv.pid, "after detach: ")
    fail_if(problems)
    dumps, report = read_attach_json(ctx, path)
    for d in dumps:
        for q in d.get("processes", []):
            for s in q.get("sites", []):
                for f in s.get("backtrace", []):
                    missing = [k for k in ("pc", "module", "offset",
                                           "function", "file", "line",
                                           "inlined") if k not in f]
                    if missing:
                        problems.append("dump %s: frame without %s" % (
                            d.get("dump"), ",".join(missing)))
    if len(dumps) < 2:
        problems.append("%d dumps in 1.5s at --interval=0.3" % len(dumps))
    dp, counts = check_dumps(dumps, srv.pid, "handle_request_leaky", 0.3)
    problems += dp
    problems += check_growing(counts, strict=False)
    problems += check_attached_report(report, {srv.pid}, exe, os.getpid())
    lp, leaky, _ = check_server_leaks(srv, report, t0, t1)
    problems += lp
    if counts and len(leaky) < counts[-1]:
        problems.append("the report holds %d leaks of handle_request_leaky, "
                        "the last dump %d" % (len(leaky), counts[-1]))
    fail_if(problems)
    return [], "counts %s, %d leaks" % (counts, len(leaky))


@attach_test("attach-min-age")
def _attach_min_age(ctx):
    """--min-age=100 hides every fd, in dumps and report; --min-age=0.4
    only the younger ones."""
    srv = start_server(ctx)
    time.sleep(0.3)
    problems = []
    fdl = start_attach(ctx, [srv.pid], ["--min-age=100", "--interval=0.3",
                                        "--duration=1.2"])
    p = finish_attach(ctx, fdl)
    p += check_released(srv.pid, "after detach: ")
    text = fdl.text("err")
    ctx.note("fdleak output (--min-age=100)", text[-20000:])
    dumps, procs, leaks, summary = parse_attach_text(text)
    if not dumps:
        p.append("no dump in 1.2s at --interval=0.3")
    for d in dumps:
        for q in d["processes"]:
            if q["outstanding"] != 0 or any(s["count"] for s in q["sites"]):
                p.append("dump %d: outstanding=%d, %d sites" % (
                    d["dump"], q["outstanding"], len(q["sites"])))
    if leaks or (summary or {}).get("leaks") != "0":
        p.append("%d leak lines, summary %r" % (len(leaks), summary))
    for pr in procs:
        if pr.get("leaks") != "0":
            p.append("process line %r" % pr)
    problems += ["--min-age=100: " + x for x in p]

    path = os.path.join(ctx.tmp, "min-age.json")
    t0 = time.monotonic()
    fdl = start_attach(ctx, [srv.pid], ["--min-age=0.4", "--duration=1.5",
                                        "--format=json", "-o", path])
    p = finish_attach(ctx, fdl)
    t1 = time.monotonic()
    p += check_released(srv.pid, "after detach: ")
    if not p:
        _, report = read_attach_json(ctx, path)
        p += check_attached_report(report, {srv.pid})
        leaks = leaks_by_pid(report).get(srv.pid, [])
        log = wait_leaked(srv, [l["fd"] for l in leaks])
        young = 0
        for leak in leaks:
            age = leak.get("age")
            if isinstance(age, (int, float)) and age < 0.4:
                p.append("fd %d: age %r under --min-age=0.4" %
                         (leak["fd"], age))
            entry = log.by_fd.get(leak["fd"])
            if entry and entry[1] > t1 - 0.4:
                young += 1
                p.append("fd %d (request %d) was at most %.2fs old at "
                         "detach, yet reported" % (leak["fd"], entry[0],
                                                   t1 - entry[1]))
            if entry is None or entry[1] < t0:
                p.append("unexpected leak %s" % describe(leak))
        if not leaks:
            p.append("no leak at all (fds leaked in the first second are "
                     "older than 0.4s at detach)")
    problems += ["--min-age=0.4: " + x for x in p]
    fail_if(problems)


# Errors.


def kernel_thread():
    """A kernel thread's pid (kthreadd, pid 2, where it is one), or None."""
    def is_kthread(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                text = f.read()
        except OSError:
            return False
        fields = text[text.rfind(")") + 2:].split()
        return len(fields) > 6 and int(fields[6]) & 0x00200000 != 0
    if is_kthread(2):
        return 2
    for name in sorted(os.listdir("/proc"), key=lambda n: (len(n), n)):
        if name.isdigit() and is_kthread(int(name)):
            return int(name)
    return None


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()[0]


def wait_state(ctx, pid, state, timeout=10):
    deadline = time.monotonic() + timeout * ctx.scale
    while proc_state(pid) != state:
        if time.monotonic() > deadline:
            raise Failure("pid %d did not reach state %s (%s)" %
                          (pid, state, proc_state(pid)))
        time.sleep(0.01)


def children_of(ppid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()
        if int(fields[1]) == ppid:
            kids.append(int(name))
    return sorted(kids)


@attach_test("attach-errors")
def _attach_errors(ctx):
    """Each misuse of -p: status 125 and one line on stderr saying what is
    wrong; a target that fdleak refuses is left as it was."""
    problems, skipped = [], []

    def expect_error(what, argv, words, argv0=None):
        """words: each a list of alternatives one of which the line holds."""
        res = ctx.run(argv0 or [ctx.fdleak] + argv, timeout=30)
        lines = res.stderr.strip().splitlines()
        bad = []
        if res.status != 125:
            bad.append("exited %d, expected 125" % res.status)
        if len(lines) != 1:
            bad.append("%d lines on stderr, expected 1: %r" %
                       (len(lines), res.stderr[:300]))
        else:
            for alts in words:
                if not any(a.lower() in lines[0].lower() for a in alts):
                    bad.append("stderr %r does not say %s" % (
                        lines[0], " or ".join(repr(a) for a in alts)))
        if bad:
            problems.append("%s: %s" % (what, "; ".join(bad)))

    sleeper = Background(ctx, ["sleep", "600"], name="sleep")
    wait_state(ctx, sleeper.pid, "S")

    expect_error("-p without a value", ["-p"], [["-p", "pid"]])
    expect_error("empty -p", ["-p", ""], [["pid"]])
    expect_error("empty --pid=", ["--pid="], [["pid"]])
    for bad in ("abc", "0", "-1", "12x"):
        expect_error("-p %s" % bad, ["-p", bad], [["'%s'" % bad, '"%s"' % bad,
                                                   " %s" % bad]])
    expect_error("-p 999999999", ["-p", "999999999"], [["999999999"]])
    gone = subprocess.Popen(["true"])
    gone.wait()
    expect_error("a pid that no longer exists", ["-p", str(gone.pid)],
                 [[str(gone.pid)], ["no such", "not exist", "does not exist"]])
    expect_error("fdleak's own pid", None, [["itself", "own"]],
                 argv0=["sh", "-c", 'exec "$0" -p $$', ctx.fdleak])
    expect_error("fdleak's parent", None, [["ancestor", "parent"]],
                 argv0=["sh", "-c", '"$0" -p $$; exit $?', ctx.fdleak])
    expect_error("fdleak's grandparent", None, [["ancestor", "parent"]],
                 argv0=["sh", "-c", 'sh -c "$1" "$0"; exit $?', ctx.fdleak,
                        '"$0" -p $PPID; exit $?'])
    zombie = subprocess.Popen(["true"])
    try:
        wait_state(ctx, zombie.pid, "Z")
        expect_error("a zombie", ["-p", str(zombie.pid)],
                     [[str(zombie.pid)], ["zombie", "defunct"]])
        if proc_state(zombie.pid) != "Z":
            problems.append("the zombie is %r after fdleak" %
                            proc_state(zombie.pid))
    finally:
        zombie.wait()
    kthread = kernel_thread()
    if kthread is None:
        skipped.append("no kernel thread visible in /proc")
    else:
        expect_error("kernel thread %d" % kthread, ["-p", str(kthread)],
                     [[str(kthread)], ["kernel"]])
    expect_error("-p with a command", ["-p", str(sleeper.pid), "--", "true"],
                 [["command"]])
    expect_error("-p with a command (no --)",
                 ["-p", str(sleeper.pid), "true"], [["command"]])
    expect_error("a good pid and a missing one",
                 ["-p", str(sleeper.pid), "-p", str(gone.pid)],
                 [[str(gone.pid)]])
    problems += check_released(sleeper.pid, "after the errors, sleep: ")

    # Already traced: by strace, gdb, another fdleak.
    def traced_by(tool, argv, find_target):
        tracer = Background(ctx, argv, name=tool)
        target = find_target(tracer)
        wait_traced(ctx, target, tracer, all_threads=False)
        expect_error("a process traced by %s" % tool, ["-p", str(target)],
                     [["already traced by pid %d" % tracer.pid]])
        if tracer_of(target) != tracer.pid:
            problems.append("after fdleak, pid %d is traced by %r, no longer "
                            "by %s" % (target, tracer_of(target), tool))
        return tracer, target

    if shutil.which("strace") is None:
        skipped.append("strace is not installed")
    else:
        tracer, _ = traced_by("strace", ["strace", "-qq", "-o", os.devnull,
                                         "-p", str(sleeper.pid)],
                              lambda t: sleeper.pid)
        tracer.signal(signal.SIGTERM)
        tracer.wait(30)
        problems += check_released(sleeper.pid, "after strace, sleep: ")

    if shutil.which("gdb") is None:
        skipped.append("gdb is not installed")
    else:
        def gdb_child(gdb):
            deadline = time.monotonic() + 30 * ctx.scale
            while True:
                for kid in children_of(gdb.pid):
                    try:
                        with open("/proc/%d/comm" % kid) as f:
                            if f.read().strip() == "sleep":
                                return kid
                    except OSError:
                        pass
                if not gdb.alive() or time.monotonic() > deadline:
                    raise Failure("gdb did not start sleep under it")
                time.sleep(0.05)
        tracer, target = traced_by("gdb", ["gdb", "-q", "-nx", "-batch",
                                           "-ex", "run", "--args",
                                           "sleep", "600"], gdb_child)
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass
        tracer.kill()

    srv = start_server(ctx)
    first = start_attach(ctx, [srv.pid], ["-o", os.devnull])
    wait_traced(ctx, srv.pid, first)
    expect_error("a process traced by another fdleak", ["-p", str(srv.pid)],
                 [["already traced by pid %d" % first.pid]])
    problems += ["the first fdleak: " + x
                 for x in finish_attach(ctx, first, sig=signal.SIGINT)]
    problems += check_released(srv.pid, "after both fdleaks: ")
    fail_if(problems)
    return skipped


# A real server.


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fd_links(pid):
    """fd -> (link text, kind) of what pid has open now."""
    fds = {}
    d = "/proc/%d/fd" % pid
    for name in os.listdir(d):
        try:
            link = os.readlink(os.path.join(d, name))
            fds[int(name)] = (link, kind_of(
                link, os.stat(os.path.join(d, name)).st_mode))
        except OSError:
            pass
    return fds


def http_get(port, timeout):
    """The status code of GET / over HTTP/1.0, Connection: close."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    m = re.match(rb'HTTP/1\.[01] (\d{3})', data)
    return int(m.group(1)) if m else None


NGINX = "/usr/sbin/nginx"


@attach_test("attach-nginx")
def _attach_nginx(ctx):
    """Attach to a real nginx worker while it serves 200 requests: it goes
    on serving, and nothing it closed is reported."""
    if not os.access(NGINX, os.X_OK):
        raise Skip("nginx is not installed (%s)" % NGINX)
    prefix = os.path.join(ctx.tmp, "nginx")
    for d in ("html", "tmp", "logs"):
        os.makedirs(os.path.join(prefix, d))
    with open(os.path.join(prefix, "html", "index.html"), "w") as f:
        f.write("fdleak attach test\n")
    conf = os.path.join(prefix, "nginx.conf")
    errlog = os.path.join(prefix, "logs", "error.log")
    timeout = 10 * ctx.scale
    master = None
    for attempt in range(3):
        port = free_port()
        with open(conf, "w") as f:
            f.write("""daemon off;
master_process on;
worker_processes 1;
user root root;
pid %(p)s/nginx.pid;
error_log %(p)s/logs/error.log info;
events { worker_connections 512; }
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path %(p)s/tmp/body;
    proxy_temp_path %(p)s/tmp/proxy;
    fastcgi_temp_path %(p)s/tmp/fastcgi;
    uwsgi_temp_path %(p)s/tmp/uwsgi;
    scgi_temp_path %(p)s/tmp/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(p)s/html;
    }
}
""" % {"p": prefix, "port": port})
        master = Background(ctx, [NGINX, "-p", prefix + "/", "-c", conf,
                                  "-e", errlog], name="nginx")
        ctx.cleanups.append(lambda m=master: m.signal(signal.SIGTERM))
        deadline = time.monotonic() + 20 * ctx.scale
        status = None
        while master.alive() and time.monotonic() < deadline:
            try:
                status = http_get(port, timeout)
                break
            except OSError:
                time.sleep(0.05)
        if status is not None:
            break
        master.kill()
        master = None
    if master is None:
        log = ""
        if os.path.exists(errlog):
            with open(errlog, errors="replace") as f:
                log = f.read()[-1000:]
        raise Failure("nginx did not serve on 127.0.0.1: %s" % log)
    if status != 200:
        raise Failure("nginx answered %r before the attach" % status)
    workers = children_of(master.pid)
    if len(workers) != 1:
        raise Failure("nginx master %d has children %s, expected 1 worker" %
                      (master.pid, workers))
    worker = workers[0]
    before = fd_links(worker)

    path = os.path.join(ctx.tmp, "nginx.json")
    fdl = start_attach(ctx, [worker], ["--format=json", "-o", path])
    wait_traced(ctx, worker, fdl)
    codes = {}
    for _ in range(200):
        try:
            code = http_get(port, timeout)
        except OSError as e:
            code = "error %s" % e
        codes[code] = codes.get(code, 0) + 1
    problems = finish_attach(ctx, fdl, sig=signal.SIGINT)
    problems += check_released(worker, "after detach, the worker: ")
    if codes != {200: 200}:
        problems.append("answers while attached: %r" % codes)
    # What the worker has open now: every reported fd must be among these.
    open_now = fd_links(worker)
    try:
        after = http_get(port, timeout)
    except OSError as e:
        after = "error %s" % e
    if after != 200:
        problems.append("after detach nginx answered %r" % after)
    fail_if(problems)
    _, report = read_attach_json(ctx, path)
    problems += check_attached_report(report, {worker}, None, master.pid)
    by_pid = leaks_by_pid(report)
    if worker not in {p["pid"] for p in report["processes"]}:
        problems.append("the worker (pid %d) is not in the report" % worker)
    leaks = by_pid.get(worker, [])
    for leak in leaks:
        now = open_now.get(leak["fd"])
        if now is None:
            problems.append("fd %d (%s %s) reported, but the worker has "
                            "closed it" % (leak["fd"], leak["kind"],
                                           leak["target"]))
        elif now[1] != leak["kind"]:
            problems.append("fd %d reported as %s %r, but it is %s %r" % (
                leak["fd"], leak["kind"], leak["target"], now[1], now[0]))
        elif before.get(leak["fd"]) == now and \
                re.match(r'^(socket|pipe):\[\d+\]$', now[0]):
            problems.append("fd %d (%s) reported, but it was open before "
                            "the attach" % (leak["fd"], now[0]))
    master.signal(signal.SIGQUIT)
    try:
        master.wait(20)
    except Failure:
        problems.append("nginx did not stop on SIGQUIT")
    fail_if(problems)
    return [], "%d leak(s) reported in the nginx worker after 200 requests" % \
        len(leaks)


# --------------------------------------------------------------------------
# Call sites, rich targets, misuse, inherited fds, suppressions, SARIF,
# colour and the README's CI example.


register(VictimTest("sockets", "sockets"))
register(VictimTest("cxxname", "cxxname"))
register(VictimTest("sites", "sites", total_leaks=1004))
register(VictimTest("misuse", "misuse"))

# Without the filter (--no-seccomp, and attach mode) every syscall stops at
# entry and exit, and most exits are skipped without asking the kernel: the
# same victims must give the same reports that way.
for _name, _victim, _args, _kw in (
        ("families", "families", [], {"timeout": 120}),
        ("threads", "threads", [], {"timeout": 120}),
        ("forker-fork", "forker", ["fork"], {}),
        ("forker-vfork", "forker", ["vfork"], {}),
        ("execer-thread", "execer", ["thread"], {}),
        ("scm-rights", "scm_rights", [], {}),
        ("signals", "signals", [], {"untraced": True}),
        ("misuse", "misuse", [], {})):
    register(VictimTest("nofilter-" + _name, _victim, _args,
                        opts=["--no-seccomp"], **_kw))

SITE_FIELD = re.compile(r'([\w-]+)=("(?:[^"\\]|\\.)*"|\S+)')
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def text_unquote(q):
    """A quoted string of the text report, back to the bytes it stands for."""
    if q == "?":
        return None
    if not (len(q) >= 2 and q[0] == '"' and q[-1] == '"'):
        raise Failure("not a quoted string: %r" % q)
    out, i, s = bytearray(), 0, q[1:-1]
    simple = {'"': b'"', '\\': b'\\', 'n': b'\n', 't': b'\t', 'r': b'\r'}
    while i < len(s):
        c = s[i]
        if c != '\\':
            out += c.encode("utf-8")
            i += 1
        elif s[i + 1] in simple:
            out += simple[s[i + 1]]
            i += 2
        elif s[i + 1] == 'x':
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            raise Failure("bad escape in %r" % q)
    return bytes(out)


def parse_targets(text):
    """targets=... of a site line: (list of bytes, the N of "and N more")."""
    if text == "?":
        return [], 0
    targets, more, pos = [], 0, 0
    while pos < len(text):
        m = QUOTED.match(text, pos)
        if not m:
            raise Failure("bad targets= %r" % text)
        targets.append(text_unquote(m.group(0)))
        pos = m.end()
        if text.startswith(", ", pos):
            pos += 2
            continue
        rest = text[pos:]
        if rest:
            m = re.match(r'^ and (\d+) more$', rest)
            if not m:
                raise Failure("bad end of targets= %r" % text)
            more = int(m.group(1))
        break
    return targets, more


def parse_sections(text):
    """A text report as sections: per process its sites (with frames and
    leak lines), misuse (frames, previous and created frames), closes of
    fds that never existed, and inherited fds; then the hidden line and
    the summary."""
    procs, cur, stack = [], None, None
    summary = None
    for line in text.splitlines():
        if not line.startswith("fdleak: "):
            continue
        body = line[len("fdleak: "):]
        word = body.split(" ", 1)[0]
        if word in ("process", "site", "leak", "misuse", "inherited",
                    "summary"):
            rest = body[len(word) + 1:]
            head, sep, tail = rest.partition(
                " targets=" if word == "site" else " target=")
            fields = {k: v for k, v in SITE_FIELD.findall(head)}
            if sep:
                fields["targets" if word == "site" else "target"] = tail
        if word == "process":
            head, _, command = body.partition(" command=")
            head, _, argv = head.partition(" argv=")
            fields = dict(SITE_FIELD.findall(head))
            fields["command"] = command
            if argv:
                fields["argv"] = [text_unquote(q).decode(errors="replace")
                                  for q in QUOTED.findall(argv)]
            cur = {"fields": fields, "sites": [], "misuse": [],
                   "inherited": [], "order": [], "unopened": None}
            procs.append(cur)
            stack = None
        elif word == "site":
            site = {"fields": fields, "frames": [], "leaks": []}
            cur["sites"].append(site)
            cur["order"].append("site")
            stack = site["frames"]
        elif word == "leak":
            cur["sites"][-1]["leaks"].append(fields)
            cur["order"].append("leak")
            stack = None      # a leak line has no frames of its own
        elif word == "misuse":
            m = {"fields": fields, "frames": [], "previous": None,
                 "created": None}
            cur["misuse"].append(m)
            cur["order"].append("misuse")
            stack = m["frames"]
        elif word == "inherited":
            head, _, tgt = rest.partition(" target=")
            head, _, program = head.partition(" program=")
            fields = dict(SITE_FIELD.findall(head))
            fields["program"] = program
            fields["target"] = tgt
            i = {"fields": fields, "frames": []}
            cur["inherited"].append(i)
            cur["order"].append("inherited")
            stack = i["frames"]
        elif word == "summary":
            summary = dict(SITE_FIELD.findall(body))
        elif word == "hidden":
            pass            # parse_hidden reads it
        elif word == "unopened-closes":
            if cur is None or cur["unopened"] is not None:
                raise Failure("unopened-closes out of place: %r" % line)
            cur["unopened"] = dict(SITE_FIELD.findall(body))
            cur["order"].append("unopened")
            stack = None
        elif body.startswith("   previous close:"):
            if not cur["misuse"] or stack is not cur["misuse"][-1]["frames"]:
                raise Failure("'previous close:' out of place: %r" % line)
            cur["misuse"][-1]["previous"] = []
            stack = cur["misuse"][-1]["previous"]
        elif body.startswith("   created:"):
            if not cur["misuse"] or \
                    stack is not cur["misuse"][-1]["previous"]:
                raise Failure("'created:' out of place: %r" % line)
            cur["misuse"][-1]["created"] = []
            stack = cur["misuse"][-1]["created"]
        elif body.startswith("   at ") or body.startswith("   by "):
            if stack is None:
                raise Failure("frame line without a site, misuse or "
                              "inherited line above: %r" % line)
            m = re.match(r'^   (at|by) 0x[0-9a-f]+: (\S+)(?: \((\S+)\))?',
                         body)
            if not m or (m.group(1) == "at") != (len(stack) == 0):
                raise Failure("bad frame line %r" % line)
            stack.append((m.group(2), m.group(3)))
        elif body == "   (no stack)":
            if stack is None:
                raise Failure("(no stack) out of place")
    return procs, summary


def parse_hidden(text):
    """The fields of the text report's hidden line, or None."""
    for line in text.splitlines():
        if line.startswith("fdleak: hidden "):
            return dict(SITE_FIELD.findall(line[len("fdleak: hidden "):]))
    return None


def site_protocol(proto):
    """The SITE lines of a victim: function -> fields."""
    sites = {}
    for line in proto.other:
        if line.startswith("SITE "):
            f = dict(TOKEN.findall(line))
            sites[f["function"]] = {k: (int(v) if v.lstrip("-").isdigit()
                                        else v) for k, v in f.items()}
    return sites


def sites_victim_checks(proto, procs, summary):
    """The text report of sites: three sites, in order, each right."""
    problems = []
    want = site_protocol(proto)
    if len(procs) != 1:
        return ["%d process sections, expected 1" % len(procs)]
    p = procs[0]
    got = p["sites"]
    order = sorted(want.values(), key=lambda s: -s["count"])
    if [s["fields"].get("count") for s in got] != \
            [str(s["count"]) for s in order]:
        problems.append("site counts %r, expected %r" % (
            [s["fields"].get("count") for s in got],
            [s["count"] for s in order]))
        return problems
    if p["order"][0] != "site" or "misuse" in p["order"]:
        problems.append("section order %r" % p["order"][:5])
    for site, exp in zip(got, order):
        f = site["fields"]
        fn = exp["function"]
        if not site["frames"] or site["frames"][0][0] != fn:
            problems.append("site of %s: first frame %r" % (
                fn, site["frames"][:1]))
        if site["frames"] and site["frames"][0][1] != \
                "tests/victims/sites.c:%d" % exp["line"]:
            problems.append("site of %s: at %r, expected line %d" % (
                fn, site["frames"][0][1], exp["line"]))
        if (f.get("oldest-fd"), f.get("newest-fd")) != \
                (str(exp["first"]), str(exp["last"])):
            problems.append("site of %s: oldest-fd=%s newest-fd=%s, "
                            "expected %d and %d" % (
                                fn, f.get("oldest-fd"), f.get("newest-fd"),
                                exp["first"], exp["last"]))
        if len(site["leaks"]) != exp["count"]:
            problems.append("site of %s: %d leak lines, expected %d" % (
                fn, len(site["leaks"]), exp["count"]))
        fds = [int(l["fd"]) for l in site["leaks"]]
        if fds != sorted(fds):
            problems.append("site of %s: leak lines not in fd order" % fn)
        targets, more = parse_targets(f.get("targets", ""))
        if fn == "leak_many":
            if f.get("kinds") != "memfd:1000":
                problems.append("leak_many kinds=%s" % f.get("kinds"))
            if targets != [b"memfd:site-0", b"memfd:site-1",
                           b"memfd:site-2"] or more != 997:
                problems.append("leak_many targets %r and %d more" % (
                    targets, more))
        elif fn == "leak_paths":
            if f.get("kinds") != "file:1,dir:1,device:1":
                problems.append("leak_paths kinds=%s" % f.get("kinds"))
            want_t = [os.fsencode(os.path.realpath(x)) for x in
                      ("/etc/hostname", "/dev/null",
                       proto_dir(proto))]
            if targets != want_t or more != 0:
                problems.append("leak_paths targets %r (%d more), "
                                "expected %r" % (targets, more, want_t))
        elif fn == "leak_one":
            if f.get("kinds") != "eventfd:1" or \
                    targets != [b"eventfd count=0"]:
                problems.append("leak_one kinds=%s targets %r" % (
                    f.get("kinds"), targets))
    want_summary = {"leaks": "1004", "processes": "1", "leaking": "1",
                    "sites": "3", "misuse": "0", "inherited": "0",
                    "suppressed": "0"}
    if summary != want_summary:
        problems.append("summary %r, expected %r" % (summary, want_summary))
    return problems


def proto_dir(proto):
    """The victim directory leak_paths opened (its EXPECT target)."""
    for e in proto.expects:
        if e["function"] == "leak_paths" and e["kind"] == "dir":
            return e["target"]
    raise Failure("no EXPECT of the directory in leak_paths")


@test("sites-text")
def _sites_text(ctx):
    exe = victim_path("sites")
    res, _ = ctx.fdleak_run([], [exe])
    proto = Protocol(res.stdout)
    if proto.errors:
        raise Failure("victim error: " + "; ".join(proto.errors))
    procs, summary = parse_sections(res.stderr)
    problems = sites_victim_checks(proto, procs, summary)
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


def check_json_sites(proto, report):
    """JSON sites: the same grouping as the leaks, with the SITE facts."""
    problems = []
    want = site_protocol(proto)
    proc = root_process(report)
    sites = proc["sites"]
    if [s["count"] for s in sites] != \
            sorted((s["count"] for s in want.values()), reverse=True):
        return ["JSON site counts %r" % [s["count"] for s in sites]]
    leaks = {l["fd"]: l for l in proc["leaks"]}
    seen = set()
    for s in sites:
        fn = s["backtrace"][0]["function"] if s["backtrace"] else None
        exp = want.get(fn)
        if exp is None:
            problems.append("JSON site in %r" % fn)
            continue
        if (s["oldest_fd"], s["newest_fd"]) != (exp["first"], exp["last"]):
            problems.append("JSON site %s: oldest/newest %r" % (
                fn, (s["oldest_fd"], s["newest_fd"])))
        if s["fds"] != sorted(s["fds"]) or len(s["fds"]) != s["count"]:
            problems.append("JSON site %s: fds %r..." % (fn, s["fds"][:5]))
        kinds = {}
        for fd in s["fds"]:
            if fd in seen or fd not in leaks:
                problems.append("JSON site %s: fd %d twice or not a leak" %
                                (fn, fd))
                continue
            seen.add(fd)
            kinds[leaks[fd]["kind"]] = kinds.get(leaks[fd]["kind"], 0) + 1
            if leaks[fd]["backtrace"] != s["backtrace"]:
                problems.append("JSON site %s: fd %d has another stack" %
                                (fn, fd))
        if kinds != s["kinds"]:
            problems.append("JSON site %s: kinds %r, leaks say %r" % (
                fn, s["kinds"], kinds))
        # Distinct targets, oldest first: here the order of the fds.
        targets = []
        for fd in sorted(s["fds"]):
            t = leaks[fd]["target"]
            if t is not None and t not in targets:
                targets.append(t)
        if s["targets"] != targets:
            problems.append("JSON site %s: targets %r..., expected %r..." %
                            (fn, s["targets"][:4], targets[:4]))
    if seen != set(leaks):
        problems.append("JSON sites miss fds %r" % sorted(set(leaks) - seen))
    summ = report["summary"]
    if (summ.get("sites"), summ.get("misuse"), summ.get("inherited"),
            summ.get("suppressed")) != (len(want), 0, 0, 0):
        problems.append("JSON summary %r" % summ)
    return problems


@test("sites-json")
def _sites_json(ctx):
    res, report = ctx.trace_json([victim_path("sites")])
    proto = Protocol(res.stdout)
    problems = check_leaks(proto, report) + check_json_sites(proto, report)
    fail_if(problems)


def check_sarif(doc, results_wanted=None):
    """The structure SARIF 2.1.0 requires, and what fdleak promises."""
    problems = []
    if doc.get("version") != "2.1.0" or "$schema" not in doc:
        problems.append("version %r $schema %r" % (doc.get("version"),
                                                   doc.get("$schema")))
    runs = doc.get("runs")
    if not isinstance(runs, list) or len(runs) != 1:
        return problems + ["runs %r" % runs]
    driver = runs[0].get("tool", {}).get("driver", {})
    if driver.get("name") != "fdleak":
        problems.append("tool.driver.name %r" % driver.get("name"))
    rules = [r.get("id") for r in driver.get("rules", [])]
    results = runs[0].get("results")
    if not isinstance(results, list):
        return problems + ["results %r" % results]
    for r in results:
        if r.get("ruleId") not in rules:
            problems.append("ruleId %r not among the rules" % r.get("ruleId"))
        elif rules.index(r["ruleId"]) != r.get("ruleIndex"):
            problems.append("ruleIndex %r of %r" % (r.get("ruleIndex"),
                                                    r["ruleId"]))
        if not isinstance(r.get("message", {}).get("text"), str):
            problems.append("result without message.text")
        locs = r.get("locations")
        if not isinstance(locs, list) or len(locs) != 1 or \
                "uri" not in locs[0].get("physicalLocation", {}).get(
                    "artifactLocation", {}):
            problems.append("result locations %r" % locs)
        for st in r.get("stacks", []):
            if not isinstance(st.get("frames"), list):
                problems.append("stack without frames")
            for fr in st.get("frames", []):
                if "location" not in fr:
                    problems.append("stack frame without location")
    if results_wanted is not None and len(results) != results_wanted:
        problems.append("%d results, expected %d" % (len(results),
                                                     results_wanted))
    return problems


def read_sarif(ctx, path):
    if not os.path.exists(path):
        raise Failure("no SARIF file %s" % path)
    with open(path, "rb") as f:
        data = f.read()
    ctx.note("sarif", data[:20000].decode(errors="replace"))
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as e:
        raise Failure("fdleak wrote bad SARIF JSON: %s" % e)


@test("sarif")
def _sarif(ctx):
    """One result per site, located at the line that created its fds."""
    path = os.path.join(ctx.tmp, "report.sarif")
    res, _ = ctx.fdleak_run(["--format=sarif", "-o", path],
                            [victim_path("sites")])
    proto = Protocol(res.stdout)
    doc = read_sarif(ctx, path)
    problems = check_sarif(doc, results_wanted=3)
    want = site_protocol(proto)
    results = doc["runs"][0]["results"]
    for r, exp in zip(results, sorted(want.values(),
                                      key=lambda s: -s["count"])):
        loc = r["locations"][0]["physicalLocation"]
        got = (r["ruleId"], loc["artifactLocation"].get("uri"),
               loc["artifactLocation"].get("uriBaseId"),
               loc.get("region", {}).get("startLine"))
        if got != ("fd-leak", "tests/victims/sites.c", "%SRCROOT%",
                   exp["line"]):
            problems.append("result of %s: %r, expected line %d" % (
                exp["function"], got, exp["line"]))
        if not r["message"]["text"].startswith("%d file descriptor" %
                                               exp["count"]):
            problems.append("message %r" % r["message"]["text"])
        frames = r["stacks"][0]["frames"]
        if frames[0]["location"]["message"]["text"] != exp["function"]:
            problems.append("stack of %s starts at %r" % (
                exp["function"], frames[0]["location"]["message"]))
        if r["properties"]["count"] != exp["count"] or \
                len(r["properties"]["fds"]) != exp["count"]:
            problems.append("properties %r" % r["properties"]["count"])
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


@test("sarif-misuse-inherited")
def _sarif_misuse(ctx):
    """Misuse and inherited fds are results of their own rules: one result
    per misuse site; a double close has the previous close and, when known,
    the creation as stacks. No message names a libc start-up frame."""
    problems = []
    for victim, args, rules in (
            ("misuse", [], ["fd-double-close"] * 4 + ["fd-bad-close"] * 2),
            ("execer", ["main"], ["fd-leak", "fd-leak", "fd-inherited"])):
        path = os.path.join(ctx.tmp, "%s.sarif" % victim)
        ctx.fdleak_run(["--format=sarif", "-o", path],
                       [victim_path(victim)] + args)
        doc = read_sarif(ctx, path)
        problems += check_sarif(doc)
        got = sorted(r["ruleId"] for r in doc["runs"][0]["results"])
        if got != sorted(rules):
            problems.append("%s: rules %r, expected %r" % (victim, got,
                                                           rules))
        for r in doc["runs"][0]["results"]:
            if r["ruleId"] == "fd-double-close" and \
                    [s["message"]["text"] for s in r["stacks"]] != \
                    ["the failing close", "the previous close",
                     "where the file descriptor was created"]:
                problems.append("double close stacks %r" % [
                    s["message"]["text"] for s in r["stacks"]])
            if "__libc_start" in r["message"]["text"] or \
                    "__libc_start" in json.dumps(r["locations"]):
                problems.append("a result located in libc's start-up: %r"
                                % r["message"]["text"])
    fail_if(problems)


# Paths that need every escape: quote, backslash, newline, tab, invalid UTF-8.
WEIRD_NAMES = [b'q"uote\\back\nnl\ttab\xff.txt', b'caf\xc3\xa9 \xe2\x82.txt']


def json_text_of(raw):
    """What the JSON writers make of bytes: each byte of invalid UTF-8
    becomes one U+FFFD."""
    return re.sub("[\udc80-\udcff]", "\ufffd",
                  raw.decode("utf-8", errors="surrogateescape"))


@test("weird-names")
def _weird_names(ctx):
    """Targets with quotes, newlines and invalid UTF-8 read back exactly
    from the text, JSON and SARIF reports."""
    paths = [os.path.join(os.fsencode(ctx.tmp), n) for n in WEIRD_NAMES]
    argv = [victim_path("names")] + [os.fsdecode(p) for p in paths]
    problems = []
    res, report = ctx.trace_json(argv)
    proto = Protocol(res.stdout)
    problems += check_leaks(proto, report)
    got = [l["target"] for l in root_process(report)["leaks"]]
    want = [json_text_of(p) for p in paths]
    if got != want:
        problems.append("JSON targets %r, expected %r" % (got, want))
    if root_process(report)["sites"][0]["targets"] != want:
        problems.append("JSON site targets %r" %
                        root_process(report)["sites"][0]["targets"])
    res, _ = ctx.fdleak_run([], argv)
    procs, _ = parse_sections(res.stderr)
    site = procs[0]["sites"][0] if procs and procs[0]["sites"] else None
    if site is None:
        problems.append("no site in the text report")
    else:
        tt = [text_unquote(l["target"]) for l in site["leaks"]]
        if tt != paths:
            problems.append("text targets %r, expected %r" % (tt, paths))
        targets, more = parse_targets(site["fields"]["targets"])
        if targets != paths or more != 0:
            problems.append("text site targets %r" % targets)
        if any("\n" in l.get("target", "") for l in site["leaks"]):
            problems.append("a newline in a leak line")
    sarif = os.path.join(ctx.tmp, "report.sarif")
    ctx.fdleak_run(["--format=sarif", "-o", sarif], argv)
    doc = read_sarif(ctx, sarif)
    problems += check_sarif(doc, results_wanted=1)
    r = doc["runs"][0]["results"][0]
    if r["properties"]["targets"] != want:
        problems.append("SARIF targets %r" % r["properties"]["targets"])
    if want[0] not in r["message"]["text"]:
        problems.append("SARIF message %r" % r["message"]["text"])
    fail_if(problems)


def sites_with(report):
    """{innermost function: count} of the root process's sites."""
    out = {}
    for s in root_process(report)["sites"]:
        fn = s["backtrace"][0]["function"] if s["backtrace"] else None
        out[fn] = s["count"]
    return out


@test("gen-suppressions")
def _gen_suppressions(ctx):
    """--gen-suppressions writes one entry per site; fed back, they hide
    exactly those sites and count them as suppressed."""
    supp = os.path.join(ctx.tmp, "gen.supp")
    exe = victim_path("sites")
    problems = []
    # Without leak_one: its site must survive the entries of the others.
    res, report = ctx.trace_json([exe, "skip-one"],
                                 ["--gen-suppressions=" + supp])
    with open(supp) as f:
        text = f.read()
    ctx.note("suppressions", text)
    if text.count("{\n") != 2 or text.count("fdleak:Leak") != 2:
        problems.append("%d entries written, expected 2" %
                        text.count("fdleak:Leak"))
    res, report = ctx.trace_json([exe], ["--suppressions=" + supp])
    if sites_with(report) != {"leak_one": 1}:
        problems.append("sites left %r, expected leak_one only" %
                        sites_with(report))
    summ = report["summary"]
    if (summ["leaks"], summ["suppressed"]) != (1, 1003):
        problems.append("summary leaks=%r suppressed=%r, expected 1 and "
                        "1003" % (summ["leaks"], summ["suppressed"]))
    # The text report says so too.
    res, _ = ctx.fdleak_run(["--suppressions=" + supp], [exe])
    _, summary = parse_sections(res.stderr)
    if summary is None or (summary.get("leaks"), summary.get("sites"),
                           summary.get("suppressed")) != ("1", "1", "1003"):
        problems.append("text summary %r" % summary)
    if res.status != 0:
        problems.append("fdleak exited %d" % res.status)
    fail_if(problems)


@test("suppressions-patterns")
def _suppressions_patterns(ctx):
    """kind:, target:, fun:, obj:, '...' and wildcards, hand-written."""
    exe = victim_path("sites")
    cases = [
        # entry body -> sites left
        ("fun:leak_many", {"leak_paths": 3, "leak_one": 1}),
        ("fun:leak_*\n   fun:main", {}),
        ("...\n   fun:main", {}),
        ("kind:memfd", {"leak_paths": 3, "leak_one": 1}),
        ("kind:file", {"leak_many": 1000, "leak_paths": 2, "leak_one": 1}),
        ("target:memfd:site-9*", {"leak_many": 889, "leak_paths": 3,
                                  "leak_one": 1}),
        ("target:/dev/*\n   fun:leak_paths", {"leak_many": 1000,
                                               "leak_paths": 2,
                                               "leak_one": 1}),
        ("obj:*/sites\n   ...\n   fun:__libc_start_main",
         {}),
        ("fun:leak_one\n   fun:nomatch", {"leak_many": 1000, "leak_paths": 3,
                                          "leak_one": 1}),
        ("fun:main", {"leak_many": 1000, "leak_paths": 3, "leak_one": 1}),
    ]
    problems = []
    for i, (body, left) in enumerate(cases):
        path = os.path.join(ctx.tmp, "case%d.supp" % i)
        with open(path, "w") as f:
            f.write("# case %d\n{\n   case-%d\n   fdleak:Leak\n   %s\n}\n" %
                    (i, i, body))
        _, report = ctx.trace_json([exe], ["--suppressions=" + path])
        got = sites_with(report)
        if got != left:
            problems.append("%r: sites %r, expected %r" % (body, got, left))
        total = sum(left.values())
        if (report["summary"]["leaks"], report["summary"]["suppressed"]) != \
                (total, 1004 - total):
            problems.append("%r: summary %r" % (body, report["summary"]))
    fail_if(problems)


def _bad_suppressions(ctx):
    path = os.path.join(ctx.tmp, "bad.supp")
    with open(path, "w") as f:
        f.write("# fine so far\n{\n   an-entry\n   fdleak:Leak\n"
                "   fun:main\n   frob:x\n}\n")
    return ["--suppressions=" + path, "--", "true"]


error_test("error-bad-suppressions", 125, _bad_suppressions,
           lambda c: os.path.join(c.tmp, "bad.supp") + ":6:")
error_test("error-missing-suppressions", 125,
           lambda c: ["--suppressions=" + os.path.join(c.tmp, "nope"), "--",
                      "true"],
           lambda c: os.path.join(c.tmp, "nope"))
error_test("error-bad-error-on", 125,
           lambda c: ["--error-on=leaks,typos", "--", "true"],
           lambda c: "typos")


def misuse_protocol(proto):
    return [dict(TOKEN.findall(l)) for l in proto.other
            if l.startswith("MISUSE ")]


def unopened_protocol(proto):
    """The victim's UNOPENED lines: pid -> (count, lo, hi)."""
    out = {}
    for l in proto.other:
        if l.startswith("UNOPENED "):
            f = dict(TOKEN.findall(l))
            out[int(f["pid"])] = (int(f["count"]), int(f["lo"]),
                                  int(f["hi"]))
    return out


@test("misuse-report")
def _misuse(ctx):
    """Failed closes as current valgrind judges them, grouped by call site:
    double closes through close and close_range (its CLOEXEC form too),
    each with the previous close and where the fd was made; bad closes of
    -1 and of the fd limit; a closefrom loop over fds that never existed
    counted on one line, not reported one by one. Text lines with their
    stacks, JSON records, and --error-on=misuse. A double close from under
    a 32 KiB frame has its first close's stack cut where fdleak's 16 KiB
    copy ends, with no frame read from the stack as it was later."""
    exe = victim_path("misuse")
    problems = []
    res, _ = ctx.fdleak_run([], [exe])
    proto = Protocol(res.stdout)
    want = misuse_protocol(proto)
    unopened_all = unopened_protocol(proto)
    procs, summary = parse_sections(res.stderr)
    root_pid = next(p for p, pp in proto.procs.items()
                    if pp not in proto.procs)
    root = [p for p in procs if int(p["fields"]["pid"]) == root_pid]
    got = root[0]["misuse"] if root else []
    unopened = unopened_all.get(root_pid)
    events = sum(int(w["count"]) for w in want)
    # The child closes what its parent closed: no misuse, one count.
    for p in procs:
        pid = int(p["fields"]["pid"])
        if pid != root_pid and (p["misuse"] or p["unopened"] != {
                "pid": str(pid), "count": "1",
                "fds": "%d-%d" % unopened_all.get(pid, (0, -1, -1))[1:]}):
            problems.append("child %d: misuse %r, unopened %r" % (
                pid, p["misuse"], p["unopened"]))
    if len(procs) != 2:
        problems.append("%d process sections, expected 2" % len(procs))
    if len(got) != len(want) or len(want) != 6:
        raise Failure("%d misuse lines, the victim says %d" % (len(got),
                                                               len(want)))
    for g, w in zip(got, want):
        f = g["fields"]
        for key in ("type", "fd", "tid", "count", "fds", "syscall"):
            if f.get(key) != w.get(key):
                problems.append("misuse %s: %s=%r, expected %r" % (
                    w["function"], key, f.get(key), w.get(key)))
        if not g["frames"] or g["frames"][0][0] != w["function"]:
            problems.append("misuse %s at %r" % (w["type"], g["frames"][:1]))
        prev = g["previous"]
        if w["type"] == "double-close":
            if not prev or prev[0][0] != w["previous"]:
                problems.append("previous close at %r" % (prev or [])[:1])
            elif "previous_stack" in w and \
                    [p[0] for p in prev] != w["previous_stack"].split(","):
                problems.append("previous close stack %r, expected %s" % (
                    [p[0] for p in prev], w["previous_stack"]))
            made = g["created"]
            if not made or made[0][0] != w["created"]:
                problems.append("%s: created at %r, expected %s" % (
                    w["function"], (made or [])[:1], w["created"]))
        elif prev is not None or g["created"] is not None:
            problems.append("a bad close with a previous close or creation")
    if unopened is None:
        problems.append("the victim's UNOPENED line is missing")
    elif root and root[0]["unopened"] != {
            "pid": str(root_pid), "count": str(unopened[0]),
            "fds": "%d-%d" % unopened[1:]}:
        problems.append("unopened-closes %r, expected %r" % (
            root[0]["unopened"], unopened))
    if summary is None or (summary.get("misuse"), summary.get("leaks")) != \
            (str(events), "0"):
        problems.append("summary %r, expected misuse=%d" % (summary, events))
    _, report = ctx.trace_json([exe])
    jm = root_process(report)["misuse"]
    if [(m["type"], m["fd"], m["count"], m["fds"], m["syscall"])
            for m in jm] != [(w["type"], int(w["fd"]), int(w["count"]),
                              [int(x) for x in w["fds"].split(",")],
                              w["syscall"]) for w in want]:
        problems.append("JSON misuse %r" % [(m["type"], m["fd"], m["count"],
                                             m["fds"]) for m in jm])
    else:
        for m, w in zip(jm, want):
            if m["backtrace"][0]["function"] != w["function"]:
                problems.append("JSON %s at %r" % (m["type"],
                                                   m["backtrace"][:1]))
            prev = [p["function"] for p in m["previous_close"] or []]
            made = [p["function"] for p in m["created"] or []]
            if w["type"] != "double-close":
                if m["previous_close"] is not None or \
                        m["created"] is not None:
                    problems.append("JSON bad close previous_close %r" %
                                    m["previous_close"])
                continue
            if "previous_stack" in w:
                if prev != w["previous_stack"].split(","):
                    problems.append("JSON previous close stack %r" % prev)
            elif prev[:1] != [w["previous"]]:
                problems.append("JSON previous close %r" % prev[:1])
            if made[:1] != [w["created"]]:
                problems.append("JSON created %r" % made[:1])
    ju = root_process(report)["unopened_closes"]
    if unopened is not None and (ju["count"], ju["lowest_fd"],
                                 ju["highest_fd"]) != unopened:
        problems.append("JSON unopened_closes %r" % ju)
    if report["summary"].get("misuse") != events:
        problems.append("JSON summary %r" % report["summary"])
    for opts, status in ((["--error-exitcode=9"], 0),
                         (["--error-exitcode=9", "--error-on=misuse"], 9),
                         (["--error-exitcode=9", "--error-on=leaks,misuse"],
                          9),
                         (["--error-on=misuse"], 0)):
        res, _ = ctx.fdleak_run(opts, [exe])
        if res.status != status:
            problems.append("%s: status %d, expected %d" % (
                " ".join(opts), res.status, status))
    fail_if(problems)


@test("inherited-report")
def _inherited(ctx):
    """The fd execer passes to exec_target without close-on-exec: an
    inherited record, in text and JSON, with the stack that opened it."""
    exe = victim_path("execer")
    target = os.path.realpath(victim_path("exec_target"))
    problems = []
    res, report = ctx.trace_json([exe, "main"])
    proto = Protocol(res.stdout)
    across = [e for e in proto.expects if e.get("across_exec") == "1"]
    inh = [i for p in report["processes"] for i in p["inherited"]]
    got = [(i["fd"], i["kind"], i["target"], i["syscall"], i["program"])
           for i in inh]
    want = [(e["fd"], e["kind"], e["target"], e["syscall"], target)
            for e in across]
    if got != want:
        problems.append("JSON inherited %r, expected %r" % (got, want))
    for i, e in zip(inh, across):
        if e["function"] not in functions(i):
            problems.append("inherited fd %d: no frame in %s" % (
                i["fd"], e["function"]))
    if report["summary"].get("inherited") != len(want):
        problems.append("JSON summary %r" % report["summary"])
    for opts, status in ((["--error-exitcode=4", "--error-on=inherited"], 4),
                         (["--error-exitcode=4", "--error-on=misuse"], 0)):
        r2, _ = ctx.fdleak_run(opts, [exe, "main"])
        if r2.status != status:
            problems.append("%s: status %d" % (" ".join(opts), r2.status))
    res, _ = ctx.fdleak_run([], [exe, "main"])
    procs, _ = parse_sections(res.stderr)
    lines = [i for p in procs for i in p["inherited"]]
    if [(int(i["fields"]["fd"]), text_unquote(i["fields"]["program"]))
            for i in lines] != [(e["fd"], os.fsencode(target))
                                for e in across]:
        problems.append("text inherited lines %r" %
                        [i["fields"] for i in lines])
    elif lines and across[0]["function"] not in \
            [fn for fn, _ in lines[0]["frames"]]:
        problems.append("text inherited stack %r" % lines[0]["frames"][:3])
    fail_if(problems)


ANSI = re.compile(r'\x1b\[[0-9;]*m')


@test("color")
def _color(ctx):
    """On a terminal the text report has colours; NO_COLOR or a pipe turns
    them off; without the colour codes the lines are the same."""
    import pty
    exe = victim_path("example")
    outs = {}
    for name, extra in (("tty", {}), ("no-color", {"NO_COLOR": "1"})):
        master, slave = pty.openpty()
        env = ctx.env(**extra)
        proc = subprocess.Popen([ctx.fdleak, "--", exe], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave,
                                env=env, start_new_session=True)
        os.close(slave)
        data = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        proc.wait(timeout=TIMEOUT * ctx.scale)
        os.close(master)
        outs[name] = data.decode(errors="replace").replace("\r\n", "\n")
        ctx.note(name, outs[name])
    plain = ctx.fdleak_run([], [exe])[0].stderr
    problems = []
    if "\x1b[" not in outs["tty"]:
        problems.append("no colour on a terminal")
    if "\x1b[" in outs["no-color"] or "\x1b[" in plain:
        problems.append("colour with NO_COLOR or on a pipe")

    def shape(text):
        return [re.sub(r'0x[0-9a-f]+|\d+', 'N', l)
                for l in ANSI.sub("", text).splitlines()
                if l.startswith("fdleak: ")]
    if shape(outs["tty"]) != shape(plain):
        problems.append("coloured lines differ once the colours are gone")
    fail_if(problems)


def readme_ci_script():
    """The shell of the README's CI job: the `run: |` block of its step
    "Run the tests under fdleak"."""
    with open(os.path.join(ROOT, "README.md")) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "- name: Run the tests under fdleak":
            run = lines[i + 1]
            if run.strip() != "run: |":
                break
            indent = len(lines[i + 2]) - len(lines[i + 2].lstrip())
            body = []
            for l in lines[i + 2:]:
                if l.strip() and len(l) - len(l.lstrip()) < indent:
                    break
                body.append(l[indent:])
            return "\n".join(body).strip() + "\n"
    raise Failure("README.md has no step 'Run the tests under fdleak' with "
                  "a run: | block")


@test("readme-ci")
def _readme_ci(ctx):
    """The README's CI example, for real: a test suite (make test) whose
    recipes use pipelines and that runs a leaky program fails the job, and
    fdleak.sarif is valid SARIF; the same suite with a clean program passes
    (what the shell, make and the pipelines do is not the project's)."""
    script = readme_ci_script()
    work = os.path.join(ctx.tmp, "project")
    os.mkdir(work)
    recipe = ("test:\n\tcat /etc/hostname | wc -l\n\t%s | cat\n"
              "\tprintf 'a\\nb\\n' | sort | uniq -c >/dev/null\n")
    with open(os.path.join(work, "Makefile"), "w") as f:
        f.write(recipe % victim_path("example"))
    bindir = os.path.join(ctx.tmp, "bin")
    os.mkdir(bindir)
    os.symlink(ctx.fdleak, os.path.join(bindir, "fdleak"))
    env = ctx.env(PATH=bindir + ":" + os.environ.get("PATH", ""))
    env.pop("FDLEAK_EXPECT", None)
    ctx.note("script", script)
    res = ctx.run(["sh", "-e", "-c", script], env=env, cwd=work)
    problems = []
    if res.status != 1:
        problems.append("the job's shell exited %d, expected 1 (leaks)" %
                        res.status)
    doc = read_sarif(ctx, os.path.join(work, "fdleak.sarif"))
    problems += check_sarif(doc, results_wanted=3)
    # A clean suite passes the same step.
    with open(os.path.join(work, "Makefile"), "w") as f:
        f.write(recipe % victim_path("noleak"))
    res = ctx.run(["sh", "-e", "-c", script], env=env, cwd=work)
    if res.status != 0:
        problems.append("a clean suite: the job's shell exited %d" %
                        res.status)
    fail_if(problems)


# --------------------------------------------------------------------------
# Real programs, default suppressions, --only-from (trusted in CI)


def report_entries(report):
    """Everything a report holds that --error-on could count: leaks,
    failed closes (misuse sites, with their count) and inherited fds."""
    out = []
    for p in report["processes"]:
        for l in p["leaks"]:
            out.append(("leak", p["command"], l["kind"], l["fd"],
                        [f["function"] for f in l["backtrace"][:2]]))
        for m in p["misuse"]:
            out.append(("misuse", p["command"], m["type"], m["count"],
                        [f["function"] for f in m["backtrace"][:2]]))
        for i in p["inherited"]:
            out.append(("inherited", p["command"], i["kind"], i["fd"],
                        [f["function"] for f in i["backtrace"][:2]]))
    return out


def entry_count(report):
    s = report["summary"]
    return s["leaks"] + s["misuse"] + s["inherited"]


def check_defaults_hide(ctx, argv, want, cwd=None, env=None, prepare=None):
    """argv reports nothing under the default suppressions, and each of
    want (kind, type-or-kind, command basename) comes back without them,
    with the hidden count equal to what comes back; prepare(), if given,
    runs before each trace. Returns problems."""
    problems = []
    if prepare:
        prepare()
    res, rep = ctx.trace_json(argv, cwd=cwd, env=env)
    name = " ".join(os.path.basename(a) for a in argv[:3])
    if entry_count(rep):
        problems.append("%s: reported %r" % (name, report_entries(rep)))
    if prepare:
        prepare()
    res2, bare = ctx.trace_json(argv, opts=["--no-default-suppressions"],
                                cwd=cwd, env=env)
    got = report_entries(bare)
    for kind, what, cmd in want:
        if not any(e[0] == kind and e[2] == what and
                   os.path.basename(e[1]).startswith(cmd) for e in got):
            problems.append("%s: without the defaults, no %s %s in %s: %r" %
                            (name, kind, what, cmd, got))
    hidden = rep["summary"]["suppressed_default"]
    used = sum(e["hits"] for e in rep["suppressions"] if e["default"])
    if used != hidden or bare["suppressions"]:
        problems.append("%s: suppressions %r, %d hidden" % (
            name, rep["suppressions"], hidden))
    if hidden != entry_count(bare) or \
            bare["summary"]["suppressed_default"] != 0:
        problems.append("%s: %d hidden by default, %d without them" %
                        (name, hidden, entry_count(bare)))
    for p in rep["processes"] + bare["processes"]:
        for m in p["misuse"]:
            for f in m["backtrace"][:1]:
                if f["function"] and f["function"].startswith("__libc_start"):
                    problems.append("%s: misuse at %r" % (name, f))
    return problems


SCRIPT = """cat /etc/hostname | tr a-z A-Z | cat >/dev/null
cat /etc/hostname > out.txt
wc -l < out.txt | cat
echo x | cat
{ echo y; } | cat
cat < out.txt | (read a; echo $a)
"""


@test("real-shells")
def _real_shells(ctx):
    """bash -c and sh -c pipelines, bash and dash scripts with pipelines
    and redirects: no leak and no misuse under the default suppressions;
    without them bash's fd 255 and double pipe closes, dash's script fd
    and close(-1) come back, and as many as the defaults hid."""
    script = os.path.join(ctx.tmp, "script.sh")
    with open(script, "w") as f:
        f.write(SCRIPT)
    problems = []
    problems += check_defaults_hide(
        ctx, ["bash", "-c", "cat /etc/hostname | cat >/dev/null"],
        [("misuse", "double-close", "bash")])
    problems += check_defaults_hide(
        ctx, ["bash", script], [("misuse", "double-close", "bash"),
                                ("leak", "file", "bash"),
                                ("leak", "pipe", "bash")], cwd=ctx.tmp)
    problems += check_defaults_hide(
        ctx, ["dash", script], [("misuse", "bad-close", "dash"),
                                ("leak", "file", "dash"),
                                ("leak", "pipe", "dash")], cwd=ctx.tmp)
    # What the script itself leaves open is still the script's.
    for shell in ("bash", "dash"):
        _, rep = ctx.trace_json([shell, "-c", "exec 7</etc/hostname; "
                                 "echo x | cat; true"])
        root = root_process(rep)
        got = [(l["kind"], l["fd"]) for l in root["leaks"]]
        if got != [("file", 7)]:
            problems.append("%s: exec 7<file reported as %r" % (shell, got))
    problems += check_defaults_hide(
        ctx, ["sh", "-c", "cat /etc/hostname | wc -l >/dev/null"],
        [("misuse", "bad-close", "dash")])
    fail_if(problems)


MAKE_PROJECT = {
    "add.c": "int add(int a, int b) { return a + b; }\n",
    "mul.c": "int mul(int a, int b) { return a * b; }\n",
    "main.c": "#include <stdio.h>\nint add(int, int); int mul(int, int);\n"
              "int main(void) { printf(\"%d\\n\", add(2, mul(3, 4))); "
              "return 0; }\n",
    "Makefile": "all: prog\n"
                "libm2.a: add.o mul.o\n\tar rcs $@ $^\n"
                "prog: main.o libm2.a\n\tcc -o $@ main.o libm2.a\n"
                "test: prog\n\t./prog | grep -q 14 && cat /etc/hostname | "
                "wc -l\n"
                ".PHONY: all test\n",
}


@test("real-make-j2")
def _real_make(ctx):
    """make -j2 of a small C project (objects, an ar archive, a link with
    it, a test recipe with pipelines) reports nothing; without the default
    suppressions make's stdin pipe, ar's member files and dash's close(-1)
    come back."""
    work = os.path.join(ctx.tmp, "proj")
    os.mkdir(work)
    for name, text in MAKE_PROJECT.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)

    def fresh():
        for name in ("prog", "libm2.a", "add.o", "mul.o", "main.o"):
            p = os.path.join(work, name)
            if os.path.exists(p):
                os.unlink(p)

    problems = check_defaults_hide(
        ctx, ["make", "-j2", "all", "test"],
        [("leak", "pipe", "make"), ("leak", "file", "x86_64-linux-gnu-ar"),
         ("misuse", "bad-close", "dash")], cwd=work, prepare=fresh)
    # Built again from scratch: the same with fdleak's own CI command.
    fresh()
    res, _ = ctx.fdleak_run(["--error-exitcode=1",
                             "--error-on=leaks,misuse,inherited"],
                            ["make", "-j2", "all", "test"], cwd=work)
    if res.status != 0:
        problems.append("fdleak --error-exitcode=1 -- make -j2: status %d" %
                        res.status)
    fail_if(problems)


GO_NET = """package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
)

// One connection over loopback: a server goroutine echoes a line back,
// then every socket is closed and the program exits.
func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	done := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err == nil {
			line, _ := bufio.NewReader(c).ReadString('\\n')
			c.Write([]byte(line))
			c.Close()
		}
		close(done)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(c, "hello\\n")
	reply, _ := bufio.NewReader(c).ReadString('\\n')
	c.Close()
	<-done
	ln.Close()
	fmt.Print(reply)
}
"""


@test("real-go-net")
def _real_go(ctx):
    """A Go program with net I/O over loopback reports nothing; without
    the default suppressions the runtime's netpoll epoll fd and wake-up
    pipe come back."""
    go = shutil.which("go")
    if go is None:
        raise Skip("go is not installed (Debian: golang-go)")
    src = os.path.join(ctx.tmp, "gonet.go")
    exe = os.path.join(ctx.tmp, "gonet")
    with open(src, "w") as f:
        f.write(GO_NET)
    cache = os.path.join(ROOT, "build", "gocache")
    res = ctx.run([go, "build", "-o", exe, src], timeout=600,
                  env=dict(os.environ, GOCACHE=cache, GOPATH=cache,
                           GOFLAGS="-mod=mod"), cwd=ctx.tmp)
    if res.status != 0:
        raise Failure("go build failed: %s" % res.stderr[-500:])
    problems = check_defaults_hide(
        ctx, [exe], [("leak", "epoll", "gonet"), ("leak", "pipe", "gonet")])
    res, _ = ctx.fdleak_run([], [exe])
    if "hello" not in res.stdout:
        problems.append("the Go program said %r" % res.stdout)
    fail_if(problems)


@test("only-from")
def _only_from(ctx):
    """--only-from keeps the entries with a frame in the matching modules:
    the victim's leaks, not what the shell around it does (even with the
    default suppressions off); what it leaves out is counted."""
    exe = victim_path("example")
    argv = ["sh", "-c", "%s; cat /etc/hostname | wc -l" % exe]
    problems = []
    res, rep = ctx.trace_json(argv, opts=["--no-default-suppressions",
                                          "--only-from=*/victims/*"])
    proto = Protocol(res.stdout)
    got = sorted((e[0], e[3]) for e in report_entries(rep))
    want = sorted(("leak", e["fd"]) for e in proto.expects)
    if got != want or len(want) != 3:
        problems.append("entries %r, expected the victim's %r" % (got, want))
    if rep["summary"]["only_from_hidden"] < 1:
        problems.append("dash's close(-1) not counted as hidden: %r" %
                        rep["summary"])
    # A pattern nothing matches leaves nothing; text says so on its line.
    res, _ = ctx.fdleak_run(["--no-default-suppressions",
                             "--only-from=/nowhere/*", "--only-from=*/nope"],
                            argv)
    hidden = parse_hidden(res.stderr)
    _, summary = parse_sections(res.stderr)
    if summary is None or summary.get("leaks") != "0" or hidden is None or \
            int(hidden.get("only-from", 0)) < 4:
        problems.append("text summary %r, hidden %r" % (summary, hidden))
    fail_if(problems)


@test("gen-suppressions-all-types")
def _gen_all_types(ctx):
    """--gen-suppressions writes fdleak:Misuse (with the misuse type) and
    fdleak:Inherited entries too; given back they hide every failed close
    and inherited fd, counted on the hidden line."""
    problems = []
    for victim, args, field in (("misuse", [], "suppressed_misuse"),
                                ("execer", ["main"], "suppressed_inherited")):
        gen = os.path.join(ctx.tmp, victim + ".supp")
        _, rep = ctx.trace_json([victim_path(victim)] + args,
                                opts=["--gen-suppressions=" + gen])
        with open(gen) as f:
            text = f.read()
        kind = "fdleak:Misuse" if victim == "misuse" else "fdleak:Inherited"
        if kind not in text or \
                (victim == "misuse" and "misuse:double-close" not in text):
            problems.append("%s: no %s entry in\n%s" % (victim, kind, text))
        want = rep["summary"]["misuse" if victim == "misuse" else
                              "inherited"]
        _, again = ctx.trace_json([victim_path(victim)] + args,
                                  opts=["--suppressions=" + gen])
        if again["summary"]["misuse"] or again["summary"]["inherited"] or \
                again["summary"]["leaks"] or \
                again["summary"][field] != want or want == 0:
            problems.append("%s: with its entries: %r (had %d)" % (
                victim, again["summary"], want))
    fail_if(problems)


@test("deleted-binary")
def _deleted_binary(ctx):
    """A program deleted before the run ends (a test harness's temporary
    build) still has functions and lines in JSON and SARIF: each process's
    stacks are symbolized when it ends."""
    exe = os.path.join(ctx.tmp, "gone")
    shutil.copy(victim_path("example"), exe)
    argv = ["sh", "-c", "%s; rm %s; sleep 0.2" % (exe, exe)]
    problems = []
    res, rep = ctx.trace_json(argv)
    proto = Protocol(res.stdout)
    leaks = [l for p in rep["processes"] for l in p["leaks"]]
    if sorted(l["fd"] for l in leaks) != sorted(e["fd"] for e in proto.expects):
        problems.append("leaks %r" % [l["fd"] for l in leaks])
    for l in leaks:
        top = l["backtrace"][0] if l["backtrace"] else {}
        if not top.get("function") or not top.get("line"):
            problems.append("fd %d: frame %r" % (l["fd"], top))
    sarif = os.path.join(ctx.tmp, "gone.sarif")
    shutil.copy(victim_path("example"), exe)
    ctx.fdleak_run(["--format=sarif", "-o", sarif], argv)
    doc = read_sarif(ctx, sarif)
    for r in doc["runs"][0]["results"]:
        msg = r["message"]["text"]
        if "__libc_start" in msg or " in ???" in msg or \
                "region" not in r["locations"][0]["physicalLocation"]:
            problems.append("SARIF result %r at %r" % (
                msg, r["locations"][0]))
    fail_if(problems)


# --------------------------------------------------------------------------
# Packaging: make install, the build flags packagers set


@test("install-destdir")
def _install(ctx):
    """make install into a DESTDIR with PREFIX=/usr: the binary, its
    default suppressions and the man page where packagers expect them; the
    installed binary runs, finds its default suppressions beside itself
    and says its version; man -l reads the installed page; make uninstall
    takes it all away."""
    dest = os.path.join(ctx.tmp, "dest")
    problems = []
    res = ctx.run(["make", "-C", ROOT, "-s", "install", "DESTDIR=" + dest,
                   "PREFIX=/usr"], timeout=300)
    if res.status != 0:
        raise Failure("make install: status %d: %s" % (res.status,
                                                       res.stderr[-400:]))
    files = {"usr/bin/fdleak": 0o755, "usr/share/fdleak/default.supp": 0o644,
             "usr/share/man/man1/fdleak.1": 0o644}
    for rel, mode in files.items():
        path = os.path.join(dest, rel)
        if not os.path.isfile(path):
            problems.append("%s not installed" % rel)
        elif stat.S_IMODE(os.stat(path).st_mode) != mode:
            problems.append("%s has mode %o" % (rel, os.stat(path).st_mode))
    fail_if(problems)
    exe = os.path.join(dest, "usr/bin/fdleak")
    res = ctx.run([exe, "--version"])
    first = res.stdout.splitlines()[0] if res.stdout else ""
    if res.status != 0 or not re.match(r"^fdleak \d+\.\d+\.\d+$", first) or \
            "MIT" not in res.stdout or "Unwinder: libunwind" not in \
            res.stdout or "Symbolizer: elfutils libdw" not in res.stdout:
        problems.append("--version said %r" % res.stdout)
    json_path = os.path.join(ctx.tmp, "inst.json")
    res = ctx.run([exe, "--format=json", "-o", json_path, "--", "bash", "-c",
                   "cat /etc/hostname | cat >/dev/null"])
    with open(json_path) as f:
        rep = json.load(f)
    want = os.path.join(dest, "usr/share/fdleak/default.supp")
    if [e["file"] for e in rep["suppressions"]] != [want] or \
            "no default suppressions" in res.stderr:
        problems.append("installed binary's suppressions %r (%s)" % (
            rep["suppressions"], res.stderr.strip()))
    man = shutil.which("man")
    if man is None:
        problems.append("man is not installed (Debian: man-db)")
    else:
        res = ctx.run([man, "-l", os.path.join(dest,
                                               "usr/share/man/man1/fdleak.1")],
                      env=dict(ctx.env(), MANWIDTH="80", MANPAGER="cat",
                               PAGER="cat"))
        if res.status != 0 or "--only-from" not in res.stdout.replace(
                "\u2010", "-") or "EXIT STATUS" not in res.stdout:
            problems.append("man -l: status %d, %d bytes, stderr %r" % (
                res.status, len(res.stdout), res.stderr[:300]))
    res = ctx.run(["make", "-C", ROOT, "-s", "uninstall", "DESTDIR=" + dest,
                   "PREFIX=/usr"])
    left = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs]
    if res.status != 0 or left:
        problems.append("make uninstall: status %d, left %r" % (res.status,
                                                                left))
    fail_if(problems)


@test("build-flags")
def _build_flags(ctx):
    """The GNU conventions packagers rely on, in a copy of the tree: CFLAGS
    on the command line builds (the include path is kept), CPPFLAGS reaches
    every compile (dpkg-buildflags' -D_FORTIFY_SOURCE=2), and PKG_CONFIG
    is asked once per build, not once per file."""
    tree = os.path.join(ctx.tmp, "tree")
    os.mkdir(tree)
    for name in ("src", "include", "man"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(tree, name))
    shutil.copy(os.path.join(ROOT, "Makefile"), tree)
    os.makedirs(os.path.join(tree, "tests", "fuzz"))
    shutil.copy(os.path.join(ROOT, "tests", "fuzz", "fuzz.mk"),
                os.path.join(tree, "tests", "fuzz"))
    log = os.path.join(ctx.tmp, "pkg-config.log")
    wrapper = os.path.join(ctx.tmp, "pkg-config")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\necho \"$*\" >> %s\nexec pkg-config \"$@\"\n" % log)
    os.chmod(wrapper, 0o755)
    # A packager's make, not the one running the tests: `make check ASAN=1`
    # would pass ASAN=1 down through MAKEFLAGS (no target "fdleak" then).
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ASAN")}
    res = ctx.run(["make", "-C", tree, "-j2", "V=1", "fdleak",
                   "CFLAGS=-O1 -g", "CPPFLAGS=-D_FORTIFY_SOURCE=2",
                   "PKG_CONFIG=" + wrapper], timeout=600, env=env)
    problems = []
    if res.status != 0:
        raise Failure("make CFLAGS=... failed: %s" % res.stderr[-600:])
    compiles = [l for l in res.stdout.splitlines() if " -c -o " in l]
    if len(compiles) < 10:
        problems.append("only %d compile lines" % len(compiles))
    for l in compiles:
        if "-O1" not in l or "-D_FORTIFY_SOURCE=2" not in l or \
                "-Iinclude" not in l or "-O2" in l:
            problems.append("compile line %r" % l[:200])
            break
    with open(log) as f:
        calls = f.read().splitlines()
    if len(calls) != 1:
        problems.append("pkg-config called %d times: %r" % (len(calls),
                                                             calls))
    res = ctx.run([os.path.join(tree, "fdleak"), "--version"])
    if res.status != 0:
        problems.append("the build does not run: %r" % res.stderr)
    fail_if(problems)


# --------------------------------------------------------------------------
# Pictures: the HTML report in a browser, folded stacks read by speedscope,
# --from and the round trip of every format through the JSON report


ARTIFACTS = os.path.join(ROOT, "build", "test-artifacts")
NODE_DIR = os.path.join(ROOT, "tests", "integration")
SCRIPT_NAME = b"<script>alert(1)</script>"


def need(what, present, how):
    """Skip a test whose tool is missing here; in CI (.ci/run installs
    it) a missing tool is a failure, not a skip."""
    if present:
        return
    if os.environ.get("CI"):
        raise Failure("%s is missing in CI (%s)" % (what, how))
    raise Skip("%s is not installed (%s)" % (what, how))


def open_browser(**kw):
    import browser
    need("chromium", browser.chromium_path() is not None,
         "apt-get install chromium; .ci/run does")
    try:
        return browser.Browser(**kw)
    except browser.BrowserError as e:
        raise Failure("chromium: %s" % e)


def artifact(name):
    """A path under build/test-artifacts/, kept after the test."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    return os.path.join(ARTIFACTS, name)


def csp_problems(html):
    """The page's CSP allows only its own script, by its hash, and the page
    names no URL outside itself."""
    import base64
    import hashlib
    problems = []
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    csp = re.search(r'Content-Security-Policy content="([^"]*)"', html)
    if len(scripts) != 1 or csp is None:
        return ["%d scripts, CSP %r" % (len(scripts), csp)]
    digest = base64.b64encode(hashlib.sha256(
        scripts[0].encode()).digest()).decode()
    if "script-src 'sha256-%s'" % digest not in csp.group(1) or \
            "default-src 'none'" not in csp.group(1):
        problems.append("CSP %r does not allow exactly the script "
                        "(sha256-%s)" % (csp.group(1), digest))
    for url in re.findall(r'(?:src|href)\s*=\s*"?([^" >]+)', html):
        if not url.startswith("#"):
            problems.append("the page refers to %r" % url)
    if re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", html):
        problems.append("the page names something to load")
    return problems


def check_page(ctx, path, report, shot=None):
    """The HTML report at path, opened in headless Chromium, against the
    JSON report of the same run: every site with its stack rows, the flame
    graph, the timeline section, no console error, no dialog; clicking a
    frame zooms and tells the count. A screenshot goes to shot."""
    with open(path, encoding="utf-8") as f:
        html = f.read()
    problems = csp_problems(html)
    sites = [(p["pid"], s) for p in report["processes"] for s in p["sites"]]
    with open_browser(width=1280, height=900) as b:
        b.open("file://" + path)
        got = b.evaluate("""[...document.querySelectorAll('details.site')]
            .map(d => [+d.dataset.stack, +d.querySelector('summary > b').textContent,
                       d.querySelector('pre.stack').textContent.split('\\n')
                        .filter(l => /^#\\d/.test(l)).length])""")
        want = sorted(([s["stack"], s["count"], len(s["backtrace"])]
                       for _, s in sites), key=lambda x: -x[1])
        if sorted(got) != sorted(want):
            problems.append("sites in the DOM %r, expected %r" % (got[:8],
                                                                 want[:8]))
        if [c for _, c, _ in got] != sorted((c for _, c, _ in got),
                                            reverse=True):
            problems.append("sites are not most fds first: %r" % got[:8])
        frames = b.evaluate("""[...document.querySelectorAll('#flame-svg rect.f title')]
            .map(t => t.textContent.split('\\n')[0])""") or []
        total = sum(s["count"] for _, s in sites)
        if total and not frames:
            problems.append("no flame graph")
        for _, s in sites:
            names = [f["function"] for f in s["backtrace"] if f["function"]]
            if names and names[0] not in frames and s["count"] * 1200 >= total:
                problems.append("flame graph lacks %r" % names[0])
        if b.evaluate("!!document.querySelector('#timeline')") is not True:
            problems.append("no timeline section")
        if frames:
            info = b.evaluate("""(() => {
                const g = [...document.querySelectorAll('#flame-svg rect.f')].pop();
                g.dispatchEvent(new MouseEvent('click', {bubbles: true}));
                return document.getElementById('flame-info').textContent; })()""")
            if not re.search(r"\d+ fds? \(", info or ""):
                problems.append("a click on a frame tells %r" % info)
        b.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        if shot:
            b.screenshot(shot)
        problems += ["console: " + e for e in b.console_errors()]
        problems += ["dialog: %r" % d for d in b.dialogs()]
    return problems


@test("html-report")
def _html_report(ctx):
    """--format=html of the example and of the misuse victim in headless
    Chromium: every site with its stack, the flame graph, misuse with its
    stacks; no console error; the page loads nothing and runs only its
    own script; with JavaScript off the DOM holds the same. Screenshots:
    build/test-artifacts/html-report.png, html-misuse.png."""
    problems = []
    for victim, shot in (("example", "html-report.png"),
                         ("misuse", "html-misuse.png")):
        page = os.path.join(ctx.tmp, victim + ".html")
        saved = os.path.join(ctx.tmp, victim + ".json")
        res, _ = ctx.fdleak_run(["--format=html", "-o", page,
                                 "--json-file=" + saved], [victim_path(victim)])
        with open(saved, encoding="utf-8") as f:
            report = json.load(f)
        problems += ["%s: %s" % (victim, p) for p in
                     check_page(ctx, page, report, artifact(shot))]
        with open_browser(javascript=False) as b:
            b.open("file://" + page)
            dom = b.dom()
        nsites = sum(len(p["sites"]) for p in report["processes"])
        if dom.count("<details class=\"site\"") != nsites or \
                "<svg id=\"flame-svg\"" not in dom and nsites:
            problems.append("%s: with JavaScript off the DOM lacks sites or "
                            "the flame graph" % victim)
        nmisuse = sum(len(p["misuse"]) for p in report["processes"])
        if dom.count("<details class=\"misuse\"") != nmisuse:
            problems.append("%s: %d misuse entries in the DOM, %d in JSON" % (
                victim, dom.count("<details class=\"misuse\""), nmisuse))
    fail_if(problems)


@test("html-escaping")
def _html_escaping(ctx):
    """A file and a program path named <script>alert(1)</script> show as
    text in the HTML report: no dialog, one script element (the page's
    own), no console error."""
    base = os.fsencode(ctx.tmp)
    # "<script>alert(1)<" is a directory, "script>" a file in it.
    bad_dir = os.path.join(base, SCRIPT_NAME.split(b"/")[0])
    os.mkdir(bad_dir)
    prog = os.path.join(base, SCRIPT_NAME)
    shutil.copy(victim_path("names"), prog)
    os.chmod(prog, 0o755)
    target = os.path.join(base, b"leaked" + SCRIPT_NAME.split(b"/")[0])
    os.mkdir(target)
    target = os.path.join(base, b"leaked" + SCRIPT_NAME)
    page = os.path.join(ctx.tmp, "escape.html")
    ctx.fdleak_run(["--format=html", "-o", page],
                   [os.fsdecode(prog), os.fsdecode(target)])
    with open(page, encoding="utf-8") as f:
        html = f.read()
    problems = csp_problems(html)
    if "<script>alert" in html:
        problems.append("the page holds <script>alert unescaped")
    import browser
    dom = browser.dump_dom("file://" + page)
    if "<script>alert" in dom or "&lt;script&gt;alert(1)&lt;/script&gt;" \
            not in dom:
        problems.append("--dump-dom: the name is not text")
    with open_browser() as b:
        b.open("file://" + page)
        text = b.evaluate("document.body.textContent")
        if text.count(SCRIPT_NAME.decode()) < 2:
            problems.append("%r is not shown as text (target and command)" %
                            SCRIPT_NAME.decode())
        if b.evaluate("document.scripts.length") != 1:
            problems.append("%d script elements" %
                            b.evaluate("document.scripts.length"))
        problems += ["console: " + e for e in b.console_errors()]
        problems += ["dialog: %r" % d for d in b.dialogs()]
    fail_if(problems)


@attach_test("html-timeline")
def _html_timeline(ctx):
    """-p server --interval=0.3 --format=html: the timeline charts the
    process's fds and names the growing site, handle_request_leaky, in its
    legend; the sites and flame graph as for any report. Screenshot:
    build/test-artifacts/html-timeline.png."""
    srv = start_server(ctx)
    time.sleep(0.3)
    page = os.path.join(ctx.tmp, "timeline.html")
    saved = os.path.join(ctx.tmp, "timeline.json")
    fdl = start_attach(ctx, [srv.pid], ["--format=html", "--interval=0.3",
                                        "--duration=1.8", "-o", page,
                                        "--json-file=" + saved])
    problems = finish_attach(ctx, fdl)
    fail_if(problems)
    dumps, report = read_attach_json(ctx, saved)
    problems += check_page(ctx, page, report)
    with open_browser(width=1280, height=900) as b:
        b.open("file://" + page)
        charts = b.evaluate("""[...document.querySelectorAll('svg.timeline')]
            .map(s => [s.querySelectorAll('polyline').length,
                       s.querySelectorAll('circle').length])""")
        legend = b.evaluate("""[...document.querySelectorAll('#timeline .legend li')]
            .map(l => l.textContent)""")
        if not charts or charts[0][0] < 3:
            problems.append("timeline charts %r: expected all fds, "
                            "outstanding and a site" % charts)
        elif charts[0][1] != charts[0][0] * len(dumps):
            problems.append("%d points for %d lines of %d dumps" % (
                charts[0][1], charts[0][0], len(dumps)))
        if not any("growing site" in l and "handle_request_leaky" in l
                   for l in legend):
            problems.append("legend %r does not name handle_request_leaky" %
                            legend)
        clip = b.evaluate("""(() => {
            document.querySelectorAll('details.site').forEach(
                d => d.style.contentVisibility = 'visible');
            const r = document.getElementById('timeline').getBoundingClientRect();
            return {x: 0, y: r.y + scrollY, width: 1280, height: r.height}; })()""")
        b.screenshot(artifact("html-timeline.png"), clip=clip)
        problems += ["console: " + e for e in b.console_errors()]
    fail_if(problems)


def folded_totals(text):
    """Per frame name, the fds at or under it, as speedscope's sandwich
    view counts them (a name once per stack)."""
    totals = {}
    for line in text.splitlines():
        stack, count = line.rsplit(" ", 1)
        for name in set(stack.split(";")):
            totals[name] = totals.get(name, 0) + int(count)
    return totals


@test("folded-speedscope")
def _folded_speedscope(ctx):
    """--format=folded of the sites victim (1 000 fds from one site, three
    from others) read by speedscope (npm, as its command line opens a file)
    in headless Chromium: its sandwich view lists every frame with the
    total of fds the folded lines give."""
    exe = victim_path("sites")
    out = os.path.join(ctx.tmp, "leaks.folded")
    ctx.fdleak_run(["--format=folded", "-o", out], [exe])
    with open(out, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for line in text.splitlines():
        if not re.match(r"^sites(;[^;\s][^;]*)+ \d+$", line):
            problems.append("not a folded line: %r" % line)
    fail_if(problems)
    cli = os.path.join(NODE_DIR, "node_modules", "speedscope", "bin",
                       "cli.mjs")
    need("speedscope", os.path.exists(cli) and shutil.which("node"),
         "npm ci --prefix tests/integration; .ci/run does")
    env = dict(os.environ, BROWSER="true")
    res = ctx.run(["node", cli, out], env=env, cwd=ctx.tmp)
    m = re.search(r"^Opening (file://\S+) in your default browser$",
                  res.stdout, re.M)
    if m is None:
        raise Failure("speedscope did not open the profile: %r" % res.stdout)
    with open_browser(width=1280, height=800,
                      extra_flags=["--allow-file-access-from-files"]) as b:
        b.open(m.group(1))
        deadline = time.monotonic() + 20 * ctx.scale
        while b.evaluate("document.title") != "leaks.folded - speedscope":
            if time.monotonic() > deadline:
                raise Failure("speedscope did not load the file (title %r)" %
                              b.evaluate("document.title"))
            time.sleep(0.1)
        b.evaluate("""[...document.querySelectorAll('div,span,button')].filter(
            e => e.textContent.trim().endsWith('Sandwich') &&
                 e.children.length <= 1).pop().click()""")
        time.sleep(0.5)
        rows = b.evaluate("document.body.innerText")
        b.screenshot(artifact("folded-speedscope.png"), full_page=False)
        problems += ["console: " + e for e in b.console_errors()]
    got = {name: int(total.replace(",", "")) for total, name in re.findall(
        r"^([\d,]+) \([^)]*\)\n\t[^\n]*\n\t(.+)$", rows, re.M)}
    want = folded_totals(text)
    if got != want:
        problems.append("speedscope's totals %r, the folded lines' %r" % (
            sorted(got.items())[:10], sorted(want.items())[:10]))
    fail_if(problems)
    return [], "%d frames" % len(got)


@test("from-errors")
def _from_errors(ctx):
    """--from with what is not a report fdleak can read: one line naming
    the problem on stderr, nothing on stdout, status 125."""
    saved = os.path.join(ctx.tmp, "good.json")
    ctx.fdleak_run(["--format=json", "-o", saved],
                   [victim_path("example")])
    with open(saved, encoding="utf-8") as f:
        good = f.read()
    doc = json.loads(good)
    other = dict(doc, version="9.0.0")
    old = {k: v for k, v in doc.items() if k != "options"}
    sarif = os.path.join(ctx.tmp, "r.sarif")
    ctx.fdleak_run(["--format=sarif", "-o", sarif], [victim_path("example")])
    cases = [
        ("text", "hello, world\n", "not JSON"),
        ("empty", "", "no JSON"),
        ("truncated", good[:len(good) // 2], "truncated"),
        ("dumps only", '{"dump": 1, "elapsed": 0.3, "processes": []}\n',
         "truncated"),
        ("other major", json.dumps(other), "another major version"),
        ("no options", json.dumps(old), "did not save"),
        ("sarif", None, "not an fdleak JSON report"),
        ("bad field", good.replace('"serial": ', '"serial": -', 1),
         "out of range"),
        ("after", good + "[]", "data after the report"),
    ]
    problems = []
    for name, text, want in cases:
        path = sarif
        if text is not None:
            path = os.path.join(ctx.tmp, "bad.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        res = ctx.run([ctx.fdleak, "--from=" + path])
        lines = res.stderr.splitlines()
        if res.status != 125 or res.stdout or len(lines) != 1 or \
                want not in lines[0] or path not in lines[0]:
            problems.append("%s: status %d, stdout %r, stderr %r (expected "
                            "125 and one line with %r)" % (
                                name, res.status, res.stdout[:80], lines, want))
    res = ctx.run([ctx.fdleak, "--from=" + saved, "--", "true"])
    if res.status != 125 or len(res.stderr.splitlines()) != 1:
        problems.append("--from with a command: status %d" % res.status)
    res = ctx.run([ctx.fdleak, "--from=" + saved, "--depth=3"])
    if res.status != 125 or "depth" not in res.stderr:
        problems.append("--from with --depth: status %d %r" % (res.status,
                                                              res.stderr))
    res = ctx.run([ctx.fdleak, "--from=" + saved, "--error-exitcode=7"])
    if res.status != 7 or not res.stdout.startswith("fdleak: process"):
        problems.append("--from --error-exitcode=7 on 3 leaks: status %d" %
                        res.status)
    fail_if(problems)


# What the round trip writes live and again from the saved JSON.
ROUNDTRIP_FORMATS = ("text", "sarif", "html")


def roundtrip_compare(ctx, live, saved, fmt):
    """--from=saved --format=fmt must equal live byte for byte."""
    again = live + ".again"
    res = ctx.run([ctx.fdleak, "--from=" + saved, "--format=" + fmt, "-o",
                   again])
    if res.status != 0:
        return ["--from --format=%s exited %d: %s" % (fmt, res.status,
                                                      res.stderr.strip())]
    with open(live, "rb") as a, open(again, "rb") as b:
        x, y = a.read(), b.read()
    if x == y:
        return []
    at = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]),
              min(len(x), len(y)))
    return ["%s differs at byte %d of %d/%d: live %r, from JSON %r" % (
        fmt, at, len(x), len(y), x[max(0, at - 40):at + 40],
        y[max(0, at - 40):at + 40])]


def roundtrip_test(name, argv_fn, opts=(), timeout=TIMEOUT, status=None):
    """Trace argv_fn(ctx) once per format, writing the format and, with
    --json-file, the JSON of the same run; --from that JSON must write the
    format again byte for byte, and the JSON itself."""
    @test(name)
    def run_it(ctx):
        argv = argv_fn(ctx)
        problems = []
        for fmt in ROUNDTRIP_FORMATS:
            live = os.path.join(ctx.tmp, "live." + fmt)
            saved = os.path.join(ctx.tmp, "live-%s.json" % fmt)
            res, _ = ctx.fdleak_run(["--format=" + fmt, "-o", live,
                                     "--json-file=" + saved] + list(opts),
                                    argv, timeout=timeout)
            if status is not None and res.status != status:
                problems.append("%s: fdleak exited %d" % (fmt, res.status))
            problems += roundtrip_compare(ctx, live, saved, fmt)
            if fmt == "text":
                problems += roundtrip_compare(ctx, saved, saved, "json")
        fail_if(problems)
    return run_it


def victim_argv(t):
    return lambda ctx: t.argv()


for _t in [t for t in TESTS if isinstance(t, VictimTest)]:
    roundtrip_test("roundtrip-" + _t.name, victim_argv(_t), _t.opts,
                   _t.timeout)
roundtrip_test("roundtrip-inherited",
               lambda ctx: [victim_path("execer"), "main"])


def _weird_argv(ctx):
    base = os.fsencode(ctx.tmp)
    os.mkdir(os.path.join(base, SCRIPT_NAME.split(b"/")[0]))
    names = WEIRD_NAMES + [SCRIPT_NAME]
    return [victim_path("names")] + [os.fsdecode(os.path.join(base, n))
                                     for n in names]


roundtrip_test("roundtrip-weird-names", _weird_argv)
roundtrip_test("roundtrip-libc-frames-depth",
               lambda ctx: [victim_path("example")],
               ["--libc-frames", "--depth=3"])
roundtrip_test("roundtrip-emfile", lambda ctx: [victim_path("emfile")])
roundtrip_test("roundtrip-skip-fork-inherited",
               lambda ctx: [victim_path("forker"), "fork"],
               ["--skip-fork-inherited"])


@attach_test("roundtrip-attach-dumps")
def _roundtrip_attach(ctx):
    """-p server --interval=0.3: the text written from the saved JSON has
    the dumps and the process section interleaved as the live run wrote
    them, with the same elapsed= and age=; the HTML the same timeline;
    and with --sample=50, the same sampled=, rate= and sampling line."""
    srv = start_server(ctx)
    time.sleep(0.3)
    problems = []
    for fmt, opts in (("text", []), ("html", []), ("text", ["--sample=50"])):
        live = os.path.join(ctx.tmp, "attach%s.%s" % (len(opts), fmt))
        saved = os.path.join(ctx.tmp, "attach%s-%s.json" % (len(opts), fmt))
        fdl = start_attach(ctx, [srv.pid], ["--format=" + fmt,
                                            "--interval=0.3",
                                            "--duration=1.2", "-o", live,
                                            "--json-file=" + saved] + opts)
        problems += finish_attach(ctx, fdl)
        fail_if(problems)
        problems += roundtrip_compare(ctx, live, saved, fmt)
        if fmt == "text":
            with open(live) as f:
                text = f.read()
            if text.count("fdleak: dump n=") < 2:
                problems.append("%d dumps in the text" %
                                text.count("fdleak: dump n="))
    fail_if(problems)


# --------------------------------------------------------------------------
# Self-check of the victims (no fdleak)


ANON_KINDS = {
    "[eventfd]": "eventfd", "[timerfd]": "timerfd", "[signalfd]": "signalfd",
    "[eventpoll]": "epoll", "inotify": "inotify", "[fanotify]": "fanotify",
    "[pidfd]": "pidfd", "[userfaultfd]": "userfaultfd",
    "[io_uring]": "io_uring", "[perf_event]": "perf_event",
}


def kind_of(link, mode):
    """What a /proc/PID/fd link and st_mode say an fd is, as fdleak names it."""
    if link.startswith("socket:"):
        return "socket"
    if link.startswith("pipe:"):
        return "pipe"
    if link.startswith("pidfd:"):
        return "pidfd"
    if link.startswith("anon_inode:"):
        name = link[len("anon_inode:"):]
        if name.startswith("bpf"):
            return "bpf"
        return ANON_KINDS.get(name, "other")
    if link.startswith("/memfd:") or link.startswith("/secretmem"):
        return "memfd"
    fmt = stat.S_IFMT(mode)
    return {stat.S_IFDIR: "dir", stat.S_IFCHR: "device",
            stat.S_IFBLK: "device", stat.S_IFIFO: "fifo",
            stat.S_IFSOCK: "socket", stat.S_IFREG: "file"}.get(fmt, "other")


LINK_TARGET_KINDS = ("file", "dir", "device", "memfd", "perf_event", "other")


def target_of(link):
    """The target fdleak reports for a link: "memfd:NAME" for a memfd."""
    m = re.match(r'^/(memfd:.*) \(deleted\)$', link)
    return m.group(1) if m else link


def selfcheck_protocol(proto):
    problems = []
    for pid, end in proto.exits.items():
        if end[0] == "code" and pid not in proto.selfchecked:
            problems.append("pid %d exited without a selfcheck" % pid)
    for pid in sorted(proto.selfchecked):
        opened = proto.open[pid]
        expects = {e["fd"]: e for e in proto.expects if e["pid"] == pid}
        for fd, exp in sorted(expects.items()):
            o = opened.get(fd)
            if o is None:
                problems.append("pid %d: EXPECT fd %d is not open" %
                                (pid, fd))
                continue
            kind = kind_of(o["link"], int(o["mode"], 8))
            if kind != exp["kind"]:
                problems.append("pid %d fd %d: claims kind %s, /proc says "
                                "%s (%s)" % (pid, fd, exp["kind"], kind,
                                             o["link"]))
            # Sockets, pipes, FIFOs and most anonymous inodes are described
            # beyond their link (victim.h computes those targets itself).
            if "target" in exp and kind in LINK_TARGET_KINDS and \
                    exp["target"] != target_of(o["link"]):
                problems.append("pid %d fd %d: claims target %r, /proc says "
                                "%r" % (pid, fd, exp["target"], o["link"]))
            if exp.get("cloexec") != o["cloexec"]:
                problems.append("pid %d fd %d: claims cloexec=%s, is %s" %
                                (pid, fd, exp.get("cloexec"), o["cloexec"]))
        extra = sorted(fd for fd in opened if fd > 2 and fd not in expects)
        counts = proto.counts_of(pid)
        if counts:
            want = {}
            for c in counts:
                want[c["kind"]] = want.get(c["kind"], 0) + c["count"]
            got = {}
            for fd in extra:
                o = opened[fd]
                k = kind_of(o["link"], int(o["mode"], 8))
                got[k] = got.get(k, 0) + 1
            if got != want:
                problems.append("pid %d: open fds by kind %r, EXPECT_COUNT "
                                "says %r" % (pid, got, want))
        elif extra:
            problems.append("pid %d: open but not EXPECTed: %s" % (
                pid, ", ".join("%d (%s)" % (fd, opened[fd]["link"])
                               for fd in extra)))
    return problems


def strace_check(ctx, argv, env, timeout):
    """strace says each EXPECTed fd came from the syscall the victim names."""
    if shutil.which("strace") is None:
        raise Skip("strace is not installed")
    prefix = os.path.join(ctx.tmp, "strace")
    res = ctx.run(["strace", "-f", "-ff", "-qq", "-o", prefix,
                   "-e", "signal=none"] + argv, env=env,
                  timeout=timeout * 3)
    proto = Protocol(res.stdout)
    lines = {}
    for name in os.listdir(ctx.tmp):
        if name.startswith("strace."):
            with open(os.path.join(ctx.tmp, name), errors="replace") as f:
                for line in f:
                    m = re.match(r'^(\w+)\(', line)
                    if m:
                        lines.setdefault(m.group(1), []).append(line)
    problems = []
    for exp in proto.expects:
        fd = str(exp["fd"])
        calls = lines.get(exp["syscall"], [])
        if not any(re.search(r'= %s$' % fd, l.rstrip()) or
                   re.search(r'\[(?:[^]]*[ ,])?%s[],]' % fd, l)
                   for l in calls):
            problems.append("strace: no %s() gave fd %s" %
                            (exp["syscall"], fd))
    for c in proto.counts:
        n = sum(1 for l in lines.get(c["syscall"], [])
                if re.search(r'= \d+$', l.rstrip()))
        if n < c["count"]:
            problems.append("strace: %d %s() calls, expected %d or more" %
                            (n, c["syscall"], c["count"]))
    return problems


# --------------------------------------------------------------------------
# Main


def find_fdleak():
    """The fdleak to test: $FDLEAK, looked for as given, in the tree, in PATH."""
    name = os.environ.get("FDLEAK") or "fdleak"
    candidates = [name, os.path.join(ROOT, name)] if "/" in name else \
        [os.path.join(ROOT, name), shutil.which(name)]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


# Sampled attach (--sample): tests/integration/sampling.py, on these helpers.
sampling.register(sys.modules[__name__])
# Reports that say which process, which file, what ran out: reports.py.
reports.register(sys.modules[__name__])


def select(names):
    if not names:
        return TESTS, []
    chosen, unknown = [], []
    for pattern in names:
        hits = [t for t in TESTS if fnmatch.fnmatchcase(t.name, pattern)]
        if not hits:
            unknown.append(pattern)
        chosen += [t for t in hits if t not in chosen]
    return chosen, unknown


def main(argv):
    args = [a for a in argv if not a.startswith("-")]
    flags = [a for a in argv if a.startswith("-")]
    for f in flags:
        if f not in ("-v", "--verbose", "--selfcheck", "--strace", "--list",
                     "-h", "--help"):
            print("run.py: unknown option %s" % f, file=sys.stderr)
            return 2
    if "-h" in flags or "--help" in flags:
        print(__doc__)
        return 0
    if "--list" in flags:
        for t in TESTS:
            print(t.name)
        return 0
    selfcheck = "--selfcheck" in flags
    verbose = "-v" in flags or "--verbose" in flags
    tests, unknown = select(args)
    if selfcheck:
        tests = [t for t in tests if hasattr(t, "selfcheck")]
    passed = failed = skipped = 0
    for name in unknown:
        print("FAIL %s: no such test" % name, flush=True)
        failed += 1

    fdleak = None
    if not selfcheck:
        fdleak = find_fdleak()
        if fdleak is None:
            print("FAIL setup: fdleak not found (FDLEAK=%s); build it with "
                  "`make`" % (os.environ.get("FDLEAK") or "fdleak"),
                  flush=True)
            print("%d passed, %d failed" % (0, failed + 1))
            return 1
    ctx = Context(fdleak, verbose)
    for t in tests:
        ctx.begin()
        try:
            if selfcheck:
                out = t.selfcheck(ctx, "--strace" in flags)
            else:
                out = t.run(ctx)
            note = ""
            if isinstance(out, tuple):
                out, note = out
            print("ok %s%s" % (t.name, " # " + note if note else ""),
                  flush=True)
            passed += 1
            for sub in out:
                print("skip %s: %s" % (t.name, sub), flush=True)
                skipped += 1
        except Skip as e:
            print("skip %s: %s" % (t.name, e), flush=True)
            skipped += 1
        except Failure as e:
            print("FAIL %s: %s" % (t.name, e), flush=True)
            failed += 1
            if verbose:
                ctx.collect()
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
