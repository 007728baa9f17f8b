"""End to end: DNS, TLS and email from config/base (Route 53 zone, record
sets and health check, the ACM certificate validated by DNS, the SES
domain identity with its DKIM/SPF/DMARC/MAIL FROM records) against the
fake AWS endpoint: the order of the apply, drift reverted, record sets
compared as sets, and many records read and written in few calls."""
import json
import os
import sys
import tempfile
import unittest

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ACCESS_KEY, SECRET_KEY, FakeAWS, ROOT, aws_cli, driftd  # noqa: E402
from driftdtest import base_file, estate_root  # noqa: E402

DOMAIN = "mail.example.org"
VARIABLES = {
    "env": "e2e", "region": "us-east-1", "az_a": "us-east-1a", "az_b": "us-east-1b",
    "vpc_cidr": "10.60.0.0/16", "public_a_cidr": "10.60.0.0/24",
    "public_b_cidr": "10.60.1.0/24", "private_a_cidr": "10.60.10.0/24",
    "private_b_cidr": "10.60.11.0/24", "domain": DOMAIN,
    "maintenance_vpc_cidr": "10.60.200.0/24", "maintenance_a_cidr": "10.60.200.0/25",
    "maintenance_b_cidr": "10.60.200.128/25", "backup_az_a": "us-west-2a", "backup_az_b": "us-west-2b",
    "alb_idle_timeout": "60", "alb_logs_bucket": "e2e-alb-logs", "alb_log_retention_days": 30,
    "elb_log_account": "127311923021", "backup_region": "us-west-2", "vpc_flow_log_retention_days": 7,
    "bedrock_region": "us-east-1",
    "bedrock_model_id": "amazon.nova-lite-v1:0", "account_id": "123456789012",
    "alerts_email": "ops@example.org",
}


def write_config(path, extra=None):
    os.makedirs(path, exist_ok=True)
    estate_root(os.path.dirname(path))
    # The parts of the estate this test is about (config/base grows with
    # every area).
    main = {"include": [base_file(f)
                        for f in ("network.json", "kms.json", "iam.json", "edge.json", "dns.json",
                                  "maintenance.json", "email.json")],
            "settings": {"environment": "e2e", "region": "us-east-1"},
            "variables": VARIABLES}
    if extra:
        main["resources"] = extra
    with open(os.path.join(path, "main.json"), "w") as f:
        json.dump(main, f)


class EdgeEmailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-edge-")
        cls.config = os.path.join(cls.tmp.name, "config")
        write_config(cls.config)
        cls.env = cls.fake.env()
        cls.r53 = boto3.client("route53", endpoint_url=cls.fake.url, region_name="us-east-1",
                               aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        # The account is out of the SES sandbox already (test_email.py
        # tries the request for production access).
        ses = boto3.client("sesv2", endpoint_url=cls.fake.url, region_name="us-east-1",
                           aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        ses.get_account()
        ses.close()
        cls.fake.control("POST", "state", {"type": "ses_account", "id": "123456789012", "set": {
            "production_access": True, "review_status": "GRANTED"}})
        cls.first = cls.run_driftd(cls.config, "apply", "--auto-approve")
        cls.first_calls = cls.fake.calls()

    @classmethod
    def tearDownClass(cls):
        cls.r53.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    @classmethod
    def run_driftd(cls, config, *args):
        return driftd(list(args) + ["--config", config,
                                    "--state-dir", os.path.join(cls.tmp.name, "state")],
                      cls.env, timeout=180)

    def plan(self, config=None):
        return self.run_driftd(config or self.config, "plan", "--detailed-exitcode")

    def converge(self, config=None):
        p = self.run_driftd(config or self.config, "apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.plan(config)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def zone_id(self):
        zones = self.r53.list_hosted_zones()["HostedZones"]
        return [z["Id"].split("/")[-1] for z in zones if z["Name"] == DOMAIN + "."][0]

    def records(self):
        pages = self.r53.get_paginator("list_resource_record_sets").paginate(
            HostedZoneId=self.zone_id())
        return [r for page in pages for r in page["ResourceRecordSets"]]

    def record(self, name, rtype):
        return [r for r in self.records() if r["Name"] == name and r["Type"] == rtype]

    def test_1_apply_from_empty_in_dependency_order_then_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        ops = [(c["operation"], c["parameters"]) for c in self.first_calls if c["status"] == 200]

        def first(op, pred=lambda p: True):
            return next(i for i, (o, p) in enumerate(ops) if o == op and pred(p))

        def changes_name(part):
            return lambda p: any(part in ch["ResourceRecordSet"]["Name"]
                                 for ch in p["ChangeBatch"]["Changes"])

        zone = first("CreateHostedZone")
        cert = first("RequestCertificate", lambda p: p["DomainName"] == DOMAIN)
        validation = first("ChangeResourceRecordSets", lambda p: any(
            "acm-validations" in json.dumps(ch["ResourceRecordSet"]) for ch in p["ChangeBatch"]["Changes"]))
        issued = next(i for i, c in enumerate(self.first_calls)
                      if c["operation"] == "DescribeCertificate" and i > validation)
        https = first("CreateListener", lambda p: p.get("Protocol") == "HTTPS" and
                      "/cloudpartner-e2e/" in p["LoadBalancerArn"])
        self.assertLess(zone, validation)
        self.assertLess(cert, validation)
        self.assertLess(validation, issued)
        self.assertLess(issued, https)
        identity = first("CreateEmailIdentity")
        dkim = first("ChangeResourceRecordSets", changes_name("._domainkey."))
        self.assertLess(identity, dkim)
        # The HTTPS listener uses the certificate ACM issued.
        acm = boto3.client("acm", endpoint_url=self.fake.url, region_name="us-east-1",
                           aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        # (the fake keeps every region in one store: the maintenance load
        # balancer's certificate for api.DOMAIN, in the backup region, is
        # listed too)
        certs = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == DOMAIN]
        acm.close()
        self.assertEqual([c["Status"] for c in certs], ["ISSUED"])
        self.assertEqual(ops[https][1]["Certificates"][0]["CertificateArn"], certs[0]["CertificateArn"])
        # SES verified the domain once the DKIM records existed.
        ident = json.loads(driftd(["aws", "sesv2", "GetEmailIdentity", "EmailIdentity=" + DOMAIN],
                                  self.env).stdout)
        self.assertEqual(ident["DkimAttributes"]["Status"], "SUCCESS")
        self.assertEqual(ident["MailFromAttributes"]["MailFromDomain"], "mail." + DOMAIN)
        # Record changes of the zone went out in few change batches.
        batches = [p for o, p in ops if o == "ChangeResourceRecordSets"]
        self.assertGreater(max(len(p["ChangeBatch"]["Changes"]) for p in batches), 1)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_2_deleted_dkim_record_is_recreated(self):
        dkim = [r for r in self.records() if "._domainkey." in r["Name"]][0]
        aws_cli(self.fake, ["route53", "change-resource-record-sets", "--hosted-zone-id", self.zone_id(),
                            "--change-batch", json.dumps({"Changes": [
                                {"Action": "DELETE", "ResourceRecordSet": dkim}]})])
        self.assertEqual(self.plan().returncode, 2)
        self.converge()
        self.assertEqual(self.record(dkim["Name"], "CNAME"), [dkim])

    def test_3_health_check_path_drift_is_reverted(self):
        hc = self.r53.list_health_checks()["HealthChecks"][0]
        aws_cli(self.fake, ["route53", "update-health-check", "--health-check-id", hc["Id"],
                            "--resource-path", "/changed"])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout)
        self.assertIn("/changed", p.stdout)
        self.converge()
        got = self.r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]["HealthCheckConfig"]
        self.assertEqual(got["ResourcePath"], "/health")
        # the load balancer's own name, never the name its failover records
        # answer (api.DOMAIN)
        elbv2 = boto3.client("elbv2", endpoint_url=self.fake.url, region_name="us-east-1",
                             aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        lb = elbv2.describe_load_balancers(Names=["cloudpartner-e2e"])["LoadBalancers"][0]
        elbv2.close()
        self.assertEqual(got["FullyQualifiedDomainName"], lb["DNSName"])

    def test_4_same_values_in_another_order_are_not_drift(self):
        config = os.path.join(self.tmp.name, "order")
        multi = {"route53.record_set.multi": {
            "HostedZoneId": "${route53.hosted_zone.main.HostedZoneId}",
            "Name": "Multi." + DOMAIN, "Type": "A", "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"},
                                {"Value": "192.0.2.3"}]}}
        write_config(config, multi)
        self.converge(config)
        rec = self.record("multi." + DOMAIN + ".", "A")[0]
        rec["ResourceRecords"] = list(reversed(rec["ResourceRecords"]))
        aws_cli(self.fake, ["route53", "change-resource-record-sets", "--hosted-zone-id", self.zone_id(),
                            "--change-batch", json.dumps({"Changes": [
                                {"Action": "UPSERT", "ResourceRecordSet": rec}]})])
        self.assertEqual(self.record("multi." + DOMAIN + ".", "A")[0]["ResourceRecords"][0]["Value"],
                         "192.0.2.3")
        p = self.plan(config)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_5_three_hundred_records_in_few_calls(self):
        config = os.path.join(self.tmp.name, "many")
        many = {}
        for i in range(300):
            many["route53.record_set.host%03d" % i] = {
                "HostedZoneId": "${route53.hosted_zone.main.HostedZoneId}",
                "Name": "host%03d.%s" % (i, DOMAIN), "Type": "TXT", "TTL": 300,
                "ResourceRecords": [{"Value": "\"n=%d\"" % i}]}
        # Weighted routing: two records of one name, told apart by SetIdentifier.
        for ident, weight in (("blue", 90), ("green", 10)):
            many["route53.record_set.weighted_" + ident] = {
                "HostedZoneId": "${route53.hosted_zone.main.HostedZoneId}",
                "Name": "canary." + DOMAIN, "Type": "CNAME", "TTL": 60,
                "SetIdentifier": ident, "Weight": weight,
                "ResourceRecords": [{"Value": ident + "." + DOMAIN}]}
        write_config(config, many)
        self.fake.clear_calls()
        # Route 53 answers slowly: driftd never has more than two calls in flight.
        self.fake.fault(service="route53", kind="latency", ms=30)
        try:
            p = self.run_driftd(config, "apply", "--auto-approve")
        finally:
            self.fake.clear_faults()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        calls = self.fake.calls(service="route53")
        changes = [c for c in calls if c["operation"] == "ChangeResourceRecordSets"]
        written = sum(len(c["parameters"]["ChangeBatch"]["Changes"]) for c in changes)
        self.assertEqual(written, 302)
        self.assertLessEqual(len(changes), 4)
        events = sorted([(c["started"], 1) for c in calls] + [(c["time"], -1) for c in calls])
        level = peak = 0
        for _, step in events:
            level += step
            peak = max(peak, level)
        self.assertLessEqual(peak, 2)
        self.assertEqual(len(self.record("canary." + DOMAIN + ".", "CNAME")), 2)
        # The next plan reads the zone's 300-odd records in a few pages.
        self.fake.clear_calls()
        p = self.plan(config)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lists = self.fake.calls(operation="ListResourceRecordSets")
        self.assertGreaterEqual(len(lists), 2)
        self.assertLessEqual(len(lists), 5)
        # A changed weight is one UPSERT.
        many["route53.record_set.weighted_green"]["Weight"] = 20
        write_config(config, many)
        self.fake.clear_calls()
        self.converge(config)
        changes = self.fake.calls(operation="ChangeResourceRecordSets")
        self.assertEqual([[ch["Action"] for ch in c["parameters"]["ChangeBatch"]["Changes"]]
                          for c in changes], [["UPSERT"]])


if __name__ == "__main__":
    unittest.main()
