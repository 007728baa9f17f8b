"""Orphans: a resource tagged for the environment but gone from the config
is reported and left alone, unless settings.prune names its type; then
apply deletes it. A typo in prune is a config error."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import FakeAWS, driftd  # noqa: E402

BASE = {
    "settings": {"environment": "prunetest", "region": "us-east-1"},
    "resources": {
        "ec2.vpc.main": {"CidrBlock": "10.9.0.0/16"},
        "ec2.security_group.web": {
            "GroupName": "web", "Description": "web", "VpcId": "${ec2.vpc.main.VpcId}",
        },
        "ec2.security_group.old": {
            "GroupName": "old", "Description": "old", "VpcId": "${ec2.vpc.main.VpcId}",
        },
    },
}


class PruneTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeAWS()
        self.dir = tempfile.mkdtemp(prefix="driftd-prune-")
        self.cfg = os.path.join(self.dir, "cfg")
        os.mkdir(self.cfg, 0o700)
        self.state = os.path.join(self.dir, "state")

    def tearDown(self):
        self.fake.stop()
        shutil.rmtree(self.dir)

    def write(self, doc):
        with open(os.path.join(self.cfg, "main.json"), "w") as f:
            json.dump(doc, f, indent=1)

    def run_driftd(self, *args):
        return driftd(list(args) + ["--config", self.cfg, "--state-dir", self.state],
                      self.fake.env())

    def group_names(self):
        p = driftd(["aws", "ec2", "DescribeSecurityGroups"], self.fake.env())
        self.assertEqual(p.returncode, 0, p.stderr)
        return sorted(g["GroupName"] for g in json.loads(p.stdout)["SecurityGroups"])

    def test_orphan_is_kept_until_its_type_is_pruned(self):
        self.write(BASE)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("old", self.group_names())

        doc = json.loads(json.dumps(BASE))
        del doc["resources"]["ec2.security_group.old"]
        self.write(doc)
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ec2.security_group.old", p.stdout)
        self.assertIn("an orphan, left alone", p.stdout)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("old", self.group_names())

        doc["settings"]["prune"] = ["ec2.security_group"]
        self.write(doc)
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("settings.prune: it will be destroyed", p.stdout)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("old", self.group_names())
        self.assertIn("web", self.group_names())
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_unknown_prune_type_is_a_config_error(self):
        doc = json.loads(json.dumps(BASE))
        doc["settings"]["prune"] = ["ec2.securitygroup"]
        self.write(doc)
        p = driftd(["validate", self.cfg], self.fake.env())
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r'main\.json:\d+:\d+: settings\.prune: unknown resource type '
                                   r'"ec2\.securitygroup"; did you mean "ec2\.security_group"\?')


if __name__ == "__main__":
    unittest.main()
