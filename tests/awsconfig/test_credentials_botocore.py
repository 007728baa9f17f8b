"""driftd's credential chain (lib/credentials.c, through
tests/tools/cred_resolve) against botocore's resolver as an oracle, for the
sources that need no network: environment, shared files, credential_process."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

import botocore.exceptions
import botocore.session

TOOL = os.path.join(os.environ.get("DRIFTD_BUILD", "../../build"),
                    "tests", "tools", "cred_resolve")
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYORACLEKEY"


def sha(s):
    return hashlib.sha256((s or "").encode()).hexdigest()


class ChainAgainstBotocore(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_")}
        self.env.update(HOME=self.dir.name, AWS_EC2_METADATA_DISABLED="true",
                        AWS_CONFIG_FILE=self.path("config"),
                        AWS_SHARED_CREDENTIALS_FILE=self.path("credentials"))

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def botocore(self):
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            creds = botocore.session.Session().get_credentials()
            if creds is None:
                return None
            frozen = creds.get_frozen_credentials()
            expiry = getattr(creds, "_expiry_time", None)
            return {"access_key_id": frozen.access_key,
                    "secret_sha256": sha(frozen.secret_key),
                    "token_sha256": sha(frozen.token),
                    "expiration": int(expiry.timestamp()) if expiry else 0}
        except botocore.exceptions.BotoCoreError as e:
            return {"error": type(e).__name__}
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def ours(self):
        p = subprocess.run([TOOL], env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        self.assertNotIn(SECRET, p.stdout + p.stderr)
        return json.loads(p.stdout)

    def assert_same(self, source):
        want, got = self.botocore(), self.ours()
        self.assertIsNotNone(want)
        self.assertNotIn("error", want)
        self.assertEqual(got.get("source"), source, got)
        got.pop("source")
        self.assertEqual(got, want)

    def assert_both_fail(self):
        want, got = self.botocore(), self.ours()
        self.assertTrue(want is None or "error" in want, want)
        self.assertIn("error", got)

    def process(self, akid, expiration=None, token=None):
        doc = {"Version": 1, "AccessKeyId": akid, "SecretAccessKey": SECRET}
        if token:
            doc["SessionToken"] = token
        if expiration:
            doc["Expiration"] = expiration
        self.write("proc.json", json.dumps(doc))
        return "cat " + self.path("proc.json")

    def test_environment_beats_files(self):
        self.write("credentials", "[default]\naws_access_key_id = AKIAFILE\n"
                   "aws_secret_access_key = x\n")
        self.env.update(AWS_ACCESS_KEY_ID="AKIAENV",
                        AWS_SECRET_ACCESS_KEY=SECRET, AWS_SESSION_TOKEN="tok")
        self.assert_same("environment")

    def test_credentials_file_beats_config_file(self):
        self.write("credentials", "[default]\naws_access_key_id = AKIACRED\n"
                   "aws_secret_access_key = " + SECRET + "\n")
        self.write("config", "[default]\naws_access_key_id = AKIACONF\n"
                   "aws_secret_access_key = y\n")
        self.assert_same("shared-files")

    def test_named_profile_from_config_file(self):
        self.write("config", "[default]\naws_access_key_id = AKIADEF\n"
                   "aws_secret_access_key = y\n[profile dev]\n"
                   "aws_access_key_id = AKIADEV\naws_secret_access_key = "
                   + SECRET + "\naws_session_token = t0k\n")
        self.env["AWS_PROFILE"] = "dev"
        self.assert_same("shared-files")

    def test_credential_process_beats_config_file_keys(self):
        self.write("config", "[default]\naws_access_key_id = AKIACONF\n"
                   "aws_secret_access_key = y\ncredential_process = "
                   + self.process("AKIAPROC", "2030-01-02T03:04:05Z", "stok")
                   + "\n")
        self.assert_same("process")

    def test_credentials_file_keys_beat_credential_process(self):
        self.write("credentials", "[default]\naws_access_key_id = AKIACRED\n"
                   "aws_secret_access_key = " + SECRET + "\n")
        self.write("config", "[default]\ncredential_process = "
                   + self.process("AKIAPROC") + "\n")
        self.assert_same("shared-files")

    def test_missing_named_profile_fails_in_both(self):
        self.write("config", "[default]\nregion = us-east-1\n")
        self.env["AWS_PROFILE"] = "nope"
        self.assert_both_fail()

    def test_half_an_environment_pair_fails_in_both(self):
        self.env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        self.assert_both_fail()

    def test_nothing_configured_fails_in_both(self):
        self.assert_both_fail()


if __name__ == "__main__":
    unittest.main()
