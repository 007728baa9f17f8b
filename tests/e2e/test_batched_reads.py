"""Reads are batched, issue 4's acceptance: with 500 security groups under
management, one `driftd plan` reads them all in a handful of
DescribeSecurityGroups calls, counted in the fake's call log.

Terraform's AWS provider refreshes each aws_security_group on its own, one
DescribeSecurityGroups with GroupIds=[id] per group: 500 calls for this
config. driftd makes one filtered, paginated read per (type, region)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import FakeAWS, boto_client, driftd_at, write_config  # noqa: E402

GROUPS = 500


def config():
    resources = {"ec2.vpc.main": {"CidrBlock": "10.80.0.0/16"}}
    for i in range(GROUPS):
        resources["ec2.security_group.g%03d" % i] = {
            "GroupName": "batch-%03d" % i, "Description": "group %d" % i,
            "VpcId": "${ec2.vpc.main.VpcId}",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 1000 + i, "ToPort": 1000 + i,
                               "IpRanges": [{"CidrIp": "10.80.0.0/16"}]}],
        }
    return {"settings": {"environment": "batch", "region": "us-east-1"},
            "resources": resources}


class BatchedReadsTest(unittest.TestCase):
    def setUp(self):
        # AWS answers DescribeSecurityGroups with every group when the
        # request sets no MaxResults, and pages of up to 1000 when it does;
        # the fake's default page of 5 is there to exercise pagination.
        self.fake = FakeAWS(extra_args=["--page-size", "1000"])
        self.tmp = tempfile.TemporaryDirectory(prefix="driftd-batch-")
        self.config = write_config(self.tmp.name, config())
        self.state = os.path.join(self.tmp.name, "state")

    def tearDown(self):
        self.fake.stop()
        self.tmp.cleanup()

    def test_a_plan_of_500_security_groups_reads_them_in_a_handful_of_calls(self):
        p = driftd_at(self.config, self.state, ["apply", "--auto-approve"], self.fake.env(),
                      timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        self.fake.clear_calls()
        p = driftd_at(self.config, self.state, ["plan", "--json"], self.fake.env())
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        plan = json.loads(p.stdout)
        # Every group was read and found as configured, rules included.
        self.assertEqual(plan["summary"]["in_sync"], GROUPS + 1, plan["summary"])
        reads = [c["operation"] for c in self.fake.calls(service="ec2")]
        self.assertLessEqual(reads.count("DescribeSecurityGroups"), 5, reads)
        self.assertLessEqual(len(reads), 10, reads)

        # The same single read sees drift on any one of them.
        gid = [r["id"] for r in plan["resources"] if r["address"] == "ec2.security_group.g250"][0]
        ec2 = boto_client(self.fake, "ec2")
        self.addCleanup(ec2.close)
        ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1250, "ToPort": 1250,
             "IpRanges": [{"CidrIp": "10.80.0.0/16"}]}])
        self.fake.clear_calls()
        p = driftd_at(self.config, self.state, ["plan", "--json"], self.fake.env())
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        changed = [r["address"] for r in json.loads(p.stdout)["resources"]
                   if r["action"] != "in sync"]
        self.assertEqual(changed, ["ec2.security_group.g250"])
        reads = [c["operation"] for c in self.fake.calls(service="ec2")]
        self.assertLessEqual(reads.count("DescribeSecurityGroups"), 5, reads)


if __name__ == "__main__":
    unittest.main()
