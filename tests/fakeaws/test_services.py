"""KMS, Secrets Manager, S3, Route 53 and ACM round trips (json and
rest-xml protocols, S3's own signing rules)."""
import json
import string
import unittest
import urllib.error
import urllib.request

from harness import FakeTestCase


class KmsTest(FakeTestCase):
    def test_key_alias_rotation_tags_deletion(self):
        kms = self.fake.client('kms')
        key = kms.create_key(Description='driftd', Tags=[{'TagKey': 'a', 'TagValue': '1'}])['KeyMetadata']
        self.assertTrue(key['Arn'].startswith('arn:aws:kms:us-east-1:123456789012:key/'))
        self.assertEqual(key['KeyState'], 'Enabled')
        kms.create_alias(AliasName='alias/driftd', TargetKeyId=key['KeyId'])
        self.assertAwsError('AlreadyExistsException', kms.create_alias, AliasName='alias/driftd',
                            TargetKeyId=key['KeyId'])
        self.assertEqual(kms.describe_key(KeyId='alias/driftd')['KeyMetadata']['KeyId'], key['KeyId'])
        kms.enable_key_rotation(KeyId=key['KeyId'])
        self.assertTrue(kms.get_key_rotation_status(KeyId=key['Arn'])['KeyRotationEnabled'])
        kms.tag_resource(KeyId=key['KeyId'], Tags=[{'TagKey': 'b', 'TagValue': '2'}])
        kms.untag_resource(KeyId=key['KeyId'], TagKeys=['a'])
        self.assertEqual(kms.list_resource_tags(KeyId=key['KeyId'])['Tags'], [{'TagKey': 'b', 'TagValue': '2'}])
        kms.update_key_description(KeyId=key['KeyId'], Description='new')
        self.assertEqual(kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['Description'], 'new')
        self.assertEqual([a['AliasName'] for a in kms.list_aliases(KeyId=key['KeyId'])['Aliases']], ['alias/driftd'])
        kms.schedule_key_deletion(KeyId=key['KeyId'], PendingWindowInDays=7)
        self.assertEqual(kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['KeyState'], 'PendingDeletion')
        self.assertAwsError('KMSInvalidStateException', kms.enable_key, KeyId=key['KeyId'])
        kms.cancel_key_deletion(KeyId=key['KeyId'])
        self.assertEqual(kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['KeyState'], 'Disabled')
        self.assertAwsError('NotFoundException', kms.describe_key, KeyId='00000000-0000-0000-0000-000000000000')

    def test_list_keys_paginates(self):
        kms = self.fake.client('kms')
        ids = {kms.create_key()['KeyMetadata']['KeyId'] for _ in range(7)}
        self.assertTrue(kms.list_keys()['Truncated'])
        seen = {k['KeyId'] for p in kms.get_paginator('list_keys').paginate() for k in p['Keys']}
        self.assertEqual(seen, ids)


class SecretsManagerTest(FakeTestCase):
    def test_secret_versions_delete_restore(self):
        sm = self.fake.client('secretsmanager')
        out = sm.create_secret(Name='db/password', SecretString='s3cr3t-one', Tags=[{'Key': 'a', 'Value': '1'}])
        self.assertRegex(out['ARN'], r'^arn:aws:secretsmanager:us-east-1:123456789012:secret:db/password-\w{6}$')
        self.assertAwsError('ResourceExistsException', sm.create_secret, Name='db/password', SecretString='x')
        self.assertEqual(sm.get_secret_value(SecretId='db/password')['SecretString'], 's3cr3t-one')
        v2 = sm.put_secret_value(SecretId=out['ARN'], SecretString='s3cr3t-two')['VersionId']
        got = sm.get_secret_value(SecretId='db/password')
        self.assertEqual((got['SecretString'], got['VersionId']), ('s3cr3t-two', v2))
        prev = sm.get_secret_value(SecretId='db/password', VersionStage='AWSPREVIOUS')
        self.assertEqual(prev['SecretString'], 's3cr3t-one')
        desc = sm.describe_secret(SecretId='db/password')
        self.assertEqual(desc['VersionIdsToStages'][v2], ['AWSCURRENT'])
        sm.update_secret(SecretId='db/password', Description='the db')
        sm.tag_resource(SecretId='db/password', Tags=[{'Key': 'b', 'Value': '2'}])
        self.assertEqual(len(sm.describe_secret(SecretId='db/password')['Tags']), 2)
        sm.delete_secret(SecretId='db/password', RecoveryWindowInDays=7)
        self.assertAwsError('InvalidRequestException', sm.get_secret_value, SecretId='db/password')
        self.assertEqual(sm.list_secrets()['SecretList'], [])
        sm.restore_secret(SecretId='db/password')
        self.assertEqual([s['Name'] for s in sm.list_secrets()['SecretList']], ['db/password'])
        calls = self.fake.control('GET', '/_fake/calls?service=secretsmanager')['calls']
        self.assertNotIn('s3cr3t', json.dumps(calls))

    def test_random_password(self):
        # Secrets Manager API Reference, GetRandomPassword: 32 characters by
        # default, one of every included type unless RequireEachIncludedType
        # is false; ExcludeCharacters narrows the pool. The pool below is what
        # ElastiCache accepts in an AUTH token (letters, digits, !&#$^<>-).
        sm = self.fake.client('secretsmanager')
        self.assertEqual(len(sm.get_random_password()['RandomPassword']), 32)
        allowed = set(string.ascii_letters + string.digits + '!&#$^<>-')
        excluded = ''.join(c for c in string.punctuation if c not in allowed)
        for _ in range(20):
            pw = sm.get_random_password(PasswordLength=16, ExcludeCharacters=excluded)['RandomPassword']
            self.assertEqual(len(pw), 16)
            self.assertLessEqual(set(pw), allowed)
            for kind in (string.ascii_uppercase, string.ascii_lowercase, string.digits, '!&#$^<>-'):
                self.assertTrue(set(pw) & set(kind), pw)
        pw = sm.get_random_password(PasswordLength=40, ExcludePunctuation=True, ExcludeNumbers=True,
                                    RequireEachIncludedType=False)['RandomPassword']
        self.assertLessEqual(set(pw), set(string.ascii_letters))
        self.assertAwsError('InvalidParameterException', sm.get_random_password, PasswordLength=3)
        self.assertAwsError('InvalidParameterException', sm.get_random_password, ExcludeUppercase=True,
                            ExcludeLowercase=True, ExcludeNumbers=True, ExcludePunctuation=True)


class S3Test(FakeTestCase):
    def test_bucket_tagging_versioning_objects(self):
        s3 = self.fake.client('s3')
        s3.create_bucket(Bucket='driftd-state')
        s3.head_bucket(Bucket='driftd-state')
        self.assertEqual([b['Name'] for b in s3.list_buckets()['Buckets']], ['driftd-state'])
        self.assertAwsError('NoSuchTagSet', s3.get_bucket_tagging, Bucket='driftd-state')
        s3.put_bucket_tagging(Bucket='driftd-state', Tagging={'TagSet': [{'Key': 'team', 'Value': 'infra'}]})
        self.assertEqual(s3.get_bucket_tagging(Bucket='driftd-state')['TagSet'], [{'Key': 'team', 'Value': 'infra'}])
        s3.put_bucket_versioning(Bucket='driftd-state', VersioningConfiguration={'Status': 'Enabled'})
        self.assertEqual(s3.get_bucket_versioning(Bucket='driftd-state')['Status'], 'Enabled')
        s3.put_object(Bucket='driftd-state', Key='dir/a key+odd.json', Body=b'{"x": 1}')
        self.assertEqual(s3.get_object(Bucket='driftd-state', Key='dir/a key+odd.json')['Body'].read(), b'{"x": 1}')
        listed = s3.list_objects_v2(Bucket='driftd-state', Prefix='dir/')
        self.assertEqual([o['Key'] for o in listed['Contents']], ['dir/a key+odd.json'])
        self.assertAwsError('BucketNotEmpty', s3.delete_bucket, Bucket='driftd-state')
        s3.delete_object(Bucket='driftd-state', Key='dir/a key+odd.json')
        s3.delete_bucket(Bucket='driftd-state')
        self.assertAwsError('404', s3.head_bucket, Bucket='driftd-state')
        self.assertAwsError('NoSuchBucket', s3.get_bucket_versioning, Bucket='driftd-state')

    def test_presigned_get_is_verified(self):
        s3 = self.fake.client('s3', signature_version='s3v4')    # botocore presigns SigV2 by default
        s3.create_bucket(Bucket='shared')
        s3.put_object(Bucket='shared', Key='k.txt', Body=b'hello')
        url = s3.generate_presigned_url('get_object', Params={'Bucket': 'shared', 'Key': 'k.txt'}, ExpiresIn=300)
        with urllib.request.urlopen(url, timeout=5) as r:
            self.assertEqual(r.read(), b'hello')
        bad = self.fake.client('s3', secret='wrong', signature_version='s3v4').generate_presigned_url(
            'get_object', Params={'Bucket': 'shared', 'Key': 'k.txt'}, ExpiresIn=300)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(bad, timeout=5)
        self.assertEqual(cm.exception.code, 403)
        self.assertIn(b'SignatureDoesNotMatch', cm.exception.read())
        cm.exception.close()
        self.fake.control('POST', '/_fake/faults', {'kind': 'skew', 'seconds': 3600})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url, timeout=5)          # older than its 300 s expiry
        self.assertIn(b'Request has expired', cm.exception.read())
        cm.exception.close()

    def test_s3_bad_signature(self):
        self.assertAwsError('SignatureDoesNotMatch', self.fake.client('s3', secret='wrong').list_buckets)


class Route53AcmTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.r53 = self.fake.client('route53')

    def _zone(self, name='example.com', ref='ref-1'):
        return self.r53.create_hosted_zone(Name=name, CallerReference=ref)['HostedZone']['Id']

    def test_zone_and_record_batches(self):
        zid = self._zone()
        self.assertAwsError('HostedZoneAlreadyExists', self._zone)
        zone = self.r53.get_hosted_zone(Id=zid)
        self.assertEqual(zone['HostedZone']['Name'], 'example.com.')
        self.assertEqual(len(zone['DelegationSet']['NameServers']), 4)
        rr = {'Name': 'www.example.com', 'Type': 'A', 'TTL': 300, 'ResourceRecords': [{'Value': '192.0.2.1'}]}
        change = self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': [
            {'Action': 'CREATE', 'ResourceRecordSet': rr}]})['ChangeInfo']
        self.assertEqual(change['Status'], 'PENDING')
        self.fake.control('POST', '/_fake/clock', {'advance': 10})
        self.assertEqual(self.r53.get_change(Id=change['Id'])['ChangeInfo']['Status'], 'INSYNC')
        bad = {'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': dict(rr, Name='api.example.com')},
                           {'Action': 'CREATE', 'ResourceRecordSet': rr}]}
        self.assertAwsError('InvalidChangeBatch', self.r53.change_resource_record_sets, HostedZoneId=zid, ChangeBatch=bad)
        names = [r['Name'] for r in self.r53.list_resource_record_sets(HostedZoneId=zid)['ResourceRecordSets']]
        self.assertNotIn('api.example.com.', names)           # the batch was all-or-nothing
        self.assertIn('www.example.com.', names)
        self.assertAwsError('HostedZoneNotEmpty', self.r53.delete_hosted_zone, Id=zid)
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': [
            {'Action': 'DELETE', 'ResourceRecordSet': dict(rr, Name='www.example.com.')}]})
        self.r53.delete_hosted_zone(Id=zid)
        self.assertAwsError('NoSuchHostedZone', self.r53.get_hosted_zone, Id=zid)

    def test_record_sets_paginate(self):
        zid = self._zone()
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': [
            {'Action': 'UPSERT', 'ResourceRecordSet': {'Name': 'h%d.example.com' % i, 'Type': 'A', 'TTL': 60,
                                                       'ResourceRecords': [{'Value': '192.0.2.%d' % i}]}}
            for i in range(8)]})
        self.assertTrue(self.r53.list_resource_record_sets(HostedZoneId=zid)['IsTruncated'])
        pages = self.r53.get_paginator('list_resource_record_sets').paginate(HostedZoneId=zid)
        self.assertEqual(len([r for p in pages for r in p['ResourceRecordSets']]), 10)
        for i in range(6):
            self._zone('z%d.example.org' % i, 'ref-z%d' % i)
        zones = [z for p in self.r53.get_paginator('list_hosted_zones').paginate() for z in p['HostedZones']]
        self.assertEqual(len(zones), 7)

    def test_health_checks_and_tags(self):
        cfg = {'Type': 'HTTPS', 'FullyQualifiedDomainName': 'example.com', 'Port': 443, 'ResourcePath': '/health',
               'RequestInterval': 30, 'FailureThreshold': 3}
        hc = self.r53.create_health_check(CallerReference='hc-1', HealthCheckConfig=cfg)['HealthCheck']
        self.assertEqual(self.r53.create_health_check(CallerReference='hc-1', HealthCheckConfig=cfg)['HealthCheck']['Id'],
                         hc['Id'])
        self.r53.update_health_check(HealthCheckId=hc['Id'], ResourcePath='/ready')
        got = self.r53.get_health_check(HealthCheckId=hc['Id'])['HealthCheck']
        self.assertEqual((got['HealthCheckConfig']['ResourcePath'], got['HealthCheckVersion']), ('/ready', 2))
        self.r53.change_tags_for_resource(ResourceType='healthcheck', ResourceId=hc['Id'],
                                          AddTags=[{'Key': 'Name', 'Value': 'web'}])
        tags = self.r53.list_tags_for_resource(ResourceType='healthcheck', ResourceId=hc['Id'])
        self.assertEqual(tags['ResourceTagSet']['Tags'], [{'Key': 'Name', 'Value': 'web'}])
        self.assertEqual(len(self.r53.list_health_checks()['HealthChecks']), 1)
        self.r53.delete_health_check(HealthCheckId=hc['Id'])
        self.assertAwsError('NoSuchHealthCheck', self.r53.get_health_check, HealthCheckId=hc['Id'])

    def test_acm_issues_once_validation_cname_exists(self):
        acm = self.fake.client('acm')
        zid = self._zone()
        arn = acm.request_certificate(DomainName='example.com', ValidationMethod='DNS',
                                      SubjectAlternativeNames=['www.example.com'], IdempotencyToken='t1')['CertificateArn']
        self.assertEqual(acm.request_certificate(DomainName='example.com', ValidationMethod='DNS',
                                                 IdempotencyToken='t1')['CertificateArn'], arn)
        cert = acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(cert['Status'], 'PENDING_VALIDATION')
        changes = [{'Action': 'UPSERT', 'ResourceRecordSet': {
            'Name': d['ResourceRecord']['Name'], 'Type': 'CNAME', 'TTL': 300,
            'ResourceRecords': [{'Value': d['ResourceRecord']['Value']}]}} for d in cert['DomainValidationOptions']]
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': changes[:1]})
        self.assertEqual(acm.describe_certificate(CertificateArn=arn)['Certificate']['Status'], 'PENDING_VALIDATION')
        self.r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={'Changes': changes[1:]})
        cert = acm.describe_certificate(CertificateArn=arn)['Certificate']
        self.assertEqual(cert['Status'], 'ISSUED')
        self.assertIn('NotAfter', cert)
        acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{'Key': 'k', 'Value': 'v'}])
        self.assertEqual(acm.list_tags_for_certificate(CertificateArn=arn)['Tags'], [{'Key': 'k', 'Value': 'v'}])
        listed = acm.list_certificates(CertificateStatuses=['ISSUED'])['CertificateSummaryList']
        self.assertEqual([c['CertificateArn'] for c in listed], [arn])
        acm.delete_certificate(CertificateArn=arn)
        self.assertAwsError('ResourceNotFoundException', acm.describe_certificate, CertificateArn=arn)


if __name__ == '__main__':
    unittest.main()
