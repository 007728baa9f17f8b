"""Shared helpers for driftd's Python tests: start the fake AWS endpoint on
a free loopback port and stop it by PID, talk to its control API, and run
the driftd binary with an environment that points only at it."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

ROOT = os.environ.get("DRIFTD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("DRIFTD_BUILD") or os.path.join(ROOT, "build")
DRIFTD = os.path.join(BUILD, "driftd")
PYTHON = "/usr/bin/python3"
AWSCLI = "/usr/bin/aws"
# AWS's current models as the fake serves them (AWS_DATA_PATH): newer than
# Debian's botocore.
FAKE_MODELS = os.path.join(ROOT, "tests", "fakeaws", "models")
ACCESS_KEY = "AKIDFAKEDRIFTD"
SECRET_KEY = "fake-secret-key-for-tests"


class FakeAWS:
    """One fake AWS endpoint process on 127.0.0.1, state in its own dir."""

    def __init__(self, state_dir=None, extra_args=(), account=None):
        self._tmp = None
        if state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="driftd-fake-")
            state_dir = self._tmp.name
        self.state_dir = state_dir
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(ROOT, "tests", "fakeaws", "server.py"),
             "--port", "0", "--state-dir", state_dir] + list(extra_args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, FAKEAWS_ACCOUNT=account) if account else None)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on 127.0.0.1:"):
            self.stop()
            raise RuntimeError("fake AWS did not start: %r %s" %
                               (line, self.proc.stderr.read()))
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()
        self.proc = None
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_fake/" + path, data=data,
                                     method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
        return json.loads(text) if text else None

    def fault(self, **spec):
        return self.control("POST", "faults", spec)

    def clear_faults(self):
        return self.control("DELETE", "faults")

    def calls(self, service=None, operation=None):
        q = []
        if service:
            q.append("service=" + service)
        if operation:
            q.append("operation=" + operation)
        doc = self.control("GET", "calls" + ("?" + "&".join(q) if q else ""))
        return doc["calls"] if isinstance(doc, dict) else doc

    def clear_calls(self):
        return self.control("DELETE", "calls")

    def env(self, **extra):
        """An environment that sends every AWS call to this fake only."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_")}
        env.update({
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            # Missing files count as empty: no profile on the test machine
            # can leak in.
            "AWS_CONFIG_FILE": os.path.join(self.state_dir, "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.state_dir,
                                                        "no-aws-credentials"),
        })
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env


def driftd(args, env, timeout=60, input=None):
    """Runs build/driftd; returns CompletedProcess with text output."""
    return subprocess.run([DRIFTD] + list(args), env=env, input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def aws_cli(fake, args, timeout=60):
    """Runs Debian's awscli against the fake, with the fake's models (members
    newer than Debian's botocore); returns parsed JSON or None."""
    env = fake.env(AWS_PAGER="", AWS_DEFAULT_OUTPUT="json", AWS_DATA_PATH=FAKE_MODELS)
    p = subprocess.run([AWSCLI, "--endpoint-url", fake.url,
                        "--region", "us-east-1"] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("aws %s failed: %s" % (" ".join(args), p.stderr))
    return json.loads(p.stdout) if p.stdout.strip() else None


class EstateTestCase(unittest.TestCase):
    """An end-to-end test of part of the estate: setUpClass sets fake (a
    FakeAWS), tmp (a TemporaryDirectory), config (the config directory)
    and env (fake.env()); driftd's state is kept under tmp."""

    @classmethod
    def boto_client(cls, service, region="us-east-1"):
        return boto_client(cls.fake, service, region)

    DRIFTD_TIMEOUT = 120   # seconds for one driftd command

    @classmethod
    def run_driftd(cls, *args):
        return driftd(list(args) + ["--config", cls.config,
                                    "--state-dir", os.path.join(cls.tmp.name, "state")],
                      cls.env, timeout=cls.DRIFTD_TIMEOUT)

    def plan(self):
        return self.run_driftd("plan", "--detailed-exitcode")

    def converge(self):
        """Applies, then expects a clean plan."""
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


def driftd_at(config, state, args, env, timeout=120):
    """Runs build/driftd ARGS on the config dir and state dir given."""
    return driftd(list(args) + ["--config", config, "--state-dir", state],
                  env, timeout=timeout)


def boto_client(fake, service, region="us-east-1"):
    """A boto3 client for the fake: reads in process, faster than awscli.
    SQS's client reads AWS's current model (the fake's): SQS speaks JSON
    there and the query protocol in Debian's botocore 1.29, which the fake
    does not serve."""
    import boto3
    session = boto3
    if service == "sqs":
        import botocore.session
        core = botocore.session.get_session()
        core.set_config_variable("data_path", FAKE_MODELS)
        session = boto3.session.Session(botocore_session=core)
    return session.client(service, endpoint_url=fake.url,
                          region_name=region,
                          aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY)


def write_config(parent, doc):
    """Writes doc as PARENT/config/main.json (a directory only its owner
    may read, as driftd wants); returns the config directory."""
    config = os.path.join(parent, "config")
    os.makedirs(config, 0o700, exist_ok=True)
    with open(os.path.join(config, "main.json"), "w") as f:
        json.dump(doc, f, indent=1)
    return config


def estate_root(parent):
    """Makes PARENT a config root beside the example estate, for a test's
    environment directory in PARENT: base, templates, dashboards and schema
    are links to config/'s, so the environment includes base_file(NAME)
    and their file() paths resolve as in config/ (include and file() reach
    the config root only; see lib/trust.h)."""
    for d in ("base", "templates", "dashboards", "schema"):
        link = os.path.join(parent, d)
        if not os.path.lexists(link):
            os.symlink(os.path.join(ROOT, "config", d), link)


def base_file(name):
    """config/base/NAME as an environment directory in an estate_root
    includes it."""
    return os.path.join("..", "base", name)


def environment_variables(name):
    """The variables of config/environments/NAME/main.json, for tests that
    apply config/base under their own names (whole-line comments only,
    as those files are written)."""
    with open(os.path.join(ROOT, "config", "environments", name, "main.json")) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    return json.loads(text)["variables"]
