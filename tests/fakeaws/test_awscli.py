"""awscli v2 (/usr/bin/aws) against the fake, exactly as an operator would
run it against AWS."""
import json
import os
import subprocess
import unittest

from harness import FakeServer, AKID, SECRET

AWS = '/usr/bin/aws'


class AwsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakeServer().start()
        cls.env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_EC2_METADATA_DISABLED='true',
                       AWS_DEFAULT_REGION='us-east-1', AWS_PAGER='', AWS_CONFIG_FILE='/dev/null',
                       AWS_SHARED_CREDENTIALS_FILE='/dev/null')
        cls.env.pop('AWS_SESSION_TOKEN', None)
        cls.env.pop('AWS_PROFILE', None)

    @classmethod
    def tearDownClass(cls):
        cls.fake.cleanup()

    def aws(self, *args):
        p = subprocess.run([AWS, '--endpoint-url', self.fake.url, '--region', 'us-east-1', '--output', 'json'] + list(args),
                           env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def test_ec2_create_and_describe_vpcs(self):
        vpc = self.aws('ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16')['Vpc']
        vpcs = self.aws('ec2', 'describe-vpcs')['Vpcs']
        self.assertIn(vpc['VpcId'], [v['VpcId'] for v in vpcs])

    def test_rds_describe_db_instances(self):
        self.assertEqual(self.aws('rds', 'describe-db-instances'), {'DBInstances': []})

    def test_sns_create_topic_and_publish(self):
        arn = self.aws('sns', 'create-topic', '--name', 'cli')['TopicArn']
        mid = self.aws('sns', 'publish', '--topic-arn', arn, '--message', 'hello from awscli')['MessageId']
        pub = self.fake.control('GET', '/_fake/published')['sns']
        self.assertIn((mid, 'hello from awscli'), [(m['MessageId'], m['Message']) for m in pub])


if __name__ == '__main__':
    unittest.main()
