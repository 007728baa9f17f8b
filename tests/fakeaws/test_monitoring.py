"""SNS, CloudWatch and CloudWatch Logs round trips; published messages and
metric data are visible through the control API."""
import json
import unittest

from harness import FakeTestCase


class SnsTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.sns = self.fake.client('sns')

    def test_topic_round_trip(self):
        arn = self.sns.create_topic(Name='alerts', Tags=[{'Key': 'a', 'Value': '1'}])['TopicArn']
        self.assertEqual(arn, 'arn:aws:sns:us-east-1:123456789012:alerts')
        self.assertEqual(self.sns.create_topic(Name='alerts')['TopicArn'], arn)
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName='DisplayName', AttributeValue='Alerts')
        attrs = self.sns.get_topic_attributes(TopicArn=arn)['Attributes']
        self.assertEqual((attrs['DisplayName'], attrs['Owner']), ('Alerts', '123456789012'))
        self.assertAwsError('InvalidParameter', self.sns.set_topic_attributes, TopicArn=arn,
                            AttributeName='Bogus', AttributeValue='x')
        self.sns.tag_resource(ResourceArn=arn, Tags=[{'Key': 'b', 'Value': '2'}])
        self.sns.untag_resource(ResourceArn=arn, TagKeys=['a'])
        self.assertEqual(self.sns.list_tags_for_resource(ResourceArn=arn)['Tags'], [{'Key': 'b', 'Value': '2'}])
        self.sns.delete_topic(TopicArn=arn)
        self.assertAwsError('NotFound', self.sns.get_topic_attributes, TopicArn=arn)

    def test_list_topics_paginates(self):
        arns = {self.sns.create_topic(Name='t%d' % i)['TopicArn'] for i in range(7)}
        self.assertIn('NextToken', self.sns.list_topics())
        seen = {t['TopicArn'] for p in self.sns.get_paginator('list_topics').paginate() for t in p['Topics']}
        self.assertEqual(seen, arns)

    def test_subscriptions(self):
        arn = self.sns.create_topic(Name='t')['TopicArn']
        sub = self.sns.subscribe(TopicArn=arn, Protocol='email', Endpoint='ops@example.com')['SubscriptionArn']
        self.assertTrue(sub.startswith(arn + ':'))
        subs = self.sns.list_subscriptions_by_topic(TopicArn=arn)['Subscriptions']
        self.assertEqual([(s['Protocol'], s['Endpoint']) for s in subs], [('email', 'ops@example.com')])
        self.assertEqual(len(self.sns.list_subscriptions()['Subscriptions']), 1)
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=sub)['Attributes']
        self.assertEqual((attrs['Endpoint'], attrs['RawMessageDelivery']), ('ops@example.com', 'false'))
        self.sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName='RawMessageDelivery',
                                             AttributeValue='true')
        attrs = self.sns.get_subscription_attributes(SubscriptionArn=sub)['Attributes']
        self.assertEqual(attrs['RawMessageDelivery'], 'true')
        self.sns.unsubscribe(SubscriptionArn=sub)
        self.assertEqual(self.sns.list_subscriptions()['Subscriptions'], [])

    def test_publish_is_recorded_with_attributes(self):
        arn = self.sns.create_topic(Name='t')['TopicArn']
        mid = self.sns.publish(TopicArn=arn, Message='drift found', Subject='driftd',
                               MessageAttributes={'severity': {'DataType': 'String', 'StringValue': 'high'}})['MessageId']
        pub = self.fake.control('GET', '/_fake/published')['sns']
        self.assertEqual(len(pub), 1)
        self.assertEqual((pub[0]['MessageId'], pub[0]['Message'], pub[0]['Subject']), (mid, 'drift found', 'driftd'))
        self.assertEqual(pub[0]['MessageAttributes']['severity']['StringValue'], 'high')
        self.assertAwsError('NotFound', self.sns.publish, TopicArn=arn + 'x', Message='m')


class CloudWatchTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.cw = self.fake.client('cloudwatch')

    def _alarm(self, name, **kw):
        args = dict(AlarmName=name, MetricName='Drift', Namespace='driftd', Statistic='Sum', Period=60,
                    EvaluationPeriods=1, Threshold=1.0, ComparisonOperator='GreaterThanOrEqualToThreshold')
        args.update(kw)
        self.cw.put_metric_alarm(**args)

    def test_put_metric_data_is_recorded(self):
        self.cw.put_metric_data(Namespace='driftd', MetricData=[
            {'MetricName': 'ResourcesDrifted', 'Value': 3.0, 'Unit': 'Count',
             'Dimensions': [{'Name': 'Service', 'Value': 'ec2'}]}])
        data = self.fake.control('GET', '/_fake/published')['cloudwatch']
        self.assertEqual([(d['Namespace'], d['MetricName'], d['Value']) for d in data],
                         [('driftd', 'ResourcesDrifted', 3.0)])
        self.assertEqual(data[0]['Dimensions'], [{'Name': 'Service', 'Value': 'ec2'}])

    def test_alarm_round_trip_and_pagination(self):
        for i in range(7):
            self._alarm('a%d' % i, AlarmActions=['arn:aws:sns:us-east-1:123456789012:t'])
        first = self.cw.describe_alarms()
        self.assertIn('NextToken', first)
        names = [a['AlarmName'] for p in self.cw.get_paginator('describe_alarms').paginate() for a in p['MetricAlarms']]
        self.assertEqual(names, ['a%d' % i for i in range(7)])
        self._alarm('a0', Threshold=5.0)
        got = self.cw.describe_alarms(AlarmNames=['a0'])['MetricAlarms'][0]
        self.assertEqual((got['Threshold'], got['StateValue']), (5.0, 'INSUFFICIENT_DATA'))
        self.assertEqual(got['AlarmArn'], 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:a0')
        self.cw.tag_resource(ResourceARN=got['AlarmArn'], Tags=[{'Key': 'k', 'Value': 'v'}])
        self.assertEqual(self.cw.list_tags_for_resource(ResourceARN=got['AlarmArn'])['Tags'], [{'Key': 'k', 'Value': 'v'}])
        self.cw.delete_alarms(AlarmNames=['a%d' % i for i in range(7)])
        self.assertEqual(self.cw.describe_alarms()['MetricAlarms'], [])
        self.assertAwsError('ResourceNotFound', self.cw.delete_alarms, AlarmNames=['a0'])

    def test_dashboards(self):
        body = json.dumps({'widgets': []})
        self.cw.put_dashboard(DashboardName='ops', DashboardBody=body)
        got = self.cw.get_dashboard(DashboardName='ops')
        self.assertEqual((got['DashboardBody'], got['DashboardArn']),
                         (body, 'arn:aws:cloudwatch::123456789012:dashboard/ops'))
        self.assertEqual([d['DashboardName'] for d in self.cw.list_dashboards()['DashboardEntries']], ['ops'])
        self.assertAwsError('InvalidParameterInput', self.cw.put_dashboard, DashboardName='bad', DashboardBody='[1')
        self.cw.delete_dashboards(DashboardNames=['ops'])
        self.assertAwsError('ResourceNotFound', self.cw.get_dashboard, DashboardName='ops')


class LogsTest(FakeTestCase):
    def test_log_group_retention_tags_and_pagination(self):
        logs = self.fake.client('logs')
        for i in range(6):
            logs.create_log_group(logGroupName='/driftd/g%d' % i, tags={'team': 'infra'})
        self.assertAwsError('ResourceAlreadyExistsException', logs.create_log_group, logGroupName='/driftd/g0')
        logs.put_retention_policy(logGroupName='/driftd/g0', retentionInDays=30)
        self.assertAwsError('InvalidParameterException', logs.put_retention_policy, logGroupName='/driftd/g0',
                            retentionInDays=31)
        first = logs.describe_log_groups(logGroupNamePrefix='/driftd/')
        self.assertIn('nextToken', first)
        self.assertEqual(first['logGroups'][0]['retentionInDays'], 30)
        self.assertEqual(first['logGroups'][0]['arn'], 'arn:aws:logs:us-east-1:123456789012:log-group:/driftd/g0:*')
        names = [g['logGroupName'] for p in logs.get_paginator('describe_log_groups').paginate() for g in p['logGroups']]
        self.assertEqual(len(names), 6)
        logs.delete_retention_policy(logGroupName='/driftd/g0')
        logs.tag_log_group(logGroupName='/driftd/g0', tags={'env': 'dev'})
        self.assertEqual(logs.list_tags_log_group(logGroupName='/driftd/g0')['tags'], {'team': 'infra', 'env': 'dev'})
        logs.delete_log_group(logGroupName='/driftd/g0')
        self.assertAwsError('ResourceNotFoundException', logs.delete_log_group, logGroupName='/driftd/g0')


if __name__ == '__main__':
    unittest.main()
