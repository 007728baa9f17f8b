"""End to end: the edge (Application Load Balancer, target groups,
listeners, host rules) and the Bedrock part of the estate (model access
check, the API's role) from config/base, against the fake AWS endpoint."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import EstateTestCase, FakeAWS, ROOT, aws_cli, environment_variables  # noqa: E402,E501
from driftdtest import base_file, estate_root  # noqa: E402

MODEL = "amazon.nova-lite-v1:0"
DOMAIN = "shop.example.com"


class AlbAndBedrockTest(EstateTestCase):
    @classmethod
    def setUpClass(cls):
        # The load balancer is provisioning for 60 fake seconds.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-alb-")
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        main = {
            # The parts of the example this test is about, not the whole
            # estate (config/base grows with every area).
            # The API's role trusts the cluster's OIDC provider (IRSA):
            # compute and its roles come along.
            "include": [base_file(f)
                        for f in ("network.json", "iam.json", "kms.json", "compute.json",
                                  "irsa.json", "edge.json", "dns.json", "maintenance.json", "ai.json",
                                  "alerts.json")],
            "settings": {"environment": "e2e", "region": "us-east-1",
                         "default_tags": {"ManagedBy": "driftd"}},
            # staging's values for what this test does not look at
            # (alarm thresholds, budgets), its own for the rest
            "variables": dict(environment_variables("staging"), **{
                "env": "e2e", "region": "us-east-1", "az_a": "us-east-1a", "az_b": "us-east-1b",
                "vpc_cidr": "10.50.0.0/16", "public_a_cidr": "10.50.0.0/24",
                "public_b_cidr": "10.50.1.0/24", "private_a_cidr": "10.50.10.0/24",
                "private_b_cidr": "10.50.11.0/24", "domain": DOMAIN,
                "alb_idle_timeout": "60",
                "alb_logs_bucket": "e2e-alb-logs", "bedrock_region": "us-east-1",
                "bedrock_model_id": MODEL, "account_id": "123456789012",
                "backup_region": "us-west-2",
            }),
        }
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(main, f)
        cls.env = cls.fake.env()
        # Checks read with boto3 (awscli starts slowly); drift is made with awscli.
        cls.boto = cls.boto_client("elbv2")
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        cls.boto.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    def elb(self, *args):
        return aws_cli(self.fake, ["elbv2"] + list(args))

    def load_balancer(self):
        return self.boto.describe_load_balancers(Names=["cloudpartner-e2e"])["LoadBalancers"][0]

    def listener(self, port):
        arn = self.load_balancer()["LoadBalancerArn"]
        got = self.boto.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        return next(item for item in got if item["Port"] == port)

    def rule(self, priority):
        rules = self.boto.describe_rules(ListenerArn=self.listener(443)["ListenerArn"])["Rules"]
        return next(r for r in rules if r["Priority"] == str(priority))

    def test_1_from_empty_apply_converges_and_a_second_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        lb = self.load_balancer()
        self.assertEqual((lb["Scheme"], lb["Type"], lb["State"]["Code"]),
                         ("internet-facing", "application", "active"))
        attrs = {a["Key"]: a["Value"] for a in self.boto.describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        self.assertEqual((attrs["deletion_protection.enabled"], attrs["access_logs.s3.bucket"]),
                         ("true", "e2e-alb-logs"))
        https = self.listener(443)
        # driftd requested the certificate (config/base/dns.json) and
        # waited for it to be issued.
        acm = self.boto_client("acm")
        # (the fake keeps every region in one store: the maintenance load
        # balancer's certificate, in the backup region, is listed too)
        certs = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == DOMAIN]
        self.assertEqual([c["Status"] for c in certs], ["ISSUED"])
        acm.close()
        self.assertEqual(https["Certificates"], [{"CertificateArn": certs[0]["CertificateArn"]}])
        self.assertEqual(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06")
        self.assertEqual(self.listener(80)["DefaultActions"][0]["RedirectConfig"]["StatusCode"], "HTTP_301")
        self.assertEqual(self.rule(20)["Conditions"][0]["HostHeaderConfig"]["Values"], ["api." + DOMAIN])
        # The listener was made only once its load balancer was active.
        calls = [c["operation"] for c in self.fake.calls()]
        self.assertLess(calls.index("CreateLoadBalancer"), calls.index("CreateListener"))
        self.fake.clear_calls()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # Listeners are read per load balancer, rules per listener, the
        # model per model id: one call each here, however many resources
        # (in each region: the maintenance load balancer is in the backup
        # region, with one listener and no rules).
        reads = [(c["operation"], c["region"]) for c in self.fake.calls()]
        for op in ("DescribeLoadBalancers", "DescribeListeners", "DescribeRules",
                   "GetFoundationModel"):
            self.assertEqual(reads.count((op, "us-east-1")), 1, op)
        for op in ("DescribeLoadBalancers", "DescribeListeners"):
            self.assertEqual(reads.count((op, "us-west-2")), 1, op)

    def test_2_listener_and_rule_drift_is_reverted(self):
        http = self.listener(80)
        tg = self.boto.describe_target_groups(Names=["cloudpartner-e2e-api"])["TargetGroups"][0]
        self.elb("modify-listener", "--listener-arn", http["ListenerArn"], "--default-actions",
                 json.dumps([{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]))
        self.elb("modify-rule", "--rule-arn", self.rule(10)["RuleArn"], "--conditions",
                 json.dumps([{"Field": "host-header", "HostHeaderConfig": {"Values": ["evil.example.net"]}}]))
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("elbv2.listener.http", p.stdout)
        self.assertIn("elbv2.listener_rule.frontend", p.stdout)
        self.converge()
        self.assertEqual(self.listener(80)["DefaultActions"][0]["Type"], "redirect")
        self.assertEqual(self.rule(10)["Conditions"][0]["HostHeaderConfig"]["Values"],
                         [DOMAIN, "app." + DOMAIN])

    def test_3_bedrock_policy_widened_out_of_band_is_reverted(self):
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["bedrock:*"], "Resource": "*"}]}
        aws_cli(self.fake, ["iam", "put-role-policy", "--role-name", "cloudpartner-e2e-app",
                            "--policy-name", "bedrock-invoke", "--policy-document", json.dumps(doc)])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("iam.role.app", p.stdout)
        self.converge()
        got = aws_cli(self.fake, ["iam", "get-role-policy", "--role-name", "cloudpartner-e2e-app",
                                  "--policy-name", "bedrock-invoke"])["PolicyDocument"]
        self.assertEqual(sorted(got["Statement"][0]["Action"]),
                         ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"])
        self.assertTrue(got["Statement"][0]["Resource"].endswith("foundation-model/" + MODEL))

    def test_4_lost_model_access_is_reported_and_the_rest_converges(self):
        # GetFoundationModel still describes the model; whether the account
        # may use it is GetFoundationModelAvailability's answer.
        self.fake.control("POST", "state", {"type": "bedrock_access", "id": MODEL,
                                            "set": {"status": "DENIED"}})
        self.boto.modify_rule(RuleArn=self.rule(20)["RuleArn"], Conditions=[
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["other.example"]}}])
        try:
            p = self.plan()
            out = p.stdout + p.stderr
            self.assertEqual(p.returncode, 2, out)
            self.assertIn("bedrock.foundation_model_access.app", out)
            self.assertIn("NOT_AUTHORIZED", out)
            p = self.run_driftd("apply", "--auto-approve")
            out = p.stdout + p.stderr
            self.assertLess(p.returncode, 128, out)
            self.assertEqual(self.rule(20)["Conditions"][0]["HostHeaderConfig"]["Values"], ["api." + DOMAIN])
            # reported again, never changed: access is granted in the console
            p = self.plan()
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn("NOT_AUTHORIZED", p.stdout + p.stderr)
            self.assertEqual(self.fake.calls(operation="GetFoundationModelAvailability")[-1]["status"], 200)
        finally:
            self.fake.control("POST", "state", {"type": "bedrock_access", "id": MODEL,
                                                "set": {"status": "AUTHORIZED"}})
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

if __name__ == "__main__":
    unittest.main()
