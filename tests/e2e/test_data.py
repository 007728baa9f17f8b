"""End to end: the data tier of config/base (KMS, RDS PostgreSQL, ElastiCache
Redis in cluster mode, Secrets Manager) against the fake AWS endpoint, from
empty, with the secrets an environment adds (AUTH token, a secret's value)
given as config values that must never be shown. The master password is
RDS's own (ManageMasterUserPassword): the shipped data.json has none."""
import json
import os
import re
import shutil
import string
import sys
import tempfile
import unittest

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ACCESS_KEY, FAKE_MODELS, SECRET_KEY, FakeAWS, ROOT, aws_cli, driftd  # noqa: E402
from driftdtest import base_file, environment_variables, estate_root  # noqa: E402

SECRET_VALUE = "value-Sentinel-91c4e7"
SENTINELS = (SECRET_VALUE,)
DB = "cloudpartner-e2e"


def load_jsonc(path):
    """config/base files carry // comment lines only."""
    with open(path) as f:
        return json.loads("".join(l for l in f if not l.lstrip().startswith("//")))


class DataTierTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # RDS is available after 90 fake seconds, Redis after 300.
        cls.fake = FakeAWS(extra_args=["--time-scale", "200"])
        cls.tmp = tempfile.mkdtemp(prefix="driftd-data-")
        cls.config = os.path.join(cls.tmp, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        data = load_jsonc(os.path.join(ROOT, "config", "base", "data.json"))
        res = data["resources"]
        res["secretsmanager.secret.app_config"]["SecretString"] = SECRET_VALUE
        cls.data = data
        cls.main = {
            # data.json's security groups admit the EKS cluster's group:
            # the cluster and what it needs come along.
            "include": [base_file(f)
                        for f in ("network.json", "kms.json", "iam.json", "compute.json",
                                  "irsa.json")] + ["data.json"],
            "settings": {"environment": "e2e", "region": "us-east-1"},
            "variables": dict(environment_variables("staging"), **{
                "env": "e2e", "region": "us-east-1", "az_a": "us-east-1a", "az_b": "us-east-1b",
                "vpc_cidr": "10.60.0.0/16", "public_a_cidr": "10.60.0.0/24",
                "public_b_cidr": "10.60.1.0/24", "private_a_cidr": "10.60.10.0/24",
                "private_b_cidr": "10.60.11.0/24", "account_id": "123456789012",
                "backup_region": "us-west-2", "vpc_flow_log_retention_days": 7,
                "db_instance_class": "db.t3.medium",
                "db_allocated_storage": 50, "db_multi_az": True,
                # Changes wait for the maintenance window: pending values
                # must count as in sync.
                "db_apply_immediately": False,
                "cache_node_type": "cache.t3.small", "cache_shards": 2, "cache_replicas": 1,
            }),
        }
        cls.write(data)
        cls.env = cls.fake.env()
        kw = dict(endpoint_url=cls.fake.url, region_name="us-east-1",
                  aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        # The fake's models: RDS's MasterUserSecret is newer than Debian's
        # botocore.
        os.environ["AWS_DATA_PATH"] = FAKE_MODELS
        cls.rds = boto3.session.Session().client("rds", **kw)
        cls.ec = boto3.client("elasticache", **kw)
        cls.kms = boto3.client("kms", **kw)
        cls.outputs = []
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        for c in (cls.rds, cls.ec, cls.kms):
            c.close()
        cls.fake.stop()
        shutil.rmtree(cls.tmp)

    @classmethod
    def write(cls, data):
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(cls.main, f)
        with open(os.path.join(cls.config, "data.json"), "w") as f:
            json.dump(data, f)

    @classmethod
    def run_driftd(cls, *args):
        p = driftd(list(args) + ["--config", cls.config,
                                 "--state-dir", os.path.join(cls.tmp, "state")],
                   cls.env, timeout=180)
        cls.outputs.append(p.stdout + p.stderr)
        return p

    def plan(self):
        return self.run_driftd("plan", "--detailed-exitcode")

    def converge(self):
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def instance(self):
        return self.rds.describe_db_instances(DBInstanceIdentifier=DB)["DBInstances"][0]

    def redis(self):
        return self.ec.describe_replication_groups(ReplicationGroupId=DB)["ReplicationGroups"][0]

    def test_1_from_empty_apply_creates_the_tier_in_order_and_a_second_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        db = self.instance()
        key = self.kms.describe_key(KeyId="alias/cloudpartner-e2e-data")["KeyMetadata"]
        self.assertEqual(db["DBInstanceStatus"], "available")
        self.assertEqual((db["Engine"], db["StorageType"], db["MultiAZ"], db["StorageEncrypted"],
                          db["KmsKeyId"], db["BackupRetentionPeriod"], db["DeletionProtection"],
                          db["PerformanceInsightsEnabled"], db["MonitoringInterval"]),
                         ("postgres", "gp3", True, True, key["Arn"], 7, True, True, 60))
        self.assertEqual(sorted(db["EnabledCloudwatchLogsExports"]), ["postgresql", "upgrade"])
        self.assertEqual(db["DBSubnetGroup"]["DBSubnetGroupName"], DB)
        # No password in config: RDS made one and keeps it in a secret of
        # its own, encrypted with the data key.
        self.assertNotIn("MasterUserPassword", self.data["resources"]["rds.db_instance.main"])
        secret = db["MasterUserSecret"]
        self.assertEqual((secret["SecretStatus"], secret["KmsKeyId"]), ("active", key["Arn"]))
        meta = aws_cli(self.fake, ["secretsmanager", "describe-secret", "--secret-id", secret["SecretArn"]])
        self.assertTrue(meta["Name"].startswith("rds!db-"), meta["Name"])
        self.assertEqual(meta["KmsKeyId"], key["Arn"])
        create = [c for c in self.fake.calls() if c["operation"] == "CreateDBInstance"][0]
        self.assertNotIn("MasterUserPassword", create["parameters"])
        self.assertTrue(self.kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"])
        policy = json.loads(self.kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "AccountAdministers")
        rg = self.redis()
        self.assertEqual((rg["ClusterEnabled"], len(rg["NodeGroups"]),
                          len(rg["NodeGroups"][0]["NodeGroupMembers"]), rg["TransitEncryptionEnabled"],
                          rg["AtRestEncryptionEnabled"], rg["AuthTokenEnabled"], rg["MultiAZ"],
                          rg["AutomaticFailover"], rg["SnapshotRetentionLimit"]),
                         (True, 2, 2, True, True, True, "enabled", "enabled", 7))
        reps = self.rds.describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
        self.assertEqual([(r["DBInstanceArn"], r["BackupRetentionPeriod"]) for r in reps],
                         [(db["DBInstanceArn"], 7)])
        calls = [(c["operation"], c.get("status")) for c in self.fake.calls()]
        ops = [c[0] for c in calls]
        self.assertLess(ops.index("CreateKey"), ops.index("CreateDBInstance"))
        self.assertLess(ops.index("CreateDBSubnetGroup"), ops.index("CreateDBInstance"))
        self.assertLess(ops.index("CreateCacheSubnetGroup"), ops.index("CreateReplicationGroup"))
        self.assertLess(ops.index("CreateCacheParameterGroup"), ops.index("CreateReplicationGroup"))
        # Backup replication starts once the instance is available: the
        # instance was polled in between, and the fake refuses a start on
        # an instance that is not available (no failed Start here).
        start = ops.index("StartDBInstanceAutomatedBackupsReplication")
        self.assertIn("DescribeDBInstances", ops[ops.index("CreateDBInstance"):start])
        self.assertEqual(ops.count("StartDBInstanceAutomatedBackupsReplication"), 1)
        # The one secret value config names by reference, the Redis AUTH
        # token's, is read after the secret is made and before the group
        # (the call log masks SecretId; test_5 checks the token itself).
        self.assertLess(ops.index("CreateSecret"), ops.index("GetSecretValue"))
        self.assertLess(ops.index("GetSecretValue"), ops.index("CreateReplicationGroup"))
        self.fake.clear_calls()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual([c["operation"] for c in self.fake.calls()].count("GetSecretValue"), 1)

    def test_2_out_of_band_drift_is_reverted(self):
        aws_cli(self.fake, ["rds", "modify-db-instance", "--db-instance-identifier", DB,
                            "--backup-retention-period", "1", "--no-multi-az", "--apply-immediately"])
        aws_cli(self.fake, ["elasticache", "modify-replication-group", "--replication-group-id", DB,
                            "--snapshot-retention-limit", "1", "--apply-immediately"])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for attr in ("BackupRetentionPeriod", "MultiAZ", "SnapshotRetentionLimit"):
            self.assertIn(attr, p.stdout)
        self.converge()
        db = self.instance()
        # Retention applies at once; Multi-AZ waits for the maintenance
        # window (ApplyImmediately false) and counts as in sync meanwhile.
        self.assertEqual(db["BackupRetentionPeriod"], 7)
        self.assertEqual(db["PendingModifiedValues"].get("MultiAZ"), True)
        self.assertEqual(self.redis()["SnapshotRetentionLimit"], 7)

    def test_3_a_change_that_needs_a_replacement_is_refused(self):
        data = json.loads(json.dumps(self.data))
        data["resources"]["rds.db_instance.main"]["StorageEncrypted"] = False
        self.write(data)
        try:
            p = self.plan()
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn("rds.db_instance.main", p.stdout)
            # The instance has prevent_destroy: allow_replace would not
            # help, and the plan says what does refuse it (issue 12).
            self.assertIn("refused: policy.prevent_destroy", p.stdout)
            self.fake.clear_calls()
            self.run_driftd("apply", "--auto-approve")
            ops = [c["operation"] for c in self.fake.calls()]
            self.assertNotIn("DeleteDBInstance", ops)
            self.assertNotIn("CreateDBInstance", ops)
            self.assertTrue(self.instance()["StorageEncrypted"])
        finally:
            self.write(self.data)

    def test_4_removing_the_instance_from_config_does_not_delete_it(self):
        data = json.loads(json.dumps(self.data))
        del data["resources"]["rds.db_instance.main"]
        del data["resources"]["rds.backup_replication.main"]
        self.write(data)
        try:
            # No rds.db_instance is configured any more, and the instance
            # is still found (every type of a configured service is read)
            # and reported as an orphan, never deleted.
            p = self.run_driftd("plan", "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            actions = {r["address"]: r["action"] for r in json.loads(p.stdout)["resources"]}
            self.assertEqual(actions.get("rds.db_instance.main"), "orphan", actions)
            self.fake.clear_calls()
            p = self.run_driftd("apply", "--auto-approve")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            ops = [c["operation"] for c in self.fake.calls()]
            self.assertNotIn("DeleteDBInstance", ops)
            self.assertNotIn("StopDBInstanceAutomatedBackupsReplication", ops)
            self.assertEqual(self.instance()["DBInstanceStatus"], "available")
        finally:
            self.write(self.data)
        self.converge()

    def test_5_nothing_sensitive_in_plans_logs_or_the_journal(self):
        self.plan()
        secret = self.instance()["MasterUserSecret"]["SecretArn"]
        master = json.loads(aws_cli(self.fake, ["secretsmanager", "get-secret-value", "--secret-id",
                                                secret])["SecretString"])["password"]
        # The Redis AUTH secret's first value was generated (data.json's
        # GenerateSecretString): 64 characters of what ElastiCache takes in
        # an AUTH token (ElastiCache User Guide, "Authenticating with the
        # Valkey and Redis OSS AUTH command": letters, digits, !&#$^<>-).
        generated = aws_cli(self.fake, ["secretsmanager", "get-secret-value", "--secret-id",
                                        "cloudpartner/e2e/redis-auth-token"])["SecretString"]
        self.assertEqual(len(generated), 64)
        self.assertLessEqual(set(generated), set(string.ascii_letters + string.digits + "!&#$^<>-"))
        # ... and the replication group's AUTH token is that value, read by
        # reference (data.json's AuthToken {"secret": ARN}); the fake keeps
        # the tokens a group accepts.
        state = self.fake.control("GET", "state")["resources"]
        self.assertEqual(state["ec_repl_group"][DB]["_auth_tokens"], [generated])
        texts = list(self.outputs)
        for dirpath, _, files in os.walk(os.path.join(self.tmp, "state")):
            for name in files:
                with open(os.path.join(dirpath, name), errors="replace") as f:
                    texts.append(f.read())
        self.assertGreater(len(texts), 2)
        for text in texts:
            for s in SENTINELS + (master, generated):
                self.assertNotIn(s, text)
        # The values did reach AWS, in the create calls only.
        value = aws_cli(self.fake, ["secretsmanager", "get-secret-value", "--secret-id",
                                    "cloudpartner/e2e/app-config"])
        self.assertEqual(value["SecretString"], SECRET_VALUE)


if __name__ == "__main__":
    unittest.main()
