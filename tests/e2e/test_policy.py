"""driftd policy: the IAM actions driftd needs are exactly those of the
types a config uses, plus what it calls to report."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, driftd  # noqa: E402

REPORTING = {"sts:GetCallerIdentity", "cloudwatch:PutMetricData", "sns:Publish",
             "cloudtrail:LookupEvents"}


class PolicyCommandTest(unittest.TestCase):
    def policy(self, resources):
        with tempfile.TemporaryDirectory(prefix="driftd-policy-") as tmp:
            with open(os.path.join(tmp, "main.json"), "w") as f:
                json.dump({"settings": {"environment": "t", "region": "us-east-1"},
                           "resources": resources}, f)
            p = driftd(["policy", "--config", tmp], dict(os.environ))
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["Version"], "2012-10-17")
        (stmt,) = doc["Statement"]
        self.assertEqual((stmt["Effect"], stmt["Resource"]), ("Allow", "*"))
        self.assertEqual(stmt["Action"], sorted(stmt["Action"]))
        return set(stmt["Action"])

    def test_a_vpc_alone_needs_exactly_the_vpc_actions(self):
        got = self.policy({"ec2.vpc.main": {"CidrBlock": "10.0.0.0/16"}})
        # The VPC's own operations, and the reads of EC2's other types,
        # which driftd lists to find orphans of types gone from config;
        # nothing that writes them.
        self.assertEqual(got - REPORTING, {
            "ec2:DescribeVpcs", "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateTags",
            "ec2:DeleteTags", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute",
            "ec2:DescribeSubnets", "ec2:DescribeInternetGateways", "ec2:DescribeAddresses",
            "ec2:DescribeNatGateways", "ec2:DescribeRouteTables",
            "ec2:DescribeSecurityGroups"})
        self.assertTrue(REPORTING <= got)

    def test_load_balancer_actions_use_the_elasticloadbalancing_prefix(self):
        got = self.policy({"elbv2.target_group.api": {"Name": "api", "Protocol": "HTTP", "Port": 80,
                                                      "VpcId": "vpc-1"}})
        self.assertIn("elasticloadbalancing:CreateTargetGroup", got)
        self.assertFalse([a for a in got if a.startswith("elbv2:") or a.startswith("ec2:")])

    def test_eks_estate_adds_cluster_node_group_addon_and_oidc_actions(self):
        got = self.policy({
            "eks.nodegroup.ng": {"clusterName": "c", "nodegroupName": "ng", "nodeRole": "r",
                                 "subnets": ["s"], "instanceTypes": ["t3.medium"],
                                 "scalingConfig": {"minSize": 1, "maxSize": 2}},
            "iam.openid_connect_provider.eks": {"Url": "https://x", "ThumbprintList": ["a" * 40]},
        })
        for want in ("eks:ListNodegroups", "eks:DescribeNodegroup", "eks:CreateNodegroup",
                     "eks:UpdateNodegroupConfig", "eks:DeleteNodegroup", "eks:TagResource",
                     "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
                     "iam:RemoveClientIDFromOpenIDConnectProvider"):
            self.assertIn(want, got)
        self.assertNotIn("eks:CreateCluster", got)

    def test_the_shipped_production_config_loads_and_names_every_service(self):
        p = driftd(["policy", os.path.join(ROOT, "config", "environments", "production")],
                   dict(os.environ))
        self.assertEqual(p.returncode, 0, p.stderr)
        services = {a.split(":")[0] for a in json.loads(p.stdout)["Statement"][0]["Action"]}
        self.assertTrue({"ec2", "iam", "elasticloadbalancing", "bedrock", "sts"} <= services)

    def test_a_broken_config_is_reported_and_fails(self):
        with tempfile.TemporaryDirectory(prefix="driftd-policy-") as tmp:
            with open(os.path.join(tmp, "main.json"), "w") as f:
                f.write('{"resources": {"ec2.vpc.main": {"CidrBlok": "10.0.0.0/16"}}}')
            p = driftd(["policy", "--config", tmp], dict(os.environ))
        self.assertEqual(p.returncode, 1)
        self.assertIn("main.json:1:", p.stderr)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main()
