"""EventBridge rules, CloudTrail trails, and the delivery of "AWS API Call
via CloudTrail" events to SQS: boto3 (and awscli) as the clients, a change
made with another user's key as the event, each precondition AWS documents
as the reason for a drop, and the pattern language as a table."""
import json
import os
import subprocess
import time
import unittest

from harness import FakeTestCase, AKID, SECRET
import svc_events

ACCOUNT = '123456789012'
OTHER_KEY, OTHER_SECRET = 'AKIDALICEEVENTS', 'alice-secret-not-real'
RULE = 'drift-events'
RULE_ARN = 'arn:aws:events:us-east-1:%s:rule/%s' % (ACCOUNT, RULE)
PATTERN = {'detail-type': ['AWS API Call via CloudTrail'], 'source': ['aws.ec2', 'aws.iam'],
           'detail': {'readOnly': [False]}}


def bucket_policy(bucket, trail_arn, prefix=''):
    """The bucket policy the CloudTrail User Guide gives ("Amazon S3 bucket policy for CloudTrail")."""
    key = '%sAWSLogs/%s/*' % (prefix + '/' if prefix else '', ACCOUNT)
    return json.dumps({'Version': '2012-10-17', 'Statement': [
        {'Sid': 'AWSCloudTrailAclCheck', 'Effect': 'Allow', 'Principal': {'Service': 'cloudtrail.amazonaws.com'},
         'Action': 's3:GetBucketAcl', 'Resource': 'arn:aws:s3:::%s' % bucket,
         'Condition': {'StringEquals': {'aws:SourceArn': trail_arn}}},
        {'Sid': 'AWSCloudTrailWrite', 'Effect': 'Allow', 'Principal': {'Service': 'cloudtrail.amazonaws.com'},
         'Action': 's3:PutObject', 'Resource': 'arn:aws:s3:::%s/%s' % (bucket, key),
         'Condition': {'StringEquals': {'s3:x-amz-acl': 'bucket-owner-full-control',
                                        'aws:SourceArn': trail_arn}}}]})


def queue_policy(queue_arn, source_arn=RULE_ARN, operator='ArnEquals'):
    stmt = {'Sid': 'events', 'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'},
            'Action': 'sqs:SendMessage', 'Resource': queue_arn}
    if source_arn:
        stmt['Condition'] = {operator: {'aws:SourceArn': source_arn}}
    return json.dumps({'Version': '2012-10-17', 'Statement': [stmt]})


class Estate(FakeTestCase):
    """A trail logging to a bucket, a queue with its policy, and a rule
    targeting the queue: everything AWS needs to deliver."""

    def setUp(self):
        super().setUp()
        self.fake.control('POST', '/_fake/keys', {'user': 'alice', 'access_key': OTHER_KEY,
                                                  'secret_key': OTHER_SECRET})
        self.s3 = self.fake.client('s3')
        self.ct = self.fake.client('cloudtrail')
        self.sqs = self.fake.client('sqs', read_timeout=30)
        self.ev = self.fake.client('events')
        self.alice_ec2 = self.fake.client('ec2', key=OTHER_KEY, secret=OTHER_SECRET)

    def make_trail(self, name='main', start=True, **kw):
        arn = 'arn:aws:cloudtrail:us-east-1:%s:trail/%s' % (ACCOUNT, name)
        bucket = 'trail-logs-%s' % name
        self.s3.create_bucket(Bucket=bucket)
        self.s3.put_bucket_policy(Bucket=bucket, Policy=bucket_policy(bucket, arn))
        self.ct.create_trail(Name=name, S3BucketName=bucket, **kw)
        if start:
            self.ct.start_logging(Name=name)
        return arn

    def make_queue(self, name='drift', policy=True, **attrs):
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)['QueueUrl']
        arn = 'arn:aws:sqs:us-east-1:%s:%s' % (ACCOUNT, name)
        if policy:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={'Policy': queue_policy(arn)})
        return url, arn

    def make_rule(self, queue_arn, pattern=PATTERN, state='ENABLED', **target):
        self.ev.put_rule(Name=RULE, EventPattern=json.dumps(pattern), State=state)
        self.ev.put_targets(Rule=RULE, Targets=[dict({'Id': 'queue', 'Arn': queue_arn}, **target)])

    def everything(self, **queue_attrs):
        self.make_trail()
        url, arn = self.make_queue(**queue_attrs)
        self.make_rule(arn)
        return url

    def change(self):
        """An out-of-band change by alice: a port opened on a security group."""
        if not getattr(self, 'sg', None):
            vpc = self.alice_ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
            self.sg = self.alice_ec2.create_security_group(GroupName='web', Description='web', VpcId=vpc)['GroupId']
            self.port = 21
        self.port += 1
        self.fake.control('DELETE', '/_fake/events')
        self.alice_ec2.authorize_security_group_ingress(GroupId=self.sg, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': self.port, 'ToPort': self.port, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])
        return self.sg

    def ours(self, url):
        """The change events that arrived (the message bodies)."""
        return [b for b in (json.loads(m['Body']) for m in self.messages(url))
                if b.get('detail', {}).get('eventName') == 'AuthorizeSecurityGroupIngress']

    def messages(self, url, wait=0):
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
            if 'Messages' not in got:
                return out
            out += got['Messages']
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[{'Id': str(i), 'ReceiptHandle': m['ReceiptHandle']}
                                                                 for i, m in enumerate(got['Messages'])])
            wait = 0

    def drops(self):
        return [d['reason'] for d in self.fake.control('GET', '/_fake/events')['deliveries']
                if d['outcome'] == 'dropped' and d['eventName'] == 'AuthorizeSecurityGroupIngress']


class DeliveryTest(Estate):
    def test_a_change_by_another_user_arrives_with_envelope_and_detail(self):
        url = self.everything()
        sg = self.change()
        msgs = self.messages(url)
        events = [json.loads(m['Body']) for m in msgs]
        ours = [e for e in events if e['detail']['eventName'] == 'AuthorizeSecurityGroupIngress']
        self.assertEqual(len(ours), 1, [e['detail']['eventName'] for e in events])
        e = ours[0]
        self.assertEqual(set(e), {'version', 'id', 'detail-type', 'source', 'account', 'time', 'region',
                                  'resources', 'detail'})
        self.assertEqual((e['version'], e['detail-type'], e['source'], e['account'], e['region'], e['resources']),
                         ('0', 'AWS API Call via CloudTrail', 'aws.ec2', ACCOUNT, 'us-east-1', []))
        d = e['detail']
        self.assertEqual(d['userIdentity']['arn'], 'arn:aws:iam::%s:user/alice' % ACCOUNT)
        self.assertEqual(d['userIdentity']['accessKeyId'], OTHER_KEY)
        self.assertEqual((d['eventSource'], d['awsRegion'], d['readOnly'], d['eventType'], d['managementEvent'],
                          d['recipientAccountId']),
                         ('ec2.amazonaws.com', 'us-east-1', False, 'AwsApiCall', True, ACCOUNT))
        self.assertEqual(d['requestParameters']['GroupId'], sg)
        self.assertEqual(e['time'], d['eventTime'])
        for k in ('eventVersion', 'eventTime', 'sourceIPAddress', 'userAgent', 'requestID', 'eventID'):
            self.assertTrue(d.get(k), k)
        # the same event CloudTrail's history holds
        trail_ids = [x['EventId'] for x in self.fake.control('GET', '/_fake/cloudtrail')['events']]
        self.assertIn(d['eventID'], trail_ids)
        # and the create calls before it came too, each once
        self.assertEqual(sorted(x['detail']['eventName'] for x in events),
                         ['AuthorizeSecurityGroupIngress', 'CreateSecurityGroup', 'CreateVpc'])

    def test_delivery_wakes_a_waiting_long_poll_at_once(self):
        url = self.everything()
        import threading
        got = {}

        def poll():
            start = time.monotonic()
            got['m'] = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
            got['t'] = time.monotonic() - start
        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.3)
        self.alice_ec2.create_vpc(CidrBlock='10.1.0.0/16')
        t.join()
        self.assertEqual(json.loads(got['m']['Messages'][0]['Body'])['detail']['eventName'], 'CreateVpc')
        self.assertLess(got['t'], 2.0)

    def test_cloudtrail_history_delay_does_not_hold_back_eventbridge(self):
        url = self.everything()
        self.fake.control('POST', '/_fake/cloudtrail', {'delay': 900})
        try:
            self.change()
            self.assertEqual(len(self.ours(url)), 1)
            self.assertEqual(self.fake.control('GET', '/_fake/cloudtrail')['events'], [])
        finally:
            self.fake.control('POST', '/_fake/cloudtrail', {'delay': 0})

    def test_read_only_calls_are_not_delivered(self):
        url = self.everything()
        self.ev.put_rule(Name=RULE, EventPattern=json.dumps({'source': ['aws.ec2']}))
        self.alice_ec2.describe_vpcs()
        self.alice_ec2.describe_security_groups()
        self.assertEqual(self.messages(url), [])
        # ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS takes them too
        self.ev.put_rule(Name=RULE, EventPattern=json.dumps({'source': ['aws.ec2']}),
                         State='ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS')
        self.alice_ec2.describe_vpcs()
        bodies = [json.loads(m['Body'])['detail'] for m in self.messages(url)]
        self.assertEqual([(b['eventName'], b['readOnly']) for b in bodies], [('DescribeVpcs', True)])

    def test_a_disabled_rule_and_a_pattern_that_does_not_match_deliver_nothing(self):
        url = self.everything()
        self.ev.disable_rule(Name=RULE)
        self.change()
        self.assertEqual(self.messages(url), [])
        self.ev.enable_rule(Name=RULE)
        self.change()
        self.assertEqual(len(self.ours(url)), 1)
        self.ev.put_rule(Name=RULE, EventPattern=json.dumps({'source': ['aws.rds']}))
        self.change()
        self.assertEqual(self.messages(url), [])

    def test_global_service_events_arrive_in_us_east_1(self):
        url = self.everything()
        iam = self.fake.client('iam', key=OTHER_KEY, secret=OTHER_SECRET)
        iam.create_role(RoleName='r', AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
        e = json.loads(self.messages(url)[0]['Body'])
        self.assertEqual((e['source'], e['region'], e['detail']['eventName']), ('aws.iam', 'us-east-1', 'CreateRole'))

    def test_each_region_delivers_to_its_own_rules_and_queues(self):
        # "an SQS target must be in the rule's Region": the backup Region
        # has a rule and queue of its own, fed by a multi-Region trail
        self.make_trail(IsMultiRegionTrail=True)
        url, arn = self.make_queue()
        self.make_rule(arn)
        west_sqs = self.fake.client('sqs', region_name='us-west-2')
        west_url = west_sqs.create_queue(QueueName='drift')['QueueUrl']
        west_arn = 'arn:aws:sqs:us-west-2:%s:drift' % ACCOUNT
        west_rule = RULE_ARN.replace('us-east-1', 'us-west-2')
        west_sqs.set_queue_attributes(QueueUrl=west_url, Attributes={'Policy': queue_policy(west_arn, west_rule)})
        west_ev = self.fake.client('events', region_name='us-west-2')
        west_ev.put_rule(Name=RULE, EventPattern=json.dumps(PATTERN))
        west_ev.put_targets(Rule=RULE, Targets=[{'Id': 'queue', 'Arn': west_arn}])
        self.messages(url)
        west_ec2 = self.fake.client('ec2', key=OTHER_KEY, secret=OTHER_SECRET, region_name='us-west-2')
        west_ec2.create_vpc(CidrBlock='10.9.0.0/16')
        got = west_sqs.receive_message(QueueUrl=west_url)['Messages']
        self.assertEqual([(json.loads(m['Body'])['region'], json.loads(m['Body'])['detail']['eventName'])
                          for m in got], [('us-west-2', 'CreateVpc')])
        self.assertEqual(self.messages(url), [])
        # a target in another Region than its rule gets nothing
        west_ev.put_targets(Rule=RULE, Targets=[{'Id': 'queue', 'Arn': arn}])
        self.change()
        west_ec2.create_vpc(CidrBlock='10.8.0.0/16')
        reasons = [d['reason'] for d in self.fake.control('GET', '/_fake/events')['deliveries']
                   if d['rule'] == west_rule]
        self.assertEqual(len(reasons), 1, reasons)
        self.assertIn('the queue is in us-east-1, the rule in us-west-2', reasons[0])

    def test_input_and_input_path(self):
        self.make_trail()
        url, arn = self.make_queue()
        only = {'source': ['aws.ec2'], 'detail': {'eventName': ['AuthorizeSecurityGroupIngress']}}
        self.make_rule(arn, pattern=only, InputPath='$.detail')
        self.change()
        self.assertEqual([json.loads(m['Body'])['eventName'] for m in self.messages(url)],
                         ['AuthorizeSecurityGroupIngress'])
        self.ev.put_targets(Rule=RULE, Targets=[{'Id': 'queue', 'Arn': arn, 'Input': '{"fixed": 1}'}])
        self.change()
        self.assertEqual([m['Body'] for m in self.messages(url)], ['{"fixed": 1}'])

    def test_input_transformer(self):
        self.make_trail()
        url, arn = self.make_queue()
        only = {'source': ['aws.ec2'], 'detail': {'eventName': ['AuthorizeSecurityGroupIngress']}}
        paths = {'who': '$.detail.userIdentity.userName', 'name': '$.detail.eventName', 'none': '$.detail.nope'}
        self.make_rule(arn, pattern=only, InputTransformer={
            'InputPathsMap': paths,
            'InputTemplate': '{"who": <who>, "what": "<name> by <who>", "rule": <aws.events.rule-name>, "n": <none>, '
                             '"e": <aws.events.event>}'})
        self.change()
        bodies = [json.loads(m['Body']) for m in self.messages(url)]
        self.assertEqual(len(bodies), 1)
        e = bodies[0].pop('e')                    # the event without its detail
        self.assertEqual((e['source'], 'detail' in e), ('aws.ec2', False))
        self.assertEqual(bodies, [{'who': 'alice', 'what': 'AuthorizeSecurityGroupIngress by alice', 'rule': RULE,
                                   'n': None}])
        self.ev.put_targets(Rule=RULE, Targets=[{'Id': 'queue', 'Arn': arn, 'InputTransformer': {
            'InputPathsMap': paths, 'InputTemplate': '"<name> happened"'}}])
        self.change()
        self.assertEqual([m['Body'] for m in self.messages(url)], ['"AuthorizeSecurityGroupIngress happened"'])
        self.assertAwsError('ValidationException', self.ev.put_targets, Rule=RULE, Targets=[
            {'Id': 'queue', 'Arn': arn, 'InputTransformer': {'InputPathsMap': {'x': 'detail'},
                                                             'InputTemplate': '<x>'}}])

    def test_sse_sqs_and_a_customer_key_that_allows_eventbridge_deliver(self):
        kms = self.fake.client('kms')
        key_policy = {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:root' % ACCOUNT}, 'Action': 'kms:*',
             'Resource': '*'},
            {'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'},
             'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': '*'}]}
        key = kms.create_key(Policy=json.dumps(key_policy))['KeyMetadata']['KeyId']
        kms.create_alias(AliasName='alias/drift-events', TargetKeyId=key)
        url = self.everything(KmsMasterKeyId='alias/drift-events')
        self.change()
        self.assertEqual(len(self.ours(url)), 1)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={'SqsManagedSseEnabled': 'true'})
        self.change()
        self.assertEqual(len(self.ours(url)), 1)


class DropTest(Estate):
    """Each missing precondition drops the event, as AWS does; the fake
    says why at /_fake/events."""

    def assertDropped(self, url, reason):
        self.change()
        self.assertEqual(self.ours(url), [])
        drops = self.drops()
        self.assertEqual(len(drops), 1, drops)
        self.assertIn(reason, drops[0])

    def test_no_trail(self):
        url, arn = self.make_queue()
        self.make_rule(arn)
        self.assertDropped(url, 'no CloudTrail trail')

    def test_trail_not_started_or_stopped(self):
        self.make_trail(start=False)
        url, arn = self.make_queue()
        self.make_rule(arn)
        self.assertDropped(url, 'no CloudTrail trail')
        self.ct.start_logging(Name='main')
        self.change()
        self.assertEqual(len(self.ours(url)), 1)
        self.ct.stop_logging(Name='main')
        self.assertDropped(url, 'no CloudTrail trail')

    def test_trail_without_management_events(self):
        self.make_trail()
        self.ct.put_event_selectors(TrailName='main', EventSelectors=[{'ReadWriteType': 'ReadOnly'}])
        url, arn = self.make_queue()
        self.make_rule(arn)
        self.assertDropped(url, 'no CloudTrail trail')
        self.ct.put_event_selectors(TrailName='main', AdvancedEventSelectors=[
            {'Name': 'management', 'FieldSelectors': [{'Field': 'eventCategory', 'Equals': ['Management']}]}])
        self.change()
        self.assertEqual(len(self.ours(url)), 1)

    def test_trail_in_another_region_unless_multi_region(self):
        arn = 'arn:aws:cloudtrail:eu-west-1:%s:trail/elsewhere' % ACCOUNT
        self.s3.create_bucket(Bucket='trail-eu')
        self.s3.put_bucket_policy(Bucket='trail-eu', Policy=bucket_policy('trail-eu', arn))
        ct_eu = self.fake.client('cloudtrail', region_name='eu-west-1')
        ct_eu.create_trail(Name='elsewhere', S3BucketName='trail-eu')
        ct_eu.start_logging(Name='elsewhere')
        url, qarn = self.make_queue()
        self.make_rule(qarn)
        self.assertDropped(url, 'no CloudTrail trail')
        ct_eu.update_trail(Name='elsewhere', IsMultiRegionTrail=True)
        self.change()
        self.assertEqual(len(self.ours(url)), 1)

    def test_no_queue_policy(self):
        self.make_trail()
        url, arn = self.make_queue(policy=False)
        self.make_rule(arn)
        self.assertDropped(url, 'queue policy')

    def test_wrong_source_arn(self):
        self.make_trail()
        url, arn = self.make_queue(policy=False)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            'Policy': queue_policy(arn, source_arn=RULE_ARN + '-other')})
        self.make_rule(arn)
        self.assertDropped(url, 'queue policy')
        # ArnLike with a wildcard that covers the rule, and StringEquals, both admit it
        for op, src in (('ArnLike', 'arn:aws:events:us-east-1:%s:rule/drift-*' % ACCOUNT),
                        ('StringEquals', RULE_ARN)):
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={'Policy': queue_policy(arn, src, op)})
            self.change()
            self.assertEqual(len(self.ours(url)), 1, op)

    def test_aws_managed_sqs_key(self):
        self.make_trail()
        url, arn = self.make_queue(KmsMasterKeyId='alias/aws/sqs')
        self.make_rule(arn)
        self.assertDropped(url, 'alias/aws/sqs')

    def test_disabled_customer_key(self):
        kms = self.fake.client('kms')
        key_policy = {'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': {'Service': 'events.amazonaws.com'},
             'Action': ['kms:Decrypt', 'kms:GenerateDataKey'], 'Resource': '*'}]}
        kid = kms.create_key(Policy=json.dumps(key_policy))['KeyMetadata']['KeyId']
        kms.disable_key(KeyId=kid)
        self.make_trail()
        url, arn = self.make_queue(KmsMasterKeyId=kid)
        self.make_rule(arn)
        self.assertDropped(url, 'is Disabled')

    def test_customer_key_without_eventbridge_in_its_policy(self):
        kid = self.fake.client('kms').create_key()['KeyMetadata']['KeyId']
        self.make_trail()
        url, arn = self.make_queue(KmsMasterKeyId=kid)
        self.make_rule(arn)
        self.assertDropped(url, 'key policy')


class RuleApiTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.ev = self.fake.client('events')

    def test_rule_lifecycle(self):
        arn = self.ev.put_rule(Name='r1', EventPattern=json.dumps(PATTERN), Description='drift',
                               Tags=[{'Key': 'team', 'Value': 'ops'}])['RuleArn']
        self.assertEqual(arn, 'arn:aws:events:us-east-1:%s:rule/r1' % ACCOUNT)
        r = self.ev.describe_rule(Name='r1')
        self.assertEqual((r['Name'], r['Arn'], r['State'], r['Description'], r['EventBusName']),
                         ('r1', arn, 'ENABLED', 'drift', 'default'))
        self.assertEqual(json.loads(r['EventPattern']), PATTERN)
        # PutRule replaces: what it omits is not kept
        self.ev.put_rule(Name='r1', EventPattern=json.dumps(PATTERN), State='DISABLED')
        r = self.ev.describe_rule(Name='r1')
        self.assertNotIn('Description', r)
        self.assertEqual(r['State'], 'DISABLED')
        self.ev.enable_rule(Name='r1')
        self.assertEqual(self.ev.describe_rule(Name='r1')['State'], 'ENABLED')
        self.assertEqual(self.ev.list_tags_for_resource(ResourceARN=arn)['Tags'], [{'Key': 'team', 'Value': 'ops'}])
        self.ev.tag_resource(ResourceARN=arn, Tags=[{'Key': 'env', 'Value': 'dev'}])
        self.ev.untag_resource(ResourceARN=arn, TagKeys=['team'])
        self.assertEqual(self.ev.list_tags_for_resource(ResourceARN=arn)['Tags'], [{'Key': 'env', 'Value': 'dev'}])
        for i in range(6):
            self.ev.put_rule(Name='other%d' % i, ScheduleExpression='rate(5 minutes)')
        names = [r['Name'] for p in self.ev.get_paginator('list_rules').paginate() for r in p['Rules']]
        self.assertEqual(names, ['other%d' % i for i in range(6)] + ['r1'])
        self.assertEqual([r['Name'] for r in self.ev.list_rules(NamePrefix='r')['Rules']], ['r1'])

    def test_targets_and_delete(self):
        self.ev.put_rule(Name='r1', EventPattern='{"source": ["aws.ec2"]}')
        q = 'arn:aws:sqs:us-east-1:%s:q' % ACCOUNT
        r = self.ev.put_targets(Rule='r1', Targets=[{'Id': 't%d' % i, 'Arn': q} for i in range(5)])
        self.assertEqual(r['FailedEntryCount'], 0)
        self.assertAwsError('LimitExceededException', self.ev.put_targets, Rule='r1',
                            Targets=[{'Id': 't9', 'Arn': q}])
        self.assertEqual(len(self.ev.list_targets_by_rule(Rule='r1', Limit=10)['Targets']), 5)
        r = self.assertAwsError('ValidationException', self.ev.delete_rule, Name='r1')
        self.assertEqual(r['Error']['Message'], "Rule can't be deleted since it has targets.")
        self.ev.remove_targets(Rule='r1', Ids=['t%d' % i for i in range(5)])
        self.ev.delete_rule(Name='r1')
        self.ev.delete_rule(Name='r1')            # "all calls will succeed"
        self.assertAwsError('ResourceNotFoundException', self.ev.describe_rule, Name='r1')
        self.assertAwsError('ResourceNotFoundException', self.ev.put_targets, Rule='r1',
                            Targets=[{'Id': 'a', 'Arn': q}])
        self.assertAwsError('ResourceNotFoundException', self.ev.disable_rule, Name='r1')
        self.assertAwsError('ResourceNotFoundException', self.ev.describe_rule, Name='r1', EventBusName='custom')

    def test_invalid_patterns(self):
        for bad in ('not json', '[]', '{}', '{"source": "aws.ec2"}', '{"source": []}',
                    '{"source": [{"bogus": 1}]}', '{"detail": {"x": [{"numeric": [">", "a"]}]}}',
                    '{"detail": {"x": [{"exists": "yes"}]}}', '{"x": [{"prefix": 1}]}'):
            self.assertAwsError('InvalidEventPatternException', self.ev.put_rule, Name='bad', EventPattern=bad)
        self.assertAwsError('ValidationException', self.ev.put_rule, Name='neither')


class TrailApiTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.ct = self.fake.client('cloudtrail')
        self.s3 = self.fake.client('s3')
        self.arn = 'arn:aws:cloudtrail:us-east-1:%s:trail/audit' % ACCOUNT

    def test_bucket_must_exist_and_allow_cloudtrail(self):
        self.assertAwsError('S3BucketDoesNotExistException', self.ct.create_trail, Name='audit', S3BucketName='logbkt')
        self.s3.create_bucket(Bucket='logbkt')
        self.assertAwsError('InsufficientS3BucketPolicyException', self.ct.create_trail, Name='audit',
                            S3BucketName='logbkt')
        # a policy for another trail, or without the prefix the trail writes under, is not enough
        self.s3.put_bucket_policy(Bucket='logbkt', Policy=bucket_policy('logbkt', self.arn + 'x'))
        self.assertAwsError('InsufficientS3BucketPolicyException', self.ct.create_trail, Name='audit',
                            S3BucketName='logbkt')
        self.s3.put_bucket_policy(Bucket='logbkt', Policy=bucket_policy('logbkt', self.arn))
        self.assertAwsError('InsufficientS3BucketPolicyException', self.ct.create_trail, Name='audit',
                            S3BucketName='logbkt', S3KeyPrefix='logs')
        self.s3.put_bucket_policy(Bucket='logbkt', Policy=bucket_policy('logbkt', self.arn, 'logs'))
        out = self.ct.create_trail(Name='audit', S3BucketName='logbkt', S3KeyPrefix='logs')
        self.assertEqual((out['TrailARN'], out['IncludeGlobalServiceEvents'], out['IsMultiRegionTrail']),
                         (self.arn, True, False))

    def test_trail_lifecycle(self):
        self.s3.create_bucket(Bucket='logbkt')
        self.s3.put_bucket_policy(Bucket='logbkt', Policy=bucket_policy('logbkt', self.arn))
        self.ct.create_trail(Name='audit', S3BucketName='logbkt', TagsList=[{'Key': 'team', 'Value': 'ops'}])
        self.assertAwsError('TrailAlreadyExistsException', self.ct.create_trail, Name='audit', S3BucketName='logbkt')
        self.assertAwsError('InvalidTrailNameException', self.ct.create_trail, Name='a--b', S3BucketName='logbkt')
        self.assertFalse(self.ct.get_trail_status(Name='audit')['IsLogging'])     # not until StartLogging
        self.ct.start_logging(Name=self.arn)
        st = self.ct.get_trail_status(Name='audit')
        self.assertTrue(st['IsLogging'])
        self.assertIn('StartLoggingTime', st)
        self.ct.stop_logging(Name='audit')
        self.assertFalse(self.ct.get_trail_status(Name='audit')['IsLogging'])
        t = self.ct.get_trail(Name='audit')['Trail']
        self.assertEqual((t['HomeRegion'], t['S3BucketName'], t['HasCustomEventSelectors']), ('us-east-1', 'logbkt', False))
        self.ct.update_trail(Name='audit', IsMultiRegionTrail=True, EnableLogFileValidation=True)
        eu = self.fake.client('cloudtrail', region_name='eu-west-1')
        shadow = eu.describe_trails()['trailList']
        self.assertEqual([(x['Name'], x['HomeRegion'], x['IsMultiRegionTrail']) for x in shadow],
                         [('audit', 'us-east-1', True)])
        self.assertEqual(eu.describe_trails(includeShadowTrails=False)['trailList'], [])
        self.assertAwsError('InvalidHomeRegionException', eu.stop_logging, Name='audit')
        self.assertEqual(self.ct.describe_trails(trailNameList=['audit'])['trailList'][0]['LogFileValidationEnabled'],
                         True)
        sel = self.ct.get_event_selectors(TrailName='audit')['EventSelectors']
        self.assertEqual(sel[0]['ReadWriteType'], 'All')
        self.assertTrue(sel[0]['IncludeManagementEvents'])
        self.ct.put_event_selectors(TrailName='audit', EventSelectors=[{'ReadWriteType': 'WriteOnly'}])
        self.assertEqual(self.ct.get_event_selectors(TrailName='audit')['EventSelectors'][0]['ReadWriteType'],
                         'WriteOnly')
        self.assertAwsError('InvalidParameterCombinationException', self.ct.put_event_selectors, TrailName='audit',
                            EventSelectors=[{}], AdvancedEventSelectors=[{'FieldSelectors': [
                                {'Field': 'eventCategory', 'Equals': ['Management']}]}])
        self.ct.add_tags(ResourceId=self.arn, TagsList=[{'Key': 'env', 'Value': 'dev'}])
        self.ct.remove_tags(ResourceId=self.arn, TagsList=[{'Key': 'team'}])
        tags = self.ct.list_tags(ResourceIdList=[self.arn])['ResourceTagList']
        self.assertEqual(tags, [{'ResourceId': self.arn, 'TagsList': [{'Key': 'env', 'Value': 'dev'}]}])
        self.ct.delete_trail(Name='audit')
        self.assertAwsError('TrailNotFoundException', self.ct.get_trail, Name='audit')


class AwsCliTest(Estate):
    def aws(self, *args, key=AKID, secret=SECRET):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION='us-east-1',
                   AWS_EC2_METADATA_DISABLED='true', AWS_PAGER='', AWS_CONFIG_FILE='/dev/null',
                   AWS_SHARED_CREDENTIALS_FILE='/dev/null')
        env.pop('AWS_PROFILE', None)
        env.pop('AWS_SESSION_TOKEN', None)
        p = subprocess.run(['/usr/bin/aws', '--endpoint-url', self.fake.url, '--output', 'json'] + list(args),
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def test_awscli_change_arrives_and_awscli_receives_it(self):
        url = self.everything()
        vpc = self.alice_ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        sg = self.alice_ec2.create_security_group(GroupName='web', Description='web', VpcId=vpc)['GroupId']
        self.messages(url)
        self.aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '22',
                 '--cidr', '0.0.0.0/0', key=OTHER_KEY, secret=OTHER_SECRET)
        got = self.aws('sqs', 'receive-message', '--queue-url', url, '--wait-time-seconds', '2')['Messages']
        e = json.loads(got[0]['Body'])
        self.assertEqual((e['detail']['eventName'], e['detail']['userIdentity']['userName']),
                         ('AuthorizeSecurityGroupIngress', 'alice'))
        self.aws('sqs', 'delete-message', '--queue-url', url, '--receipt-handle', got[0]['ReceiptHandle'])


# The pattern language as data: (pattern, event, matches).  Cases from the
# EventBridge User Guide's "Event patterns" and "Comparison operators".
EVENT = {'source': 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', 'region': 'us-east-1',
         'detail': {'eventName': 'AuthorizeSecurityGroupIngress', 'readOnly': False, 'eventSource': 'ec2.amazonaws.com',
                    'sourceIPAddress': '10.0.0.7', 'count': 5, 'tags': ['a', 'b'], 'nothing': None,
                    'userIdentity': {'type': 'IAMUser', 'userName': 'alice'}}}
PATTERN_CASES = [
    ({'source': ['aws.ec2']}, True),
    ({'source': ['aws.rds', 'aws.ec2']}, True),
    ({'source': ['aws.rds']}, False),
    ({'source': ['aws.ec2'], 'detail': {'eventName': ['CreateVpc']}}, False),
    ({'detail': {'userIdentity': {'userName': ['alice']}}}, True),
    ({'detail': {'userIdentity': {'userName': ['bob']}}}, False),
    ({'detail': {'readOnly': [False]}}, True),
    ({'detail': {'readOnly': [True]}}, False),
    ({'detail': {'readOnly': ['false']}}, False),                # a string is not the boolean
    ({'detail': {'count': [5.0]}}, True),
    ({'detail': {'tags': ['b']}}, True),                         # an event array: any element
    ({'detail': {'tags': ['c']}}, False),
    ({'detail': {'nothing': [None]}}, True),
    ({'detail': {'eventName': [{'prefix': 'Authorize'}]}}, True),
    ({'detail': {'eventName': [{'prefix': 'Revoke'}]}}, False),
    ({'detail': {'eventName': [{'suffix': 'Ingress'}]}}, True),
    ({'detail': {'eventName': [{'prefix': {'equals-ignore-case': 'authorize'}}]}}, True),
    ({'detail': {'eventName': [{'equals-ignore-case': 'authorizesecuritygroupingress'}]}}, True),
    ({'detail': {'eventName': [{'wildcard': 'Authorize*Ingress'}]}}, True),
    ({'detail': {'eventName': [{'wildcard': 'Revoke*'}]}}, False),
    ({'detail': {'eventName': [{'anything-but': 'CreateVpc'}]}}, True),
    ({'detail': {'eventName': [{'anything-but': ['CreateVpc', 'AuthorizeSecurityGroupIngress']}]}}, False),
    ({'detail': {'eventName': [{'anything-but': {'prefix': 'Describe'}}]}}, True),
    ({'detail': {'eventName': [{'anything-but': {'prefix': 'Authorize'}}]}}, False),
    ({'detail': {'missing': [{'anything-but': 'x'}]}}, False),   # anything-but needs the field
    ({'detail': {'errorCode': [{'exists': False}]}}, True),
    ({'detail': {'errorCode': [{'exists': True}]}}, False),
    ({'detail': {'eventName': [{'exists': True}]}}, True),
    ({'detail': {'count': [{'numeric': ['>', 0, '<=', 5]}]}}, True),
    ({'detail': {'count': [{'numeric': ['<', 5]}]}}, False),
    ({'detail': {'sourceIPAddress': [{'cidr': '10.0.0.0/24'}]}}, True),
    ({'detail': {'sourceIPAddress': [{'cidr': '192.168.0.0/16'}]}}, False),
    ({'detail': {'userIdentity': {'missing': [{'exists': False}]}}}, True),
    ({'nested-absent': {'x': [{'exists': False}]}}, True),
    ({'nested-absent': {'x': ['y']}}, False),
]


class PatternTest(unittest.TestCase):
    def test_patterns_as_data(self):
        for pattern, want in PATTERN_CASES:
            with self.subTest(pattern=pattern):
                svc_events.parse_pattern(json.dumps(pattern))      # each one is valid
                self.assertEqual(svc_events.matches(pattern, EVENT), want)


if __name__ == '__main__':
    unittest.main()
