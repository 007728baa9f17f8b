"""End to end: secrets in config never reach what driftd prints. An ALB
OIDC action's ClientSecret (elbv2.listener DefaultActions, listener_rule
Actions: AuthenticateOidcActionConfig in the ELBv2 API reference) and the
token of an HTTPS subscription endpoint (in its query and userinfo) are
masked in plan text and --json, in the daemon's log, its SNS alert bodies
and `driftd drift`; and the driftd process cannot be dumped. AWS never
returns the ClientSecret (DescribeListeners, DescribeRules; the fake
answers so): driftd compares it by the keyed fingerprint its journal keeps
and sends it only when it changed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import driftdtest  # noqa: E402
from driftdtest import FakeAWS, aws_cli, driftd_at, write_config  # noqa: E402

OIDC_SECRET = "oidc-secret-sentinel-4f1e"
HOOK_TOKEN = "hook-token-sentinel-77ab"
HOOK_PASSWORD = "hook-password-sentinel-91c2"
MASK = "(sensitive value)"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0000-4000-8000-000000000001"


NEW_SECRET = "oidc-secret-sentinel-rotated-0b9d"


def oidc_action(issuer, secret=OIDC_SECRET):
    return {"Type": "authenticate-oidc", "Order": 1,
            "AuthenticateOidcConfig": {
                "Issuer": issuer, "ClientId": "shop",
                "ClientSecret": secret,
                "AuthorizationEndpoint": issuer + "/authorize",
                "TokenEndpoint": issuer + "/token",
                "UserInfoEndpoint": issuer + "/userinfo"}}


def config(env, topic, observe=False, secret=OIDC_SECRET, issuer="https://idp.example.com"):
    fixed = {"Type": "fixed-response", "Order": 2,
             "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain",
                                     "MessageBody": "ok"}}
    resources = {
        "ec2.vpc.main": {"CidrBlock": "10.61.0.0/16", "Tags": {"Name": env}},
        "ec2.subnet.a": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.61.0.0/24",
                         "AvailabilityZone": "us-east-1a"},
        "ec2.subnet.b": {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": "10.61.1.0/24",
                         "AvailabilityZone": "us-east-1b"},
        "elbv2.load_balancer.main": {
            "Name": env, "Type": "application", "Scheme": "internet-facing",
            "Subnets": ["${ec2.subnet.a.SubnetId}", "${ec2.subnet.b.SubnetId}"]},
        "elbv2.listener.https": {
            "LoadBalancerArn": "${elbv2.load_balancer.main.LoadBalancerArn}",
            "Port": 443, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": CERT}],
            "DefaultActions": [oidc_action(issuer, secret), fixed]},
        "elbv2.listener_rule.app": {
            "ListenerArn": "${elbv2.listener.https.ListenerArn}", "Priority": 10,
            "Conditions": [{"Field": "path-pattern",
                            "PathPatternConfig": {"Values": ["/app/*"]}}],
            "Actions": [oidc_action("https://idp.example.com", secret), fixed]},
        "sns.topic.hooks": {"Name": env + "-hooks"},
        "sns.subscription.hook": {
            "TopicArn": "${sns.topic.hooks.TopicArn}", "Protocol": "https",
            "Endpoint": "https://ops:%s@hooks.example.com/notify?key=%s" % (
                HOOK_PASSWORD, HOOK_TOKEN)},
    }
    doc = {"settings": {"environment": env, "region": "us-east-1"}, "resources": resources}
    if topic:
        doc["settings"]["alert_topic"] = topic
    if observe:
        doc["settings"]["mode"] = "observe"
    return doc


class SecretsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A load balancer is provisioning for 60 fake seconds.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.env = cls.fake.env()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="driftd-secrets-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.state = os.path.join(self.tmp, "state")

    def assertNoSecret(self, text):
        for s in (OIDC_SECRET, NEW_SECRET, HOOK_TOKEN, HOOK_PASSWORD):
            self.assertNotIn(s, text)

    def test_1_plan_text_and_json_mask_the_secrets(self):
        cfg = write_config(self.tmp, config("sec-plan", None))
        p = driftd_at(cfg, self.state, ["plan"], self.env)
        self.assertIn("elbv2.listener.https will be created", p.stdout, p.stdout + p.stderr)
        self.assertNoSecret(p.stdout + p.stderr)
        self.assertIn('"ClientSecret":"%s"' % MASK, p.stdout)
        self.assertIn("https://%s@hooks.example.com/notify?%s" % (MASK, MASK), p.stdout)
        p = driftd_at(cfg, self.state, ["plan", "--json"], self.env)
        self.assertNoSecret(p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        after = {r["address"]: r.get("after") for r in doc["resources"]}
        self.assertEqual(after["elbv2.listener.https"]["DefaultActions"][0]
                         ["AuthenticateOidcConfig"]["ClientSecret"], MASK)
        self.assertEqual(after["elbv2.listener_rule.app"]["Actions"][0]
                         ["AuthenticateOidcConfig"]["ClientSecret"], MASK)
        self.assertEqual(after["sns.subscription.hook"]["Endpoint"],
                         "https://%s@hooks.example.com/notify?%s" % (MASK, MASK))

    def test_2_drift_in_the_log_alerts_and_driftd_drift_is_masked(self):
        topic = aws_cli(self.fake, ["sns", "create-topic", "--name", "sec-alerts"])["TopicArn"]
        cfg = write_config(self.tmp, config("sec-drift", topic))
        p = driftd_at(cfg, self.state, ["apply", "--auto-approve"], self.env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNoSecret(p.stdout + p.stderr)
        # Out of band: the listener's issuer changes; observe mode keeps
        # the drift, so that `driftd drift` still shows it.
        boto = driftdtest.boto_client(self.fake, "elbv2")
        self.addCleanup(boto.close)
        lb = boto.describe_load_balancers(Names=["sec-drift"])["LoadBalancers"][0]
        listener = boto.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
        boto.modify_listener(ListenerArn=listener["ListenerArn"], DefaultActions=[
            oidc_action("https://evil.example.com"), listener["DefaultActions"][1]])
        write_config(self.tmp, config("sec-drift", topic, observe=True))
        p = driftd_at(cfg, self.state, ["plan"], self.env)
        self.assertIn("DefaultActions", p.stdout, p.stdout + p.stderr)
        self.assertNoSecret(p.stdout + p.stderr)
        log = open(os.path.join(self.tmp, "daemon.log"), "w")
        self.addCleanup(log.close)
        d = subprocess.Popen([driftdtest.DRIFTD, "run", "--config", cfg, "--state-dir",
                              self.state, "--interval", "1"],
                             env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(lambda: (d.poll() is None and d.kill(), d.wait()))

        def drift_alerts():
            return [m for m in self.fake.control("GET", "published")["sns"]
                    if (m.get("MessageAttributes") or {}).get("event", {})
                    .get("StringValue") == "drift"]
        deadline = time.monotonic() + 30
        while not drift_alerts() and time.monotonic() < deadline:
            time.sleep(0.2)
        alerts = drift_alerts()
        self.assertTrue(alerts, open(log.name).read())
        self.assertIn("evil.example.com", alerts[0]["Message"])
        self.assertIn(MASK, alerts[0]["Message"])
        self.assertNoSecret(json.dumps(alerts))
        p = driftdtest.driftd(["drift", "--state-dir", self.state, "--json"], self.env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("DefaultActions", p.stdout)
        self.assertNoSecret(p.stdout + p.stderr)
        d.terminate()
        d.wait(10)
        with open(log.name) as f:
            text = f.read()
        self.assertIn("Drift on elbv2.listener.https", text)
        self.assertNoSecret(text)


    def test_3_write_only_secret_is_in_sync_and_sent_only_when_changed(self):
        env = "sec-wo"
        cfg = write_config(self.tmp, config(env, None))

        def run(args, sync=False):
            p = driftd_at(cfg, self.state, args, self.env)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertNoSecret(p.stdout + p.stderr)
            if sync:
                self.assertIn("No changes.", p.stdout, p.stdout + p.stderr)
            return p.stdout

        def stored():
            res = self.fake.control("GET", "state")["resources"]
            return sorted(a["AuthenticateOidcConfig"].get("_ClientSecret")
                          for table, key in (("elb_listener", "DefaultActions"),
                                             ("elb_rule", "Actions"))
                          for r in res[table].values()
                          if "/app/%s/" % env in r.get("LoadBalancerArn", r.get("_listener", ""))
                          for a in r[key] if a["Type"] == "authenticate-oidc")

        def journal():
            with open(os.path.join(self.state, "journal")) as f:
                text = f.read()
            self.assertNoSecret(text)
            return {(s["address"], s["attribute"]): s["fingerprint"]
                    for s in json.loads(text)["secrets"]}

        run(["apply", "--auto-approve"])
        # AWS never answers the secret: the fingerprint of what was sent
        # says it is in sync.
        run(["plan"], sync=True)
        made = journal()
        self.assertEqual(sorted(made), [("elbv2.listener.https", "DefaultActions"),
                                        ("elbv2.listener_rule.app", "Actions")])
        key = os.stat(os.path.join(self.state, "secret-hmac.key"))
        self.assertEqual((key.st_mode & 0o777, key.st_size), (0o600, 32))
        # A rotated secret: one update of each, sending it; then in sync.
        write_config(self.tmp, config(env, None, secret=NEW_SECRET))
        self.assertIn("0 to add, 2 to change", run(["plan"]))
        self.fake.clear_calls()
        run(["apply", "--auto-approve"])
        self.assertEqual(len(self.fake.calls("elasticloadbalancing", "ModifyListener")), 1)
        self.assertEqual(len(self.fake.calls("elasticloadbalancing", "ModifyRule")), 1)
        self.assertEqual(stored(), [NEW_SECRET, NEW_SECRET])
        rotated = journal()
        for k in made:
            self.assertNotEqual(made[k], rotated[k])
        run(["plan"], sync=True)
        # Another member changes: the secret is not sent, AWS keeps it.
        write_config(self.tmp, config(env, None, secret=NEW_SECRET,
                                      issuer="https://idp2.example.com"))
        self.fake.clear_calls()
        run(["apply", "--auto-approve"])
        calls = self.fake.calls("elasticloadbalancing", "ModifyListener")
        self.assertEqual(len(calls), 1)
        sent = calls[0]["parameters"]["DefaultActions"][0]["AuthenticateOidcConfig"]
        # The call log masks members named like secrets: the flag is there,
        # the secret is not (and the fake refuses neither without the other).
        self.assertIn("UseExistingClientSecret", sent)
        self.assertNotIn("ClientSecret", sent)
        self.assertEqual(stored(), [NEW_SECRET, NEW_SECRET])
        self.assertEqual(journal(), rotated)
        run(["plan"], sync=True)
        # A key others can read is refused, naming the file: apply stops.
        key = os.path.join(self.state, "secret-hmac.key")
        os.chmod(key, 0o644)
        p = driftd_at(cfg, self.state, ["apply", "--auto-approve"], self.env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(key + " must be a file of 32 bytes owned by uid", p.stderr)


class PlainHttpTest(unittest.TestCase):
    """An endpoint over plain http to a host that is not loopback is refused
    before any request (signatures and tokens would travel in clear);
    loopback (the fake) stays allowed."""

    def test_plain_http_beyond_loopback_is_refused(self):
        fake = FakeAWS()
        self.addCleanup(fake.stop)
        tmp = tempfile.mkdtemp(prefix="driftd-http-")
        self.addCleanup(shutil.rmtree, tmp, True)
        doc = {"settings": {"environment": "http", "region": "us-east-1",
                            # Not loopback by address (were it ever
                            # reached, Linux would connect locally).
                            "endpoints": {"sns": "http://0.0.0.0:9"}},
               "resources": {"sns.topic.a": {"Name": "http-a"},
                             "ec2.vpc.main": {"CidrBlock": "10.62.0.0/16"}}}
        cfg = write_config(tmp, doc)
        p = driftd_at(cfg, os.path.join(tmp, "state"), ["plan"], fake.env())
        out = p.stdout + p.stderr
        # The topic's line (whatever words the plan uses) carries the error.
        line = next((l for l in out.splitlines() if "sns.topic.a" in l), "")
        self.assertIn("plain http to 0.0.0.0", line, out)
        self.assertIn("settings.allow_plain_http", line, out)
        # ec2 goes to the fake on 127.0.0.1 over http: allowed.
        self.assertIn("ec2.vpc.main will be created", out)
        self.assertEqual(fake.calls("sns"), [])


class DumpableTest(unittest.TestCase):
    """The driftd process is not dumpable: its /proc entries belong to root,
    not to the user it runs as. Its credential_process helper (a child)
    reports the owner of its parent's /proc/PID/status."""

    def test_driftd_is_not_dumpable(self):
        tmp = tempfile.mkdtemp(prefix="driftd-dump-")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.chmod(tmp, 0o755)
        cfg = write_config(tmp, {"settings": {"environment": "dump", "region": "us-east-1"},
                                 "resources": {"sns.topic.a": {"Name": "a"}}})
        os.chmod(cfg, 0o755)
        os.chmod(os.path.join(cfg, "main.json"), 0o644)
        awsconfig = os.path.join(tmp, "awsconfig")
        with open(awsconfig, "w") as f:
            f.write("[default]\ncredential_process = "
                    "stat -c owner=%u /proc/$PPID/status >&2; exit 1\n")
        os.chmod(awsconfig, 0o644)
        env = {"PATH": "/usr/bin:/bin", "AWS_CONFIG_FILE": awsconfig,
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none"),
               "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
        state = os.path.join(tmp, "state")
        os.mkdir(state, 0o700)
        cmd = [driftdtest.DRIFTD, "plan", "--config", cfg, "--state-dir", state]
        uid = os.getuid()
        if uid == 0:
            # As root every /proc entry is root's: run as nobody, with a
            # state directory of its own (the config stays root's).
            uid = 65534
            os.chown(state, 65534, 65534)
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        self.assertIn("owner=0 ", p.stdout)
        self.assertNotIn("owner=%d " % uid, p.stdout)


if __name__ == "__main__":
    unittest.main()
