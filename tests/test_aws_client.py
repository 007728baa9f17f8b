"""driftd's AWS client end to end: the real binary (`driftd aws`) against
the fake AWS endpoint, which verifies every signature with botocore's own
SigV4 implementation, and a loopback IMDSv2 server for instance
credentials."""
import http.server
import json
import re
import threading
import time
import unittest

from driftdtest import FakeAWS, driftd


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.clear_faults()
        self.fake.clear_calls()

    def run_aws(self, *args, env=None, **extra_env):
        return driftd(["aws"] + list(args), env or self.fake.env(**extra_env))

    def results(self, operation):
        return [c.get("status") for c in self.fake.calls(operation=operation)]

    def test_signed_calls_are_accepted_by_botocore_verification(self):
        p = self.run_aws("ec2", "CreateVpc", "CidrBlock=10.42.0.0/16")
        self.assertEqual(p.returncode, 0, p.stderr)
        vpc_id = json.loads(p.stdout)["Vpc"]["VpcId"]
        p = self.run_aws("ec2", "DescribeVpcs", "--json",
                         json.dumps({"VpcIds": [vpc_id]}))
        self.assertEqual(p.returncode, 0, p.stderr)
        vpcs = json.loads(p.stdout)["Vpcs"]
        self.assertEqual([v["CidrBlock"] for v in vpcs], ["10.42.0.0/16"])
        self.assertEqual(self.results("DescribeVpcs"), [200])

    def test_json_and_rest_protocol_services_are_signed_too(self):
        p = self.run_aws("sts", "GetCallerIdentity")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["Account"], "123456789012")
        p = self.run_aws("logs", "CreateLogGroup", "logGroupName=/driftd/test")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_aws("logs", "DescribeLogGroups",
                         "logGroupNamePrefix=/driftd/")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [g["logGroupName"] for g in json.loads(p.stdout)["logGroups"]]
        self.assertIn("/driftd/test", names)

    def test_wrong_secret_fails_with_aws_code_and_request_id(self):
        p = self.run_aws("ec2", "DescribeVpcs",
                         AWS_SECRET_ACCESS_KEY="not-the-secret")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"AWS AuthFailure, request id [0-9a-f-]{16,}, HTTP 401")
        self.assertNotIn("not-the-secret", p.stderr + p.stdout)
        self.assertEqual(self.results("DescribeVpcs"), [401])

    def test_503_is_retried_until_success(self):
        self.fake.fault(service="ec2", operation="DescribeVpcs", kind="error",
                        status=503, count=2)
        p = self.run_aws("ec2", "DescribeVpcs")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.results("DescribeVpcs"), [503, 503, 200])

    def test_throttling_is_retried_and_attempts_are_bounded(self):
        self.fake.fault(service="ec2", operation="DescribeSubnets",
                        kind="throttle", count=2)
        p = self.run_aws("ec2", "DescribeSubnets")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.results("DescribeSubnets")), 3)
        self.fake.clear_calls()
        self.fake.fault(service="ec2", operation="DescribeSubnets",
                        kind="throttle", count=5)
        p = self.run_aws("ec2", "DescribeSubnets", AWS_MAX_ATTEMPTS="2")
        self.assertEqual(p.returncode, 1)
        self.assertIn("RequestLimitExceeded", p.stderr)
        self.assertEqual(len(self.results("DescribeSubnets")), 2)

    def test_validation_error_is_not_retried(self):
        p = self.run_aws("ec2", "DescribeVpcs", "MaxResults=1")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"AWS InvalidParameterValue, request id \S+, HTTP 400")
        # Only this test's calls: a slow call of an earlier test may still
        # be logged late.
        self.assertEqual([c.get("status") for c in self.fake.calls(operation="DescribeVpcs")
                          if "MaxResults" in (c.get("parameters") or {})], [400])

    def test_connection_reset_is_retried(self):
        self.fake.fault(service="ec2", operation="DescribeVpcs", kind="reset",
                        count=1)
        p = self.run_aws("ec2", "DescribeVpcs")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.results("DescribeVpcs")[-1], 200)

    def test_slow_answer_times_out(self):
        self.fake.fault(service="ec2", operation="DescribeVpcs",
                        kind="latency", ms=4000)
        t0 = time.monotonic()
        p = self.run_aws("ec2", "DescribeVpcs", "--timeout", "0.5",
                         AWS_MAX_ATTEMPTS="1")
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 1)
        self.assertIn("timed out", p.stderr)
        self.assertLess(elapsed, 3.5)
        # The fake is still sleeping on the abandoned call; let it finish
        # so that its log entry does not land in the next test's calls.
        self.fake.clear_faults()
        deadline = time.monotonic() + 15
        while not self.results("DescribeVpcs") and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(self.results("DescribeVpcs"))

    def test_twenty_minute_clock_skew_is_corrected(self):
        self.fake.fault(kind="skew", seconds=1200)
        p = self.run_aws("ec2", "DescribeVpcs")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.results("DescribeVpcs"), [400, 200])
        # JSON protocol: the skew shows as InvalidSignatureException.
        p = self.run_aws("logs", "DescribeLogGroups")
        self.assertEqual(p.returncode, 0, p.stderr)


class IMDS(http.server.BaseHTTPRequestHandler):
    """EC2 instance metadata, IMDSv2 only: a token first, then the role."""
    token = "imds-session-token-1"
    seen = []

    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        IMDS.seen.append(("PUT", self.path,
                          self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")))
        if self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.reply(200, IMDS.token)
        else:
            self.reply(400, "")

    def do_GET(self):
        IMDS.seen.append(("GET", self.path,
                          self.headers.get("X-aws-ec2-metadata-token")))
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS.token:
            self.reply(401, "")
        elif self.path == "/latest/meta-data/iam/security-credentials/":
            self.reply(200, "driftd-role")
        elif self.path == "/latest/meta-data/iam/security-credentials/driftd-role":
            exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            self.reply(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC",
                "AccessKeyId": "ASIAIMDSROLE", "SecretAccessKey": "imds-role-secret",
                "Token": "imds-role-session", "Expiration": exp}))
        else:
            self.reply(404, "")


class InstanceCredentialsTest(unittest.TestCase):
    def test_imdsv2_credentials_sign_the_call(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), IMDS)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        fake = FakeAWS(extra_args=["--access-key", "ASIAIMDSROLE",
                                   "--secret-key", "imds-role-secret"])
        try:
            env = fake.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                           AWS_EC2_METADATA_DISABLED=None,
                           AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d"
                           % server.server_address[1])
            p = driftd(["aws", "sts", "GetCallerIdentity"], env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(IMDS.seen[0][:2], ("PUT", "/latest/api/token"))
            self.assertTrue(IMDS.seen[0][2])
            self.assertEqual([s[:2] for s in IMDS.seen[1:]], [
                ("GET", "/latest/meta-data/iam/security-credentials/"),
                ("GET", "/latest/meta-data/iam/security-credentials/driftd-role")])
            self.assertTrue(all(s[2] == IMDS.token for s in IMDS.seen[1:]))
            self.assertNotIn("imds-role-secret", p.stdout + p.stderr)
        finally:
            fake.stop()
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main()
