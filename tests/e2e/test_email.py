"""End to end: the email part of the estate (config/base/email.json: the
SES configuration set publishing delivery, bounce, complaint and reject
events to an encrypted SNS topic, the topic's HTTPS subscription to the
API's webhook, HTML templates deployed from config/templates, and the
account's production access) against the fake AWS endpoint: from empty,
drift reverted, and the production access request made once and
reported until AWS grants it."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import FakeAWS, ROOT, EstateTestCase, aws_cli  # noqa: E402
from driftdtest import base_file, estate_root  # noqa: E402

DOMAIN = "mail.example.org"
ACCOUNT = "123456789012"
TEMPLATES = os.path.join(ROOT, "config", "templates")
VARIABLES = {
    "env": "e2e", "region": "us-east-1", "account_id": ACCOUNT, "domain": DOMAIN,
    "alerts_email": "ops@example.org",
}
ADDRESS = "sesv2.account_production_access.main"


def template_file(name):
    with open(os.path.join(TEMPLATES, name)) as f:
        return f.read()


class EmailTest(EstateTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-email-")
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        main = {
            "include": [base_file("email.json")],
            "settings": {"environment": "e2e", "region": "us-east-1"},
            "variables": VARIABLES,
            # The zone of config/base/dns.json, without the load balancer
            # its other records name.
            "resources": {"route53.hosted_zone.main": {"Name": "${var.domain}",
                                                       "Tags": {"Component": "dns"}}},
        }
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(main, f)
        cls.env = cls.fake.env()
        cls.ses = cls.boto_client("sesv2")
        cls.sns = cls.boto_client("sns")
        cls.first = cls.run_driftd("apply", "--auto-approve")
        cls.second = cls.run_driftd("apply", "--auto-approve")
        cls.pending_plan = cls.run_driftd("plan", "--detailed-exitcode")
        cls.puts = cls.fake.calls(operation="PutAccountDetails")

    @classmethod
    def tearDownClass(cls):
        cls.ses.close()
        cls.sns.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    def grant(self):
        self.fake.control("POST", "state", {"type": "ses_account", "id": ACCOUNT,
                                            "set": {"production_access": True,
                                                    "review_status": "GRANTED"}})

    def destination(self):
        return self.ses.get_configuration_set_event_destinations(
            ConfigurationSetName="cloudpartner-e2e")["EventDestinations"]

    def test_1_apply_from_empty_makes_the_email_estate(self):
        # Everything but the held production access converged.
        out = self.first.stdout + self.first.stderr
        self.assertNotEqual(self.first.returncode, 0, out)
        self.assertIn(ADDRESS, out)
        self.assertIn("PENDING", out)
        got = self.ses.get_configuration_set(ConfigurationSetName="cloudpartner-e2e")
        self.assertEqual(got["DeliveryOptions"]["TlsPolicy"], "REQUIRE")
        self.assertTrue(got["ReputationOptions"]["ReputationMetricsEnabled"])
        self.assertEqual(sorted(got["SuppressionOptions"]["SuppressedReasons"]), ["BOUNCE", "COMPLAINT"])
        topics = [t["TopicArn"] for t in self.sns.list_topics()["Topics"]]
        self.assertEqual([t.rsplit(":", 1)[1] for t in topics], ["cloudpartner-e2e-email-events"])
        attrs = self.sns.get_topic_attributes(TopicArn=topics[0])["Attributes"]
        # Encrypted with the key driftd made for it (kms.key.email_events).
        kms = self.boto_client("kms")
        tags = {t["TagKey"]: t["TagValue"] for t in
                kms.list_resource_tags(KeyId=attrs["KmsMasterKeyId"])["Tags"]}
        kms.close()
        self.assertEqual(tags["driftd:address"], "kms.key.email_events")
        policy = json.loads(attrs["Policy"])
        self.assertEqual(policy["Statement"][0]["Principal"], {"Service": "ses.amazonaws.com"})
        [dest] = self.destination()
        self.assertEqual((dest["Name"], dest["Enabled"], dest["SnsDestination"]["TopicArn"]),
                         ("delivery-status", True, topics[0]))
        self.assertEqual(sorted(dest["MatchingEventTypes"]), ["BOUNCE", "COMPLAINT", "DELIVERY", "REJECT"])
        subs = self.sns.list_subscriptions()["Subscriptions"]
        self.assertEqual([(s["TopicArn"], s["Protocol"], s["Endpoint"]) for s in subs],
                         [(topics[0], "https", "https://api.%s/webhooks/ses" % DOMAIN)])
        names = sorted(t["TemplateName"] for t in self.ses.list_email_templates()["TemplatesMetadata"])
        self.assertEqual(names, ["inquiry-confirmation", "password-reset", "report-ready"])
        for name in names:
            content = self.ses.get_email_template(TemplateName=name)["TemplateContent"]
            stem = name.replace("-", "_")
            self.assertEqual(content["Html"], template_file(stem + ".html"))
            self.assertEqual(content["Text"], template_file(stem + ".txt"))

    def test_2_production_access_is_requested_once_and_reported_until_granted(self):
        self.assertEqual(len(self.puts), 1, self.puts)
        # The call log masks the members SES's model marks sensitive.
        req = self.puts[0]["parameters"]
        self.assertEqual((req["ProductionAccessEnabled"], req["MailType"], req["ContactLanguage"]),
                         (True, "TRANSACTIONAL", "EN"))
        details = self.ses.get_account()["Details"]
        self.assertEqual(details["WebsiteURL"], "https://" + DOMAIN)
        self.assertIn("transactional email", details["UseCaseDescription"])
        self.assertEqual(details["AdditionalContactEmailAddresses"], ["ops@example.org"])
        # The second apply and the plan report it pending, and nothing else.
        for p in (self.second, self.pending_plan):
            out = p.stdout + p.stderr
            self.assertEqual(p.returncode, 1, out)
            self.assertIn(ADDRESS, out)
            self.assertIn("Details.ReviewDetails.Status is PENDING", out)
        self.assertNotIn("will be", self.pending_plan.stdout)
        self.grant()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(len(self.fake.calls(operation="PutAccountDetails")), 1)

    def test_3_removed_event_type_is_added_back(self):
        self.grant()
        dest = self.destination()[0]
        aws_cli(self.fake, ["sesv2", "update-configuration-set-event-destination",
                            "--configuration-set-name", "cloudpartner-e2e",
                            "--event-destination-name", "delivery-status",
                            "--event-destination", json.dumps({
                                "Enabled": True, "MatchingEventTypes": ["DELIVERY", "BOUNCE", "REJECT"],
                                "SnsDestination": dest["SnsDestination"]})])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("COMPLAINT", p.stdout)
        self.converge()
        self.assertEqual(sorted(self.destination()[0]["MatchingEventTypes"]),
                         ["BOUNCE", "COMPLAINT", "DELIVERY", "REJECT"])

    def test_4_edited_template_html_is_restored_from_the_file(self):
        self.grant()
        content = self.ses.get_email_template(TemplateName="report-ready")["TemplateContent"]
        content["Html"] = content["Html"].replace("Open the report", "Open the report now")
        aws_cli(self.fake, ["sesv2", "update-email-template", "--template-name", "report-ready",
                            "--template-content", json.dumps(content)])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("sesv2.email_template.report_ready", p.stdout)
        self.converge()
        got = self.ses.get_email_template(TemplateName="report-ready")["TemplateContent"]
        self.assertEqual(got["Html"], template_file("report_ready.html"))


if __name__ == "__main__":
    unittest.main()
