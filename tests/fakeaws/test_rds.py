"""RDS subnet groups, parameter groups and instances, with the
creating -> available lifecycle on the fake clock."""
import json
import unittest

from harness import FakeTestCase


class RdsTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.rds = self.fake.client('rds')
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        self.subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.%d.0/24' % i,
                                          AvailabilityZone='us-east-1' + az)['Subnet']['SubnetId']
                        for i, az in ((1, 'a'), (2, 'b'))]

    def _instance(self, ident='db1', **kw):
        return self.rds.create_db_instance(DBInstanceIdentifier=ident, DBInstanceClass='db.t3.micro', Engine='postgres',
                                           MasterUsername='admin', MasterUserPassword='not-a-real-pass',
                                           AllocatedStorage=20, **kw)['DBInstance']

    def test_subnet_group_round_trip(self):
        sg = self.rds.create_db_subnet_group(DBSubnetGroupName='main', DBSubnetGroupDescription='d',
                                             SubnetIds=self.subnets)['DBSubnetGroup']
        self.assertEqual(sg['DBSubnetGroupArn'], 'arn:aws:rds:us-east-1:123456789012:subgrp:main')
        self.assertEqual(len(sg['Subnets']), 2)
        self.assertAwsError('DBSubnetGroupAlreadyExists', self.rds.create_db_subnet_group, DBSubnetGroupName='main',
                            DBSubnetGroupDescription='d', SubnetIds=self.subnets)
        self.assertAwsError('DBSubnetGroupDoesNotCoverEnoughAZs', self.rds.create_db_subnet_group,
                            DBSubnetGroupName='one', DBSubnetGroupDescription='d', SubnetIds=self.subnets[:1])
        got = self.rds.describe_db_subnet_groups(DBSubnetGroupName='main')['DBSubnetGroups']
        self.assertEqual(got[0]['SubnetGroupStatus'], 'Complete')
        self._instance(DBSubnetGroupName='main')
        self.assertAwsError('InvalidDBSubnetGroupStateFault', self.rds.delete_db_subnet_group, DBSubnetGroupName='main')

    def test_parameter_group_round_trip(self):
        self.rds.create_db_parameter_group(DBParameterGroupName='pg', DBParameterGroupFamily='postgres15',
                                           Description='d')
        self.rds.modify_db_parameter_group(DBParameterGroupName='pg', Parameters=[
            {'ParameterName': 'log_min_duration_statement', 'ParameterValue': '500', 'ApplyMethod': 'immediate'}])
        params = self.rds.describe_db_parameters(DBParameterGroupName='pg')['Parameters']
        self.assertEqual([(p['ParameterName'], p['ParameterValue']) for p in params],
                         [('log_min_duration_statement', '500')])
        self.assertEqual(self.rds.describe_db_parameter_groups()['DBParameterGroups'][0]['DBParameterGroupFamily'],
                         'postgres15')
        self.rds.delete_db_parameter_group(DBParameterGroupName='pg')
        self.assertAwsError('DBParameterGroupNotFound', self.rds.describe_db_parameter_groups,
                            DBParameterGroupName='pg')

    def test_instance_lifecycle_modify_tag_delete(self):
        db = self._instance(Tags=[{'Key': 'a', 'Value': '1'}])
        self.assertEqual(db['DBInstanceStatus'], 'creating')
        self.assertNotIn('Endpoint', db)
        self.assertAwsError('DBInstanceAlreadyExists', self._instance)
        self.assertAwsError('InvalidDBInstanceState', self.rds.modify_db_instance, DBInstanceIdentifier='db1',
                            AllocatedStorage=50)
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        got = self.rds.describe_db_instances(DBInstanceIdentifier='db1')['DBInstances'][0]
        self.assertEqual(got['DBInstanceStatus'], 'available')
        self.assertTrue(got['Endpoint']['Address'].startswith('db1.'))
        self.rds.modify_db_instance(DBInstanceIdentifier='db1', AllocatedStorage=50, ApplyImmediately=True)
        self.assertEqual(self.rds.describe_db_instances()['DBInstances'][0]['AllocatedStorage'], 50)
        arn = got['DBInstanceArn']
        self.rds.add_tags_to_resource(ResourceName=arn, Tags=[{'Key': 'b', 'Value': '2'}])
        self.rds.remove_tags_from_resource(ResourceName=arn, TagKeys=['a'])
        self.assertEqual(self.rds.list_tags_for_resource(ResourceName=arn)['TagList'], [{'Key': 'b', 'Value': '2'}])
        self.assertAwsError('InvalidParameterCombination', self.rds.delete_db_instance, DBInstanceIdentifier='db1')
        out = self.rds.delete_db_instance(DBInstanceIdentifier='db1', SkipFinalSnapshot=True)['DBInstance']
        self.assertEqual(out['DBInstanceStatus'], 'deleting')
        self.assertAwsError('DBInstanceNotFound', self.rds.describe_db_instances, DBInstanceIdentifier='db1')

    def test_a_managed_master_password_lives_in_a_secret_of_rds(self):
        # Newer than Debian's botocore: AWS's current model (models/rds)
        # is on the client's and the fake's data path.
        db = self.rds.create_db_instance(DBInstanceIdentifier='m1', DBInstanceClass='db.t3.micro',
                                         Engine='postgres', MasterUsername='admin', AllocatedStorage=20,
                                         ManageMasterUserPassword=True,
                                         MasterUserSecretKmsKeyId='arn:aws:kms:us-east-1:123456789012:key/k1'
                                         )['DBInstance']
        secret = db['MasterUserSecret']
        self.assertEqual((secret['SecretStatus'], secret['KmsKeyId']),
                         ('active', 'arn:aws:kms:us-east-1:123456789012:key/k1'))
        sm = self.fake.client('secretsmanager')
        meta = sm.describe_secret(SecretId=secret['SecretArn'])
        self.assertRegex(meta['Name'], r'^rds!db-[0-9a-f-]{36}$')
        self.assertEqual(meta['KmsKeyId'], secret['KmsKeyId'])
        value = json.loads(sm.get_secret_value(SecretId=secret['SecretArn'])['SecretString'])
        self.assertEqual(value['username'], 'admin')
        self.assertGreaterEqual(len(value['password']), 16)
        got = self.rds.describe_db_instances(DBInstanceIdentifier='m1')['DBInstances'][0]
        self.assertEqual(got['MasterUserSecret']['SecretArn'], secret['SecretArn'])

    def test_master_password_rules(self):
        kw = dict(DBInstanceClass='db.t3.micro', Engine='postgres', MasterUsername='admin', AllocatedStorage=20)
        self.assertAwsError('InvalidParameterValue', self.rds.create_db_instance, DBInstanceIdentifier='p1', **kw)
        self.assertAwsError('InvalidParameterCombination', self.rds.create_db_instance, DBInstanceIdentifier='p1',
                            ManageMasterUserPassword=True, MasterUserPassword='not-a-real-pass', **kw)
        # Turned on in place, then off again with a new password.
        self._instance('p1')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        db = self.rds.modify_db_instance(DBInstanceIdentifier='p1', ManageMasterUserPassword=True,
                                         ApplyImmediately=True)['DBInstance']
        arn = db['MasterUserSecret']['SecretArn']
        sm = self.fake.client('secretsmanager')
        self.assertTrue(sm.describe_secret(SecretId=arn)['Name'].startswith('rds!db-'))
        self.assertAwsError('InvalidParameterCombination', self.rds.modify_db_instance, DBInstanceIdentifier='p1',
                            ManageMasterUserPassword=False)
        db = self.rds.modify_db_instance(DBInstanceIdentifier='p1', ManageMasterUserPassword=False,
                                         MasterUserPassword='another-pass-1', ApplyImmediately=True)['DBInstance']
        self.assertNotIn('MasterUserSecret', db)
        self.assertAwsError('ResourceNotFoundException', sm.describe_secret, SecretId=arn)

    def test_describe_instances_paginates_with_marker(self):
        for i in range(6):
            self._instance('db%d' % i)
        self.assertIn('Marker', self.rds.describe_db_instances())
        ids = [d['DBInstanceIdentifier'] for p in self.rds.get_paginator('describe_db_instances').paginate()
               for d in p['DBInstances']]
        self.assertEqual(sorted(ids), ['db%d' % i for i in range(6)])


if __name__ == '__main__':
    unittest.main()
