"""End to end: `make demo`'s script, contrib/demo, from an empty state and
resumed. It converges the dev estate against the fake, runs the daemon,
changes a security group with another IAM user's access key, and shows the
daemon revert it, the alert naming that user, the metrics, the history and
a clean SIGTERM exit. Its state goes to a temporary directory (DEMO_STATE),
not the checkout's demo-state/."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import driftdtest  # noqa: E402

MALLORY_ARN = "arn:aws:iam::111111111111:user/mallory"


class DemoTest(unittest.TestCase):

    def run_demo(self, state):
        env = dict(os.environ, BUILD=driftdtest.BUILD, PYTHON=driftdtest.PYTHON,
                   DEMO_STATE=state)
        for k in list(env):
            if k.startswith("AWS_"):
                del env[k]
        p = subprocess.run(["/bin/sh", os.path.join(driftdtest.ROOT, "contrib", "demo")],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120, start_new_session=True)
        self.assertEqual(p.returncode, 0, p.stdout[-6000:])
        return p.stdout

    def seen(self, text, out):
        # assertIn would print the whole demo (thousands of lines) on failure
        self.assertTrue(text in out, "%r not in the demo's output, which ends:\n%s"
                        % (text, out[-3000:]))

    def check(self, out, runs):
        # the daemon reverted it, and its log says so with who did it
        self.assertRegex(out[-20000:], r"port 22 is closed again, \d+ s after mallory opened it")
        self.seen("Drift on ec2.security_group.db: IpPermissions is", out)
        self.seen("action: reverted in place. env=dev address=ec2.security_group.db", out)
        self.seen("changed_by=" + MALLORY_ARN, out)
        # the SNS alert as the fake received it names mallory
        alert = out.split("as the fake AWS received it", 1)[1].split("\n== ", 1)[0]
        self.seen("drift on ec2.security_group.db (reverted)", alert)
        self.seen("Changed by " + MALLORY_ARN + " (AuthorizeSecurityGroupIngress at ", alert)
        # the metric data
        self.assertRegex(out[-20000:], r"DetectSeconds\{Environment=dev\} \d+(\.\d+)? Seconds")
        self.seen("DriftedResources{Environment=dev} 1.0 Count", out)
        # the history: one entry per run, each naming mallory
        hist = out.split("driftd drift --history", 1)[1].split("SIGTERM", 1)[0]
        self.assertEqual(len(re.findall(r"ec2\.security_group\.db  reverted in place", hist)), runs, hist)
        self.assertEqual(hist.count("changed by " + MALLORY_ARN + " (AuthorizeSecurityGroupIngress"),
                         runs, hist)
        # a clean exit on SIGTERM, and in sync as it left it
        self.seen("driftd run exited with status 0", out)
        self.seen("No changes. 143 resources match the config.", out.rsplit("== ", 1)[1])

    def test_demo_runs_and_resumes(self):
        tmp = tempfile.mkdtemp(prefix="driftd-demo-")
        self.addCleanup(shutil.rmtree, tmp, True)
        state = os.path.join(tmp, "demo-state")
        self.check(self.run_demo(state), 1)
        self.check(self.run_demo(state), 2)
        # every process it started has stopped: the fake saved its state on
        # SIGTERM, and nothing still holds the demo's state directory
        self.assertTrue(os.path.exists(os.path.join(state, "fake", "state.json")))
        self.assertEqual(holders(state), [], "a process of the demo is still running")


def holders(path):
    """PIDs of processes with a file under PATH open (their logs)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir("/proc/%s/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)).startswith(path + "/"):
                    out.append(int(pid))
                    break
            except OSError:
                pass
    return out


if __name__ == "__main__":
    unittest.main()
