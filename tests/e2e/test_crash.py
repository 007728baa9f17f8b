"""Crash safety, issue 4's acceptance: `driftd apply` killed with SIGKILL at
random points, then run again to completion, leaves no duplicate resource
and no orphan. Each trial starts from an empty fake AWS and a fresh state
directory, kills apply one to three times at random delays within the time
an uninterrupted apply takes, then lets it finish.

The delays come from a seeded generator; the seed is printed, and
DRIFTD_CRASH_SEED=N reruns the same delays (the timing of the run itself
still varies)."""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import DRIFTD, FakeAWS, driftd_at, write_config  # noqa: E402

ENV = "crash"
TRIALS = 20

CONFIG = {
    "settings": {"environment": ENV, "region": "us-east-1"},
    "resources": {
        "ec2.vpc.main": {"CidrBlock": "10.70.0.0/16", "Tags": {"Name": "crash"}},
        "ec2.subnet.a": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.70.1.0/24",
                         "AvailabilityZone": "us-east-1a"},
        "ec2.subnet.b": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.70.2.0/24",
                         "AvailabilityZone": "us-east-1b"},
        "ec2.internet_gateway.main": {"VpcId": "${ec2.vpc.main.VpcId}"},
        "ec2.eip.nat": {"Domain": "vpc"},
        "ec2.nat_gateway.main": {"SubnetId": "${ec2.subnet.a.SubnetId}",
                                 "AllocationId": "${ec2.eip.nat.AllocationId}"},
        "ec2.route_table.private": {
            "VpcId": "${ec2.vpc.main.VpcId}",
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": "${ec2.nat_gateway.main.NatGatewayId}"}],
            "SubnetIds": ["${ec2.subnet.b.SubnetId}"]},
        "ec2.security_group.app": {
            "GroupName": "crash-app", "Description": "app", "VpcId": "${ec2.vpc.main.VpcId}",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                               "IpRanges": [{"CidrIp": "10.70.0.0/16"}]}]},
        "iam.policy.app": {"PolicyName": "crash-app", "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}},
        "iam.role.app": {"RoleName": "crash-app", "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": ["${iam.policy.app.Arn}"]},
        "iam.instance_profile.app": {"InstanceProfileName": "crash-app",
                                     "Roles": ["${iam.role.app.RoleName}"]},
    },
}

# How many of each the fake may hold once the config has converged: what
# the config asks for, plus the main route table and the default security
# group AWS makes with every VPC. Counted over the fake's whole state, not
# only what carries driftd's tags, so an untagged leftover counts too.
EXPECTED = {"vpc": 1, "subnet": 2, "igw": 1, "eip": 1, "nat": 1, "rtb": 2, "sg": 2,
            "iam_role": 1, "iam_policy": 1, "iam_profile": 1}


class CrashTest(unittest.TestCase):
    def setUp(self):
        # NAT gateways are pending for 5 fake seconds: 0.25 s here.
        self.fake = FakeAWS(extra_args=["--time-scale", "20"])
        self.tmp = tempfile.TemporaryDirectory(prefix="driftd-crash-")
        self.config = write_config(self.tmp.name, CONFIG)
        self.env = self.fake.env()

    def tearDown(self):
        self.fake.stop()
        self.tmp.cleanup()

    def census(self):
        state = self.fake.control("GET", "state")["resources"]
        out = {}
        for table in EXPECTED:
            rows = state.get(table, {}).values()
            out[table] = sum(1 for r in rows if r.get("State") != "deleted")
        return out

    def kill_after(self, state, delay):
        """Starts apply, SIGKILLs it after delay s; True if it was still
        running then."""
        proc = subprocess.Popen([DRIFTD, "apply", "--auto-approve", "--config", self.config,
                                 "--state-dir", state], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        running = proc.poll() is None
        proc.kill()
        proc.wait()
        return running

    def finish_and_check(self, state, what):
        p = driftd_at(self.config, state, ["apply", "--auto-approve"], self.env)
        self.assertEqual(p.returncode, 0, what + p.stdout + p.stderr)
        self.assertEqual(self.census(), EXPECTED, what)
        p = driftd_at(self.config, state, ["plan", "--json"], self.env)
        self.assertEqual(p.returncode, 0, what + p.stdout + p.stderr)
        summary = json.loads(p.stdout)
        not_in_sync = [(r["address"], r["action"]) for r in summary["resources"]
                       if r["action"] != "in sync"]
        self.assertEqual(not_in_sync, [], what)
        self.assertEqual(summary["summary"]["orphan"], 0, what)
        p = driftd_at(self.config, state, ["plan", "--detailed-exitcode"], self.env)
        self.assertEqual(p.returncode, 0, what + p.stdout + p.stderr)

    def test_sigkilled_apply_rerun_leaves_no_duplicate_and_no_orphan(self):
        seed = int(os.environ.get("DRIFTD_CRASH_SEED") or time.time_ns() % 1000000)
        print("crash test: DRIFTD_CRASH_SEED=%d" % seed, file=sys.stderr, flush=True)
        rng = random.Random(seed)

        # How long an uninterrupted apply from empty takes, to aim the
        # kills; the second time, when the fake has loaded its models.
        self.finish_and_check(os.path.join(self.tmp.name, "state-warm"), "seed %d, no kill: " % seed)
        self.fake.control("POST", "state", {"reset": True})
        start = time.monotonic()
        p = driftd_at(self.config, os.path.join(self.tmp.name, "state-0"),
                      ["apply", "--auto-approve"], self.env)
        full = time.monotonic() - start
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        interrupted = retries = 0
        for trial in range(1, TRIALS + 1):
            delays = [round(rng.uniform(0.0, full), 3) for _ in range(rng.randint(1, 3))]
            # The first kill of a trial must land while apply works: if
            # apply was done by then, start the trial again, aiming sooner.
            attempt = 0
            while True:
                self.fake.control("POST", "state", {"reset": True})
                state = os.path.join(self.tmp.name, "state-%d-%d" % (trial, attempt))
                if self.kill_after(state, delays[0]):
                    break
                attempt += 1
                retries += 1
                delays[0] = round(delays[0] / 2, 3)
            interrupted += 1
            for delay in delays[1:]:
                interrupted += self.kill_after(state, delay)
            self.finish_and_check(state, "seed %d, trial %d, kills after %s s: "
                                  % (seed, trial, delays))
        print("crash test: %d trials, %d applies killed mid-run, %d restarted trials; "
              "a full apply takes %.2f s" % (TRIALS, interrupted, retries, full),
              file=sys.stderr, flush=True)
        self.assertGreaterEqual(interrupted, TRIALS)


if __name__ == "__main__":
    unittest.main()
