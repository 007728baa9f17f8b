"""IAM and STS round trips.  botocore URL-decodes IAM policy documents
itself (handlers.json_decode_policies), so it checks the fake encodes them."""
import json
import unittest

from harness import FakeTestCase

TRUST = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},
                                                 'Action': 'sts:AssumeRole', 'Sid': 'literal%20percent+plus'}]}
POLICY = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject', 'Resource': '*'}]}


class IamTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.iam = self.fake.client('iam')

    def _role(self, name='app', **kw):
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **kw)['Role']

    def test_account_authorization_details_pages_roles_and_policies(self):
        for n in range(7):
            self._role('r%d' % n, Description='not in the details')
        arn = self.iam.create_policy(PolicyName='app', PolicyDocument=json.dumps(POLICY))['Policy']['Arn']
        self.iam.put_role_policy(RoleName='r0', PolicyName='inline', PolicyDocument=json.dumps(POLICY))
        self.iam.attach_role_policy(RoleName='r0', PolicyArn=arn)
        self.iam.create_instance_profile(InstanceProfileName='ip')
        self.iam.add_role_to_instance_profile(InstanceProfileName='ip', RoleName='r0')
        pages = list(self.iam.get_paginator('get_account_authorization_details').paginate(
            Filter=['Role', 'LocalManagedPolicy']))
        self.assertGreater(len(pages), 1)
        roles = [r for p in pages for r in p['RoleDetailList']]
        pols = [q for p in pages for q in p['Policies']]
        self.assertEqual([r['RoleName'] for r in roles], ['r%d' % n for n in range(7)])
        r0 = roles[0]
        self.assertNotIn('Description', r0)
        self.assertEqual(r0['AssumeRolePolicyDocument'], TRUST)
        self.assertEqual(r0['RolePolicyList'], [{'PolicyName': 'inline', 'PolicyDocument': POLICY}])
        self.assertEqual(r0['AttachedManagedPolicies'], [{'PolicyName': 'app', 'PolicyArn': arn}])
        self.assertEqual([p['InstanceProfileName'] for p in r0['InstanceProfileList']], ['ip'])
        self.assertEqual([q['PolicyName'] for q in pols], ['app'])
        self.assertEqual(pols[0]['PolicyVersionList'][0]['Document'], POLICY)
        only_roles = self.iam.get_account_authorization_details(Filter=['LocalManagedPolicy'])
        self.assertEqual(only_roles['RoleDetailList'], [])

    def test_role_round_trip_with_encoded_trust_policy(self):
        role = self._role(Description='d', Tags=[{'Key': 'a', 'Value': '1'}])
        self.assertEqual(role['Arn'], 'arn:aws:iam::123456789012:role/app')
        self.assertTrue(role['RoleId'].startswith('AROA'))
        got = self.iam.get_role(RoleName='app')['Role']
        self.assertEqual(got['AssumeRolePolicyDocument'], TRUST)
        self.iam.update_role(RoleName='app', Description='new', MaxSessionDuration=7200)
        got = self.iam.get_role(RoleName='app')['Role']
        self.assertEqual((got['Description'], got['MaxSessionDuration']), ('new', 7200))
        self.iam.tag_role(RoleName='app', Tags=[{'Key': 'b', 'Value': '2'}])
        self.iam.untag_role(RoleName='app', TagKeys=['a'])
        self.assertEqual(self.iam.list_role_tags(RoleName='app')['Tags'], [{'Key': 'b', 'Value': '2'}])
        self.assertAwsError('EntityAlreadyExists', self._role)
        self.iam.delete_role(RoleName='app')
        self.assertAwsError('NoSuchEntity', self.iam.get_role, RoleName='app')

    def test_permissions_boundary_at_create_and_put(self):
        # IAM API reference, CreateRole and PutRolePermissionsBoundary: the
        # boundary is a managed policy ARN; GetRole answers it as
        # PermissionsBoundary {PermissionsBoundaryType: Policy, PermissionsBoundaryArn}.
        b1 = 'arn:aws:iam::123456789012:policy/boundary-one'
        b2 = 'arn:aws:iam::123456789012:policy/boundary-two'
        self._role('bounded', PermissionsBoundary=b1)
        got = self.iam.get_role(RoleName='bounded')['Role']['PermissionsBoundary']
        self.assertEqual(got, {'PermissionsBoundaryType': 'Policy', 'PermissionsBoundaryArn': b1})
        self.iam.put_role_permissions_boundary(RoleName='bounded', PermissionsBoundary=b2)
        got = self.iam.get_role(RoleName='bounded')['Role']['PermissionsBoundary']
        self.assertEqual(got['PermissionsBoundaryArn'], b2)
        with self.assertRaises(self.iam.exceptions.NoSuchEntityException):
            self.iam.put_role_permissions_boundary(RoleName='absent', PermissionsBoundary=b2)

    def test_list_roles_paginates_with_marker(self):
        for i in range(8):
            self._role('r%d' % i)
        first = self.iam.list_roles()
        self.assertTrue(first['IsTruncated'])
        names = [r['RoleName'] for p in self.iam.get_paginator('list_roles').paginate() for r in p['Roles']]
        self.assertEqual(names, ['r%d' % i for i in range(8)])

    def test_inline_policies(self):
        self._role()
        self.iam.put_role_policy(RoleName='app', PolicyName='p', PolicyDocument=json.dumps(POLICY))
        self.assertEqual(self.iam.get_role_policy(RoleName='app', PolicyName='p')['PolicyDocument'], POLICY)
        self.assertEqual(self.iam.list_role_policies(RoleName='app')['PolicyNames'], ['p'])
        self.assertAwsError('DeleteConflict', self.iam.delete_role, RoleName='app')
        self.iam.delete_role_policy(RoleName='app', PolicyName='p')
        self.assertAwsError('NoSuchEntity', self.iam.get_role_policy, RoleName='app', PolicyName='p')
        self.assertAwsError('MalformedPolicyDocument', self.iam.put_role_policy, RoleName='app', PolicyName='q',
                            PolicyDocument='{not json')

    def test_managed_policy_versions_and_attachments(self):
        self._role()
        pol = self.iam.create_policy(PolicyName='read', PolicyDocument=json.dumps(POLICY))['Policy']
        arn = pol['Arn']
        self.assertEqual(arn, 'arn:aws:iam::123456789012:policy/read')
        v2 = dict(POLICY, Statement=[dict(POLICY['Statement'][0], Action='s3:*')])
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2), SetAsDefault=True)
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)['Policy']['DefaultVersionId'], 'v2')
        self.assertEqual(self.iam.get_policy_version(PolicyArn=arn, VersionId='v2')['PolicyVersion']['Document'], v2)
        versions = self.iam.list_policy_versions(PolicyArn=arn)['Versions']
        self.assertEqual([(v['VersionId'], v['IsDefaultVersion']) for v in versions], [('v2', True), ('v1', False)])
        self.assertAwsError('DeleteConflict', self.iam.delete_policy_version, PolicyArn=arn, VersionId='v2')
        self.iam.attach_role_policy(RoleName='app', PolicyArn=arn)
        self.iam.attach_role_policy(RoleName='app', PolicyArn='arn:aws:iam::aws:policy/ReadOnlyAccess')
        attached = self.iam.list_attached_role_policies(RoleName='app')['AttachedPolicies']
        self.assertEqual([a['PolicyName'] for a in attached], ['read', 'ReadOnlyAccess'])
        self.assertEqual(self.iam.get_policy(PolicyArn=arn)['Policy']['AttachmentCount'], 1)
        self.assertAwsError('DeleteConflict', self.iam.delete_policy, PolicyArn=arn)
        self.iam.detach_role_policy(RoleName='app', PolicyArn=arn)
        self.iam.delete_policy_version(PolicyArn=arn, VersionId='v1')
        self.iam.tag_policy(PolicyArn=arn, Tags=[{'Key': 'k', 'Value': 'v'}])
        self.assertEqual(self.iam.list_policy_tags(PolicyArn=arn)['Tags'], [{'Key': 'k', 'Value': 'v'}])
        self.assertEqual([p['PolicyName'] for p in self.iam.list_policies(Scope='Local')['Policies']], ['read'])
        self.iam.delete_policy(PolicyArn=arn)
        self.assertAwsError('NoSuchEntity', self.iam.get_policy, PolicyArn=arn)

    def test_instance_profiles(self):
        self._role()
        ip = self.iam.create_instance_profile(InstanceProfileName='ip')['InstanceProfile']
        self.assertEqual(ip['Arn'], 'arn:aws:iam::123456789012:instance-profile/ip')
        self.iam.add_role_to_instance_profile(InstanceProfileName='ip', RoleName='app')
        self.assertAwsError('LimitExceeded', self.iam.add_role_to_instance_profile, InstanceProfileName='ip',
                            RoleName='app')
        got = self.iam.get_instance_profile(InstanceProfileName='ip')['InstanceProfile']
        self.assertEqual([r['RoleName'] for r in got['Roles']], ['app'])
        self.assertEqual(len(self.iam.list_instance_profiles_for_role(RoleName='app')['InstanceProfiles']), 1)
        self.assertAwsError('DeleteConflict', self.iam.delete_instance_profile, InstanceProfileName='ip')
        self.iam.remove_role_from_instance_profile(InstanceProfileName='ip', RoleName='app')
        self.iam.delete_instance_profile(InstanceProfileName='ip')
        self.assertEqual(self.iam.list_instance_profiles()['InstanceProfiles'], [])

    def test_oidc_providers(self):
        arn = self.iam.create_open_id_connect_provider(
            Url='https://oidc.eks.us-east-1.amazonaws.com/id/ABC', ClientIDList=['sts.amazonaws.com'],
            ThumbprintList=['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'])['OpenIDConnectProviderArn']
        self.assertEqual(arn, 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC')
        self.assertAwsError('EntityAlreadyExists', self.iam.create_open_id_connect_provider,
                            Url='https://oidc.eks.us-east-1.amazonaws.com/id/ABC', ThumbprintList=['a' * 40])
        self.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=['b' * 40])
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(got['Url'], 'oidc.eks.us-east-1.amazonaws.com/id/ABC')
        self.assertEqual(got['ThumbprintList'], ['b' * 40])
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID='other')
        self.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                               ClientID='sts.amazonaws.com')
        self.assertEqual(self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)['ClientIDList'],
                         ['other'])
        self.assertEqual(self.iam.list_open_id_connect_providers()['OpenIDConnectProviderList'], [{'Arn': arn}])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertAwsError('NoSuchEntity', self.iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)


class StsTest(FakeTestCase):
    def test_get_caller_identity(self):
        ident = self.fake.client('sts').get_caller_identity()
        self.assertEqual(ident['Account'], '123456789012')

    def test_assume_role_credentials_are_accepted(self):
        self.fake.client('iam').create_role(RoleName='deployer', AssumeRolePolicyDocument=json.dumps(TRUST))
        out = self.fake.client('sts').assume_role(RoleArn='arn:aws:iam::123456789012:role/deployer',
                                                  RoleSessionName='s1')
        creds = out['Credentials']
        self.assertTrue(creds['AccessKeyId'].startswith('ASIA'))
        self.assertEqual(out['AssumedRoleUser']['Arn'], 'arn:aws:sts::123456789012:assumed-role/deployer/s1')
        ec2 = self.fake.client('ec2', key=creds['AccessKeyId'], secret=creds['SecretAccessKey'])
        self.assertEqual(ec2.describe_vpcs()['Vpcs'], [])
        self.assertAwsError('AccessDenied', self.fake.client('sts').assume_role,
                            RoleArn='arn:aws:iam::123456789012:role/nobody', RoleSessionName='s2')

    def test_assume_role_with_web_identity_is_unsigned(self):
        from botocore import UNSIGNED
        sts = self.fake.client('sts', signature_version=UNSIGNED)
        out = sts.assume_role_with_web_identity(RoleArn='arn:aws:iam::123456789012:role/irsa', RoleSessionName='pod',
                                                WebIdentityToken='eyJhbGciOi.fake.token')
        self.assertTrue(out['Credentials']['AccessKeyId'].startswith('ASIA'))
        calls = self.fake.control('GET', '/_fake/calls?operation=AssumeRoleWithWebIdentity')['calls']
        self.assertNotIn('eyJhbGciOi', str(calls))


if __name__ == '__main__':
    unittest.main()
