"""Runs `driftd validate` over the bad-config corpus and the good configs.

tests/config-bad/NN-name/ holds one or more .json files and `expected`: the
exact error lines driftd must print (paths relative to tests/config-bad,
which is the working directory). Every bad case must exit 1 and print
nothing on stdout. tests/config-good/* must validate with exit 0.
tests/config-warn/NN-name/ is the same shape for configs that validate
(exit 0) with warnings: `expected` holds the exact warning lines.
"""
import os
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("DRIFTD_BUILD", os.path.join(HERE, "..", "build"))
DRIFTD = os.path.join(BUILD, "driftd")
BAD = os.path.join(HERE, "config-bad")
GOOD = os.path.join(HERE, "config-good")
WARN = os.path.join(HERE, "config-warn")
ESTATE = os.path.join(HERE, "..", "config")


def validate(cwd, *args):
    return subprocess.run([DRIFTD, "validate", *args], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class BadCorpus(unittest.TestCase):
    def test_corpus_has_at_least_25_cases(self):
        cases = [d for d in os.listdir(BAD) if os.path.isdir(os.path.join(BAD, d))]
        self.assertGreaterEqual(len(cases), 25)

    def test_every_case_prints_exactly_its_expected_errors(self):
        for case in sorted(os.listdir(BAD)):
            if not os.path.isdir(os.path.join(BAD, case)):
                continue
            with self.subTest(case=case):
                with open(os.path.join(BAD, case, "expected")) as f:
                    expected = f.read().splitlines()
                self.assertTrue(expected, "expected file is empty")
                p = validate(BAD, case)
                self.assertEqual(p.stderr.splitlines(), expected)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.returncode, 1)

    def test_config_option_form_gives_the_same_errors(self):
        p = validate(BAD, "--config", "13-undefined-variable")
        with open(os.path.join(BAD, "13-undefined-variable", "expected")) as f:
            self.assertEqual(p.stderr, f.read())
        self.assertEqual(p.returncode, 1)


class WarnCorpus(unittest.TestCase):
    def test_every_case_validates_and_prints_exactly_its_expected_warnings(self):
        cases = sorted(d for d in os.listdir(WARN) if os.path.isdir(os.path.join(WARN, d)))
        self.assertTrue(cases)
        for case in cases:
            with self.subTest(case=case):
                with open(os.path.join(WARN, case, "expected")) as f:
                    expected = f.read().splitlines()
                self.assertTrue(expected, "expected file is empty")
                p = validate(WARN, case)
                self.assertEqual(p.stderr.splitlines(), expected)
                self.assertRegex(p.stdout, r"^\d+ files, \d+ resources, OK with %d warnings?\n$"
                                 % len(expected))
                self.assertEqual(p.returncode, 0)


class CurrentEnumValues(unittest.TestCase):
    def test_dev_estate_names_the_al2023_ami_type_without_warning(self):
        # EKS's AL2023 AMI types are newer than Debian's botocore 1.29 and
        # than the node group table's own list; AWS's current model has
        # them, and Amazon Linux 2 node images reached end of support: the
        # shipped estate's node groups run AL2023 (node_ami_type).
        with open(os.path.join(ESTATE, "base", "compute.json")) as f:
            self.assertEqual(f.read().count('"amiType": "${var.node_ami_type}"'), 2)
        with open(os.path.join(ESTATE, "environments", "dev", "main.json")) as f:
            self.assertIn('"node_ami_type": "AL2023_x86_64_STANDARD"', f.read())
        p = validate(ESTATE, os.path.join("environments", "dev"))
        self.assertEqual(p.stderr, "")
        self.assertRegex(p.stdout, r"^\d+ files, \d+ resources, OK\n$")
        self.assertEqual(p.returncode, 0)


class GoodConfigs(unittest.TestCase):
    def check(self, env, files, resources):
        p = validate(GOOD, env)
        self.assertEqual(p.stderr, "")
        self.assertEqual(p.stdout, f"{files} files, {resources} resources, OK\n")
        self.assertEqual(p.returncode, 0)

    def test_production_with_shared_base_validates(self):
        self.check("production", 2, 4)

    def test_staging_including_one_base_file_validates(self):
        self.check("staging", 2, 2)

    def test_base_alone_validates(self):
        self.check("base", 1, 2)

    def test_missing_directory_is_an_error(self):
        p = validate(GOOD, "no-such-env")
        self.assertEqual(p.stderr, "no-such-env: No such file or directory\n")
        self.assertEqual(p.returncode, 1)

    def test_usage_error_exits_2(self):
        self.assertEqual(validate(GOOD).returncode, 2)


if __name__ == "__main__":
    unittest.main()
