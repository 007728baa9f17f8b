"""Checks driftd's resource tables against botocore's service models.

tests/tools/restable-dump prints every table as JSON. botocore (Debian's,
under /usr/bin/python3) is the independent oracle for what AWS accepts and
returns: every operation must exist in the type's service, every member a
request template or a create merge sends must be an input member of that
operation (nested members included), every path the tables read must exist
in the operation's output, and enum values must be AWS's own. This catches
typos in the tables before they become ValidationErrors at run time.
"""
import json
import os
import subprocess
import unittest

import botocore.session

BUILD = os.environ.get("DRIFTD_BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
DUMP = os.path.join(BUILD, "tests", "tools", "restable-dump")

# Members fix_live builds from other members of the read item; they are
# not in AWS's output shape by design (see the hooks in lib/resources/).
SYNTHESIZED = {
    "iam.role": {"Policies", "ManagedPolicyArns"},
    "iam.policy": {"PolicyDocument"},
    "ec2.route_table": {"SubnetIds"},
    "elbv2.load_balancer": {"Subnets", "LoadBalancerFullName"},
    "elbv2.listener_rule": {"ListenerArn"},
    "sns.topic": {"Name", "TopicArn"},
    "s3.bucket": {"Bucket"},
    # The ARN under both names, the issuer host without its scheme.
    "iam.openid_connect_provider": {"OpenIDConnectProviderArn", "Host"},
    "route53.hosted_zone": {"HostedZoneId"},
    "acm.certificate": {"ValidationMethod"},
    "sesv2.email_identity": {"EmailIdentity"},
    "rds.db_subnet_group": {"SubnetIds"},
    # ManageMasterUserPassword: whether MasterUserSecret is there.
    "rds.db_instance": {"DBParameterGroupName", "VpcSecurityGroupIds", "ManageMasterUserPassword"},
    "elasticache.subnet_group": {"SubnetIds"},
    "elasticache.replication_group": {"NumNodeGroups", "ReplicasPerNodeGroup"},
    # The name is the URL's last segment; the URL (listed, the id) is not
    # in GetQueueAttributes' answer; the ARN is lifted from its Attributes.
    "sqs.queue": {"QueueName", "QueueUrl", "QueueArn"},
}


def scoped(table):
    """Attributes a scoped read's items get from their scope (restable.h):
    the "$attr:Name" members of the read template."""
    params = table["ops"][0]["params"] or {}
    return {v[6:] for v in params.values() if isinstance(v, str) and v.startswith("$attr:")}


def create_members(table):
    """The create request's members the item is made of (create_item)."""
    shape = operation(table["service"], create_op(table)["op"]).input_shape
    if table.get("create_item"):
        shape = walk(shape, table["create_item"])
    return shape.members

# AWS's current models, as the fake serves them (tests/fakeaws/models,
# trimmed by tests/fakeaws/gen-models to the operations driftd and the fake
# use), come first: Debian's botocore 1.29 predates Bedrock and newer
# members and enum values.
FAKE_MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakeaws", "models")
os.environ["AWS_DATA_PATH"] = os.pathsep.join(
    p for p in (os.environ.get("AWS_DATA_PATH"), FAKE_MODELS) if p)


def load_tables():
    """The AWS types: a type with a driver (postgres.migrations) is not
    reached through AWS and has no service model."""
    out = subprocess.run([DUMP], check=True, stdout=subprocess.PIPE, text=True).stdout
    return [t for t in json.loads(out) if not t["driver"]]


TABLES = load_tables()
SESSION = botocore.session.get_session()
MODELS = {}


def model(service):
    if service not in MODELS:
        MODELS[service] = SESSION.get_service_model(service)
    return MODELS[service]


def operation(service, name):
    return model(service).operation_model(name)


def walk(shape, path):
    """The shape at a dotted path ("NatGatewayAddresses.0.AllocationId"),
    or None when some segment is not a member."""
    for seg in path.split("."):
        if shape is None:
            return None
        if shape.type_name == "list":
            if not seg.isdigit():
                return None
            shape = shape.member
        elif shape.type_name == "structure":
            shape = shape.members.get(seg)
        elif shape.type_name == "map":
            shape = shape.value
        else:
            return None
    return shape


def item_shape(service, op_name, result):
    """The shape of one item at result in op's output: lists give their
    member."""
    shape = operation(service, op_name).output_shape
    if result:
        shape = walk(shape, result)
    if shape is not None and shape.type_name == "list":
        shape = shape.member
    return shape


def template_problems(shape, value, where, merged_fields=None):
    """Members of value that shape does not have, as messages."""
    if shape is None:
        return [f"{where}: no such member"]
    if isinstance(value, str) and value.startswith("$"):
        return []
    problems = []
    if isinstance(value, dict) and shape.type_name == "map":
        # A map with fixed keys (CreateQueue's Attributes): each key must
        # be one the key shape allows.
        for key, sub in value.items():
            if shape.key.enum and key not in shape.key.enum:
                problems.append(f"{where}.{key}: not a key of {shape.name}")
            problems += template_problems(shape.value, sub, f"{where}.{key}", merged_fields)
    elif isinstance(value, dict):
        if shape.type_name != "structure":
            return [f"{where}: an object where AWS takes {shape.type_name}"]
        for key, sub in value.items():
            if key == "*":
                for field in merged_fields or []:
                    if field not in shape.members:
                        problems.append(f"{where}.*: merged field {field} is not a member")
                continue
            problems += template_problems(shape.members.get(key), sub, f"{where}.{key}",
                                          merged_fields)
    elif isinstance(value, list):
        if shape.type_name != "list":
            return [f"{where}: an array where AWS takes {shape.type_name}"]
        for i, sub in enumerate(value):
            problems += template_problems(shape.member, sub, f"{where}.{i}", merged_fields)
    return problems


def all_ops(table):
    """(role, op, params, fields merged by "*") of the type and its attributes."""
    for op in table["ops"] + table["read_each"]:
        if op["op"]:
            yield op["role"], op["op"], op["params"], None
    for a in table["attrs"]:
        for role in ("update", "remove"):
            if a[f"{role}_op"]:
                yield f"{a['name']}.{role}", a[f"{role}_op"], a[f"{role}_params"], a["fields"]
        if a.get("live_read"):
            lr = a["live_read"]
            yield f"{a['name']}.live_read", lr["op"], lr["params"], None
        if a.get("generate"):
            yield f"{a['name']}.generate", a["generate"]["op"], None, None


def each_has(table, path):
    """Whether a read_each call of the table brings path into the item."""
    for e in table["read_each"]:
        shape = operation(table["service"], e["op"]).output_shape
        if e["result"]:
            shape = walk(shape, e["result"])
        if shape is None:
            continue
        into = e.get("into")
        if into:
            if path == into:
                return True
            if path.startswith(into + "."):
                if walk(shape, path[len(into) + 1:]) is not None:
                    return True
        elif walk(shape, path) is not None:
            return True
    return False


def create_op(table):
    """The create operation; None for a check (a type driftd only reads)."""
    return next((o for o in table["ops"] if o["role"] == "create" and o["op"]), None)


def placed(table):
    """Attributes the create template places itself ("$attr:Name" at any
    depth): the engine adds them nowhere else."""
    found = set()

    def visit(v):
        if isinstance(v, dict):
            for x in v.values():
                visit(x)
        elif isinstance(v, list):
            for x in v:
                visit(x)
        elif isinstance(v, str) and v.startswith("$attr:"):
            found.add(v[6:])
    create = create_op(table)
    visit(create["params"] if create else None)
    return found


def creatable(a):
    """Sent under its own name by the create (a generated value is sent as
    generate.into instead)."""
    return (a["mutability"] != "read_only" and "not_in_create" not in a["flags"]
            and a["kind"] != "tags" and not a.get("generate"))


class TablesAgainstBotocore(unittest.TestCase):
    def test_dump_lists_every_type(self):
        names = [t["name"] for t in TABLES]
        for want in ("ec2.vpc", "ec2.subnet", "ec2.internet_gateway", "ec2.eip",
                     "ec2.nat_gateway", "ec2.route_table", "ec2.security_group",
                     "iam.role", "iam.policy", "iam.instance_profile"):
            self.assertIn(want, names)

    def test_every_operation_exists_in_its_service(self):
        for t in TABLES:
            ops = model(t["service"]).operation_names
            for role, op, _, _ in all_ops(t):
                with self.subTest(type=t["name"], role=role):
                    self.assertIn(op, ops)

    def test_template_members_are_input_members(self):
        for t in TABLES:
            for role, op, params, fields in all_ops(t):
                if params is None:
                    continue
                with self.subTest(type=t["name"], role=role):
                    self.assertIsInstance(params, dict, "template does not parse")
                    shape = operation(t["service"], op).input_shape
                    self.assertEqual(template_problems(shape, params, op, fields), [])

    def test_element_placeholders_name_element_fields(self):
        for t in TABLES:
            for role, _, params, fields in all_ops(t):
                for v in (params or {}).values():
                    if isinstance(v, str) and v.startswith("$element:"):
                        with self.subTest(type=t["name"], role=role, placeholder=v):
                            self.assertIn(v.split(":", 1)[1], fields or [])

    def test_created_attributes_are_create_input_members(self):
        for t in (t for t in TABLES if create_op(t)):
            members = create_members(t)
            for a in t["attrs"]:
                if creatable(a) and a["name"] not in scoped(t) | placed(t):
                    with self.subTest(type=t["name"], attr=a["name"]):
                        self.assertIn(a["name"], members)

    def test_required_input_members_are_required_attributes_or_templated(self):
        for t in (t for t in TABLES if create_op(t)):
            create = create_op(t)
            shape = operation(t["service"], create["op"]).input_shape
            required = {a["name"] for a in t["attrs"] if "required" in a["flags"]}
            for member in shape.required_members:
                with self.subTest(type=t["name"], member=member):
                    self.assertTrue(member in required or member in create["params"])

    def test_results_are_output_members(self):
        for t in TABLES:
            for op in t["ops"]:
                if op["result"]:
                    with self.subTest(type=t["name"], role=op["role"]):
                        shape = operation(t["service"], op["op"]).output_shape
                        self.assertIsNotNone(walk(shape, op["result"]))

    def test_live_paths_are_members_of_the_read_item(self):
        for t in TABLES:
            read = t["ops"][0]
            self.assertEqual(read["role"], "read")
            item = item_shape(t["service"], read["op"], read["result"])
            made = SYNTHESIZED.get(t["name"], set()) | scoped(t)
            paths = [("id_path", t["id_path"]), ("arn_path", t["arn_path"]),
                     ("status_path", t["status_path"])]
            paths = [(what, p) for what, p in paths if p not in made]
            if item.type_name == "string":
                # A list of names (ListClusters): each is the id, and
                # read_each brings the rest.
                self.assertTrue(t["read_each"], t["name"])
                paths = paths[1:]
            else:
                self.assertEqual(item.type_name, "structure")
            # write-only attributes (a budget's AccountId) are never read
            paths += [(a["name"], a["live_path"]) for a in t["attrs"]
                      if not a.get("live_read") and a["name"] not in made
                      and "write_only" not in a["flags"]]
            for what, path in paths:
                if path and path not in made:
                    with self.subTest(type=t["name"], path=what):
                        self.assertTrue(walk(item, path) is not None or
                                        each_has(t, path), path)

    def test_read_each_results_are_output_members(self):
        for t in TABLES:
            for e in t["read_each"]:
                with self.subTest(type=t["name"], op=e["op"]):
                    shape = operation(t["service"], e["op"]).output_shape
                    if e["result"]:
                        self.assertIsNotNone(walk(shape, e["result"]), e["result"])

    def test_read_one_returns_the_same_item_shape_as_read(self):
        for t in TABLES:
            read, read_one = t["ops"][0], t["ops"][1]
            if not read_one["op"]:
                continue  # no way to read one item: no refresh after writes
            a = item_shape(t["service"], read["op"], read["result"])
            b = item_shape(t["service"], read_one["op"], read_one["result"])
            with self.subTest(type=t["name"]):
                # A singleton without an id_path is its region's.
                if t["id_path"] and \
                        t["id_path"] not in SYNTHESIZED.get(t["name"], set()) | scoped(t):
                    self.assertIsNotNone(walk(b, t["id_path"]))
                if read["op"] == read_one["op"]:
                    self.assertEqual(a.name, b.name)

    def test_live_reads_name_output_members(self):
        for t in TABLES:
            for a in t["attrs"]:
                lr = a.get("live_read")
                if lr:
                    with self.subTest(type=t["name"], attr=a["name"]):
                        shape = operation(t["service"], lr["op"]).output_shape
                        # "" is the whole answer.
                        self.assertIsNotNone(walk(shape, lr["result"]) if lr["result"]
                                             else shape)

    def test_generated_values_are_answered_and_create_members(self):
        """restable.h, "Generated values": the answer's string at
        generate.result goes into the create request as generate.into."""
        seen = 0
        for t in TABLES:
            for a in t["attrs"]:
                gen = a.get("generate")
                if not gen:
                    continue
                seen += 1
                with self.subTest(type=t["name"], attr=a["name"]):
                    out = walk(operation(t["service"], gen["op"]).output_shape, gen["result"])
                    self.assertIsNotNone(out)
                    self.assertEqual(out.type_name, "string")
                    self.assertIsNotNone(create_op(t))
                    self.assertIn(gen["into"], create_members(t))
        self.assertGreater(seen, 0)

    def test_enum_values_are_aws_enum_values(self):
        for t in TABLES:
            create = create_op(t)
            read = t["ops"][0]
            for a in t["attrs"]:
                if a["enum_values"]:
                    with self.subTest(type=t["name"], attr=a["name"]):
                        # A check's values are those AWS answers with.
                        shape = (create_members(t)[a["name"]]
                                 if create and a["name"] not in placed(t) else
                                 walk(item_shape(t["service"], read["op"], read["result"]),
                                      a["live_path"] or a["name"]))
                        # A set of enum values (MatchingEventTypes).
                        if shape.type_name == "list":
                            shape = shape.member
                        enum = shape.enum
                        self.assertTrue(enum)
                        for v in a["enum_values"].split("|"):
                            self.assertIn(v, enum)

    def test_tag_resource_types_are_ec2_resource_types(self):
        enum = model("ec2").shape_for("ResourceType").enum
        for t in TABLES:
            if t["tag_resource_type"]:
                with self.subTest(type=t["name"]):
                    self.assertIn(t["tag_resource_type"], enum)

    def test_oracle_rejects_a_misspelt_member(self):
        shape = operation("ec2", "CreateRoute").input_shape
        self.assertEqual(template_problems(shape, {"RouteTableId": "$id"}, "CreateRoute"), [])
        self.assertNotEqual(
            template_problems(shape, {"RouteTableID": "$id"}, "CreateRoute"), [])
        self.assertNotEqual(
            template_problems(shape, {"*": "$element"}, "CreateRoute", ["Origin"]), [])
        shape = operation("sqs", "CreateQueue").input_shape
        self.assertEqual(template_problems(
            shape, {"Attributes": {"VisibilityTimeout": "$attr:VisibilityTimeout"}},
            "CreateQueue"), [])
        self.assertNotEqual(template_problems(
            shape, {"Attributes": {"VisibilityTimout": "$attr:VisibilityTimeout"}},
            "CreateQueue"), [])


if __name__ == "__main__":
    unittest.main()
