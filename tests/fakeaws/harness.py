"""Test helpers: start the fake as a subprocess on port 0, build boto3
clients pointed at it, and talk to its control API."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = '/usr/bin/python3'
AKID = 'AKIDTESTHARNESS'
# boto3 finds the fake's extra service models (Bedrock) here too.
os.environ['AWS_DATA_PATH'] = os.path.join(HERE, 'models')
SECRET = 'harness-secret-not-real'


class FakeServer:
    def __init__(self, state_dir=None, extra=()):
        self.owns_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix='fakeaws-')
        self.extra = list(extra)
        self.proc = None
        self.clients = []

    def start(self):
        # stderr goes to a file: a pipe nobody reads could fill and stall the fake
        self.log_path = os.path.join(self.state_dir, 'server.log')
        with open(self.log_path, 'a') as log:
            self.proc = subprocess.Popen(
                [PYTHON, os.path.join(HERE, 'server.py'), '--port', '0', '--state-dir', self.state_dir,
                 '--access-key', AKID, '--secret-key', SECRET] + self.extra,
                stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith('listening on 127.0.0.1:'):
            self.proc.kill()
            self.proc.wait()
            with open(self.log_path) as log:
                raise RuntimeError('fake did not start: %r %s' % (line, log.read()))
        self.port = int(line.rsplit(':', 1)[1])
        self.url = 'http://127.0.0.1:%d' % self.port
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                rc = self.proc.wait()
            self.proc.stdout.close()
            return rc
        return None

    def cleanup(self):
        self.close_clients()
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def client(self, service, key=AKID, secret=SECRET, retries=0, validate=True, region_name='us-east-1', **kw):
        """A boto3 client for the fake; closed by cleanup()."""
        kw = dict({'connect_timeout': 5, 'read_timeout': 10}, **kw)
        cfg = Config(retries={'total_max_attempts': retries + 1, 'mode': 'standard'}, parameter_validation=validate,
                     **kw)
        c = boto3.session.Session().client(service, endpoint_url=self.url, region_name=region_name,
                                            aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)
        self.clients.append(c)
        return c

    def close_clients(self):
        for c in self.clients:
            c.close()
        self.clients = []

    def control(self, method, path, doc=None):
        data = json.dumps(doc).encode() if doc is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())


class FakeTestCase(unittest.TestCase):
    """One fake per test class; state is reset between tests."""
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeServer(extra=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.fake.cleanup()

    def setUp(self):
        self.fake.control('POST', '/_fake/state', {'reset': True})
        self.fake.control('DELETE', '/_fake/faults')
        self.fake.control('DELETE', '/_fake/calls')

    def tearDown(self):
        self.fake.close_clients()

    def assertAwsError(self, code, fn, *args, **kw):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response['Error']['Code'], code, cm.exception.response)
        return cm.exception.response
