"""End to end: `driftd run` against the fake AWS endpoint. Each test runs
the real daemon on its own small network-only config (its own environment
name, so alerts and metrics can be told apart) and watches what systemd,
SNS, CloudWatch and AWS itself would see."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import boto3  # noqa: E402
import driftdtest  # noqa: E402

INTERVAL = 1.0


def wait_for(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()


def read_all(s):
    out = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return out
        out += chunk


class NotifySocket:
    """What sd_notify sends: a datagram socket like systemd's."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.extend(data.decode().split("\n"))

    def seen(self, prefix):
        with self.lock:
            return [m for m in self.messages if m.startswith(prefix)]

    def close(self):
        self.done = True
        self.thread.join(2)
        self.sock.close()


def config_text(env, topic, cidr, subnet=None, observe=False, broken=False,
                other=None, topic_resource=False):
    vpc = {"CidrBlock": cidr, "EnableDnsSupport": True,
           "Tags": {"Name": env}}
    if observe:
        vpc["policy"] = {"mode": "observe"}
    resources = {"ec2.vpc.main": vpc}
    if topic_resource:
        # The alert topic is one of the config's own resources.
        resources["sns.topic.alerts"] = {"Name": env + "-alerts"}
        topic = "${sns.topic.alerts.TopicArn}"
    if other:
        resources["ec2.vpc.other"] = {"CidrBlock": other,
                                      "Tags": {"Name": env + "-other"}}
    if subnet:
        resources["ec2.subnet.a"] = {
            "VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": subnet,
            "AvailabilityZone": "us-east-1a", "Tags": {"Name": env + "-a"}}
    doc = {"settings": {"environment": env, "region": "us-east-1",
                        "alert_topic": topic},
           "resources": resources}
    text = json.dumps(doc, indent=2)
    if broken:
        text = text.rstrip()[:-1] + ",\n}"   # a trailing comma
    return text


class Daemon:
    """One `driftd run` with its own config, state and notify socket."""

    def __init__(self, test, fake, env, topic, cidr, **cfg):
        self.fake = fake
        self.ec2 = test.ec2
        self.env = env
        self.topic = topic
        self.cidr = cidr
        self.tmp = tempfile.mkdtemp(prefix="driftd-e2e-")
        test.addCleanup(shutil.rmtree, self.tmp, True)
        self.cfg = os.path.join(self.tmp, "cfg")
        self.state = os.path.join(self.tmp, "state")
        os.mkdir(self.cfg, 0o700)
        os.chmod(self.cfg, 0o700)
        self.write(**cfg)
        self.proc = None
        self.notify = None
        self.log = None
        test.addCleanup(self.kill)

    def write(self, **cfg):
        path = os.path.join(self.cfg, "main.json")
        tmp = path + ".new"
        with open(tmp, "w") as f:
            f.write(config_text(self.env, self.topic, self.cidr, **cfg))
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)

    def start(self, watchdog=True, interval=None, **env):
        if self.notify:
            self.notify.close()
        npath = os.path.join(self.tmp, "notify-%d" % time.monotonic_ns())
        self.notify = NotifySocket(npath)
        extra = dict(env, NOTIFY_SOCKET=npath)
        if watchdog:
            extra["WATCHDOG_USEC"] = "1000000"
        if self.log:
            self.log.close()
        self.log = open(os.path.join(self.tmp, "daemon.log"), "a")
        # WATCHDOG_PID must be the daemon's own pid: exec keeps the shell's.
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh",
             driftdtest.DRIFTD, "run", "--config", self.cfg, "--state-dir",
             self.state, "--interval", str(interval or INTERVAL)],
            env=self.fake.env(**extra), stdout=self.log,
            stderr=subprocess.STDOUT)
        return self

    def ready(self, timeout=30):
        return wait_for(lambda: self.notify.seen("READY=1"), timeout)

    def stop(self, timeout=10):
        self.proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        rc = self.proc.wait(timeout)
        return rc, time.monotonic() - start

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.notify:
            self.notify.close()
            self.notify = None
        if self.log:
            self.log.close()
            self.log = None

    def logtext(self):
        with open(os.path.join(self.tmp, "daemon.log")) as f:
            return f.read()

    def ctl(self, *args):
        p = driftdtest.driftd(list(args) + ["--state-dir", self.state,
                                            "--json"], self.fake.env())
        return json.loads(p.stdout) if p.returncode == 0 else None

    def vpc(self, address="ec2.vpc.main"):
        out = self.ec2.describe_vpcs(Filters=[
            {"Name": "tag:driftd:env", "Values": [self.env]},
            {"Name": "tag:driftd:address", "Values": [address]}])["Vpcs"]
        return out[0] if len(out) == 1 else None

    def name_tag(self, address="ec2.vpc.main"):
        vpc = self.vpc(address)
        tags = {t["Key"]: t["Value"] for t in (vpc or {}).get("Tags", [])}
        return tags.get("Name")

    def alerts(self, event=None):
        out = []
        for m in self.fake.control("GET", "published")["sns"]:
            attrs = m.get("MessageAttributes") or {}
            if attrs.get("environment", {}).get("StringValue") != self.env:
                continue
            if event and attrs.get("event", {}).get("StringValue") != event:
                continue
            out.append(m)
        return out

    def metric(self, name):
        out = []
        for d in self.fake.control("GET", "published")["cloudwatch"]:
            dims = {x["Name"]: x["Value"] for x in d.get("Dimensions", [])}
            if d.get("MetricName") == name and dims == {"Environment":
                                                        self.env}:
                out.append(d["Value"])
        return out

    def socket_fds(self):
        fds = os.path.join("/proc", str(self.proc.pid), "fd")
        n = 0
        for fd in os.listdir(fds):
            try:
                if os.readlink(os.path.join(fds, fd)).startswith("socket:"):
                    n += 1
            except OSError:
                pass
        return n

    def ask(self, data, timeout=3):
        """One raw request on the control socket; the bytes answered."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(os.path.join(self.state, "control.sock"))
            s.sendall(data)
            return read_all(s)
        finally:
            s.close()

    def state_of(self, address):
        status = self.ctl("status") or {}
        for r in status.get("resources", []):
            if r["address"] == address:
                return r["state"]
        return None

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


class DaemonTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.fake = driftdtest.FakeAWS()
        # Reads go through boto3 in process (fast); out-of-band changes
        # through the awscli, as an operator would make them.
        cls.ec2 = boto3.client(
            "ec2", endpoint_url=cls.fake.url, region_name="us-east-1",
            aws_access_key_id=driftdtest.ACCESS_KEY,
            aws_secret_access_key=driftdtest.SECRET_KEY)
        cls.topic = driftdtest.aws_cli(
            cls.fake, ["sns", "create-topic", "--name", "driftd-alerts"]
        )["TopicArn"]

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("FAKE_DEBUG"):
            print("fake rc", cls.fake.proc.poll())
            cls.fake.proc.terminate()
            print(cls.fake.proc.stderr.read()[-4000:])
        cls.fake.stop()

    def daemon(self, env, cidr, **cfg):
        return Daemon(self, self.fake, env, self.topic, cidr, **cfg)

    def tamper(self, d, value="changed-by-hand"):
        driftdtest.aws_cli(self.fake, [
            "ec2", "create-tags", "--resources", d.vpc()["VpcId"],
            "--tags", "Key=Name,Value=" + value])

    def test_notifies_systemd_reverts_drift_alerts_once_and_reports_metrics(self):
        d = self.daemon("e2e-drift", "10.41.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        # STATUS= is the datagram after READY=1: the reader may not have
        # it yet when READY=1 is seen (failed 1 of 2 runs under load).
        self.assertTrue(wait_for(lambda: d.notify.seen("STATUS="), 5), d.notify.messages)
        self.assertIn("1 resources", d.notify.seen("STATUS=")[-1])
        self.assertTrue(wait_for(lambda: d.notify.seen("WATCHDOG=1"), 3))
        self.assertEqual(d.name_tag(), "e2e-drift")

        self.tamper(d)
        # detected and reverted within one interval (plus the cycle itself)
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-drift",
                                 INTERVAL * 1.1 + 2.5), d.logtext())
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 5))
        drift = d.alerts("drift")
        self.assertEqual(len(drift), 1, drift)
        attrs = drift[0]["MessageAttributes"]
        self.assertEqual(attrs["severity"],
                         {"DataType": "String", "StringValue": "warning"})
        self.assertEqual(attrs["event"]["DataType"], "String")
        self.assertLess(len(drift[0]["Subject"]), 100)
        self.assertIn("ec2.vpc.main", drift[0]["Subject"])
        self.assertIn("changed-by-hand", drift[0]["Message"])
        details = json.loads(drift[0]["Message"].split("\nDetails:\n", 1)[1])
        self.assertEqual(details["address"], "ec2.vpc.main")
        self.assertEqual(details["changes"][0]["attribute"], "Tags")

        # DriftedResources went 1 then back to 0
        def one_then_zero():
            v = d.metric("DriftedResources")
            return 1 in v and 0 in v[v.index(1):]
        self.assertTrue(wait_for(one_then_zero, 5), d.metric("DriftedResources"))
        self.assertIn(1, d.metric("ConfigValid"))
        self.assertTrue(d.metric("ApiCalls"))

        status = d.ctl("status")
        self.assertEqual(status["environment"], "e2e-drift")
        self.assertEqual([r["address"] for r in status["resources"]],
                         ["ec2.vpc.main"])
        # "changed" in the cycle that reverted it, then "in sync"
        self.assertIn(status["resources"][0]["state"], ("changed", "in sync"))
        self.assertTrue(wait_for(
            lambda: d.state_of("ec2.vpc.main") == "in sync", 5), d.logtext())
        self.assertEqual(d.ctl("reconcile")["ok"], True)
        self.assertEqual(os.stat(os.path.join(d.state, "control.sock")).st_mode
                         & 0o777, 0o600)

        rc, took = d.stop()
        self.assertEqual(rc, 0)
        self.assertLess(took, 10)
        self.assertTrue(d.notify.seen("STOPPING=1"))
        self.assertEqual(len(d.alerts("drift")), 1)

    def test_observe_mode_drift_is_alerted_once_and_left_alone(self):
        d = self.daemon("e2e-observe", "10.42.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        d.write(observe=True)
        self.assertTrue(wait_for(
            lambda: len(d.notify.seen("READY=1")) >= 2, 5), d.logtext())
        self.tamper(d)
        self.assertTrue(wait_for(lambda: d.alerts("drift"), 6), d.logtext())
        time.sleep(INTERVAL * 4)
        self.assertEqual(d.name_tag(), "changed-by-hand")
        drift = d.alerts("drift")
        self.assertEqual(len(drift), 1, drift)
        self.assertIn("observe only", drift[0]["Message"])
        changes = d.ctl("drift")["drift"]
        self.assertEqual(changes[0]["address"], "ec2.vpc.main")
        self.assertEqual(changes[0]["state"], "drifted (observe)")
        self.assertEqual(d.stop()[0], 0)

    def test_config_edits_converge_live_and_a_broken_edit_keeps_the_last_good(self):
        d = self.daemon("e2e-edit", "10.43.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        pid = d.proc.pid
        d.write(subnet="10.43.1.0/24")

        def subnets():
            return self.ec2.describe_subnets(Filters=[
                {"Name": "tag:driftd:env", "Values": ["e2e-edit"]}])["Subnets"]
        self.assertTrue(wait_for(subnets, 8), d.logtext())
        self.assertEqual(d.proc.pid, pid)
        self.assertIsNone(d.proc.poll())
        # issue 17 item 3: the edit added one resource; that one is
        # reconciled at once in an incremental run, the rest next interval
        self.assertIn("reconciling the 1 it changes now", d.logtext())

        d.write(subnet="10.43.1.0/24", broken=True)
        self.assertTrue(wait_for(lambda: d.alerts("config_rejected"), 5),
                        d.logtext())
        self.assertIn("main.json:", d.logtext())
        # the last good config still runs: drift is still reverted
        self.tamper(d)
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-edit", 5),
                        d.logtext())
        self.assertEqual(len(d.alerts("config_rejected")), 1)
        self.assertIsNone(d.proc.poll())
        # ConfigValid 0 is sent by the flush after the rejection, or, when
        # an earlier PutMetricData was still in flight then, by the next
        # cycle's: the revert above can be seen before that cycle ends
        self.assertTrue(wait_for(lambda: 0 in d.metric("ConfigValid"), 5),
                        d.metric("ConfigValid"))
        self.assertFalse(d.ctl("status")["config_valid"])
        self.assertEqual(d.stop()[0], 0)

    def test_each_edit_is_reconciled_once_and_alone(self):
        # issue 17 item 3: with no full cycle due, edit after edit is an
        # incremental run of what it changed, each loaded once: the quick
        # try once marked a second reload as its own run started (a full
        # cycle at once after every edit), and an edit's run left the
        # next edit no cache (that edit re-read everything)
        d = self.daemon("e2e-edits", "10.47.0.0/16").start(interval=3600)
        self.assertTrue(d.ready(), d.logtext())

        def vpcs(name):
            return self.ec2.describe_vpcs(Filters=[
                {"Name": "tag:Name", "Values": [name]}])["Vpcs"]
        d.write(subnet="10.47.1.0/24")
        self.assertTrue(wait_for(lambda: self.ec2.describe_subnets(Filters=[
            {"Name": "tag:Name", "Values": ["e2e-edits-a"]}])["Subnets"], 8), d.logtext())
        d.write(subnet="10.47.1.0/24", other="10.48.0.0/16")
        self.assertTrue(wait_for(lambda: vpcs("e2e-edits-other"), 8), d.logtext())
        d.write(subnet="10.47.1.0/24", other="10.48.0.0/16", observe=True)
        self.assertTrue(wait_for(
            lambda: d.logtext().count("reconciling the 1 it changes now") == 3, 8),
            d.logtext())
        self.assertFalse(wait_for(lambda: "reconciling it now" in d.logtext(), 2),
                         d.logtext())
        self.assertEqual(d.logtext().count("was reloaded"), 3, d.logtext())
        self.assertEqual(d.stop()[0], 0)

    def test_faults_do_not_stop_it_and_it_converges_when_they_end(self):
        d = self.daemon("e2e-faults", "10.44.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        self.tamper(d)
        self.fake.fault(service="ec2", kind="throttle", rate=0.5)
        self.fake.fault(service="ec2", kind="error", rate=0.2, status=503)
        self.fake.fault(service="ec2", kind="latency", ms=100)
        self.fake.fault(service="ec2", kind="reset", count=3)
        self.fake.fault(service="monitoring", kind="error", rate=0.5)
        try:
            time.sleep(3)
            rss1 = d.rss_kb()
            time.sleep(8)
            rss2 = d.rss_kb()
            self.assertIsNone(d.proc.poll(), d.logtext())
        finally:
            self.fake.clear_faults()
        self.assertLess(rss2, rss1 + 16 * 1024, (rss1, rss2))
        self.assertTrue(wait_for(lambda: d.name_tag() == "e2e-faults", 10),
                        d.logtext())
        self.assertEqual(d.stop()[0], 0)

    def test_sigterm_mid_apply_exits_promptly_and_a_restart_duplicates_nothing(self):
        d = self.daemon("e2e-stop", "10.45.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        self.fake.fault(service="ec2", operation="CreateSubnet",
                        kind="latency", ms=3000)
        try:
            d.write(subnet="10.45.1.0/24")
            self.assertTrue(wait_for(lambda: "ec2.subnet.a: Creating"
                                     in d.logtext(), 5), d.logtext())
            rc, took = d.stop()
            self.assertEqual(rc, 0)
            self.assertLess(took, 10)
        finally:
            self.fake.clear_faults()
        d.start()
        self.assertTrue(d.ready(), d.logtext())

        def subnets():
            return self.ec2.describe_subnets(Filters=[
                {"Name": "cidr-block", "Values": ["10.45.1.0/24"]}])["Subnets"]
        self.assertTrue(wait_for(subnets, 5))
        time.sleep(INTERVAL * 2)
        self.assertEqual(len(subnets()), 1, subnets())
        vpcs = self.ec2.describe_vpcs(Filters=[
            {"Name": "tag:driftd:env", "Values": ["e2e-stop"]}])["Vpcs"]
        self.assertEqual(len(vpcs), 1)
        self.assertEqual(d.stop()[0], 0)

    def test_a_failing_resource_backs_off_while_the_others_converge(self):
        d = self.daemon("e2e-backoff", "10.47.0.0/16", other="10.48.0.0/16")
        d.start(AWS_MAX_ATTEMPTS="1")
        self.assertTrue(d.ready(), d.logtext())
        vpc_id = d.vpc()["VpcId"]

        def dns_support():
            return self.ec2.describe_vpc_attribute(
                VpcId=vpc_id, Attribute="enableDnsSupport"
            )["EnableDnsSupport"]["Value"]
        # Paused, so that no cycle reverts the change before the fault is in.
        d.proc.send_signal(signal.SIGSTOP)
        try:
            driftdtest.aws_cli(self.fake, [
                "ec2", "modify-vpc-attribute", "--vpc-id", vpc_id,
                "--no-enable-dns-support"])
            self.fake.fault(service="ec2", operation="ModifyVpcAttribute",
                            kind="error", status=400)
        finally:
            d.proc.send_signal(signal.SIGCONT)
        try:
            self.tamper(d)
            driftdtest.aws_cli(self.fake, [
                "ec2", "create-tags", "--resources",
                d.vpc("ec2.vpc.other")["VpcId"],
                "--tags", "Key=Name,Value=changed-by-hand"])
            # the other VPC converges while main keeps failing
            self.assertTrue(wait_for(
                lambda: d.name_tag("ec2.vpc.other") == "e2e-backoff-other",
                5), d.logtext())
            self.assertTrue(wait_for(lambda: "(attempt 4)" in d.logtext(),
                                     15), d.logtext())
            log = d.logtext()
            self.assertIn("retries it in 1 s (attempt 1)", log)
            self.assertIn("retries it in 2 s (attempt 2)", log)
            self.assertIn("retries it in 4 s (attempt 3)", log)
            self.assertIn("retries it in 8 s (attempt 4)", log)
            self.assertFalse(dns_support())
            states = {r["address"]: r["state"]
                      for r in d.ctl("status")["resources"]}
            self.assertIn(states["ec2.vpc.main"], ("failed", "backing off"))
            self.assertEqual(states["ec2.vpc.other"], "in sync")
        finally:
            self.fake.clear_faults()
        self.assertEqual(len(d.alerts("action_failed")), 1,
                         d.alerts("action_failed"))
        # an operator's reconcile clears the backoff (8 s to go otherwise)
        self.assertTrue(d.ctl("reconcile", "ec2.vpc.main")["ok"])
        self.assertTrue(wait_for(dns_support, 2), d.logtext())
        self.assertTrue(wait_for(lambda: d.alerts("recovered"), 5))
        self.assertEqual(d.stop()[0], 0)

    def test_control_socket_answers_malformed_requests_and_sheds_idle_ones(self):
        """Issue 14 item 8: a NUL before the newline was never answered,
        and 20 half-sent requests held 20 descriptors for good."""
        d = self.daemon("e2e-ctl", "10.49.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        for bad in (b"status\x00\n", b"sta\x01tus\n", b"\x00\n",
                    b"status\xff\r\n"):
            with self.subTest(request=bad):
                reply = json.loads(d.ask(bad))
                self.assertFalse(reply["ok"])
                self.assertIn("malformed request", reply["error"])
        self.assertEqual(json.loads(d.ask(b"status\r\n"))["environment"],
                         "e2e-ctl")
        self.assertIn("takes no argument",
                      json.loads(d.ask(b"status now\n"))["error"])

        base = d.socket_fds()
        held = []
        try:
            for _ in range(20):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(os.path.join(d.state, "control.sock"))
                s.sendall(b"stat")            # no newline, ever
                held.append(s)
            t0 = time.monotonic()
            answers = []
            for s in held:
                s.settimeout(10)
                answers.append(json.loads(read_all(s)))
            took = time.monotonic() - t0
        finally:
            for s in held:
                s.close()
        errors = sorted(a["error"].split(":")[0] for a in answers)
        # 16 at most are held, each for the idle timeout (5 s); the 4
        # beyond the cap are told at once.
        self.assertEqual(errors.count("busy"), 4, errors)
        self.assertEqual(sum("no complete request" in e for e in errors),
                         16, errors)
        self.assertLess(took, 8)
        self.assertTrue(wait_for(lambda: d.socket_fds() <= base + 2, 3),
                        (base, d.socket_fds()))
        self.assertEqual(d.ctl("status")["environment"], "e2e-ctl")
        # A half-sent request does not hold up a stop either.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(os.path.join(d.state, "control.sock"))
        s.sendall(b"sta")
        try:
            rc, took = d.stop()
        finally:
            s.close()
        self.assertEqual(rc, 0)
        self.assertLess(took, 4)

    def test_alerts_go_out_while_the_alert_topics_read_fails(self):
        """Issue 12 fault 7: with the topic's read failing, its ARN was
        unknown, the queue filled and alerts were dropped "(SNS
        unreachable?)" while SNS answered."""
        d = self.daemon("e2e-topic", "10.50.0.0/16", topic_resource=True)
        d.start()
        self.assertTrue(d.ready(), d.logtext())
        self.assertTrue(wait_for(
            lambda: d.state_of("sns.topic.alerts") == "in sync", 10),
            d.logtext())
        arn = [t["TopicArn"] for t in driftdtest.aws_cli(
            self.fake, ["sns", "list-topics"])["Topics"]
            if t["TopicArn"].endswith(":e2e-topic-alerts")][0]
        self.fake.fault(service="sns", operation="ListTopics", kind="error",
                        status=400)
        try:
            # two cycles whose read of the topic failed
            self.assertTrue(wait_for(lambda: len([
                c for c in self.fake.calls("sns", "ListTopics")
                if c["status"] == 400]) >= 2, 10), d.logtext())
            self.tamper(d)
            self.assertTrue(wait_for(lambda: d.alerts("drift"), 10),
                            d.logtext())
            # Unreadable for 3 cycles in a row: one alert, with the AWS
            # error code and request id of the failed read.
            self.assertTrue(wait_for(lambda: d.alerts("unreadable"), 10),
                            d.logtext())
        finally:
            self.fake.clear_faults()
        drift = d.alerts("drift")
        self.assertEqual(len(drift), 1, drift)
        self.assertEqual(drift[0]["TopicArn"], arn)
        unreadable = d.alerts("unreadable")
        self.assertEqual(len(unreadable), 1, unreadable)
        details = json.loads(
            unreadable[0]["Message"].split("\nDetails:\n", 1)[1])
        self.assertEqual(details["address"], "sns.topic.alerts")
        self.assertEqual(details["aws_error_code"], "InternalFailure")
        failed = [c["request_id"] for c in self.fake.calls("sns", "ListTopics")
                  if c["status"] == 400]
        self.assertIn(details["request_id"], failed)
        self.assertTrue(wait_for(lambda: d.alerts("recovered"), 10),
                        d.logtext())
        self.assertNotIn("dropped", d.logtext())
        self.assertEqual(d.stop()[0], 0)

    def test_a_refused_replacement_is_alerted_once_as_refused(self):
        """Issue 12 fault 5: it alerted every cycle, subject "(reverted)",
        and used up the hourly cap."""
        d = self.daemon("e2e-refused", "10.51.0.0/16").start()
        self.assertTrue(d.ready(), d.logtext())
        d.cidr = "10.52.0.0/16"      # a new VPC: replacement, not allowed
        d.write()
        self.assertTrue(wait_for(lambda: d.alerts("refused"), 8), d.logtext())
        time.sleep(INTERVAL * 5)
        refused = d.alerts("refused")
        self.assertEqual(len(refused), 1, [a["Subject"] for a in refused])
        self.assertIn("refused", refused[0]["Subject"])
        self.assertNotIn("reverted", refused[0]["Subject"])
        self.assertIn("allow_replace", refused[0]["Message"])
        self.assertEqual(d.alerts("drift"), [])
        self.assertEqual(d.vpc()["CidrBlock"], "10.51.0.0/16")
        self.assertEqual(d.state_of("ec2.vpc.main"), "drifted (refused)")
        self.assertEqual(d.stop()[0], 0)

    def test_a_group_writable_config_is_refused(self):
        d = self.daemon("e2e-perm", "10.46.0.0/16")
        os.chmod(d.cfg, 0o770)
        p = driftdtest.driftd(["run", "--config", d.cfg, "--state-dir",
                               d.state], self.fake.env(), timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("writable by group or others", p.stderr)
        os.chmod(d.cfg, 0o700)
        os.chmod(os.path.join(d.cfg, "main.json"), 0o620)
        p = driftdtest.driftd(["run", "--config", d.cfg, "--state-dir",
                               d.state], self.fake.env(), timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("main.json", p.stderr)
        self.assertIsNone(d.vpc())


if __name__ == "__main__":
    unittest.main()
