"""The first user's whole estate: config/environments/production, exactly
as shipped, against an empty fake AWS that is the production account. plan
lists every resource of the config as a create, apply converges all of it
in one run but for the one thing only AWS grants (SES production access:
requested once, reported until granted), and once that is granted a second
plan finds nothing to do. Every area of the platform's requirements is
checked to be present, so an area dropped from config/ fails here. On the
converged state, each fix of issue 15 (the estate right by AWS's own
rules) is read back from the fake the way AWS would answer it: the
estate_N methods, one subtest each."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, FakeAWS, boto_client, driftd  # noqa: E402

PRODUCTION = os.path.join(ROOT, "config", "environments", "production")

# The twelve areas of the first user's requirements, each as the resource
# types that stand for it in config/.
AREAS = {
    "network": ["ec2.vpc", "ec2.subnet", "ec2.nat_gateway", "ec2.security_group"],
    "kubernetes (EKS)": ["eks.cluster", "eks.nodegroup", "eks.addon"],
    "database (RDS PostgreSQL)": ["rds.db_instance", "rds.db_subnet_group"],
    "cache (ElastiCache Redis)": ["elasticache.replication_group"],
    "email (SES)": ["sesv2.email_identity"],
    "AI (Bedrock)": ["bedrock.foundation_model_access"],
    "load balancing and TLS (ALB, ACM)": ["elbv2.load_balancer", "acm.certificate"],
    "DNS (Route 53)": ["route53.hosted_zone", "route53.record_set"],
    "monitoring (CloudWatch)": ["cloudwatch.metric_alarm", "cloudwatch.dashboard",
                                "logs.log_group"],
    "alerting (SNS)": ["sns.topic"],
    "identity and secrets (IAM, Secrets Manager, KMS)": ["iam.role", "secretsmanager.secret",
                                                         "kms.key"],
    "backup and cost (AWS Backup, Budgets)": ["backup.plan", "budgets.budget"],
    "audit and event-driven detection (CloudTrail, EventBridge, SQS)":
        ["cloudtrail.trail", "events.rule", "sqs.queue"],
}

# Types driftd reads and compares but never makes: before the first apply
# they are in sync, or wait for what the apply makes (a certificate's
# validation), or ask AWS (the account's production access).
CHECKS = {"bedrock.foundation_model_access", "acm.certificate_validation",
          "sesv2.email_identity_verification", "sesv2.account_production_access"}
ACCOUNT = "333333333333"
PREFIX = "cloudpartner-production"
DOMAIN = "cloudpartner.pro"
# Who publishes alerts to the alerts topic (CloudWatch, Budgets, Cost
# Anomaly Detection).
SERVICES = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com")
ACCESS = "sesv2.account_production_access.main"


class EstateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Databases, clusters and load balancers take minutes in AWS; the
        # fake's clock runs 120 times faster.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"], account=ACCOUNT)
        cls.tmp = tempfile.mkdtemp(prefix="driftd-estate-")
        cls.env = cls.fake.env()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        shutil.rmtree(cls.tmp)

    def run_driftd(self, *args, timeout=600):
        return driftd(list(args) + ["--config", PRODUCTION,
                                    "--state-dir", os.path.join(self.tmp, "state")],
                      self.env, timeout=timeout)

    def test_production_plans_applies_and_converges_from_empty(self):
        p = driftd(["validate", PRODUCTION], self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        count = int(re.search(r"(\d+) resources", p.stdout + p.stderr).group(1))

        p = self.run_driftd("plan", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        plan = json.loads(p.stdout)
        actions = {r["address"]: r["action"] for r in plan["resources"]}
        self.assertEqual(len(actions), count)
        # Everything is to be made but the checks, which only read.
        self.assertEqual([(a, act) for a, act in actions.items() if act != "create" and
                          a.rsplit(".", 1)[0] not in CHECKS], [])
        types = {a.rsplit(".", 1)[0] for a in actions}
        for area, wanted in AREAS.items():
            with self.subTest(area=area):
                self.assertEqual([t for t in wanted if t not in types], [])

        p = self.run_driftd("apply", "--auto-approve")
        # Only the production access failed: AWS has it under review.
        errors = sorted({line.split(":", 2)[1].strip() for line in p.stderr.splitlines()
                         if line.startswith("Error:")})
        self.assertEqual((p.returncode, errors), (1, [ACCESS]), p.stdout[-4000:] + p.stderr)
        self.assertIn("PENDING", p.stderr)
        self.fake.control("POST", "state", {"type": "ses_account", "id": ACCOUNT,
                                            "set": {"production_access": True,
                                                    "review_status": "GRANTED"}})
        p = self.run_driftd("plan", "--detailed-exitcode")
        self.assertEqual(p.returncode, 0, p.stdout[-4000:] + p.stderr)
        requests = self.fake.calls(operation="PutAccountDetails")
        self.assertEqual(len(requests), 1)

        # What AWS's own rules ask of the converged estate (issue 15), read
        # back from the fake as AWS would answer it.
        for name, check in sorted(vars(EstateTest).items()):
            if name.startswith("estate_"):
                with self.subTest(fix=name):
                    check(self)

    def client(self, service, region="us-east-1"):
        return boto_client(self.fake, service, region)

    def rules_into(self, group_id):
        ec2 = self.client("ec2")
        return {(r["IpProtocol"], r["FromPort"], r["ToPort"],
                 r.get("ReferencedGroupInfo", {}).get("GroupId"))
                for r in ec2.describe_security_group_rules(
                    Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]
                if not r["IsEgress"]}

    def group_id(self, name):
        return self.client("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"][0]["GroupId"]

    def load_balancer(self):
        return self.client("elbv2").describe_load_balancers(Names=[PREFIX])["LoadBalancers"][0]

    def estate_1_pods_reach_the_database_and_redis_and_the_alb_reaches_the_pods(self):
        eks = self.client("eks")
        cluster_sg = eks.describe_cluster(name=PREFIX)["cluster"]["resourcesVpcConfig"]["clusterSecurityGroupId"]
        # Managed node groups without a launch template: nodes and pods are
        # in the cluster security group.
        for ng in eks.list_nodegroups(clusterName=PREFIX)["nodegroups"]:
            self.assertNotIn("launchTemplate",
                             eks.describe_nodegroup(clusterName=PREFIX, nodegroupName=ng)["nodegroup"])
        alb_sg = self.load_balancer()["SecurityGroups"]
        self.assertEqual(alb_sg, [self.group_id(PREFIX + "-alb")])
        into_pods = self.rules_into(cluster_sg)
        for port in (8080, 3000):
            self.assertIn(("tcp", port, port, alb_sg[0]), into_pods)
        # the database's and Redis's groups admit the pods and nothing else
        db = self.client("rds").describe_db_instances(DBInstanceIdentifier=PREFIX)["DBInstances"][0]
        db_sg = [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]]
        self.assertEqual(db_sg, [self.group_id(PREFIX + "-db")])
        self.assertEqual(self.rules_into(db_sg[0]), {("tcp", 5432, 5432, cluster_sg)})
        cache_sg = self.group_id(PREFIX + "-cache")
        self.assertEqual(self.rules_into(cache_sg), {("tcp", 6379, 6379, cluster_sg)})
        # and the group of old, which nothing carried, is gone from the config
        self.assertEqual(self.client("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [PREFIX + "-app"]}])["SecurityGroups"], [])

    def estate_2_alerts_topic_key_lets_the_three_services_publish(self):
        sns, kms = self.client("sns"), self.client("kms")
        arn = "arn:aws:sns:us-east-1:%s:%s-alerts" % (ACCOUNT, PREFIX)
        attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        key = kms.describe_key(KeyId=attrs["KmsMasterKeyId"])["KeyMetadata"]
        self.assertEqual(key["KeyManager"], "CUSTOMER")
        policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        granted = {}
        for st in policy["Statement"]:
            services = st.get("Principal", {}).get("Service", [])
            for svc in [services] if isinstance(services, str) else services:
                actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                granted.setdefault(svc, set()).update(actions)
        topic = json.loads(attrs["Policy"])["Statement"]
        publishers = {s for st in topic if st["Action"] == "sns:Publish"
                      for s in st["Principal"]["Service"]}
        for svc in SERVICES:
            self.assertTrue({"kms:GenerateDataKey*", "kms:Decrypt"} <= granted.get(svc, set()), svc)
            self.assertIn(svc, publishers)

    def estate_3_what_is_backed_up_carries_the_selections_tag(self):
        backup = self.client("backup")
        plan = [p for p in backup.list_backup_plans()["BackupPlansList"]
                if p["BackupPlanName"] == PREFIX + "-daily"][0]
        sel_id = backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])[
            "BackupSelectionsList"][0]["SelectionId"]
        sel = backup.get_backup_selection(BackupPlanId=plan["BackupPlanId"],
                                          SelectionId=sel_id)["BackupSelection"]
        (cond,) = sel["Conditions"]["StringEquals"]
        key, value = cond["ConditionKey"].split("/", 1)[1], cond["ConditionValue"]
        rds = self.client("rds")
        db = rds.describe_db_instances(DBInstanceIdentifier=PREFIX)["DBInstances"][0]
        tags = {t["Key"]: t["Value"] for t in
                rds.list_tags_for_resource(ResourceName=db["DBInstanceArn"])["TagList"]}
        self.assertEqual(tags.get(key), value)
        addon = self.client("eks").describe_addon(clusterName=PREFIX,
                                                  addonName="aws-ebs-csi-driver")["addon"]
        volume_tags = json.loads(addon["configurationValues"])["controller"]["extraVolumeTags"]
        self.assertEqual(volume_tags.get(key), value)

    def estate_4_health_check_asks_the_load_balancer_not_the_name_it_guards(self):
        r53 = self.client("route53")
        lb = self.load_balancer()
        (hc,) = r53.list_health_checks()["HealthChecks"]
        fqdn = hc["HealthCheckConfig"]["FullyQualifiedDomainName"]
        self.assertEqual(fqdn, lb["DNSName"])
        self.assertNotEqual(fqdn.rstrip(".").lower(), "api." + DOMAIN)
        # and the load balancer answers that name's /health from the API
        elbv2 = self.client("elbv2")
        listener = [l for l in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
                    if l["Port"] == 443][0]
        api_tg = elbv2.describe_target_groups(Names=[PREFIX + "-api"])["TargetGroups"][0]["TargetGroupArn"]
        health = [r for r in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
                  if any(lb["DNSName"] in c.get("Values", []) for c in r["Conditions"])]
        self.assertEqual(len(health), 1)
        self.assertEqual(health[0]["Actions"][0]["TargetGroupArn"], api_tg)
        # The secondary is the backup region's maintenance load balancer,
        # answering 503 over HTTPS, not a documentation address.
        (zone,) = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == DOMAIN + "."]
        api = [r for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone["Id"])
               for r in page["ResourceRecordSets"] if r["Name"] == "api.%s." % DOMAIN]
        (secondary,) = [r for r in api if r.get("Failover") == "SECONDARY"]
        maint = self.client("elbv2", "us-west-2").describe_load_balancers(
            Names=[PREFIX + "-maint"])["LoadBalancers"][0]
        self.assertEqual(secondary["AliasTarget"]["DNSName"].rstrip(".").lower(), maint["DNSName"].lower())
        (listener,) = self.client("elbv2", "us-west-2").describe_listeners(
            LoadBalancerArn=maint["LoadBalancerArn"])["Listeners"]
        action = listener["DefaultActions"][0]
        self.assertEqual((listener["Protocol"], action["Type"], action["FixedResponseConfig"]["StatusCode"]),
                         ("HTTPS", "fixed-response", "503"))

    def estate_5_kubernetes_and_node_images_in_support(self):
        eks = self.client("eks")
        self.assertEqual(eks.describe_cluster(name=PREFIX)["cluster"]["version"], "1.35")
        for ng in eks.list_nodegroups(clusterName=PREFIX)["nodegroups"]:
            ami = eks.describe_nodegroup(clusterName=PREFIX, nodegroupName=ng)["nodegroup"]["amiType"]
            self.assertEqual(ami, "AL2023_x86_64_STANDARD")

    def estate_6_lb_controller_registers_targets_without_a_cluster_tag(self):
        policy = self.client("iam").get_role_policy(RoleName=PREFIX + "-lb-controller",
                                                    PolicyName="lb-controller")["PolicyDocument"]
        if isinstance(policy, str):
            policy = json.loads(urllib.parse.unquote(policy))
        register = [st for st in policy["Statement"]
                    if "elasticloadbalancing:RegisterTargets" in st["Action"]]
        self.assertEqual(len(register), 1)
        self.assertNotIn("Condition", register[0])
        self.assertIn(":targetgroup/%s-*/*" % PREFIX, register[0]["Resource"])

    def estate_7_alb_attributes_applied_with_its_log_bucket(self):
        elbv2, s3 = self.client("elbv2"), self.client("s3")
        attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(
            LoadBalancerArn=self.load_balancer()["LoadBalancerArn"])["Attributes"]}
        self.assertEqual((attrs["deletion_protection.enabled"], attrs["idle_timeout.timeout_seconds"],
                          attrs["access_logs.s3.enabled"]), ("true", "120", "true"))
        policy = json.loads(s3.get_bucket_policy(Bucket=attrs["access_logs.s3.bucket"])["Policy"])
        (st,) = policy["Statement"]
        # us-east-1's Elastic Load Balancing account writes the logs
        self.assertEqual(st["Principal"], {"AWS": "arn:aws:iam::127311923021:root"})
        self.assertEqual(st["Resource"], "arn:aws:s3:::%s/alb/production/AWSLogs/%s/*"
                         % (attrs["access_logs.s3.bucket"], ACCOUNT))

    def estate_8_app_may_decrypt_its_secrets_and_send_through_its_configuration_set(self):
        iam = self.client("iam")
        arn = "arn:aws:iam::%s:policy/%s-app" % (ACCOUNT, PREFIX)
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(urllib.parse.unquote(doc))
        data_key = [k for k in self.client("kms").list_aliases()["Aliases"]
                    if k["AliasName"] == "alias/%s-data" % PREFIX][0]["TargetKeyId"]
        grants = {(a, r) for st in doc["Statement"] if st["Effect"] == "Allow"
                  for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])
                  for r in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])}
        self.assertIn(("kms:Decrypt", "arn:aws:kms:us-east-1:%s:key/%s" % (ACCOUNT, data_key)), grants)
        self.assertIn(("ses:SendEmail", "arn:aws:ses:us-east-1:%s:configuration-set/%s" % (ACCOUNT, PREFIX)),
                      grants)

    def estate_10_redis_alarms_see_every_node(self):
        cw = self.client("cloudwatch")
        alarms = cw.describe_alarms(AlarmNamePrefix=PREFIX + "-redis-")["MetricAlarms"]
        self.assertEqual(len(alarms), 3)
        for alarm in alarms:
            (query,) = alarm["Metrics"]
            # a query over every node's series, not one node's dimension
            self.assertIn('FROM SCHEMA("AWS/ElastiCache", CacheClusterId)', query["Expression"])
            self.assertNotIn("Dimensions", alarm)

    def estate_11_app_name_is_served_by_the_frontend(self):
        elbv2 = self.client("elbv2")
        lb = self.load_balancer()
        listener = [l for l in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
                    if l["Port"] == 443][0]
        frontend = elbv2.describe_target_groups(Names=[PREFIX + "-frontend"])["TargetGroups"][0]
        rules = [r for r in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
                 if any("app." + DOMAIN in c.get("Values", []) for c in r["Conditions"])]
        self.assertEqual([r["Actions"][0]["TargetGroupArn"] for r in rules], [frontend["TargetGroupArn"]])

    def estate_12_model_access_is_asked_of_get_foundation_model_availability(self):
        calls = self.fake.calls(operation="GetFoundationModelAvailability")
        self.assertTrue(calls)
        self.assertEqual({c["status"] for c in calls}, {200})

    def estate_13_production_delegates_dev_and_staging(self):
        r53 = self.client("route53")
        (zone,) = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == DOMAIN + "."]
        records = [r for page in r53.get_paginator("list_resource_record_sets").paginate(
            HostedZoneId=zone["Id"]) for r in page["ResourceRecordSets"]]
        ns = {r["Name"]: len(r["ResourceRecords"]) for r in records if r["Type"] == "NS"}
        for child in ("dev", "staging"):
            self.assertEqual(ns.get("%s.%s." % (child, DOMAIN)), 4, child)

    def estate_14_the_recovery_document_names_what_the_config_makes(self):
        with open(os.path.join(ROOT, "contrib", "docs", "disaster-recovery.md")) as f:
            doc = f.read()
        vaults = set(re.findall(r"--backup-vault-name (\S+)", doc))
        self.assertTrue(vaults)
        made = {v["BackupVaultName"] for region in ("us-east-1", "us-west-2")
                for v in self.client("backup", region).list_backup_vaults()["BackupVaultList"]}
        self.assertLessEqual(vaults, made)
        self.assertNotIn("replica in the second region", doc)

    def estate_16_vpc_flow_logs_to_a_log_group_with_retention(self):
        ec2, logs = self.client("ec2"), self.client("logs")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [PREFIX]}])["Vpcs"][0]["VpcId"]
        (flow,) = ec2.describe_flow_logs(Filter=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
        self.assertEqual((flow["TrafficType"], flow["LogDestinationType"]), ("ALL", "cloud-watch-logs"))
        (group,) = logs.describe_log_groups(logGroupNamePrefix=flow["LogGroupName"])["logGroups"]
        self.assertEqual(group["retentionInDays"], 365)

    def estate_16_one_nat_gateway_per_zone(self):
        ec2 = self.client("ec2")

        def every(op, key):
            return [x for page in ec2.get_paginator(op).paginate() for x in page[key]]
        vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [PREFIX]}])["Vpcs"][0]["VpcId"]
        subnets = {s["SubnetId"]: s for s in every("describe_subnets", "Subnets") if s["VpcId"] == vpc}
        nats = {n["NatGatewayId"]: subnets[n["SubnetId"]]["AvailabilityZone"]
                for n in every("describe_nat_gateways", "NatGateways") if n["State"] == "available"}
        self.assertEqual(sorted(nats.values()), ["us-east-1a", "us-east-1b"])
        private = [s for s in subnets.values() if "private" in
                   {t["Key"]: t["Value"] for t in s.get("Tags", [])}.get("Name", "")]
        self.assertEqual(len(private), 2)
        for rt in every("describe_route_tables", "RouteTables"):
            for assoc in rt.get("Associations", []):
                subnet = subnets.get(assoc.get("SubnetId"))
                if subnet in private:
                    (nat,) = [r["NatGatewayId"] for r in rt["Routes"] if r.get("NatGatewayId")]
                    self.assertEqual(nats[nat], subnet["AvailabilityZone"])

    def estate_17_api_calls_reach_driftds_queues_in_both_regions(self):
        trail = self.client("cloudtrail")
        (t,) = trail.describe_trails(trailNameList=[PREFIX])["trailList"]
        self.assertTrue(t["IsMultiRegionTrail"] and t["IncludeGlobalServiceEvents"])
        self.assertTrue(trail.get_trail_status(Name=PREFIX)["IsLogging"])
        for region in ("us-east-1", "us-west-2"):
            events, sqs = self.client("events", region), self.client("sqs", region)
            rule = events.describe_rule(Name=PREFIX + "-api-calls")
            url = sqs.get_queue_url(QueueName=PREFIX + "-drift-events")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            self.assertEqual(target["Arn"], attrs["QueueArn"])
            (st,) = json.loads(attrs["Policy"])["Statement"]
            self.assertEqual(st["Condition"]["ArnEquals"]["aws:SourceArn"], rule["Arn"])


if __name__ == "__main__":
    unittest.main()
