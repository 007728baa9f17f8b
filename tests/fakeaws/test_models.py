"""The fake's service models (models/, written by gen-models from AWS's
current models): what they hold, that they are what gen-models wrote, and
that the fake and boto3 accept what AWS has added since Debian's botocore
1.29 (EKS AL2023 AMI types, SQS over JSON).

Where AWS's models are (../shared/aws-models), gen-models --check
regenerates and compares every file; where they are not, the MANIFEST's
recorded sha256 of each output and of the operations list are checked,
and a note on stderr says the models were not compared."""
import hashlib
import json
import os
import subprocess
import sys
import unittest

import botocore.loaders
import botocore.session

from harness import FakeTestCase, HERE
import resources

MODELS = os.path.join(HERE, 'models')
ROOT = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(HERE, 'gen-models')
# Twelve times smaller than the untrimmed models of these services; a
# documentation string or an unreached shape slipping in shows here.
MAX_BYTES = 1200 * 1024


def manifest():
    out = {}
    with open(os.path.join(MODELS, 'MANIFEST')) as f:
        for line in f:
            if not line.startswith('#'):
                kind, name, digest = line.split()
                out[(kind, name)] = digest
    return out


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def service_model(service):
    loader = botocore.loaders.Loader(extra_search_paths=[MODELS], include_default_search_paths=False)
    return loader.load_service_model(service, 'service-2')


class ModelFilesTest(unittest.TestCase):
    def test_every_operation_the_fake_implements_is_in_its_models(self):
        for service, op in resources.build_handlers(None):
            with self.subTest(service=service, op=op):
                self.assertIn(op, service_model(service)['operations'])

    def test_every_operation_driftd_calls_is_in_the_fakes_models(self):
        with open(os.path.join(ROOT, 'contrib', 'model-ops.txt')) as f:
            for line in f:
                words = line.split('#', 1)[0].split()
                for op in words[1:]:
                    self.assertIn(op, service_model(words[0])['operations'])

    def test_models_are_trimmed_and_small(self):
        total = 0
        for dirpath, _, names in os.walk(MODELS):
            for n in names:
                path = os.path.join(dirpath, n)
                total += os.path.getsize(path)
                if n == 'service-2.json':
                    with open(path) as f:
                        text = f.read()
                    self.assertNotIn('"documentation":"<', text, path)
        self.assertLess(total, MAX_BYTES)
        ec2 = service_model('ec2')
        self.assertNotIn('RunInstances', ec2['operations'])
        self.assertNotIn('RunInstancesRequest', ec2['shapes'])

    def test_models_are_what_gen_models_wrote(self):
        rec = manifest()
        outputs = {n for k, n in rec if k == 'output'}
        self.assertIn('eks/2017-11-01/service-2.json', outputs)
        for name in outputs:
            self.assertEqual(rec[('output', name)], sha256(os.path.join(MODELS, name)),
                             '%s was edited by hand' % name)
        for name in ('contrib/model-ops.txt', 'tests/fakeaws/gen-models'):
            self.assertEqual(rec[('input', name)], sha256(os.path.join(ROOT, name)),
                             '%s changed since models/ was generated' % name)
        where = subprocess.run([sys.executable, os.path.join(ROOT, 'contrib', 'gen-model'), '--where'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if where.returncode != 0:
            sys.stderr.write("\nNOTE: AWS's models (../shared/aws-models) are absent: the fake's "
                             "models checked against MANIFEST only, not regenerated\n")
            return
        p = subprocess.run([sys.executable, GEN, '--check', MODELS], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=300,
                           env=dict(os.environ, MODEL_PATH=where.stdout.strip()))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_cloudwatch_keeps_the_query_protocol_driftd_speaks(self):
        meta = service_model('cloudwatch')['metadata']
        self.assertEqual((meta['protocol'], meta['protocols']), ('query', ['query']))


class CurrentModelsTest(FakeTestCase):
    def test_eks_node_group_with_an_al2023_ami_type_is_accepted(self):
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.%d.0/24' % i,
                                     AvailabilityZone='us-east-1' + az)['Subnet']['SubnetId']
                   for i, az in ((1, 'a'), (2, 'b'))]
        eks = self.fake.client('eks')
        eks.create_cluster(name='c', roleArn='arn:aws:iam::123456789012:role/eks',
                           resourcesVpcConfig={'subnetIds': subnets})
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        ng = dict(clusterName='c', nodegroupName='ng', subnets=subnets, nodeRole='arn:aws:iam::1:role/n',
                  scalingConfig={'minSize': 1, 'maxSize': 3, 'desiredSize': 2}, instanceTypes=['t3.large'])
        got = eks.create_nodegroup(amiType='AL2023_x86_64_STANDARD', **ng)['nodegroup']
        self.assertEqual(got['amiType'], 'AL2023_x86_64_STANDARD')
        # Still a validating fake: a value no model has is refused.
        eks_raw = self.fake.client('eks', validate=False)
        resp = self.assertAwsError('ValidationException', eks_raw.create_nodegroup,
                                   amiType='AL2023_x86_64_STANDRD', **dict(ng, nodegroupName='ng2'))
        self.assertIn('amiType', resp['Error']['Message'])


if __name__ == '__main__':
    unittest.main()
