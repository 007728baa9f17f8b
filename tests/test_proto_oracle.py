"""botocore as the independent oracle for lib/proto.

Every case runs driftd's serializer/parser through tests/tools/proto-dump and
botocore's own serializer/parser on the same input, then compares: form
bodies as multi-sets of pairs, JSON as objects, XML as canonical trees,
parsed responses with timestamps normalized to epoch seconds and
ResponseMetadata dropped. Run under /usr/bin/python3 (Debian's botocore).
"""
import base64, datetime, json, os, subprocess, sys, unittest
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.session
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

ROOT = os.environ.get("DRIFTD_ROOT", os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("DRIFTD_BUILD", os.path.join(ROOT, "build"))
DUMP = os.path.join(BUILD, "tests", "tools", "proto-dump")
SESSION = botocore.session.get_session()
TOKEN = "11111111-2222-4333-8444-555555555555"
TS = "2024-05-06T07:08:09Z"

# (driftd service, operation, params); botocore model name == driftd name.
BUILD_CASES = [
    # ec2
    ("ec2", "DescribeVpcs", {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1", "vpc-2"]}],
                             "MaxResults": 5}),
    ("ec2", "DescribeVpcs", {"VpcIds": []}),
    ("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16", "TagSpecifications": [
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "a b&c"}]}]}),
    ("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": "sg-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
         "UserIdGroupPairs": [{"GroupId": "sg-2"}]}]}),
    ("ec2", "ModifyVpcAttribute", {"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": True}}),
    ("ec2", "CreateTags", {"Resources": ["vpc-1", "subnet-2"], "Tags": [{"Key": "k", "Value": "v"}]}),
    ("ec2", "CreateNatGateway", {"SubnetId": "subnet-1", "AllocationId": "eipalloc-1",
                                 "ClientToken": TOKEN}),
    # query
    ("iam", "ListRoles", {"PathPrefix": "/svc/", "MaxItems": 10, "Marker": "m1"}),
    ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": '{"Version":"2012-10-17"}',
                           "Tags": [{"Key": "a", "Value": "b"}], "MaxSessionDuration": 3600}),
    ("iam", "CreateOpenIDConnectProvider", {"Url": "https://oidc.example", "ClientIDList": ["sts.amazonaws.com"],
                                            "ThumbprintList": ["a" * 40]}),
    ("iam", "UntagRole", {"RoleName": "r", "TagKeys": []}),
    ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s",
                           "DurationSeconds": 900}),
    ("sts", "GetCallerIdentity", {}),
    ("rds", "DescribeDBInstances", {"Filters": [{"Name": "engine", "Values": ["postgres"]}],
                                    "MaxRecords": 20}),
    ("rds", "ModifyDBParameterGroup", {"DBParameterGroupName": "pg", "Parameters": [
        {"ParameterName": "max_connections", "ParameterValue": "100", "ApplyMethod": "pending-reboot"}]}),
    ("rds", "CreateDBInstance", {"DBInstanceIdentifier": "db", "DBInstanceClass": "db.t3.micro",
                                 "Engine": "postgres", "AllocatedStorage": 20,
                                 "VpcSecurityGroupIds": ["sg-1"], "MultiAZ": False,
                                 "Tags": [{"Key": "k", "Value": "v"}]}),
    ("elasticache", "CreateReplicationGroup", {"ReplicationGroupId": "rg",
                                               "ReplicationGroupDescription": "d",
                                               "SecurityGroupIds": ["sg-1"], "NumCacheClusters": 2}),
    ("elbv2", "ModifyLoadBalancerAttributes", {"LoadBalancerArn": "arn:lb", "Attributes": [
        {"Key": "idle_timeout.timeout_seconds", "Value": "60"}]}),
    ("elbv2", "CreateTargetGroup", {"Name": "tg", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1",
                                    "Matcher": {"HttpCode": "200"}}),
    ("cloudwatch", "PutMetricData", {"Namespace": "driftd", "MetricData": [
        {"MetricName": "drift", "Value": 1.5, "Timestamp": TS, "Unit": "Count",
         "Dimensions": [{"Name": "svc", "Value": "ec2"}]}]}),
    ("sns", "CreateTopic", {"Name": "t", "Attributes": {"DisplayName": "x", "FifoTopic": "false"},
                            "Tags": [{"Key": "k", "Value": "v"}]}),
    ("sns", "SetTopicAttributes", {"TopicArn": "arn:t", "AttributeName": "Policy", "AttributeValue": "{}"}),
    # json
    ("kms", "CreateKey", {"Description": "d", "KeyUsage": "ENCRYPT_DECRYPT",
                          "Tags": [{"TagKey": "a", "TagValue": "b"}], "MultiRegion": False}),
    ("kms", "ListAliases", {"KeyId": "k", "Limit": 50}),
    ("secretsmanager", "CreateSecret", {"Name": "s", "SecretString": "x", "ClientRequestToken": TOKEN,
                                        "Tags": [{"Key": "k", "Value": "v"}]}),
    ("logs", "PutRetentionPolicy", {"logGroupName": "/g", "retentionInDays": 30}),
    ("acm", "RequestCertificate", {"DomainName": "example.com", "ValidationMethod": "DNS",
                                   "SubjectAlternativeNames": ["www.example.com"],
                                   "IdempotencyToken": "tok1"}),
    ("budgets", "CreateBudget", {"AccountId": "123", "Budget": {
        "BudgetName": "b", "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "10", "Unit": "USD"},
        "TimePeriod": {"Start": TS}}}),
    ("ce", "GetAnomalyMonitors", {"MonitorArnList": ["arn:m"], "MaxResults": 5}),
    # rest-json
    ("eks", "DescribeCluster", {"name": "my cluster"}),
    ("eks", "ListNodegroups", {"clusterName": "c", "maxResults": 5, "nextToken": "t/+="}),
    ("eks", "CreateNodegroup", {"clusterName": "c", "nodegroupName": "n", "subnets": ["s-1"],
                                "nodeRole": "arn:r", "clientRequestToken": TOKEN,
                                "scalingConfig": {"minSize": 1, "maxSize": 2, "desiredSize": 1},
                                "labels": {"a": "b"}}),
    ("eks", "UntagResource", {"resourceArn": "arn:aws:eks:us-east-1:1:cluster/c", "tagKeys": ["a", "b"]}),
    ("backup", "CreateBackupVault", {"BackupVaultName": "v", "CreatorRequestId": TOKEN,
                                     "BackupVaultTags": {"k": "v"}}),
    ("backup", "ListBackupVaults", {"MaxResults": 10}),
    ("sesv2", "PutEmailIdentityMailFromAttributes", {"EmailIdentity": "example.com",
                                                     "MailFromDomain": "mail.example.com",
                                                     "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}),
    ("sesv2", "CreateEmailIdentity", {"EmailIdentity": "a@example.com",
                                      "Tags": [{"Key": "k", "Value": "v"}]}),
    # rest-xml
    ("s3", "PutBucketVersioning", {"Bucket": "b", "VersioningConfiguration": {"Status": "Enabled"}}),
    ("s3", "CreateBucket", {"Bucket": "b", "ACL": "private",
                            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
    ("s3", "PutBucketTagging", {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
    ("s3", "PutPublicAccessBlock", {"Bucket": "b", "PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True}}),
    ("s3", "PutBucketLifecycleConfiguration", {"Bucket": "b", "LifecycleConfiguration": {"Rules": [
        {"ID": "r1", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": 30}}]}}),
    ("s3", "GetBucketEncryption", {"Bucket": "b", "ExpectedBucketOwner": "123"}),
    ("route53", "ListResourceRecordSets", {"HostedZoneId": "Z1", "StartRecordName": "a.example.com",
                                           "StartRecordType": "A", "MaxItems": "100"}),
    ("route53", "ChangeResourceRecordSets", {"HostedZoneId": "Z1", "ChangeBatch": {"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": "a.example.com", "Type": "A", "TTL": 60,
                                                   "ResourceRecords": [{"Value": "1.2.3.4"}]}}]}}),
    ("route53", "CreateHostedZone", {"Name": "example.com", "CallerReference": "ref-1",
                                     "HostedZoneConfig": {"Comment": "c", "PrivateZone": False}}),
    ("route53", "ChangeTagsForResource", {"ResourceType": "hostedzone", "ResourceId": "Z1",
                                          "AddTags": [{"Key": "k", "Value": "v"}],
                                          "RemoveTagKeys": ["old"]}),
]


def op_model(service, op):
    return SESSION.get_service_model(service).operation_model(op)


def run_dump(*args, stdin=b""):
    p = subprocess.run([DUMP] + list(args), input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    if p.returncode not in (0, 1):
        raise AssertionError("proto-dump failed: %r" % p.stderr)
    return json.loads(p.stdout)


def xml_canon(data):
    if not data:
        return None
    def walk(el):
        return (el.tag, sorted(el.attrib.items()), (el.text or "").strip(),
                [walk(k) for k in el])
    return walk(ET.fromstring(data))


def normalize(v):
    """Timestamps to epoch seconds, bytes to base64, recursively."""
    if isinstance(v, datetime.datetime):
        return round(v.timestamp(), 3)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, str) and len(v) >= 20 and v[4:5] == "-" and v[10:11] == "T":
        try:
            return round(datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp(), 3)
        except ValueError:
            return v
    return v


class BuildOracle(unittest.TestCase):
    def compare(self, service, op, params):
        model = op_model(service, op)
        proto = model.metadata["protocol"]
        want = create_serializer(proto, include_validation=False).serialize_to_request(
            json.loads(json.dumps(params)), model)
        got = run_dump("build", service, op, json.dumps(params))
        self.assertNotIn("error", got, got.get("error"))
        self.assertEqual(got["method"], want["method"])
        path, _, literal_query = want["url_path"].partition("?")
        self.assertEqual(got["path"], path)
        want_q = urllib.parse.parse_qsl(literal_query, keep_blank_values=True)
        qs = want["query_string"] if isinstance(want["query_string"], dict) else {}
        for k, v in qs.items():
            for item in (v if isinstance(v, list) else [v]):
                want_q.append((k, str(item)))
        self.assertEqual(sorted(urllib.parse.parse_qsl(got["query"], keep_blank_values=True)),
                         sorted(want_q))
        want_h = {k.lower(): v for k, v in want["headers"].items()}
        got_h = {k.lower(): v for k, v in got["headers"].items()}
        self.assertEqual(got_h, want_h)
        body = want["body"]
        if proto in ("query", "ec2"):
            self.assertEqual(sorted(urllib.parse.parse_qsl(got["body"], keep_blank_values=True)),
                             sorted((k, str(v)) for k, v in body.items()))
        elif proto in ("json", "rest-json"):
            wb = json.loads(body) if body else None
            gb = json.loads(got["body"]) if got["body"] else None
            self.assertEqual(gb, wb)
        else:
            self.assertEqual(xml_canon(got["body"].encode()), xml_canon(body))

    def test_cases_span_all_five_protocols(self):
        protos = {op_model(s, o).metadata["protocol"] for s, o, _ in BUILD_CASES}
        self.assertEqual(protos, {"query", "ec2", "json", "rest-json", "rest-xml"})
        self.assertGreaterEqual(len(BUILD_CASES), 30)


def _build_test(case):
    return lambda self: self.compare(*case)


for _i, _case in enumerate(BUILD_CASES):
    setattr(BuildOracle, "test_build_%02d_%s_%s" % (_i, _case[0], _case[1]), _build_test(_case))
