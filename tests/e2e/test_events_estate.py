"""The event estate (config/base/events.json) against the fake AWS: the
trail with its bucket and bucket policy, and in each region the estate
uses the rule for "AWS API Call via CloudTrail" and the queue it targets,
converge from empty as AWS documents them; and what an intruder would
change to go unseen is drift that apply puts back: the trail's logging
stopped, the rule's pattern narrowed or a target added, the queue's
policy emptied (EventBridge then drops every event without a word)."""
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
import boto3  # noqa: E402
from driftdtest import DRIFTD, FakeAWS, boto_client, driftd  # noqa: E402
from driftdtest import base_file, estate_root  # noqa: E402
from test_daemon import NotifySocket, wait_for  # noqa: E402

ACCOUNT = "123456789012"
ENV = "e2e"
PRIMARY, BACKUP = "us-east-1", "us-west-2"
QUEUE = "cloudpartner-e2e-drift-events"
RULE = "cloudpartner-e2e-api-calls"
TRAIL = "cloudpartner-e2e"
BUCKET = "cloudpartner-e2e-cloudtrail"


def rule_arn(region):
    return "arn:aws:events:%s:%s:rule/%s" % (region, ACCOUNT, RULE)


def queue_arn(region):
    return "arn:aws:sqs:%s:%s:%s" % (region, ACCOUNT, QUEUE)


def write_estate(parent, **settings):
    """PARENT/cfg: an environment of config/base/events.json alone."""
    cfg = os.path.join(parent, "cfg")
    os.mkdir(cfg, 0o700)
    estate_root(parent)
    main = {
        "include": [base_file("events.json")],
        "settings": dict({"environment": ENV, "region": PRIMARY}, **settings),
        "variables": {"env": ENV, "region": PRIMARY, "account_id": ACCOUNT,
                      "backup_region": BACKUP, "trail_log_retention_days": 90},
    }
    with open(os.path.join(cfg, "main.json"), "w") as f:
        json.dump(main, f)
    return cfg


class EventEstateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS(account=ACCOUNT)
        cls.dir = tempfile.mkdtemp(prefix="driftd-events-")
        cls.cfg = write_estate(cls.dir)
        cls.state = os.path.join(cls.dir, "state")
        cls.sqs = {r: boto_client(cls.fake, "sqs", r) for r in (PRIMARY, BACKUP)}
        cls.events = {r: boto_client(cls.fake, "events", r) for r in (PRIMARY, BACKUP)}
        cls.trail = boto_client(cls.fake, "cloudtrail")
        cls.s3 = boto_client(cls.fake, "s3")

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.dir)

    def run_driftd(self, *args):
        return driftd(list(args) + ["--config", self.cfg, "--state-dir", self.state],
                      self.fake.env())

    def converge(self):
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def drifted(self, *addresses):
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for a in addresses:
            self.assertIn(a, p.stdout)

    def queue_attrs(self, region=PRIMARY):
        sqs = self.sqs[region]
        url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    def setUp(self):
        self.converge()

    def test_1_the_estate_is_made_as_aws_documents_it(self):
        # The bucket policy of "Amazon S3 bucket policy for CloudTrail".
        policy = json.loads(self.s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
        by_action = {s["Action"]: s for s in policy["Statement"]}
        trail_arn = "arn:aws:cloudtrail:%s:%s:trail/%s" % (PRIMARY, ACCOUNT, TRAIL)
        acl, put = by_action["s3:GetBucketAcl"], by_action["s3:PutObject"]
        for s in (acl, put):
            self.assertEqual(s["Principal"], {"Service": "cloudtrail.amazonaws.com"})
            self.assertEqual(s["Condition"]["StringEquals"]["aws:SourceArn"], trail_arn)
        self.assertEqual(acl["Resource"], "arn:aws:s3:::" + BUCKET)
        self.assertEqual(put["Resource"], "arn:aws:s3:::%s/AWSLogs/%s/*" % (BUCKET, ACCOUNT))
        self.assertEqual(put["Condition"]["StringEquals"]["s3:x-amz-acl"],
                         "bucket-owner-full-control")
        block = self.s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
        self.assertTrue(all(block.values()), block)

        (t,) = self.trail.describe_trails(trailNameList=[TRAIL])["trailList"]
        self.assertEqual(t["TrailARN"], trail_arn)
        self.assertEqual(t["S3BucketName"], BUCKET)
        self.assertTrue(t["IsMultiRegionTrail"])
        self.assertTrue(t["IncludeGlobalServiceEvents"])
        self.assertTrue(t["LogFileValidationEnabled"])
        self.assertTrue(self.trail.get_trail_status(Name=TRAIL)["IsLogging"])

        for region in (PRIMARY, BACKUP):
            with self.subTest(region=region):
                _, attrs = self.queue_attrs(region)
                self.assertEqual(attrs["QueueArn"], queue_arn(region))
                self.assertEqual(attrs["SqsManagedSseEnabled"], "true")
                self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "20")
                self.assertEqual(attrs["MessageRetentionPeriod"], "86400")
                (st,) = json.loads(attrs["Policy"])["Statement"]
                self.assertEqual(st["Principal"], {"Service": "events.amazonaws.com"})
                self.assertEqual(st["Action"], "sqs:SendMessage")
                self.assertEqual(st["Resource"], queue_arn(region))
                self.assertEqual(st["Condition"]["ArnEquals"]["aws:SourceArn"], rule_arn(region))

                ev = self.events[region]
                rule = ev.describe_rule(Name=RULE)
                self.assertEqual(rule["Arn"], rule_arn(region))
                self.assertEqual(rule["State"], "ENABLED")
                pattern = json.loads(rule["EventPattern"])
                self.assertEqual(pattern["detail-type"], ["AWS API Call via CloudTrail"])
                for src in ("aws.ec2", "aws.iam", "aws.cloudtrail", "aws.monitoring"):
                    self.assertIn(src, pattern["source"])
                targets = ev.list_targets_by_rule(Rule=RULE)["Targets"]
                self.assertEqual([(x["Id"], x["Arn"]) for x in targets],
                                 [("drift-events", queue_arn(region))])

    def test_2_a_stopped_trail_is_started_again(self):
        self.trail.stop_logging(Name=TRAIL)
        self.assertFalse(self.trail.get_trail_status(Name=TRAIL)["IsLogging"])
        self.drifted("cloudtrail.trail.main", "IsLogging")
        self.converge()
        self.assertTrue(self.trail.get_trail_status(Name=TRAIL)["IsLogging"])
        # A trail made single-region is made multi-region again.
        self.trail.update_trail(Name=TRAIL, IsMultiRegionTrail=False)
        self.drifted("IsMultiRegionTrail")
        self.converge()
        (t,) = self.trail.describe_trails(trailNameList=[TRAIL])["trailList"]
        self.assertTrue(t["IsMultiRegionTrail"])

    def test_3_a_changed_rule_is_put_back_and_a_rogue_target_removed(self):
        ev = self.events[PRIMARY]
        ev.put_rule(Name=RULE, EventPattern=json.dumps({"source": ["aws.s3"]}),
                    State="DISABLED")
        ev.put_targets(Rule=RULE, Targets=[{"Id": "exfil", "Arn": queue_arn(BACKUP)}])
        self.drifted("events.rule.api_calls", "EventPattern", "State", "Targets")
        self.converge()
        rule = ev.describe_rule(Name=RULE)
        self.assertEqual(rule["State"], "ENABLED")
        self.assertIn("aws.ec2", json.loads(rule["EventPattern"])["source"])
        self.assertEqual([x["Id"] for x in ev.list_targets_by_rule(Rule=RULE)["Targets"]],
                         ["drift-events"])
        # The target removed is put back.
        ev.remove_targets(Rule=RULE, Ids=["drift-events"])
        self.drifted("Targets")
        self.converge()
        self.assertEqual([x["Arn"] for x in ev.list_targets_by_rule(Rule=RULE)["Targets"]],
                         [queue_arn(PRIMARY)])

    def test_4_an_emptied_queue_policy_is_put_back(self):
        url, _ = self.queue_attrs(BACKUP)
        self.sqs[BACKUP].set_queue_attributes(QueueUrl=url, Attributes={
            "Policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
            "ReceiveMessageWaitTimeSeconds": "0"})
        self.drifted("sqs.queue.drift_events_backup", "Policy",
                     "ReceiveMessageWaitTimeSeconds")
        self.converge()
        _, attrs = self.queue_attrs(BACKUP)
        self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "20")
        (st,) = json.loads(attrs["Policy"])["Statement"]
        self.assertEqual(st["Condition"]["ArnEquals"]["aws:SourceArn"], rule_arn(BACKUP))

    def test_5_a_queue_someone_else_made_is_not_taken_for_drifts(self):
        self.sqs[PRIMARY].create_queue(QueueName="someone-elses")
        self.fake.clear_calls()
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("someone-elses", p.stdout)
        # One list per region, then each listed queue read once.
        lists = self.fake.calls("sqs", "ListQueues")
        self.assertEqual(len(lists), 2, lists)
        self.assertEqual(len(self.fake.calls("sqs", "GetQueueAttributes")), 3)

    def test_6_api_calls_reach_the_queue_of_their_region(self):
        """By the fake's rules (the queue policy's aws:SourceArn, SSE-SQS),
        as AWS delivers: each region's calls to its own queue."""
        for region in (PRIMARY, BACKUP):
            self.sqs[region].create_queue(QueueName="probe-" + region)
        for region in (PRIMARY, BACKUP):
            with self.subTest(region=region):
                url, _ = self.queue_attrs(region)
                names = set()
                for _ in range(20):
                    got = self.sqs[region].receive_message(
                        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                    for m in got.get("Messages", []):
                        ev = json.loads(m["Body"])
                        self.assertEqual(ev["detail-type"], "AWS API Call via CloudTrail")
                        self.assertEqual(ev["region"], region)
                        params = ev["detail"].get("requestParameters") or {}
                        names.add(params.get("queueName", params.get("QueueName")))
                    if "probe-" + region in names:
                        break
                self.assertIn("probe-" + region, names)

    def test_7_a_rule_is_deleted_after_its_targets(self):
        """DeleteRule refuses a rule with targets (EventBridge API
        Reference, DeleteRule): they are removed first."""
        cfg = os.path.join(self.dir, "cfg-absent")
        os.makedirs(cfg, 0o700, exist_ok=True)
        rule = {"Name": "probe-rule", "EventPattern": {"source": ["aws.ec2"]},
                "Targets": [{"Id": "a", "Arn": queue_arn(PRIMARY)}]}

        def apply(**extra):
            with open(os.path.join(cfg, "main.json"), "w") as f:
                json.dump({"settings": {"environment": "e2e-absent", "region": PRIMARY},
                           "resources": {"events.rule.probe": dict(rule, **extra)}}, f)
            p = driftd(["apply", "--auto-approve", "--config", cfg, "--state-dir",
                        os.path.join(self.dir, "state-absent")], self.fake.env())
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ev = self.events[PRIMARY]
        apply()
        self.assertEqual(len(ev.list_targets_by_rule(Rule="probe-rule")["Targets"]), 1)
        self.fake.clear_calls()
        apply(ensure="absent")
        writes = [c["operation"] for c in self.fake.calls("events")
                  if c["operation"] in ("RemoveTargets", "DeleteRule")]
        self.assertEqual(writes, ["RemoveTargets", "DeleteRule"])
        self.assertNotIn("probe-rule", [r["Name"] for r in ev.list_rules()["Rules"]])


MALLORY = ("AKIAMALLORYEXAMPLE07", "mallory-secret-not-real")


class EventEstateDaemonTest(unittest.TestCase):
    """The daemon at a 60 s poll, in event-driven mode on the estate's own
    queues: what the estate's rule delivers is reverted in seconds, by the
    fake's delivery (trail logging, the rule's pattern, the queue policy)."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS(account=ACCOUNT)
        cls.fake.control("POST", "keys", {"user": "mallory", "access_key": MALLORY[0],
                                          "secret_key": MALLORY[1]})
        cls.dir = tempfile.mkdtemp(prefix="driftd-events-run-")
        cls.cfg = write_estate(cls.dir, event_queues=[
            "${sqs.queue.drift_events.QueueArn}", "${sqs.queue.drift_events_backup.QueueArn}"])
        cls.state = os.path.join(cls.dir, "state")
        cls.notify = NotifySocket(os.path.join(cls.dir, "notify"))
        cls.log = open(os.path.join(cls.dir, "daemon.log"), "w")
        cls.proc = subprocess.Popen(
            [DRIFTD, "run", "--config", cls.cfg, "--state-dir", cls.state,
             "--interval", "60"],
            env=cls.fake.env(NOTIFY_SOCKET=cls.notify.path),
            stdout=cls.log, stderr=subprocess.STDOUT)
        kw = dict(endpoint_url=cls.fake.url, region_name=PRIMARY,
                  aws_access_key_id=MALLORY[0], aws_secret_access_key=MALLORY[1])
        cls.mallory_trail = boto3.client("cloudtrail", **kw)
        cls.mallory_events = boto3.client("events", **kw)
        cls.trail = boto_client(cls.fake, "cloudtrail")
        cls.events = boto_client(cls.fake, "events")

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.terminate()
            cls.proc.wait(10)
        cls.notify.close()
        cls.log.close()
        cls.fake.stop()
        shutil.rmtree(cls.dir)

    def logtext(self):
        with open(os.path.join(self.dir, "daemon.log")) as f:
            return f.read()[-6000:]

    def polling(self):
        p = driftd(["status", "--state-dir", self.state, "--json"], self.fake.env())
        queues = (json.loads(p.stdout).get("events") or {}).get("queues", []) \
            if p.returncode == 0 else []
        return len(queues) == 2 and all(q.get("state") == "polling" for q in queues)

    def setUp(self):
        self.assertTrue(wait_for(lambda: self.notify.seen("READY=1"), 60), self.logtext())
        self.assertTrue(wait_for(self.polling, 30), self.logtext())

    def trail_settings(self):
        (t,) = self.trail.describe_trails(trailNameList=[TRAIL])["trailList"]
        return t["IsMultiRegionTrail"], t["LogFileValidationEnabled"]

    def test_a_narrowed_trail_and_a_changed_rule_are_put_back_in_seconds(self):
        # (The fake delivers no event for StopLogging of the only logging
        # trail; the poll puts that back: EventEstateTest.test_2.)
        self.assertEqual(self.trail_settings(), (True, True))
        self.mallory_trail.update_trail(Name=TRAIL, IsMultiRegionTrail=False,
                                        EnableLogFileValidation=False)
        changed = time.monotonic()
        self.assertTrue(wait_for(lambda: self.trail_settings() == (True, True), 10, step=0.05),
                        self.logtext())
        self.assertLess(time.monotonic() - changed, 5)

        # A pattern that still lets the rule's own calls (aws.events) through.
        self.mallory_events.put_rule(Name=RULE, EventPattern=json.dumps(
            {"source": ["aws.events"], "detail-type": ["AWS API Call via CloudTrail"]}))
        changed = time.monotonic()
        self.assertTrue(wait_for(lambda: "aws.ec2" in json.loads(
            self.events.describe_rule(Name=RULE)["EventPattern"])["source"], 10, step=0.05),
            self.logtext())
        self.assertLess(time.monotonic() - changed, 5)


if __name__ == "__main__":
    unittest.main()
