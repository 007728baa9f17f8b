"""End to end: the compute part of the estate (config/base/compute.json:
the EKS cluster, its OIDC provider, two managed node groups, the add-ons;
config/base/irsa.json: the controllers' IRSA roles; the API's role of
config/base/ai.json) with the network and IAM it stands on, against the
fake AWS endpoint."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import (EstateTestCase, FakeAWS, ROOT, aws_cli,  # noqa: E402
                        environment_variables)
from driftdtest import base_file, estate_root  # noqa: E402

CLUSTER = "cloudpartner-e2e"
ADDONS = ["amazon-cloudwatch-observability", "aws-ebs-csi-driver", "coredns", "kube-proxy", "vpc-cni"]
# IRSA role -> the service account its trust policy admits.
IRSA = {"cloudpartner-e2e-app": "cloudpartner:api",
        "cloudpartner-e2e-ebs-csi": "kube-system:ebs-csi-controller-sa",
        "cloudpartner-e2e-cloudwatch-agent": "amazon-cloudwatch:cloudwatch-agent",
        "cloudpartner-e2e-cluster-autoscaler": "kube-system:cluster-autoscaler",
        "cloudpartner-e2e-lb-controller": "kube-system:aws-load-balancer-controller"}


class ComputeTest(EstateTestCase):
    DRIFTD_TIMEOUT = 180

    @classmethod
    def setUpClass(cls):
        # The cluster is CREATING for 120 fake seconds, node groups and
        # add-ons for 60: a fake second is 1/120 of a real one here.
        cls.fake = FakeAWS(extra_args=["--time-scale", "120"])
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-compute-")
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        estate_root(os.path.dirname(cls.config))
        main = {
            "include": [base_file(f) for f in ("network.json", "iam.json", "kms.json",
                                                        "compute.json", "irsa.json", "ai.json",
                                                        "alerts.json")],
            "settings": {"environment": "e2e", "region": "us-east-1",
                         "default_tags": {"ManagedBy": "driftd"}},
            # staging's values for what this test does not look at (the
            # Bedrock alarms of ai.json), its own for the rest
            "variables": dict(environment_variables("staging"), **{
                "env": "e2e", "region": "us-east-1", "account_id": "123456789012",
                "domain": "e2e.example.com", "bedrock_region": "us-east-1",
                "bedrock_model_id": "amazon.nova-lite-v1:0",
                "az_a": "us-east-1a", "az_b": "us-east-1b",
                "vpc_cidr": "10.60.0.0/16", "public_a_cidr": "10.60.0.0/24",
                "public_b_cidr": "10.60.1.0/24", "private_a_cidr": "10.60.10.0/24",
                "private_b_cidr": "10.60.11.0/24", "k8s_version": "1.30",
                "critical_instance_types": ["t3.medium"], "critical_min": 2,
                "critical_max": 4, "critical_desired": 2,
                "spot_instance_types": ["t3.large", "t3a.large"], "spot_min": 0,
                "spot_max": 3, "spot_desired": 1,
                "eks_public_access_cidrs": ["203.0.113.0/24"],
                "backup_region": "us-west-2",
            }),
        }
        with open(os.path.join(cls.config, "main.json"), "w") as f:
            json.dump(main, f)
        cls.env = cls.fake.env()
        cls.eks = cls.boto_client("eks")
        cls.iam = cls.boto_client("iam")
        cls.first = cls.run_driftd("apply", "--auto-approve")

    @classmethod
    def tearDownClass(cls):
        cls.eks.close()
        cls.iam.close()
        cls.fake.stop()
        cls.tmp.cleanup()

    def nodegroup(self, name):
        return self.eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=name)["nodegroup"]

    def test_1_from_empty_apply_converges_in_order_and_a_second_plan_is_clean(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        c = self.eks.describe_cluster(name=CLUSTER)["cluster"]
        self.assertEqual((c["status"], c["version"]), ("ACTIVE", "1.30"))
        vpc = c["resourcesVpcConfig"]
        self.assertEqual((vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"],
                          vpc["publicAccessCidrs"]), (True, True, ["203.0.113.0/24"]))
        self.assertEqual(sorted(c["logging"]["clusterLogging"][0]["types"]),
                         ["api", "audit", "authenticator", "controllerManager", "scheduler"])
        # Secrets are encrypted with the key driftd made (kms.json).
        kms = self.boto_client("kms")
        key = c["encryptionConfig"][0]["provider"]["keyArn"]
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
        kms.close()
        self.assertEqual(tags["driftd:address"], "kms.key.eks")
        self.assertTrue(c["roleArn"].endswith(":role/cloudpartner-e2e-eks-cluster"))
        host = c["identity"]["oidc"]["issuer"][len("https://"):]
        oidc = self.iam.get_open_id_connect_provider(
            OpenIDConnectProviderArn="arn:aws:iam::123456789012:oidc-provider/" + host)
        self.assertEqual(oidc["ClientIDList"], ["sts.amazonaws.com"])
        critical, spot = self.nodegroup("critical"), self.nodegroup("spot")
        self.assertEqual((critical["capacityType"], critical["scalingConfig"]),
                         ("ON_DEMAND", {"minSize": 2, "maxSize": 4, "desiredSize": 2}))
        self.assertEqual((spot["capacityType"], spot["instanceTypes"]), ("SPOT", ["t3.large", "t3a.large"]))
        self.assertEqual(sorted(self.eks.list_addons(clusterName=CLUSTER)["addons"]), ADDONS)
        # Node groups and add-ons were created only once the cluster was
        # ACTIVE (the fake refuses them before), each after its cluster.
        calls = [c["operation"] for c in self.fake.calls(service="eks")]
        first_child = min(calls.index("CreateNodegroup"), calls.index("CreateAddon"))
        self.assertLess(calls.index("CreateCluster"), first_child)
        self.assertIn("DescribeCluster", calls[calls.index("CreateCluster"):first_child])
        self.fake.clear_calls()
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # Node groups and add-ons are listed once per cluster, each
        # described by name.
        reads = [c["operation"] for c in self.fake.calls(service="eks")]
        self.assertEqual((reads.count("ListNodegroups"), reads.count("DescribeNodegroup")), (1, 2))
        self.assertEqual((reads.count("ListAddons"), reads.count("DescribeAddon")), (1, 5))

    def test_1b_irsa_roles_trust_one_service_account_through_the_clusters_issuer(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        issuer = self.eks.describe_cluster(name=CLUSTER)["cluster"]["identity"]["oidc"]["issuer"]
        host = issuer[len("https://"):]
        provider = "arn:aws:iam::123456789012:oidc-provider/" + host
        for name, account in IRSA.items():
            with self.subTest(role=name):
                trust = self.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
                [statement] = trust["Statement"]
                self.assertEqual((statement["Principal"], statement["Action"]),
                                 ({"Federated": provider}, "sts:AssumeRoleWithWebIdentity"))
                self.assertEqual(statement["Condition"], {"StringEquals": {
                    host + ":sub": "system:serviceaccount:" + account,
                    host + ":aud": "sts.amazonaws.com"}})
        addons = {a: self.eks.describe_addon(clusterName=CLUSTER, addonName=a)["addon"]
                  for a in ("aws-ebs-csi-driver", "amazon-cloudwatch-observability")}
        self.assertEqual(addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"],
                         "arn:aws:iam::123456789012:role/cloudpartner-e2e-ebs-csi")
        self.assertEqual(addons["amazon-cloudwatch-observability"]["serviceAccountRoleArn"],
                         "arn:aws:iam::123456789012:role/cloudpartner-e2e-cloudwatch-agent")
        attached = self.iam.list_attached_role_policies(RoleName="cloudpartner-e2e-cloudwatch-agent")
        self.assertEqual([p["PolicyArn"] for p in attached["AttachedPolicies"]],
                         ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"])
        scaler = self.iam.get_role_policy(RoleName="cloudpartner-e2e-cluster-autoscaler",
                                          PolicyName="cluster-autoscaler")["PolicyDocument"]
        resize = next(st for st in scaler["Statement"] if st["Sid"] == "ResizeOwnNodegroups")
        self.assertEqual(resize["Condition"], {"StringEquals": {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/cloudpartner-e2e": "owned"}})
        # The API's role keeps its Bedrock policy and its managed policy.
        self.assertEqual(self.iam.list_role_policies(RoleName="cloudpartner-e2e-app")["PolicyNames"],
                         ["bedrock-invoke"])

    def test_2_max_size_is_reverted_and_the_autoscalers_desired_size_left_alone(self):
        aws_cli(self.fake, ["eks", "update-nodegroup-config", "--cluster-name", CLUSTER,
                            "--nodegroup-name", "critical",
                            "--scaling-config", "minSize=2,maxSize=8,desiredSize=3"])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("eks.nodegroup.critical", p.stdout)
        self.assertNotIn("eks.nodegroup.spot", p.stdout)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.nodegroup("critical")["scalingConfig"],
                         {"minSize": 2, "maxSize": 4, "desiredSize": 3})
        # Only the desired size moved (the cluster autoscaler): no drift.
        aws_cli(self.fake, ["eks", "update-nodegroup-config", "--cluster-name", CLUSTER,
                            "--nodegroup-name", "spot", "--scaling-config", "desiredSize=3"])
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.nodegroup("spot")["scalingConfig"]["desiredSize"], 3)

    def test_3_public_endpoint_opened_to_the_world_is_closed_again(self):
        aws_cli(self.fake, ["eks", "update-cluster-config", "--name", CLUSTER,
                            "--resources-vpc-config", "publicAccessCidrs=0.0.0.0/0"])
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("eks.cluster.main", p.stdout)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        vpc = self.eks.describe_cluster(name=CLUSTER)["cluster"]["resourcesVpcConfig"]
        self.assertEqual(vpc["publicAccessCidrs"], ["203.0.113.0/24"])
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
