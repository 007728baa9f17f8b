"""The shared-config parser (lib/ini.c, through tests/tools/ini_dump)
against botocore's raw_config_parse as an independent oracle."""
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

import botocore.configloader
import botocore.exceptions

TOOL = os.path.join(os.environ.get("DRIFTD_BUILD", "../../build"),
                    "tests", "tools", "ini_dump")

FIXED = [
    "[default]\nregion = eu-west-1\noutput=json\n",
    "# comment\n; other\n\n[default]\n  region   =   us-east-2   \n",
    "[profile dev]\r\nrole_arn = arn:aws:iam::1:role/x\r\nsource_profile: base\r\n",
    "[default]\nvalue = a=b # not a comment ; still not\nRegion = X\n",
    "[services local]\nec2 =\n  endpoint_url = http://127.0.0.1:4566\n"
    "\tRegion = us-west-2\ns3 =\n    addressing_style = path\n"
    "top = 1\n[profile p]\nservices = local\n",
    "[default]\ns3 =\n\n  a = 1\n\n  b = 2\nempty =\n[x]\n",
    "[default]\n  region = x\n",
]

BAD = [
    ("region = x\n[default]\n", 1),
    ("[default]\nregion = x\njust words\n", 3),
    ("[default]\n\n[profile dev\nk = 1\n", 3),
    ("[default]\ns3 =\n  no delimiter here\n", 3),
]


def ours(path):
    p = subprocess.run([TOOL, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode:
        return None, p.stderr.strip()
    return json.loads(p.stdout), None


def random_config(rng):
    words = ["region", "output", "role_arn", "source_profile", "s3",
             "ec2", "endpoint_url", "max attempts", "ca_bundle", "key_x"]
    values = ["us-east-1", "http://127.0.0.1:9000/", "a=b", "x # y",
              "arn:aws:iam::123456789012:role/r", "; z", "v:w", "1"]
    nl = rng.choice(["\n", "\r\n"])
    out = []
    for s in rng.sample(["default", "profile a", "profile b c",
                         "services s", "x"], rng.randint(1, 4)):
        out.append("[%s]" % s)
        for k in rng.sample(words, rng.randint(0, 5)):
            if rng.random() < 0.2:
                out.append(rng.choice(["# c", "; c", "", "   "]))
            pad = " " * rng.randint(0, 2)
            delim = rng.choice(["=", "=", ":"])
            if rng.random() < 0.3:
                out.append("%s%s%s" % (k, pad, "="))
                for sub in rng.sample(words, rng.randint(0, 3)):
                    out.append("%s%s = %s" % (rng.choice(["  ", "\t", "    "]),
                                              sub, rng.choice(values)))
            else:
                out.append("%s%s%s%s%s" % (k.upper() if rng.random() < 0.2 else k,
                                           pad, delim, pad, rng.choice(values)))
    return nl.join(out) + nl


class IniAgainstBotocore(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, text):
        path = os.path.join(self.dir.name, "config")
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    def assert_same(self, text):
        path = self.write(text)
        got, err = ours(path)
        self.assertIsNone(err, text)
        self.assertEqual(got, botocore.configloader.raw_config_parse(path), text)

    def test_fixed_files_parse_like_botocore(self):
        for text in FIXED:
            with self.subTest(text=text):
                self.assert_same(text)

    def test_random_files_parse_like_botocore(self):
        rng = random.Random(20261125)
        for _ in range(300):
            self.assert_same(random_config(rng))

    def test_files_botocore_rejects_fail_with_line(self):
        for text, line in BAD:
            with self.subTest(text=text):
                path = self.write(text)
                with self.assertRaises(botocore.exceptions.ConfigParseError):
                    botocore.configloader.raw_config_parse(path)
                got, err = ours(path)
                self.assertIsNone(got)
                self.assertTrue(err.startswith("%s:%d:" % (path, line)), err)


if __name__ == "__main__":
    unittest.main()
