# SPDX-License-Identifier: MIT
"""
common.py - what run.py and harden.py share: where things are, how a test
says it failed or cannot run, and how a status reads as a shell shows it.
"""

import os

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


def shell_status(returncode):
    """Popen's returncode as a shell shows it: 128+N when killed by N."""
    return 128 - returncode if returncode < 0 else returncode


def read_status(pid, tid=None):
    """/proc/PID[/task/TID]/status as a dict, or None if it is gone."""
    path = "/proc/%d/status" % pid if tid is None else \
        "/proc/%d/task/%d/status" % (pid, tid)
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields
