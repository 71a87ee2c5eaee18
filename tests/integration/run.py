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
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
VICTIMS = os.path.join(ROOT, "build", "victims")
TIMEOUT = 60
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:")


class Failure(Exception):
    """The test failed; the message says why."""


class Skip(Exception):
    """The test cannot run here; the message says why."""


def fail_if(problems, most=12):
    """Raise Failure listing problems (the first few), if there are any."""
    if problems:
        more = len(problems) - most
        raise Failure("; ".join(problems[:most]) +
                      ("; and %d more" % more if more > 0 else ""))


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


def shell_status(returncode):
    """Popen's returncode as a shell shows it: 128+N when killed by N."""
    return 128 - returncode if returncode < 0 else returncode


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

    def begin(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fdleak-test-"))
        self.log = []

    def end(self):
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

    def fdleak_run(self, opts, argv, env=None, timeout=TIMEOUT):
        """Run fdleak with opts on argv; (result, JSON report or None)."""
        json_path = os.path.join(self.tmp, "report.json")
        if os.path.exists(json_path):
            os.unlink(json_path)
        res = self.run([self.fdleak] + list(opts) + ["--"] + list(argv),
                       env=env if env is not None else self.env(),
                       timeout=timeout)
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

    def trace_json(self, argv, opts=(), env=None, timeout=TIMEOUT):
        json_path = os.path.join(self.tmp, "report.json")
        res, report = self.fdleak_run(
            ["--format=json", "-o", json_path] + list(opts), argv, env=env,
            timeout=timeout)
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
                if e["pid"] == pid and (std_fds or e["fd"] > 2)}

    def counts_of(self, pid):
        return [c for c in self.counts if c["pid"] == pid]

    def leaking_pids(self, std_fds):
        pids = {e["pid"] for e in self.expects if std_fds or e["fd"] > 2}
        return pids | {c["pid"] for c in self.counts}

    def total(self, std_fds):
        return (sum(1 for e in self.expects if std_fds or e["fd"] > 2) +
                sum(c["count"] for c in self.counts))


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
    for key in ("version", "processes", "summary"):
        if key not in report:
            raise Failure("JSON report has no %r" % key)
    if not isinstance(report["processes"], list):
        raise Failure("JSON processes is not a list")
    for proc in report["processes"]:
        for key in ("pid", "ppid", "command", "exit_code", "exit_signal",
                    "leaks"):
            if key not in proc:
                raise Failure("JSON process has no %r: %r" % (key, proc))
        for leak in proc["leaks"]:
            for key in ("fd", "kind", "target", "syscall", "tid", "cloexec",
                        "across_exec", "origin", "backtrace"):
                if key not in leak:
                    raise Failure("JSON leak has no %r: %r" % (key, leak))
            for frame in leak["backtrace"]:
                for key in ("pc", "module", "offset", "function", "file",
                            "line", "inlined"):
                    if key not in frame:
                        raise Failure("JSON frame has no %r: %r" %
                                      (key, frame))
    for key in ("leaks", "processes"):
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
        leaks = [l for l in by_pid.get(pid, []) if std_fds or l["fd"] > 2]
        for l in by_pid.get(pid, []):
            if not std_fds and l["fd"] <= 2:
                problems.append("pid %d: fd %d reported without --std-fds"
                                % (pid, l["fd"]))
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
    for line in text.splitlines():
        if not line.startswith("fdleak: "):
            continue
        body = line[len("fdleak: "):]
        word, _, rest = body.strip().partition(" ")
        fields = {k: (v[1:-1] if v.startswith('"') else v)
                  for k, v in LEAK_LINE.findall(rest)}
        if body.startswith("process "):
            procs.append(fields)
        elif body.startswith("leak "):
            fields["frames"] = []
            leaks.append(fields)
        elif body.startswith("summary "):
            summary = fields
        elif word == "at" and leaks:
            m = re.match(r'at (0x[0-9a-f]+): (\S+)', body.strip())
            if m:
                leaks[-1]["frames"].append(m.group(2))
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
    want = {"leaks": str(len(proto.expects)), "processes": "1", "leaking": "1"}
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
            if "target" in exp and exp["target"] != target_of(o["link"]):
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
        tests = [t for t in tests if isinstance(t, VictimTest)]
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
