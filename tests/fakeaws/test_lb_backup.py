"""ELBv2 and AWS Backup round trips."""
import json
import unittest

from harness import FakeTestCase


class Elbv2Test(FakeTestCase):
    def setUp(self):
        super().setUp()
        ec2 = self.fake.client('ec2')
        self.vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        self.subnets = [ec2.create_subnet(VpcId=self.vpc, CidrBlock='10.0.%d.0/24' % i,
                                          AvailabilityZone='us-east-1' + az)['Subnet']['SubnetId']
                        for i, az in ((1, 'a'), (2, 'b'))]
        self.elb = self.fake.client('elbv2')

    def test_load_balancer_target_group_listener(self):
        lb = self.elb.create_load_balancer(Name='web', Subnets=self.subnets,
                                           Tags=[{'Key': 'a', 'Value': '1'}])['LoadBalancers'][0]
        self.assertEqual(lb['State']['Code'], 'provisioning')
        self.assertIn(':loadbalancer/app/web/', lb['LoadBalancerArn'])
        self.assertAwsError('DuplicateLoadBalancerName', self.elb.create_load_balancer, Name='web', Subnets=self.subnets)
        self.assertAwsError('InvalidConfigurationRequest', self.elb.create_load_balancer, Name='one',
                            Subnets=self.subnets[:1])
        tg = self.elb.create_target_group(Name='web', Protocol='HTTP', Port=80, VpcId=self.vpc,
                                          HealthCheckPath='/health')['TargetGroups'][0]
        listener = self.elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTP', Port=80,
                                            DefaultActions=[{'Type': 'forward', 'TargetGroupArn': tg['TargetGroupArn']}])
        larn = listener['Listeners'][0]['ListenerArn']
        self.assertAwsError('DuplicateListener', self.elb.create_listener, LoadBalancerArn=lb['LoadBalancerArn'],
                            Protocol='HTTP', Port=80, DefaultActions=[{'Type': 'forward',
                                                                       'TargetGroupArn': tg['TargetGroupArn']}])
        self.assertAwsError('CertificateNotFound', self.elb.create_listener, LoadBalancerArn=lb['LoadBalancerArn'],
                            Protocol='HTTPS', Port=443, DefaultActions=[{'Type': 'forward',
                                                                         'TargetGroupArn': tg['TargetGroupArn']}])
        got = self.elb.describe_target_groups(LoadBalancerArn=lb['LoadBalancerArn'])['TargetGroups']
        self.assertEqual([t['LoadBalancerArns'] for t in got], [[lb['LoadBalancerArn']]])
        self.assertAwsError('ResourceInUse', self.elb.delete_target_group, TargetGroupArn=tg['TargetGroupArn'])
        self.elb.modify_listener(ListenerArn=larn, Port=8080)
        self.assertEqual(self.elb.describe_listeners(LoadBalancerArn=lb['LoadBalancerArn'])['Listeners'][0]['Port'], 8080)
        self.elb.modify_load_balancer_attributes(LoadBalancerArn=lb['LoadBalancerArn'], Attributes=[
            {'Key': 'idle_timeout.timeout_seconds', 'Value': '120'}])
        attrs = self.elb.describe_load_balancer_attributes(LoadBalancerArn=lb['LoadBalancerArn'])['Attributes']
        self.assertIn({'Key': 'idle_timeout.timeout_seconds', 'Value': '120'}, attrs)
        self.elb.add_tags(ResourceArns=[tg['TargetGroupArn']], Tags=[{'Key': 'b', 'Value': '2'}])
        tags = self.elb.describe_tags(ResourceArns=[lb['LoadBalancerArn'], tg['TargetGroupArn']])['TagDescriptions']
        self.assertEqual([t['Tags'] for t in tags], [[{'Key': 'a', 'Value': '1'}], [{'Key': 'b', 'Value': '2'}]])
        self.elb.register_targets(TargetGroupArn=tg['TargetGroupArn'], Targets=[{'Id': '10.0.1.10', 'Port': 80}])
        health = self.elb.describe_target_health(TargetGroupArn=tg['TargetGroupArn'])['TargetHealthDescriptions']
        self.assertEqual(health[0]['Target']['Id'], '10.0.1.10')
        self.fake.control('POST', '/_fake/clock', {'advance': 120})
        self.assertEqual(self.elb.describe_load_balancers(Names=['web'])['LoadBalancers'][0]['State']['Code'], 'active')
        self.elb.delete_load_balancer(LoadBalancerArn=lb['LoadBalancerArn'])
        self.elb.delete_target_group(TargetGroupArn=tg['TargetGroupArn'])
        self.assertAwsError('LoadBalancerNotFound', self.elb.describe_load_balancers, Names=['web'])

    def test_rules_actions_and_lb_sets_answer_as_aws(self):
        lb = self.elb.create_load_balancer(Name='web', Subnets=self.subnets)['LoadBalancers'][0]
        lb_arn = lb['LoadBalancerArn']
        ec2 = self.fake.client('ec2')
        sg = ec2.create_security_group(GroupName='alb', Description='alb', VpcId=self.vpc)['GroupId']
        self.elb.set_security_groups(LoadBalancerArn=lb_arn, SecurityGroups=[sg])
        self.elb.set_subnets(LoadBalancerArn=lb_arn, Subnets=list(reversed(self.subnets)))
        got = self.elb.describe_load_balancers(LoadBalancerArns=[lb_arn])['LoadBalancers'][0]
        self.assertEqual((got['SecurityGroups'], {z['SubnetId'] for z in got['AvailabilityZones']}),
                         ([sg], set(self.subnets)))
        self.assertAwsError('InvalidConfigurationRequest', self.elb.set_subnets, LoadBalancerArn=lb_arn,
                            Subnets=self.subnets[:1])
        tg = self.elb.create_target_group(Name='api', Protocol='HTTP', Port=8080, VpcId=self.vpc,
                                          TargetType='ip')['TargetGroups'][0]['TargetGroupArn']
        http = self.elb.create_listener(LoadBalancerArn=lb_arn, Protocol='HTTP', Port=80, DefaultActions=[
            {'Type': 'redirect', 'RedirectConfig': {'Protocol': 'HTTPS', 'Port': '443',
                                                    'StatusCode': 'HTTP_301'}}])['Listeners'][0]
        self.assertEqual(http['DefaultActions'][0]['RedirectConfig'],
                         {'Protocol': 'HTTPS', 'Port': '443', 'Host': '#{host}', 'Path': '/#{path}',
                          'Query': '#{query}', 'StatusCode': 'HTTP_301'})
        larn = http['ListenerArn']
        rule = self.elb.create_rule(ListenerArn=larn, Priority=10, Conditions=[
            {'Field': 'host-header', 'HostHeaderConfig': {'Values': ['api.example.com']}}],
            Actions=[{'Type': 'forward', 'TargetGroupArn': tg}])['Rules'][0]
        self.assertIn(':listener-rule/app/web/', rule['RuleArn'])
        self.assertEqual(rule['Conditions'][0]['Values'], ['api.example.com'])
        self.assertEqual(rule['Actions'][0]['ForwardConfig']['TargetGroups'], [{'TargetGroupArn': tg, 'Weight': 1}])
        self.assertAwsError('PriorityInUse', self.elb.create_rule, ListenerArn=larn, Priority=10, Conditions=[
            {'Field': 'path-pattern', 'Values': ['/x']}], Actions=[{'Type': 'forward', 'TargetGroupArn': tg}])
        self.elb.modify_rule(RuleArn=rule['RuleArn'], Conditions=[
            {'Field': 'host-header', 'HostHeaderConfig': {'Values': ['evil.example.com']}}])
        self.elb.set_rule_priorities(RulePriorities=[{'RuleArn': rule['RuleArn'], 'Priority': 20}])
        rules = self.elb.describe_rules(ListenerArn=larn)['Rules']
        self.assertEqual([(r['Priority'], r['IsDefault']) for r in rules], [('20', False), ('default', True)])
        self.assertEqual(rules[0]['Conditions'][0]['HostHeaderConfig']['Values'], ['evil.example.com'])
        self.elb.add_tags(ResourceArns=[rule['RuleArn']], Tags=[{'Key': 'k', 'Value': 'v'}])
        self.assertEqual(self.elb.describe_tags(ResourceArns=[rule['RuleArn']])['TagDescriptions'][0]['Tags'],
                         [{'Key': 'k', 'Value': 'v'}])
        self.elb.delete_rule(RuleArn=rule['RuleArn'])
        self.assertAwsError('RuleNotFound', self.elb.describe_rules, RuleArns=[rule['RuleArn']])

    def test_oidc_client_secret_is_write_only(self):
        """ELBv2 API reference, AuthenticateOidcActionConfig: ClientSecret
        is required at create, may be omitted on modify with
        UseExistingClientSecret true; DescribeListeners and DescribeRules
        never return it."""
        lb_arn = self.elb.create_load_balancer(Name='web', Subnets=self.subnets)['LoadBalancers'][0]['LoadBalancerArn']

        def oidc(secret=None, keep=None, issuer='https://idp.example.com'):
            c = {'Issuer': issuer, 'ClientId': 'shop', 'AuthorizationEndpoint': issuer + '/a',
                 'TokenEndpoint': issuer + '/t', 'UserInfoEndpoint': issuer + '/u'}
            if secret is not None:
                c['ClientSecret'] = secret
            if keep is not None:
                c['UseExistingClientSecret'] = keep
            return [{'Type': 'authenticate-oidc', 'Order': 1, 'AuthenticateOidcConfig': c},
                    {'Type': 'fixed-response', 'Order': 2,
                     'FixedResponseConfig': {'StatusCode': '200'}}]

        def stored(table):
            recs = self.fake.control('GET', '/_fake/state')['resources'][table].values()
            key = 'DefaultActions' if table == 'elb_listener' else 'Actions'
            return [r[key][0]['AuthenticateOidcConfig'].get('_ClientSecret') for r in recs]

        self.assertAwsError('ValidationError', self.elb.create_listener, LoadBalancerArn=lb_arn,
                            Protocol='HTTP', Port=80, DefaultActions=oidc())
        made = self.elb.create_listener(LoadBalancerArn=lb_arn, Protocol='HTTP', Port=80,
                                        DefaultActions=oidc('s1'))['Listeners'][0]
        larn = made['ListenerArn']
        answers = [made, self.elb.describe_listeners(ListenerArns=[larn])['Listeners'][0],
                   self.elb.describe_rules(ListenerArn=larn)['Rules'][0]]
        for a in answers:
            got = a.get('DefaultActions', a.get('Actions'))[0]['AuthenticateOidcConfig']
            self.assertNotIn('ClientSecret', got)
            self.assertNotIn('UseExistingClientSecret', got)
            self.assertEqual(got['ClientId'], 'shop')
        self.assertEqual(stored('elb_listener'), ['s1'])
        self.assertAwsError('ValidationError', self.elb.modify_listener, ListenerArn=larn,
                            DefaultActions=oidc(issuer='https://idp2.example.com'))
        self.elb.modify_listener(ListenerArn=larn, DefaultActions=oidc(keep=True,
                                                                      issuer='https://idp2.example.com'))
        self.assertEqual(stored('elb_listener'), ['s1'])
        self.elb.modify_listener(ListenerArn=larn, DefaultActions=oidc('s2'))
        self.assertEqual(stored('elb_listener'), ['s2'])
        rule = self.elb.create_rule(ListenerArn=larn, Priority=5, Actions=oidc('r1'), Conditions=[
            {'Field': 'path-pattern', 'Values': ['/x']}])['Rules'][0]
        self.assertNotIn('ClientSecret', rule['Actions'][0]['AuthenticateOidcConfig'])
        self.elb.modify_rule(RuleArn=rule['RuleArn'], Actions=oidc(keep=True))
        self.assertEqual(stored('elb_rule'), ['r1'])
        got = self.elb.describe_rules(RuleArns=[rule['RuleArn']])['Rules'][0]
        self.assertNotIn('ClientSecret', got['Actions'][0]['AuthenticateOidcConfig'])

    def test_access_logs_need_a_bucket_whose_policy_lets_elb_write(self):
        """AWS refuses the whole attribute change, deletion protection too,
        until the log bucket exists with a policy for the Region's ELB
        account (us-east-1: 127311923021)."""
        lb = self.elb.create_load_balancer(Name='logged', Subnets=self.subnets)['LoadBalancers'][0]
        change = [{'Key': 'deletion_protection.enabled', 'Value': 'true'},
                  {'Key': 'access_logs.s3.enabled', 'Value': 'true'},
                  {'Key': 'access_logs.s3.bucket', 'Value': 'lb-logs'}]
        arn = lb['LoadBalancerArn']

        def attrs():
            return {a['Key']: a['Value'] for a in
                    self.elb.describe_load_balancer_attributes(LoadBalancerArn=arn)['Attributes']}
        self.assertAwsError('InvalidConfigurationRequest', self.elb.modify_load_balancer_attributes,
                            LoadBalancerArn=arn, Attributes=change)
        s3 = self.fake.client('s3')
        s3.create_bucket(Bucket='lb-logs')
        self.assertAwsError('InvalidConfigurationRequest', self.elb.modify_load_balancer_attributes,
                            LoadBalancerArn=arn, Attributes=change)
        self.assertEqual(attrs()['deletion_protection.enabled'], 'false')
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::127311923021:root'},
            'Action': 's3:PutObject', 'Resource': 'arn:aws:s3:::lb-logs/AWSLogs/123456789012/*'}]})
        s3.put_bucket_policy(Bucket='lb-logs', Policy=policy)
        self.elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=change)
        self.assertEqual((attrs()['deletion_protection.enabled'], attrs()['access_logs.s3.enabled']),
                         ('true', 'true'))

    def test_describe_load_balancers_paginates(self):
        for i in range(6):
            self.elb.create_load_balancer(Name='lb%d' % i, Subnets=self.subnets)
        self.assertIn('NextMarker', self.elb.describe_load_balancers())
        names = [lb['LoadBalancerName'] for p in self.elb.get_paginator('describe_load_balancers').paginate()
                 for lb in p['LoadBalancers']]
        self.assertEqual(names, ['lb%d' % i for i in range(6)])


class BackupTest(FakeTestCase):
    def test_vault_plan_selection(self):
        b = self.fake.client('backup')
        vault = b.create_backup_vault(BackupVaultName='main', BackupVaultTags={'a': '1'})
        self.assertEqual(vault['BackupVaultArn'], 'arn:aws:backup:us-east-1:123456789012:backup-vault:main')
        self.assertAwsError('AlreadyExistsException', b.create_backup_vault, BackupVaultName='main')
        plan = {'BackupPlanName': 'daily', 'Rules': [{'RuleName': 'd', 'TargetBackupVaultName': 'main',
                                                      'ScheduleExpression': 'cron(0 3 * * ? *)',
                                                      'Lifecycle': {'DeleteAfterDays': 35}}]}
        created = b.create_backup_plan(BackupPlan=plan)
        pid = created['BackupPlanId']
        got = b.get_backup_plan(BackupPlanId=pid)
        self.assertEqual(got['BackupPlan']['Rules'][0]['Lifecycle'], {'DeleteAfterDays': 35})
        self.assertTrue(got['BackupPlan']['Rules'][0]['RuleId'])
        plan['Rules'][0]['Lifecycle'] = {'DeleteAfterDays': 90}
        updated = b.update_backup_plan(BackupPlanId=pid, BackupPlan=plan)
        self.assertNotEqual(updated['VersionId'], created['VersionId'])
        sel = b.create_backup_selection(BackupPlanId=pid, BackupSelection={
            'SelectionName': 'rds', 'IamRoleArn': 'arn:aws:iam::123456789012:role/backup',
            'Resources': ['arn:aws:rds:us-east-1:123456789012:db:db1']})['SelectionId']
        self.assertEqual(b.get_backup_selection(BackupPlanId=pid, SelectionId=sel)['BackupSelection']['SelectionName'],
                         'rds')
        self.assertAwsError('InvalidRequestException', b.delete_backup_plan, BackupPlanId=pid)
        self.assertAwsError('InvalidRequestException', b.delete_backup_vault, BackupVaultName='main')
        self.assertEqual(len(b.list_backup_selections(BackupPlanId=pid)['BackupSelectionsList']), 1)
        b.delete_backup_selection(BackupPlanId=pid, SelectionId=sel)
        self.assertEqual([p['BackupPlanName'] for p in b.list_backup_plans()['BackupPlansList']], ['daily'])
        b.delete_backup_plan(BackupPlanId=pid)
        b.delete_backup_vault(BackupVaultName='main')
        self.assertEqual(b.list_backup_vaults()['BackupVaultList'], [])
        self.assertAwsError('ResourceNotFoundException', b.describe_backup_vault, BackupVaultName='main')


class BucketConfigurationAndBackupTagsTest(FakeTestCase):
    def test_bucket_configurations_absent_then_set_then_deleted(self):
        s3 = self.fake.client('s3')
        s3.create_bucket(Bucket='cfg-bucket')
        for get, code in ((s3.get_bucket_encryption, 'ServerSideEncryptionConfigurationNotFoundError'),
                          (s3.get_public_access_block, 'NoSuchPublicAccessBlockConfiguration'),
                          (s3.get_bucket_lifecycle_configuration, 'NoSuchLifecycleConfiguration')):
            self.assertAwsError(code, get, Bucket='cfg-bucket')
        pab = {'BlockPublicAcls': True, 'IgnorePublicAcls': True, 'BlockPublicPolicy': True,
               'RestrictPublicBuckets': True}
        s3.put_public_access_block(Bucket='cfg-bucket', PublicAccessBlockConfiguration=pab)
        self.assertEqual(s3.get_public_access_block(Bucket='cfg-bucket')['PublicAccessBlockConfiguration'], pab)
        sse = {'Rules': [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'aws:kms',
                                                                 'KMSMasterKeyID': 'arn:aws:kms:us-east-1:1:key/k'},
                          'BucketKeyEnabled': True}]}
        s3.put_bucket_encryption(Bucket='cfg-bucket', ServerSideEncryptionConfiguration=sse)
        self.assertEqual(s3.get_bucket_encryption(Bucket='cfg-bucket')['ServerSideEncryptionConfiguration'], sse)
        rules = [{'ID': 'exports', 'Status': 'Enabled', 'Filter': {'Prefix': 'k8s/'},
                  'Transitions': [{'Days': 30, 'StorageClass': 'STANDARD_IA'}],
                  'Expiration': {'Days': 365}}]
        s3.put_bucket_lifecycle_configuration(Bucket='cfg-bucket', LifecycleConfiguration={'Rules': rules})
        self.assertEqual(s3.get_bucket_lifecycle_configuration(Bucket='cfg-bucket')['Rules'], rules)
        for delete, get, code in (
                (s3.delete_public_access_block, s3.get_public_access_block, 'NoSuchPublicAccessBlockConfiguration'),
                (s3.delete_bucket_encryption, s3.get_bucket_encryption,
                 'ServerSideEncryptionConfigurationNotFoundError'),
                (s3.delete_bucket_lifecycle, s3.get_bucket_lifecycle_configuration, 'NoSuchLifecycleConfiguration')):
            delete(Bucket='cfg-bucket')
            self.assertAwsError(code, get, Bucket='cfg-bucket')

    def test_bucket_policy_absent_then_set_as_text_then_deleted(self):
        s3 = self.fake.client('s3')
        s3.create_bucket(Bucket='pol-bucket')
        self.assertAwsError('NoSuchBucketPolicy', s3.get_bucket_policy, Bucket='pol-bucket')
        policy = json.dumps({'Version': '2012-10-17', 'Statement': [{
            'Effect': 'Allow', 'Principal': {'Service': 'logdelivery.elasticloadbalancing.amazonaws.com'},
            'Action': 's3:PutObject', 'Resource': 'arn:aws:s3:::pol-bucket/*'}]})
        s3.put_bucket_policy(Bucket='pol-bucket', Policy=policy)
        self.assertEqual(json.loads(s3.get_bucket_policy(Bucket='pol-bucket')['Policy']), json.loads(policy))
        s3.delete_bucket_policy(Bucket='pol-bucket')
        self.assertAwsError('NoSuchBucketPolicy', s3.get_bucket_policy, Bucket='pol-bucket')

    def test_vault_and_plan_tags(self):
        backup = self.fake.client('backup')
        vault = backup.create_backup_vault(BackupVaultName='vault', BackupVaultTags={'a': '1'})['BackupVaultArn']
        plan = backup.create_backup_plan(BackupPlan={'BackupPlanName': 'p', 'Rules': [
            {'RuleName': 'daily', 'TargetBackupVaultName': 'vault'}]}, BackupPlanTags={'b': '2'})['BackupPlanArn']
        self.assertEqual(backup.list_tags(ResourceArn=vault)['Tags'], {'a': '1'})
        backup.tag_resource(ResourceArn=plan, Tags={'c': '3'})
        backup.untag_resource(ResourceArn=plan, TagKeyList=['b'])
        self.assertEqual(backup.list_tags(ResourceArn=plan)['Tags'], {'c': '3'})
        self.assertAwsError('ResourceNotFoundException', backup.list_tags,
                            ResourceArn='arn:aws:backup:us-east-1:123456789012:backup-vault:none')


if __name__ == '__main__':
    unittest.main()
