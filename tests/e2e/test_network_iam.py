"""End to end, issue 4's acceptance: a network and IAM estate (VPC,
subnets, internet gateway, Elastic IP and NAT gateway, route tables with
routes and associations, security groups with ingress and egress rules, an
IAM role with a customer managed policy and an instance profile) converges
from empty in one apply; drift made with the awscli shows in plan and apply
reverts it; an IAM document rewritten with the same meaning is not drift."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import FakeAWS, aws_cli, boto_client, driftd_at, write_config  # noqa: E402

ENV = "netiam"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadArtifacts", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::netiam-artifacts", "arn:aws:s3:::netiam-artifacts/*"]},
        {"Sid": "WriteLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/netiam/*"},
    ],
}

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def estate():
    """The config: the same shape as config/base/network.json and iam.json,
    cut to one of each kind of thing and two of what comes in pairs."""
    def tags(name):
        return {"Name": name}
    r = {
        "ec2.vpc.main": {"CidrBlock": "10.60.0.0/16", "EnableDnsSupport": True,
                         "EnableDnsHostnames": True, "Tags": tags("netiam")},
        "ec2.subnet.public": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.60.0.0/24",
                              "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": True,
                              "Tags": tags("netiam-public")},
        "ec2.subnet.private": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.60.10.0/24",
                               "AvailabilityZone": "us-east-1b", "Tags": tags("netiam-private")},
        "ec2.internet_gateway.main": {"VpcId": "${ec2.vpc.main.VpcId}", "Tags": tags("netiam")},
        "ec2.eip.nat": {"Domain": "vpc", "Tags": tags("netiam-nat")},
        "ec2.nat_gateway.main": {"SubnetId": "${ec2.subnet.public.SubnetId}",
                                 "AllocationId": "${ec2.eip.nat.AllocationId}",
                                 "Tags": tags("netiam")},
        "ec2.route_table.public": {
            "VpcId": "${ec2.vpc.main.VpcId}",
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": "${ec2.internet_gateway.main.InternetGatewayId}"}],
            "SubnetIds": ["${ec2.subnet.public.SubnetId}"],
            "Tags": tags("netiam-public")},
        "ec2.route_table.private": {
            "VpcId": "${ec2.vpc.main.VpcId}",
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": "${ec2.nat_gateway.main.NatGatewayId}"}],
            "SubnetIds": ["${ec2.subnet.private.SubnetId}"],
            "Tags": tags("netiam-private")},
        "ec2.security_group.web": {
            "GroupName": "netiam-web", "Description": "HTTPS from the internet",
            "VpcId": "${ec2.vpc.main.VpcId}",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                               "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                     "IpRanges": [{"CidrIp": "10.60.10.0/24"}]}],
            "Tags": tags("netiam-web")},
        "ec2.security_group.app": {
            "GroupName": "netiam-app", "Description": "the application, from web only",
            "VpcId": "${ec2.vpc.main.VpcId}",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                               "UserIdGroupPairs": [
                                   {"GroupId": "${ec2.security_group.web.GroupId}"}]}],
            "IpPermissionsEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                     "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": tags("netiam-app")},
        "iam.policy.app": {"PolicyName": "netiam-app", "Description": "the application's policy",
                           "PolicyDocument": POLICY, "Tags": {"Component": "app"}},
        "iam.role.app": {"RoleName": "netiam-app", "Description": "assumed by the application hosts",
                         "AssumeRolePolicyDocument": TRUST,
                         "ManagedPolicyArns": ["${iam.policy.app.Arn}"],
                         "Tags": {"Component": "app"}},
        "iam.instance_profile.app": {"InstanceProfileName": "netiam-app",
                                     "Roles": ["${iam.role.app.RoleName}"]},
    }
    return {"settings": {"environment": ENV, "region": "us-east-1"}, "resources": r}


class NetworkIamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # NAT gateways are pending for 5 fake seconds.
        cls.fake = FakeAWS(extra_args=["--time-scale", "20"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-netiam-")
        cls.config = write_config(cls.tmp.name, estate())
        cls.env = cls.fake.env()
        # Checks read with boto3 in process (awscli starts slowly); drift
        # is made with the awscli, as an operator would.
        cls.ec2 = boto_client(cls.fake, "ec2")
        cls.iam = boto_client(cls.fake, "iam")
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        cls.ec2.close()
        cls.iam.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    @classmethod
    def run_driftd(cls, *args):
        return driftd_at(cls.config, os.path.join(cls.tmp.name, "state"), args, cls.env)

    def plan(self):
        return self.run_driftd("plan", "--detailed-exitcode")

    def assert_drift(self, address, attribute):
        """plan exits 2 naming address; its JSON form shows that one
        attribute of that one resource as the only change."""
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(address, p.stdout)
        p = self.run_driftd("plan", "--json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        changed = [(r["address"], r["action"], [c["attribute"] for c in r["changes"]])
                   for r in json.loads(p.stdout)["resources"] if r["action"] != "in sync"]
        self.assertEqual(changed, [(address, "update", [attribute])], p.stdout)

    def converge(self):
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def owned(self, describe, key, address):
        kw = {"Filters": [{"Name": "tag:driftd:env", "Values": [ENV]},
                          {"Name": "tag:driftd:address", "Values": [address]}]}
        got = getattr(self.ec2, describe)(**kw)[key]
        self.assertEqual(len(got), 1, (address, got))
        return got[0]

    def group(self, name):
        return self.owned("describe_security_groups", "SecurityGroups",
                          "ec2.security_group." + name)

    def policy_arn(self):
        return "arn:aws:iam::123456789012:policy/netiam-app"

    def default_policy_document(self):
        pol = self.iam.get_policy(PolicyArn=self.policy_arn())["Policy"]
        return self.iam.get_policy_version(PolicyArn=self.policy_arn(),
                                           VersionId=pol["DefaultVersionId"]
                                           )["PolicyVersion"]["Document"]

    def test_1_from_empty_one_apply_converges_and_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        vpc = self.owned("describe_vpcs", "Vpcs", "ec2.vpc.main")
        public = self.owned("describe_subnets", "Subnets", "ec2.subnet.public")
        private = self.owned("describe_subnets", "Subnets", "ec2.subnet.private")
        self.assertEqual((public["VpcId"], private["VpcId"]), (vpc["VpcId"], vpc["VpcId"]))
        self.assertTrue(public["MapPublicIpOnLaunch"])
        igw = self.owned("describe_internet_gateways", "InternetGateways",
                         "ec2.internet_gateway.main")
        self.assertEqual(igw["Attachments"][0]["VpcId"], vpc["VpcId"])
        eip = self.owned("describe_addresses", "Addresses", "ec2.eip.nat")
        nat = self.owned("describe_nat_gateways", "NatGateways", "ec2.nat_gateway.main")
        self.assertEqual((nat["State"], nat["SubnetId"]), ("available", public["SubnetId"]))
        self.assertEqual(nat["NatGatewayAddresses"][0]["AllocationId"], eip["AllocationId"])
        for name, subnet, target in (("public", public, ("GatewayId", igw["InternetGatewayId"])),
                                     ("private", private, ("NatGatewayId", nat["NatGatewayId"]))):
            rt = self.owned("describe_route_tables", "RouteTables", "ec2.route_table." + name)
            default = [r for r in rt["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
            self.assertEqual(len(default), 1, rt["Routes"])
            self.assertEqual(default[0].get(target[0]), target[1])
            self.assertEqual([a["SubnetId"] for a in rt["Associations"] if a.get("SubnetId")],
                             [subnet["SubnetId"]])
        web, app = self.group("web"), self.group("app")
        self.assertEqual([(r["FromPort"], r["IpRanges"]) for r in web["IpPermissions"]],
                         [(443, [{"CidrIp": "0.0.0.0/0"}])])
        # The allow-all egress rule AWS adds to a new group is gone.
        self.assertEqual([(r["FromPort"], r["IpRanges"]) for r in web["IpPermissionsEgress"]],
                         [(8080, [{"CidrIp": "10.60.10.0/24"}])])
        self.assertEqual([p["GroupId"] for r in app["IpPermissions"]
                          for p in r["UserIdGroupPairs"]], [web["GroupId"]])
        attached = self.iam.list_attached_role_policies(RoleName="netiam-app")
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         [self.policy_arn()])
        self.assertEqual(self.default_policy_document(), POLICY)
        profile = self.iam.get_instance_profile(InstanceProfileName="netiam-app")
        self.assertEqual([r["RoleName"] for r in profile["InstanceProfile"]["Roles"]],
                         ["netiam-app"])
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_2_rule_added_to_a_security_group_is_revoked(self):
        gid = self.group("web")["GroupId"]
        aws_cli(self.fake, ["ec2", "authorize-security-group-ingress", "--group-id", gid,
                            "--protocol", "tcp", "--port", "22", "--cidr", "0.0.0.0/0"])
        self.assertIn(22, [r.get("FromPort") for r in self.group("web")["IpPermissions"]])
        self.assert_drift("ec2.security_group.web", "IpPermissions")
        self.converge()
        got = aws_cli(self.fake, ["ec2", "describe-security-groups", "--group-ids", gid])
        self.assertEqual([r["FromPort"] for r in got["SecurityGroups"][0]["IpPermissions"]],
                         [443])

    def test_3_tag_removed_is_put_back(self):
        vpc_id = self.owned("describe_vpcs", "Vpcs", "ec2.vpc.main")["VpcId"]
        aws_cli(self.fake, ["ec2", "delete-tags", "--resources", vpc_id, "--tags", "Key=Name"])
        self.assert_drift("ec2.vpc.main", "Tags")
        self.converge()
        got = aws_cli(self.fake, ["ec2", "describe-tags", "--filters",
                                  "Name=resource-id,Values=" + vpc_id, "Name=key,Values=Name"])
        self.assertEqual([t["Value"] for t in got["Tags"]], ["netiam"])

    def test_4_route_deleted_is_recreated(self):
        rt = self.owned("describe_route_tables", "RouteTables", "ec2.route_table.private")
        nat = self.owned("describe_nat_gateways", "NatGateways", "ec2.nat_gateway.main")
        aws_cli(self.fake, ["ec2", "delete-route", "--route-table-id", rt["RouteTableId"],
                            "--destination-cidr-block", "0.0.0.0/0"])
        self.assert_drift("ec2.route_table.private", "Routes")
        self.converge()
        got = aws_cli(self.fake, ["ec2", "describe-route-tables", "--route-table-ids",
                                  rt["RouteTableId"]])["RouteTables"][0]["Routes"]
        default = [r for r in got if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        self.assertEqual([r.get("NatGatewayId") for r in default], [nat["NatGatewayId"]])

    def test_5_policy_statement_edited_is_reverted(self):
        edited = json.loads(json.dumps(POLICY))
        edited["Statement"][0]["Action"] = "s3:*"
        aws_cli(self.fake, ["iam", "create-policy-version", "--policy-arn", self.policy_arn(),
                            "--policy-document", json.dumps(edited), "--set-as-default"])
        self.assertEqual(self.default_policy_document(), edited)
        self.assert_drift("iam.policy.app", "PolicyDocument")
        self.converge()
        pol = aws_cli(self.fake, ["iam", "get-policy", "--policy-arn", self.policy_arn()])
        got = aws_cli(self.fake, ["iam", "get-policy-version", "--policy-arn", self.policy_arn(),
                                  "--version-id", pol["Policy"]["DefaultVersionId"]])
        self.assertEqual(got["PolicyVersion"]["Document"], POLICY)

    def test_6_documents_rewritten_with_the_same_meaning_are_not_drift(self):
        # Statements in the other order, keys in the other order, action
        # lists reversed, a one-element Resource list for a string.
        same = {"Statement": [
            {"Resource": ["arn:aws:logs:us-east-1:123456789012:log-group:/netiam/*"],
             "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
             "Effect": "Allow", "Sid": "WriteLogs"},
            {"Resource": ["arn:aws:s3:::netiam-artifacts/*", "arn:aws:s3:::netiam-artifacts"],
             "Effect": "Allow", "Sid": "ReadArtifacts",
             "Action": ["s3:ListBucket", "s3:GetObject"]},
        ], "Version": "2012-10-17"}
        aws_cli(self.fake, ["iam", "create-policy-version", "--policy-arn", self.policy_arn(),
                            "--policy-document", json.dumps(same), "--set-as-default"])
        trust = {"Statement": [{"Action": "sts:AssumeRole", "Principal": {
            "Service": ["ec2.amazonaws.com"]}, "Effect": "Allow"}], "Version": "2012-10-17"}
        aws_cli(self.fake, ["iam", "update-assume-role-policy", "--role-name", "netiam-app",
                            "--policy-document", json.dumps(trust)])
        # AWS now holds the rewritten texts, not the configured ones.
        self.assertEqual(self.default_policy_document(), same)
        self.assertEqual(self.iam.get_role(RoleName="netiam-app")["Role"]
                         ["AssumeRolePolicyDocument"], trust)
        self.fake.clear_calls()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        writes = [c["operation"] for c in self.fake.calls(service="iam")
                  if not c["operation"].startswith(("Get", "List"))]
        self.assertEqual(writes, [])


if __name__ == "__main__":
    unittest.main()
