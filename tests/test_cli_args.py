"""Command lines of the commands that parse through daemon/cli_common.c's
option table (status, drift, reconcile, reload, plan, apply, graph, drift
--history, policy, validate): which are usage errors, with the exact
message and exit 2, and which get past parsing. The cases are data, one
command line a row; none reaches AWS or a daemon.

In a row, CFG is a valid config directory (tests/config-good/base), TMP an
empty directory, NOPE a path that does not exist. stderr is compared
exactly (after the same substitution); None: not compared, but it must
not be a usage message.
"""
import os
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("DRIFTD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("DRIFTD_BUILD") or os.path.join(ROOT, "build")
DRIFTD = os.path.abspath(os.path.join(BUILD, "driftd"))
CFG = os.path.join(ROOT, "tests", "config-good", "base")

CTL = "usage: driftd %s [--socket PATH | --state-dir DIR | --env NAME] [--json]%s\n"
PLAN = ("usage: driftd %s --config DIR [--state-dir DIR] [--env NAME] [--json] "
        "[--no-color]%s\n")
HISTORY = ("usage: driftd drift --history [--since DURATION] [--address ADDRESS] "
           "[--json] [--state-dir DIR | --env NAME]\n"
           "  DURATION: seconds, or a number with s, m, h or d (\"90m\", \"7d\")\n")
POLICY = ("usage: driftd policy [--account ID] [--partition P] [--env NAME] "
          "[--boundary] DIR | --config DIR\n")
VALIDATE = "usage: driftd validate DIR | --config DIR\n"
UNREACHABLE = ("driftd: cannot reach the daemon at %s: No such file or directory. "
               "Is `driftd run` running?\n")
NO_DIR = "NOPE: No such file or directory\n"

# (command line, exit status, stderr)
CASES = [
    # The control-socket client commands.
    ("status --bogus", 2, CTL % ("status", "")),
    ("status --socket", 2, CTL % ("status", "")),
    ("status --state-dir", 2, CTL % ("status", "")),
    ("status extra", 2, CTL % ("status", "")),
    ("status --json --json --env", 2, CTL % ("status", "")),
    ("drift --env", 2, CTL % ("drift", "")),
    ("reload -x", 2, CTL % ("reload", "")),
    ("reconcile a b", 2, CTL % ("reconcile", " [ADDRESS]")),
    ("reconcile --socket NOPE/s a -h", 2, CTL % ("reconcile", " [ADDRESS]")),
    ("status --socket NOPE/s", 1, UNREACHABLE % "NOPE/s"),
    ("status --state-dir NOPE", 1, UNREACHABLE % "NOPE/control.sock"),
    ("status --env nope --json", 1, UNREACHABLE % "/run/driftd/nope/control.sock"),
    ("status --env nope --state-dir NOPE", 1, UNREACHABLE % "NOPE/control.sock"),
    ("drift --state-dir NOPE --json", 1, UNREACHABLE % "NOPE/control.sock"),
    ("reload --socket NOPE/a --socket NOPE/b", 1, UNREACHABLE % "NOPE/b"),
    ("reconcile --json a.b",
     1, "driftd: where is the daemon? Pass --socket PATH, --state-dir DIR or --env NAME.\n"),
    ("reconcile a.b --socket NOPE/s", 1, UNREACHABLE % "NOPE/s"),
    # plan, apply and graph.
    ("plan", 2, PLAN % ("plan", " [--detailed-exitcode]")),
    ("apply --json", 2, PLAN % ("apply", " [--auto-approve]")),
    ("graph --env dev", 2, PLAN % ("graph", "")),
    ("plan --bogus", 2, 'driftd plan: unknown argument "--bogus"\n'),
    ("plan --config", 2, 'driftd plan: unknown argument "--config"\n'),
    ("plan CFG --env", 2, 'driftd plan: unknown argument "--env"\n'),
    ("apply a b", 2, 'driftd apply: unknown argument "b"\n'),
    ("graph --config a b", 2, 'driftd graph: unknown argument "b"\n'),
    ("plan NOPE --json --no-color --detailed-exitcode", 1, NO_DIR),
    ("plan --config TMP --config NOPE", 1, NO_DIR),
    ("graph --config NOPE --state-dir TMP --env x --auto-approve", 1, NO_DIR),
    ("apply --state-dir TMP NOPE --auto-approve", 1, NO_DIR),
    # drift --history.
    ("drift --history", 2,
     "driftd drift: where is the history? Pass --state-dir DIR or --env NAME.\n"),
    ("drift --history --bogus", 2, HISTORY),
    ("drift --history --env", 2, HISTORY),
    ("drift --history --since", 2, HISTORY),
    ("drift --history TMP", 2, HISTORY),
    ("drift --history --socket TMP/s", 2, HISTORY),
    ("drift --history --since 5x --state-dir TMP", 2,
     'driftd drift: --since "5x" is not a duration\n' + HISTORY),
    ("drift --since 7d --history --state-dir TMP", 0, ""),
    ("drift --history --state-dir TMP --json --address a.b --since 90", 0, ""),
    # policy.
    ("policy", 2, POLICY),
    ("policy --bogus CFG", 2, POLICY),
    ("policy --json CFG", 2, POLICY),
    ("policy --state-dir TMP CFG", 2, POLICY),
    ("policy --account 123 CFG", 2, POLICY),
    ("policy CFG CFG", 2, POLICY),
    ("policy --config CFG CFG", 2, POLICY),
    ("policy --partition", 2, POLICY),
    ("policy --env dev --boundary CFG", 0, None),
    ("policy --account 123456789012 --partition aws --config CFG", 0, None),
    ("policy --config NOPE --config CFG", 0, None),       # the later one
    ("policy NOPE", 1, NO_DIR),
    # validate.
    ("validate", 2, VALIDATE),
    ("validate a b", 2, VALIDATE),
    ("validate --config", 2, VALIDATE),
    ("validate --json CFG", 2, VALIDATE),
    ("validate --config NOPE", 1, NO_DIR),
    ("validate NOPE", 1, NO_DIR),
    ("validate --config CFG", 0, ""),
    # A value option given again takes the later value, for every command
    # alike (policy and validate refused a second --config before).
    ("validate --config NOPE --config CFG", 0, ""),
]


class CommandLines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.nope = os.path.join(cls.tmp.name, "nope")
        cls.empty = os.path.join(cls.tmp.name, "empty")
        os.mkdir(cls.empty)
        # Nothing from the caller's environment: no RUNTIME_DIRECTORY or
        # STATE_DIRECTORY to find a daemon or a history by.
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": cls.tmp.name}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def subst(self, text):
        return (text.replace("NOPE", self.nope).replace("TMP", self.empty)
                .replace("CFG", CFG))

    def check(self, line, status, stderr):
        argv = [self.subst(w) for w in line.split()]
        p = subprocess.run([DRIFTD] + argv, env=self.env, capture_output=True,
                           text=True, timeout=60, cwd=self.tmp.name)
        self.assertEqual(p.returncode, status, (line, p.stderr))
        if stderr is None:
            self.assertNotIn("usage:", p.stderr, line)
        else:
            self.assertEqual(p.stderr, self.subst(stderr), line)
        if status == 2:
            self.assertEqual(p.stdout, "", line)

    def test_the_table_covers_every_command_and_both_outcomes(self):
        commands = {line.split()[0] for line, _, _ in CASES}
        self.assertEqual(commands, {"status", "drift", "reconcile", "reload", "plan",
                                    "apply", "graph", "policy", "validate"})
        for cmd in commands:
            self.assertEqual({s == 2 for line, s, _ in CASES if line.split()[0] == cmd},
                             {True, False}, cmd)


def _case(line, status, stderr):
    return lambda self: self.check(line, status, stderr)


for _i, (_line, _status, _stderr) in enumerate(CASES):
    setattr(CommandLines, "test_%02d_%s" % (_i, "_".join(
        w.strip("-").replace("-", "_").replace(".", "_").replace("/", "_")
        for w in _line.split())), _case(_line, _status, _stderr))


if __name__ == "__main__":
    unittest.main()
