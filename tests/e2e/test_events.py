"""End to end: event-driven mode (issue 16 item 3). The real daemon, at a
60 s poll interval, long-polls an SQS queue of the fake; an "AWS API Call
via CloudTrail" event there that touches a managed resource is reverted
at once, with who made the change named from the event. The events are
put on the queue here, shaped as the EventBridge User Guide's example
(envelope) and the CloudTrail record contents (detail) give them, so that
the daemon's side is tested apart from the fake's delivery."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import boto3  # noqa: E402
import botocore.session  # noqa: E402
import driftdtest  # noqa: E402
import test_daemon  # noqa: E402  (its Daemon runner; not its tests)

wait_for = test_daemon.wait_for
MALLORY = ("AKIAMALLORYEXAMPLE02", "mallory-secret-not-real")
ACCOUNT = "123456789012"
MALLORY_ARN = "arn:aws:iam::%s:user/mallory" % ACCOUNT
INTERVAL = 60


def envelope(event_name, request, who=MALLORY_ARN, agent="aws-cli/2.15.0",
             read_only=False, region="us-east-1"):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({
        "version": "0", "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
        "account": ACCOUNT, "time": now, "region": region, "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAMALLORY",
                             "arn": who, "accountId": ACCOUNT,
                             "accessKeyId": MALLORY[0], "userName": "mallory"},
            "eventTime": now, "eventSource": "ec2.amazonaws.com",
            "eventName": event_name, "awsRegion": region,
            "sourceIPAddress": "203.0.113.7", "userAgent": agent,
            "requestParameters": request, "responseElements": {"_return": True},
            "requestID": str(uuid.uuid4()), "eventID": str(uuid.uuid4()),
            "readOnly": read_only, "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": ACCOUNT}})


def create_tags_request(resource_id, value):
    # CreateTags as CloudTrail records it (EC2's own request shape).
    return {"resourcesSet": {"items": [{"resourceId": resource_id}]},
            "tagSet": {"items": [{"key": "Name", "value": value}]}}


class EventsDaemon(test_daemon.Daemon):
    """test_daemon's runner with settings.event_queues and a 60 s poll."""

    queues = ()

    def write(self, **cfg):
        # One rename: a config change is one reload.
        doc = json.loads(test_daemon.config_text(self.env, self.topic, self.cidr, **cfg))
        doc["settings"]["event_queues"] = list(self.queues)
        path = os.path.join(self.cfg, "main.json")
        with open(path + ".new", "w") as f:
            json.dump(doc, f)
        os.chmod(path + ".new", 0o600)
        os.rename(path + ".new", path)

    def start(self, interval=INTERVAL):
        self.notify = test_daemon.NotifySocket(
            os.path.join(self.tmp, "notify-%d" % time.monotonic_ns()))
        self.log = open(os.path.join(self.tmp, "daemon.log"), "a")
        self.proc = subprocess.Popen(
            [driftdtest.DRIFTD, "run", "--config", self.cfg, "--state-dir",
             self.state, "--interval", str(interval)],
            env=self.fake.env(NOTIFY_SOCKET=self.notify.path),
            stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def events(self):
        st = self.ctl("status")
        return st.get("events") if st else None

    def reads(self, operation):
        return [c for c in self.fake.control(
            "GET", "calls?service=ec2&operation=" + operation +
            "&access_key=" + driftdtest.ACCESS_KEY)["calls"]]


class EventsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake = driftdtest.FakeAWS()
        cls.fake.control("POST", "keys", {"user": "mallory", "access_key": MALLORY[0],
                                          "secret_key": MALLORY[1]})
        kw = dict(endpoint_url=cls.fake.url, region_name="us-east-1")
        own = dict(kw, aws_access_key_id=driftdtest.ACCESS_KEY,
                   aws_secret_access_key=driftdtest.SECRET_KEY)
        cls.ec2 = boto3.client("ec2", **own)
        # SQS speaks JSON in AWS's current models (the fake's), not in
        # Debian's botocore 1.29 ones.
        core = botocore.session.get_session()
        core.set_config_variable("data_path", driftdtest.FAKE_MODELS)
        cls.sqs = boto3.session.Session(botocore_session=core).client("sqs", **own)
        cls.mallory = boto3.client("ec2", aws_access_key_id=MALLORY[0],
                                   aws_secret_access_key=MALLORY[1], **kw)
        cls.topic = driftdtest.aws_cli(
            cls.fake, ["sns", "create-topic", "--name", "driftd-alerts"])["TopicArn"]

    @classmethod
    def tearDownClass(cls):
        for c in (cls.ec2, cls.sqs, cls.mallory):
            c.close()
        cls.fake.stop()

    def client(self, service):
        core = botocore.session.get_session()
        core.set_config_variable("data_path", driftdtest.FAKE_MODELS)
        c = boto3.session.Session(botocore_session=core).client(
            service, endpoint_url=self.fake.url, region_name="us-east-1",
            aws_access_key_id=driftdtest.ACCESS_KEY,
            aws_secret_access_key=driftdtest.SECRET_KEY)
        self.addCleanup(c.close)
        return c

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def daemon(self, env, cidr, queues, **cfg):
        EventsDaemon.queues = queues
        return EventsDaemon(self, self.fake, env, self.topic, cidr, **cfg)

    def test_a_change_with_another_key_is_reverted_before_the_next_poll(self):
        url, arn = self.queue("e2e-events")
        d = self.daemon("e2e-events", "10.61.0.0/16", [arn]).start()
        self.assertTrue(d.ready(), d.logtext())
        self.assertTrue(wait_for(lambda: (d.events() or {}).get("queues", [{}])[0]
                                 .get("state") == "polling", 5), d.logtext())
        vpc_id = d.vpc()["VpcId"]

        # Someone else's change, and the event AWS would deliver for it.
        self.mallory.create_tags(Resources=[vpc_id],
                                 Tags=[{"Key": "Name", "Value": "by-mallory"}])
        changed = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody=envelope(
            "CreateTags", create_tags_request(vpc_id, "by-mallory")))
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-events", 5,
                                 step=0.05), d.logtext())
        took = time.monotonic() - changed
        self.assertLess(took, 5, d.logtext())

        # Who changed it, from the event: no LookupEvents needed.
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 5), d.logtext())
        alert = d.alerts("drift")[0]
        self.assertIn("Changed by " + MALLORY_ARN + " (CreateTags at ", alert["Message"])
        details = json.loads(alert["Message"].split("\nDetails:\n", 1)[1])
        self.assertEqual(details["attribution"]["attribution"], "found")
        self.assertEqual(details["attribution"]["changed_by"]["source_ip"], "203.0.113.7")
        self.assertEqual(self.fake.control("GET", "calls?service=cloudtrail")["calls"], [])
        hist = driftdtest.driftd(["drift", "--history", "--state-dir", d.state,
                                  "--json"], self.fake.env())
        recs = json.loads(hist.stdout)
        self.assertEqual(len(recs), 1, recs)
        self.assertEqual(recs[0]["changed_by"]["principal"], MALLORY_ARN)
        self.assertIn("changed_by=" + MALLORY_ARN, d.logtext())
        self.assertIn("cloudtrail_event=CreateTags", d.logtext())

        ev = d.events()
        self.assertEqual((ev["received"], ev["matched"], ev["ignored"]), (1, 1, 0), ev)
        self.assertEqual(ev["queues"][0]["queue"], arn)
        # The message was deleted once handled: nothing comes back.
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0")
        # driftd's status says event mode; the human form too
        text = driftdtest.driftd(["status", "--state-dir", d.state], self.fake.env()).stdout
        self.assertIn("Event-driven mode: 1 events received, 1 matched", text)
        self.assertIn("queue " + arn + ": polling", text)

        # An event that touches nothing managed, driftd's own write and a
        # read cause no read at all.
        self.fake.control("DELETE", "calls")
        for body in (envelope("CreateTags", create_tags_request("vpc-0notmanaged", "x")),
                     envelope("CreateTags", create_tags_request(vpc_id, "e2e-events"),
                              agent="driftd/0.1 (own write)"),
                     envelope("DescribeVpcs", {"vpcSet": {"items": [{"vpcId": vpc_id}]}},
                              read_only=True)):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertTrue(wait_for(lambda: d.events()["ignored"] == 3, 5), d.events())
        time.sleep(0.5)     # a run would have started within 200 ms
        self.assertEqual(d.reads("DescribeVpcs"), [])
        self.assertEqual(d.events()["matched"], 1)

        # SIGTERM while a 20 s long poll is out: out at once, status 0.
        time.sleep(1)
        rc, took = d.stop()
        self.assertEqual(rc, 0, d.logtext())
        self.assertLess(took, 2, d.logtext())

    def test_events_the_fakes_eventbridge_rule_delivers_are_reverted_at_once(self):
        # AWS's chain, as the fake emulates it: a logging trail, a rule
        # for EC2's API calls, a queue whose policy lets the rule send.
        rule = "e2e-drift-events"
        rule_arn = "arn:aws:events:us-east-1:%s:rule/%s" % (ACCOUNT, rule)
        trail_arn = "arn:aws:cloudtrail:us-east-1:%s:trail/e2e-main" % ACCOUNT
        bucket = "e2e-events-trail-logs"
        s3 = self.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::" + bucket},
                {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::%s/AWSLogs/%s/*" % (bucket, ACCOUNT),
                 "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                                "aws:SourceArn": trail_arn}}}]}))
        ct = self.client("cloudtrail")
        ct.create_trail(Name="e2e-main", S3BucketName=bucket, IsMultiRegionTrail=True)
        ct.start_logging(Name="e2e-main")
        url, arn = self.queue("e2e-delivered")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage", "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})
        ev = self.client("events")
        ev.put_rule(Name=rule, State="ENABLED", EventPattern=json.dumps({
            "source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"]}))
        ev.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": arn}])

        d = self.daemon("e2e-delivered", "10.63.0.0/16", [arn]).start()
        self.assertTrue(d.ready(), d.logtext())
        self.assertTrue(wait_for(lambda: (d.events() or {}).get("queues", [{}])[0]
                                 .get("state") == "polling", 5), d.logtext())
        # Its own creates of the first cycle came as events too (ignored).
        self.assertTrue(wait_for(lambda: d.events()["received"] == len(
            self.fake.control("GET", "events")["deliveries"]), 5))
        before = d.events()
        self.assertEqual(before["matched"], 0)
        self.fake.control("DELETE", "events")
        self.mallory.create_tags(Resources=[d.vpc()["VpcId"]],
                                 Tags=[{"Key": "Name", "Value": "by-mallory"}])
        changed = time.monotonic()
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-delivered", 5,
                                 step=0.05), d.logtext())
        self.assertLess(time.monotonic() - changed, 5)
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 5), d.logtext())
        self.assertIn("Changed by " + MALLORY_ARN + " (CreateTags at ",
                      d.alerts("drift")[0]["Message"])
        # driftd's own revert was delivered too, and ignored as its own.
        outcomes = [(e["eventName"], e["outcome"])
                    for e in self.fake.control("GET", "events")["deliveries"]]
        self.assertEqual(outcomes.count(("CreateTags", "delivered")), 2, outcomes)
        delivered = [e for e in self.fake.control("GET", "events")["deliveries"]
                     if e["outcome"] == "delivered"]
        self.assertTrue(wait_for(lambda: d.events()["received"] - before["received"] ==
                                 len(delivered), 5), (d.events(), delivered))
        self.assertEqual((d.events()["matched"], d.events()["ignored"] - before["ignored"]),
                         (1, len(delivered) - 1), delivered)
        rc, _ = d.stop()
        self.assertEqual(rc, 0)

    def test_a_full_cycle_due_during_an_events_run_waits_and_events_go_on(self):
        url, arn = self.queue("e2e-behind")
        d = self.daemon("e2e-behind", "10.64.0.0/16", [arn], other="10.67.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        vpc_id = d.vpc()["VpcId"]
        # The event's read is slow: a full cycle asked for meanwhile
        # (driftd reconcile) waits behind it.
        self.fake.control("POST", "faults", {"service": "ec2", "operation": "DescribeVpcs",
                                             "kind": "latency", "ms": 1500})
        self.addCleanup(self.fake.control, "DELETE", "faults")
        cycles = d.ctl("status")["cycles"]
        for value in ("first", "second"):
            self.mallory.create_tags(Resources=[vpc_id],
                                     Tags=[{"Key": "Name", "Value": value}])
            self.sqs.send_message(QueueUrl=url, MessageBody=envelope(
                "CreateTags", create_tags_request(vpc_id, value)))
            if value == "first":
                self.assertTrue(wait_for(lambda: d.ctl("status")["cycle_running"], 3))
                self.assertTrue(d.ctl("reconcile")["ok"])
            self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-behind", 10),
                            d.logtext())
        # the event's run, the full cycle behind it, the second event's run
        self.assertTrue(wait_for(lambda: d.ctl("status")["cycles"] >= cycles + 3, 10))
        self.assertEqual(d.events()["matched"], 2)
        self.assertEqual(d.events()["runs"], 2)
        # The estate's gauges come from full cycles only: an event's run
        # of one of the two VPCs does not make it an estate of one.
        self.assertTrue(wait_for(lambda: len(d.metric("ActionsSucceeded")) >= 4, 5))
        self.assertEqual(set(d.metric("ManagedResources")), {2}, d.metric("ManagedResources"))
        rc, _ = d.stop()
        self.assertEqual(rc, 0)

    def test_a_config_edit_moves_the_poll_to_the_new_queue(self):
        url_a, arn_a = self.queue("e2e-move-a")
        url_b, arn_b = self.queue("e2e-move-b")
        d = self.daemon("e2e-move", "10.65.0.0/16", [arn_a]).start()
        self.assertTrue(d.ready(), d.logtext())
        self.assertTrue(wait_for(lambda: d.events()["queues"][0]["state"] == "polling", 5))
        d.queues = [arn_b]
        d.write()
        self.assertTrue(wait_for(lambda: [q["queue"] for q in d.events()["queues"]] == [arn_b]
                                 and d.events()["queues"][0]["state"] == "polling", 5),
                        (d.events(), d.logtext()))
        self.assertIn("Event queue %s: polling -> retired: settings.event_queues changed"
                      % arn_a, d.logtext())
        vpc_id = d.vpc()["VpcId"]
        self.mallory.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "x"}])
        self.sqs.send_message(QueueUrl=url_b, MessageBody=envelope(
            "CreateTags", create_tags_request(vpc_id, "x")))
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-move", 5), d.logtext())
        # Nothing polls the old queue any more (the poll that was out on
        # it when the config changed may still be answered: the old
        # session is held until then), while B's polls go on.
        since = time.time()
        for n in (1, 2):
            self.sqs.send_message(QueueUrl=url_b, MessageBody="{}")
            self.assertTrue(wait_for(lambda: d.events()["malformed"] == n, 3))
        polls = [c for c in self.fake.control("GET", "calls?service=sqs&operation=ReceiveMessage")
                 ["calls"] if c["started"] >= since]
        self.assertTrue(polls)
        self.assertEqual({c["parameters"]["QueueUrl"] for c in polls}, {url_b}, polls)
        rc, _ = d.stop()
        self.assertEqual(rc, 0)

    def test_with_a_lease_only_the_holder_polls_and_the_standby_takes_over(self):
        import test_lease

        url, arn = self.queue("e2e-pair")

        class Pair(test_lease.PairDaemon):
            def write(self, **cfg):
                super().write(**cfg)
                path = os.path.join(self.cfg, "main.json")
                with open(path) as f:
                    doc = json.load(f)
                doc["settings"]["event_queues"] = [arn]
                with open(path + ".new", "w") as f:
                    json.dump(doc, f)
                os.chmod(path + ".new", 0o600)
                os.rename(path + ".new", path)

        sts = self.client("sts")
        other = sts.assume_role(RoleArn="arn:aws:iam::%s:role/driftd-standby" % ACCOUNT,
                                RoleSessionName="standby")["Credentials"]
        a = Pair(self, self.fake, "e2e-pair", self.topic, "10.66.0.0/16",
                 driftdtest.ACCESS_KEY, driftdtest.SECRET_KEY)
        b = Pair(self, self.fake, "e2e-pair", self.topic, "10.66.0.0/16",
                 other["AccessKeyId"], other["SecretAccessKey"], other["SessionToken"])
        a.start()
        self.assertTrue(wait_for(a.holds, 20), a.logtext())
        self.assertTrue(a.ready(), a.logtext())
        b.start()
        self.assertTrue(b.ready(), b.logtext())
        state = lambda d: (d.ctl("status") or {}).get("events", {}).get(
            "queues", [{}])[0].get("state")
        self.assertTrue(wait_for(lambda: state(a) == "polling", 5), a.logtext())
        self.assertTrue(wait_for(lambda: state(b) == "standby", 5), b.logtext())
        # Only the writer takes messages: the standby never asks.
        self.sqs.send_message(QueueUrl=url, MessageBody="{}")
        self.assertTrue(wait_for(lambda: a.ctl("status")["events"]["malformed"] == 1, 5))
        self.assertEqual(b.ctl("status")["events"]["received"], 0)
        self.assertEqual([c for c in self.fake.calls(service="sqs", operation="ReceiveMessage")
                          if c.get("access_key") == other["AccessKeyId"]], [])
        # The holder stops (and releases the lease): the standby polls.
        self.assertEqual(a.stop()[0], 0)
        self.assertTrue(wait_for(lambda: state(b) == "polling", test_lease.TAKEOVER + 3),
                        b.logtext())
        # (The stopped holder's poll was cancelled, not answered: one
        # SQS hands a message to may hide it for the 10 s visibility
        # timeout driftd asks.)
        self.sqs.send_message(QueueUrl=url, MessageBody="{}")
        self.assertTrue(wait_for(lambda: b.ctl("status")["events"]["malformed"] == 1, 15))
        self.assertEqual(b.stop()[0], 0)

    def test_a_queue_that_does_not_exist_is_reported_and_polling_goes_on(self):
        missing = "arn:aws:sqs:us-east-1:%s:e2e-no-such-queue" % ACCOUNT
        d = self.daemon("e2e-noqueue", "10.62.0.0/16", [missing])
        d.start(interval=1)
        self.assertTrue(d.ready(), d.logtext())
        self.assertTrue(wait_for(lambda: "The event queue " + missing +
                                 " cannot be read" in d.logtext(), 5), d.logtext())
        self.assertIn("QueueDoesNotExist", d.logtext())
        q = d.events()["queues"][0]
        self.assertEqual(q["queue"], missing)
        self.assertIn(q["state"], ("backing off", "getting its URL"))
        self.assertIn("GetQueueUrl failed", q["error"])
        # the poll goes on, and drift is still reverted by it
        cycles = d.ctl("status")["cycles"]
        self.assertTrue(wait_for(lambda: d.ctl("status")["cycles"] >= cycles + 2, 6))
        self.mallory.create_tags(Resources=[d.vpc()["VpcId"]],
                                 Tags=[{"Key": "Name", "Value": "x"}])
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-noqueue", 5), d.logtext())
        rc, _ = d.stop()
        self.assertEqual(rc, 0)


if __name__ == "__main__":
    unittest.main()
