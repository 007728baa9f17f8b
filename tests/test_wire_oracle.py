"""botocore as the independent oracle for what driftd puts on the wire.

test_proto_oracle.py compares serializer output; this compares the bytes
that reach a socket. For every operation in contrib/model-ops.txt, with
parameters generated from the operation's input shape (the cases are data,
VARIANTS below: every member set, nested lists and maps, strings with
spaces, '+', '/', '~' and non-ASCII, timestamps, booleans, blobs; every
member at the other end of its range: false, zero, a long past 32 bits,
an exponent, milliseconds, empty strings and blobs; and the lists and maps
empty), a loopback server (127.0.0.1, a free port) captures
the request `driftd aws` sends through aws_client_t and lib/http.c, and the
request a botocore client sends for the same call with endpoint_url = that
server and the same fixed credentials. They must agree on method, path,
query, Content-Type, every member-bound header, the presence of
Content-Length, and the body parsed as form data, JSON or XML; driftd must
send no header botocore does not send.

botocore is Debian's (1.29); operations and members it lacks come from the
models in tests/fakeaws/models, found the way botocore finds AWS_DATA_PATH
(a Loader search path ahead of its own data), so whatever models that
folder holds are used. Run under /usr/bin/python3.
"""
import base64, datetime, hashlib, json, os, subprocess, sys, tempfile, threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.handlers
import botocore.session
from botocore.config import Config

ROOT = os.environ.get("DRIFTD_ROOT", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("DRIFTD_BUILD", os.path.join(ROOT, "build"))
DRIFTD = os.path.join(BUILD, "driftd")
MODELS_DIR = os.path.join(ROOT, "tests", "fakeaws", "models")
OPS_FILE = os.path.join(ROOT, "contrib", "model-ops.txt")
AKID, SECRET = "AKIDWIREORACLE", "wire-oracle-secret"
REGION = "us-east-1"

# ---------------------------------------------------------------- values
# One value per scalar type. The string carries what percent-encoding and
# form/JSON/XML escaping get wrong: a space, '+', '/', '~', '&', '=' and
# non-ASCII.
STRING = "a b+c/d~e&f=g\u00e9\u4e2d"
# HTTP header values are ASCII (RFC 9110 section 5.5); botocore would send
# others as Latin-1, which no AWS header member expects.
HEADER_STRING = "a b+c/d~e"
TIMESTAMP = "2024-05-06T07:08:09Z"
BLOB = "blob data/+= \u00e9"
# Values botocore itself checks before sending, where the generic string
# would be refused: S3 bucket names (botocore's validate_bucket_name, S3's
# naming rules), and members whose model pattern is enforced client-side.
MEMBER_VALUES = {
    ("s3", "Bucket"): "drift-bucket.1",
}
# botocore's fix_route53_ids keeps what follows the last '/' of members of
# these shapes (so "/hostedzone/Z1" from one call fits the next); driftd's
# route53 table strips the prefix itself. A value without '/' is sent as
# it is by both.
SHAPE_VALUES = {
    ("route53", "ResourceId"): "Z1 a+b~e&f=g\u00e9",
    ("route53", "DelegationSetId"): "N1 a+b~e&f=g\u00e9",
    ("route53", "ChangeId"): "C1 a+b~e&f=g\u00e9",
}
# Members that exist only in the SDK (sdk-extras models): botocore turns
# them into other members and never sends them, and AWS's service model,
# driftd's, lacks them.
SDK_ONLY_MEMBERS = {("rds", "SourceRegion")}
MAX_DEPTH = 6


def sdk_computed_members(op_model):
    """Members the SDK fills from the body itself (S3's Content-MD5 and
    flexible-checksum algorithm): a caller does not set them."""
    out = set()
    algo = (op_model.http_checksum or {}).get("requestAlgorithmMember")
    if algo:
        out.add(algo)
    shape = op_model.input_shape
    for name, m in (shape.members.items() if shape else ()):
        if m.serialization.get("name", "").lower() == "content-md5":
            out.add(name)
    return out


# What each case puts in a member of each type. "full": every member, two
# items per list and map. "edge": every member with the other end of each
# range: one item, false, zero, a long past 32 bits, a number written in
# exponent form, a timestamp with milliseconds, empty strings and blobs
# (where the model allows them). "empty": lists and maps empty, booleans
# false, other optional members left out.
VARIANTS = {
    "full": dict(items=2, boolean=True, integer=7, long=7, double=1.5,
                 timestamp=TIMESTAMP, blob=BLOB, string=True),
    "edge": dict(items=1, boolean=False, integer=0, long=2 ** 40, double=2.5e-07,
                 timestamp="2024-05-06T07:08:09.123Z", blob="", string=False),
    "empty": dict(items=0, boolean=False, integer=7, long=7, double=1.5,
                  timestamp=TIMESTAMP, blob=BLOB, string=True),
}


def gen_value(svc, shape, location, variant, depth, stack, skip=frozenset(), optional=True):
    """A value for shape in the given variant. Idempotency tokens are always
    given, or each client would make up its own."""
    v = VARIANTS[variant]
    t = shape.type_name
    if (svc, shape.name) in SHAPE_VALUES:
        return SHAPE_VALUES[(svc, shape.name)]
    if t == "structure":
        out = {}
        required = set(shape.required_members)
        for name, m in shape.members.items():
            if out and shape.metadata.get("union"):
                break               # a tagged union takes exactly one member
            req = name in required or m.metadata.get("idempotencyToken")
            if (svc, name) in SDK_ONLY_MEMBERS or (depth == 0 and name in skip):
                continue
            if variant == "empty" and not req and m.type_name not in ("list", "map", "boolean"):
                continue
            if variant == "empty" and not req and int(m.metadata.get("min", 0)) > 0:
                continue            # an empty list is not valid here
            if not req and (m.name in stack or (depth >= MAX_DEPTH and m.type_name in
                                                ("structure", "list", "map"))):
                continue            # a recursive shape: one level is enough
            loc = m.serialization.get("location") if depth == 0 else None
            if (svc, name) in MEMBER_VALUES and m.type_name == "string":
                out[name] = MEMBER_VALUES[(svc, name)]
            else:
                out[name] = gen_value(svc, m, loc, variant, depth + 1, stack | {m.name},
                                      optional=not req)
        return out
    if t in ("list", "map"):
        n = v["items"] if optional else max(1, v["items"])
        n = max(n, int(shape.metadata.get("min", 0))) if n else 0
        sub = "full" if variant == "empty" else variant
        if t == "list":
            return [gen_value(svc, shape.member, location, sub, depth + 1, stack)
                    for _ in range(n)]
        return {key: gen_value(svc, shape.value, location, sub, depth + 1, stack)
                for key in ["k1", "key two", "k3"][:n]}
    if t == "string":
        if shape.enum:
            return shape.enum[0]
        text = HEADER_STRING if location in ("header", "headers") else STRING
        low = int(shape.metadata.get("min", 0))
        if not v["string"] and not low and location != "uri":
            return ""
        # botocore checks a model's min length before sending.
        return text * (1 + low // len(text))
    if t == "boolean":
        return v["boolean"]
    if t in ("integer", "long", "float", "double"):
        kind = {"float": "double"}.get(t, t)
        return max(v[kind], shape.metadata.get("min", v[kind]))
    if t in ("timestamp", "blob"):
        return v[t]
    raise AssertionError("no generated value for a %s (%s)" % (t, shape.name))


def operation_params(svc, op_model, variant):
    if op_model.input_shape is None:
        return {}
    return gen_value(svc, op_model.input_shape, None, variant, 0, frozenset(),
                     sdk_computed_members(op_model))


# ---------------------------------------------------------------- capture
class Capture(BaseHTTPRequestHandler):
    """Records each request as it arrived and answers 200 with no body:
    both clients then stop (one attempt each), whatever they make of it."""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        n = self.headers.get("Content-Length")
        body = self.rfile.read(int(n)) if n else b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if not size:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        path, _, query = self.path.partition("?")
        self.server.captured.append({
            "method": self.command, "path": path, "query": query,
            "headers": [(k.lower(), v) for k, v in self.headers.items()],
            "body": body})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class CaptureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Capture)
        self.captured = []
        self.url = "http://127.0.0.1:%d" % self.server_address[1]


def botocore_session():
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, MODELS_DIR)
    return session


def model_ops():
    out = []
    with open(OPS_FILE) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            out += [(words[0], op) for op in words[1:]]
    return out


# ---------------------------------------------------------------- comparing
# Headers whose values are each client's own and may differ: the signature
# and its date, the product token, botocore's per-call ids, and values that
# restate the body (compared through the body instead).
OWN_VALUE = {"authorization", "x-amz-date", "user-agent", "amz-sdk-invocation-id",
             "amz-sdk-request", "content-length", "x-amz-content-sha256", "content-md5"}
# Headers botocore sends that driftd need not: the SDK's per-call telemetry
# (amz-sdk-*) and Python http.client's Accept-Encoding: identity, which
# asks for what an absent Accept-Encoding gets from AWS as well (AWS
# compresses no response unless asked).
BOTOCORE_ONLY = {"amz-sdk-invocation-id", "amz-sdk-request", "accept-encoding"}


# Operations botocore sends unsigned: authtype "none" in newer models, a
# choose-signer handler that disables signing in older botocore.
UNSIGNED_OPS = {tuple(event.split(".")[1:3]) for event, handler, *_ in
                botocore.handlers.BUILTIN_HANDLERS
                if event.startswith("choose-signer.") and handler is botocore.handlers.disable_signing}


def qs_pairs(text):
    return sorted(urllib.parse.parse_qsl(text, keep_blank_values=True))


def form_pairs(body):
    return qs_pairs(body.decode())


def header_norm(v):
    """botocore 1.29 writes a boolean header member as Python spells it
    ("True"); the HTTP binding spells it "true" (Smithy httpHeader: "boolean
    values are serialized as true or false"), which AWS reads either way."""
    return v.lower() if v in ("True", "False") else v


def number_norm(v):
    """JSON numbers compare by value: 7 and 7.0 are one number (RFC 8259
    section 6 leaves the spelling to the sender)."""
    if isinstance(v, dict):
        return {k: number_norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [number_norm(x) for x in v]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v


def xml_tree(body):
    if not body:
        return None

    def walk(el):
        text = (el.text or "").strip()
        return (el.tag, sorted(el.attrib.items()), text, [walk(k) for k in el])
    return walk(ET.fromstring(body))


def body_view(protocol, body):
    if protocol in ("query", "ec2"):
        return form_pairs(body)
    if protocol in ("json", "rest-json"):
        return number_norm(json.loads(body)) if body else None
    try:
        return xml_tree(body)
    except ET.ParseError:
        return body             # a string or blob payload: the bytes


class WireOracle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CaptureServer()
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.home = tempfile.TemporaryDirectory()
        cls.session = botocore_session()
        cls.clients = {}
        # driftd reads only what is set here: no shared files, one attempt.
        cls.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cls.home.name,
                   "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
                   "AWS_REGION": REGION, "AWS_ENDPOINT_URL": cls.server.url,
                   "AWS_MAX_ATTEMPTS": "1",
                   "AWS_CONFIG_FILE": os.path.join(cls.home.name, "config"),
                   "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.home.name, "credentials")}

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        cls.home.cleanup()

    def client(self, svc):
        if svc not in self.clients:
            self.clients[svc] = self.session.create_client(
                svc, region_name=REGION, endpoint_url=self.server.url,
                aws_access_key_id=AKID, aws_secret_access_key=SECRET,
                config=Config(retries={"total_max_attempts": 1},
                              s3={"addressing_style": "path"}))
        return self.clients[svc]

    def capture(self, send):
        self.server.captured.clear()
        send()
        got = list(self.server.captured)
        self.server.captured.clear()
        return got

    def driftd_sends(self, svc, op, params, env=None):
        out = {}

        def send():
            out["p"] = subprocess.run([DRIFTD, "aws", svc, op, "--json", json.dumps(params)],
                                      env=env or self.env, capture_output=True, text=True,
                                      timeout=60)
        got = self.capture(send)
        self.assertEqual(len(got), 1, "driftd sent %d requests for %s %s: %s"
                         % (len(got), svc, op, out["p"].stderr.strip()))
        return got[0]

    def botocore_sends(self, client, op, params):
        method = {v: k for k, v in client.meta.method_to_api_mapping.items()}[op]
        err = []

        def send():
            try:
                getattr(client, method)(**json.loads(json.dumps(params)))
            except Exception as e:          # an empty 200 is no valid answer
                err.append(e)
        got = self.capture(send)
        self.assertEqual(len(got), 1, "botocore sent %d requests for %s: %r"
                         % (len(got), op, err))
        return got[0]

    def compare(self, svc, op, variant):
        client = self.client(svc)
        model = client.meta.service_model
        protocol = model.metadata["protocol"]
        params = operation_params(svc, model.operation_model(op), variant)
        d = self.driftd_sends(svc, op, params)
        b = self.botocore_sends(client, op, params)
        what = "%s %s (%s)" % (svc, op, json.dumps(params)[:300])
        self.assertEqual(d["method"], b["method"], what)
        self.assertEqual(d["path"], b["path"], what)
        self.assertEqual(qs_pairs(d["query"]), qs_pairs(b["query"]), what)
        dh, bh = dict(d["headers"]), dict(b["headers"])
        self.assertEqual(len(dh), len(d["headers"]), "driftd repeats a header: %s" % what)
        if model.operation_model(op).auth_type == "none" or (svc, op) in UNSIGNED_OPS:
            # botocore sends these unsigned (STS AssumeRoleWithWebIdentity:
            # auth ["smithy.api#noAuth"], authtype "none"), and so must
            # driftd: no signature, date or session token. The header
            # comparison below would let a missing pair through, so say it.
            for name in ("authorization", "x-amz-date", "x-amz-security-token"):
                self.assertNotIn(name, bh, "botocore signed " + what)
                self.assertNotIn(name, dh, "driftd signed " + what)
        self.assertEqual(sorted(set(dh) - set(bh)), [], "headers botocore does not send: " + what)
        self.assertEqual(sorted(set(bh) - set(dh) - BOTOCORE_ONLY), [],
                         "headers driftd does not send: " + what)
        for name in sorted(set(bh) - OWN_VALUE - BOTOCORE_ONLY):
            self.assertEqual(header_norm(dh.get(name)), header_norm(bh[name]),
                             "header %s: %s" % (name, what))
        if "content-md5" in bh:
            self.assertEqual(dh["content-md5"], base64.b64encode(
                hashlib.md5(d["body"]).digest()).decode(), what)
        self.assertEqual(body_view(protocol, d["body"]), body_view(protocol, b["body"]), what)

    def test_unsigned_operations_go_without_signature_date_or_token(self):
        # With a session token at hand, a signed call carries it and an
        # operation the model marks noAuth carries nothing of signing.
        env = dict(self.env, AWS_SESSION_TOKEN="wire-oracle-token")
        signing = ("authorization", "x-amz-date", "x-amz-security-token")
        unsigned = [(s, o) for s, o in model_ops()
                    if self.client(s).meta.service_model.operation_model(o).auth_type == "none"]
        self.assertIn(("sts", "AssumeRoleWithWebIdentity"), unsigned)
        for svc, op in unsigned + [("sts", "GetCallerIdentity")]:
            model = self.client(svc).meta.service_model.operation_model(op)
            got = dict(self.driftd_sends(svc, op, operation_params(svc, model, "full"),
                                         env)["headers"])
            sent = [name for name in signing if name in got]
            self.assertEqual(sent, [] if (svc, op) in unsigned else list(signing),
                             "%s %s" % (svc, op))

    def test_cases_span_all_five_protocols_and_both_json_versions(self):
        metas = [self.session.get_service_model(svc).metadata for svc in {s for s, _ in model_ops()}]
        self.assertEqual({m["protocol"] for m in metas},
                         {"query", "ec2", "json", "rest-json", "rest-xml"})
        # application/x-amz-json-1.0 (DynamoDB, SQS) and -1.1 (KMS, Logs, ...)
        self.assertEqual({m.get("jsonVersion") for m in metas if m["protocol"] == "json"},
                         {"1.0", "1.1"})

    def test_every_listed_operation_has_a_case(self):
        ops = model_ops()
        self.assertGreaterEqual(len(ops), 300)
        for svc, op in ops:
            self.assertTrue(hasattr(self, "test_%s_%s_full" % (svc, op)), (svc, op))


def _case(svc, op, variant):
    return lambda self: self.compare(svc, op, variant)


for _svc, _op in model_ops():
    for _variant in VARIANTS:
        setattr(WireOracle, "test_%s_%s_%s" % (_svc, _op, _variant), _case(_svc, _op, _variant))


if __name__ == "__main__":
    unittest.main()
