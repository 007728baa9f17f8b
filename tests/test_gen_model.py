"""contrib/gen-model: checks operation names against AWS's models, emits
tables for exactly the listed operations and the shapes they reach, finds
its models from any worktree, and lib/model_data.c is what it generates.

The committed tables come from AWS's current models (../shared/aws-models,
not in the repository). Where that folder is, the freshness test
regenerates and compares byte for byte; where it is not (a fresh machine),
it checks the sha256 the file records of its generator, its operations
list and its own body, and says on stderr that the models were not
compared. Either way it asserts something that fails on stale tables.
The other cases use Debian's botocore models, or small models they write.
"""
import hashlib, json, os, re, shutil, subprocess, sys, tempfile, unittest

ROOT = os.path.abspath(os.environ.get("DRIFTD_ROOT",
                                      os.path.join(os.path.dirname(__file__), "..")))
GEN = os.path.join(ROOT, "contrib", "gen-model")
DATA = os.path.join(ROOT, "lib", "model_data.c")
DEBIAN = "/usr/lib/python3/dist-packages/botocore/data"


def run(args, cwd=None, **env):
    return subprocess.run([sys.executable, GEN] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=300, cwd=cwd,
                          env=dict(os.environ, **env))


def gen(ops_text, **env):
    env.setdefault("MODEL_PATH", DEBIAN)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(ops_text)
    try:
        return run(["--ops", f.name], **env)
    finally:
        os.unlink(f.name)


def write_model(base, service="toy", version="2020-01-01"):
    """A one-operation json-protocol model at base/service/version."""
    d = os.path.join(base, service, version)
    os.makedirs(d)
    with open(os.path.join(d, "service-2.json"), "w") as f:
        json.dump({"metadata": {"protocol": "json", "apiVersion": version},
                   "operations": {"Ping": {"name": "Ping", "input": {"shape": "PingIn"}}},
                   "shapes": {"PingIn": {"type": "structure",
                                         "members": {"Mode": {"shape": "Mode"}}},
                              "Mode": {"type": "string", "enum": ["FAST", "SLOW"]}}}, f)


def recorded(text):
    """The header's "kind name sha256" lines as {(kind, name): sha256}."""
    head = text[:text.index("*/")]
    out = {}
    for m in re.finditer(r"^ \* (input|model|body) (?:(\S+) )?([0-9a-f]{64})$", head, re.M):
        out[(m.group(1), m.group(2))] = m.group(3)
    return out


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


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

    def test_string_shapes_carry_their_enum_values(self):
        with tempfile.TemporaryDirectory() as d:
            write_model(d)
            p = gen("toy Ping\n", MODEL_PATH=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('{ "Mode", MODEL_STRING, 0, 0, 0, NULL, NULL, NULL, "FAST|SLOW" },',
                      p.stdout)
        self.assertIn('{ "PingIn", MODEL_STRUCTURE, 0, 1, 0, NULL, NULL, NULL, NULL },',
                      p.stdout)

    def test_sdk_extras_are_merged_as_botocore_merges_them(self):
        with tempfile.TemporaryDirectory() as extras:
            d = os.path.join(extras, "rds", "2014-10-31")
            os.makedirs(d)
            with open(os.path.join(d, "service-2.sdk-extras.json"), "w") as f:
                json.dump({"version": 1.0, "merge": {"shapes": {"CreateDBInstanceMessage": {
                    "members": {"NewerMember": {"shape": "BooleanOptional"}}}}}}, f)
            p = gen("rds CreateDBInstance\n", EXTRAS_PATH=extras)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn('{ "NewerMember", NULL,', p.stdout)
            self.assertIn(" * model rds/2014-10-31/service-2.sdk-extras.json ", p.stdout)
        p = gen("rds CreateDBInstance\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("NewerMember", p.stdout)

    def test_relative_model_path_is_found_from_cwd_and_from_the_repository_root(self):
        with tempfile.TemporaryDirectory() as d:
            write_model(os.path.join(d, "models"))
            p = run(["--where"], cwd=d, MODEL_PATH="models")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.strip(), os.path.join(os.path.realpath(d), "models"))
        p = run(["--where"], cwd="/", MODEL_PATH="tests/config-good")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), os.path.join(ROOT, "tests", "config-good"))
        p = run(["--where"], cwd="/", MODEL_PATH="no/such/models")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no/such/models", p.stderr)

    def test_relative_model_path_is_found_from_a_linked_worktree(self):
        # ../shared/aws-models names the same folder from /work/main and
        # from /work/wt/NAME: a linked worktree falls back to the main one.
        with tempfile.TemporaryDirectory() as d:
            main, wt = os.path.join(d, "main"), os.path.join(d, "wt", "x")
            os.makedirs(os.path.join(main, "contrib"))
            shutil.copy(GEN, os.path.join(main, "contrib", "gen-model"))
            git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
            for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"],
                        ["worktree", "add", "-q", wt]):
                subprocess.run(git + cmd, cwd=main, check=True, stdout=subprocess.DEVNULL)
            write_model(os.path.join(d, "shared", "aws-models"))
            p = subprocess.run([sys.executable, os.path.join(wt, "contrib", "gen-model"),
                                "--where"], cwd=wt, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, MODEL_PATH="../shared/aws-models"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(os.path.realpath(p.stdout.strip()),
                             os.path.realpath(os.path.join(d, "shared", "aws-models")))

    def test_committed_tables_cover_every_listed_operation(self):
        with open(DATA) as f:
            data = f.read()
        with open(os.path.join(ROOT, "contrib", "model-ops.txt")) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                for op in words[1:]:
                    self.assertIn('{ "%s", "%s",' % (words[0], op), data)

    def test_committed_tables_are_fresh(self):
        with open(DATA) as f:
            text = f.read()
        rec = recorded(text)
        # Not hand-edited, and made by this generator from this list.
        body = text[text.index("*/\n") + 3:]
        self.assertEqual(rec.get(("body", None)), hashlib.sha256(body.encode()).hexdigest(),
                         "lib/model_data.c was edited by hand")
        for name in ("contrib/gen-model", "contrib/model-ops.txt"):
            self.assertEqual(rec.get(("input", name)),
                             sha256_file(os.path.join(ROOT, name)),
                             "%s changed since lib/model_data.c was generated" % name)
        models = sorted(n for k, n in rec if k == "model")
        self.assertIn("eks/2017-11-01/service-2.json", models)
        where = run(["--where"], MODEL_PATH=os.environ.get("MODEL_PATH",
                                                           "../shared/aws-models"))
        if where.returncode != 0:
            sys.stderr.write("\nNOTE: AWS's models (../shared/aws-models) are absent: "
                             "lib/model_data.c checked against its recorded hashes "
                             "only, not regenerated\n")
            return
        base = where.stdout.strip()
        for name in models:
            self.assertEqual(rec[("model", name)], sha256_file(os.path.join(base, name)),
                             "%s in %s changed since lib/model_data.c was generated"
                             % (name, base))
        p = run([], MODEL_PATH=base)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout == text, "regenerating from %s gives other tables" % base)

    def test_synthetic_tables_are_fresh_and_carry_member_traits(self):
        # tests/proto-synthetic holds its models, so it always regenerates.
        synth = os.path.join(ROOT, "tests", "proto-synthetic")
        with open(os.path.join(synth, "model_data.c")) as f:
            text = f.read()
        p = run(["--ops", os.path.join(synth, "model-ops.txt")], MODEL_PATH=synth)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout == text, "tests/proto-synthetic/model_data.c is stale: "
                        "regenerate it as tests/proto-synthetic/model-ops.txt says")
        # "flattened" on the member, not its shape, reaches the member's flags.
        self.assertRegex(text, r'\{ "MemberFlatList", [^\n]*MODEL_F_FLATTENED')
        self.assertRegex(text, r'\{ "PlainList", [^\n]*, MODEL_LOC_BODY, 0, ')

    def test_operations_without_auth_are_marked(self):
        # botocore's rule (resolve_auth_type): the first of the auth list,
        # else the older authtype.
        with tempfile.TemporaryDirectory() as base:
            d = os.path.join(base, "toy", "2020-01-01")
            os.makedirs(d)
            ops = {"Anon": {"auth": ["smithy.api#noAuth"]},
                   "Either": {"auth": ["aws.auth#sigv4", "smithy.api#noAuth"]},
                   "Legacy": {"authtype": "none"},
                   "Overridden": {"auth": ["aws.auth#sigv4"], "authtype": "none"},
                   "Signed": {}}
            with open(os.path.join(d, "service-2.json"), "w") as f:
                json.dump({"metadata": {"protocol": "json", "apiVersion": "2020-01-01"},
                           "operations": {n: dict(o, name=n) for n, o in ops.items()},
                           "shapes": {}}, f)
            p = gen("toy " + " ".join(ops) + "\n", MODEL_PATH=base)
        self.assertEqual(p.returncode, 0, p.stderr)
        for name, unsigned in (("Anon", True), ("Either", False), ("Legacy", True),
                               ("Overridden", False), ("Signed", False)):
            row = re.search(r'\{ "toy", "%s", [^\n]*' % name, p.stdout).group(0)
            self.assertEqual("MODEL_OP_NO_AUTH" in row, unsigned, row)


if __name__ == "__main__":
    unittest.main()
