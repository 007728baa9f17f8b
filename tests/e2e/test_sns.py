"""SNS topics and subscriptions against the fake AWS: the example's alerts
topic (config/base/alerts.json) converges from empty, ListTopics is read
once and each topic once more (read_each), a topic edited out of band is
put back, a policy with its statements in another order is not drift, and
a topic another tool made is not taken for driftd's."""
import json
import os
import shutil
import sys
import tempfile
import unittest

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ACCESS_KEY, SECRET_KEY, ROOT, FakeAWS, aws_cli, driftd  # noqa: E402
from driftdtest import base_file, estate_root  # noqa: E402

ARN = "arn:aws:sns:us-east-1:123456789012:cloudpartner-e2e-alerts"


class SnsTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeAWS()
        self.dir = tempfile.mkdtemp(prefix="driftd-sns-")
        self.cfg = os.path.join(self.dir, "cfg")
        os.mkdir(self.cfg, 0o700)
        estate_root(self.dir)
        self.state = os.path.join(self.dir, "state")
        # Checks read with boto3 (awscli starts slowly); drift is made with awscli.
        self.sns = boto3.client("sns", endpoint_url=self.fake.url, region_name="us-east-1",
                                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        main = {
            "include": [base_file("alerts.json")],
            "settings": {"environment": "e2e", "region": "us-east-1"},
            "variables": {"env": "e2e", "region": "us-east-1",
                          "account_id": "123456789012",
                          "alerts_email": "oncall@example.com"},
        }
        with open(os.path.join(self.cfg, "main.json"), "w") as f:
            json.dump(main, f)

    def tearDown(self):
        self.fake.stop()
        shutil.rmtree(self.dir)

    def run_driftd(self, *args):
        return driftd(list(args) + ["--config", self.cfg, "--state-dir", self.state],
                      self.fake.env())

    def converge(self):
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def attributes(self):
        return self.sns.get_topic_attributes(TopicArn=ARN)["Attributes"]

    def test_alerts_topic_converges_and_is_read_in_one_list(self):
        self.converge()
        attrs = self.attributes()
        self.assertEqual(attrs["DisplayName"], "cloudpartner e2e")
        # a customer managed key (alias/aws/sns's policy cannot let
        # CloudWatch, Budgets or Cost Anomaly Detection use it)
        self.assertRegex(attrs["KmsMasterKeyId"], r"^arn:aws:kms:us-east-1:123456789012:key/")
        self.assertIn("budgets.amazonaws.com", attrs["Policy"])
        tags = self.sns.list_tags_for_resource(ResourceArn=ARN)
        keys = {t["Key"]: t["Value"] for t in tags["Tags"]}
        self.assertEqual(keys.get("Component"), "alerts")
        subs = self.sns.list_subscriptions_by_topic(TopicArn=ARN)
        self.assertEqual([(s["Protocol"], s["Endpoint"]) for s in subs["Subscriptions"]],
                         [("email", "oncall@example.com")])

        # Three more topics made by someone else: still one ListTopics,
        # and one GetTopicAttributes per listed topic.
        for n in ("a", "b", "c"):
            self.sns.create_topic(Name="other-" + n)
        self.fake.clear_calls()
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(len(self.fake.calls("sns", "ListTopics")), 1)
        self.assertEqual(len(self.fake.calls("sns", "GetTopicAttributes")), 4)
        self.assertEqual(len(self.fake.calls("sns", "ListSubscriptions")), 1)
        self.assertNotIn("other-a", p.stdout)

    def test_out_of_band_edits_are_reverted_and_reordering_is_not_drift(self):
        self.converge()
        aws_cli(self.fake, ["sns", "set-topic-attributes", "--topic-arn", ARN,
                            "--attribute-name", "DisplayName", "--attribute-value", "hacked"])
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("DisplayName", p.stdout)
        self.converge()
        self.assertEqual(self.attributes()["DisplayName"], "cloudpartner e2e")

        # The same policy with keys and principals in another order.
        policy = json.loads(self.attributes()["Policy"])
        st = policy["Statement"][0]
        st["Principal"]["Service"] = list(reversed(st["Principal"]["Service"]))
        reordered = {"Statement": [dict(reversed(list(st.items())))],
                     "Version": policy["Version"]}
        aws_cli(self.fake, ["sns", "set-topic-attributes", "--topic-arn", ARN,
                            "--attribute-name", "Policy",
                            "--attribute-value", json.dumps(reordered)])
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        # A statement dropped is drift.
        aws_cli(self.fake, ["sns", "set-topic-attributes", "--topic-arn", ARN,
                            "--attribute-name", "Policy", "--attribute-value",
                            json.dumps({"Version": "2012-10-17", "Statement": []})])
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.converge()
        self.assertIn("budgets.amazonaws.com", self.attributes()["Policy"])

    def test_a_subscription_removed_out_of_band_is_made_again(self):
        self.converge()
        subs = self.sns.list_subscriptions_by_topic(TopicArn=ARN)
        aws_cli(self.fake, ["sns", "unsubscribe", "--subscription-arn",
                            subs["Subscriptions"][0]["SubscriptionArn"]])
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("sns.subscription.alerts_email", p.stdout)
        self.converge()
        subs = self.sns.list_subscriptions_by_topic(TopicArn=ARN)
        self.assertEqual(len(subs["Subscriptions"]), 1)


if __name__ == "__main__":
    unittest.main()
