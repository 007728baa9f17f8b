"""End to end: observability and cost from config/base (log groups with
retention, metric alarms, the system-overview dashboard kept as a file,
budgets with their notifications, the Cost Explorer anomaly monitor and
subscription) against the fake AWS endpoint: made from empty, a second
plan clean, and drift made with awscli reverted."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import (EstateTestCase, FakeAWS, ROOT, aws_cli,  # noqa: E402
                        environment_variables)
from driftdtest import base_file, estate_root  # noqa: E402

ACCOUNT = "123456789012"
TOPIC = "arn:aws:sns:us-east-1:%s:cloudpartner-e2e-alerts" % ACCOUNT
DASHBOARD = os.path.join(ROOT, "config", "dashboards", "system-overview.json")


class ObservabilityTest(EstateTestCase):
    DRIFTD_TIMEOUT = 180

    @classmethod
    def setUpClass(cls):
        # The load balancer (whose name the ALB alarms use) provisions for
        # 60 fake seconds.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-obs-")
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        variables = environment_variables("staging")
        variables.update({"env": "e2e", "account_id": ACCOUNT,
                          "domain": "obs.example.com", "alb_logs_bucket": "e2e-alb-logs"})
        # The areas these resources refer to (the load balancer and its
        # certificate, the API's role and its cluster, the alerts topic),
        # not the whole estate.
        main = {"include": [base_file(f)
                            for f in ("network.json", "iam.json", "kms.json", "compute.json",
                                      "irsa.json", "edge.json", "dns.json", "maintenance.json", "ai.json",
                                      "alerts.json", "observability.json")],
                "settings": {"environment": "e2e", "region": "us-east-1",
                             "default_tags": {"ManagedBy": "driftd"}},
                "variables": variables}
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(main, f)
        cls.variables = variables
        cls.env = cls.fake.env()
        cls.cw = cls.boto_client("cloudwatch")
        cls.logs = cls.boto_client("logs")
        cls.budgets = cls.boto_client("budgets")
        cls.ce = cls.boto_client("ce")
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        for c in (cls.cw, cls.logs, cls.budgets, cls.ce):
            c.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    def assert_drift_reverted(self, address):
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn(address, p.stdout)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def alarm(self, name):
        got = self.cw.describe_alarms(AlarmNames=["cloudpartner-e2e-" + name])["MetricAlarms"]
        self.assertEqual(len(got), 1, name)
        return got[0]

    def log_group(self, name):
        return next(g for g in self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
                    if g["logGroupName"] == name)

    def budget(self, name):
        return self.budgets.describe_budget(AccountId=ACCOUNT,
                                            BudgetName="cloudpartner-e2e-" + name)["Budget"]

    def test_1_from_empty_apply_makes_everything_and_a_second_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        v = self.variables
        self.assertEqual(self.log_group("/aws/eks/cloudpartner-e2e/cluster")["retentionInDays"],
                         v["cluster_log_retention_days"])
        self.assertEqual(self.log_group("/aws/containerinsights/cloudpartner-e2e/performance")
                         ["retentionInDays"], v["insights_log_retention_days"])
        app = self.log_group("/cloudpartner/e2e/app")
        self.assertEqual(app["retentionInDays"], v["app_log_retention_days"])
        tags = self.logs.list_tags_log_group(logGroupName="/cloudpartner/e2e/app")["tags"]
        self.assertEqual((tags["Component"], tags["driftd:address"]), ("api", "logs.log_group.app"))

        cpu = self.alarm("node-cpu")
        self.assertEqual((cpu["Namespace"], cpu["MetricName"], cpu["Dimensions"]),
                         ("ContainerInsights", "node_cpu_utilization",
                          [{"Name": "ClusterName", "Value": "cloudpartner-e2e"}]))
        self.assertEqual((cpu["AlarmActions"], cpu["OKActions"]), ([TOPIC], [TOPIC]))
        lb = self.boto_client("elbv2")
        lb_arn = lb.describe_load_balancers(Names=["cloudpartner-e2e"])["LoadBalancers"][0][
            "LoadBalancerArn"]
        lb.close()
        rate = self.alarm("alb-5xx-rate")
        errors = next(m for m in rate["Metrics"] if m["Id"] == "errors")
        self.assertEqual(errors["MetricStat"]["Metric"]["Dimensions"][0]["Value"],
                         lb_arn.split(":loadbalancer/")[1])
        self.assertEqual(self.alarm("alb-response-time")["ExtendedStatistic"], "p95")
        self.assertEqual(self.alarm("rds-free-storage")["MetricName"], "FreeStorageSpace")
        # Redis: one query over every node's series (a node count is each
        # environment's), not one node's dimension.
        (query,) = self.alarm("redis-evictions")["Metrics"]
        self.assertEqual(query["Expression"],
                         'SELECT SUM(Evictions) FROM SCHEMA("AWS/ElastiCache", CacheClusterId)')
        bedrock = self.alarm("bedrock-throttles")
        self.assertEqual((bedrock["Namespace"], bedrock["Period"], bedrock["Dimensions"]),
                         ("AWS/Bedrock", 300, [{"Name": "ModelId",
                                                "Value": "amazon.nova-lite-v1:0"}]))

        body = self.cw.get_dashboard(DashboardName="cloudpartner-e2e-system-overview")["DashboardBody"]
        with open(DASHBOARD) as f:
            self.assertEqual(json.loads(body), json.load(f))

        monthly = self.budget("monthly")
        self.assertEqual((monthly["BudgetType"], monthly["TimeUnit"]), ("COST", "MONTHLY"))
        self.assertEqual(float(monthly["BudgetLimit"]["Amount"]), float(v["monthly_budget_usd"]))
        notes = self.budgets.describe_notifications_for_budget(
            AccountId=ACCOUNT, BudgetName="cloudpartner-e2e-monthly")["Notifications"]
        self.assertEqual(sorted((n["NotificationType"], n["Threshold"]) for n in notes),
                         [("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 80), ("FORECASTED", 100)])
        subs = self.budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="cloudpartner-e2e-monthly", Notification=notes[0])
        self.assertEqual(subs["Subscribers"], [{"SubscriptionType": "SNS", "Address": TOPIC}])
        self.assertEqual(self.budget("bedrock")["CostFilters"], {"Service": ["Amazon Bedrock"]})

        monitors = self.ce.get_anomaly_monitors()["AnomalyMonitors"]
        self.assertEqual([(m["MonitorName"], m["MonitorDimension"]) for m in monitors],
                         [("cloudpartner-e2e-services", "SERVICE")])
        sub = self.ce.get_anomaly_subscriptions()["AnomalySubscriptions"]
        self.assertEqual(len(sub), 1)
        self.assertEqual((sub[0]["MonitorArnList"], sub[0]["Frequency"], sub[0]["Threshold"]),
                         ([monitors[0]["MonitorArn"]], "IMMEDIATE", v["anomaly_alert_usd"]))

        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_2_alarm_threshold_changed_is_reverted(self):
        alarm = self.alarm("rds-cpu")
        changed = {k: alarm[k] for k in ("AlarmName", "AlarmDescription", "AlarmActions",
                                         "OKActions", "MetricName", "Namespace", "Statistic",
                                         "Dimensions", "Period", "EvaluationPeriods",
                                         "ComparisonOperator", "TreatMissingData")}
        changed["Threshold"] = 99.0
        aws_cli(self.fake, ["cloudwatch", "put-metric-alarm", "--cli-input-json",
                            json.dumps(changed)])
        self.assertEqual(self.alarm("rds-cpu")["Threshold"], 99.0)
        self.assert_drift_reverted("cloudwatch.metric_alarm.rds_cpu")
        self.assertEqual(self.alarm("rds-cpu")["Threshold"],
                         self.variables["rds_cpu_alarm_percent"])

    def test_3_dashboard_edited_is_reverted(self):
        aws_cli(self.fake, ["cloudwatch", "put-dashboard", "--dashboard-name",
                            "cloudpartner-e2e-system-overview", "--dashboard-body",
                            json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6,
                                                     "height": 2,
                                                     "properties": {"markdown": "edited"}}]})])
        self.assert_drift_reverted("cloudwatch.dashboard.overview")
        body = self.cw.get_dashboard(DashboardName="cloudpartner-e2e-system-overview")["DashboardBody"]
        with open(DASHBOARD) as f:
            self.assertEqual(json.loads(body), json.load(f))

    def test_4_budget_amount_changed_is_reverted(self):
        b = self.budget("monthly")
        new = {k: b[k] for k in ("BudgetName", "BudgetType", "TimeUnit")}
        new["BudgetLimit"] = {"Amount": "99999", "Unit": "USD"}
        aws_cli(self.fake, ["budgets", "update-budget", "--account-id", ACCOUNT,
                            "--new-budget", json.dumps(new)])
        self.assert_drift_reverted("budgets.budget.monthly")
        self.assertEqual(float(self.budget("monthly")["BudgetLimit"]["Amount"]),
                         float(self.variables["monthly_budget_usd"]))

    def test_5_log_group_retention_changed_is_reverted(self):
        name = "/aws/eks/cloudpartner-e2e/cluster"
        aws_cli(self.fake, ["logs", "put-retention-policy", "--log-group-name", name,
                            "--retention-in-days", "1"])
        self.assert_drift_reverted("logs.log_group.eks_cluster")
        self.assertEqual(self.log_group(name)["retentionInDays"],
                         self.variables["cluster_log_retention_days"])

    def test_6_budget_notification_dropped_is_made_again(self):
        note = {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN",
                "Threshold": 100.0, "ThresholdType": "PERCENTAGE"}
        aws_cli(self.fake, ["budgets", "delete-notification", "--account-id", ACCOUNT,
                            "--budget-name", "cloudpartner-e2e-monthly",
                            "--notification", json.dumps(note)])
        self.assert_drift_reverted("budgets.budget.monthly")
        subs = self.budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="cloudpartner-e2e-monthly", Notification=note)
        self.assertEqual(subs["Subscribers"], [{"SubscriptionType": "SNS", "Address": TOPIC}])


if __name__ == "__main__":
    unittest.main()
