"""The fake's framework: signatures, skew, validation, routing per
protocol, faults, the control API and persistence.  boto3 is the oracle:
it must parse every response and error the fake sends."""
import json
import os
import threading
import time
import unittest
import urllib.error
import urllib.request
import email.utils

from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from harness import FakeServer, FakeTestCase


class AuthTest(FakeTestCase):
    def test_bad_signature_query_service(self):
        sts = self.fake.client('sts', secret='wrong-secret')
        resp = self.assertAwsError('SignatureDoesNotMatch', sts.get_caller_identity)
        self.assertEqual(resp['ResponseMetadata']['HTTPStatusCode'], 403)
        self.assertTrue(resp['ResponseMetadata']['RequestId'])

    def test_bad_signature_json_service(self):
        logs = self.fake.client('logs', secret='wrong-secret')
        self.assertAwsError('InvalidSignatureException', logs.describe_log_groups)

    def test_bad_signature_ec2(self):
        self.assertAwsError('AuthFailure', self.fake.client('ec2', secret='wrong').describe_vpcs)

    def test_unknown_access_key(self):
        self.assertAwsError('InvalidClientTokenId', self.fake.client('sns', key='AKIDUNKNOWN').list_topics)
        self.assertAwsError('UnrecognizedClientException', self.fake.client('logs', key='AKIDUNKNOWN').describe_log_groups)

    def test_good_signature_with_awkward_parameters_accepted(self):
        sns = self.fake.client('sns')
        arn = sns.create_topic(Name='t', Attributes={'DisplayName': 'a b+c/d=e&f~%20'})['TopicArn']
        self.assertEqual(sns.get_topic_attributes(TopicArn=arn)['Attributes']['DisplayName'], 'a b+c/d=e&f~%20')

    def test_skew_rejected_with_date_to_correct_by(self):
        self.fake.control('POST', '/_fake/faults', {'kind': 'skew', 'seconds': 3600})
        resp = self.assertAwsError('RequestTimeTooSkewed', self.fake.client('sns').list_topics)
        server_date = email.utils.parsedate_to_datetime(resp['ResponseMetadata']['HTTPHeaders']['date'])
        self.assertAlmostEqual(server_date.timestamp(), time.time() + 3600, delta=60)
        resp = self.assertAwsError('InvalidSignatureException', self.fake.client('logs').describe_log_groups)
        self.assertIn('Signature expired', resp['Error']['Message'])
        self.assertAwsError('RequestExpired', self.fake.client('ec2').describe_vpcs)

    def test_date_is_the_clock_that_judged_the_request(self):
        # A skew set while a request is in the handler (here held by a
        # latency fault after its signature was checked) must not change
        # the Date of its answer: a client corrects its clock by that Date,
        # and a Date the check did not use sends it the wrong way.
        self.fake.control('POST', '/_fake/faults', {'kind': 'latency', 'ms': 1500,
                                                    'service': 'sns', 'op': 'ListTopics'})
        later = threading.Timer(0.5, self.fake.control, ('POST', '/_fake/faults',
                                                         {'kind': 'skew', 'seconds': 3600}))
        later.start()
        try:
            resp = self.fake.client('sns').list_topics()
        finally:
            later.join()
        server_date = email.utils.parsedate_to_datetime(resp['ResponseMetadata']['HTTPHeaders']['date'])
        self.assertAlmostEqual(server_date.timestamp(), time.time(), delta=60)

    def test_small_skew_accepted(self):
        self.fake.control('POST', '/_fake/faults', {'kind': 'skew', 'seconds': 300})
        self.assertEqual(self.fake.client('sns').list_topics()['Topics'], [])

    def test_unsigned_request_rejected(self):
        req = urllib.request.Request(self.fake.url + '/', data=b'Action=ListTopics&Version=2010-03-31', method='POST',
                                     headers={'Content-Type': 'application/x-www-form-urlencoded'})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(cm.exception.code, 403)
        self.assertIn(b'MissingAuthenticationToken', cm.exception.read())
        cm.exception.close()


class ProtocolTest(FakeTestCase):
    def test_chunked_request_body_is_read(self):
        import http.client
        conn = http.client.HTTPConnection('127.0.0.1', self.fake.port, timeout=5)
        conn.putrequest('POST', '/_fake/faults')
        conn.putheader('Transfer-Encoding', 'chunked')
        conn.putheader('Content-Type', 'application/json')
        conn.endheaders()
        doc = json.dumps({'kind': 'latency', 'ms': 1}).encode()
        for part in (doc[:7], doc[7:]):
            conn.send(b'%x\r\n%s\r\n' % (len(part), part))
        conn.send(b'0\r\n\r\n')
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(json.loads(resp.read())['faults'][0]['ms'], 1)
        conn.close()

    def test_validation_error_names_member_query(self):
        sns = self.fake.client('sns', validate=False)
        resp = self.assertAwsError('ValidationError', sns.create_topic)
        self.assertIn('Name', resp['Error']['Message'])

    def test_validation_error_names_member_json(self):
        logs = self.fake.client('logs', validate=False)
        resp = self.assertAwsError('ValidationException', logs.put_retention_policy, retentionInDays=7)
        self.assertIn('logGroupName', resp['Error']['Message'])

    def test_enum_violation_rejected(self):
        cw = self.fake.client('cloudwatch', validate=False)
        resp = self.assertAwsError('ValidationError', cw.put_metric_alarm, AlarmName='a', EvaluationPeriods=1,
                                   ComparisonOperator='Bogus', MetricName='m', Namespace='n', Period=60,
                                   Statistic='Average', Threshold=1.0)
        self.assertIn('ComparisonOperator', resp['Error']['Message'])

    def test_unimplemented_operations_say_so_in_each_protocol(self):
        for service, call, args in (('eks', 'list_fargate_profiles', {'clusterName': 'c'}),
                                    ('route53', 'list_traffic_policies', {}),
                                    ('s3', 'get_bucket_cors', {'Bucket': 'b'}),
                                    ('kms', 'encrypt', {'KeyId': 'k', 'Plaintext': b'x'}),
                                    ('ec2', 'describe_instances', {})):
            with self.subTest(service=service):
                with self.assertRaises(ClientError) as cm:
                    getattr(self.fake.client(service), call)(**args)
                err = cm.exception.response
                self.assertEqual(err['Error']['Code'], 'NotImplemented')
                self.assertEqual(err['ResponseMetadata']['HTTPStatusCode'], 501)
                self.assertIn(''.join(w.capitalize() for w in call.split('_')), err['Error']['Message'])
        calls = self.fake.control('GET', '/_fake/calls?service=s3')['calls']
        self.assertEqual([c['operation'] for c in calls], ['GetBucketCors'])


class FaultTest(FakeTestCase):
    def test_throttle_next_n_calls(self):
        self.fake.control('POST', '/_fake/faults', {'service': 'sns', 'operation': 'ListTopics', 'kind': 'throttle',
                                                    'count': 2})
        sns = self.fake.client('sns')
        self.assertAwsError('Throttling', sns.list_topics)
        self.assertAwsError('Throttling', sns.list_topics)
        sns.list_topics()
        self.assertEqual(self.fake.control('GET', '/_fake/faults')['faults'], [])

    def test_throttle_is_retried_by_sdk(self):
        self.fake.control('POST', '/_fake/faults', {'service': 'ec2', 'kind': 'throttle', 'count': 1})
        ec2 = self.fake.client('ec2', retries=3)
        self.assertEqual(ec2.describe_vpcs()['Vpcs'], [])
        calls = self.fake.control('GET', '/_fake/calls?operation=DescribeVpcs')['calls']
        self.assertEqual([c['code'] for c in calls], ['RequestLimitExceeded', None])

    def test_server_error_rate(self):
        self.fake.control('POST', '/_fake/faults', {'service': 'logs', 'kind': 'error', 'rate': 1.0, 'status': 503})
        resp = self.assertAwsError('InternalFailure', self.fake.client('logs').describe_log_groups)
        self.assertEqual(resp['ResponseMetadata']['HTTPStatusCode'], 503)

    def test_latency(self):
        self.fake.control('POST', '/_fake/faults', {'service': 'sts', 'kind': 'latency', 'ms': 400})
        start = time.monotonic()
        self.fake.client('sts').get_caller_identity()
        self.assertGreaterEqual(time.monotonic() - start, 0.4)

    def test_connection_reset(self):
        self.fake.control('POST', '/_fake/faults', {'service': 'sts', 'kind': 'reset', 'count': 1})
        with self.assertRaises((ConnectionClosedError, EndpointConnectionError)):
            self.fake.client('sts').get_caller_identity()
        self.fake.client('sts').get_caller_identity()

    def test_malformed_body(self):
        self.fake.control('POST', '/_fake/faults', {'kind': 'malformed', 'count': 2})
        with self.assertRaises(ResponseParserError):
            self.fake.client('sts').get_caller_identity()
        # botocore's JSON parser swallows bad JSON (parsers.py), so the
        # observable effect there is a 200 whose result is missing.
        out = self.fake.client('logs').describe_log_groups()
        self.assertEqual(out['ResponseMetadata']['HTTPStatusCode'], 200)
        self.assertNotIn('logGroups', out)
        calls = self.fake.control('GET', '/_fake/calls')['calls']
        self.assertEqual([c['code'] for c in calls], ['Malformed', 'Malformed'])

    def test_unknown_fault_kind_rejected(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.fake.control('POST', '/_fake/faults', {'kind': 'meteor'})
        self.assertEqual(cm.exception.code, 400)
        cm.exception.close()


class ControlTest(FakeTestCase):
    def test_call_log_records_parameters_and_masks_secrets(self):
        rds = self.fake.client('rds')
        rds.create_db_instance(DBInstanceIdentifier='db1', DBInstanceClass='db.t3.micro', Engine='postgres',
                               MasterUsername='admin', MasterUserPassword='hunter2-secret', AllocatedStorage=20)
        calls = self.fake.control('GET', '/_fake/calls?service=rds&operation=CreateDBInstance')['calls']
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]['status'], 200)
        self.assertEqual(calls[0]['parameters']['MasterUsername'], 'admin')
        self.assertNotIn('hunter2-secret', json.dumps(calls))
        self.fake.control('DELETE', '/_fake/calls')
        self.assertEqual(self.fake.control('GET', '/_fake/calls')['calls'], [])

    def test_state_read_mutate_and_reset(self):
        ec2 = self.fake.client('ec2')
        vpc = ec2.create_vpc(CidrBlock='10.1.0.0/16')['Vpc']['VpcId']
        state = self.fake.control('GET', '/_fake/state')
        self.assertIn(vpc, state['resources']['vpc'])
        self.fake.control('POST', '/_fake/state', {'type': 'vpc', 'id': vpc, 'set': {'CidrBlock': '10.2.0.0/16'}})
        self.assertEqual(ec2.describe_vpcs(VpcIds=[vpc])['Vpcs'][0]['CidrBlock'], '10.2.0.0/16')
        self.fake.control('POST', '/_fake/state', {'reset': True})
        self.assertEqual(ec2.describe_vpcs()['Vpcs'], [])

    def test_clock_advance_moves_lifecycle(self):
        before = self.fake.control('GET', '/_fake/clock')['now']
        after = self.fake.control('POST', '/_fake/clock', {'advance': 1000})['now']
        self.assertGreaterEqual(after - before, 1000)


class ClockOptionsTest(FakeTestCase):
    server_args = ('--time-scale', '1000', '--page-size', '2')

    def test_time_scale_speeds_lifecycles(self):
        rds = self.fake.client('rds')
        rds.create_db_instance(DBInstanceIdentifier='fast', DBInstanceClass='db.t3.micro', Engine='postgres',
                               MasterUsername='admin', MasterUserPassword='not-a-real-pass', AllocatedStorage=20)
        time.sleep(0.3)                         # 300 fake seconds: past the 90 s to available
        got = rds.describe_db_instances(DBInstanceIdentifier='fast')['DBInstances'][0]
        self.assertEqual(got['DBInstanceStatus'], 'available')
        self.assertEqual(self.fake.control('GET', '/_fake/clock')['time_scale'], 1000)

    def test_page_size_option(self):
        sns = self.fake.client('sns')
        for i in range(3):
            sns.create_topic(Name='p%d' % i)
        first = sns.list_topics()
        self.assertEqual(len(first['Topics']), 2)
        self.assertEqual(len(sns.list_topics(NextToken=first['NextToken'])['Topics']), 1)


class PersistenceTest(unittest.TestCase):
    def test_state_survives_restart(self):
        fake = FakeServer().start()
        try:
            vpc = fake.client('ec2').create_vpc(CidrBlock='10.3.0.0/16')['Vpc']['VpcId']
            arn = fake.client('sns').create_topic(Name='keep')['TopicArn']
            fake.close_clients()
            self.assertEqual(fake.stop(), 0)
            self.assertTrue(os.path.exists(os.path.join(fake.state_dir, 'state.json')))
            fake.start()
            self.assertEqual([v['VpcId'] for v in fake.client('ec2').describe_vpcs()['Vpcs']], [vpc])
            self.assertEqual(fake.client('sns').list_topics()['Topics'], [{'TopicArn': arn}])
        finally:
            fake.cleanup()


if __name__ == '__main__':
    unittest.main()
