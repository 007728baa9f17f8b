"""The fake rejects requests that break their wire protocol, as AWS does
(Smithy's awsQuery, ec2Query, awsJson1_0/1_1, restJson1 and restXml
specifications; see wire.py, "conformance"): a Content-Type that does not
fit the protocol, a body on an operation that takes none, a member the
input shape lacks, a URI/query/header member in a REST body, a body that
disagrees with its Content-Length. Each is a 400 in the protocol's error
format that names the header or member. Requests here are signed with
botocore's own signer and sent as raw HTTP, so that each breaks exactly
one rule; boto3 and awscli (test_awscli.py and every other suite here)
are still accepted."""
import http.client
import json
import socket
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import FakeTestCase, AKID, SECRET

FORM = 'application/x-www-form-urlencoded; charset=utf-8'
S3_TAGGING = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>'
              b'<Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>')


class ConformanceTest(FakeTestCase):
    def signed(self, service, method, path, body=b'', headers=None):
        """(host, path, headers) of a request signed for service."""
        host = urllib.parse.urlsplit(self.fake.url).netloc
        req = AWSRequest(method=method, url=self.fake.url + path, data=body,
                         headers=dict(headers or {}))
        signer = S3SigV4Auth if service == 's3' else SigV4Auth
        signer(Credentials(AKID, SECRET), service, 'us-east-1').add_auth(req)
        out = {k: v for k, v in req.headers.items()}
        out['Host'] = host
        return host, path, out

    def send(self, service, method, path, body=b'', headers=None):
        host, path, hdrs = self.signed(service, method, path, body, headers)
        conn = http.client.HTTPConnection(host, timeout=15)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        if body or method not in ('GET', 'HEAD'):
            conn.putheader('Content-Length', str(len(body)))
        conn.endheaders(body if body else None)
        r = conn.getresponse()
        out = (r.status, r.getheader('x-amzn-ErrorType') or '', r.read())
        conn.close()
        return out

    def send_raw_length(self, service, method, path, body, declared, headers=None):
        """A signed request whose Content-Length says `declared` while
        `body` is what is sent; the answer as (status, raw text)."""
        host, path, hdrs = self.signed(service, method, path, body, headers)
        hdrs['Content-Length'] = str(declared)
        head = '%s %s HTTP/1.1\r\n%s\r\n' % (method, path, ''.join(
            '%s: %s\r\n' % kv for kv in hdrs.items()))
        h, p = host.split(':')
        with socket.create_connection((h, int(p)), timeout=30) as s:
            s.sendall(head.encode() + body)
            if declared > len(body):
                s.shutdown(socket.SHUT_WR)  # the client stops sending
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        text = data.decode('utf-8', 'replace')
        return int(text.split(' ', 2)[1]), text

    def error(self, status, error_type, body, code, *words):
        """An AWS error: the code from the body, or for restJson1 from the
        x-amzn-ErrorType header (botocore's parsers read it there)."""
        self.assertEqual(status, 400, body)
        if body.lstrip().startswith(b'{'):
            doc = json.loads(body)
            got_code = (doc.get('__type') or error_type).split('#')[-1].split(':')[0]
            message = doc.get('message') or doc.get('Message') or ''
        else:
            root = ET.fromstring(body)
            got_code = next(e.text for e in root.iter() if e.tag.split('}')[-1] == 'Code')
            message = next(e.text for e in root.iter() if e.tag.split('}')[-1] == 'Message')
        self.assertEqual(got_code, code, body)
        for w in words:
            self.assertIn(w, message)
        return message

    def s3_bucket(self, name='conf-bucket'):
        self.fake.client('s3').create_bucket(Bucket=name)
        return name

    # ---- Content-Type
    def test_rest_xml_body_sent_as_a_form_is_rejected_naming_content_type(self):
        b = self.s3_bucket()
        r = self.send('s3', 'PUT', '/%s?tagging' % b, S3_TAGGING,
                      {'Content-Type': 'application/x-www-form-urlencoded'})
        self.error(*r, 'InvalidArgument', 'Content-Type', 'restXml')
        # The SDKs send none, and application/xml fits.
        self.assertEqual(self.send('s3', 'PUT', '/%s?tagging' % b, S3_TAGGING)[0], 200)
        self.assertEqual(self.send('s3', 'PUT', '/%s?tagging' % b, S3_TAGGING,
                                   {'Content-Type': 'application/xml'})[0], 200)

    def test_route53_form_content_type_is_rejected_in_its_own_error_code(self):
        body = (b'<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest '
                b'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>example.com</Name>'
                b'<CallerReference>c1</CallerReference></CreateHostedZoneRequest>')
        r = self.send('route53', 'POST', '/2013-04-01/hostedzone', body,
                      {'Content-Type': 'application/x-www-form-urlencoded'})
        self.error(*r, 'InvalidInput', 'Content-Type')
        self.assertEqual(self.send('route53', 'POST', '/2013-04-01/hostedzone', body)[0], 201)

    def test_json_service_takes_only_its_own_json_version(self):
        hdrs = {'X-Amz-Target': 'Logs_20140328.DescribeLogGroups'}
        r = self.send('logs', 'POST', '/', b'{}', dict(hdrs, **{'Content-Type': 'application/json'}))
        self.error(*r, 'ValidationException', 'Content-Type', 'application/x-amz-json-1.1')
        r = self.send('logs', 'POST', '/', b'{}', dict(hdrs, **{'Content-Type': 'application/x-amz-json-1.1'}))
        self.assertEqual(r[0], 200, r)

    def test_query_form_without_form_content_type_is_rejected(self):
        body = b'Action=ListTopics&Version=2010-03-31'
        r = self.send('sns', 'POST', '/', body)
        self.error(*r, 'ValidationError', 'Content-Type', 'application/x-www-form-urlencoded')
        r = self.send('ec2', 'POST', '/', b'Action=DescribeVpcs&Version=2016-11-15',
                      {'Content-Type': 'application/json'})
        self.error(*r, 'InvalidParameterValue', 'Content-Type')
        self.assertEqual(self.send('sns', 'POST', '/', body, {'Content-Type': FORM})[0], 200)

    def test_rest_json_body_needs_application_json(self):
        r = self.send('backup', 'PUT', '/backup-vaults/v1', b'{}', {'Content-Type': 'text/plain'})
        self.error(*r, 'ValidationException', 'Content-Type', 'application/json')
        r = self.send('backup', 'PUT', '/backup-vaults/v1', b'{}', {'Content-Type': 'application/json'})
        self.assertEqual(r[0], 200, r)

    # ---- bodies where none belongs
    def test_body_on_an_operation_that_takes_none_is_rejected(self):
        b = self.s3_bucket()
        r = self.send('s3', 'DELETE', '/%s?tagging' % b, S3_TAGGING)
        self.error(*r, 'InvalidArgument', 'DeleteBucketTagging takes no request body')
        r = self.send('s3', 'GET', '/%s?versioning' % b, b'<x/>')
        self.error(*r, 'InvalidArgument', 'GET request carries no body')
        self.assertEqual(self.send('s3', 'DELETE', '/%s?tagging' % b)[0], 204)

    # ---- members
    def test_member_not_in_the_input_shape_is_rejected_by_name(self):
        r = self.send('logs', 'POST', '/', b'{"limit": 5, "bogusMember": 1}',
                      {'X-Amz-Target': 'Logs_20140328.DescribeLogGroups',
                       'Content-Type': 'application/x-amz-json-1.1'})
        self.error(*r, 'ValidationException', 'bogusMember')
        r = self.send('sns', 'POST', '/', b'Action=ListTopics&Version=2010-03-31&Bogus=1',
                      {'Content-Type': FORM})
        self.error(*r, 'ValidationError', 'Bogus')
        r = self.send('ec2', 'POST', '/', b'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=v',
                      {'Content-Type': FORM})
        self.assertEqual(r[0], 200, r)
        r = self.send('ec2', 'POST', '/', b'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Nme=x',
                      {'Content-Type': FORM})
        self.error(*r, 'InvalidParameterValue', 'Filter.1.Nme')
        b = self.s3_bucket()
        bad = S3_TAGGING.replace(b'</Key>', b'</Key><Colour>red</Colour>')
        r = self.send('s3', 'PUT', '/%s?tagging' % b, bad)
        self.error(*r, 'InvalidArgument', 'Colour')
        r = self.send('backup', 'PUT', '/backup-vaults/v2',
                      b'{"BackupVaultTags": {"k": "v"}, "Tagz": {}}', {'Content-Type': 'application/json'})
        self.error(*r, 'ValidationException', 'Tagz')

    def test_rest_member_bound_elsewhere_is_rejected_in_the_body(self):
        r = self.send('backup', 'PUT', '/backup-vaults/v3', b'{"BackupVaultName": "v3"}',
                      {'Content-Type': 'application/json'})
        self.error(*r, 'ValidationException', 'BackupVaultName', 'belongs in the URI')
        arn = urllib.parse.quote('arn:aws:eks:us-east-1:123456789012:cluster/c1', safe='')
        r = self.send('eks', 'DELETE', '/tags/%s?tagKeys=a' % arn, b'{"tagKeys": ["a"]}',
                      {'Content-Type': 'application/json'})
        self.error(*r, 'ValidationException', 'tagKeys belongs in the query string')
        r = self.send('eks', 'GET', '/clusters', b'{"maxResults": 5}',
                      {'Content-Type': 'application/json'})
        self.error(*r, 'ValidationException', 'carries no body')
        r = self.send('eks', 'POST', '/clusters/c1/updates', b'{"maxResults": 5}',
                      {'Content-Type': 'application/json'})
        self.error(*r, 'ValidationException', 'unknown member maxResults')

    # ---- Content-Length
    def test_body_shorter_than_content_length_is_rejected_naming_it(self):
        status, text = self.send_raw_length('sns', 'POST', '/', b'Action=ListTopics&Version=2010-03-31', 60)
        self.assertEqual(status, 400, text)
        self.assertIn('Content-Length is 60 but the body has 36 bytes', text)
        self.assertIn('<Code>ValidationError</Code>', text)

    def test_body_longer_than_content_length_is_rejected_naming_it(self):
        body = b'{"limit": 5}'
        status, text = self.send_raw_length('logs', 'POST', '/', body + b'    ', len(body), {
            'X-Amz-Target': 'Logs_20140328.DescribeLogGroups',
            'Content-Type': 'application/x-amz-json-1.1'})
        self.assertEqual(status, 400, text)
        self.assertIn('more bytes followed the body', text)


if __name__ == '__main__':
    unittest.main()
