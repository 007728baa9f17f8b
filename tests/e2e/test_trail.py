"""End to end: who changed it (CloudTrail) and the drift history, with the
real daemon against the fake. Changes are made out of band with another
IAM user's access key, as a person at the console or CLI would; the fake
records them in CloudTrail as AWS does (tests/fakeaws/svc_cloudtrail.py)."""
import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import boto3  # noqa: E402
import driftdtest  # noqa: E402
import test_daemon  # noqa: E402  (its Daemon runner; not its tests)

wait_for = test_daemon.wait_for
MALLORY = ("AKIAMALLORYEXAMPLE01", "mallory-secret-not-real")
MALLORY_ARN = "arn:aws:iam::123456789012:user/mallory"


class TrailDaemon(test_daemon.Daemon):
    """test_daemon's runner with settings.history_max_bytes."""

    history_max = None

    def write(self, **cfg):
        super().write(**cfg)
        if self.history_max:
            path = os.path.join(self.cfg, "main.json")
            with open(path) as f:
                doc = json.load(f)
            doc["settings"]["history_max_bytes"] = self.history_max
            with open(path + ".new", "w") as f:
                json.dump(doc, f)
            os.chmod(path + ".new", 0o600)
            os.rename(path + ".new", path)

    def history(self, *args):
        p = driftdtest.driftd(["drift", "--history", "--state-dir", self.state,
                               "--json"] + list(args), self.fake.env())
        if p.returncode != 0:
            raise AssertionError(p.stderr)
        return json.loads(p.stdout)

    def history_lines(self):
        out = []
        for name in ("history.jsonl.1", "history.jsonl"):
            try:
                with open(os.path.join(self.state, name)) as f:
                    out += [json.loads(line) for line in f]
            except FileNotFoundError:
                pass
        return out


class TrailTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake = driftdtest.FakeAWS()
        cls.fake.control("POST", "keys", {"user": "mallory", "access_key": MALLORY[0],
                                          "secret_key": MALLORY[1]})
        cls.ec2 = boto3.client(
            "ec2", endpoint_url=cls.fake.url, region_name="us-east-1",
            aws_access_key_id=driftdtest.ACCESS_KEY,
            aws_secret_access_key=driftdtest.SECRET_KEY)
        # mallory's changes: another access key, another principal
        cls.mallory = boto3.client(
            "ec2", endpoint_url=cls.fake.url, region_name="us-east-1",
            aws_access_key_id=MALLORY[0], aws_secret_access_key=MALLORY[1])
        cls.topic = driftdtest.aws_cli(
            cls.fake, ["sns", "create-topic", "--name", "driftd-alerts"])["TopicArn"]

    @classmethod
    def tearDownClass(cls):
        cls.ec2.close()
        cls.mallory.close()
        cls.fake.stop()

    def setUp(self):
        self.fake.control("POST", "cloudtrail", {"delay": 0})

    def daemon(self, env, cidr, history_max=None):
        d = TrailDaemon(self, self.fake, env, self.topic, cidr)
        if history_max:
            d.history_max = history_max
            d.write()
        return d

    def tamper(self, d, value):
        self.mallory.create_tags(Resources=[d.vpc()["VpcId"]],
                                 Tags=[{"Key": "Name", "Value": value}])

    def reverted(self, d, env):
        return wait_for(lambda: d.name_tag() == env, 8)

    def test_a_change_with_another_key_is_attributed_in_alert_log_and_history(self):
        d = self.daemon("e2e-who", "10.51.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        vpc_id = d.vpc()["VpcId"]
        self.tamper(d, "by-mallory")
        self.assertTrue(self.reverted(d, "e2e-who"), d.logtext())
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 8), d.logtext())
        alert = d.alerts("drift")[0]
        self.assertIn("Changed by " + MALLORY_ARN + " (CreateTags at ", alert["Message"])
        details = json.loads(alert["Message"].split("\nDetails:\n", 1)[1])
        by = details["attribution"]["changed_by"]
        self.assertEqual(details["attribution"]["attribution"], "found")
        self.assertEqual(by["principal"], MALLORY_ARN)
        self.assertEqual(by["event"], "CreateTags")
        self.assertEqual(by["source_ip"], "127.0.0.1")
        self.assertIn("Boto3", by["user_agent"])
        self.assertGreaterEqual(details["attribution"]["detect_seconds"], 0)
        self.assertLess(details["attribution"]["detect_seconds"], 10)
        # the log, with the journal fields (stderr: name=value)
        self.assertTrue(wait_for(lambda: "changed_by=" + MALLORY_ARN in d.logtext(), 5), d.logtext())
        self.assertIn("change_event=CreateTags", d.logtext())
        # the history, read from the state directory
        recs = d.history()
        self.assertEqual(len(recs), 1, recs)
        rec = recs[0]
        self.assertEqual(rec["address"], "ec2.vpc.main")
        self.assertEqual(rec["resource_id"], vpc_id)
        self.assertEqual(rec["action"], "reverted in place")
        self.assertEqual(rec["attribution"], "found")
        self.assertEqual(rec["changed_by"]["principal"], MALLORY_ARN)
        self.assertIn("by-mallory", json.dumps(rec["changes"]))
        # driftd's own revert is not the change, and the daemon's reads
        # (read-only events) are not either: the driftd-test user is absent
        self.assertNotIn("user/driftd-test", json.dumps(recs))
        text = driftdtest.driftd(["drift", "--history", "--state-dir", d.state],
                                 self.fake.env()).stdout
        self.assertIn("ec2.vpc.main  reverted in place", text)
        self.assertIn("changed by " + MALLORY_ARN + " (CreateTags at ", text)
        # DetectSeconds reached CloudWatch: the change to its detection
        self.assertTrue(wait_for(lambda: d.metric("DetectSeconds"), 5))
        self.assertEqual(d.metric("DetectSeconds"), [details["attribution"]["detect_seconds"]])
        # asked by the VPC's id; never throttled
        self.assertTrue([c for c in self.fake.calls("cloudtrail", "LookupEvents")
                         if c["parameters"]["LookupAttributes"][0]["AttributeValue"] == vpc_id])
        self.assertFalse([c for c in self.fake.calls("cloudtrail") if c["status"] != 200])
        self.assertEqual(d.stop()[0], 0)

    def test_a_change_cloudtrail_shows_late_updates_the_record_once(self):
        self.fake.control("POST", "cloudtrail", {"delay": 5})
        d = self.daemon("e2e-late", "10.52.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        self.tamper(d, "late-change")
        self.assertTrue(self.reverted(d, "e2e-late"), d.logtext())
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 8), d.logtext())
        alert = d.alerts("drift")[0]
        self.assertIn("not in CloudTrail yet", alert["Message"])
        self.assertEqual(d.history()[0]["attribution"], "pending")
        # a later cycle finds it and settles the record
        self.assertTrue(wait_for(lambda: d.history()[0]["attribution"] == "found", 15), d.logtext())
        rec = d.history()[0]
        self.assertEqual(rec["changed_by"]["principal"], MALLORY_ARN)
        self.assertIn("updated", rec)
        self.assertIn("Drift on ec2.vpc.main found earlier: Changed by " + MALLORY_ARN, d.logtext())
        time.sleep(3)                       # more cycles: no second update
        lines = d.history_lines()
        self.assertEqual(len([x for x in lines if "update" in x]), 1, lines)
        self.assertEqual(len([x for x in lines if "id" in x]), 1, lines)
        self.assertEqual(len(d.alerts("drift")), 1)
        self.assertEqual(d.stop()[0], 0)

    def test_a_resource_deleted_by_hand_is_attributed_by_the_id_it_had(self):
        d = self.daemon("e2e-gone", "10.55.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        old = d.vpc()["VpcId"]
        self.mallory.delete_vpc(VpcId=old)
        self.assertTrue(wait_for(lambda: d.vpc() and d.vpc()["VpcId"] != old, 8), d.logtext())
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 8), d.logtext())
        self.assertIn("Changed by " + MALLORY_ARN + " (DeleteVpc at ", d.alerts("drift")[0]["Message"])
        rec = d.history()[0]
        self.assertEqual((rec["action"], rec["changed_by"]["event"]), ("recreated", "DeleteVpc"))
        self.assertEqual(d.stop()[0], 0)

    def test_observed_drift_names_who_in_driftd_drift(self):
        d = self.daemon("e2e-whoobs", "10.54.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        d.write(observe=True)
        self.assertTrue(wait_for(lambda: len(d.notify.seen("READY=1")) >= 2, 5), d.logtext())
        self.tamper(d, "left-alone")
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 8), d.logtext())
        drift = d.ctl("drift")["drift"]
        self.assertEqual(drift[0]["attribution"]["changed_by"]["principal"], MALLORY_ARN)
        text = driftdtest.driftd(["drift", "--state-dir", d.state], self.fake.env()).stdout
        self.assertIn("changed by " + MALLORY_ARN + " (CreateTags at ", text)
        time.sleep(2)                       # drift left in place: recorded once
        recs = d.history()
        self.assertEqual([r["action"] for r in recs], ["observe only"])
        self.assertEqual(d.stop()[0], 0)

    def test_a_slow_cloudtrail_never_holds_the_alert_back_long(self):
        self.fake.fault(service="cloudtrail", operation="LookupEvents", kind="latency", ms=14000)
        self.addCleanup(self.fake.clear_faults)
        d = self.daemon("e2e-slow", "10.56.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        self.tamper(d, "slow")
        t0 = time.monotonic()
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 15), d.logtext())
        self.assertLess(time.monotonic() - t0, 13)     # 10 s wait, not the 14 s lookup
        self.assertIn("not in CloudTrail yet", d.alerts("drift")[0]["Message"])
        # the slow answer still settles the record, once
        self.assertTrue(wait_for(lambda: d.history()[0]["attribution"] == "found", 15), d.logtext())
        self.assertEqual(d.history()[0]["changed_by"]["principal"], MALLORY_ARN)
        self.assertEqual(len([x for x in d.history_lines() if "update" in x]), 1)
        self.assertEqual(d.stop()[0], 0)

    def test_the_history_survives_restart_and_rotation(self):
        d = self.daemon("e2e-hist", "10.53.0.0/16", history_max=4096).start()
        self.assertTrue(d.ready(), d.logtext())
        n = 0

        def drift_once():
            nonlocal n
            n += 1
            before = len(d.history())
            self.tamper(d, "hand-%d" % n)
            self.assertTrue(wait_for(lambda: len(d.history()) > before, 10), d.logtext())
            self.assertTrue(self.reverted(d, "e2e-hist"), d.logtext())
        for _ in range(3):
            drift_once()
        self.assertEqual(d.stop()[0], 0)
        d.start()
        self.assertTrue(wait_for(lambda: len(d.notify.seen("READY=1")) >= 1, 30), d.logtext())
        self.assertEqual(len(d.history()), 3)
        while not os.path.exists(os.path.join(d.state, "history.jsonl.1")):
            self.assertLess(n, 20, "never rotated")
            drift_once()
        drift_once()
        for name in ("history.jsonl", "history.jsonl.1"):
            self.assertLessEqual(os.path.getsize(os.path.join(d.state, name)), 4096)
        recs = d.history()
        changes = [json.dumps(r["changes"]) for r in recs]
        self.assertIn("hand-%d" % n, changes[-1])
        # oldest first, none lost between the oldest kept and the newest
        first = int(changes[0].split("hand-")[1].split('"')[0].split("\\")[0])
        self.assertEqual(len(recs), n - first + 1)
        self.assertTrue(all(r["attribution"] == "found" for r in recs), recs)
        self.assertEqual(d.history("--address", "ec2.vpc.other"), [])
        self.assertEqual(len(d.history("--since", "1h")), len(recs))
        bad = driftdtest.driftd(["drift", "--history", "--since", "5x", "--state-dir", d.state],
                                self.fake.env())
        self.assertEqual(bad.returncode, 2)
        self.assertIn('--since "5x" is not a duration', bad.stderr)
        self.assertEqual(d.stop()[0], 0)


if __name__ == "__main__":
    unittest.main()
