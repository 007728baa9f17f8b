"""contrib/gen-model: checks operation names against botocore's models and
emits tables for exactly the listed operations and the shapes they reach."""
import os, subprocess, sys, tempfile, unittest

ROOT = os.environ.get("DRIFTD_ROOT", os.path.join(os.path.dirname(__file__), ".."))
GEN = os.path.join(ROOT, "contrib", "gen-model")


def gen(ops_text, **env):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(ops_text)
    try:
        return subprocess.run([sys.executable, GEN, "--ops", f.name], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env=dict(os.environ, **env))
    finally:
        os.unlink(f.name)


class GenModel(unittest.TestCase):
    def test_unknown_operation_fails_the_generator(self):
        p = gen("ec2 DescribeVpcs DescribeVpcz\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unknown operation DescribeVpcz", p.stderr)

    def test_unknown_service_fails_the_generator(self):
        p = gen("ec3 DescribeVpcs\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("ec3", p.stderr)

    def test_only_listed_operations_and_reachable_shapes_are_emitted(self):
        p = gen("sts GetCallerIdentity\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('{ "sts", "GetCallerIdentity", "POST", "/", 0, 1, '
                      '"GetCallerIdentityResult"', p.stdout)
        self.assertIn('"GetCallerIdentityResponse"', p.stdout)
        self.assertNotIn("AssumeRole", p.stdout)

    def test_sdk_extras_add_members_newer_than_debians_botocore(self):
        # tests/fakeaws/models/rds/2014-10-31/service-2.sdk-extras.json
        p = gen("rds CreateDBInstance DescribeDBInstances StartDBInstanceAutomatedBackupsReplication\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('{ "ManageMasterUserPassword", NULL,', p.stdout)
        self.assertIn('{ "MasterUserSecret", MODEL_STRUCTURE, 0, 3,', p.stdout)
        # Debian's own extras (SourceRegion) are still merged: the fake's
        # file is a superset, found first as botocore would.
        self.assertIn('{ "SourceRegion", NULL,', p.stdout)
        with tempfile.TemporaryDirectory() as empty:
            p = gen("rds CreateDBInstance\n", EXTRAS_PATH=empty)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("ManageMasterUserPassword", p.stdout)

    def test_committed_tables_cover_every_listed_operation(self):
        with open(os.path.join(ROOT, "lib", "model_data.c")) as f:
            data = f.read()
        with open(os.path.join(ROOT, "contrib", "model-ops.txt")) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                for op in words[1:]:
                    self.assertIn('{ "%s", "%s",' % (words[0], op), data)
