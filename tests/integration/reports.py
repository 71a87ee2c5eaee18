# SPDX-License-Identifier: MIT
"""
reports.py - the tests of what a report says beyond the leaks: which
process (argv), which process created an inherited fd (created_in,
--skip-fork-inherited), what ran out (failed creations, EMFILE), which
script line (perf maps), whole lines on a shared stderr, and what fdleak
is waiting for.

run.py calls register(run) once its own helpers exist.
"""

import os
import re
import shutil
import signal
import subprocess
import time

from common import Failure, fail_if, read_status

h = None        # the run module, set by register()

PYTHON = "/usr/bin/python3"

LEAK_PY = """\
import os, sys
# A raw fd: the interpreter's shutdown closes file objects, not these.
fd = os.open("/etc/hostname", os.O_RDONLY)
print("LEAKED", sys.argv[1], fd, flush=True)
"""


def write(ctx, name, text):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def python_or_skip():
    if not os.access(PYTHON, os.X_OK):
        raise h.Skip("no %s" % PYTHON)


def argv_two_scripts(ctx):
    """sh -c 'python3 leak.py first; python3 leak.py second': two
    processes of one executable, told apart by their argv, in JSON and in
    text."""
    python_or_skip()
    script = write(ctx, "leak.py", LEAK_PY)
    cmd = "%s %s first; %s %s second" % (PYTHON, script, PYTHON, script)
    res, report = ctx.trace_json(["sh", "-c", cmd])
    problems = [] if res.status == 0 else ["fdleak exited %d" % res.status]
    leaking = [p for p in report["processes"] if p["leaks"]]
    want = [[PYTHON, script, "first"], [PYTHON, script, "second"]]
    got = sorted(p["argv"] for p in leaking)
    if got != want:
        problems.append("argv of the leaking processes %r, expected %r" %
                        (got, want))
    commands = {p["command"] for p in leaking}
    if len(commands) != 1:
        problems.append("commands %r: one executable expected" % commands)
    shell = [p for p in report["processes"] if p["argv"] and
             p["argv"][:2] == ["sh", "-c"]]
    if len(shell) != 1 or shell[0]["argv"] != ["sh", "-c", cmd]:
        problems.append("the shell's argv: %r" % [p["argv"] for p in shell])
    text = ctx.run([ctx.fdleak, "--", "sh", "-c", cmd], env=ctx.env())
    procs, _ = h.parse_sections(text.stderr)
    got = sorted(p["fields"].get("argv") for p in procs)
    if got != want:
        problems.append("text: argv= of the process lines %r, expected %r" %
                        (got, want))
    fail_if(problems)


POOL_PY = """\
import multiprocessing as mp, sys
def work(x):
    return x * x
if __name__ == "__main__":
    # The parent's log file: every worker gets a copy through fork.
    log = open(sys.argv[1], "w")
    mp.set_start_method("fork")
    with mp.Pool(4) as pool:
        print(sum(pool.map(work, range(100))), file=log, flush=True)
    log.close()
"""


def pool_fork_inherited(ctx):
    """A multiprocessing.Pool(4) run (fork): the workers' copies of the
    parent's fds are marked created_in (JSON) and created-in= (text);
    --skip-fork-inherited leaves them out and counts them, and keeps what
    the workers made themselves."""
    python_or_skip()
    script = write(ctx, "pool.py", POOL_PY)
    logpath = os.path.join(ctx.tmp, "log.txt")
    argv = [PYTHON, script, logpath]
    problems = []
    res, report = ctx.trace_json(argv)
    main = [p for p in report["processes"] if p["ppid"] not in
            {q["pid"] for q in report["processes"]}]
    if len(main) != 1:
        raise Failure("no single root process: %r" %
                      [p["pid"] for p in report["processes"]])
    root = main[0]["pid"]
    workers = [p for p in report["processes"] if p["ppid"] == root]
    if len(workers) != 4:
        problems.append("%d workers, expected 4" % len(workers))
    copies = 0
    for w in workers:
        logs = [l for l in w["leaks"] if l["target"] == logpath]
        if len(logs) != 1 or logs[0]["created_in"] != root:
            problems.append("worker %d: the parent's log file %r" %
                            (w["pid"], logs))
        for l in w["leaks"]:
            if l["created_in"] not in (root, w["pid"]):
                problems.append("worker %d: created_in %r" %
                                (w["pid"], l["created_in"]))
            copies += l["created_in"] == root
    for l in main[0]["leaks"]:
        if l["created_in"] != root:
            problems.append("parent's leak created_in %r" % l["created_in"])
    text = ctx.run([ctx.fdleak, "--"] + argv, env=ctx.env())
    marked = [line for line in text.stderr.splitlines()
              if line.startswith("fdleak: leak ") and
              " created-in=" in line]
    if len(marked) < 4:
        problems.append("text: %d leak lines with created-in=" % len(marked))
    for line in marked:
        fields = dict(h.SITE_FIELD.findall(line))
        if fields["created-in"] == fields["pid"]:
            problems.append("text: created-in= its own pid: %r" % line)

    res, skipped = ctx.trace_json(argv, ["--skip-fork-inherited"])
    hidden = 0
    for p in skipped["processes"]:
        for l in p["leaks"]:
            if l["created_in"] != p["pid"]:
                problems.append("--skip-fork-inherited: pid %d still has "
                                "%s made in %r" % (p["pid"], h.describe(l),
                                                   l["created_in"]))
        hidden += p["fork_inherited_hidden"]
    if hidden < 4 or skipped["summary"]["fork_inherited_hidden"] != hidden:
        problems.append("fork_inherited_hidden: %d in processes, summary %r" %
                        (hidden, skipped["summary"]["fork_inherited_hidden"]))
    if not any(p["leaks"] for p in skipped["processes"]):
        problems.append("--skip-fork-inherited left no leak at all")
    fail_if(problems)
    return [], "%d copies marked, %d hidden with the option" % (copies, hidden)


def emfile_report(ctx):
    """emfile runs out of fds: its failed opens are counted at try_open's
    site, the ENOENT apart; the ran-out record says when, how many were
    open against which limit, and that hoard_files held the most (then
    hoard_pipes and try_open), in JSON and in text."""
    argv = [h.victim_path("emfile")]
    res, report = ctx.trace_json(argv)
    proto = h.Protocol(res.stdout)
    m = re.search(r"^FAILED function=try_open errno=EMFILE count=(\d+)$",
                  res.stdout, re.M)
    r = re.search(r"^RANOUT open=(\d+) limit=(\d+)$", res.stdout, re.M)
    if proto.errors or not m or not r:
        raise Failure("victim: %s" % (proto.errors or res.stdout[-300:]))
    failed, opened, limit = int(m.group(1)), int(r.group(1)), int(r.group(2))
    problems = []
    p = [q for q in report["processes"] if q["command"].endswith("/emfile")]
    if len(p) != 1:
        raise Failure("no single emfile process in %r" %
                      [q["command"] for q in report["processes"]])
    f, ro = p[0]["failures"], p[0]["ran_out"]
    if f["emfile"] != failed or f["enfile"] != 0 or f["other"] < 1:
        problems.append("failures %r, expected emfile %d, enfile 0, other "
                        ">= 1 (the ENOENT)" % (
                            {k: f[k] for k in ("emfile", "enfile", "other")},
                            failed))
    sites = [(s["errno"], s["count"], s["syscall"],
              h.functions(s)[:2]) for s in f["sites"]]
    if sites != [("EMFILE", failed, "openat", ["try_open", "main"])]:
        problems.append("failure sites %r" % sites)
    if len(ro) != 1:
        problems.append("ran_out %r, expected one record" % ro)
    else:
        o = ro[0]
        if (o["errno"], o["open"], o["limit"]) != ("EMFILE", opened, limit):
            problems.append("ran_out errno %r open %r limit %r, expected "
                            "EMFILE %d %d" % (o["errno"], o["open"],
                                              o["limit"], opened, limit))
        holders = [(x["count"], h.functions(x)[0]) for x in o["holders"]]
        rest = dict((fn, n) for n, fn in holders[1:])
        if len(holders) != 3 or holders[0] != (20, "hoard_files") or \
                set(rest) != {"hoard_pipes", "try_open"} or \
                rest["hoard_pipes"] != 8:
            problems.append("holders %r: expected hoard_files (20) first, "
                            "then hoard_pipes (8) and try_open" % holders)
        if o["holders"] and o["holders"][0]["targets"] != ["/dev/null"]:
            problems.append("first holder's targets %r" %
                            o["holders"][0]["targets"])
    text = ctx.run([ctx.fdleak, "--"] + argv, env=ctx.env())
    lines = text.stderr.splitlines()
    ran = [l for l in lines if l.startswith("fdleak: ran-out ")]
    if len(ran) != 1 or not re.search(
            r" errno=EMFILE after=[\d.]+ open=%d limit=%d failed=%d "
            r"other-failed=\d+$" % (opened, limit, failed), ran[0]):
        problems.append("text ran-out lines %r" % ran)
    fl = [i for i, l in enumerate(lines) if l.startswith("fdleak: failed ")]
    if len(fl) != 1 or not lines[fl[0]].endswith(
            " errno=EMFILE count=%d syscall=openat" % failed) or \
            "try_open" not in lines[fl[0] + 1]:
        problems.append("text failed lines: %r" %
                        [lines[i:i + 2] for i in fl])
    holders = [l for l in lines if l.startswith("fdleak: holder ")]
    if len(holders) != 3 or " count=20 kinds=device:20 " not in holders[0]:
        problems.append("text holder lines %r" % holders)
    fail_if(problems)


LEAK_JS = """\
const fs = require('fs');
function leakOne(i) {
  return fs.openSync('/etc/hostname', 'r');
}
function main() {
  const kept = [];
  for (let i = 0; i < 3; i++) kept.push(leakOne(i));
  console.log('LEAKED', kept.join(','));
}
main();
"""


def node_perf_map(ctx):
    """node --perf-basic-prof writes /tmp/perf-PID.map: the JS function
    that leaks (leakOne, called from main) is named in the stack, in JSON
    and in text, where without a map its frames are ???."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise h.Skip("no node")
    script = write(ctx, "leak.js", LEAK_JS)
    argv = [node, "--perf-basic-prof", "--interpreted-frames-native-stack",
            script]
    # node writes isolate-*-v8.log files where it runs: in the test's directory.
    res, report = ctx.trace_json(argv, cwd=ctx.tmp)
    problems = []
    procs = [p for p in report["processes"] if p["leaks"]]
    for p in report["processes"]:
        ctx.cleanups.append(lambda pid=p["pid"]: os.path.exists(
            "/tmp/perf-%d.map" % pid) and os.unlink("/tmp/perf-%d.map" % pid))
    leaks = [l for p in procs for l in p["leaks"]
             if l["target"] == "/etc/hostname"]
    if len(leaks) != 3:
        problems.append("%d leaks of /etc/hostname, expected 3" % len(leaks))
    for l in leaks:
        fns = [f or "" for f in h.functions(l)]
        js = [f for f in fns if f.startswith("JS:")]
        one = [i for i, f in enumerate(fns) if "leakOne" in f]
        main = [i for i, f in enumerate(fns) if "JS:~main " in f or
                "JS:*main " in f]
        if not one or not main or one[0] > main[0] or \
                script not in fns[one[0]]:
            problems.append("fd %d: JS frames %r: expected leakOne (%s) "
                            "called from main" % (l["fd"], js[:4], script))
        if any(f["module"] is not None and f["function"].startswith("JS:")
               for f in l["backtrace"] if f["function"]):
            problems.append("a JS name on a frame with a module")
    text = ctx.run([ctx.fdleak, "--"] + argv, env=ctx.env(), cwd=ctx.tmp)
    if not re.search(r"^fdleak:    by 0x[0-9a-f]+: JS:.leakOne %s:" %
                     re.escape(script), text.stderr, re.M):
        problems.append("no text frame line naming leakOne")
    # Without the map, the same frames have no name: the names are the map's.
    plain, report = ctx.trace_json([node, "--interpreted-frames-native-stack",
                                    script], cwd=ctx.tmp)
    for p in report["processes"]:
        for l in p["leaks"]:
            if any("leakOne" in (f or "") for f in h.functions(l)):
                problems.append("leakOne named without a perf map")
    fail_if(problems)


CHATTER_LINE = re.compile(r"^chatter line \d+: x{150}$")


def torn_lines(ctx):
    """30 runs of fdleak on a program leaking 400 fds while another
    program writes 50 lines of its own to the same stderr pipe: no line is
    torn (fdleak writes whole lines, a pipe keeps a write of up to
    PIPE_BUF bytes whole). fdleak 0.1 tore lines in 7 of 10 such runs."""
    chatter = h.victim_path("chatter")
    problems, lines = [], 0
    for run in range(30):
        r, w = os.pipe()
        talker = subprocess.Popen([chatter, "talk", "50", "4000"],
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=w)
        tracer = subprocess.Popen([ctx.fdleak, "--", chatter, "leak", "400"],
                                  stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=w,
                                  env=ctx.env())
        os.close(w)
        chunks = []
        while True:
            b = os.read(r, 65536)
            if not b:
                break
            chunks.append(b)
        os.close(r)
        talker.wait(timeout=60 * ctx.scale)
        tracer.wait(timeout=60 * ctx.scale)
        text = b"".join(chunks).decode(errors="replace")
        bad = [l for l in text.splitlines()
               if not (l.startswith("fdleak: ") and "chatter line" not in l
                       or CHATTER_LINE.match(l))]
        ours = [l for l in text.splitlines() if l.startswith("fdleak: leak ")]
        if bad:
            problems.append("run %d: %d torn lines, such as %r" %
                            (run + 1, len(bad), bad[0][:120]))
        elif len(ours) != 400 or tracer.returncode != 0:
            problems.append("run %d: %d leak lines, status %d" %
                            (run + 1, len(ours), tracer.returncode))
        lines += len(text.splitlines())
    fail_if(problems)
    return [], "%d lines in 30 runs, none torn" % lines


def waiting_line(ctx):
    """The command exits and leaves a process running (a daemon): after a
    second fdleak names it and says how to stop; one Ctrl-C (SIGINT) then
    kills it and the report comes, with fdleak's status the command's."""
    fdl = h.Background(ctx, [ctx.fdleak, "--", "sh", "-c",
                             "sleep 600 & exit 3"], name="fdleak")
    problems = []
    try:
        _, when, m = fdl.wait_for(
            r"^fdleak: the command exited; waiting for the 1 process it "
            r"left running: (\d+) \(sleep\); .*Ctrl-C", 30, key="err")
    except Failure as e:
        raise Failure("no waiting line: %s (stderr %r)" %
                      (e, fdl.text("err")[-300:]))
    sleeper = int(m.group(1))
    if read_status(sleeper) is None:
        problems.append("pid %d named, but it is not running" % sleeper)
    fdl.signal(signal.SIGINT)
    status = fdl.wait(30)
    if status != 3:
        problems.append("fdleak exited %d, expected the command's 3" % status)
    if read_status(sleeper) not in (None,) and \
            read_status(sleeper).get("State", "")[:1] != "Z":
        problems.append("the sleep (pid %d) still runs" % sleeper)
    if not re.search(r"^fdleak: summary .*processes=2 ", fdl.text("err"),
                     re.M):
        problems.append("no report with both processes: %r" %
                        fdl.text("err")[-300:])
    # A command that ends with nothing left says nothing of the kind.
    quiet = ctx.run([ctx.fdleak, "--", "sh", "-c", "exit 0"], env=ctx.env())
    if "waiting for" in quiet.stderr:
        problems.append("a waiting line with nothing left running")
    fail_if(problems)


def waiting_redis(ctx):
    """redis-server --daemonize yes under fdleak: the waiting line names
    redis-server, which the user then stops (here by SIGTERM), and fdleak
    ends by itself, with no leak (the daemon's stdio on /dev/null is not
    one)."""
    redis = shutil.which("redis-server")
    if redis is None:
        raise h.Skip("no redis-server")
    pidfile = os.path.join(ctx.tmp, "redis.pid")
    fdl = h.Background(ctx, [ctx.fdleak, "--", redis, "--daemonize", "yes",
                             "--port", "0", "--unixsocket",
                             os.path.join(ctx.tmp, "redis.sock"), "--save",
                             "", "--dir", ctx.tmp, "--pidfile", pidfile],
                       name="fdleak")
    _, _, m = fdl.wait_for(r"^fdleak: the command exited; waiting for the 1 "
                           r"process it left running: (\d+) \(([^)]*)\)", 30,
                           key="err")
    problems = []
    if m.group(2) != "redis-server":
        problems.append("waiting line names %r" % m.group(2))
    os.kill(int(m.group(1)), signal.SIGTERM)
    if fdl.wait(30) != 0:
        problems.append("fdleak exited %s" % fdl.status_text())
    # Its stdio pointed at /dev/null is not a leak (a default suppression).
    if not re.search(r"^fdleak: summary leaks=0 ", fdl.text("err"), re.M):
        problems.append("leaks reported: %r" % fdl.text("err")[-400:])
    fail_if(problems)


def tree(ctx):
    """-p on a parent whose two children leak: without --tree, a warning
    names the children fdleak leaves alone; with --tree all three are
    traced, each child's leaks reported with their stack, all let go."""
    server = h.victim_path("server")
    parent = h.Background(ctx, ["sh", "-c", "%s 10 & %s 10 & wait" %
                                (server, server)], name="sh")
    deadline = time.monotonic() + 30 * ctx.scale
    kids = []
    while time.monotonic() < deadline:
        kids = h.children_of(parent.pid)
        if len(kids) == 2 and all(read_status(k) and
                                  read_status(k)["Name"] == "server"
                                  for k in kids):
            break
        time.sleep(0.05)
    if len(kids) != 2:
        raise Failure("sh has children %r, expected two servers" % kids)
    time.sleep(0.3)
    problems = []
    res = ctx.run([ctx.fdleak, "-p", str(parent.pid), "--duration=0.5",
                   "--format=json", "-o", os.path.join(ctx.tmp, "one.json")],
                  env=ctx.env())
    warn = [l for l in res.stderr.splitlines() if "--tree" in l]
    if len(warn) != 1 or not all("%d (server)" % k in warn[0]
                                 for k in kids) or \
            "pid %d (sh) has 2 children" % parent.pid not in warn[0]:
        problems.append("warning %r" % res.stderr)
    _, report = h.read_attach_json(ctx, os.path.join(ctx.tmp, "one.json"))
    if [p["pid"] for p in report["processes"]] != [parent.pid]:
        problems.append("without --tree: processes %r" %
                        [p["pid"] for p in report["processes"]])
    path = os.path.join(ctx.tmp, "tree.json")
    res = ctx.run([ctx.fdleak, "-p", str(parent.pid), "--tree",
                   "--duration=1", "--format=json", "-o", path],
                  env=ctx.env())
    if res.status != 0 or "--tree" in res.stderr:
        problems.append("--tree: status %d, stderr %r" % (res.status,
                                                          res.stderr))
    _, report = h.read_attach_json(ctx, path)
    pids = sorted(p["pid"] for p in report["processes"])
    if pids != sorted([parent.pid] + kids):
        problems.append("--tree: processes %r, expected %r" %
                        (pids, sorted([parent.pid] + kids)))
    for k in kids:
        leaks = h.leaks_by_pid(report).get(k, [])
        leaky = [l for l in leaks
                 if "handle_request_leaky" in h.functions(l)]
        if not leaky:
            problems.append("--tree: child %d: no leak of "
                            "handle_request_leaky in %r" %
                            (k, [h.describe(l) for l in leaks[:3]]))
        problems += h.check_released(k, "child %d: " % k)
    problems += h.check_released(parent.pid, "parent: ")
    res = ctx.run([ctx.fdleak, "--tree", "--", "true"], env=ctx.env())
    if res.status != 125 or "--tree needs -p" not in res.stderr:
        problems.append("--tree without -p: %d %r" % (res.status,
                                                      res.stderr))
    fail_if(problems)


def small_messages(ctx):
    """One line each: an ambiguous option lists what it may be, a value
    given to a flag is refused as such, a script's missing interpreter is
    named, a JSON report on a terminal is warned about, fdleak under
    fdleak says it is traced."""
    problems = []
    cases = [
        (["--d=3", "--", "true"], 125,
         "fdleak: option '--d' is ambiguous: it may be --depth, --duration"),
        (["--std-fds=1", "--", "true"], 125,
         "fdleak: option '--std-fds' takes no argument (see fdleak --help)"),
    ]
    script = write(ctx, "noint.sh", "#!/nonexistent/python3\nprint(1)\n")
    os.chmod(script, 0o755)
    cases.append(([script], 127,
                  "fdleak: cannot run '%s': its interpreter "
                  "'/nonexistent/python3' (on its #! line) was not found" %
                  script))
    for args, status, line in cases:
        res = ctx.run([ctx.fdleak] + args, env=ctx.env())
        if res.status != status or res.stderr.strip() != line:
            problems.append("%s: status %d, stderr %r; expected %d, %r" % (
                " ".join(args), res.status, res.stderr, status, line))
    # A JSON report on a terminal's stderr: warned; on a pipe: not.
    script = shutil.which("script")
    if script is not None:
        tty = ctx.run([script, "-qec", "%s --format=json -- true" % ctx.fdleak,
                       os.devnull], env=ctx.env())
        warning = ("fdleak: the json report goes to standard error, a "
                   "terminal, between the command's own output; -o FILE "
                   "writes it to a file")
        if warning not in tty.stdout:
            problems.append("no warning for JSON on a terminal: %r" %
                            tty.stdout[:300])
        piped = ctx.run([ctx.fdleak, "--format=json", "--", "true"],
                        env=ctx.env())
        if "a terminal" in piped.stderr:
            problems.append("the terminal warning on a pipe")
    # LeakSanitizer cannot run under a tracer: the inner one, in a
    # sanitizer build, would fail on its own.
    env = ctx.env()
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":detect_leaks=0").lstrip(":")
    res = ctx.run([ctx.fdleak, "-o", os.devnull, "--", ctx.fdleak, "--",
                   "true"], env=env)
    if res.status != 125 or not re.match(
            r"^fdleak: cannot trace the command: fdleak is itself traced "
            r"\(by pid \d+, fdleak\), which traces its children too; run "
            r"one fdleak\n$", res.stderr):
        problems.append("fdleak under fdleak: %d %r" % (res.status,
                                                        res.stderr))
    fail_if(problems)


HOARD_PY = """\
import os, sys, time
# Raw fds, kept: a slow leak whose stack is the interpreter's own frames.
kept = []
for i in range(40):
    kept.append(os.open(os.path.join(sys.argv[1], "cache-%d" % i),
                        os.O_RDONLY | os.O_CREAT, 0o600))
    time.sleep(0.05)
"""


def python_dump_targets(ctx):
    """Dumps (--interval) of a Python program leaking files: the growing
    site, all interpreter frames, says which files are piling up."""
    python_or_skip()
    script = write(ctx, "hoard.py", HOARD_PY)
    cache = os.path.join(ctx.tmp, "cache")
    os.mkdir(cache)
    res = ctx.run([ctx.fdleak, "--interval=0.5", "--", PYTHON, script, cache],
                  env=ctx.env(), timeout=120)
    sites = [l for l in res.stderr.splitlines()
             if l.startswith("fdleak: dump-site ")]
    problems = []
    hits = [l for l in sites if '"%s/cache-0"' % cache in l]
    if not hits:
        problems.append("no dump-site line names %s/cache-0: %r" %
                        (cache, sites[:3]))
    for l in hits:
        m = re.search(r" count=(\d+) .* targets=(.*)$", l)
        shown = re.findall(r'"%s/cache-\d+"' % re.escape(cache), m.group(2))
        more = re.search(r" and (\d+) more$", m.group(2))
        total = len(shown) + (int(more.group(1)) if more else 0)
        if total != int(m.group(1)):
            problems.append("dump-site count %s but %d targets: %r" %
                            (m.group(1), total, l[:200]))
    fail_if(problems)
    return [], "%d dumps name the files" % len(hits)


def register(run):
    """Register the report tests with run.py (its module is run)."""
    global h
    h = run
    run.test("argv-two-scripts")(argv_two_scripts)
    run.test("pool-fork-inherited")(pool_fork_inherited)
    run.test("emfile-report")(emfile_report)
    run.test("node-perf-map")(node_perf_map)
    run.test("torn-lines")(torn_lines)
    run.test("waiting-line")(waiting_line)
    run.test("waiting-redis")(waiting_redis)
    run.attach_test("tree")(tree)
    run.test("small-messages")(small_messages)
    run.test("python-dump-targets")(python_dump_targets)
    run.register(run.VictimTest("emfile", "emfile"))
