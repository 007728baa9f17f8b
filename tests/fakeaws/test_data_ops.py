"""The data tier's operations: RDS pending modifications and automated
backup replication, ElastiCache cluster mode and parameter groups, Secrets
Manager resource policies and rotation."""
import json
import unittest

from harness import FakeTestCase


class DataOpsTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.rds = self.fake.client('rds')
        self.ec = self.fake.client('elasticache')
        self.sm = self.fake.client('secretsmanager')

    def test_modify_without_apply_immediately_is_pending_and_replication_needs_available(self):
        db = self.rds.create_db_instance(DBInstanceIdentifier='db', DBInstanceClass='db.t3.medium', Engine='postgres',
                                         MasterUsername='u', MasterUserPassword='not-a-real-pass',
                                         AllocatedStorage=20, StorageEncrypted=True, KmsKeyId='k',
                                         EnablePerformanceInsights=True,
                                         EnableCloudwatchLogsExports=['postgresql'])['DBInstance']
        self.assertEqual((db['PerformanceInsightsEnabled'], db['EnabledCloudwatchLogsExports']), (True, ['postgresql']))
        self.assertAwsError('InvalidDBInstanceState', self.rds.start_db_instance_automated_backups_replication,
                            SourceDBInstanceArn=db['DBInstanceArn'], KmsKeyId='k2')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        got = self.rds.modify_db_instance(DBInstanceIdentifier='db', MultiAZ=True, BackupRetentionPeriod=7,
                                          CloudwatchLogsExportConfiguration={'EnableLogTypes': ['upgrade']})
        got = got['DBInstance']
        self.assertEqual((got['MultiAZ'], got['PendingModifiedValues'], got['BackupRetentionPeriod']),
                         (False, {'MultiAZ': True}, 7))
        self.assertEqual(got['EnabledCloudwatchLogsExports'], ['postgresql', 'upgrade'])
        got = self.rds.modify_db_instance(DBInstanceIdentifier='db', MultiAZ=True, ApplyImmediately=True)
        self.assertTrue(got['DBInstance']['MultiAZ'])
        rep = self.rds.start_db_instance_automated_backups_replication(
            SourceDBInstanceArn=db['DBInstanceArn'], KmsKeyId='k2', BackupRetentionPeriod=7)
        self.assertEqual(rep['DBInstanceAutomatedBackup']['Status'], 'replicating')
        listed = self.rds.describe_db_instance_automated_backups()['DBInstanceAutomatedBackups']
        self.assertEqual([b['DBInstanceArn'] for b in listed], [db['DBInstanceArn']])
        self.rds.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=db['DBInstanceArn'])
        self.assertEqual(self.rds.describe_db_instance_automated_backups()['DBInstanceAutomatedBackups'], [])

    def test_cluster_mode_replication_group_with_parameter_group(self):
        self.ec.create_cache_parameter_group(CacheParameterGroupName='PG', CacheParameterGroupFamily='redis7',
                                             Description='d')
        self.ec.modify_cache_parameter_group(CacheParameterGroupName='pg', ParameterNameValues=[
            {'ParameterName': 'cluster-enabled', 'ParameterValue': 'yes'}])
        params = self.ec.describe_cache_parameters(CacheParameterGroupName='pg', Source='user')['Parameters']
        self.assertEqual([(p['ParameterName'], p['ParameterValue']) for p in params], [('cluster-enabled', 'yes')])
        self.assertEqual(self.ec.describe_cache_parameter_groups()['CacheParameterGroups'][0]
                         ['CacheParameterGroupName'], 'pg')
        self.assertAwsError('InvalidParameterCombination', self.ec.create_replication_group, ReplicationGroupId='r',
                            ReplicationGroupDescription='d', NumNodeGroups=2, ReplicasPerNodeGroup=1)
        rg = self.ec.create_replication_group(
            ReplicationGroupId='R', ReplicationGroupDescription='d', CacheParameterGroupName='pg', NumNodeGroups=2,
            ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True, TransitEncryptionEnabled=True,
            AuthToken='not-a-real-token-123')['ReplicationGroup']
        self.assertEqual((rg['ClusterEnabled'], len(rg['NodeGroups']), len(rg['NodeGroups'][0]['NodeGroupMembers']),
                          rg['AuthTokenEnabled']), (True, 2, 2, True))
        self.assertNotIn('not-a-real-token-123', json.dumps(rg, default=str))
        self.assertAwsError('InvalidCacheParameterGroupState', self.ec.delete_cache_parameter_group,
                            CacheParameterGroupName='pg')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        got = self.ec.modify_replication_group(ReplicationGroupId='r', MultiAZEnabled=True, SnapshotWindow='01:00-02:00',
                                               ApplyImmediately=True)['ReplicationGroup']
        self.assertEqual((got['MultiAZ'], got['SnapshotWindow']), ('enabled', '01:00-02:00'))
        # ElastiCache API Reference, ModifyReplicationGroup: ROTATE keeps the
        # old token with the new one; SET only after ROTATE; AWS never
        # returns a token.
        tokens = lambda: self.fake.control('GET', '/_fake/state')['resources']['ec_repl_group']['r']['_auth_tokens']
        self.assertEqual(tokens(), ['not-a-real-token-123'])
        self.assertAwsError('InvalidParameterCombination', self.ec.modify_replication_group,
                            ReplicationGroupId='r', AuthToken='second-token-456789', AuthTokenUpdateStrategy='SET',
                            ApplyImmediately=True)
        got = self.ec.modify_replication_group(ReplicationGroupId='r', AuthToken='second-token-456789',
                                               AuthTokenUpdateStrategy='ROTATE', ApplyImmediately=True)
        self.assertNotIn('second-token-456789', json.dumps(got, default=str))
        self.assertEqual(tokens(), ['not-a-real-token-123', 'second-token-456789'])
        self.ec.modify_replication_group(ReplicationGroupId='r', AuthToken='second-token-456789',
                                         AuthTokenUpdateStrategy='SET', ApplyImmediately=True)
        self.assertEqual(tokens(), ['second-token-456789'])

    def test_secret_policy_and_rotation(self):
        self.sm.create_secret(Name='s')
        self.assertNotIn('ResourcePolicy', self.sm.get_resource_policy(SecretId='s'))
        public = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': '*',
                                                          'Action': 'secretsmanager:GetSecretValue', 'Resource': '*'}]}
        self.assertAwsError('PublicPolicyException', self.sm.put_resource_policy, SecretId='s',
                            ResourcePolicy=json.dumps(public))
        deny = dict(public, Statement=[dict(public['Statement'][0], Effect='Deny')])
        self.sm.put_resource_policy(SecretId='s', ResourcePolicy=json.dumps(deny))
        self.assertEqual(json.loads(self.sm.get_resource_policy(SecretId='s')['ResourcePolicy']), deny)
        self.sm.delete_resource_policy(SecretId='s')
        self.assertNotIn('ResourcePolicy', self.sm.get_resource_policy(SecretId='s'))
        self.assertAwsError('InvalidRequestException', self.sm.rotate_secret, SecretId='s')
        self.sm.rotate_secret(SecretId='s', RotationLambdaARN='arn:aws:lambda:us-east-1:123456789012:function:rot',
                              RotationRules={'AutomaticallyAfterDays': 30}, RotateImmediately=False)
        got = self.sm.describe_secret(SecretId='s')
        self.assertEqual((got['RotationEnabled'], got['RotationRules']['AutomaticallyAfterDays']), (True, 30))
        self.sm.cancel_rotate_secret(SecretId='s')
        self.assertFalse(self.sm.describe_secret(SecretId='s')['RotationEnabled'])


if __name__ == '__main__':
    unittest.main()
