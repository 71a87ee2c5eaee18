# SPDX-License-Identifier: MIT
"""
sampling.py - the tests of sampled attach (fdleak -p PID --sample=P):
windows traced as plain attach, gaps fully detached, and the model
reconciled with the kernel's table at each window's start.

run.py calls register(run) once its own helpers exist; these tests use
them (start_server, check_released, ...) and register as attach tests.
"""

import os
import re
import signal
import time

from common import Failure, fail_if

h = None        # the run module, set by register()

HOSTNAME = os.path.realpath("/etc/hostname")
# Functions of the server's requests that close every fd they make.
CLEAN_SITES = {"handle_request", "serve_file", "serve_pipe", "serve_socket",
               "leak_at_startup"}


def sampling_of(report, pid):
    procs = [p for p in report["processes"] if p["pid"] == pid]
    if len(procs) != 1:
        raise Failure("%d process entries for pid %d, expected 1" %
                      (len(procs), pid))
    s = procs[0].get("sampling")
    if s is None:
        raise Failure("pid %d: no \"sampling\" object" % pid)
    return procs[0], s


def check_share(s, want, slack=0.5):
    """Problems unless the sampled share is near want (a fraction)."""
    problems = []
    if not want * (1 - slack) <= s["share"] <= want * (1 + slack):
        problems.append("share %.3f, expected about %.2f" % (s["share"], want))
    if s["wall"] > 0 and abs(s["attached"] / s["wall"] - s["share"]) > 0.01:
        problems.append("share %.3f is not attached/wall (%.3f/%.3f)" % (
            s["share"], s["attached"], s["wall"]))
    if s["lost"]:
        problems.append("lost is true for a process that ran on")
    return problems


def run_sampled(ctx, pid, opts, name, timeout=120):
    """fdleak -p pid OPTS --format=json; problems, the report, the times."""
    path = os.path.join(ctx.tmp, name + ".json")
    t0 = time.monotonic()
    fdl = h.start_attach(ctx, [pid], list(opts) +
                         ["--format=json", "-o", path])
    problems = h.finish_attach(ctx, fdl, timeout=timeout)
    t1 = time.monotonic()
    problems += h.check_released(pid, "after detach: ")
    fail_if(problems)
    _, report = h.read_attach_json(ctx, path)
    return report, t0, t1


def check_leaky_site(srv, report, t0, t1):
    """Problems unless every leak is one of handle_request_leaky's,
    leaked while fdleak ran, with its whole stack; the leaks."""
    problems = []
    leaks = h.leaks_by_pid(report).get(srv.pid, [])
    log = h.wait_leaked(srv, [l["fd"] for l in leaks])
    for leak in leaks:
        fns = h.functions(leak)
        if CLEAN_SITES & set(fns) or fns[:2] != \
                ["handle_request_leaky", "main"]:
            problems.append("leak not of the leaky site: %s" %
                            h.describe(leak))
            continue
        if (leak["kind"], leak["syscall"], leak["target"],
                leak["origin"]) != ("file", "openat", HOSTNAME, "syscall"):
            problems.append("leak %s: expected file openat %s, origin "
                            "syscall" % (h.describe(leak), HOSTNAME))
        if "_start" not in fns:
            problems.append("leak %s: stack cut short" % h.describe(leak))
        if leak["fd"] not in log.by_fd:
            problems.append("fd %d reported, but the server never leaked "
                            "it" % leak["fd"])
            continue
        req, when = log.by_fd[leak["fd"]]
        if not t0 <= when <= t1:
            problems.append("fd %d (request %d) leaked outside the trace" %
                            (leak["fd"], req))
    return problems, leaks


# --------------------------------------------------------------------------
# The tests


def sample_server(ctx):
    """A server leaking 1 fd in 100 requests (5 a second) from one site,
    --sample=10 for 20 s: that site with its full stack and a rate, no fd
    of the sites that close theirs, the share near 10 %."""
    srv = h.start_server(ctx, every=100)
    time.sleep(0.3)
    report, t0, t1 = run_sampled(ctx, srv.pid, [
        "--sample=10", "--duration=20", "--min-age=1"], "server")
    problems = h.check_progress(srv, "after detach: ")
    proc, s = sampling_of(report, srv.pid)
    problems += check_share(s, 0.10)
    if s["windows"] < 5:
        problems.append("%d windows in 20 s at 10 %% of 200 ms" %
                        s["windows"])
    if s["seen"] < 100:
        problems.append("only %d fd creations seen" % s["seen"])
    lp, leaks = check_leaky_site(srv, report, t0, t1)
    problems += lp
    # 2 s attached at 5 leaks a second; the last ones are too young.
    if len(leaks) < 3:
        problems.append("%d leaks reported, expected at least 3" %
                        len(leaks))
    sites = proc["sites"]
    if len(sites) != 1:
        problems.append("%d sites, expected the leaky one only" % len(sites))
    elif not 1 <= sites[0].get("rate", 0) <= 20:
        problems.append("site rate %r/s, the server leaks 5/s" %
                        sites[0].get("rate"))
    fail_if(problems)
    return [], "%d leaks, %d windows, share %.1f%%, rate %.1f/s" % (
        len(leaks), s["windows"], 100 * s["share"],
        sites[0]["rate"] if sites else 0)


def sample_clean(ctx):
    """A server that closes every fd it makes, sampled three times at
    20 % with short windows: no leak, no misuse, every time."""
    srv = h.start_server(ctx, every=0)
    time.sleep(0.3)
    problems, notes = [], []
    for i in range(3):
        report, _, _ = run_sampled(ctx, srv.pid, [
            "--sample=20", "--sample-window=100", "--duration=3",
            "--min-age=0.5"], "clean-%d" % i)
        proc, s = sampling_of(report, srv.pid)
        p = check_share(s, 0.20)
        for leak in proc["leaks"]:
            p.append("leak %s" % h.describe(leak))
        if proc["misuse"]:
            p.append("misuse %s" % proc["misuse"][:2])
        if s["windows"] < 5:
            p.append("%d windows" % s["windows"])
        problems += ["run %d: %s" % (i + 1, x) for x in p]
        notes.append("%d windows" % s["windows"])
    problems += h.check_progress(srv, "after the runs: ")
    fail_if(problems)
    return [], ", ".join(notes)


GAPPER_W1 = re.compile(r'^W1 A=(\d+) F=(\d+) G=(\d+) K=(\d+) L=(\d+)$')


def sample_gap_reuse(ctx):
    """gapper: in a gap, a socket's number gets another socket, a file's
    the same file opened otherwise, another's the same file reopened (and
    closed a gap later, or kept to the end); a socket is made; a child is
    forked. Reported:
    only what was made in a window and is still that object, never with
    the stack of what it replaced; the child's fds, found at its first
    window, with the stacks of their creation."""
    victim = h.Background(ctx, [h.victim_path("gapper"), ctx.tmp],
                          name="gapper")
    victim.wait_for(r'^READY ', 30)
    path = os.path.join(ctx.tmp, "gapper.json")
    fdl = h.start_attach(ctx, [victim.pid], [
        "--sample=50", "--sample-window=1000", "--format=json", "-o", path])
    fds = {k: int(v) for k, v in zip(
        "AFGKL", victim.wait_for(GAPPER_W1.pattern, 30)[2].groups())}
    m = victim.wait_for(r'^G1 child=(\d+) U=(\d+)$', 30)[2]
    child, fds["U"] = int(m.group(1)), int(m.group(2))
    m_fd = int(victim.wait_for(r'^CHILD pid=%d M=(\d+)$' % child, 30)[2]
               .group(1))
    victim.wait_for(r'^G2$', 30)
    fds["H"] = int(victim.wait_for(r'^W3 H=(\d+)$', 30)[2].group(1))
    victim.wait_for(r'^DONE$', 60)
    problems = h.finish_attach(ctx, fdl, sig=signal.SIGINT)
    for pid in (victim.pid, child):
        problems += h.check_released(pid, "after detach: ")
    fail_if(problems)
    _, report = h.read_attach_json(ctx, path)
    leaks = h.leaks_by_pid(report)
    scratch = os.path.join(ctx.tmp, "gapper.%d" % victim.pid)

    def want(pid, fd, kind, fns, unconfirmed):
        got = [l for l in leaks.get(pid, []) if l["fd"] == fd]
        if not got:
            return ["pid %d: fd %d (%s) not reported" % (pid, fd, fns[0])]
        leak, p = got[0], []
        if leak["kind"] != kind or h.functions(leak)[:len(fns)] != fns:
            p.append("pid %d: fd %d is %s, expected %s from %s" % (
                pid, fd, h.describe(leak), kind, fns))
        if bool(leak.get("unconfirmed")) != unconfirmed:
            p.append("pid %d: fd %d unconfirmed=%r, expected %r" % (
                pid, fd, leak.get("unconfirmed"), unconfirmed))
        if kind == "file" and leak["target"] != scratch:
            p.append("pid %d: fd %d target %r" % (pid, fd, leak["target"]))
        return p

    parent = {fds["K"]: ("file", ["open_scratch", "keep_file", "main"], True),
              fds["L"]: ("socket", ["make_socket", "keep_socket", "main"],
                         False)}
    kid = dict(parent)
    kid[fds["A"]] = ("socket", ["make_socket", "main"], False)
    kid[fds["F"]] = ("file", ["open_scratch", "main"], True)
    kid[fds["G"]] = ("file", ["open_scratch", "main"], True)
    kid[m_fd] = ("socket", ["make_socket", "child_main"], False)
    for pid, wanted in ((victim.pid, parent), (child, kid)):
        for fd, (kind, fns, unc) in sorted(wanted.items()):
            problems += want(pid, fd, kind, fns, unc)
        extra = sorted(l["fd"] for l in leaks.get(pid, [])
                       if l["fd"] not in wanted)
        if extra:
            problems.append("pid %d: fds %s reported too (A=%d F=%d G=%d "
                            "H=%d U=%d)" % (pid, extra, fds["A"], fds["F"],
                                            fds["G"], fds["H"], fds["U"]))
    _, s = sampling_of(report, victim.pid)
    # A and F changed; G went (or its number holds, at that instant, the
    # fd gapper reads its status with: then it changed).
    if s["changed"] < 2 or s["changed"] + s["gone"] < 3 or \
            s["unsampled"] < 4:
        problems.append("parent: changed %d gone %d unsampled %d, expected "
                        "at least 2, 3 with gone, 4" % (
                            s["changed"], s["gone"], s["unsampled"]))
    if sorted(p["pid"] for p in report["processes"]) != \
            sorted((victim.pid, child)):
        problems.append("processes %s, expected the gapper and its child" %
                        [p["pid"] for p in report["processes"]])
    fail_if(problems)


def sample_cycles(ctx):
    """2 000 windows of 2 ms on mtserver (8 churning threads, a blocked
    read, a nanosleep): no EINTR, no short sleep, no byte lost, never left
    stopped; only the churners' fds in flight reported."""
    mt, fifo, reader, _ = h.start_mtserver(ctx)
    h.wait_blocked(ctx, mt.pid, reader, 0, "the reader")
    problems = h.feed_reader(ctx, mt, fifo, "before-sampling")
    windows, runs, fed = 0, 0, 1
    started = time.monotonic()
    while windows < 2000 and not problems:
        runs += 1
        path = os.path.join(ctx.tmp, "cycles-%d.json" % runs)
        fdl = h.start_attach(ctx, [mt.pid], [
            "--sample=50", "--sample-window=2", "--duration=6",
            "--format=json", "-o", path])
        h.wait_traced(ctx, mt.pid, fdl)
        # The blocked read gets data while windows come and go.
        for i in range(3):
            time.sleep(1)
            problems += h.feed_reader(ctx, mt, fifo, "run%d-%d" % (runs, i))
            fed += 1
        p = h.finish_attach(ctx, fdl, timeout=60)
        p += h.check_released(mt.pid)
        if not mt.alive():
            p.append("mtserver died: status %s" % mt.status_text())
        if not p:
            _, report = h.read_attach_json(ctx, path)
            proc, s = sampling_of(report, mt.pid)
            windows += s["windows"]
            p += check_share(s, 0.5, slack=0.6)
            for leak in proc["leaks"]:
                if not {"churn_file", "churn_pipe"} & set(h.functions(leak)):
                    p.append("unexpected leak %s" % h.describe(leak))
        p += h.mt_errors(mt)
        problems += ["run %d: %s" % (runs, x) for x in p]
        if runs > 20:
            problems.append("only %d windows in %d runs" % (windows, runs))
    if not problems:
        problems += h.feed_reader(ctx, mt, fifo, "after-sampling")
        start = mt.count()
        for pattern in (r'^SLEPT \d+$', r'^PROGRESS \d+$'):
            try:
                mt.wait_for(pattern, 10, start=start)
            except Failure as e:
                problems.append("after sampling: %s" % e)
        problems += h.check_released(mt.pid, "at the end: ")
        problems += h.mt_errors(mt)
    fail_if(problems)
    return [], "%d windows in %d runs, %.0fs; %d reads fed" % (
        windows, runs, time.monotonic() - started, fed + 1)


def sample_100(ctx):
    """--sample=100 is plain attach: the same report, no sampling."""
    srv = h.start_server(ctx)
    time.sleep(0.3)
    report, t0, t1 = run_sampled(ctx, srv.pid, [
        "--sample=100", "--duration=1"], "hundred")
    problems = h.check_attached_report(report, {srv.pid},
                                       os.path.realpath(
                                           h.victim_path("server")),
                                       os.getpid())
    if any("sampling" in p for p in report["processes"]):
        problems.append("a \"sampling\" object under --sample=100")
    lp, leaky, _ = h.check_server_leaks(srv, report, t0, t1)
    problems += lp
    text = ctx.run([ctx.fdleak, "-p", str(srv.pid), "--sample=100",
                    "--duration=0.5"], env=ctx.env(), timeout=60)
    if "fdleak: sampling" in text.stderr or "rate=" in text.stderr:
        problems.append("sampling lines in the text report of --sample=100")
    fail_if(problems)
    return [], "%d leaks" % len(leaky)


def sample_kill(ctx):
    """fdleak SIGKILLed in a window, then in a gap: the server runs on,
    untraced, unfiltered. SIGINT in a gap: a report, sampled."""
    srv = h.start_server(ctx, every=100)
    time.sleep(0.3)
    problems = []
    for where in ("window", "gap", "gap-sigint"):
        path = os.path.join(ctx.tmp, "kill-%s.json" % where)
        fdl = h.start_attach(ctx, [srv.pid], [
            "--sample=20", "--sample-window=300", "--format=json",
            "-o", path])
        h.wait_traced(ctx, srv.pid, fdl)
        if where != "window":
            deadline = time.monotonic() + 10 * ctx.scale
            while h.tracer_of(srv.pid) != 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            if h.tracer_of(srv.pid) != 0 or not fdl.alive():
                problems.append("%s: no gap came" % where)
                break
        if where == "gap-sigint":
            p = h.finish_attach(ctx, fdl, sig=signal.SIGINT)
            if not p:
                _, report = h.read_attach_json(ctx, path)
                _, s = sampling_of(report, srv.pid)
                if s["windows"] < 1 or s["lost"]:
                    p.append("sampling %r" % s)
        else:
            fdl.signal(signal.SIGKILL)
            fdl.wait(30)
            p = []
        time.sleep(0.2)
        p += h.check_released(srv.pid, "after fdleak's end: ")
        p += h.check_progress(srv, "after fdleak's end: ")
        problems += ["%s: %s" % (where, x) for x in p]
    fail_if(problems)


SAMPLED_DUMP = re.compile(r'^fdleak: dump-process pid=(\d+) fds=\d+ '
                          r'outstanding=(\d+) sampled=([\d.]+)% '
                          r'unsampled=(\d+)$')
SAMPLING_LINE = re.compile(r'^fdleak: sampling pid=(\d+) attached=[\d.]+ '
                           r'wall=[\d.]+ share=([\d.]+)% windows=(\d+) '
                           r'seen=\d+ unsampled=\d+ gone=\d+ changed=\d+$')


def sample_text(ctx):
    """Text: --interval dumps say the share sampled; the report has the
    sampling line after the process line, and the site its rate."""
    srv = h.start_server(ctx, every=100)
    time.sleep(0.3)
    res = ctx.run([ctx.fdleak, "-p", str(srv.pid), "--sample=25",
                   "--interval=1.5", "--duration=5", "--min-age=0.5"],
                  env=ctx.env(), timeout=60)
    lines = res.stderr.splitlines()
    problems = [] if res.status == 0 else ["fdleak exited %d" % res.status]
    dumps = [m for m in map(SAMPLED_DUMP.match, lines) if m]
    if len(dumps) < 2:
        problems.append("%d sampled dump-process lines, expected 2 or 3" %
                        len(dumps))
    for m in dumps:
        if int(m.group(1)) != srv.pid or not 10 <= float(m.group(3)) <= 45:
            problems.append("dump line %r" % m.group(0))
    dsites = [l for l in lines if l.startswith("fdleak: dump-site ")]
    if not dsites or any(not re.search(r' growth=[-+]\d+ rate=[\d.e+]+/s ',
                                       l) for l in dsites):
        problems.append("dump-site lines without a rate: %r" % dsites[:3])
    proc = [i for i, l in enumerate(lines)
            if l.startswith("fdleak: process pid=%d " % srv.pid)]
    if len(proc) != 1 or proc[0] + 1 >= len(lines) or \
            not SAMPLING_LINE.match(lines[proc[0] + 1]):
        problems.append("no sampling line right after the process line")
    else:
        m = SAMPLING_LINE.match(lines[proc[0] + 1])
        if not 15 <= float(m.group(2)) <= 35:
            problems.append("share %s%%, expected about 25" % m.group(2))
    sites = [l for l in lines if l.startswith("fdleak: site pid=")]
    if len(sites) != 1 or not re.search(r' rate=\d+(\.\d+)?/s ', sites[0]):
        problems.append("site lines %r: expected one with rate=N/s" % sites)
    if problems:
        ctx.note("fdleak's stderr", res.stderr)
    fail_if(problems)


def register(run):
    """Register the sampling tests with run.py (its module is run)."""
    global h
    h = run
    run.attach_test("sample-server")(sample_server)
    run.attach_test("sample-clean")(sample_clean)
    run.attach_test("sample-gap-reuse")(sample_gap_reuse)
    run.attach_test("sample-cycles")(sample_cycles)
    run.attach_test("sample-100")(sample_100)
    run.attach_test("sample-kill")(sample_kill)
    run.attach_test("sample-text")(sample_text)
