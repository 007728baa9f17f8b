"""SQS against boto3 and awscli: queues, attributes, tags, messages,
visibility and redelivery, and real long polling (a poll answers as soon
as a message arrives, and after WaitTimeSeconds without one, while other
calls go on)."""
import json
import os
import subprocess
import threading
import time
import unittest

from harness import FakeTestCase, AKID, SECRET

ACCOUNT = '123456789012'


class SqsTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.sqs = self.fake.client('sqs', read_timeout=30)

    def queue(self, name='q', **attrs):
        return self.sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attrs.items()})['QueueUrl']

    def test_create_queue_defaults_url_arn_and_idempotence(self):
        url = self.queue('jobs')
        self.assertEqual(url, 'https://sqs.us-east-1.amazonaws.com/%s/jobs' % ACCOUNT)
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertEqual(a['QueueArn'], 'arn:aws:sqs:us-east-1:%s:jobs' % ACCOUNT)
        for k, v in (('VisibilityTimeout', '30'), ('MessageRetentionPeriod', '345600'), ('DelaySeconds', '0'),
                     ('ReceiveMessageWaitTimeSeconds', '0'), ('MaximumMessageSize', '1048576'),
                     ('SqsManagedSseEnabled', 'true'), ('ApproximateNumberOfMessages', '0')):
            self.assertEqual(a[k], v, k)
        self.assertNotIn('Policy', a)
        self.assertEqual(self.queue('jobs'), url)                   # same attributes: the same queue
        self.assertAwsError('QueueAlreadyExists', self.queue, 'jobs', VisibilityTimeout=5)
        self.assertEqual(self.sqs.get_queue_url(QueueName='jobs', QueueOwnerAWSAccountId=ACCOUNT)['QueueUrl'], url)

    def test_errors_name_the_query_code(self):
        r = self.assertAwsError('AWS.SimpleQueueService.NonExistentQueue', self.sqs.get_queue_url, QueueName='nope')
        self.assertEqual(r['ResponseMetadata']['HTTPHeaders']['x-amzn-query-error'],
                         'AWS.SimpleQueueService.NonExistentQueue;Sender')
        self.assertAwsError('AWS.SimpleQueueService.NonExistentQueue', self.sqs.get_queue_url, QueueName='q',
                            QueueOwnerAWSAccountId='999999999999')
        url = self.queue()
        self.assertAwsError('InvalidAttributeValue', self.sqs.set_queue_attributes, QueueUrl=url,
                            Attributes={'VisibilityTimeout': '43201'})
        self.assertAwsError('InvalidAttributeValue', self.sqs.set_queue_attributes, QueueUrl=url,
                            Attributes={'Policy': 'not json'})
        self.assertAwsError('InvalidParameterValue', self.sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
        self.assertAwsError('InvalidParameterValue', self.sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)
        self.assertAwsError('ReceiptHandleIsInvalid', self.sqs.delete_message, QueueUrl=url, ReceiptHandle='nope')

    def test_set_attributes_policy_and_encryption(self):
        url = self.queue()
        policy = json.dumps({'Version': '2012-10-17', 'Statement': []})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={'Policy': policy, 'KmsMasterKeyId': 'alias/k'})
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['Policy', 'KmsMasterKeyId',
                                                                         'SqsManagedSseEnabled'])['Attributes']
        self.assertEqual(a, {'Policy': policy, 'KmsMasterKeyId': 'alias/k', 'SqsManagedSseEnabled': 'false'})
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={'SqsManagedSseEnabled': 'true'})
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['All'])['Attributes']
        self.assertNotIn('KmsMasterKeyId', a)
        self.assertEqual(a['SqsManagedSseEnabled'], 'true')

    def test_tags_list_and_delete(self):
        url = self.sqs.create_queue(QueueName='tagged', tags={'team': 'ops'})['QueueUrl']
        self.sqs.tag_queue(QueueUrl=url, Tags={'env': 'dev'})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=['team'])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)['Tags'], {'env': 'dev'})
        for n in ('a1', 'a2', 'b1'):
            self.queue(n)
        self.assertEqual(len(self.sqs.list_queues(QueueNamePrefix='a')['QueueUrls']), 2)
        page = self.sqs.list_queues(MaxResults=2)
        self.assertEqual(len(page['QueueUrls']), 2)
        rest = self.sqs.list_queues(MaxResults=2, NextToken=page['NextToken'])['QueueUrls']
        self.assertEqual(len(page['QueueUrls'] + rest), 4)
        self.sqs.delete_queue(QueueUrl=url)
        self.assertAwsError('AWS.SimpleQueueService.NonExistentQueue', self.sqs.list_queue_tags, QueueUrl=url)
        # "You must wait 60 seconds after deleting a queue before you can create another with the same name"
        self.assertAwsError('AWS.SimpleQueueService.QueueDeletedRecently', self.queue, 'tagged')
        self.fake.control('POST', '/_fake/clock', {'advance': 61})
        self.queue('tagged')

    def test_send_receive_delete_and_md5(self):
        url = self.queue()
        sent = self.sqs.send_message(QueueUrl=url, MessageBody='hello',
                                     MessageAttributes={'kind': {'DataType': 'String', 'StringValue': 'drift'}})
        self.assertEqual(sent['MD5OfMessageBody'], '5d41402abc4b2a76b9719d911017c592')   # md5("hello")
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=['All'],
                                       MessageSystemAttributeNames=['ApproximateReceiveCount'])['Messages']
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual((m['MessageId'], m['Body']), (sent['MessageId'], 'hello'))
        self.assertEqual(m['MessageAttributes']['kind']['StringValue'], 'drift')
        self.assertEqual(m['MD5OfMessageAttributes'], sent['MD5OfMessageAttributes'])
        self.assertEqual(m['Attributes'], {'ApproximateReceiveCount': '1'})
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessages',
                                                                         'ApproximateNumberOfMessagesNotVisible'])
        self.assertEqual(a['Attributes'], {'ApproximateNumberOfMessages': '0',
                                           'ApproximateNumberOfMessagesNotVisible': '1'})
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])   # again: still a success
        self.fake.control('POST', '/_fake/clock', {'advance': 60})
        self.assertNotIn('Messages', self.sqs.receive_message(QueueUrl=url))

    def test_at_most_ten_per_receive_and_batch_delete(self):
        url = self.queue()
        for i in range(12):
            self.sqs.send_message(QueueUrl=url, MessageBody='m%d' % i)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)['Messages']
        self.assertEqual(len(got), 10)
        entries = [{'Id': 'e%d' % i, 'ReceiptHandle': m['ReceiptHandle']} for i, m in enumerate(got)]
        r = self.sqs.delete_message_batch(QueueUrl=url, Entries=entries[:9] + [{'Id': 'bad', 'ReceiptHandle': 'x'}])
        self.assertEqual(len(r['Successful']), 9)
        self.assertEqual([(f['Id'], f['Code']) for f in r['Failed']], [('bad', 'ReceiptHandleIsInvalid')])
        self.assertAwsError('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', self.sqs.delete_message_batch,
                            QueueUrl=url, Entries=[{'Id': 'i%d' % i, 'ReceiptHandle': 'x'} for i in range(11)])
        self.assertAwsError('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', self.sqs.delete_message_batch,
                            QueueUrl=url, Entries=[{'Id': 'a', 'ReceiptHandle': 'x'}] * 2)
        self.assertAwsError('AWS.SimpleQueueService.EmptyBatchRequest', self.sqs.delete_message_batch,
                            QueueUrl=url, Entries=[])
        self.assertAwsError('AWS.SimpleQueueService.InvalidBatchEntryId', self.sqs.delete_message_batch,
                            QueueUrl=url, Entries=[{'Id': 'a b', 'ReceiptHandle': 'x'}])

    def test_visibility_timeout_redelivers_with_a_new_handle(self):
        url = self.queue(VisibilityTimeout=30)
        self.sqs.send_message(QueueUrl=url, MessageBody='again')
        first = self.sqs.receive_message(QueueUrl=url)['Messages'][0]
        self.assertNotIn('Messages', self.sqs.receive_message(QueueUrl=url))      # in flight
        self.fake.control('POST', '/_fake/clock', {'advance': 31})
        second = self.sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=['ApproximateReceiveCount'])['Messages'][0]
        self.assertEqual(second['MessageId'], first['MessageId'])
        self.assertNotEqual(second['ReceiptHandle'], first['ReceiptHandle'])
        self.assertEqual(second['Attributes']['ApproximateReceiveCount'], '2')
        # an old handle deletes nothing
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first['ReceiptHandle'])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second['ReceiptHandle'], VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)['Messages'][0]
        self.assertEqual(third['MessageId'], first['MessageId'])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=third['ReceiptHandle'])
        self.assertAwsError('AWS.SimpleQueueService.MessageNotInflight', self.sqs.change_message_visibility,
                            QueueUrl=url, ReceiptHandle=third['ReceiptHandle'], VisibilityTimeout=10)

    def test_delay_seconds(self):
        url = self.queue(DelaySeconds=10)
        self.sqs.send_message(QueueUrl=url, MessageBody='later')
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['ApproximateNumberOfMessagesDelayed'])
        self.assertEqual(a['Attributes'], {'ApproximateNumberOfMessagesDelayed': '1'})
        self.assertNotIn('Messages', self.sqs.receive_message(QueueUrl=url))
        self.fake.control('POST', '/_fake/clock', {'advance': 11})
        self.assertEqual(self.sqs.receive_message(QueueUrl=url)['Messages'][0]['Body'], 'later')

    def test_long_poll_answers_when_a_message_arrives(self):
        url = self.queue()
        other = self.fake.client('sqs')

        def send():
            time.sleep(0.4)
            other.send_message(QueueUrl=url, MessageBody='wake')
        t = threading.Thread(target=send)
        start = time.monotonic()
        t.start()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        took = time.monotonic() - start
        t.join()
        self.assertEqual(got['Messages'][0]['Body'], 'wake')
        self.assertGreaterEqual(took, 0.35)
        self.assertLess(took, 2.0)

    def test_long_poll_waits_the_whole_wait_time_and_others_go_on(self):
        url = self.queue(ReceiveMessageWaitTimeSeconds=2)     # the queue's default wait
        result = {}

        def poll():
            start = time.monotonic()
            result['got'] = self.sqs.receive_message(QueueUrl=url)
            result['took'] = time.monotonic() - start
        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.2)
        other = self.fake.client('sqs')
        start = time.monotonic()
        other.list_queues()
        self.assertLess(time.monotonic() - start, 1.0)            # not held up by the poll
        t.join()
        self.assertNotIn('Messages', result['got'])
        self.assertGreaterEqual(result['took'], 1.9)
        self.assertLess(result['took'], 4.0)

    def test_message_operations_are_data_events(self):
        # CloudTrail's event history does not record SQS message operations
        url = self.queue()
        self.sqs.send_message(QueueUrl=url, MessageBody='x')
        m = self.sqs.receive_message(QueueUrl=url)['Messages'][0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
        names = [e['EventName'] for e in self.fake.control('GET', '/_fake/cloudtrail')['events']]
        self.assertIn('CreateQueue', names)
        self.assertFalse({'SendMessage', 'ReceiveMessage', 'DeleteMessage'} & set(names), names)


class SqsShutdownTest(unittest.TestCase):
    def test_a_long_poll_does_not_hold_up_shutdown(self):
        from harness import FakeServer
        fake = FakeServer().start()
        try:
            sqs = fake.client('sqs', read_timeout=30)
            url = sqs.create_queue(QueueName='q')['QueueUrl']
            t = threading.Thread(target=lambda: self.assertRaises(Exception, sqs.receive_message,
                                                                  QueueUrl=url, WaitTimeSeconds=20))
            t.daemon = True
            t.start()
            time.sleep(0.3)
            start = time.monotonic()
            self.assertEqual(fake.stop(), 0)
            self.assertLess(time.monotonic() - start, 3.0)
        finally:
            fake.cleanup()


class SqsRestartTest(unittest.TestCase):
    def test_queues_and_messages_survive_a_restart(self):
        import tempfile
        import shutil
        from harness import FakeServer
        d = tempfile.mkdtemp(prefix='fakeaws-sqs-')
        try:
            fake = FakeServer(state_dir=d).start()
            sqs = fake.client('sqs')
            url = sqs.create_queue(QueueName='kept', tags={'k': 'v'})['QueueUrl']
            sent = sqs.send_message(QueueUrl=url, MessageBody='survives')['MessageId']
            fake.cleanup()
            fake = FakeServer(state_dir=d).start()
            sqs = fake.client('sqs')
            self.assertEqual(sqs.list_queue_tags(QueueUrl=url)['Tags'], {'k': 'v'})
            got = sqs.receive_message(QueueUrl=url)['Messages']
            self.assertEqual([(m['MessageId'], m['Body']) for m in got], [(sent, 'survives')])
            fake.cleanup()
        finally:
            shutil.rmtree(d, ignore_errors=True)


class SqsAwsCliTest(FakeTestCase):
    def aws(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION='us-east-1',
                   AWS_EC2_METADATA_DISABLED='true', AWS_PAGER='', AWS_CONFIG_FILE='/dev/null',
                   AWS_SHARED_CREDENTIALS_FILE='/dev/null')
        env.pop('AWS_PROFILE', None)
        env.pop('AWS_SESSION_TOKEN', None)
        return subprocess.run(['/usr/bin/aws', '--endpoint-url', self.fake.url, '--output', 'json'] + list(args),
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)

    def test_awscli_queue_round_trip(self):
        p = self.aws('sqs', 'create-queue', '--queue-name', 'cli')
        self.assertEqual(p.returncode, 0, p.stderr)
        url = json.loads(p.stdout)['QueueUrl']
        self.assertEqual(self.aws('sqs', 'send-message', '--queue-url', url, '--message-body', 'x').returncode, 0)
        p = self.aws('sqs', 'receive-message', '--queue-url', url, '--wait-time-seconds', '1')
        self.assertEqual(json.loads(p.stdout)['Messages'][0]['Body'], 'x')
        p = self.aws('sqs', 'get-queue-url', '--queue-name', 'missing')
        self.assertEqual(p.returncode, 254)
        self.assertIn('AWS.SimpleQueueService.NonExistentQueue', p.stderr)


if __name__ == '__main__':
    unittest.main()
