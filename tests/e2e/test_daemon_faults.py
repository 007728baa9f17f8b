"""The daemon's acceptance test of issue 12: `driftd run` on the converged
dev estate (config/environments/dev, the fake as the dev account) while
the fake answers, in turn, 50 % throttling, 50 % 503s and a 20-minute
clock skew, each for 20 s, and then nothing wrong.

What must hold:
- no drift alert is sent: nothing drifted, so every "drift" the daemon
  would report is a transient fault mistaken for a change (fault 4);
- no call is rejected as skewed after the first corrected answer for its
  service, and every call that was (they were in flight when the clock was
  corrected) is signed again with the corrected clock and accepted, so no
  read or change fails for the skew (fault 11). This holds when the skew
  starts and again when it ends (the daemon's correction is then 20
  minutes off the other way).

The oracle is the fake: its call log (who was rejected, when each call was
received and answered) and the SNS messages it received."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from driftdtest import DRIFTD, ROOT, FakeAWS, driftd  # noqa: E402
from test_daemon import NotifySocket, wait_for  # noqa: E402

DEV_ACCOUNT = "111111111111"
PHASE_S = 20
# What each protocol answers for a request signed with a clock over 15
# minutes off (tests/fakeaws/README.md, as AWS does): driftd signs
# correctly otherwise, so in this test these codes mean "skewed".
SKEW_CODES = {"RequestTimeTooSkewed", "RequestExpired",
              "InvalidSignatureException", "SignatureDoesNotMatch",
              "AuthFailure"}


# A cycle sends its reads together; the fake stamps a request when its
# handler thread starts, so calls the client signed before it read the
# corrected answer are seen up to a few tens of milliseconds after that
# answer (at most 0.05 s in our runs). Those were in flight at the
# correction; anything later was signed after it.
IN_FLIGHT_S = 1.0


def skew_violations(calls, start, end):
    """Calls received in [start, end) that were rejected as skewed more
    than IN_FLIGHT_S after an answer of their service that the fake
    accepted in that window (a corrected answer); one line each."""
    first_ok = {}
    for c in sorted(calls, key=lambda c: c["time"]):
        if start <= c["started"] < end and c["status"] == 200:
            first_ok.setdefault(c["service"], c["time"])
    out = []
    for c in calls:
        ok_at = first_ok.get(c["service"])
        if (start <= c["started"] < end and c.get("code") in SKEW_CODES
                and ok_at is not None and c["started"] > ok_at + IN_FLIGHT_S):
            out.append("%s %s %s received %.3f s after the corrected "
                       "answer" % (c["service"], c["operation"], c["code"],
                                   c["started"] - ok_at))
    return out


class DaemonFaultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"],
                           account=DEV_ACCOUNT)
        cls.work = tempfile.mkdtemp(prefix="driftd-faults-")
        env = cls.fake.env()
        # The dev account has SES production access.
        driftd(["aws", "sesv2", "GetAccount"], env)
        cls.fake.control("POST", "state", {
            "type": "ses_account", "id": DEV_ACCOUNT,
            "set": {"production_access": True, "review_status": "GRANTED"}})
        shutil.copytree(os.path.join(ROOT, "config"),
                        os.path.join(cls.work, "config"))
        for dirpath, _, files in os.walk(cls.work):
            os.chmod(dirpath, 0o700)
            for n in files:
                os.chmod(os.path.join(dirpath, n), 0o600)
        cls.cfg = os.path.join(cls.work, "config", "environments", "dev")
        cls.state = os.path.join(cls.work, "state")
        p = driftd(["apply", "--auto-approve", "--config", cls.cfg,
                    "--state-dir", cls.state], env, timeout=600)
        if p.returncode != 0:
            cls.tearDownClass()
            raise RuntimeError("the dev estate did not converge:\n" +
                               p.stdout[-3000:] + p.stderr[-3000:])

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def sns_alerts(self, event=None):
        out = []
        for m in self.fake.control("GET", "published")["sns"]:
            attrs = m.get("MessageAttributes") or {}
            if attrs.get("environment", {}).get("StringValue") != "dev":
                continue
            if event and attrs.get("event", {}).get("StringValue") != event:
                continue
            out.append(m)
        return out

    def test_transient_faults_raise_no_drift_alert_and_skew_is_corrected_once(self):
        self.maxDiff = None
        p = driftd(["plan", "--detailed-exitcode", "--config", self.cfg,
                    "--state-dir", self.state], self.fake.env(), timeout=300)
        self.assertEqual(p.returncode, 0, "not converged before the test:\n"
                         + p.stdout[-3000:] + p.stderr[-3000:])
        # Read all the time, as systemd does: a full socket would block
        # the daemon's sd_notify.
        notify = NotifySocket(os.path.join(self.work, "notify"))
        log_path = os.path.join(self.work, "daemon.log")
        log = open(log_path, "w")
        daemon = subprocess.Popen(
            [DRIFTD, "run", "--config", self.cfg, "--state-dir", self.state,
             "--interval", "1", "--socket", os.path.join(self.work, "ctl")],
            env=self.fake.env(NOTIFY_SOCKET=notify.path), stdout=log,
            stderr=subprocess.STDOUT)

        def logtext():
            with open(log_path) as f:
                return f.read()[-6000:]
        try:
            self.assertTrue(wait_for(lambda: notify.seen("READY=1"), 300),
                            logtext())
            before = len(self.sns_alerts())
            self.fake.clear_calls()
            # The fake keeps the newest 10000 calls: collect them after
            # each phase, by request id.
            seen = {}

            def collect():
                seen.update((c["request_id"], c) for c in self.fake.calls())
            phases = []
            for spec in ({"kind": "throttle", "rate": 0.5},
                         {"kind": "error", "rate": 0.5, "status": 503},
                         {"kind": "skew", "seconds": 1200}):
                self.fake.control("POST", "faults", spec)
                start = time.time()
                time.sleep(PHASE_S)
                end = time.time()
                self.fake.clear_faults()
                # A call the fake took between end and cleared may have
                # met either clock: it belongs to neither window.
                phases.append((spec["kind"], start, end, time.time()))
                collect()
            # Let the daemon see the world as it is again (after the skew
            # it corrects its clock back) for a few cycles.
            time.sleep(15)
            collect()
            calls = list(seen.values())
            if os.environ.get("DRIFTD_TEST_CALLS"):   # for debugging
                with open(os.environ["DRIFTD_TEST_CALLS"], "w") as f:
                    json.dump(calls, f)
            self.assertIsNone(daemon.poll(), logtext())
        finally:
            t0 = time.monotonic()
            daemon.terminate()
            try:
                rc = daemon.wait(30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
                rc = None
            took = time.monotonic() - t0
            log.close()
            notify.close()
            if os.environ.get("DRIFTD_TEST_LOG"):     # for debugging
                shutil.copy(log_path, os.environ["DRIFTD_TEST_LOG"])
        alerts = self.sns_alerts()[before:]
        drift = [a["Subject"] for a in alerts
                 if a["MessageAttributes"]["event"]["StringValue"] == "drift"]
        self.assertEqual(drift, [], "false drift alerts: %s\n%s" %
                         (json.dumps(drift, indent=1), logtext()))

        # Queued is not sent: none may be queued either (an alert the
        # daemon could not send would pass the check above), and none may
        # be dropped.
        with open(log_path) as f:
            text = f.read()
        queued = [line for line in text.splitlines()
                  if "Alert queued" in line and ": drift on " in line]
        self.assertEqual(queued, [], "false drift alerts queued")
        self.assertNotIn("alerts were dropped", text)

        # The skew's start, and its end (the correction goes back to 0).
        skew_on, skew_end, skew_off = phases[2][1:]
        rejected = [c for c in calls if c.get("code") in SKEW_CODES]
        self.assertTrue([c for c in rejected if c["started"] < skew_off],
                        "the skew phase rejected no call: the test did not "
                        "exercise the correction")
        # Each call rejected as skewed was signed again with the corrected
        # clock: no read or change failed with a skew error (fault 11; the
        # fake logs a rejected call without its parameters, so its log
        # cannot pair a rejection with its re-sent call).
        failed = [line for line in text.splitlines()
                  if any("AWS error " + code in line for code in SKEW_CODES)]
        self.assertEqual(failed, [], "reads or changes failed for the skew")
        late = (skew_violations(calls, skew_on, skew_end) +
                skew_violations(calls, skew_off, float("inf")))
        self.assertEqual(late, [], "%d calls were rejected as skewed after "
                         "their service's first corrected answer" % len(late))
        # SIGTERM: the running cycle may finish for 7 s, then it exits.
        self.assertEqual(rc, 0, "took %.1f s\n%s" % (took, logtext()))


if __name__ == "__main__":
    unittest.main()
