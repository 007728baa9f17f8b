"""The shipped unit: no core dumps (LimitCORE=0: the daemon's memory holds
config secrets and AWS keys) and systemd's own exposure score at or below
1.5 (`systemd-analyze security --offline=yes`)."""
import os
import re
import subprocess
import unittest

ROOT = os.environ.get("DRIFTD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
UNIT = os.path.join(ROOT, "systemd", "driftd@.service")


class UnitTest(unittest.TestCase):
    def settings(self):
        out = {}
        with open(UNIT) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith(("#", "[")) and "=" in line:
                    k, v = line.split("=", 1)
                    out.setdefault(k, []).append(v)
        return out

    def test_core_dumps_are_off(self):
        self.assertEqual(self.settings().get("LimitCORE"), ["0"])

    def test_exposure_is_at_most_1_5(self):
        p = subprocess.run(["systemd-analyze", "security", "--offline=yes", UNIT],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", p.stdout)
        self.assertIsNotNone(m, p.stdout[-2000:])
        self.assertLessEqual(float(m.group(1)), 1.5, p.stdout[-2000:])


if __name__ == "__main__":
    unittest.main()
