"""The first user's whole estate: config/environments/production, exactly
as shipped, against an empty fake AWS that is the production account. plan
lists every resource of the config as a create, apply converges all of it
in one run but for the one thing only AWS grants (SES production access:
requested once, reported until granted), and once that is granted a second
plan finds nothing to do. Every area of the platform's requirements is
checked to be present, so an area dropped from config/ fails here."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, FakeAWS, driftd  # noqa: E402

PRODUCTION = os.path.join(ROOT, "config", "environments", "production")

# The twelve areas of the first user's requirements, each as the resource
# types that stand for it in config/.
AREAS = {
    "network": ["ec2.vpc", "ec2.subnet", "ec2.nat_gateway", "ec2.security_group"],
    "kubernetes (EKS)": ["eks.cluster", "eks.nodegroup", "eks.addon"],
    "database (RDS PostgreSQL)": ["rds.db_instance", "rds.db_subnet_group"],
    "cache (ElastiCache Redis)": ["elasticache.replication_group"],
    "email (SES)": ["sesv2.email_identity"],
    "AI (Bedrock)": ["bedrock.foundation_model_access"],
    "load balancing and TLS (ALB, ACM)": ["elbv2.load_balancer", "acm.certificate"],
    "DNS (Route 53)": ["route53.hosted_zone", "route53.record_set"],
    "monitoring (CloudWatch)": ["cloudwatch.metric_alarm", "cloudwatch.dashboard",
                                "logs.log_group"],
    "alerting (SNS)": ["sns.topic"],
    "identity and secrets (IAM, Secrets Manager, KMS)": ["iam.role", "secretsmanager.secret",
                                                         "kms.key"],
    "backup and cost (AWS Backup, Budgets)": ["backup.plan", "budgets.budget"],
}

# Types driftd reads and compares but never makes: before the first apply
# they are in sync, or wait for what the apply makes (a certificate's
# validation), or ask AWS (the account's production access).
CHECKS = {"bedrock.foundation_model_access", "acm.certificate_validation",
          "sesv2.email_identity_verification", "sesv2.account_production_access"}
ACCOUNT = "333333333333"
ACCESS = "sesv2.account_production_access.main"


class EstateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Databases, clusters and load balancers take minutes in AWS; the
        # fake's clock runs 120 times faster.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"], account=ACCOUNT)
        cls.tmp = tempfile.mkdtemp(prefix="driftd-estate-")
        cls.env = cls.fake.env()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.tmp)

    def run_driftd(self, *args, timeout=600):
        return driftd(list(args) + ["--config", PRODUCTION,
                                    "--state-dir", os.path.join(self.tmp, "state")],
                      self.env, timeout=timeout)

    def test_production_plans_applies_and_converges_from_empty(self):
        p = driftd(["validate", PRODUCTION], self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        count = int(re.search(r"(\d+) resources", p.stdout + p.stderr).group(1))

        p = self.run_driftd("plan", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        plan = json.loads(p.stdout)
        actions = {r["address"]: r["action"] for r in plan["resources"]}
        self.assertEqual(len(actions), count)
        # Everything is to be made but the checks, which only read.
        self.assertEqual([(a, act) for a, act in actions.items() if act != "create" and
                          a.rsplit(".", 1)[0] not in CHECKS], [])
        types = {a.rsplit(".", 1)[0] for a in actions}
        for area, wanted in AREAS.items():
            with self.subTest(area=area):
                self.assertEqual([t for t in wanted if t not in types], [])

        p = self.run_driftd("apply", "--auto-approve")
        # Only the production access failed: AWS has it under review.
        errors = sorted({line.split(":", 2)[1].strip() for line in p.stderr.splitlines()
                         if line.startswith("Error:")})
        self.assertEqual((p.returncode, errors), (1, [ACCESS]), p.stdout[-4000:] + p.stderr)
        self.assertIn("PENDING", p.stderr)
        self.fake.control("POST", "state", {"type": "ses_account", "id": ACCOUNT,
                                            "set": {"production_access": True,
                                                    "review_status": "GRANTED"}})
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout[-4000:] + p.stderr)
        requests = self.fake.calls(operation="PutAccountDetails")
        self.assertEqual(len(requests), 1)


if __name__ == "__main__":
    unittest.main()
