"""contrib/gen-model: checks operation names against AWS's models, emits
tables for exactly the listed operations and the shapes they reach, finds
its models from any worktree, and lib/model_data.c is what it generates.

The committed tables come from AWS's current models (../shared/aws-models,
not in the repository). Where that folder is, the freshness test
regenerates and compares byte for byte; where it is not (a fresh machine),
it checks the sha256 the file records of its generator, its operations
list and its own body, and says on stderr that the models were not
compared. Either way it asserts something that fails on stale tables.
The other cases use Debian's botocore models, or small models they write,
and read the generated tables through tables() below, which resolves the
string pool's offsets back into the strings (and checks each offset).
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


# Each table's fields, in the order of lib/model.h's structs; the *_STR
# fields are string-pool offsets, which tables() resolves.
FIELDS = {
    "shapes": ("name", "type", "flags", "n_members", "first_member", "payload",
               "wire_name", "xml_ns", "enum_values"),
    "members": ("name", "wire_name", "query_name", "xml_ns", "xml_ns_prefix", "shape",
                "location", "flags", "ts_format"),
    "paginators": ("input_token", "input_token", "input_token", "output_token",
                   "output_token", "output_token", "more_results", "limit_key",
                   "result_key"),
    "operations": ("service", "name", "http_method", "request_uri", "input", "output",
                   "result_wrapper", "input_wire_name", "input_xml_ns", "paginator",
                   "flags"),
}
STR_FIELDS = {"name", "wire_name", "query_name", "xml_ns", "xml_ns_prefix", "payload",
              "enum_values", "input_token", "output_token", "more_results", "limit_key",
              "result_key", "service", "http_method", "request_uri", "result_wrapper",
              "input_wire_name", "input_xml_ns"}


def c_unescape(lit):
    """The bytes of a C string literal's body (the escapes gen-model
    writes: \\ \" \? and three-digit octal)."""
    out, i = bytearray(), 0
    while i < len(lit):
        if lit[i] != "\\":
            out += lit[i].encode()
            i += 1
        elif lit[i + 1] in "01234567":
            n = 1
            while n < 3 and i + 1 + n < len(lit) and lit[i + 1 + n] in "01234567":
                n += 1
            out.append(int(lit[i + 1:i + 1 + n], 8))
            i += 1 + n
        else:
            out += lit[i + 1].encode()
            i += 2
    return bytes(out)


def tables(text):
    """The generated tables as {"strings": {offset: str}, "shapes": [row],
    ...}, each row a list of (field, value) with string offsets replaced by
    their strings (None for 0). Fails when a line of the pool is not at
    the offset its comment gives or a row names an offset that starts no
    string."""
    pool = text[text.index("const char model_strings[] =\n"):]
    pool = pool[:pool.index("\t;\n")]
    data, strings = b"", {}
    for m in re.finditer(r'^\t/\* *(\d+) \*/ "(.*)"$', pool, re.M):
        if int(m.group(1)) != len(data):
            raise AssertionError("pool line at %d says %s" % (len(data), m.group(1)))
        raw = c_unescape(m.group(2))
        if not raw.endswith(b"\0") or b"\0" in raw[:-1]:
            raise AssertionError("pool line %s is not one string" % m.group(1))
        if data:
            strings[len(data)] = raw[:-1].decode()
        data += raw
    out = {"strings": strings}
    for table, fields in FIELDS.items():
        body = text[text.index("model_%s[] = {\n" % table):]
        body = body[body.index("\n") + 1:body.index("\n};")]
        rows = []
        for line in body.splitlines():
            values = re.sub(r"/\*.*\*/", "", line).replace("{", "").replace("}", "")
            values = [v.strip() for v in values.split(",") if v.strip()]
            if len(values) != len(fields):
                raise AssertionError("row %r has %d fields" % (line, len(values)))
            row = []
            for f, v in zip(fields, values):
                if f in STR_FIELDS:
                    if int(v) and int(v) not in strings:
                        raise AssertionError("row %r: no string at %s" % (line, v))
                    v = strings.get(int(v))
                elif re.match(r"^-?\d+$", v):
                    v = int(v)
                row.append((f, v))
            rows.append(row)
        out[table] = rows
    return out


def find(rows, **want):
    """The rows whose fields have the values given."""
    return [r for r in rows if all(dict(r).get(k) == v for k, v in want.items())]


# Prints every string field of every row, read through model_str() as
# driftd reads them, one "table index field value" line each.
C_DUMP = r"""
#include <stdio.h>
#include "model.h"
#define P(t, i, f, off) if (off) printf("%s %d %s %s\n", t, i, f, model_str(off))
int main(void)
{
	int i, k;
	for (i = 0; i < model_n_shapes; i++) {
		const model_shape_t *s = &model_shapes[i];
		P("shapes", i, "name", s->name); P("shapes", i, "payload", s->payload);
		P("shapes", i, "wire_name", s->wire_name); P("shapes", i, "xml_ns", s->xml_ns);
		P("shapes", i, "enum_values", s->enum_values);
	}
	for (i = 0; i < model_n_members; i++) {
		const model_member_t *m = &model_members[i];
		P("members", i, "name", m->name); P("members", i, "wire_name", m->wire_name);
		P("members", i, "query_name", m->query_name);
		P("members", i, "xml_ns", m->xml_ns);
		P("members", i, "xml_ns_prefix", m->xml_ns_prefix);
	}
	for (i = 0; i < model_n_paginators; i++) {
		const model_paginator_t *p = &model_paginators[i];
		for (k = 0; k < MODEL_TOKENS_MAX; k++) {
			P("paginators", i, "input_token", p->input_token[k]);
			P("paginators", i, "output_token", p->output_token[k]);
		}
		P("paginators", i, "more_results", p->more_results);
		P("paginators", i, "limit_key", p->limit_key);
		P("paginators", i, "result_key", p->result_key);
	}
	for (i = 0; i < model_n_operations; i++) {
		const model_operation_t *o = &model_operations[i];
		P("operations", i, "service", o->service); P("operations", i, "name", o->name);
		P("operations", i, "http_method", o->http_method);
		P("operations", i, "request_uri", o->request_uri);
		P("operations", i, "result_wrapper", o->result_wrapper);
		P("operations", i, "input_wire_name", o->input_wire_name);
		P("operations", i, "input_xml_ns", o->input_xml_ns);
	}
	return 0;
}
"""


def c_strings(data_c):
    """C_DUMP's lines for the tables in data_c, compiled as driftd is."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "dump.c"), "w") as f:
            f.write(C_DUMP)
        exe = os.path.join(d, "dump")
        subprocess.run(["cc", "-std=gnu11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "lib"),
                        "-o", exe, os.path.join(d, "dump.c"), data_c], check=True)
        return subprocess.run([exe], stdout=subprocess.PIPE, check=True).stdout.decode()


def py_strings(t):
    """The same lines from tables()."""
    out = []
    for table in FIELDS:
        for i, row in enumerate(t[table]):
            out += ["%s %d %s %s" % (table, i, f, v) for f, v in row
                    if f in STR_FIELDS and v is not None]
    return sorted(out)


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
        t = tables(p.stdout)
        self.assertEqual([dict(r) for r in t["operations"]], [{
            "service": "sts", "name": "GetCallerIdentity", "http_method": "POST",
            "request_uri": "/", "input": 0, "output": 1,
            "result_wrapper": "GetCallerIdentityResult", "input_wire_name": None,
            "input_xml_ns": None, "paginator": -1, "flags": 0}])
        self.assertEqual(dict(t["shapes"][1])["name"], "GetCallerIdentityResponse")
        self.assertNotIn("AssumeRole", p.stdout)

    def test_string_shapes_carry_their_enum_values(self):
        with tempfile.TemporaryDirectory() as d:
            write_model(d)
            p = gen("toy Ping\n", MODEL_PATH=d)
        self.assertEqual(p.returncode, 0, p.stderr)
        t = tables(p.stdout)
        self.assertEqual([list(dict(r).values()) for r in t["shapes"]], [
            ["PingIn", "MODEL_STRUCTURE", 0, 1, 0, None, None, None, None],
            ["Mode", "MODEL_STRING", 0, 0, 0, None, None, None, "FAST|SLOW"]])

    def test_sdk_extras_are_merged_as_botocore_merges_them(self):
        with tempfile.TemporaryDirectory() as extras:
            d = os.path.join(extras, "rds", "2014-10-31")
            os.makedirs(d)
            with open(os.path.join(d, "service-2.sdk-extras.json"), "w") as f:
                json.dump({"version": 1.0, "merge": {"shapes": {"CreateDBInstanceMessage": {
                    "members": {"NewerMember": {"shape": "BooleanOptional"}}}}}}, f)
            p = gen("rds CreateDBInstance\n", EXTRAS_PATH=extras)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(find(tables(p.stdout)["members"], name="NewerMember",
                                 wire_name=None))
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
            ops = tables(f.read())["operations"]
        with open(os.path.join(ROOT, "contrib", "model-ops.txt")) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                for op in words[1:]:
                    self.assertEqual(len(find(ops, service=words[0], name=op)), 1,
                                     "%s %s" % (words[0], op))

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
        members = tables(text)["members"]
        self.assertTrue(find(members, name="MemberFlatList", flags="MODEL_F_FLATTENED"))
        self.assertTrue(find(members, name="PlainList", location="MODEL_LOC_BODY", flags=0))
        self.assertFalse(find(members, name="PlainList", flags="MODEL_F_FLATTENED"))

    def test_tables_hold_no_pointers(self):
        # A pointer in a PIE is relocated at startup, dirtying its page in
        # every process: the tables are offsets and indexes, all .rodata.
        for data_c in (DATA, os.path.join(ROOT, "tests", "proto-synthetic", "model_data.c")):
            with tempfile.TemporaryDirectory() as d:
                obj = os.path.join(d, "model_data.o")
                subprocess.run(["cc", "-std=gnu11", "-fPIE", "-O2", "-I",
                                os.path.join(ROOT, "lib"), "-c", data_c, "-o", obj], check=True)
                relocs = subprocess.run(["readelf", "-r", obj], stdout=subprocess.PIPE,
                                        text=True, check=True).stdout
                sections = subprocess.run(["readelf", "-S", "-W", obj], stdout=subprocess.PIPE,
                                          text=True, check=True).stdout
            self.assertIn("There are no relocations in this file.", relocs, data_c)
            self.assertNotIn(".data.rel", sections, data_c)

    def test_rows_read_the_same_strings_in_c(self):
        # The generator counts the pool's offsets; the compiler lays the
        # pool out. Every string a row names, read through model_str(),
        # is the one the generator meant, escapes and UTF-8 included.
        with tempfile.TemporaryDirectory() as base:
            d = os.path.join(base, "toy", "2020-01-01")
            os.makedirs(d)
            odd = ['say "hi"', "back\\slash", "what??=", "caf\u00e9", "tab\there", "7"]
            with open(os.path.join(d, "service-2.json"), "w") as f:
                json.dump({"metadata": {"protocol": "json", "apiVersion": "2020-01-01"},
                           "operations": {"Ping": {"name": "Ping", "input": {"shape": "In"},
                                                   "http": {"requestUri": "/a?b"}}},
                           "shapes": {"In": {"type": "structure", "members": {
                               "Odd": {"shape": "Odd", "locationName": "caf\u00e9"},
                               "Seven": {"shape": "Odd", "locationName": "7"}}},
                               "Odd": {"type": "string", "enum": odd}}}, f)
            p = gen("toy Ping\n", MODEL_PATH=base)
            self.assertEqual(p.returncode, 0, p.stderr)
            t = tables(p.stdout)
            self.assertEqual(dict(t["shapes"][1])["enum_values"], "|".join(odd))
            self.assertEqual(len(set(t["strings"].values())), len(t["strings"]),
                             "a string is in the pool twice")
            data_c = os.path.join(base, "model_data.c")
            with open(data_c, "w") as f:
                f.write(p.stdout)
            self.assertEqual(sorted(c_strings(data_c).splitlines()), py_strings(t))
        with open(DATA) as f:
            t = tables(f.read())
        self.assertEqual(sorted(c_strings(DATA).splitlines()), py_strings(t))

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
        ops = tables(p.stdout)["operations"]
        for name, unsigned in (("Anon", True), ("Either", False), ("Legacy", True),
                               ("Overridden", False), ("Signed", False)):
            row, = find(ops, service="toy", name=name)
            self.assertEqual("MODEL_OP_NO_AUTH" in str(dict(row)["flags"]), unsigned, row)


if __name__ == "__main__":
    unittest.main()
