"""A journal driftd cannot use stops `driftd apply` with one clear error
naming the file (issue 14, item 9): never a crash, also when the config is
in sync and apply would otherwise have nothing to do. The journals are
data, tests/journal-bad/NN-name.journal, each with the message expected
after "driftd: STATE/journal: " in NN-name.expected."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, FakeAWS, driftd_at, write_config  # noqa: E402

CASES = os.path.join(ROOT, "tests", "journal-bad")
CONFIG = {
    "settings": {"environment": "journal", "region": "us-east-1"},
    "resources": {"ec2.vpc.main": {"CidrBlock": "10.71.0.0/16"}},
}


class CorruptJournalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS()
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-journal-")
        cls.config = write_config(cls.tmp.name, CONFIG)
        cls.env = cls.fake.env()
        cls.state = os.path.join(cls.tmp.name, "state")
        p = driftd_at(cls.config, cls.state, ["apply", "--auto-approve"], cls.env)
        assert p.returncode == 0, p.stdout + p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.tmp.cleanup()

    def setUp(self):
        self.addCleanup(self.remove_journal)

    def remove_journal(self):
        if os.path.lexists(os.path.join(self.state, "journal")):
            os.unlink(os.path.join(self.state, "journal"))

    def cases(self):
        names = sorted(f[:-len(".journal")] for f in os.listdir(CASES)
                       if f.endswith(".journal"))
        self.assertGreaterEqual(len(names), 15)
        return names

    def test_the_config_is_in_sync_with_a_sound_journal(self):
        p = driftd_at(self.config, self.state, ["apply", "--auto-approve"], self.env)
        self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_every_corrupt_journal_is_one_error_naming_the_file(self):
        journal = os.path.join(self.state, "journal")
        for name in self.cases():
            with self.subTest(case=name):
                self.remove_journal()
                shutil.copyfile(os.path.join(CASES, name + ".journal"), journal)
                with open(os.path.join(CASES, name + ".expected")) as f:
                    want = "driftd: %s: %s" % (journal, f.read())
                p = driftd_at(self.config, self.state, ["apply", "--auto-approve"],
                              self.env)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertEqual(p.stderr, want)

    def test_a_journal_that_is_a_symbolic_link_is_refused(self):
        journal = os.path.join(self.state, "journal")
        target = os.path.join(self.tmp.name, "elsewhere")
        with open(target, "w") as f:
            f.write('{"entries": [], "version": 1}')
        self.remove_journal()
        os.symlink(target, journal)
        p = driftd_at(self.config, self.state, ["apply", "--auto-approve"], self.env)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stderr, "driftd: %s: a symbolic link; driftd does not "
                         "follow it (move it away)\n" % journal)

    def test_a_state_directory_others_can_write_is_refused(self):
        os.chmod(self.state, 0o777)
        try:
            p = driftd_at(self.config, self.state, ["apply", "--auto-approve"], self.env)
        finally:
            os.chmod(self.state, 0o700)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("state directory %s is writable by group or others" % self.state,
                      p.stderr)

    def test_a_state_directory_of_another_user_is_refused(self):
        os.chown(self.state, 4242, 4242)
        try:
            p = driftd_at(self.config, self.state, ["apply", "--auto-approve"], self.env)
        finally:
            os.chown(self.state, os.geteuid(), os.getegid())
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("state directory %s is owned by uid 4242" % self.state, p.stderr)


if __name__ == "__main__":
    unittest.main()
