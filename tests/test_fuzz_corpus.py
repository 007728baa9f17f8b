"""The fuzz harnesses (tests/fuzz/fuzz_*.c) over their committed corpora,
each input once: a regression run of the crashes and sanitizer findings
fuzzing found (under `make asan` the harnesses carry ASan and UBSan). The
binaries are the corpus-driver builds `make test` makes; `make fuzz` runs
the same harnesses under libFuzzer."""
import glob
import os
import subprocess
import unittest

ROOT = os.environ.get("DRIFTD_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("DRIFTD_BUILD") or os.path.join(ROOT, "build")
NAMES = sorted(os.path.basename(p)[len("fuzz_"):-2]
               for p in glob.glob(os.path.join(ROOT, "tests", "fuzz", "fuzz_*.c")))


class FuzzCorpusTest(unittest.TestCase):
    def test_every_harness_has_a_corpus(self):
        self.assertGreaterEqual(len(NAMES), 8)
        for name in NAMES:
            files = os.listdir(os.path.join(ROOT, "tests", "fuzz", "corpus", name))
            self.assertGreaterEqual(len(files), 2, name)

    def test_the_template_crash_input_is_in_the_corpus(self):
        with open(os.path.join(ROOT, "tests", "fuzz", "corpus", "template",
                               "star-merge-uaf.json")) as f:
            self.assertEqual(f.read(), '[{"*":"$value","":""},{"":""}]')

    def test_each_harness_runs_its_corpus_without_a_crash(self):
        for name in NAMES:
            with self.subTest(harness=name):
                corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
                p = subprocess.run([os.path.join(BUILD, "tests", "fuzz", "fuzz_" + name), corpus],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stdout[-3000:])
                self.assertEqual(p.stdout.strip().splitlines()[-1],
                                 "%d inputs" % len(os.listdir(corpus)))


if __name__ == "__main__":
    unittest.main()
