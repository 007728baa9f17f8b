"""EKS (rest-json), ElastiCache, SESv2 (DKIM verification via Route 53),
Budgets and Cost Explorer anomaly monitors."""
import unittest

from harness import FakeTestCase


class PlatformTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        self.subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.%d.0/24' % i,
                                          AvailabilityZone='us-east-1' + az)['Subnet']['SubnetId']
                        for i, az in ((1, 'a'), (2, 'b'))]

    def test_eks_cluster_lifecycle_update_tags_delete(self):
        eks = self.fake.client('eks')
        c = eks.create_cluster(name='prod', roleArn='arn:aws:iam::123456789012:role/eks', version='1.27',
                               resourcesVpcConfig={'subnetIds': self.subnets}, tags={'a': '1'})['cluster']
        self.assertEqual((c['status'], c['arn']), ('CREATING', 'arn:aws:eks:us-east-1:123456789012:cluster/prod'))
        self.assertNotIn('endpoint', c)
        self.assertAwsError('ResourceInUseException', eks.create_cluster, name='prod', roleArn='arn:aws:iam::1:role/x',
                            resourcesVpcConfig={'subnetIds': self.subnets})
        self.assertAwsError('InvalidParameterException', eks.create_cluster, name='one-az', roleArn='arn:aws:iam::1:role/x',
                            resourcesVpcConfig={'subnetIds': self.subnets[:1]})
        self.assertAwsError('ResourceInUseException', eks.update_cluster_version, name='prod', version='1.28')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        c = eks.describe_cluster(name='prod')['cluster']
        self.assertEqual(c['status'], 'ACTIVE')
        self.assertTrue(c['endpoint'].startswith('https://'))
        self.assertTrue(c['identity']['oidc']['issuer'].startswith('https://oidc.eks.us-east-1.amazonaws.com/id/'))
        self.assertEqual(eks.update_cluster_version(name='prod', version='1.28')['update']['type'], 'VersionUpdate')
        self.assertEqual(eks.describe_cluster(name='prod')['cluster']['version'], '1.28')
        eks.tag_resource(resourceArn=c['arn'], tags={'b': '2'})
        eks.untag_resource(resourceArn=c['arn'], tagKeys=['a'])
        self.assertEqual(eks.list_tags_for_resource(resourceArn=c['arn'])['tags'], {'b': '2'})
        self.assertEqual(eks.list_clusters()['clusters'], ['prod'])
        self.assertEqual(eks.delete_cluster(name='prod')['cluster']['status'], 'DELETING')
        self.assertAwsError('ResourceNotFoundException', eks.describe_cluster, name='prod')

    def test_eks_makes_the_cluster_security_group_and_deletes_it_with_the_cluster(self):
        eks, ec2 = self.fake.client('eks'), self.fake.client('ec2')
        c = eks.create_cluster(name='sg', roleArn='arn:aws:iam::123456789012:role/eks',
                               resourcesVpcConfig={'subnetIds': self.subnets})['cluster']
        gid = c['resourcesVpcConfig']['clusterSecurityGroupId']
        (sg,) = ec2.describe_security_groups(GroupIds=[gid])['SecurityGroups']
        self.assertEqual({t['Key']: t['Value'] for t in sg['Tags']}.get('kubernetes.io/cluster/sg'), 'owned')
        rules = ec2.describe_security_group_rules(Filters=[{'Name': 'group-id', 'Values': [gid]}])['SecurityGroupRules']
        self.assertEqual([(r['IpProtocol'], r['ReferencedGroupInfo']['GroupId']) for r in rules if not r['IsEgress']],
                         [('-1', gid)])
        # other groups may name it as a source
        other = ec2.create_security_group(GroupName='db', Description='db', VpcId=sg['VpcId'])['GroupId']
        ec2.authorize_security_group_ingress(GroupId=other, IpPermissions=[{
            'IpProtocol': 'tcp', 'FromPort': 5432, 'ToPort': 5432, 'UserIdGroupPairs': [{'GroupId': gid}]}])
        eks.delete_cluster(name='sg')
        self.assertAwsError('InvalidGroup.NotFound', ec2.describe_security_groups, GroupIds=[gid])

    def test_eks_node_groups_and_addons_need_an_active_cluster(self):
        eks = self.fake.client('eks')
        eks.create_cluster(name='c', roleArn='arn:aws:iam::123456789012:role/eks',
                           resourcesVpcConfig={'subnetIds': self.subnets})
        ng = dict(clusterName='c', nodegroupName='ng', subnets=self.subnets, nodeRole='arn:aws:iam::1:role/n',
                  scalingConfig={'minSize': 1, 'maxSize': 3, 'desiredSize': 2}, capacityType='SPOT',
                  instanceTypes=['t3.large'], tags={'a': '1'})
        self.assertAwsError('InvalidRequestException', eks.create_nodegroup, **ng)
        self.assertAwsError('InvalidRequestException', eks.create_addon, clusterName='c', addonName='coredns')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        self.assertAwsError('InvalidParameterException', eks.create_nodegroup,
                            **dict(ng, scalingConfig={'minSize': 2, 'maxSize': 3, 'desiredSize': 1}))
        got = eks.create_nodegroup(**ng)['nodegroup']
        self.assertEqual((got['status'], got['capacityType']), ('CREATING', 'SPOT'))
        self.assertAwsError('ResourceInUseException', eks.update_nodegroup_config, clusterName='c',
                            nodegroupName='ng', scalingConfig={'maxSize': 4})
        eks.create_addon(clusterName='c', addonName='aws-ebs-csi-driver',
                         serviceAccountRoleArn='arn:aws:iam::123456789012:role/ebs')
        self.fake.control('POST', '/_fake/clock', {'advance': 120})
        eks.update_nodegroup_config(clusterName='c', nodegroupName='ng', scalingConfig={'maxSize': 4})
        got = eks.describe_nodegroup(clusterName='c', nodegroupName='ng')['nodegroup']
        self.assertEqual((got['status'], got['scalingConfig']), ('ACTIVE', {'minSize': 1, 'maxSize': 4, 'desiredSize': 2}))
        self.assertAwsError('InvalidParameterException', eks.update_nodegroup_config, clusterName='c',
                            nodegroupName='ng', scalingConfig={'minSize': 3})
        eks.update_nodegroup_version(clusterName='c', nodegroupName='ng', version='1.28')
        self.assertEqual(eks.describe_nodegroup(clusterName='c', nodegroupName='ng')['nodegroup']['version'], '1.28')
        self.assertEqual(eks.list_nodegroups(clusterName='c')['nodegroups'], ['ng'])
        self.assertEqual(eks.list_addons(clusterName='c')['addons'], ['aws-ebs-csi-driver'])
        addon = eks.describe_addon(clusterName='c', addonName='aws-ebs-csi-driver')['addon']
        self.assertEqual(addon['serviceAccountRoleArn'], 'arn:aws:iam::123456789012:role/ebs')
        eks.update_addon(clusterName='c', addonName='aws-ebs-csi-driver', serviceAccountRoleArn='arn:aws:iam::1:role/x')
        self.assertEqual(eks.describe_addon(clusterName='c', addonName='aws-ebs-csi-driver')['addon']
                         ['serviceAccountRoleArn'], 'arn:aws:iam::1:role/x')
        eks.tag_resource(resourceArn=got['nodegroupArn'], tags={'b': '2'})
        self.assertEqual(eks.list_tags_for_resource(resourceArn=got['nodegroupArn'])['tags'], {'a': '1', 'b': '2'})
        self.assertAwsError('ResourceInUseException', eks.delete_cluster, name='c')
        eks.delete_addon(clusterName='c', addonName='aws-ebs-csi-driver')
        eks.delete_nodegroup(clusterName='c', nodegroupName='ng')
        self.assertEqual(eks.list_nodegroups(clusterName='c')['nodegroups'], [])
        self.assertAwsError('ResourceNotFoundException', eks.describe_nodegroup, clusterName='c', nodegroupName='ng')
        eks.delete_cluster(name='c')

    def test_elasticache_subnet_group_and_replication_group(self):
        ec = self.fake.client('elasticache')
        g = ec.create_cache_subnet_group(CacheSubnetGroupName='Cache', CacheSubnetGroupDescription='d',
                                         SubnetIds=self.subnets)['CacheSubnetGroup']
        self.assertEqual(g['CacheSubnetGroupName'], 'cache')
        self.assertAwsError('CacheSubnetGroupAlreadyExists', ec.create_cache_subnet_group, CacheSubnetGroupName='cache',
                            CacheSubnetGroupDescription='d', SubnetIds=self.subnets)
        self.assertAwsError('InvalidParameterCombination', ec.create_replication_group, ReplicationGroupId='bad',
                            ReplicationGroupDescription='d', AutomaticFailoverEnabled=True, NumCacheClusters=1)
        rg = ec.create_replication_group(ReplicationGroupId='sessions', ReplicationGroupDescription='d',
                                         Engine='redis', CacheNodeType='cache.t3.micro', NumCacheClusters=2,
                                         CacheSubnetGroupName='cache', AtRestEncryptionEnabled=True,
                                         Tags=[{'Key': 'a', 'Value': '1'}])['ReplicationGroup']
        self.assertEqual((rg['Status'], len(rg['MemberClusters'])), ('creating', 2))
        self.assertAwsError('CacheSubnetGroupInUse', ec.delete_cache_subnet_group, CacheSubnetGroupName='cache')
        self.fake.control('POST', '/_fake/clock', {'advance': 600})
        got = ec.describe_replication_groups(ReplicationGroupId='sessions')['ReplicationGroups'][0]
        self.assertEqual(got['Status'], 'available')
        self.assertEqual(got['NodeGroups'][0]['PrimaryEndpoint']['Port'], 6379)
        ec.modify_replication_group(ReplicationGroupId='sessions', ReplicationGroupDescription='new')
        self.assertEqual(ec.describe_replication_groups()['ReplicationGroups'][0]['Description'], 'new')
        self.assertEqual(ec.list_tags_for_resource(ResourceName=got['ARN'])['TagList'], [{'Key': 'a', 'Value': '1'}])
        ec.delete_replication_group(ReplicationGroupId='sessions')
        self.assertAwsError('ReplicationGroupNotFoundFault', ec.describe_replication_groups,
                            ReplicationGroupId='sessions')
        ec.delete_cache_subnet_group(CacheSubnetGroupName='cache')

    def test_sesv2_domain_verifies_once_dkim_records_exist(self):
        ses = self.fake.client('sesv2')
        r53 = self.fake.client('route53')
        zid = r53.create_hosted_zone(Name='example.com', CallerReference='z')['HostedZone']['Id']
        out = ses.create_email_identity(EmailIdentity='example.com')
        tokens = out['DkimAttributes']['Tokens']
        self.assertEqual((out['IdentityType'], len(tokens)), ('DOMAIN', 3))
        self.assertAwsError('AlreadyExistsException', ses.create_email_identity, EmailIdentity='example.com')
        self.assertFalse(ses.get_email_identity(EmailIdentity='example.com')['VerifiedForSendingStatus'])
        r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': [
            {'Action': 'CREATE', 'ResourceRecordSet': {'Name': '%s._domainkey.example.com' % t, 'Type': 'CNAME',
                                                       'TTL': 1800, 'ResourceRecords': [{'Value': '%s.dkim.amazonses.com' % t}]}}
            for t in tokens]})
        got = ses.get_email_identity(EmailIdentity='example.com')
        self.assertTrue(got['VerifiedForSendingStatus'])
        self.assertEqual(got['DkimAttributes']['Status'], 'SUCCESS')
        self.assertEqual([i['IdentityName'] for i in ses.list_email_identities()['EmailIdentities']], ['example.com'])
        ses.delete_email_identity(EmailIdentity='example.com')
        self.assertAwsError('NotFoundException', ses.get_email_identity, EmailIdentity='example.com')

    def test_sesv2_configuration_set_and_event_destinations(self):
        ses = self.fake.client('sesv2')
        ses.create_configuration_set(ConfigurationSetName='tx', ReputationOptions={'ReputationMetricsEnabled': True})
        self.assertAwsError('AlreadyExistsException', ses.create_configuration_set, ConfigurationSetName='tx')
        got = ses.get_configuration_set(ConfigurationSetName='tx')
        self.assertTrue(got['ReputationOptions']['ReputationMetricsEnabled'])
        self.assertEqual((got['SendingOptions'], got['DeliveryOptions']),
                         ({'SendingEnabled': True}, {'TlsPolicy': 'OPTIONAL'}))
        ses.put_configuration_set_sending_options(ConfigurationSetName='tx', SendingEnabled=False)
        ses.put_configuration_set_reputation_options(ConfigurationSetName='tx', ReputationMetricsEnabled=False)
        ses.put_configuration_set_suppression_options(ConfigurationSetName='tx', SuppressedReasons=['BOUNCE'])
        ses.put_configuration_set_delivery_options(ConfigurationSetName='tx', TlsPolicy='REQUIRE')
        got = ses.get_configuration_set(ConfigurationSetName='tx')
        self.assertEqual((got['SendingOptions'], got['ReputationOptions'], got['SuppressionOptions'],
                          got['DeliveryOptions']),
                         ({'SendingEnabled': False}, {'ReputationMetricsEnabled': False},
                          {'SuppressedReasons': ['BOUNCE']}, {'TlsPolicy': 'REQUIRE'}))
        self.assertEqual(ses.list_configuration_sets()['ConfigurationSets'], ['tx'])
        dest = {'Enabled': True, 'MatchingEventTypes': ['BOUNCE', 'DELIVERY'],
                'SnsDestination': {'TopicArn': 'arn:aws:sns:us-east-1:123456789012:events'}}
        ses.create_configuration_set_event_destination(ConfigurationSetName='tx', EventDestinationName='sns',
                                                       EventDestination=dest)
        self.assertAwsError('AlreadyExistsException', ses.create_configuration_set_event_destination,
                            ConfigurationSetName='tx', EventDestinationName='sns', EventDestination=dest)
        got = ses.get_configuration_set_event_destinations(ConfigurationSetName='tx')['EventDestinations']
        self.assertEqual(got, [dict(dest, Name='sns')])
        ses.update_configuration_set_event_destination(ConfigurationSetName='tx', EventDestinationName='sns',
                                                       EventDestination={'MatchingEventTypes': ['REJECT']})
        got = ses.get_configuration_set_event_destinations(ConfigurationSetName='tx')['EventDestinations']
        self.assertEqual(got, [{'Name': 'sns', 'Enabled': False, 'MatchingEventTypes': ['REJECT']}])
        ses.delete_configuration_set_event_destination(ConfigurationSetName='tx', EventDestinationName='sns')
        self.assertAwsError('NotFoundException', ses.update_configuration_set_event_destination,
                            ConfigurationSetName='tx', EventDestinationName='sns', EventDestination=dest)
        ses.delete_configuration_set(ConfigurationSetName='tx')
        self.assertAwsError('NotFoundException', ses.get_configuration_set, ConfigurationSetName='tx')

    def test_sesv2_email_templates(self):
        ses = self.fake.client('sesv2')
        content = {'Subject': 'Hi {{name}}', 'Html': '<p>Hi {{name}}</p>\n', 'Text': 'Hi {{name}}'}
        ses.create_email_template(TemplateName='welcome', TemplateContent=content)
        self.assertAwsError('AlreadyExistsException', ses.create_email_template, TemplateName='welcome',
                            TemplateContent=content)
        self.assertEqual(ses.get_email_template(TemplateName='welcome')['TemplateContent'], content)
        self.assertEqual([t['TemplateName'] for t in ses.list_email_templates()['TemplatesMetadata']], ['welcome'])
        ses.update_email_template(TemplateName='welcome', TemplateContent=dict(content, Html='<p>x</p>'))
        self.assertEqual(ses.get_email_template(TemplateName='welcome')['TemplateContent']['Html'], '<p>x</p>')
        ses.delete_email_template(TemplateName='welcome')
        self.assertAwsError('NotFoundException', ses.get_email_template, TemplateName='welcome')

    def test_sesv2_account_leaves_the_sandbox_when_the_review_grants_it(self):
        ses = self.fake.client('sesv2')
        got = ses.get_account()
        self.assertFalse(got['ProductionAccessEnabled'])
        self.assertNotIn('Details', got)
        ses.put_account_details(MailType='TRANSACTIONAL', WebsiteURL='https://example.com',
                                UseCaseDescription='receipts', ProductionAccessEnabled=True)
        got = ses.get_account()
        self.assertFalse(got['ProductionAccessEnabled'])
        self.assertEqual(got['Details']['ReviewDetails']['Status'], 'PENDING')
        self.assertEqual(got['Details']['MailType'], 'TRANSACTIONAL')
        self.fake.control('POST', '/_fake/state', {'type': 'ses_account', 'id': '123456789012',
                                            'set': {'production_access': True, 'review_status': 'GRANTED'}})
        got = ses.get_account()
        self.assertTrue(got['ProductionAccessEnabled'])
        self.assertEqual(got['Details']['ReviewDetails']['Status'], 'GRANTED')

    def test_budgets_round_trip(self):
        b = self.fake.client('budgets')
        budget = {'BudgetName': 'monthly', 'BudgetLimit': {'Amount': '100', 'Unit': 'USD'}, 'TimeUnit': 'MONTHLY',
                  'BudgetType': 'COST'}
        b.create_budget(AccountId='123456789012', Budget=budget, NotificationsWithSubscribers=[{
            'Notification': {'NotificationType': 'ACTUAL', 'ComparisonOperator': 'GREATER_THAN', 'Threshold': 80.0},
            'Subscribers': [{'SubscriptionType': 'EMAIL', 'Address': 'ops@example.com'}]}])
        self.assertAwsError('DuplicateRecordException', b.create_budget, AccountId='123456789012', Budget=budget)
        got = b.describe_budget(AccountId='123456789012', BudgetName='monthly')['Budget']
        self.assertEqual(got['BudgetLimit'], {'Amount': '100', 'Unit': 'USD'})
        b.update_budget(AccountId='123456789012', NewBudget=dict(budget, BudgetLimit={'Amount': '200', 'Unit': 'USD'}))
        self.assertEqual(b.describe_budgets(AccountId='123456789012')['Budgets'][0]['BudgetLimit']['Amount'], '200')
        notes = b.describe_notifications_for_budget(AccountId='123456789012', BudgetName='monthly')['Notifications']
        self.assertEqual(notes[0]['Threshold'], 80.0)
        b.delete_budget(AccountId='123456789012', BudgetName='monthly')
        self.assertAwsError('NotFoundException', b.describe_budget, AccountId='123456789012', BudgetName='monthly')

    def test_cost_explorer_anomaly_monitors(self):
        ce = self.fake.client('ce')
        arn = ce.create_anomaly_monitor(AnomalyMonitor={'MonitorName': 'services', 'MonitorType': 'DIMENSIONAL',
                                                        'MonitorDimension': 'SERVICE'})['MonitorArn']
        self.assertTrue(arn.startswith('arn:aws:ce::123456789012:anomalymonitor/'))
        ce.update_anomaly_monitor(MonitorArn=arn, MonitorName='renamed')
        got = ce.get_anomaly_monitors(MonitorArnList=[arn])['AnomalyMonitors']
        self.assertEqual(got[0]['MonitorName'], 'renamed')
        ce.delete_anomaly_monitor(MonitorArn=arn)
        self.assertAwsError('UnknownMonitorException', ce.delete_anomaly_monitor, MonitorArn=arn)

    def test_budget_notifications_added_and_removed_one_by_one(self):
        b = self.fake.client('budgets')
        acct = '123456789012'
        b.create_budget(AccountId=acct, Budget={'BudgetName': 'm', 'BudgetLimit': {'Amount': '10', 'Unit': 'USD'},
                                                'TimeUnit': 'MONTHLY', 'BudgetType': 'COST'})
        note = {'NotificationType': 'FORECASTED', 'ComparisonOperator': 'GREATER_THAN', 'Threshold': 100.0}
        subs = [{'SubscriptionType': 'SNS', 'Address': 'arn:aws:sns:us-east-1:123456789012:alerts'}]
        b.create_notification(AccountId=acct, BudgetName='m', Notification=note, Subscribers=subs)
        self.assertAwsError('DuplicateRecordException', b.create_notification, AccountId=acct, BudgetName='m',
                            Notification=note, Subscribers=subs)
        got = b.describe_notifications_for_budget(AccountId=acct, BudgetName='m')['Notifications']
        self.assertEqual(got, [dict(note, NotificationState='OK')])
        self.assertEqual(b.describe_subscribers_for_notification(AccountId=acct, BudgetName='m',
                                                                 Notification=note)['Subscribers'], subs)
        b.delete_notification(AccountId=acct, BudgetName='m', Notification=note)
        self.assertEqual(b.describe_notifications_for_budget(AccountId=acct, BudgetName='m')['Notifications'], [])
        self.assertAwsError('NotFoundException', b.delete_notification, AccountId=acct, BudgetName='m',
                            Notification=note)

    def test_anomaly_subscriptions(self):
        ce = self.fake.client('ce')
        mon = ce.create_anomaly_monitor(AnomalyMonitor={'MonitorName': 'services', 'MonitorType': 'DIMENSIONAL',
                                                        'MonitorDimension': 'SERVICE'})['MonitorArn']
        topic = [{'Type': 'SNS', 'Address': 'arn:aws:sns:us-east-1:123456789012:alerts'}]
        self.assertAwsError('ValidationException', ce.create_anomaly_subscription, AnomalySubscription={
            'SubscriptionName': 's', 'MonitorArnList': [mon], 'Subscribers': topic, 'Frequency': 'DAILY',
            'Threshold': 50.0})
        arn = ce.create_anomaly_subscription(AnomalySubscription={
            'SubscriptionName': 's', 'MonitorArnList': [mon], 'Subscribers': topic, 'Frequency': 'IMMEDIATE',
            'Threshold': 50.0})['SubscriptionArn']
        ce.update_anomaly_subscription(SubscriptionArn=arn, Threshold=100.0)
        got = ce.get_anomaly_subscriptions(SubscriptionArnList=[arn])['AnomalySubscriptions'][0]
        self.assertEqual((got['SubscriptionName'], got['Threshold'], got['Subscribers'][0]['Status']),
                         ('s', 100.0, 'CONFIRMED'))
        self.assertEqual(len(ce.get_anomaly_subscriptions(MonitorArn=mon)['AnomalySubscriptions']), 1)
        ce.delete_anomaly_subscription(SubscriptionArn=arn)
        self.assertAwsError('UnknownSubscriptionException', ce.delete_anomaly_subscription, SubscriptionArn=arn)


class BedrockTest(FakeTestCase):
    def test_foundation_model_catalogue(self):
        br = self.fake.client('bedrock')
        m = br.get_foundation_model(modelIdentifier='amazon.nova-lite-v1:0')['modelDetails']
        self.assertEqual((m['modelId'], m['providerName'], m['modelLifecycle']['status']),
                         ('amazon.nova-lite-v1:0', 'Amazon', 'ACTIVE'))
        self.assertEqual(m['modelArn'], 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0')
        self.assertAwsError('ResourceNotFoundException', br.get_foundation_model, modelIdentifier='nope.model-v9:0')
        embed = br.list_foundation_models(byOutputModality='EMBEDDING')['modelSummaries']
        self.assertEqual([s['modelId'] for s in embed], ['amazon.titan-embed-text-v2:0'])
        by_provider = br.list_foundation_models(byProvider='anthropic')['modelSummaries']
        self.assertTrue(by_provider and all(s['providerName'] == 'Anthropic' for s in by_provider))

    def test_model_access_taken_away_out_of_band_is_not_authorized(self):
        """GetFoundationModel describes the model either way; whether the
        account may use it is GetFoundationModelAvailability's answer."""
        br = self.fake.client('bedrock')
        avail = br.get_foundation_model_availability(modelId='amazon.nova-lite-v1:0')
        self.assertEqual((avail['authorizationStatus'], avail['entitlementAvailability'],
                          avail['regionAvailability'], avail['agreementAvailability']['status']),
                         ('AUTHORIZED', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'))
        self.fake.control('POST', '/_fake/state', {'type': 'bedrock_access', 'id': 'amazon.nova-lite-v1:0',
                                                   'set': {'status': 'DENIED'}})
        self.assertEqual(br.get_foundation_model_availability(modelId='amazon.nova-lite-v1:0')['authorizationStatus'],
                         'NOT_AUTHORIZED')
        self.assertEqual(br.get_foundation_model(modelIdentifier='amazon.nova-lite-v1:0')['modelDetails']['modelId'],
                         'amazon.nova-lite-v1:0')
        self.assertEqual(br.get_foundation_model_availability(modelId='amazon.nova-pro-v1:0')['authorizationStatus'],
                         'AUTHORIZED')
        self.assertAwsError('ResourceNotFoundException', br.get_foundation_model_availability,
                            modelId='nope.model-v9:0')

if __name__ == '__main__':
    unittest.main()
