"""End to end: the storage part of the estate (config/base/storage.json:
the platform bucket, the Backup vaults, the daily plan and its selection)
against the fake AWS endpoint: from empty, a clean second plan, and
out-of-band drift made with awscli reverted."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import EstateTestCase, FakeAWS, ROOT, aws_cli  # noqa: E402
from driftdtest import base_file, estate_root  # noqa: E402

BUCKET = "cloudpartner-e2e-platform-data"
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
               "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


class StorageTest(EstateTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeAWS()
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-storage-")
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        main = {
            "include": [base_file(f)
                        for f in ("kms.json", "storage.json")],
            "settings": {"environment": "e2e", "region": "us-east-1",
                         "default_tags": {"ManagedBy": "driftd"}},
            "variables": {
                "env": "e2e", "account_id": "123456789012", "backup_region": "us-west-2",
                "s3_backups_expiration_days": 90,
            },
        }
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(main, f)
        cls.env = cls.fake.env()
        cls.s3 = cls.boto_client("s3")
        cls.backup = cls.boto_client("backup")
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        cls.s3.close()
        cls.backup.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    @classmethod
    def key_arn(cls, region, address):
        """The ARN of the key driftd made for address (kms.json)."""
        kms = cls.boto_client("kms", region)
        try:
            for k in kms.list_keys()["Keys"]:
                tags = {t["TagKey"]: t["TagValue"]
                        for t in kms.list_resource_tags(KeyId=k["KeyId"])["Tags"]}
                if tags.get("driftd:address") == address:
                    return k["KeyArn"]
        finally:
            kms.close()
        raise AssertionError("no key %s in %s" % (address, region))

    def plan_named(self, name):
        plans = self.backup.list_backup_plans()["BackupPlansList"]
        pid = next(p["BackupPlanId"] for p in plans if p["BackupPlanName"] == name)
        return self.backup.get_backup_plan(BackupPlanId=pid)

    def test_1_from_empty_apply_creates_everything_and_a_second_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        self.assertEqual(self.s3.get_bucket_versioning(Bucket=BUCKET)["Status"], "Enabled")
        sse = self.s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]
        self.assertEqual(sse["Rules"][0]["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "aws:kms",
                          "KMSMasterKeyID": self.key_arn("us-east-1", "kms.key.data")})
        self.assertEqual(self.s3.get_public_access_block(Bucket=BUCKET)
                         ["PublicAccessBlockConfiguration"], ALL_BLOCKED)
        rules = {r["ID"]: r for r in
                 self.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
        self.assertEqual([t["StorageClass"] for t in rules["k8s-config"]["Transitions"]],
                         ["STANDARD_IA", "GLACIER"])
        self.assertEqual(rules["backups"]["Expiration"], {"Days": 90})
        tags = {t["Key"]: t["Value"] for t in self.s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
        self.assertEqual((tags["Component"], tags["ManagedBy"]), ("storage", "driftd"))
        vaults = {v["BackupVaultName"]: v for v in
                  self.backup.list_backup_vaults()["BackupVaultList"]}
        self.assertEqual(vaults["cloudpartner-e2e"]["EncryptionKeyArn"],
                         self.key_arn("us-east-1", "kms.key.data"))
        self.assertEqual(vaults["cloudpartner-e2e-copy"]["EncryptionKeyArn"],
                         self.key_arn("us-west-2", "kms.key.backup"))
        self.assertEqual(self.backup.list_tags(ResourceArn=vaults["cloudpartner-e2e"]
                                               ["BackupVaultArn"])["Tags"]["Component"], "backup")
        plan = self.plan_named("cloudpartner-e2e-daily")
        rule = plan["BackupPlan"]["Rules"][0]
        self.assertEqual((rule["ScheduleExpression"], rule["Lifecycle"]["DeleteAfterDays"]),
                         ("cron(0 3 ? * * *)", 30))
        self.assertEqual(rule["CopyActions"][0]["DestinationBackupVaultArn"],
                         vaults["cloudpartner-e2e-copy"]["BackupVaultArn"])
        sels = self.backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])
        sel = self.backup.get_backup_selection(
            BackupPlanId=plan["BackupPlanId"],
            SelectionId=sels["BackupSelectionsList"][0]["SelectionId"])["BackupSelection"]
        self.assertEqual(sorted(sel["Resources"]),
                         ["arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*"])
        self.assertTrue(sel["IamRoleArn"].endswith(":role/cloudpartner-e2e-backup"))
        # Vaults before the plan that targets them, the plan before its
        # selection.
        calls = [c["operation"] for c in self.fake.calls()]
        self.assertLess(calls.index("CreateBackupVault"), calls.index("CreateBackupPlan"))
        self.assertLess(calls.index("CreateBackupPlan"), calls.index("CreateBackupSelection"))
        self.fake.clear_calls()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # Plans are listed once per region Backup is used in (the copy
        # vault's too, where orphans are looked for) and each is read with
        # GetBackupPlan; no configuration of the bucket is missing, so no
        # read failed.
        calls = self.fake.calls()
        reads = [c["operation"] for c in calls]
        self.assertEqual(sorted(c.get("region", "?") for c in calls
                                if c["operation"] == "ListBackupPlans"),
                         ["us-east-1", "us-west-2"])
        # (the fake's Backup is one store for every region: each listing
        # names the plan)
        self.assertEqual(reads.count("GetBackupPlan"), 2)
        self.assertEqual(reads.count("GetPublicAccessBlock"), 1)

    def test_2_removed_public_access_block_is_put_back(self):
        aws_cli(self.fake, ["s3api", "delete-public-access-block", "--bucket", BUCKET])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("s3.bucket.platform", p.stdout)
        self.assertIn("PublicAccessBlockConfiguration", p.stdout)
        self.converge()
        self.assertEqual(self.s3.get_public_access_block(Bucket=BUCKET)
                         ["PublicAccessBlockConfiguration"], ALL_BLOCKED)

    def test_3_shortened_backup_retention_is_restored(self):
        plan = self.plan_named("cloudpartner-e2e-daily")
        doc = plan["BackupPlan"]
        for rule in doc["Rules"]:
            rule.pop("RuleId", None)
            rule["Lifecycle"]["DeleteAfterDays"] = 7
        aws_cli(self.fake, ["backup", "update-backup-plan", "--backup-plan-id",
                            plan["BackupPlanId"], "--backup-plan", json.dumps(doc)])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("backup.plan.daily", p.stdout)
        self.converge()
        rule = self.plan_named("cloudpartner-e2e-daily")["BackupPlan"]["Rules"][0]
        self.assertEqual(rule["Lifecycle"]["DeleteAfterDays"], 30)
        # The plan was updated in place: the selection still names it.
        self.assertEqual(len(self.backup.list_backup_selections(
            BackupPlanId=plan["BackupPlanId"])["BackupSelectionsList"]), 1)

    def test_4_lifecycle_rules_deleted_out_of_band_are_put_back(self):
        aws_cli(self.fake, ["s3api", "delete-bucket-lifecycle", "--bucket", BUCKET])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("LifecycleConfiguration", p.stdout)
        self.converge()
        rules = self.s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
        self.assertEqual(sorted(r["ID"] for r in rules),
                         ["abort-incomplete-uploads", "backups", "k8s-config"])


if __name__ == "__main__":
    unittest.main()
