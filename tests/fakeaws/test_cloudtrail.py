"""CloudTrail in the fake: every call recorded as AWS records it, and
LookupEvents as AWS answers it; boto3 parses every answer."""
import datetime
import json
import time
import unittest

from harness import FakeTestCase, AKID

OTHER_KEY, OTHER_SECRET = 'AKIAOTHERUSERKEY0001', 'other-user-secret-not-real'


class CloudTrailTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.fake.control('POST', '/_fake/cloudtrail', {'delay': 0})
        self.fake.control('POST', '/_fake/keys', {'user': 'alice', 'access_key': OTHER_KEY,
                                                  'secret_key': OTHER_SECRET})
        self.ct = self.fake.client('cloudtrail')
        time.sleep(1.0)         # a full LookupEvents bucket for every test

    def by_name(self, name, **kw):
        return self.ct.lookup_events(LookupAttributes=[{'AttributeKey': 'ResourceName', 'AttributeValue': name}],
                                     **kw)['Events']

    def test_a_write_by_another_users_key_names_that_user(self):
        ec2 = self.fake.client('ec2', key=OTHER_KEY, secret=OTHER_SECRET)
        vpc = self.fake.client('ec2').create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        sg = self.fake.client('ec2').create_security_group(GroupName='web', Description='w', VpcId=vpc)['GroupId']
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])
        events = self.by_name(sg)
        # newest first: the ingress rule, then the group's creation
        self.assertEqual([e['EventName'] for e in events if e['ReadOnly'] == 'false'],
                         ['AuthorizeSecurityGroupIngress', 'CreateSecurityGroup'])
        ev = events[0]
        self.assertEqual(ev['Username'], 'alice')
        self.assertEqual(ev['AccessKeyId'], OTHER_KEY)
        self.assertEqual(ev['EventSource'], 'ec2.amazonaws.com')
        self.assertIn({'ResourceType': 'AWS::EC2::SecurityGroup', 'ResourceName': sg}, ev['Resources'])
        self.assertIsInstance(ev['EventTime'], datetime.datetime)
        detail = json.loads(ev['CloudTrailEvent'])
        self.assertEqual(detail['userIdentity']['type'], 'IAMUser')
        self.assertEqual(detail['userIdentity']['arn'], 'arn:aws:iam::123456789012:user/alice')
        self.assertEqual(detail['sourceIPAddress'], '127.0.0.1')
        self.assertIn('Boto3', detail['userAgent'])
        self.assertIs(detail['readOnly'], False)
        self.assertEqual(detail['eventName'], 'AuthorizeSecurityGroupIngress')
        self.assertEqual(detail['requestParameters']['GroupId'], sg)
        # the creation was made with the fake's own key, and names its VPC
        self.assertEqual(json.loads(events[1]['CloudTrailEvent'])['userIdentity']['arn'],
                         'arn:aws:iam::123456789012:user/driftd-test')
        self.assertIn({'ResourceType': 'AWS::EC2::VPC', 'ResourceName': vpc}, events[1]['Resources'])
        created = [e for e in self.by_name(vpc) if e['EventName'] == 'CreateVpc'][0]
        self.assertEqual(created['Resources'], [{'ResourceType': 'AWS::EC2::VPC', 'ResourceName': vpc}])

    def test_an_assumed_role_session_is_recorded_as_aws_gives_it(self):
        iam = self.fake.client('iam')
        role = iam.create_role(RoleName='ops', AssumeRolePolicyDocument='{}')['Role']['Arn']
        creds = self.fake.client('sts').assume_role(RoleArn=role, RoleSessionName='bob')['Credentials']
        sess = self.fake.client('sns', key=creds['AccessKeyId'], secret=creds['SecretAccessKey'],
                                )
        self.assertEqual(self.fake.client('sts', key=creds['AccessKeyId'], secret=creds['SecretAccessKey'])
                         .get_caller_identity()['Arn'], 'arn:aws:sts::123456789012:assumed-role/ops/bob')
        topic = sess.create_topic(Name='alerts')['TopicArn']
        ev = self.by_name(topic)[0]
        self.assertEqual(ev['Username'], 'bob')
        ident = json.loads(ev['CloudTrailEvent'])['userIdentity']
        self.assertEqual(ident['type'], 'AssumedRole')
        self.assertEqual(ident['arn'], 'arn:aws:sts::123456789012:assumed-role/ops/bob')
        self.assertEqual(ident['sessionContext']['sessionIssuer']['arn'], role)
        self.assertEqual(ident['accessKeyId'], creds['AccessKeyId'])

    def test_secrets_never_reach_request_parameters(self):
        sm = self.fake.client('secretsmanager')
        sm.create_secret(Name='db', SecretString='hunter2-not-shown')
        events = self.fake.control('GET', '/_fake/cloudtrail')['events']
        self.assertNotIn('hunter2-not-shown', json.dumps(events))

    def test_time_window_paging_and_max_results(self):
        sns = self.fake.client('sns')
        arn = sns.create_topic(Name='t')['TopicArn']
        for i in range(4):
            sns.set_topic_attributes(TopicArn=arn, AttributeName='DisplayName', AttributeValue='v%d' % i)
        time.sleep(1.0)
        first = self.ct.lookup_events(LookupAttributes=[{'AttributeKey': 'ResourceName', 'AttributeValue': arn}],
                                      MaxResults=2)
        self.assertEqual(len(first['Events']), 2)
        self.assertIn('NextToken', first)
        time.sleep(0.6)
        rest = self.ct.lookup_events(LookupAttributes=[{'AttributeKey': 'ResourceName', 'AttributeValue': arn}],
                                     MaxResults=50, NextToken=first['NextToken'])
        names = [e['EventName'] for e in first['Events'] + rest['Events']]
        self.assertEqual(names, ['SetTopicAttributes'] * 4 + ['CreateTopic'])
        self.assertNotIn('NextToken', rest)
        times = [e['EventTime'] for e in first['Events'] + rest['Events']]
        self.assertEqual(times, sorted(times, reverse=True))
        # a token is good only with the parameters it was made for
        time.sleep(0.6)
        self.assertAwsError('InvalidNextTokenException', self.ct.lookup_events, NextToken=first['NextToken'])
        time.sleep(0.6)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(self.by_name(arn, StartTime=future, EndTime=future + datetime.timedelta(hours=1)), [])
        time.sleep(0.6)
        self.assertAwsError('InvalidTimeRangeException', self.ct.lookup_events, StartTime=future,
                            EndTime=future - datetime.timedelta(hours=2))
        time.sleep(0.6)
        self.assertAwsError('InvalidLookupAttributesException', self.ct.lookup_events, LookupAttributes=[
            {'AttributeKey': 'ResourceName', 'AttributeValue': arn},
            {'AttributeKey': 'EventName', 'AttributeValue': 'CreateTopic'}])
        time.sleep(0.6)
        by_event = self.ct.lookup_events(LookupAttributes=[{'AttributeKey': 'EventName',
                                                            'AttributeValue': 'CreateTopic'}])['Events']
        self.assertEqual([e['EventName'] for e in by_event], ['CreateTopic'])

    def test_more_than_two_lookups_a_second_are_throttled(self):
        codes = []
        from botocore.exceptions import ClientError
        for _ in range(4):
            try:
                self.ct.lookup_events(MaxResults=1)
                codes.append('ok')
            except ClientError as e:
                codes.append(e.response['Error']['Code'])
        self.assertEqual(codes[:2], ['ok', 'ok'])
        self.assertIn('ThrottlingException', codes[2:])
        time.sleep(1.0)
        self.ct.lookup_events(MaxResults=1)

    def test_delayed_events_are_invisible_until_the_delay_passes(self):
        self.fake.control('POST', '/_fake/cloudtrail', {'delay': 1.5})
        arn = self.fake.client('sns').create_topic(Name='late')['TopicArn']
        self.assertEqual(self.by_name(arn), [])
        time.sleep(1.6)
        self.assertEqual([e['EventName'] for e in self.by_name(arn)], ['CreateTopic'])

    def test_reads_are_recorded_read_only(self):
        iam = self.fake.client('iam')
        iam.create_role(RoleName='r1', AssumeRolePolicyDocument='{}')
        iam.get_role(RoleName='r1')
        events = self.by_name('r1')
        self.assertEqual([(e['EventName'], e['ReadOnly']) for e in events],
                         [('GetRole', 'true'), ('CreateRole', 'false')])
        self.assertEqual(events[1]['Resources'][0], {'ResourceType': 'AWS::IAM::Role', 'ResourceName': 'r1'})
        self.assertEqual(events[0]['AccessKeyId'], AKID)


class CloudTrailRestartTest(unittest.TestCase):
    def test_write_events_outlive_a_restart_and_reads_do_not(self):
        import shutil
        import tempfile
        from harness import FakeServer
        state = tempfile.mkdtemp(prefix='fakeaws-ct-')
        try:
            fake = FakeServer(state_dir=state).start()
            arn = fake.client('sns').create_topic(Name='kept')['TopicArn']
            fake.client('sns').get_topic_attributes(TopicArn=arn)
            self.assertEqual(fake.stop(), 0)
            fake.close_clients()
            fake = FakeServer(state_dir=state).start()
            try:
                events = fake.client('cloudtrail').lookup_events(LookupAttributes=[
                    {'AttributeKey': 'ResourceName', 'AttributeValue': arn}])['Events']
                self.assertEqual([e['EventName'] for e in events], ['CreateTopic'])
            finally:
                fake.cleanup()
        finally:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == '__main__':
    unittest.main()
