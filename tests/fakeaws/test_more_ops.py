"""Round trips for the operations the per-service suites do not reach,
and a guard that every operation the fake implements is called by some
test in this directory."""
import glob
import json
import os
import re
import sys
import unittest

from botocore import xform_name

from harness import FakeTestCase, HERE

POLICY = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]})


class MoreOpsTest(FakeTestCase):
    def test_ec2_egress_rules_and_replace_route(self):
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        sg = ec2.create_security_group(GroupName='db', Description='d', VpcId=vpc)['GroupId']
        ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 5432, 'ToPort': 5432, 'IpRanges': [{'CidrIp': '10.0.0.0/16'}]}])
        egress = ec2.describe_security_groups(GroupIds=[sg])['SecurityGroups'][0]['IpPermissionsEgress']
        self.assertEqual(sorted(p['IpProtocol'] for p in egress), ['-1', 'tcp'])
        ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[
            {'IpProtocol': '-1', 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])
        egress = ec2.describe_security_groups(GroupIds=[sg])['SecurityGroups'][0]['IpPermissionsEgress']
        self.assertEqual([p['IpProtocol'] for p in egress], ['tcp'])
        rt = ec2.create_route_table(VpcId=vpc)['RouteTable']['RouteTableId']
        igw1 = ec2.create_internet_gateway()['InternetGateway']['InternetGatewayId']
        igw2 = ec2.create_internet_gateway()['InternetGateway']['InternetGatewayId']
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock='0.0.0.0/0', GatewayId=igw1)
        ec2.replace_route(RouteTableId=rt, DestinationCidrBlock='0.0.0.0/0', GatewayId=igw2)
        routes = ec2.describe_route_tables(RouteTableIds=[rt])['RouteTables'][0]['Routes']
        self.assertEqual([r['GatewayId'] for r in routes if r['DestinationCidrBlock'] == '0.0.0.0/0'], [igw2])
        self.assertAwsError('InvalidRoute.NotFound', ec2.replace_route, RouteTableId=rt,
                            DestinationCidrBlock='1.0.0.0/8', GatewayId=igw2)

    def test_iam_policy_default_version_oidc_tags_trust_update(self):
        iam = self.fake.client('iam')
        arn = iam.create_policy(PolicyName='p', PolicyDocument=POLICY, Tags=[{'Key': 'a', 'Value': '1'}])['Policy']['Arn']
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY)
        iam.set_default_policy_version(PolicyArn=arn, VersionId='v2')
        self.assertEqual(iam.get_policy(PolicyArn=arn)['Policy']['DefaultVersionId'], 'v2')
        iam.untag_policy(PolicyArn=arn, TagKeys=['a'])
        self.assertEqual(iam.list_policy_tags(PolicyArn=arn)['Tags'], [])
        oidc = iam.create_open_id_connect_provider(Url='https://token.example.com', ThumbprintList=['c' * 40])
        parn = oidc['OpenIDConnectProviderArn']
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=parn, ClientID='sts.amazonaws.com')
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=parn, Tags=[{'Key': 'k', 'Value': 'v'},
                                                                              {'Key': 'x', 'Value': 'y'}])
        iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=parn, TagKeys=['x'])
        got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=parn)
        self.assertEqual((got['ClientIDList'], got['Tags']), (['sts.amazonaws.com'], [{'Key': 'k', 'Value': 'v'}]))
        iam.create_role(RoleName='r', AssumeRolePolicyDocument=POLICY)
        trust = {'Version': '2012-10-17', 'Statement': []}
        iam.update_assume_role_policy(RoleName='r', PolicyDocument=json.dumps(trust))
        self.assertEqual(iam.get_role(RoleName='r')['Role']['AssumeRolePolicyDocument'], trust)

    def test_kms_enable_disable_alias_policy(self):
        kms = self.fake.client('kms')
        k1 = kms.create_key()['KeyMetadata']['KeyId']
        k2 = kms.create_key()['KeyMetadata']['KeyId']
        kms.disable_key(KeyId=k1)
        self.assertEqual(kms.describe_key(KeyId=k1)['KeyMetadata']['KeyState'], 'Disabled')
        kms.enable_key(KeyId=k1)
        self.assertTrue(kms.describe_key(KeyId=k1)['KeyMetadata']['Enabled'])
        kms.enable_key_rotation(KeyId=k1)
        kms.disable_key_rotation(KeyId=k1)
        self.assertFalse(kms.get_key_rotation_status(KeyId=k1)['KeyRotationEnabled'])
        kms.create_alias(AliasName='alias/app', TargetKeyId=k1)
        kms.update_alias(AliasName='alias/app', TargetKeyId=k2)
        self.assertEqual(kms.describe_key(KeyId='alias/app')['KeyMetadata']['KeyId'], k2)
        kms.delete_alias(AliasName='alias/app')
        self.assertAwsError('NotFoundException', kms.delete_alias, AliasName='alias/app')
        self.assertIn('kms:*', kms.get_key_policy(KeyId=k1, PolicyName='default')['Policy'])
        kms.put_key_policy(KeyId=k1, PolicyName='default', Policy=POLICY)
        self.assertEqual(json.loads(kms.get_key_policy(KeyId=k1, PolicyName='default')['Policy']), json.loads(POLICY))
        self.assertAwsError('MalformedPolicyDocumentException', kms.put_key_policy, KeyId=k1, PolicyName='default',
                            Policy='{')

    def test_cloudwatch_alarm_state_logs_untag_rds_subnet_group_delete(self):
        cw = self.fake.client('cloudwatch')
        cw.put_metric_alarm(AlarmName='a', MetricName='m', Namespace='n', Statistic='Sum', Period=60,
                            EvaluationPeriods=1, Threshold=1.0, ComparisonOperator='GreaterThanThreshold')
        cw.set_alarm_state(AlarmName='a', StateValue='ALARM', StateReason='test')
        self.assertEqual(cw.describe_alarms(StateValue='ALARM')['MetricAlarms'][0]['StateReason'], 'test')
        arn = cw.describe_alarms()['MetricAlarms'][0]['AlarmArn']
        cw.tag_resource(ResourceARN=arn, Tags=[{'Key': 'k', 'Value': 'v'}])
        cw.untag_resource(ResourceARN=arn, TagKeys=['k'])
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=arn)['Tags'], [])
        logs = self.fake.client('logs')
        logs.create_log_group(logGroupName='g', tags={'a': '1', 'b': '2'})
        logs.untag_log_group(logGroupName='g', tags=['a'])
        self.assertEqual(logs.list_tags_log_group(logGroupName='g')['tags'], {'b': '2'})
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.%d.0/24' % i, AvailabilityZone='us-east-1' + az)
                   ['Subnet']['SubnetId'] for i, az in ((1, 'a'), (2, 'b'))]
        rds = self.fake.client('rds')
        rds.create_db_subnet_group(DBSubnetGroupName='g', DBSubnetGroupDescription='d', SubnetIds=subnets)
        rds.delete_db_subnet_group(DBSubnetGroupName='g')
        self.assertAwsError('DBSubnetGroupNotFoundFault', rds.describe_db_subnet_groups, DBSubnetGroupName='g')
        ec = self.fake.client('elasticache')
        g = ec.create_cache_subnet_group(CacheSubnetGroupName='c', CacheSubnetGroupDescription='d',
                                         SubnetIds=subnets)['CacheSubnetGroup']
        ec.add_tags_to_resource(ResourceName=g['ARN'], Tags=[{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
        ec.remove_tags_from_resource(ResourceName=g['ARN'], TagKeys=['a'])
        self.assertEqual(ec.list_tags_for_resource(ResourceName=g['ARN'])['TagList'], [{'Key': 'b', 'Value': '2'}])
        got = ec.describe_cache_subnet_groups(CacheSubnetGroupName='c')['CacheSubnetGroups'][0]
        self.assertEqual(got['VpcId'], vpc)

    def test_s3_location_and_tag_removal_acm_untag_backup_vault(self):
        s3 = self.fake.client('s3')
        s3.create_bucket(Bucket='east')
        self.assertIsNone(s3.get_bucket_location(Bucket='east')['LocationConstraint'])
        s3.create_bucket(Bucket='west', CreateBucketConfiguration={'LocationConstraint': 'us-west-2'})
        self.assertEqual(s3.get_bucket_location(Bucket='west')['LocationConstraint'], 'us-west-2')
        s3.put_bucket_tagging(Bucket='east', Tagging={'TagSet': [{'Key': 'k', 'Value': 'v'}]})
        s3.delete_bucket_tagging(Bucket='east')
        self.assertAwsError('NoSuchTagSet', s3.get_bucket_tagging, Bucket='east')
        acm = self.fake.client('acm')
        arn = acm.request_certificate(DomainName='example.org', ValidationMethod='DNS',
                                      Tags=[{'Key': 'a', 'Value': '1'}])['CertificateArn']
        acm.remove_tags_from_certificate(CertificateArn=arn, Tags=[{'Key': 'a'}])
        self.assertEqual(acm.list_tags_for_certificate(CertificateArn=arn)['Tags'], [])
        b = self.fake.client('backup')
        b.create_backup_vault(BackupVaultName='vault', EncryptionKeyArn='arn:aws:kms:us-east-1:123456789012:key/k')
        self.assertEqual(b.describe_backup_vault(BackupVaultName='vault')['EncryptionKeyArn'],
                         'arn:aws:kms:us-east-1:123456789012:key/k')

    def test_zone_comment_and_ses_mail_from_verified_by_its_mx(self):
        r53 = self.fake.client('route53')
        zid = r53.create_hosted_zone(Name='example.net', CallerReference='c1')['HostedZone']['Id']
        r53.update_hosted_zone_comment(Id=zid, Comment='hello')
        self.assertEqual(r53.get_hosted_zone(Id=zid)['HostedZone']['Config']['Comment'], 'hello')
        ses = self.fake.client('sesv2')
        ses.create_email_identity(EmailIdentity='example.net')
        ses.put_email_identity_mail_from_attributes(EmailIdentity='example.net',
                                                    MailFromDomain='mail.example.net')
        got = ses.get_email_identity(EmailIdentity='example.net')['MailFromAttributes']
        self.assertEqual((got['MailFromDomain'], got['MailFromDomainStatus']), ('mail.example.net', 'PENDING'))
        r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': [
            {'Action': 'CREATE', 'ResourceRecordSet': {
                'Name': 'mail.example.net', 'Type': 'MX', 'TTL': 60,
                'ResourceRecords': [{'Value': '10 feedback-smtp.us-east-1.amazonses.com'}]}}]})
        got = ses.get_email_identity(EmailIdentity='example.net')['MailFromAttributes']
        self.assertEqual(got['MailFromDomainStatus'], 'SUCCESS')

    def test_eks_config_update_and_elb_leftovers(self):
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.%d.0/24' % i, AvailabilityZone='us-east-1' + az)
                   ['Subnet']['SubnetId'] for i, az in ((1, 'a'), (2, 'b'))]
        eks = self.fake.client('eks')
        eks.create_cluster(name='c', roleArn='arn:aws:iam::123456789012:role/eks',
                           resourcesVpcConfig={'subnetIds': subnets})
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        upd = eks.update_cluster_config(name='c', resourcesVpcConfig={'endpointPrivateAccess': True})['update']
        self.assertEqual(upd['type'], 'ConfigUpdate')
        self.assertTrue(eks.describe_cluster(name='c')['cluster']['resourcesVpcConfig']['endpointPrivateAccess'])
        elb = self.fake.client('elbv2')
        lb = elb.create_load_balancer(Name='n', Subnets=subnets)['LoadBalancers'][0]['LoadBalancerArn']
        tg = elb.create_target_group(Name='t', Protocol='HTTP', Port=80, VpcId=vpc,
                                     Tags=[{'Key': 'a', 'Value': '1'}])['TargetGroups'][0]['TargetGroupArn']
        elb.modify_target_group(TargetGroupArn=tg, HealthCheckPath='/ok', HealthyThresholdCount=3)
        got = elb.describe_target_groups(TargetGroupArns=[tg])['TargetGroups'][0]
        self.assertEqual((got['HealthCheckPath'], got['HealthyThresholdCount']), ('/ok', 3))
        elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {'Key': 'deregistration_delay.timeout_seconds', 'Value': '30'}])
        attrs = elb.describe_target_group_attributes(TargetGroupArn=tg)['Attributes']
        self.assertIn({'Key': 'deregistration_delay.timeout_seconds', 'Value': '30'}, attrs)
        elb.register_targets(TargetGroupArn=tg, Targets=[{'Id': '10.0.1.5'}, {'Id': '10.0.1.6'}])
        elb.deregister_targets(TargetGroupArn=tg, Targets=[{'Id': '10.0.1.5'}])
        ids = [d['Target']['Id'] for d in elb.describe_target_health(TargetGroupArn=tg)['TargetHealthDescriptions']]
        self.assertEqual(ids, ['10.0.1.6'])
        elb.remove_tags(ResourceArns=[tg], TagKeys=['a'])
        self.assertEqual(elb.describe_tags(ResourceArns=[tg])['TagDescriptions'][0]['Tags'], [])
        listener = elb.create_listener(LoadBalancerArn=lb, Protocol='HTTP', Port=80, DefaultActions=[
            {'Type': 'forward', 'TargetGroupArn': tg}])['Listeners'][0]['ListenerArn']
        elb.delete_listener(ListenerArn=listener)
        self.assertEqual(elb.describe_listeners(LoadBalancerArn=lb)['Listeners'], [])
        elb.delete_target_group(TargetGroupArn=tg)


class CoverageTest(unittest.TestCase):
    def test_every_implemented_operation_is_called_by_a_test(self):
        sys.path.insert(0, HERE)
        import resources
        text = ''.join(open(f).read() for f in glob.glob(os.path.join(HERE, 'test_*.py')))
        missing = [(svc, op) for svc, op in sorted(resources.build_handlers(None))
                   if not re.search(r"\.%s\b|'%s'" % ((xform_name(op),) * 2), text)]
        self.assertEqual(missing, [])


if __name__ == '__main__':
    unittest.main()
