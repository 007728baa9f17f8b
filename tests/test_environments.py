"""The three environments of config/: each validates with driftd itself,
each has the same resources (one architecture in config/base; the parent
zone's delegations to its children are production's alone), and
staging is production on smaller sizes: every size variable (instance
classes, node types, counts, budgets, retention) is smaller or equal in
staging, at least one strictly smaller."""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driftdtest import environment_variables as variables  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("DRIFTD_BUILD", os.path.join(ROOT, "build"))
DRIFTD = os.path.join(BUILD, "driftd")
ENVIRONMENTS = ("dev", "staging", "production")

# Variables that say how big or how costly something is, by name.
SIZE = re.compile(r"(_usd|_count|_size|_days|_gb|_storage|instance_class|node_type|"
                  r"instance_types?|^(min|max|desired)_)")
# EC2/RDS/ElastiCache size suffixes, smallest first.
SIZES = ["nano", "micro", "small", "medium", "large", "xlarge"]


def env_dir(name):
    return os.path.join(ROOT, "config", "environments", name)


def size_rank(value):
    """A comparable size: numbers (or their text) as they are, instance
    classes by their size suffix (db.t4g.large < db.r6g.xlarge <
    m5.2xlarge)."""
    if isinstance(value, list):
        return max(size_rank(v) for v in value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        pass
    m = re.search(r"\.(\d*)(nano|micro|small|medium|large|xlarge)$", value)
    if not m:
        raise ValueError("not a size: %r" % value)
    return SIZES.index(m.group(2)) + (int(m.group(1)) if m.group(1) else 0)


def addresses(name):
    """The resources main.json itself declares (none: an environment sets
    settings and variables, the architecture is config/base)."""
    with open(os.path.join(env_dir(name), "main.json")) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    return set(json.loads(text).get("resources", {}))


def delegations(name):
    """The NS records an environment's zone delegates to other accounts'
    zones (environments/NAME/delegations.json), by address."""
    path = os.path.join(env_dir(name), "delegations.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        text = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    return json.loads(text)["resources"]


class EnvironmentsTest(unittest.TestCase):
    def validate(self, name):
        p = subprocess.run([DRIFTD, "validate", env_dir(name)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, name + ": " + p.stdout + p.stderr)
        m = re.search(r"(\d+) resources, OK", p.stdout + p.stderr)
        self.assertIsNotNone(m, p.stdout + p.stderr)
        return int(m.group(1))

    def test_every_environment_validates_with_the_same_resources(self):
        # but for the parent zone's delegations to its children's zones
        # (production's delegations.json): NS records, nothing else.
        counts = {name: self.validate(name) - len(delegations(name)) for name in ENVIRONMENTS}
        self.assertEqual(len(set(counts.values())), 1, counts)
        self.assertEqual({r["Type"] for name in ENVIRONMENTS for r in delegations(name).values()},
                         {"NS"})
        # The architecture is written once: environments add no resources.
        for name in ENVIRONMENTS:
            self.assertEqual(addresses(name), set(), name)

    def test_environments_set_the_same_variables(self):
        names = {name: set(variables(name)) for name in ENVIRONMENTS}
        self.assertEqual(names["dev"], names["production"])
        self.assertEqual(names["staging"], names["production"])

    def test_staging_is_production_on_smaller_sizes(self):
        staging, production = variables("staging"), variables("production")
        sized = sorted(k for k in production if SIZE.search(k))
        self.assertTrue(sized, "no size variables found")
        smaller = []
        for k in sized:
            with self.subTest(variable=k):
                s, p = size_rank(staging[k]), size_rank(production[k])
                self.assertLessEqual(s, p, "%s: staging %r > production %r"
                                     % (k, staging[k], production[k]))
                if s < p:
                    smaller.append(k)
        self.assertTrue(smaller, "staging is production's size in every variable")
        for k in ("monthly_budget_usd", "bedrock_budget_usd"):
            self.assertIn(k, smaller)

    def test_size_rank_orders_instance_classes(self):
        self.assertLess(size_rank("db.t4g.medium"), size_rank("db.r6g.large"))
        self.assertLess(size_rank("cache.t4g.small"), size_rank("cache.m7g.xlarge"))
        self.assertLess(size_rank("m5.xlarge"), size_rank("m5.2xlarge"))
        self.assertEqual(size_rank("300"), 300.0)
        with self.assertRaises(ValueError):
            size_rank("us-east-1a")


if __name__ == "__main__":
    unittest.main()
