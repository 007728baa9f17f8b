"""driftd policy: the IAM policy driftd needs, as an auditor reads it
(issue 14, item 13). The actions are exactly those of the types a config
uses, plus what the daemon calls to report; they are split per service;
every write is scoped by the ARNs of the configured resources (and by the
driftd:env tag where AWS supports it) unless AWS authorizes the action on
no resource at all; iam:PassRole names only configured roles, each to the
services its trust policy names; and what makes or widens a role needs
driftd's permissions boundary. The document is checked as a policy:
structure first, then each rule over every statement."""
import json
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, FakeAWS, boto_client, driftd, driftd_at, write_config  # noqa: E402

ACCOUNT = "123456789012"
REPORTING = {"sts:GetCallerIdentity", "cloudwatch:PutMetricData", "cloudtrail:LookupEvents"}
READ = re.compile(r"^[a-z0-9-]+:(Describe|List|Get|Head|View|Lookup)")  # Lookup: cloudtrail:LookupEvents is Read access
# Writes whose "Resource types" column is empty in AWS's Service
# Authorization Reference (docs.aws.amazon.com/service-authorization/
# latest/reference/list_<service>.html): only "*" can name them.
NO_RESOURCE = {
    "acm:RequestCertificate", "ce:CreateAnomalyMonitor", "ce:CreateAnomalySubscription",
    "cloudwatch:PutMetricData", "eks:CreateCluster", "kms:CreateKey",
    "route53:CreateHealthCheck", "route53:CreateHostedZone", "ses:PutAccountDetails",
    "sns:SetSubscriptionAttributes", "sns:Unsubscribe",
}
# Reads of secrets: scoped like writes.
SECRET_READS = {"secretsmanager:GetSecretValue", "kms:Decrypt"}
ROLE_WRITES = {"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"}


def as_list(v):
    return v if isinstance(v, list) else [v]


def is_write(action):
    return not READ.match(action) or action in SECRET_READS


def run_policy(config_dir, *extra):
    return driftd(["policy", "--account", ACCOUNT, *extra, "--config", config_dir],
                  dict(os.environ))


class PolicyDocument:
    """The parsed policy, with the checks every policy driftd prints must
    pass (structure and least privilege), applied at construction."""

    def __init__(self, test, text, env):
        self.doc = json.loads(text)
        self.env = env
        t = test
        t.assertEqual(set(self.doc), {"Version", "Statement"})
        t.assertEqual(self.doc["Version"], "2012-10-17")
        sids = [s["Sid"] for s in self.doc["Statement"]]
        t.assertEqual(len(sids), len(set(sids)), "Sids are unique")
        self.boundary = "arn:aws:iam::%s:policy/driftd-%s-boundary" % (ACCOUNT, env)
        for s in self.doc["Statement"]:
            t.assertTrue(re.fullmatch(r"[A-Za-z0-9]+", s["Sid"]), s["Sid"])
            t.assertLessEqual(set(s), {"Sid", "Effect", "Action", "Resource", "Condition"})
            t.assertIn(s["Effect"], ("Allow", "Deny"))
            actions = as_list(s["Action"])
            t.assertTrue(actions)
            t.assertEqual(actions, sorted(actions), s["Sid"])
            resources = as_list(s["Resource"])
            t.assertTrue(resources)
            for r in resources:
                t.assertTrue(r == "*" or r.startswith("arn:aws:"), r)
            if s["Effect"] == "Deny":
                continue
            # one service per statement
            t.assertEqual(len({a.split(":")[0] for a in actions}), 1, s["Sid"])
            writes = [a for a in actions if is_write(a)]
            if "*" in resources:
                t.assertEqual(resources, ["*"], s["Sid"])
                t.assertLessEqual(set(writes), NO_RESOURCE,
                                  "%s: writes on * that AWS authorizes by resource" % s["Sid"])
                # unscoped writes stand alone, apart from reads
                t.assertTrue(not writes or len(writes) == len(actions), s["Sid"])
            else:
                for r in resources:
                    t.assertNotEqual(r.split(":", 5)[-1], "*", r)
                    t.assertNotIn(":*:*", r)
            for a in writes:
                if a in ROLE_WRITES:
                    t.assertEqual(s["Condition"]["StringEquals"]["iam:PermissionsBoundary"],
                                  self.boundary, a)
            if "iam:PassRole" in actions:
                t.assertEqual(actions, ["iam:PassRole"])
                t.assertNotIn("*", resources)
                t.assertTrue(s["Condition"]["StringEquals"]["iam:PassedToService"])
                for r in resources:
                    t.assertRegex(r, r"^arn:aws:iam::%s:role/[^*]+$" % ACCOUNT)

    def allows(self):
        out = set()
        for s in self.doc["Statement"]:
            if s["Effect"] == "Allow":
                out |= set(as_list(s["Action"]))
        return out

    def statement_of(self, action):
        (s,) = [s for s in self.doc["Statement"]
                if s["Effect"] == "Allow" and action in as_list(s["Action"])]
        return s


class PolicyCommandTest(unittest.TestCase):
    def policy(self, resources, settings=None, *extra):
        with tempfile.TemporaryDirectory(prefix="driftd-policy-") as tmp:
            with open(os.path.join(tmp, "main.json"), "w") as f:
                json.dump({"settings": {"environment": "t", "region": "us-east-1",
                                        **(settings or {})},
                           "resources": resources}, f)
            p = run_policy(tmp, *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return PolicyDocument(self, p.stdout, "t")

    def test_a_vpc_alone_needs_exactly_the_vpc_actions(self):
        got = self.policy({"ec2.vpc.main": {"CidrBlock": "10.0.0.0/16"}}).allows()
        # The VPC's own operations, and the reads of EC2's other types,
        # which driftd lists to find orphans of types gone from config;
        # nothing that writes them.
        self.assertEqual(got - REPORTING, {
            "ec2:DescribeVpcs", "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateTags",
            "ec2:DeleteTags", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute",
            "ec2:DescribeSubnets", "ec2:DescribeInternetGateways", "ec2:DescribeAddresses",
            "ec2:DescribeNatGateways", "ec2:DescribeRouteTables",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
            "ec2:DescribeFlowLogs"})
        self.assertTrue(REPORTING <= got)

    def test_vpc_writes_are_scoped_to_vpcs_and_to_the_environment_tag(self):
        doc = self.policy({"ec2.vpc.main": {"CidrBlock": "10.0.0.0/16"}})
        vpcs = ["arn:aws:ec2:us-east-1:%s:vpc/*" % ACCOUNT]
        create = doc.statement_of("ec2:CreateVpc")
        self.assertEqual(as_list(create["Resource"]), vpcs)
        self.assertEqual(create["Condition"],
                         {"StringEquals": {"aws:RequestTag/driftd:env": "t"}})
        delete = doc.statement_of("ec2:DeleteVpc")
        self.assertEqual(as_list(delete["Resource"]), vpcs)
        self.assertEqual(delete["Condition"],
                         {"StringEquals": {"aws:ResourceTag/driftd:env": "t"}})
        self.assertEqual(doc.statement_of("ec2:DescribeVpcs")["Resource"], "*")
        self.assertEqual(doc.statement_of("cloudtrail:LookupEvents")["Resource"], "*")
        metrics = doc.statement_of("cloudwatch:PutMetricData")
        self.assertEqual(metrics["Condition"],
                         {"StringEquals": {"cloudwatch:namespace": "Driftd"}})

    def test_names_in_config_become_arns_and_references_resolve(self):
        doc = self.policy({
            "sns.topic.alerts": {"Name": "t-alerts"},
            "sns.subscription.ops": {"TopicArn": "${sns.topic.alerts.TopicArn}",
                                     "Protocol": "email", "Endpoint": "ops@example.com"},
            "s3.bucket.data": {"Bucket": "t-data"},
        }, {"alert_topic": "${sns.topic.alerts.TopicArn}"})
        topic = "arn:aws:sns:us-east-1:%s:t-alerts" % ACCOUNT
        self.assertEqual(as_list(doc.statement_of("sns:Subscribe")["Resource"]), [topic])
        self.assertEqual(as_list(doc.statement_of("sns:Publish")["Resource"]), [topic])
        self.assertEqual(as_list(doc.statement_of("s3:CreateBucket")["Resource"]),
                         ["arn:aws:s3:::t-data"])

    def test_the_event_estate_writes_only_its_queue_rule_and_trail(self):
        doc = self.policy({
            "sqs.queue.events": {"QueueName": "t-events", "SqsManagedSseEnabled": True},
            "events.rule.calls": {
                "Name": "t-calls", "EventPattern": {"source": ["aws.ec2"]},
                "Targets": [{"Id": "q", "Arn": "${sqs.queue.events.QueueArn}"}]},
            "cloudtrail.trail.main": {"Name": "t", "S3BucketName": "t-trail",
                                      "IsLogging": True},
        })
        scoped = {
            "arn:aws:sqs:us-east-1:%s:t-events" % ACCOUNT: {
                "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes",
                "sqs:TagQueue", "sqs:UntagQueue"},
            "arn:aws:events:us-east-1:%s:rule/t-calls" % ACCOUNT: {
                "events:PutRule", "events:DeleteRule", "events:PutTargets",
                "events:RemoveTargets", "events:TagResource", "events:UntagResource"},
            # Stopping is a write like starting: driftd stops a trail
            # that config says not to log.
            "arn:aws:cloudtrail:us-east-1:%s:trail/t" % ACCOUNT: {
                "cloudtrail:CreateTrail", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                "cloudtrail:StartLogging", "cloudtrail:StopLogging", "cloudtrail:AddTags",
                "cloudtrail:RemoveTags"},
        }
        for arn, actions in scoped.items():
            for action in actions:
                with self.subTest(action=action):
                    self.assertEqual(as_list(doc.statement_of(action)["Resource"]), [arn])
        for action in ("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags",
                       "events:ListRules", "events:ListTargetsByRule",
                       "events:ListTagsForResource", "cloudtrail:DescribeTrails",
                       "cloudtrail:GetTrailStatus", "cloudtrail:ListTags"):
            with self.subTest(action=action):
                self.assertEqual(doc.statement_of(action)["Resource"], "*")

    def test_event_queues_are_read_and_deleted_from_only_when_configured(self):
        vpc = {"ec2.vpc.main": {"CidrBlock": "10.0.0.0/16"}}
        self.assertFalse({a for a in self.policy(vpc).allows() if a.startswith("sqs:")})
        queues = ["arn:aws:sqs:us-east-1:%s:drift-events" % ACCOUNT,
                  "arn:aws:sqs:eu-west-1:%s:drift-events-eu" % ACCOUNT]
        doc = self.policy(vpc, {"event_queues": queues})
        # DeleteMessage also authorizes DeleteMessageBatch (SQS Developer
        # Guide, "Amazon SQS batch actions"): no action of its own.
        (st,) = [s for s in doc.doc["Statement"] if "sqs:ReceiveMessage" in as_list(s["Action"])]
        self.assertEqual(sorted(as_list(st["Action"])),
                         ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"])
        self.assertEqual(as_list(st["Resource"]), queues)
        self.assertEqual(doc.statement_of("sqs:DeleteMessage"), st)
        # A queue of the config, by reference: its own ARN.
        doc = self.policy(dict(vpc, **{"sqs.queue.events": {"QueueName": "t-events"}}),
                          {"event_queues": "${sqs.queue.events.QueueArn}"})
        self.assertEqual(as_list(doc.statement_of("sqs:ReceiveMessage")["Resource"]),
                         ["arn:aws:sqs:us-east-1:%s:t-events" % ACCOUNT])

    def test_pass_role_only_on_configured_roles_to_their_trusted_services(self):
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}
        doc = self.policy({"iam.role.cluster": {"RoleName": "t-cluster",
                                                "AssumeRolePolicyDocument": trust}})
        (p,) = [s for s in doc.doc["Statement"] if "iam:PassRole" in as_list(s["Action"])]
        self.assertEqual(as_list(p["Resource"]), ["arn:aws:iam::%s:role/t-cluster" % ACCOUNT])
        self.assertEqual(p["Condition"], {"StringEquals": {
            "iam:PassedToService": ["eks.amazonaws.com"]}})
        create = doc.statement_of("iam:CreateRole")
        self.assertEqual(create["Condition"]["StringEquals"]["iam:PermissionsBoundary"],
                         doc.boundary)
        denies = [s for s in doc.doc["Statement"] if s["Effect"] == "Deny"]
        denied = set().union(*(as_list(s["Action"]) for s in denies))
        self.assertLessEqual({"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion",
                              "iam:SetDefaultPolicyVersion"}, denied)

    def test_the_boundary_denies_iam_changes_to_the_roles_driftd_makes(self):
        with tempfile.TemporaryDirectory(prefix="driftd-policy-") as tmp:
            with open(os.path.join(tmp, "main.json"), "w") as f:
                json.dump({"settings": {"environment": "t"}}, f)
            p = run_policy(tmp, "--boundary")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        (deny,) = [s for s in doc["Statement"] if s["Effect"] == "Deny"]
        for a in ("iam:Create*", "iam:Put*", "iam:Attach*", "iam:PassRole",
                  "organizations:*"):
            self.assertIn(a, deny["Action"])

    def test_a_drivers_secret_is_read_by_its_arn_and_decrypted_only_through_secrets_manager(self):
        secret = "arn:aws:secretsmanager:us-east-1:%s:secret:db-AbCdEf" % ACCOUNT
        doc = self.policy({"postgres.migrations.app": {
            "Host": "h", "DBName": "d", "Directory": "/tmp", "Tables": ["a"],
            "PasswordSecretArn": secret,
            "SSLRootCert": "/etc/ssl/certs/ca-certificates.crt"}})
        self.assertEqual(as_list(doc.statement_of("secretsmanager:GetSecretValue")["Resource"]),
                         [secret])
        decrypt = doc.statement_of("kms:Decrypt")
        self.assertEqual(decrypt["Condition"], {"StringEquals": {
            "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}})

    def test_load_balancer_actions_use_the_elasticloadbalancing_prefix(self):
        got = self.policy({"elbv2.target_group.api": {"Name": "api", "Protocol": "HTTP",
                                                      "Port": 80, "VpcId": "vpc-1"}}).allows()
        self.assertIn("elasticloadbalancing:CreateTargetGroup", got)
        self.assertFalse([a for a in got if a.startswith("elbv2:") or a.startswith("ec2:")])

    def test_eks_estate_adds_cluster_node_group_addon_and_oidc_actions(self):
        got = self.policy({
            "eks.nodegroup.ng": {"clusterName": "c", "nodegroupName": "ng", "nodeRole": "r",
                                 "subnets": ["s"], "instanceTypes": ["t3.medium"],
                                 "scalingConfig": {"minSize": 1, "maxSize": 2}},
            "iam.openid_connect_provider.eks": {"Url": "https://x", "ThumbprintList": ["a" * 40]},
        }).allows()
        for want in ("eks:ListNodegroups", "eks:DescribeNodegroup", "eks:CreateNodegroup",
                     "eks:UpdateNodegroupConfig", "eks:DeleteNodegroup", "eks:TagResource",
                     "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
                     "iam:RemoveClientIDFromOpenIDConnectProvider"):
            self.assertIn(want, got)
        self.assertNotIn("eks:CreateCluster", got)

    def test_the_shipped_production_config_is_a_policy_an_auditor_accepts(self):
        p = run_policy(os.path.join(ROOT, "config", "environments", "production"))
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = PolicyDocument(self, p.stdout, "production")
        services = {a.split(":")[0] for a in doc.allows()}
        self.assertTrue({"ec2", "iam", "elasticloadbalancing", "bedrock", "sts"} <= services)
        self.assertIn("iam:PassRole", doc.allows())
        self.assertFalse([s for s in doc.doc["Statement"]
                          if len(as_list(s["Action"])) > 40], "split per service")

    def test_a_broken_config_is_reported_and_fails(self):
        with tempfile.TemporaryDirectory(prefix="driftd-policy-") as tmp:
            with open(os.path.join(tmp, "main.json"), "w") as f:
                f.write('{"resources": {"ec2.vpc.main": {"CidrBlok": "10.0.0.0/16"}}}')
            p = driftd(["policy", "--config", tmp], dict(os.environ))
        self.assertEqual(p.returncode, 1)
        self.assertIn("main.json:1:", p.stderr)
        self.assertEqual(p.stdout, "")


class RoleBoundaryTest(unittest.TestCase):
    """The policy lets driftd create roles only within its boundary, so a
    role in config names it (iam.role PermissionsBoundary): set at create,
    read back from GetAccountAuthorizationDetails' RoleDetail, changed with
    PutRolePermissionsBoundary."""

    TRUST = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}

    def config(self, boundary):
        return {"settings": {"environment": "t", "region": "us-east-1"},
                "resources": {"iam.role.app": {
                    "RoleName": "t-app", "AssumeRolePolicyDocument": self.TRUST,
                    "PermissionsBoundary": boundary}}}

    def test_a_role_is_created_within_the_boundary_and_kept_there(self):
        fake = FakeAWS()
        self.addCleanup(fake.stop)
        tmp = tempfile.TemporaryDirectory(prefix="driftd-boundary-")
        self.addCleanup(tmp.cleanup)
        env, state = fake.env(), os.path.join(tmp.name, "state")
        iam = boto_client(fake, "iam")
        first = "arn:aws:iam::%s:policy/driftd-t-boundary" % ACCOUNT
        config = write_config(tmp.name, self.config(first))
        p = driftd(["policy", "--account", ACCOUNT, "--config", config], dict(os.environ))
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        p = driftd_at(config, state, ["apply", "--auto-approve"], env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        role = iam.get_role(RoleName="t-app")["Role"]
        self.assertEqual(role["PermissionsBoundary"]["PermissionsBoundaryArn"], first)
        p = driftd_at(config, state, ["plan", "--detailed-exitcode"], env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        other = "arn:aws:iam::%s:policy/other-boundary" % ACCOUNT
        write_config(tmp.name, self.config(other))
        p = driftd_at(config, state, ["apply", "--auto-approve"], env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        role = iam.get_role(RoleName="t-app")["Role"]
        self.assertEqual(role["PermissionsBoundary"]["PermissionsBoundaryArn"], other)
        p = driftd(["policy", "--account", ACCOUNT, "--config", config], dict(os.environ))
        self.assertEqual(p.stderr, "driftd policy: warning: iam.role.app has "
                         "PermissionsBoundary %s, not %s; under this policy AWS "
                         "refuses to create it\n" % (other, first))

    def test_the_shipped_roles_carry_the_boundary(self):
        for env, account in (("dev", "111111111111"), ("production", "333333333333")):
            p = driftd(["policy", "--account", account, "--config",
                        os.path.join(ROOT, "config", "environments", env)], dict(os.environ))
            self.assertEqual((p.returncode, p.stderr), (0, ""), env)


if __name__ == "__main__":
    unittest.main()
