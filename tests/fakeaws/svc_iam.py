"""IAM for the fake: roles, inline and managed policies with versions,
instance profiles, OIDC providers, tags.  IAM is global and names are the
keys; policy documents come back URL-encoded, as IAM returns them
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html)."""
import json
import urllib.parse

from engine import ACCOUNT, public
from wire import ApiError


def _page(ctx, items, key):
    """IAM pagination: Marker in and out, MaxItems, IsTruncated."""
    limit = min(ctx.store.page_size, int(ctx.params.get('MaxItems') or ctx.store.page_size))
    start = int(ctx.params.get('Marker') or 0) if str(ctx.params.get('Marker') or '0').isdigit() else None
    if start is None:
        raise ApiError('ValidationError', 'Invalid Marker.')
    out = {key: items[start:start + limit], 'IsTruncated': start + limit < len(items)}
    if out['IsTruncated']:
        out['Marker'] = str(start + limit)
    return out


def _no_entity(kind, name):
    return ApiError('NoSuchEntity', 'The %s with name %s cannot be found.' % (kind, name), 404)


def _doc(ctx, text):
    try:
        json.loads(text)
    except ValueError:
        raise ApiError('MalformedPolicyDocument', 'Syntax errors in policy.')
    return text


def _enc(text):
    return urllib.parse.quote(text, safe='')


def _id(ctx, prefix):
    return ctx.store.new_id(prefix + '{up17}')


def _arn(kind, path, name):
    return 'arn:aws:iam::%s:%s%s%s' % (ACCOUNT, kind, path, name)


def _tags_set(rec, tags):
    have = {t['Key']: t['Value'] for t in rec.get('Tags', [])}
    for t in tags or []:
        have[t['Key']] = t['Value']
    if len(have) > 50:
        raise ApiError('LimitExceeded', 'Cannot exceed quota for TagsPerRole: 50', 409)
    rec['Tags'] = [{'Key': k, 'Value': v} for k, v in have.items()]


def _tags_unset(rec, keys):
    rec['Tags'] = [t for t in rec.get('Tags', []) if t['Key'] not in keys]


# ---------------------------------------------------------------- roles

def _role(ctx, name=None):
    name = name or ctx.params['RoleName']
    rec = ctx.store.table('iam_role').get(name)
    if rec is None:
        raise _no_entity('role', name)
    return rec


def _role_out(rec):
    out = public(rec)
    out['AssumeRolePolicyDocument'] = _enc(rec['AssumeRolePolicyDocument'])
    if not out.get('Tags'):
        out.pop('Tags', None)
    return out


def create_role(ctx):
    p = ctx.params
    if p['RoleName'] in ctx.store.table('iam_role'):
        raise ApiError('EntityAlreadyExists', 'Role with name %s already exists.' % p['RoleName'], 409)
    path = p.get('Path', '/')
    rec = {'Path': path, 'RoleName': p['RoleName'], 'RoleId': _id(ctx, 'AROA'),
           'Arn': _arn('role', path, p['RoleName']), 'CreateDate': ctx.now,
           'AssumeRolePolicyDocument': _doc(ctx, p['AssumeRolePolicyDocument']),
           'MaxSessionDuration': p.get('MaxSessionDuration', 3600), 'Tags': list(p.get('Tags', [])),
           '_inline': {}, '_attached': []}
    if 'Description' in p:
        rec['Description'] = p['Description']
    if 'PermissionsBoundary' in p:
        rec['PermissionsBoundary'] = {'PermissionsBoundaryType': 'Policy',
                                      'PermissionsBoundaryArn': p['PermissionsBoundary']}
    ctx.store.table('iam_role')[p['RoleName']] = rec
    return {'Role': _role_out(rec)}


def get_role(ctx):
    return {'Role': _role_out(_role(ctx))}


def list_roles(ctx):
    pre = ctx.params.get('PathPrefix', '/')
    roles = sorted(ctx.store.table('iam_role').values(), key=lambda r: r['RoleName'])
    return _page(ctx, [_role_out(r) for r in roles if r['Path'].startswith(pre)], 'Roles')


def put_role_permissions_boundary(ctx):
    """Sets or replaces a role's permissions boundary.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html"""
    rec = _role(ctx)
    rec['PermissionsBoundary'] = {'PermissionsBoundaryType': 'Policy',
                                  'PermissionsBoundaryArn': ctx.params['PermissionsBoundary']}
    return {}


def update_role(ctx):
    rec = _role(ctx)
    if 'Description' in ctx.params:
        rec['Description'] = ctx.params['Description']
    if 'MaxSessionDuration' in ctx.params:
        rec['MaxSessionDuration'] = ctx.params['MaxSessionDuration']
    return {}


def update_assume_role_policy(ctx):
    _role(ctx)['AssumeRolePolicyDocument'] = _doc(ctx, ctx.params['PolicyDocument'])
    return {}


def delete_role(ctx):
    rec = _role(ctx)
    in_profile = any(rec['RoleName'] in ip['_roles'] for ip in ctx.store.table('iam_profile').values())
    if rec['_inline'] or rec['_attached'] or in_profile:
        raise ApiError('DeleteConflict', 'Cannot delete entity, must %s first.' %
                       ('delete policies' if rec['_inline'] else 'detach all policies' if rec['_attached']
                        else 'remove roles from instance profile'), 409)
    del ctx.store.table('iam_role')[rec['RoleName']]
    return {}


def put_role_policy(ctx):
    rec = _role(ctx)
    rec['_inline'][ctx.params['PolicyName']] = _doc(ctx, ctx.params['PolicyDocument'])
    return {}


def get_role_policy(ctx):
    rec = _role(ctx)
    name = ctx.params['PolicyName']
    if name not in rec['_inline']:
        raise ApiError('NoSuchEntity', 'The role policy with name %s cannot be found.' % name, 404)
    return {'RoleName': rec['RoleName'], 'PolicyName': name, 'PolicyDocument': _enc(rec['_inline'][name])}


def list_role_policies(ctx):
    return _page(ctx, sorted(_role(ctx)['_inline']), 'PolicyNames')


def delete_role_policy(ctx):
    rec = _role(ctx)
    if rec['_inline'].pop(ctx.params['PolicyName'], None) is None:
        raise ApiError('NoSuchEntity', 'The role policy with name %s cannot be found.' % ctx.params['PolicyName'], 404)
    return {}


def tag_role(ctx):
    _tags_set(_role(ctx), ctx.params['Tags'])
    return {}


def untag_role(ctx):
    _tags_unset(_role(ctx), ctx.params['TagKeys'])
    return {}


def list_role_tags(ctx):
    return _page(ctx, _role(ctx).get('Tags', []), 'Tags')


# ---------------------------------------------------------------- managed policies

def _policy(ctx, arn=None):
    arn = arn or ctx.params['PolicyArn']
    rec = ctx.store.table('iam_policy').get(arn)
    if rec is None:
        raise ApiError('NoSuchEntity', 'Policy %s does not exist or is not attachable.' % arn, 404)
    return rec


def _policy_out(ctx, rec):
    out = public(rec)
    out['AttachmentCount'] = sum(rec['Arn'] in r['_attached'] for r in ctx.store.table('iam_role').values())
    if not out.get('Tags'):
        out.pop('Tags', None)
    return out


def create_policy(ctx):
    p = ctx.params
    path = p.get('Path', '/')
    arn = _arn('policy', path, p['PolicyName'])
    if arn in ctx.store.table('iam_policy'):
        raise ApiError('EntityAlreadyExists', 'A policy called %s already exists. Duplicate names are not allowed.'
                       % p['PolicyName'], 409)
    rec = {'PolicyName': p['PolicyName'], 'PolicyId': _id(ctx, 'ANPA'), 'Arn': arn, 'Path': path,
           'DefaultVersionId': 'v1', 'PermissionsBoundaryUsageCount': 0, 'IsAttachable': True,
           'CreateDate': ctx.now, 'UpdateDate': ctx.now, 'Tags': list(p.get('Tags', [])),
           '_versions': [{'VersionId': 'v1', 'Document': _doc(ctx, p['PolicyDocument']), 'CreateDate': ctx.now}],
           '_next': 2}
    if 'Description' in p:
        rec['Description'] = p['Description']
    ctx.store.table('iam_policy')[arn] = rec
    return {'Policy': _policy_out(ctx, rec)}


def get_policy(ctx):
    return {'Policy': _policy_out(ctx, _policy(ctx))}


def list_policies(ctx):
    if ctx.params.get('Scope') == 'AWS':
        return _page(ctx, [], 'Policies')
    pols = sorted(ctx.store.table('iam_policy').values(), key=lambda r: r['PolicyName'])
    if ctx.params.get('OnlyAttached'):
        pols = [p for p in pols if _policy_out(ctx, p)['AttachmentCount']]
    return _page(ctx, [_policy_out(ctx, p) for p in pols if p['Path'].startswith(ctx.params.get('PathPrefix', '/'))],
                 'Policies')


def delete_policy(ctx):
    rec = _policy(ctx)
    if _policy_out(ctx, rec)['AttachmentCount']:
        raise ApiError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409)
    if len(rec['_versions']) > 1:
        raise ApiError('DeleteConflict', 'This policy has more than one version. Before you delete a policy, '
                       'you must delete the policy\'s versions. The default version is deleted with the policy.', 409)
    del ctx.store.table('iam_policy')[rec['Arn']]
    return {}


def _version_out(rec, v):
    return {'VersionId': v['VersionId'], 'Document': _enc(v['Document']), 'CreateDate': v['CreateDate'],
            'IsDefaultVersion': v['VersionId'] == rec['DefaultVersionId']}


def create_policy_version(ctx):
    rec = _policy(ctx)
    if len(rec['_versions']) >= 5:
        raise ApiError('LimitExceeded', 'A managed policy can have up to 5 versions. Before you create a new '
                       'version, you must delete an existing version.', 409)
    v = {'VersionId': 'v%d' % rec['_next'], 'Document': _doc(ctx, ctx.params['PolicyDocument']),
         'CreateDate': ctx.now}
    rec['_next'] += 1
    rec['_versions'].append(v)
    if ctx.params.get('SetAsDefault'):
        rec['DefaultVersionId'] = v['VersionId']
    rec['UpdateDate'] = ctx.now
    return {'PolicyVersion': _version_out(rec, v)}


def _version(ctx, rec):
    for v in rec['_versions']:
        if v['VersionId'] == ctx.params['VersionId']:
            return v
    raise ApiError('NoSuchEntity', 'Policy %s version %s does not exist or is not attachable.'
                   % (rec['Arn'], ctx.params['VersionId']), 404)


def get_policy_version(ctx):
    rec = _policy(ctx)
    return {'PolicyVersion': _version_out(rec, _version(ctx, rec))}


def list_policy_versions(ctx):
    rec = _policy(ctx)
    vs = [_version_out(rec, v) for v in reversed(rec['_versions'])]
    return _page(ctx, [{k: v[k] for k in ('VersionId', 'CreateDate', 'IsDefaultVersion')} for v in vs], 'Versions')


def delete_policy_version(ctx):
    rec = _policy(ctx)
    v = _version(ctx, rec)
    if v['VersionId'] == rec['DefaultVersionId']:
        raise ApiError('DeleteConflict', 'Cannot delete the default version of a policy.', 409)
    rec['_versions'].remove(v)
    return {}


def set_default_policy_version(ctx):
    rec = _policy(ctx)
    rec['DefaultVersionId'] = _version(ctx, rec)['VersionId']
    return {}


def tag_policy(ctx):
    _tags_set(_policy(ctx), ctx.params['Tags'])
    return {}


def untag_policy(ctx):
    _tags_unset(_policy(ctx), ctx.params['TagKeys'])
    return {}


def list_policy_tags(ctx):
    return _page(ctx, _policy(ctx).get('Tags', []), 'Tags')


def _is_aws_managed(arn):
    return arn.startswith('arn:aws:iam::aws:policy/')


def attach_role_policy(ctx):
    rec = _role(ctx)
    arn = ctx.params['PolicyArn']
    if not _is_aws_managed(arn):
        _policy(ctx, arn)
    if arn not in rec['_attached']:
        rec['_attached'].append(arn)
    return {}


def detach_role_policy(ctx):
    rec = _role(ctx)
    arn = ctx.params['PolicyArn']
    if arn not in rec['_attached']:
        raise ApiError('NoSuchEntity', 'Policy %s was not found.' % arn, 404)
    rec['_attached'].remove(arn)
    return {}


def list_attached_role_policies(ctx):
    rec = _role(ctx)
    return _page(ctx, [{'PolicyArn': a, 'PolicyName': a.rsplit('/', 1)[-1]} for a in rec['_attached']],
                 'AttachedPolicies')


# ---------------------------------------------------------------- instance profiles

def _profile(ctx):
    name = ctx.params['InstanceProfileName']
    rec = ctx.store.table('iam_profile').get(name)
    if rec is None:
        raise _no_entity('instance profile', name)
    return rec


def _profile_out(ctx, rec):
    out = public(rec)
    out['Roles'] = [_role_out(_role(ctx, r)) for r in rec['_roles']]
    if not out.get('Tags'):
        out.pop('Tags', None)
    return out


def create_instance_profile(ctx):
    p = ctx.params
    if p['InstanceProfileName'] in ctx.store.table('iam_profile'):
        raise ApiError('EntityAlreadyExists', 'Instance Profile %s already exists.' % p['InstanceProfileName'], 409)
    path = p.get('Path', '/')
    rec = {'Path': path, 'InstanceProfileName': p['InstanceProfileName'], 'InstanceProfileId': _id(ctx, 'AIPA'),
           'Arn': _arn('instance-profile', path, p['InstanceProfileName']), 'CreateDate': ctx.now,
           'Tags': list(p.get('Tags', [])), '_roles': []}
    ctx.store.table('iam_profile')[rec['InstanceProfileName']] = rec
    return {'InstanceProfile': _profile_out(ctx, rec)}


def get_instance_profile(ctx):
    return {'InstanceProfile': _profile_out(ctx, _profile(ctx))}


def list_instance_profiles(ctx):
    recs = sorted(ctx.store.table('iam_profile').values(), key=lambda r: r['InstanceProfileName'])
    return _page(ctx, [_profile_out(ctx, r) for r in recs], 'InstanceProfiles')


def list_instance_profiles_for_role(ctx):
    name = _role(ctx)['RoleName']
    recs = [r for r in ctx.store.table('iam_profile').values() if name in r['_roles']]
    return _page(ctx, [_profile_out(ctx, r) for r in recs], 'InstanceProfiles')


def add_role_to_instance_profile(ctx):
    rec, role = _profile(ctx), _role(ctx)
    if rec['_roles']:
        raise ApiError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1', 409)
    rec['_roles'].append(role['RoleName'])
    return {}


def remove_role_from_instance_profile(ctx):
    rec = _profile(ctx)
    if ctx.params['RoleName'] not in rec['_roles']:
        raise _no_entity('role', ctx.params['RoleName'])
    rec['_roles'].remove(ctx.params['RoleName'])
    return {}


def delete_instance_profile(ctx):
    rec = _profile(ctx)
    if rec['_roles']:
        raise ApiError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.', 409)
    del ctx.store.table('iam_profile')[rec['InstanceProfileName']]
    return {}


# ---------------------------------------------------------------- OIDC providers

def _oidc(ctx):
    arn = ctx.params['OpenIDConnectProviderArn']
    rec = ctx.store.table('iam_oidc').get(arn)
    if rec is None:
        raise ApiError('NoSuchEntity', 'OpenIDConnect Provider not found for arn %s' % arn, 404)
    return rec


def create_oidc(ctx):
    p = ctx.params
    url = p['Url']
    if not url.startswith('https://'):
        raise ApiError('ValidationError', 'Url must begin with https://')
    host = url[len('https://'):].rstrip('/')
    arn = 'arn:aws:iam::%s:oidc-provider/%s' % (ACCOUNT, host)
    if arn in ctx.store.table('iam_oidc'):
        raise ApiError('EntityAlreadyExists', 'Provider with url %s already exists.' % url, 409)
    rec = {'Arn': arn, 'Url': host, 'ClientIDList': list(p.get('ClientIDList', [])),
           'ThumbprintList': list(p.get('ThumbprintList', [])), 'CreateDate': ctx.now,
           'Tags': list(p.get('Tags', []))}
    ctx.store.table('iam_oidc')[arn] = rec
    return {'OpenIDConnectProviderArn': arn, 'Tags': rec['Tags']}


def get_oidc(ctx):
    out = public(_oidc(ctx))
    out.pop('Arn')
    return out


def list_oidc(ctx):
    return {'OpenIDConnectProviderList': [{'Arn': a} for a in sorted(ctx.store.table('iam_oidc'))]}


def delete_oidc(ctx):
    del ctx.store.table('iam_oidc')[_oidc(ctx)['Arn']]
    return {}


def update_oidc_thumbprint(ctx):
    _oidc(ctx)['ThumbprintList'] = list(ctx.params['ThumbprintList'])
    return {}


def add_client_id(ctx):
    rec = _oidc(ctx)
    if ctx.params['ClientID'] not in rec['ClientIDList']:
        rec['ClientIDList'].append(ctx.params['ClientID'])
    return {}


def remove_client_id(ctx):
    rec = _oidc(ctx)
    if ctx.params['ClientID'] in rec['ClientIDList']:
        rec['ClientIDList'].remove(ctx.params['ClientID'])
    return {}


def tag_oidc(ctx):
    _tags_set(_oidc(ctx), ctx.params['Tags'])
    return {}


def untag_oidc(ctx):
    _tags_unset(_oidc(ctx), ctx.params['TagKeys'])
    return {}


# ---------------------------------------------------------------- the batched read

def _role_detail(ctx, rec):
    """A RoleDetailList entry: IAM leaves out Description and
    MaxSessionDuration here (GetRole has them), and URL-encodes documents.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html"""
    out = {k: rec[k] for k in ('Path', 'RoleName', 'RoleId', 'Arn', 'CreateDate') if k in rec}
    out['AssumeRolePolicyDocument'] = _enc(rec['AssumeRolePolicyDocument'])
    out['RolePolicyList'] = [{'PolicyName': n, 'PolicyDocument': _enc(d)}
                             for n, d in sorted(rec['_inline'].items())]
    out['AttachedManagedPolicies'] = [{'PolicyName': a.rsplit('/', 1)[-1], 'PolicyArn': a}
                                      for a in rec['_attached']]
    out['InstanceProfileList'] = [_profile_out(ctx, p) for p in ctx.store.table('iam_profile').values()
                                  if rec['RoleName'] in p['_roles']]
    out['Tags'] = list(rec.get('Tags', []))
    out['RoleLastUsed'] = {}
    if 'PermissionsBoundary' in rec:
        out['PermissionsBoundary'] = dict(rec['PermissionsBoundary'])
    return out


def _policy_detail(ctx, rec):
    out = {k: v for k, v in _policy_out(ctx, rec).items() if k != 'Tags'}
    out['PolicyVersionList'] = [_version_out(rec, v) for v in reversed(rec['_versions'])]
    return out


def get_account_authorization_details(ctx):
    """Roles and local managed policies in one paginated call, the way driftd
    reads IAM; pages run across both lists, as IAM's do."""
    want = set(ctx.params.get('Filter') or ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'])
    items = []
    if 'Role' in want:
        items += [('RoleDetailList', _role_detail(ctx, r))
                  for r in sorted(ctx.store.table('iam_role').values(), key=lambda r: r['RoleName'])]
    if 'LocalManagedPolicy' in want:
        items += [('Policies', _policy_detail(ctx, p))
                  for p in sorted(ctx.store.table('iam_policy').values(), key=lambda p: p['PolicyName'])]
    page = _page(ctx, items, 'Items')
    out = {'UserDetailList': [], 'GroupDetailList': [], 'RoleDetailList': [], 'Policies': [],
           'IsTruncated': page['IsTruncated']}
    for key, item in page['Items']:
        out[key].append(item)
    if 'Marker' in page:
        out['Marker'] = page['Marker']
    return out


def handlers():
    return {
        'GetAccountAuthorizationDetails': get_account_authorization_details,
        'CreateRole': create_role, 'GetRole': get_role, 'ListRoles': list_roles, 'UpdateRole': update_role,
        'PutRolePermissionsBoundary': put_role_permissions_boundary,
        'UpdateAssumeRolePolicy': update_assume_role_policy, 'DeleteRole': delete_role,
        'PutRolePolicy': put_role_policy, 'GetRolePolicy': get_role_policy,
        'ListRolePolicies': list_role_policies, 'DeleteRolePolicy': delete_role_policy,
        'TagRole': tag_role, 'UntagRole': untag_role, 'ListRoleTags': list_role_tags,
        'CreatePolicy': create_policy, 'GetPolicy': get_policy, 'ListPolicies': list_policies,
        'DeletePolicy': delete_policy, 'CreatePolicyVersion': create_policy_version,
        'GetPolicyVersion': get_policy_version, 'ListPolicyVersions': list_policy_versions,
        'DeletePolicyVersion': delete_policy_version, 'SetDefaultPolicyVersion': set_default_policy_version,
        'TagPolicy': tag_policy, 'UntagPolicy': untag_policy, 'ListPolicyTags': list_policy_tags,
        'AttachRolePolicy': attach_role_policy, 'DetachRolePolicy': detach_role_policy,
        'ListAttachedRolePolicies': list_attached_role_policies,
        'CreateInstanceProfile': create_instance_profile, 'GetInstanceProfile': get_instance_profile,
        'ListInstanceProfiles': list_instance_profiles, 'ListInstanceProfilesForRole': list_instance_profiles_for_role,
        'AddRoleToInstanceProfile': add_role_to_instance_profile,
        'RemoveRoleFromInstanceProfile': remove_role_from_instance_profile,
        'DeleteInstanceProfile': delete_instance_profile,
        'CreateOpenIDConnectProvider': create_oidc, 'GetOpenIDConnectProvider': get_oidc,
        'ListOpenIDConnectProviders': list_oidc, 'DeleteOpenIDConnectProvider': delete_oidc,
        'UpdateOpenIDConnectProviderThumbprint': update_oidc_thumbprint,
        'AddClientIDToOpenIDConnectProvider': add_client_id,
        'RemoveClientIDFromOpenIDConnectProvider': remove_client_id,
        'TagOpenIDConnectProvider': tag_oidc, 'UntagOpenIDConnectProvider': untag_oidc,
    }
