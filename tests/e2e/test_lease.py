"""End to end: two `driftd run` daemons on one environment with
settings.lease, against the fake's DynamoDB. One holds the lease and
writes; the other reads, plans and reports but never writes, and takes
over once the holder is gone (SIGKILLed mid-apply) or cut off from
DynamoDB (a partition: its DynamoDB calls fail while EC2 still answers).
The daemons sign with different access keys (the second with keys from
STS AssumeRole), so the fake's call log tells whose every write was."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import boto3  # noqa: E402
import driftdtest  # noqa: E402
import test_daemon  # noqa: E402
from test_daemon import Daemon, wait_for  # noqa: E402

DURATION = 4          # settings.lease.duration_s
MARGIN = 1.0          # lease_margin_ms(4): at least 1 s
PERIOD = DURATION / 3.0
# The longest a standby can need: it must see the same version for
# duration + margin, and reads every period.
TAKEOVER = DURATION + MARGIN + PERIOD + 1.5
WRITE_PREFIXES = ("Create", "Delete", "Modify", "Authorize", "Revoke",
                  "Associate", "Attach", "Replace")


class PairDaemon(Daemon):
    """A daemon whose config holds settings.lease, signing with its own
    access key."""

    def __init__(self, test, fake, env, topic, cidr, key, secret, token=None,
                 **cfg):
        self.key, self.secret, self.token = key, secret, token
        super().__init__(test, fake, env, topic, cidr, **cfg)

    def write(self, **cfg):
        doc = json.loads(test_daemon.config_text(self.env, self.topic,
                                                 self.cidr, **cfg))
        doc["settings"]["lease"] = {"table": "driftd-lease",
                                    "create_table": True,
                                    "duration_s": DURATION}
        path = os.path.join(self.cfg, "main.json")
        with open(path + ".new", "w") as f:
            json.dump(doc, f, indent=2)
        os.chmod(path + ".new", 0o600)
        os.rename(path + ".new", path)

    def start(self, **env):
        return super().start(AWS_ACCESS_KEY_ID=self.key,
                             AWS_SECRET_ACCESS_KEY=self.secret,
                             AWS_SESSION_TOKEN=self.token, **env)

    def lease(self):
        st = self.ctl("status")
        return (st or {}).get("lease") or {}

    def holds(self):
        return self.lease().get("holder") is True


class LeaseTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # The same fake, EC2 client and alert topic as test_daemon's.
        test_daemon.DaemonTest.setUpClass.__func__(cls)
        sts = boto3.client(
            "sts", endpoint_url=cls.fake.url, region_name="us-east-1",
            aws_access_key_id=driftdtest.ACCESS_KEY,
            aws_secret_access_key=driftdtest.SECRET_KEY)
        cls.other = sts.assume_role(
            RoleArn="arn:aws:iam::123456789012:role/driftd-standby",
            RoleSessionName="standby")["Credentials"]
        # Changes by hand come with keys of their own, apart from both
        # daemons'.
        hand = sts.assume_role(
            RoleArn="arn:aws:iam::123456789012:role/operator",
            RoleSessionName="operator")["Credentials"]
        cls.hand = boto3.client(
            "ec2", endpoint_url=cls.fake.url, region_name="us-east-1",
            aws_access_key_id=hand["AccessKeyId"],
            aws_secret_access_key=hand["SecretAccessKey"],
            aws_session_token=hand["SessionToken"])

    @classmethod
    def tearDownClass(cls):
        test_daemon.DaemonTest.tearDownClass.__func__(cls)

    def pair(self, env, cidr, **cfg):
        a = PairDaemon(self, self.fake, env, self.topic, cidr,
                       driftdtest.ACCESS_KEY, driftdtest.SECRET_KEY, **cfg)
        b = PairDaemon(self, self.fake, env, self.topic, cidr,
                       self.other["AccessKeyId"],
                       self.other["SecretAccessKey"],
                       self.other["SessionToken"], **cfg)
        a.start()
        self.assertTrue(wait_for(a.holds, 20), a.logtext())
        self.assertTrue(a.ready(), a.logtext())
        b.start()
        self.assertTrue(b.ready(), b.logtext())
        return a, b

    def writes(self, key, since=0.0):
        return [c for c in self.fake.calls(service="ec2")
                if c.get("access_key") == key and c["started"] >= since and
                c["operation"].startswith(WRITE_PREFIXES) and
                c["status"] == 200]

    def tamper(self, d, value):
        self.hand.create_tags(Resources=[d.vpc()["VpcId"]],
                             Tags=[{"Key": "Name", "Value": value}])

    def test_driftd_policy_allows_the_lease_table_and_nothing_more(self):
        d = PairDaemon(self, self.fake, "e2e-policy", self.topic,
                       "10.63.0.0/16", driftdtest.ACCESS_KEY,
                       driftdtest.SECRET_KEY)
        p = driftdtest.driftd(["policy", "--account", "123456789012",
                               "--config", d.cfg], self.fake.env())
        self.assertEqual(p.returncode, 0, p.stderr)
        st = [s for s in json.loads(p.stdout)["Statement"]
              if any(a.startswith("dynamodb:") for a in
                     (s["Action"] if isinstance(s["Action"], list)
                      else [s["Action"]]))]
        self.assertEqual(st, [{
            "Sid": "DynamoDbLease", "Effect": "Allow",
            "Action": ["dynamodb:DescribeTable", "dynamodb:GetItem",
                       "dynamodb:UpdateItem", "dynamodb:CreateTable"],
            "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:"
                         "table/driftd-lease"]}])

    def test_holder_killed_mid_apply_the_standby_takes_over_and_nothing_is_written_twice(self):
        t0 = time.time()
        a, b = self.pair("e2e-pair", "10.61.0.0/16")
        lb = b.lease()
        self.assertEqual(lb["state"], "standby", lb)
        self.assertEqual(lb["owner"], a.lease()["me"])
        self.assertEqual(lb["fencing_counter"], 1)
        # The standby sees the drift and reports it, but never writes.
        self.tamper(a, "by-hand")
        self.assertTrue(wait_for(lambda: a.name_tag() == "e2e-pair", 10))
        self.assertEqual(self.writes(b.key, since=t0), [])
        text = driftdtest.driftd(["status", "--state-dir", b.state],
                                 self.fake.env()).stdout
        self.assertIn("this daemon does not hold it and only reads", text)
        self.assertIn("fencing counter 1", text)
        # A change the standby holds back shows as such.
        b.write(other="10.61.200.0/24")
        self.assertTrue(wait_for(lambda: {
            r["address"]: r["state"] for r in
            (b.ctl("status") or {}).get("resources", [])}.get(
                "ec2.vpc.other") == "standby", 10), b.ctl("status"))
        held = [r for r in b.ctl("drift")["drift"]
                if r["address"] == "ec2.vpc.other"]
        self.assertEqual([(r["action"], r["state"]) for r in held],
                         [("create", "standby")], b.ctl("drift"))
        b.write()

        # The holder is killed while its CreateSubnet is in flight.
        self.fake.fault(service="ec2", operation="CreateSubnet",
                        kind="latency", ms=1500)
        try:
            a.write(subnet="10.61.1.0/24")
            b.write(subnet="10.61.1.0/24")
            self.assertTrue(wait_for(lambda: "ec2.subnet.a: Creating"
                                     in a.logtext(), 10), a.logtext())
            a.proc.kill()
            killed = time.time()
            a.proc.wait()
            self.assertTrue(wait_for(b.holds, TAKEOVER), b.logtext())
            took = time.time() - killed
        finally:
            self.fake.clear_faults()
        self.assertLess(took, TAKEOVER)
        self.assertEqual(b.lease()["fencing_counter"], 2)
        self.assertIn("Lease: standby -> acquiring", b.logtext())

        def subnets():
            return self.ec2.describe_subnets(Filters=[
                {"Name": "cidr-block", "Values": ["10.61.1.0/24"]}])["Subnets"]
        self.assertTrue(wait_for(subnets, 10))
        # The new holder writes: a drift made now is reverted by it.
        self.tamper(b, "by-hand-again")
        self.assertTrue(wait_for(lambda: b.name_tag() == "e2e-pair", 10))
        time.sleep(1.5)
        self.assertEqual(len(subnets()), 1, subnets())
        self.assertEqual(len(self.ec2.describe_vpcs(Filters=[
            {"Name": "tag:driftd:env", "Values": ["e2e-pair"]}])["Vpcs"]), 1)
        a_writes = self.writes(a.key, since=t0)
        b_writes = self.writes(b.key, since=t0)
        self.assertTrue(b_writes)
        # Every write of the standby came after the holder was gone, and
        # no resource was created twice.
        self.assertTrue(all(c["started"] > killed for c in b_writes),
                        b_writes)
        creates = [c for c in a_writes + b_writes
                   if c["operation"] in ("CreateSubnet", "CreateVpc")]
        self.assertEqual(sorted(c["operation"] for c in creates),
                         ["CreateSubnet", "CreateVpc"], creates)
        self.assertEqual(b.stop()[0], 0)

    def test_a_holder_cut_off_from_dynamodb_stops_writing_and_the_other_takes_over(self):
        a, b = self.pair("e2e-partition", "10.62.0.0/16")
        self.fake.fault(service="dynamodb", kind="error",
                        access_key=a.key)
        try:
            cut = time.time()
            self.assertTrue(wait_for(lambda: "holder -> lost"
                                     in a.logtext(), DURATION + 2),
                            a.logtext())
            lost = time.time()
            self.assertLess(lost - cut, DURATION)
            self.assertTrue(wait_for(b.holds, TAKEOVER + 1), b.logtext())
            self.assertFalse(a.holds())
            # The partitioned daemon still reads EC2 and sees the drift,
            # but only the holder reverts it.
            self.tamper(b, "by-hand")
            self.assertTrue(wait_for(lambda: b.name_tag() ==
                                     "e2e-partition", 10))
            time.sleep(1.5)
            self.assertEqual(self.writes(a.key, since=lost), [])
            self.assertTrue(self.writes(b.key, since=lost))
        finally:
            self.fake.clear_faults()
        # Healed: the old holder sees the new one and stays standby.
        self.assertTrue(wait_for(lambda: a.lease().get("state") ==
                                 "standby", DURATION + 2), a.logtext())
        self.assertTrue(b.holds())
        self.assertEqual(b.lease()["fencing_counter"], 2)
        # A holder stopping releases the lease: the other takes it at
        # once rather than after the lease time.
        rc, _ = b.stop()
        self.assertEqual(rc, 0)
        stopped = time.time()
        # (without the release: at least DURATION + MARGIN)
        self.assertTrue(wait_for(a.holds, DURATION + MARGIN / 2),
                        a.logtext())
        self.assertLess(time.time() - stopped, DURATION + MARGIN / 2)
        self.assertEqual(a.lease()["fencing_counter"], 3)
        self.assertEqual(a.stop()[0], 0)

    def test_a_standby_stops_at_once_with_a_lease_call_in_flight(self):
        a, b = self.pair("e2e-standby-stop", "10.64.0.0/16")
        self.fake.fault(service="dynamodb", kind="latency", ms=4000,
                        access_key=b.key)
        try:
            time.sleep(PERIOD + 0.5)     # its next read is in flight
            rc, took = b.stop()
        finally:
            self.fake.clear_faults()
        self.assertEqual(rc, 0)
        self.assertLess(took, 2.5, b.logtext())
        self.assertTrue(a.holds())
        self.assertEqual(a.stop()[0], 0)


if __name__ == "__main__":
    unittest.main()
