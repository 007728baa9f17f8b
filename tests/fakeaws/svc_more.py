"""KMS, Secrets Manager, S3 buckets, Route 53 and ACM for the fake.
ACM certificates turn ISSUED once their DNS validation CNAME exists in a
Route 53 zone of the fake, as with real DNS validation
(https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html)."""
import hashlib
import json
import secrets
import uuid

from engine import ACCOUNT, lookup, public, paginate
from wire import ApiError


def _marker_page(ctx, items, key, token_in='Marker', token_out='NextMarker', limit_key='Limit',
                 truncated='Truncated'):
    """Marker pagination with an explicit truncated flag (KMS, Route 53)."""
    limit = min(ctx.store.page_size, int(ctx.params.get(limit_key) or ctx.store.page_size))
    start = ctx.params.get(token_in) or '0'
    if not str(start).isdigit():
        raise ApiError('InvalidMarkerException' if ctx.service == 'kms' else 'InvalidInput', 'Invalid marker.')
    start = int(start)
    out = {key: items[start:start + limit], truncated: start + limit < len(items)}
    if out[truncated]:
        out[token_out] = str(start + limit)
    return out


def _tags_kv(tags, k='Key', v='Value'):
    return {t[k]: t.get(v, '') for t in tags or []}


def _tags_list(d, k='Key', v='Value'):
    return [{k: a, v: b} for a, b in d.items()]


# ================================================================ KMS

def _key(ctx, ref=None):
    ref = ref or ctx.params['KeyId']
    if ref.startswith('alias/') or ':alias/' in ref:
        alias = ctx.store.table('kms_alias').get(ref.split(':', 5)[-1] if ':alias/' in ref else ref)
        ref = alias['TargetKeyId'] if alias else ref
    kid = ref.rsplit('/', 1)[-1] if ref.startswith('arn:') else ref
    rec = ctx.store.table('kms_key').get(kid)
    if rec is None:
        raise ApiError('NotFoundException', 'Key \'%s\' does not exist' % ctx.store.arn('kms', 'key/' + kid))
    return rec


def _key_out(ctx, rec):
    out = public(rec)
    if rec['KeyState'] == 'PendingDeletion' and ctx.now >= rec.get('DeletionDate', ctx.now + 1):
        out['KeyState'] = 'Deleted'
    return out


def kms_create_key(ctx):
    p = ctx.params
    kid = str(uuid.uuid4())
    spec = p.get('KeySpec') or p.get('CustomerMasterKeySpec') or 'SYMMETRIC_DEFAULT'
    usage = p.get('KeyUsage', 'ENCRYPT_DECRYPT')
    if spec.startswith('HMAC') and usage != 'GENERATE_VERIFY_MAC':
        raise ApiError('ValidationException', 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec %s' % spec)
    rec = {'AWSAccountId': ACCOUNT, 'KeyId': kid, 'Arn': ctx.store.arn('kms', 'key/' + kid), 'CreationDate': ctx.now,
           'Enabled': True, 'Description': p.get('Description', ''), 'KeyUsage': usage, 'KeyState': 'Enabled',
           'Origin': p.get('Origin', 'AWS_KMS'), 'KeyManager': 'CUSTOMER', 'KeySpec': spec,
           'CustomerMasterKeySpec': spec, 'MultiRegion': bool(p.get('MultiRegion')),
           'EncryptionAlgorithms': ['SYMMETRIC_DEFAULT'] if spec == 'SYMMETRIC_DEFAULT' else [],
           '_tags': _tags_kv(p.get('Tags'), 'TagKey', 'TagValue'), '_rotation': False,
           '_policy': p.get('Policy') or json.dumps({'Version': '2012-10-17', 'Id': 'key-default-1', 'Statement': [
               {'Sid': 'Enable IAM User Permissions', 'Effect': 'Allow',
                'Principal': {'AWS': 'arn:aws:iam::%s:root' % ACCOUNT}, 'Action': 'kms:*', 'Resource': '*'}]})}
    ctx.store.table('kms_key')[kid] = rec
    return {'KeyMetadata': _key_out(ctx, rec)}


def kms_describe_key(ctx):
    return {'KeyMetadata': _key_out(ctx, _key(ctx))}


def kms_list_keys(ctx):
    keys = [{'KeyId': k['KeyId'], 'KeyArn': k['Arn']} for k in ctx.store.table('kms_key').values()]
    return _marker_page(ctx, keys, 'Keys')


def _key_state(state, enabled):
    def h(ctx):
        rec = _key(ctx)
        if rec['KeyState'] == 'PendingDeletion':
            raise ApiError('KMSInvalidStateException', '%s is pending deletion.' % rec['Arn'])
        rec['KeyState'], rec['Enabled'] = state, enabled
        return {}
    return h


def kms_update_description(ctx):
    _key(ctx)['Description'] = ctx.params['Description']
    return {}


def kms_rotation(on):
    def h(ctx):
        rec = _key(ctx)
        if rec['KeySpec'] != 'SYMMETRIC_DEFAULT':
            raise ApiError('UnsupportedOperationException', '%s key does not support rotation.' % rec['KeySpec'])
        rec['_rotation'] = on
        return {}
    return h


def kms_rotation_status(ctx):
    return {'KeyRotationEnabled': _key(ctx)['_rotation']}


def kms_schedule_deletion(ctx):
    rec = _key(ctx)
    days = ctx.params.get('PendingWindowInDays', 30)
    if not 7 <= days <= 30:
        raise ApiError('ValidationException', 'PendingWindowInDays must be between 7 and 30.')
    rec.update(KeyState='PendingDeletion', Enabled=False, DeletionDate=ctx.now + days * 86400)
    return {'KeyId': rec['Arn'], 'DeletionDate': rec['DeletionDate'], 'KeyState': 'PendingDeletion',
            'PendingWindowInDays': days}


def kms_cancel_deletion(ctx):
    rec = _key(ctx)
    if rec['KeyState'] != 'PendingDeletion':
        raise ApiError('KMSInvalidStateException', '%s is not pending deletion.' % rec['Arn'])
    rec.update(KeyState='Disabled', Enabled=False)
    rec.pop('DeletionDate', None)
    return {'KeyId': rec['Arn']}


def kms_create_alias(ctx):
    name = ctx.params['AliasName']
    if not name.startswith('alias/') or name.startswith('alias/aws/'):
        raise ApiError('ValidationException', 'Alias must start with the prefix "alias/" and must not be reserved.')
    if name in ctx.store.table('kms_alias'):
        raise ApiError('AlreadyExistsException', 'An alias with the name %s already exists'
                       % ctx.store.arn('kms', name))
    rec = _key(ctx, ctx.params['TargetKeyId'])
    ctx.store.table('kms_alias')[name] = {'AliasName': name, 'AliasArn': ctx.store.arn('kms', name),
                                          'TargetKeyId': rec['KeyId'], 'CreationDate': ctx.now}
    return {}


def _alias(ctx):
    rec = ctx.store.table('kms_alias').get(ctx.params['AliasName'])
    if rec is None:
        raise ApiError('NotFoundException', 'Alias %s is not found.' % ctx.store.arn('kms', ctx.params['AliasName']))
    return rec


def kms_update_alias(ctx):
    _alias(ctx)['TargetKeyId'] = _key(ctx, ctx.params['TargetKeyId'])['KeyId']
    return {}


def kms_delete_alias(ctx):
    del ctx.store.table('kms_alias')[_alias(ctx)['AliasName']]
    return {}


def kms_list_aliases(ctx):
    items = sorted(ctx.store.table('kms_alias').values(), key=lambda a: a['AliasName'])
    if ctx.params.get('KeyId'):
        kid = _key(ctx)['KeyId']
        items = [a for a in items if a['TargetKeyId'] == kid]
    return _marker_page(ctx, [public(a) for a in items], 'Aliases')


def kms_tag(ctx):
    _key(ctx)['_tags'].update(_tags_kv(ctx.params['Tags'], 'TagKey', 'TagValue'))
    return {}


def kms_untag(ctx):
    rec = _key(ctx)
    for k in ctx.params['TagKeys']:
        rec['_tags'].pop(k, None)
    return {}


def kms_list_tags(ctx):
    return _marker_page(ctx, _tags_list(_key(ctx)['_tags'], 'TagKey', 'TagValue'), 'Tags')


def kms_get_policy(ctx):
    return {'Policy': _key(ctx)['_policy']}


def kms_put_policy(ctx):
    try:
        json.loads(ctx.params['Policy'])
    except ValueError:
        raise ApiError('MalformedPolicyDocumentException', 'The new key policy is not valid JSON.')
    _key(ctx)['_policy'] = ctx.params['Policy']
    return {}


def _kms_handlers():
    return {'CreateKey': kms_create_key, 'DescribeKey': kms_describe_key, 'ListKeys': kms_list_keys,
            'EnableKey': _key_state('Enabled', True), 'DisableKey': _key_state('Disabled', False),
            'UpdateKeyDescription': kms_update_description, 'EnableKeyRotation': kms_rotation(True),
            'DisableKeyRotation': kms_rotation(False), 'GetKeyRotationStatus': kms_rotation_status,
            'ScheduleKeyDeletion': kms_schedule_deletion, 'CancelKeyDeletion': kms_cancel_deletion,
            'CreateAlias': kms_create_alias, 'UpdateAlias': kms_update_alias, 'DeleteAlias': kms_delete_alias,
            'ListAliases': kms_list_aliases, 'TagResource': kms_tag, 'UntagResource': kms_untag,
            'ListResourceTags': kms_list_tags, 'GetKeyPolicy': kms_get_policy, 'PutKeyPolicy': kms_put_policy}


# ================================================================ Secrets Manager

def _secret(ctx, allow_deleted=False):
    ref = ctx.params['SecretId']
    table = ctx.store.table('sm_secret')
    rec = table.get(ref) or next((s for s in table.values() if s['ARN'] == ref), None)
    if rec is None:
        raise ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")
    if rec.get('DeletedDate') and not allow_deleted:
        raise ApiError('InvalidRequestException', 'You can\'t perform this operation on the secret because it was '
                       'marked for deletion.')
    return rec


def _secret_version(ctx, rec, value):
    token = ctx.params.get('ClientRequestToken') or str(uuid.uuid4())
    for v in rec['_versions'].values():
        v['stages'] = [s for s in v['stages'] if s != 'AWSCURRENT']
        if 'AWSPREVIOUS' in v['stages']:
            v['stages'].remove('AWSPREVIOUS')
    prev = rec.get('_current')
    if prev:
        rec['_versions'][prev]['stages'].append('AWSPREVIOUS')
    rec['_versions'][token] = {'value': value, 'stages': ['AWSCURRENT'], 'created': ctx.now}
    rec['_current'] = token
    rec['LastChangedDate'] = ctx.now
    return token


def _secret_value(ctx):
    p = ctx.params
    if 'SecretString' in p:
        return {'SecretString': p['SecretString']}
    if 'SecretBinary' in p:
        raw = p['SecretBinary']
        return {'SecretBinary': raw if isinstance(raw, str) else raw.decode()}
    return None


def sm_create(ctx):
    p = ctx.params
    table = ctx.store.table('sm_secret')
    if p['Name'] in table:
        raise ApiError('ResourceExistsException', 'The operation failed because the secret %s already exists.'
                       % p['Name'])
    suffix = hashlib.sha256(p['Name'].encode()).hexdigest()[:6]
    rec = {'ARN': ctx.store.arn('secretsmanager', 'secret:%s-%s' % (p['Name'], suffix)), 'Name': p['Name'],
           'Description': p.get('Description'), 'KmsKeyId': p.get('KmsKeyId'), 'RotationEnabled': False,
           'CreatedDate': ctx.now, 'LastChangedDate': ctx.now, 'Tags': list(p.get('Tags', [])), '_versions': {}}
    table[p['Name']] = rec
    value = _secret_value(ctx)
    out = {'ARN': rec['ARN'], 'Name': rec['Name']}
    if value is not None:
        out['VersionId'] = _secret_version(ctx, rec, value)
    return out


def sm_service_secret(ctx, name, secret_string, kms_key_id, description):
    """A secret another service makes and owns (RDS's master password with
    ManageMasterUserPassword); returns its record."""
    rec = {'ARN': ctx.store.arn('secretsmanager', 'secret:%s-%s' % (name, ctx.store.new_id('{hex6}'))),
           'Name': name, 'Description': description,
           'KmsKeyId': kms_key_id or ctx.store.arn('kms', 'alias/aws/secretsmanager'),
           'RotationEnabled': False, 'CreatedDate': ctx.now, 'LastChangedDate': ctx.now,
           'OwningService': 'rds', 'Tags': [], '_versions': {}}
    version = str(uuid.uuid4())
    rec['_versions'][version] = {'value': {'SecretString': secret_string}, 'stages': ['AWSCURRENT'],
                                 'created': ctx.now}
    rec['_current'] = version
    ctx.store.table('sm_secret')[name] = rec
    return rec


def sm_drop_service_secret(ctx, arn):
    table = ctx.store.table('sm_secret')
    for name in [n for n, r in table.items() if r['ARN'] == arn]:
        del table[name]


def _secret_out(rec):
    out = {k: v for k, v in public(rec).items() if v is not None}
    out['VersionIdsToStages'] = {vid: v['stages'] for vid, v in rec['_versions'].items() if v['stages']}
    return out


def sm_describe(ctx):
    return _secret_out(_secret(ctx, allow_deleted=True))


def sm_get_value(ctx):
    rec = _secret(ctx)
    vid = ctx.params.get('VersionId')
    stage = ctx.params.get('VersionStage', 'AWSCURRENT')
    for k, v in rec['_versions'].items():
        if (vid and k == vid) or (not vid and stage in v['stages']):
            out = {'ARN': rec['ARN'], 'Name': rec['Name'], 'VersionId': k, 'VersionStages': v['stages'],
                   'CreatedDate': v['created']}
            out.update(v['value'])
            return out
    raise ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for "
                   'staging label: %s' % stage)


def sm_put_value(ctx):
    rec = _secret(ctx)
    value = _secret_value(ctx)
    if value is None:
        raise ApiError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.')
    vid = _secret_version(ctx, rec, value)
    return {'ARN': rec['ARN'], 'Name': rec['Name'], 'VersionId': vid, 'VersionStages': ['AWSCURRENT']}


def sm_update(ctx):
    rec = _secret(ctx)
    for k in ('Description', 'KmsKeyId'):
        if k in ctx.params:
            rec[k] = ctx.params[k]
    out = {'ARN': rec['ARN'], 'Name': rec['Name']}
    value = _secret_value(ctx)
    if value is not None:
        out['VersionId'] = _secret_version(ctx, rec, value)
    rec['LastChangedDate'] = ctx.now
    return out


def sm_list(ctx):
    recs = sorted(ctx.store.table('sm_secret').values(), key=lambda r: r['Name'])
    return paginate(ctx, [_secret_out(r) for r in recs if not r.get('DeletedDate')], {}, 'SecretList')


def sm_delete(ctx):
    rec = _secret(ctx)
    p = ctx.params
    if p.get('ForceDeleteWithoutRecovery') and p.get('RecoveryWindowInDays'):
        raise ApiError('InvalidParameterException', 'You can\'t use ForceDeleteWithoutRecovery in conjunction '
                       'with RecoveryWindowInDays.')
    if p.get('ForceDeleteWithoutRecovery'):
        del ctx.store.table('sm_secret')[rec['Name']]
        return {'ARN': rec['ARN'], 'Name': rec['Name'], 'DeletionDate': ctx.now}
    rec['DeletedDate'] = ctx.now
    return {'ARN': rec['ARN'], 'Name': rec['Name'], 'DeletionDate': ctx.now + 86400 * p.get('RecoveryWindowInDays', 30)}


def sm_restore(ctx):
    rec = _secret(ctx, allow_deleted=True)
    rec.pop('DeletedDate', None)
    return {'ARN': rec['ARN'], 'Name': rec['Name']}


def sm_tag(ctx):
    rec = _secret(ctx)
    tags = _tags_kv(rec['Tags'])
    tags.update(_tags_kv(ctx.params['Tags']))
    rec['Tags'] = _tags_list(tags)
    return {}


def sm_untag(ctx):
    rec = _secret(ctx)
    rec['Tags'] = [t for t in rec['Tags'] if t['Key'] not in ctx.params['TagKeys']]
    return {}


def sm_get_policy(ctx):
    rec = _secret(ctx)
    out = {'ARN': rec['ARN'], 'Name': rec['Name']}
    if rec.get('_policy'):
        out['ResourcePolicy'] = rec['_policy']
    return out


def sm_put_policy(ctx):
    rec = _secret(ctx)
    try:
        doc = json.loads(ctx.params['ResourcePolicy'])
    except ValueError:
        raise ApiError('MalformedPolicyDocumentException', 'The resource policy is not valid JSON.')
    if ctx.params.get('BlockPublicPolicy', True) and '"*"' in json.dumps(
            [st.get('Principal') for st in doc.get('Statement', []) if st.get('Effect') == 'Allow']):
        raise ApiError('PublicPolicyException', 'The BlockPublicPolicy parameter is set to true, and the resource '
                       'policy that you submitted grants public access to your secret.')
    rec['_policy'] = ctx.params['ResourcePolicy']
    return {'ARN': rec['ARN'], 'Name': rec['Name']}


def sm_delete_policy(ctx):
    rec = _secret(ctx)
    rec.pop('_policy', None)
    return {'ARN': rec['ARN'], 'Name': rec['Name']}


def sm_rotate(ctx):
    rec = _secret(ctx)
    p = ctx.params
    if p.get('RotationLambdaARN'):
        rec['RotationLambdaARN'] = p['RotationLambdaARN']
    if p.get('RotationRules'):
        rec['RotationRules'] = p['RotationRules']
    if not rec.get('RotationLambdaARN'):
        raise ApiError('InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.')
    rec['RotationEnabled'] = True
    return {'ARN': rec['ARN'], 'Name': rec['Name']}


def sm_cancel_rotate(ctx):
    rec = _secret(ctx)
    rec['RotationEnabled'] = False
    return {'ARN': rec['ARN'], 'Name': rec['Name']}


# GetRandomPassword (Secrets Manager API Reference, GetRandomPassword): by
# default upper and lower case letters, digits and the punctuation
# !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, 32 characters, no space, and at least
# one character of every included type (RequireEachIncludedType defaults to
# true); ExcludeCharacters removes characters from the pool.
_SM_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'


def sm_random_password(ctx):
    p = ctx.params
    length = int(p.get('PasswordLength', 32))
    excluded = set(p.get('ExcludeCharacters', ''))
    kinds = [chars for chars, flag in (('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'ExcludeUppercase'),
                                       ('abcdefghijklmnopqrstuvwxyz', 'ExcludeLowercase'),
                                       ('0123456789', 'ExcludeNumbers'),
                                       (_SM_PUNCTUATION, 'ExcludePunctuation')) if not p.get(flag)]
    if p.get('IncludeSpace'):
        kinds.append(' ')
    kinds = [''.join(c for c in chars if c not in excluded) for chars in kinds]
    kinds = [chars for chars in kinds if chars]
    require_each = p.get('RequireEachIncludedType', True)
    if not kinds or (require_each and length < len(kinds)):
        raise ApiError('InvalidParameterException',
                       'The password length or the character types you excluded leave no valid password.')
    rng = secrets.SystemRandom()
    pool = ''.join(kinds)
    chars = [rng.choice(chars) for chars in kinds] if require_each else []
    chars += [rng.choice(pool) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return {'RandomPassword': ''.join(chars)}


def _sm_handlers():
    return {'CreateSecret': sm_create, 'DescribeSecret': sm_describe, 'GetSecretValue': sm_get_value,
            'PutSecretValue': sm_put_value, 'UpdateSecret': sm_update, 'ListSecrets': sm_list,
            'DeleteSecret': sm_delete, 'RestoreSecret': sm_restore, 'TagResource': sm_tag, 'UntagResource': sm_untag,
            'GetResourcePolicy': sm_get_policy, 'PutResourcePolicy': sm_put_policy,
            'DeleteResourcePolicy': sm_delete_policy, 'RotateSecret': sm_rotate,
            'CancelRotateSecret': sm_cancel_rotate, 'GetRandomPassword': sm_random_password}


# ================================================================ S3 (buckets)

def _bucket(ctx):
    return lookup(ctx, 's3_bucket', ctx.params['Bucket'], 'NoSuchBucket', 'The specified bucket does not exist', 404)


def s3_create_bucket(ctx):
    name = ctx.params['Bucket']
    if not 3 <= len(name) <= 63 or name.lower() != name or '_' in name:
        raise ApiError('InvalidBucketName', 'The specified bucket is not valid.')
    region = (ctx.params.get('CreateBucketConfiguration') or {}).get('LocationConstraint') or 'us-east-1'
    if name in ctx.store.table('s3_bucket'):
        # us-east-1 answers 200 to the owner re-creating a bucket; elsewhere it is an error.
        if region == 'us-east-1':
            return {'Location': '/' + name}
        raise ApiError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded '
                       'and you already own it.', 409)
    ctx.store.table('s3_bucket')[name] = {'Name': name, 'CreationDate': ctx.now, '_region': region,
                                          '_tags': None, '_versioning': None}
    return {'Location': '/' + name}


def s3_head_bucket(ctx):
    _bucket(ctx)
    return {}


def s3_list_buckets(ctx):
    recs = sorted(ctx.store.table('s3_bucket').values(), key=lambda r: r['Name'])
    return {'Buckets': [public(r) for r in recs], 'Owner': {'ID': 'f' * 64, 'DisplayName': 'driftd-test'}}


def s3_delete_bucket(ctx):
    rec = _bucket(ctx)
    if any(k.startswith(rec['Name'] + '/') for k in ctx.store.table('s3_object')):
        raise ApiError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409)
    del ctx.store.table('s3_bucket')[rec['Name']]
    return {}


def s3_get_location(ctx):
    region = _bucket(ctx)['_region']
    return {'LocationConstraint': None if region == 'us-east-1' else region}


def s3_put_tagging(ctx):
    _bucket(ctx)['_tags'] = ctx.params['Tagging']['TagSet']
    return {}


def s3_get_tagging(ctx):
    tags = _bucket(ctx)['_tags']
    if tags is None:
        raise ApiError('NoSuchTagSet', 'The TagSet does not exist', 404)
    return {'TagSet': tags}


def s3_delete_tagging(ctx):
    _bucket(ctx)['_tags'] = None
    return {}


def s3_put_versioning(ctx):
    _bucket(ctx)['_versioning'] = ctx.params['VersioningConfiguration'].get('Status')
    return {}


def s3_get_versioning(ctx):
    status = _bucket(ctx)['_versioning']
    return {'Status': status} if status else {}


def _s3_config(name, code, message):
    """Get/Put/Delete of one bucket configuration kept in field _name; a
    bucket without it answers code (404), as S3 does."""
    field = '_' + name

    def put(ctx):
        _bucket(ctx)[field] = ctx.params[name]
        return {}

    def get(ctx):
        value = _bucket(ctx).get(field)
        if value is None:
            raise ApiError(code, message, 404)
        return {name: value}

    def delete(ctx):
        _bucket(ctx)[field] = None
        return {}
    return put, get, delete


S3_ENCRYPTION = _s3_config('ServerSideEncryptionConfiguration', 'ServerSideEncryptionConfigurationNotFoundError',
                           'The server side encryption configuration was not found')
S3_PUBLIC_ACCESS = _s3_config('PublicAccessBlockConfiguration', 'NoSuchPublicAccessBlockConfiguration',
                              'The public access block configuration was not found')
S3_LIFECYCLE = _s3_config('LifecycleConfiguration', 'NoSuchLifecycleConfiguration',
                          'The lifecycle configuration does not exist')


# A bucket policy is a JSON document sent and answered as text; a bucket
# without one answers NoSuchBucketPolicy (404) (S3 API reference,
# GetBucketPolicy).
S3_POLICY = _s3_config('Policy', 'NoSuchBucketPolicy', 'The bucket policy does not exist')


def s3_get_lifecycle(ctx):
    # GetBucketLifecycleConfiguration answers the rules at the top level.
    return S3_LIFECYCLE[1](ctx)['LifecycleConfiguration']


def s3_put_object(ctx):
    _bucket(ctx)
    body = ctx.params.get('Body') or b''
    body = body if isinstance(body, bytes) else str(body).encode()
    etag = '"%s"' % hashlib.md5(body).hexdigest()
    ctx.store.table('s3_object')['%s/%s' % (ctx.params['Bucket'], ctx.params['Key'])] = {
        'Key': ctx.params['Key'], 'Body': body.decode('latin-1'), 'ETag': etag, 'LastModified': ctx.now,
        'Size': len(body), 'ContentType': ctx.params.get('ContentType', 'binary/octet-stream')}
    return {'ETag': etag}


def _object(ctx):
    _bucket(ctx)
    rec = ctx.store.table('s3_object').get('%s/%s' % (ctx.params['Bucket'], ctx.params['Key']))
    if rec is None:
        raise ApiError('NoSuchKey', 'The specified key does not exist.', 404)
    return rec


def s3_get_object(ctx):
    rec = _object(ctx)
    return {'Body': rec['Body'].encode('latin-1'), 'ETag': rec['ETag'], 'ContentLength': rec['Size'],
            'ContentType': rec['ContentType'], 'LastModified': rec['LastModified']}


def s3_delete_object(ctx):
    _bucket(ctx)
    ctx.store.table('s3_object').pop('%s/%s' % (ctx.params['Bucket'], ctx.params['Key']), None)
    return {}


def s3_list_objects_v2(ctx):
    _bucket(ctx)
    pre = '%s/%s' % (ctx.params['Bucket'], ctx.params.get('Prefix', ''))
    objs = [{k: v for k, v in o.items() if k in ('Key', 'ETag', 'LastModified', 'Size')}
            for key, o in sorted(ctx.store.table('s3_object').items()) if key.startswith(pre)]
    out = paginate(ctx, objs, {'Name': ctx.params['Bucket'], 'Prefix': ctx.params.get('Prefix', '')}, 'Contents',
                   'ContinuationToken', 'NextContinuationToken', 'MaxKeys')
    out['IsTruncated'] = 'NextContinuationToken' in out
    out['KeyCount'] = len(out['Contents'])
    return out


def _s3_handlers():
    return {'CreateBucket': s3_create_bucket, 'HeadBucket': s3_head_bucket, 'ListBuckets': s3_list_buckets,
            'DeleteBucket': s3_delete_bucket, 'GetBucketLocation': s3_get_location,
            'PutBucketTagging': s3_put_tagging, 'GetBucketTagging': s3_get_tagging,
            'DeleteBucketTagging': s3_delete_tagging, 'PutBucketVersioning': s3_put_versioning,
            'GetBucketVersioning': s3_get_versioning, 'PutObject': s3_put_object, 'GetObject': s3_get_object,
            'DeleteObject': s3_delete_object, 'ListObjectsV2': s3_list_objects_v2,
            'PutBucketEncryption': S3_ENCRYPTION[0], 'GetBucketEncryption': S3_ENCRYPTION[1],
            'DeleteBucketEncryption': S3_ENCRYPTION[2],
            'PutPublicAccessBlock': S3_PUBLIC_ACCESS[0], 'GetPublicAccessBlock': S3_PUBLIC_ACCESS[1],
            'DeletePublicAccessBlock': S3_PUBLIC_ACCESS[2],
            'PutBucketLifecycleConfiguration': S3_LIFECYCLE[0],
            'GetBucketLifecycleConfiguration': s3_get_lifecycle, 'DeleteBucketLifecycle': S3_LIFECYCLE[2],
            'PutBucketPolicy': S3_POLICY[0], 'GetBucketPolicy': S3_POLICY[1], 'DeleteBucketPolicy': S3_POLICY[2]}


# ================================================================ Route 53

def _fqdn(name):
    return name if name.endswith('.') else name + '.'


def _zone(ctx, zid=None):
    zid = (zid or ctx.params.get('Id') or ctx.params.get('HostedZoneId')).rsplit('/', 1)[-1]
    rec = ctx.store.table('r53_zone').get(zid)
    if rec is None:
        raise ApiError('NoSuchHostedZone', 'No hosted zone found with ID: %s' % zid, 404)
    return rec


def _change(ctx):
    cid = ctx.store.new_id('C{up20}')
    ctx.store.table('r53_change')[cid] = {'Id': '/change/' + cid, 'SubmittedAt': ctx.now}
    return {'Id': '/change/' + cid, 'Status': 'PENDING', 'SubmittedAt': ctx.now}


def _zone_out(rec):
    out = public(rec)
    out['ResourceRecordSetCount'] = len(rec['_records'])
    return out


def r53_create_zone(ctx):
    p = ctx.params
    for z in ctx.store.table('r53_zone').values():
        if z['CallerReference'] == p['CallerReference']:
            raise ApiError('HostedZoneAlreadyExists', 'A hosted zone has already been created with the specified '
                           'caller reference.', 409)
    zid = ctx.store.new_id('Z{up20}')
    name = _fqdn(p['Name'].lower())
    ns = ['ns-%d.awsdns-%02d.%s' % (100 + i, i, tld) for i, tld in enumerate(('com.', 'net.', 'org.', 'co.uk.'))]
    cfg = {'PrivateZone': bool(p.get('VPC'))}
    if (p.get('HostedZoneConfig') or {}).get('Comment'):
        cfg['Comment'] = p['HostedZoneConfig']['Comment']
    rec = {'Id': '/hostedzone/' + zid, 'Name': name, 'CallerReference': p['CallerReference'], 'Config': cfg,
           '_tags': {}, '_records': [
               {'Name': name, 'Type': 'NS', 'TTL': 172800, 'ResourceRecords': [{'Value': n} for n in ns]},
               {'Name': name, 'Type': 'SOA', 'TTL': 900, 'ResourceRecords': [
                   {'Value': '%s awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' % ns[0]}]}]}
    ctx.store.table('r53_zone')[zid] = rec
    return {'HostedZone': _zone_out(rec), 'ChangeInfo': _change(ctx), 'DelegationSet': {'NameServers': ns},
            'Location': 'https://route53.amazonaws.com/2013-04-01/hostedzone/' + zid}


def r53_get_zone(ctx):
    rec = _zone(ctx)
    ns = [r for r in rec['_records'] if r['Type'] == 'NS' and r['Name'] == rec['Name']]
    return {'HostedZone': _zone_out(rec),
            'DelegationSet': {'NameServers': [v['Value'] for v in ns[0]['ResourceRecords']] if ns else []}}


def r53_update_comment(ctx):
    rec = _zone(ctx)
    if ctx.params.get('Comment'):
        rec['Config']['Comment'] = ctx.params['Comment']
    else:
        rec['Config'].pop('Comment', None)
    return {'HostedZone': _zone_out(rec)}


def r53_list_zones(ctx):
    recs = sorted(ctx.store.table('r53_zone').values(), key=lambda r: (r['Name'], r['Id']))
    out = _marker_page(ctx, [_zone_out(r) for r in recs], 'HostedZones', 'Marker', 'NextMarker', 'MaxItems',
                       'IsTruncated')
    out['MaxItems'] = str(ctx.params.get('MaxItems') or ctx.store.page_size)
    return out


def r53_delete_zone(ctx):
    rec = _zone(ctx)
    if any(r['Type'] not in ('NS', 'SOA') or r['Name'] != rec['Name'] for r in rec['_records']):
        raise ApiError('HostedZoneNotEmpty', 'The specified hosted zone contains non-required resource record '
                       'sets and so cannot be deleted.')
    del ctx.store.table('r53_zone')[rec['Id'].rsplit('/', 1)[-1]]
    return {'ChangeInfo': _change(ctx)}


def _rrset_key(rr):
    return (_fqdn(rr['Name'].lower()), rr['Type'], rr.get('SetIdentifier'))


def r53_change_rrsets(ctx):
    """A change batch is all-or-nothing, as in Route 53."""
    rec = _zone(ctx)
    records = [dict(r) for r in rec['_records']]
    problems = []
    for ch in ctx.params['ChangeBatch']['Changes']:
        rr = dict(ch['ResourceRecordSet'], Name=_fqdn(ch['ResourceRecordSet']['Name'].lower()))
        if not (rr['Name'] == rec['Name'] or rr['Name'].endswith('.' + rec['Name'])):
            problems.append('RRSet with DNS name %s is not permitted in zone %s' % (rr['Name'], rec['Name']))
            continue
        key = _rrset_key(rr)
        idx = next((i for i, r in enumerate(records) if _rrset_key(r) == key), None)
        if ch['Action'] == 'CREATE':
            if idx is not None:
                problems.append("Tried to create resource record set [name='%s', type='%s'] but it already exists"
                                % key[:2])
            else:
                records.append(rr)
        elif ch['Action'] == 'DELETE':
            if idx is None or records[idx] != rr:
                problems.append("Tried to delete resource record set [name='%s', type='%s'] but it was not found"
                                % key[:2])
            else:
                records.pop(idx)
        else:
            if idx is None:
                records.append(rr)
            else:
                records[idx] = rr
    if problems:
        raise ApiError('InvalidChangeBatch', '[%s]' % ', '.join(problems))
    rec['_records'] = records
    return {'ChangeInfo': _change(ctx)}


def r53_list_rrsets(ctx):
    rec = _zone(ctx)
    order = sorted(rec['_records'], key=lambda r: (list(reversed(r['Name'].split('.'))), r['Type']))
    start_name, start_type = ctx.params.get('StartRecordName'), ctx.params.get('StartRecordType')
    if start_name:
        keys = [(r['Name'], r['Type']) for r in order]
        want = (_fqdn(start_name), start_type)
        order = order[next((i for i, k in enumerate(keys) if k == want or (not start_type and k[0] == want[0])), 0):]
    # Route 53 answers up to MaxItems (at most 300) records a page.
    limit = min(300, int(ctx.params.get('MaxItems') or ctx.store.page_size))
    out = {'ResourceRecordSets': order[:limit], 'IsTruncated': len(order) > limit,
           'MaxItems': str(ctx.params.get('MaxItems') or limit)}
    if out['IsTruncated']:
        out['NextRecordName'], out['NextRecordType'] = order[limit]['Name'], order[limit]['Type']
    return out


def r53_get_change(ctx):
    cid = ctx.params['Id'].rsplit('/', 1)[-1]
    ch = ctx.store.table('r53_change').get(cid)
    if ch is None:
        raise ApiError('NoSuchChange', 'A change with the specified change ID does not exist.', 404)
    # Changes propagate within seconds of the fake clock.
    return {'ChangeInfo': {'Id': ch['Id'], 'SubmittedAt': ch['SubmittedAt'],
                           'Status': 'INSYNC' if ctx.now - ch['SubmittedAt'] >= 2 else 'PENDING'}}


def _health_check(ctx):
    hid = ctx.params['HealthCheckId']
    return lookup(ctx, 'r53_health', hid, 'NoSuchHealthCheck', 'No health check exists with the specified ID %s'
                  % hid, 404)


def r53_create_health_check(ctx):
    p = ctx.params
    for h in ctx.store.table('r53_health').values():
        if h['CallerReference'] == p['CallerReference']:
            if h['HealthCheckConfig'] != p['HealthCheckConfig']:
                raise ApiError('HealthCheckAlreadyExists', 'A health check with the specified CallerReference '
                               'already exists with a different configuration.', 409)
            return {'HealthCheck': public(h), 'Location': h['Id']}
    hid = str(uuid.uuid4())
    rec = {'Id': hid, 'CallerReference': p['CallerReference'], 'HealthCheckConfig': p['HealthCheckConfig'],
           'HealthCheckVersion': 1}
    ctx.store.table('r53_health')[hid] = rec
    return {'HealthCheck': public(rec), 'Location': 'https://route53.amazonaws.com/2013-04-01/healthcheck/' + hid}


def r53_get_health_check(ctx):
    return {'HealthCheck': public(_health_check(ctx))}


def r53_update_health_check(ctx):
    rec = _health_check(ctx)
    for k, v in ctx.params.items():
        if k in rec['HealthCheckConfig'] or k in ('Port', 'ResourcePath', 'FailureThreshold', 'SearchString',
                                                  'FullyQualifiedDomainName', 'IPAddress', 'Inverted', 'Disabled'):
            rec['HealthCheckConfig'][k] = v
    rec['HealthCheckVersion'] += 1
    return {'HealthCheck': public(rec)}


def r53_list_health_checks(ctx):
    out = _marker_page(ctx, [public(h) for h in ctx.store.table('r53_health').values()], 'HealthChecks', 'Marker',
                       'NextMarker', 'MaxItems', 'IsTruncated')
    out['Marker'] = ctx.params.get('Marker', '')
    out['MaxItems'] = str(ctx.params.get('MaxItems') or ctx.store.page_size)
    return out


def r53_delete_health_check(ctx):
    del ctx.store.table('r53_health')[_health_check(ctx)['Id']]
    return {}


def _r53_tag_target(ctx):
    rid = ctx.params['ResourceId']
    if ctx.params['ResourceType'] == 'hostedzone':
        return _zone(ctx, rid)
    ctx.params['HealthCheckId'] = rid
    rec = _health_check(ctx)
    rec.setdefault('_tags', {})
    return rec


def r53_change_tags(ctx):
    rec = _r53_tag_target(ctx)
    rec['_tags'].update(_tags_kv(ctx.params.get('AddTags')))
    for k in ctx.params.get('RemoveTagKeys', []):
        rec['_tags'].pop(k, None)
    return {}


def r53_list_tags(ctx):
    rec = _r53_tag_target(ctx)
    return {'ResourceTagSet': {'ResourceType': ctx.params['ResourceType'], 'ResourceId': ctx.params['ResourceId'],
                               'Tags': _tags_list(rec['_tags'])}}


def _r53_handlers():
    return {'CreateHostedZone': r53_create_zone, 'GetHostedZone': r53_get_zone, 'ListHostedZones': r53_list_zones,
            'DeleteHostedZone': r53_delete_zone, 'UpdateHostedZoneComment': r53_update_comment,
            'ChangeResourceRecordSets': r53_change_rrsets,
            'ListResourceRecordSets': r53_list_rrsets, 'GetChange': r53_get_change,
            'CreateHealthCheck': r53_create_health_check, 'GetHealthCheck': r53_get_health_check,
            'UpdateHealthCheck': r53_update_health_check, 'ListHealthChecks': r53_list_health_checks,
            'DeleteHealthCheck': r53_delete_health_check, 'ChangeTagsForResource': r53_change_tags,
            'ListTagsForResource': r53_list_tags}


# ================================================================ ACM

def _cert(ctx):
    arn = ctx.params['CertificateArn']
    return lookup(ctx, 'acm_cert', arn, 'ResourceNotFoundException', 'Could not find certificate %s.' % arn)


def _validation_record(domain):
    h = hashlib.sha256(domain.encode()).hexdigest()
    return {'Name': '_%s.%s.' % (h[:32], domain.lstrip('*.')), 'Type': 'CNAME',
            'Value': '_%s.acm-validations.aws.' % h[32:64]}


def _cname_exists(ctx, rr):
    return any(r['Type'] == 'CNAME' and r['Name'] == rr['Name'].lower() and
               any(v['Value'].rstrip('.') == rr['Value'].rstrip('.') for v in r.get('ResourceRecords', []))
               for z in ctx.store.table('r53_zone').values() for r in z['_records'])


def _cert_out(ctx, rec):
    out = public(rec)
    if rec['_frozen_status'] is None and rec['Status'] == 'PENDING_VALIDATION':
        dvos = out['DomainValidationOptions']
        for d in dvos:
            if _cname_exists(ctx, d['ResourceRecord']):
                d['ValidationStatus'] = 'SUCCESS'
        if all(d['ValidationStatus'] == 'SUCCESS' for d in dvos):
            rec['Status'] = 'ISSUED'
            rec['IssuedAt'] = rec['NotBefore'] = ctx.now
            rec['NotAfter'] = ctx.now + 395 * 86400
            rec['DomainValidationOptions'] = dvos
            out = public(rec)
    out['InUseBy'] = _cert_users(ctx, rec['CertificateArn'])
    return out


def _cert_users(ctx, arn):
    """The load balancers whose listeners use the certificate."""
    return sorted({l['LoadBalancerArn'] for l in ctx.store.table('elb_listener').values()
                   if any(c.get('CertificateArn') == arn for c in l.get('Certificates') or [])})


def acm_request(ctx):
    p = ctx.params
    token = p.get('IdempotencyToken')
    for c in ctx.store.table('acm_cert').values():
        if token and c.get('_token') == token and c['DomainName'] == p['DomainName']:
            return {'CertificateArn': c['CertificateArn']}
    arn = ctx.store.arn('acm', 'certificate/' + str(uuid.uuid4()))
    names = [p['DomainName']] + [n for n in p.get('SubjectAlternativeNames', []) if n != p['DomainName']]
    method = p.get('ValidationMethod', 'EMAIL')
    dvos = [{'DomainName': n, 'ValidationDomain': n, 'ValidationStatus': 'PENDING_VALIDATION',
             'ValidationMethod': method, 'ResourceRecord': _validation_record(n)} for n in names]
    ctx.store.table('acm_cert')[arn] = {
        'CertificateArn': arn, 'DomainName': p['DomainName'], 'SubjectAlternativeNames': names,
        'DomainValidationOptions': dvos, 'Status': 'PENDING_VALIDATION', 'Type': 'AMAZON_ISSUED',
        'CreatedAt': ctx.now, 'KeyAlgorithm': p.get('KeyAlgorithm', 'RSA_2048'), 'RenewalEligibility': 'INELIGIBLE',
        '_token': token, '_tags': _tags_kv(p.get('Tags')), '_frozen_status': None}
    return {'CertificateArn': arn}


def acm_describe(ctx):
    return {'Certificate': _cert_out(ctx, _cert(ctx))}


def acm_list(ctx):
    want = ctx.params.get('CertificateStatuses')
    recs = [_cert_out(ctx, r) for r in ctx.store.table('acm_cert').values()]
    rows = [{'CertificateArn': r['CertificateArn'], 'DomainName': r['DomainName'], 'Status': r['Status']}
            for r in recs if not want or r['Status'] in want]
    return paginate(ctx, rows, {}, 'CertificateSummaryList', limit_key='MaxItems')


def acm_delete(ctx):
    arn = _cert(ctx)['CertificateArn']
    if _cert_users(ctx, arn):
        raise ApiError('ResourceInUseException', 'Certificate %s in use by %s' % (arn, ', '.join(_cert_users(ctx, arn))))
    del ctx.store.table('acm_cert')[arn]
    return {}


def acm_add_tags(ctx):
    _cert(ctx)['_tags'].update(_tags_kv(ctx.params['Tags']))
    return {}


def acm_remove_tags(ctx):
    rec = _cert(ctx)
    for t in ctx.params['Tags']:
        rec['_tags'].pop(t['Key'], None)
    return {}


def acm_list_tags(ctx):
    return {'Tags': _tags_list(_cert(ctx)['_tags'])}


def _acm_handlers():
    return {'RequestCertificate': acm_request, 'DescribeCertificate': acm_describe, 'ListCertificates': acm_list,
            'DeleteCertificate': acm_delete, 'AddTagsToCertificate': acm_add_tags,
            'RemoveTagsFromCertificate': acm_remove_tags, 'ListTagsForCertificate': acm_list_tags}


def handlers():
    return {'kms': _kms_handlers(), 'secretsmanager': _sm_handlers(), 's3': _s3_handlers(),
            'route53': _r53_handlers(), 'acm': _acm_handlers()}
