# SPDX-License-Identifier: MIT
"""
nginx_attach.py - nginx under wrk for the bench's attach rows: a private
nginx (one worker, "Connection: close", build/bench/plant.so preloaded
so that 1 accepted connection in 100 leaks an fd from plant_leak), the
microseconds per request wrk measures, and how long fdleak attached to
the worker (sampled or not) takes to report the planted leak.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLANT = ROOT / "build" / "bench" / "plant.so"


class Failed(Exception):
    pass


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 65536;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    keepalive_timeout 0;
    server {{
        listen 127.0.0.1:{port};
        root {d}/www;
        location / {{ }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """A private nginx; with plant, plant.so is preloaded (the leak)."""

    def __init__(self, plant=True):
        self.dir = tempfile.mkdtemp(prefix="fdleak-bench-nginx-")
        os.chmod(self.dir, 0o755)	# the worker runs as nobody
        self.port = free_port()
        os.makedirs(f"{self.dir}/www")
        os.makedirs(f"{self.dir}/tmp")
        Path(f"{self.dir}/www/index.html").write_text("hello\n" * 10)
        Path(f"{self.dir}/nginx.conf").write_text(
            NGINX_CONF.format(d=self.dir, port=self.port))
        env = dict(os.environ)
        self.planted = plant and PLANT.exists()
        if self.planted:
            env["LD_PRELOAD"] = str(PLANT)
        self.proc = subprocess.Popen(
            ["nginx", "-p", self.dir, "-c", f"{self.dir}/nginx.conf"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env)
        self.worker = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kids = self._children()
            if kids and self._answers():
                self.worker = kids[0]
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise Failed("nginx did not start: " + self._errlog())

    def _children(self):
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def _errlog(self):
        try:
            return Path(f"{self.dir}/error.log").read_text()[-300:]
        except OSError:
            return "?"

    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def alive(self):
        return self.proc.poll() is None and self.worker in self._children()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def tracer_pid(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wrk_argv(url, seconds):
    return ["wrk", "-t1", "-c4", f"-d{max(1, round(seconds))}s", "-H",
            "Connection: close",
            url]


def wrk_us_per_req(url, seconds):
    p = subprocess.run(wrk_argv(url, seconds), capture_output=True, text=True,
                       timeout=seconds + 60)
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", p.stdout)
    if p.returncode != 0 or not m or int(m.group(1)) == 0:
        raise Failed("wrk: " + (p.stdout + p.stderr).strip()[-200:])
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(3)]
    return float(m.group(2)) * scale * 1e6 / int(m.group(1))


def stop_tracer(tr, pid):
    """SIGINT tr (a Popen), wait for it, and for pid to be untraced."""
    if tr.poll() is None:
        tr.send_signal(signal.SIGINT)
    try:
        tr.wait(timeout=60)
    except subprocess.TimeoutExpired:
        tr.kill()
        tr.wait()
    deadline = time.monotonic() + 10
    while tracer_pid(pid) != 0 and time.monotonic() < deadline:
        time.sleep(0.01)


def wait_attached(tr, pid, what):
    deadline = time.monotonic() + 10
    while tracer_pid(pid) != tr.pid:
        if tr.poll() is not None or time.monotonic() > deadline:
            raise Failed(f"{what} did not attach")
        time.sleep(0.01)


def json_documents(text):
    """The complete JSON documents of a stream, one after another."""
    dec = json.JSONDecoder()
    docs, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        try:
            doc, i = dec.raw_decode(text, i)
        except ValueError:
            return docs		# the last one is still being written
        docs.append(doc)


def planted(backtrace):
    return any(f.get("function") == "plant_leak" for f in backtrace)


def find_planted(fdleak, nginx, sample, limit=30, extra=()):
    """
    Attach fdleak to the worker (--sample=sample unless 100) with dumps
    every second while wrk runs; the time (the dump's elapsed) until a
    dump shows plant_leak's site, or None past limit seconds. Then detach
    and count the reported leaks of any other site (false leaks), and the
    share of the time fdleak was attached.
    """
    out = tempfile.mktemp(prefix="fdleak-bench-find-", suffix=".json")
    argv = [fdleak, "-p", str(nginx.worker), "--interval=1", "--min-age=1",
            "--format=json", "-o", out]
    if sample < 100:
        argv.append(f"--sample={sample}")
    argv += list(extra)
    load = subprocess.Popen(wrk_argv(nginx.url(), limit + 30),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    found = None
    try:
        time.sleep(0.5)
        tr = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        try:
            wait_attached(tr, nginx.worker, "fdleak")
            t0 = time.monotonic()
            while found is None and time.monotonic() - t0 < limit + 2:
                time.sleep(0.25)
                try:
                    text = Path(out).read_text()
                except OSError:
                    continue
                for d in json_documents(text):
                    if "dump" in d and d["elapsed"] <= limit and any(
                            planted(s["backtrace"]) for p in d["processes"]
                            for s in p["sites"]):
                        found = d["elapsed"]
                        break
        finally:
            stop_tracer(tr, nginx.worker)
        docs = json_documents(Path(out).read_text())
        final = [d for d in docs if "summary" in d]
        if not final:
            raise Failed("fdleak wrote no report: " +
                         tr.stderr.read().decode(errors="replace")[-200:])
        false, share = 0, None
        for p in final[-1]["processes"]:
            false += sum(1 for l in p["leaks"] if not planted(l["backtrace"]))
            if p.get("sampling"):
                share = p["sampling"]["share"]
        return found, false, share
    finally:
        load.terminate()
        load.wait()
        try:
            os.unlink(out)
        except OSError:
            pass


def find_summary(results, limit=30):
    """'found in MEDIAN s (max M, N/N <= 30 s), false leaks F' of runs."""
    times = [f for f, _, _ in results if f is not None]
    false = sum(x for _, x, _ in results)
    shares = [s for _, _, s in results if s is not None]
    parts = []
    if times:
        parts.append(f"leak found in {statistics.median(times):.1f} s median "
                     f"(max {max(times):.1f}")
    else:
        parts.append("leak never found (")
    parts[-1] += f", {len(times)}/{len(results)} within {limit} s)"
    parts.append(f"{false} false leaks")
    if shares:
        parts.append(f"attached {100 * statistics.median(shares):.1f} % "
                     "of the time")
    return ", ".join(parts)


# --- by hand: python3 tests/bench/nginx_attach.py session|windows ------------

def req_per_s(url, seconds):
    return 1e6 / wrk_us_per_req(url, seconds)


def session(fdleak, sample, interval, seconds, plant):
    """
    The closing-note run: a worker's throughput before, during and after
    a sampled attach (dumps every interval seconds, printed as they come),
    wrk running throughout, in chunks of interval seconds.
    """
    n = Nginx(plant=plant)
    try:
        print(f"nginx worker {n.worker}, planted leak: {n.planted}")
        before = [req_per_s(n.url(), interval) for _ in range(2)]
        print("before: " + " ".join(f"{x:.0f}" for x in before) + " req/s")
        out = tempfile.mktemp(prefix="fdleak-session-", suffix=".txt")
        tr = subprocess.Popen([fdleak, "-p", str(n.worker), f"--sample={sample}",
                               f"--interval={interval}", "--min-age=1",
                               "-o", out], stdin=subprocess.DEVNULL)
        wait_attached(tr, n.worker, "fdleak")
        during = []
        for _ in range(int(seconds / interval)):
            during.append(req_per_s(n.url(), interval))
            print(f"during: {during[-1]:.0f} req/s")
        stop_tracer(tr, n.worker)
        after = [req_per_s(n.url(), interval) for _ in range(2)]
        print("after: " + " ".join(f"{x:.0f}" for x in after) + " req/s")
        print(Path(out).read_text())
        os.unlink(out)
        b = statistics.mean(before)
        print(f"summary: before {b:.0f} req/s, during {statistics.mean(during):.0f} "
              f"({100 * statistics.mean(during) / b:.0f}%), after "
              f"{statistics.mean(after):.0f} ({100 * statistics.mean(after) / b:.0f}%)")
    finally:
        n.stop()


def windows(fdleak, sample, lengths, rounds):
    """Window length against throughput kept and time to find, at sample %."""
    n = Nginx()
    try:
        for ms in lengths:
            cycle = ms / 1000 * 100 / sample
            secs = max(4, 2 * cycle)
            kept, finds = [], []
            for _ in range(rounds):
                u = wrk_us_per_req(n.url(), secs)
                tr = subprocess.Popen(
                    [fdleak, "-o", "/dev/null", "-p", str(n.worker),
                     f"--sample={sample}", f"--sample-window={ms}"],
                    stdin=subprocess.DEVNULL)
                wait_attached(tr, n.worker, "fdleak")
                f = wrk_us_per_req(n.url(), secs)
                stop_tracer(tr, n.worker)
                kept.append(u / f)
                finds.append(find_planted(fdleak, n, sample,
                                          extra=[f"--sample-window={ms}"]))
            times = [t for t, _, _ in finds if t is not None]
            print(f"--sample={sample} --sample-window={ms}: "
                  f"{100 * statistics.median(kept):.0f}% of untraced throughput "
                  f"(rounds: {' '.join(f'{100 * k:.0f}' for k in kept)}); "
                  + find_summary(finds), flush=True)
    finally:
        n.stop()


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="nginx under a sampled fdleak, "
                                 "by hand (the bench uses the functions)")
    ap.add_argument("what", choices=["session", "windows"])
    ap.add_argument("--fdleak", default=str(ROOT / "fdleak"))
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--interval", type=float, default=5)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--no-plant", action="store_true")
    ap.add_argument("--lengths", default="20,50,200,1000")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    if a.what == "session":
        session(a.fdleak, a.sample, a.interval, a.seconds, not a.no_plant)
    else:
        windows(a.fdleak, a.sample, [int(x) for x in a.lengths.split(",")],
                a.rounds)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
