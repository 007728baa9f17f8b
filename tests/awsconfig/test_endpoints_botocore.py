"""Default endpoints, signing regions, region and CA bundle resolution
(lib/endpoints.c, through tests/tools/endpoint_resolve) against botocore's
endpoint resolver as an oracle. botocore 1.29 predates AWS_ENDPOINT_URL, so
configured endpoints are pinned by tests/test_endpoints.c instead."""
import json
import os
import subprocess
import tempfile
import unittest

import botocore.exceptions
import botocore.session

TOOL = os.path.join(os.environ.get("DRIFTD_BUILD", "../../build"),
                    "tests", "tools", "endpoint_resolve")

# botocore name -> endpoint_resolve arguments (as services.c would say).
SERVICES = {
    "ec2": ["ec2", "ec2", "EC2", "ec2"],
    "elbv2": ["elbv2", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2",
              "elastic_load_balancing_v2"],
    "rds": ["rds", "rds", "RDS", "rds"],
    "sts": ["sts", "sts", "STS", "sts"],
    "iam": ["iam", "iam", "IAM", "iam", "iam.amazonaws.com", "us-east-1"],
    "route53": ["route53", "route53", "ROUTE_53", "route_53",
                "route53.amazonaws.com", "us-east-1"],
}
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1",
           "cn-northwest-1", "us-gov-west-1", "us-gov-east-1"]


class EndpointsAgainstBotocore(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_")}
        self.env.update(HOME=self.dir.name,
                        AWS_CONFIG_FILE=os.path.join(self.dir.name, "config"),
                        AWS_STS_REGIONAL_ENDPOINTS="regional")

    def tearDown(self):
        self.dir.cleanup()

    def ours(self, svc):
        p = subprocess.run([TOOL] + SERVICES[svc], env=self.env,
                           stdout=subprocess.PIPE, text=True)
        return json.loads(p.stdout)

    def botocore(self, svc):
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            session = botocore.session.Session()
            client = session.create_client(svc, aws_access_key_id="a",
                                           aws_secret_access_key="b")
            return (client._endpoint.host, client._request_signer._region_name,
                    session.get_config_variable("ca_bundle"))
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def test_default_endpoints_match_in_every_partition(self):
        for region in REGIONS:
            self.env["AWS_DEFAULT_REGION"] = region
            for svc in SERVICES:
                with self.subTest(svc=svc, region=region):
                    host, signing, _ = self.botocore(svc)
                    got = self.ours(svc)
                    self.assertEqual((got["url"], got["signing_region"]),
                                     (host, signing))

    def test_services_table_endpoints_match(self):
        """Every row of services.c that botocore 1.29 knows."""
        names = subprocess.run([TOOL, "--list"], stdout=subprocess.PIPE,
                               text=True, check=True).stdout.split()
        self.env["AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"] = "regional"
        known = set(botocore.session.Session().get_available_services())
        compared = 0
        for region in REGIONS:
            self.env["AWS_DEFAULT_REGION"] = region
            for name in names:
                if name not in known:
                    continue
                with self.subTest(svc=name, region=region):
                    try:
                        host, signing, _ = self.botocore(name)
                    except botocore.exceptions.UnknownEndpointError:
                        continue
                    p = subprocess.run([TOOL, "--service", name], env=self.env,
                                       stdout=subprocess.PIPE, text=True)
                    got = json.loads(p.stdout)
                    self.assertEqual((got["url"], got["signing_region"]),
                                     (host, signing))
                    compared += 1
        self.assertGreater(compared, 40)

    def test_profile_region_and_ca_bundle_match(self):
        with open(self.env["AWS_CONFIG_FILE"], "w") as f:
            f.write("[default]\nregion = eu-north-1\n[profile x]\n"
                    "region = cn-north-1\nca_bundle = /etc/x-ca.pem\n")
        for profile, ca_env in (("default", None), ("x", None),
                                ("x", "/tmp/env-ca.pem")):
            self.env["AWS_PROFILE"] = profile
            self.env.pop("AWS_CA_BUNDLE", None)
            if ca_env:
                self.env["AWS_CA_BUNDLE"] = ca_env
            with self.subTest(profile=profile, ca_env=ca_env):
                host, signing, ca = self.botocore("ec2")
                got = self.ours("ec2")
                self.assertEqual((got["url"], got["signing_region"],
                                  got["ca_bundle"] or None), (host, signing, ca))


if __name__ == "__main__":
    unittest.main()
