"""CloudTrail: who called what.  Every call the fake answers with success
is recorded as a CloudTrail management event, and LookupEvents answers
from those events.

What AWS documents and the fake keeps:
- The event record (CloudTrail User Guide, "CloudTrail record contents for
  management, data, and network activity events"): eventTime, eventSource,
  eventName, awsRegion, sourceIPAddress, userAgent, requestParameters,
  requestID, eventID, readOnly, eventType AwsApiCall, managementEvent,
  recipientAccountId, eventCategory Management, and userIdentity
  ("CloudTrail userIdentity element"): an IAM user's access key gives
  type IAMUser, arn arn:aws:iam::ACCOUNT:user/NAME, userName; temporary
  credentials from AssumeRole give type AssumedRole, arn
  arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION and a sessionContext
  whose sessionIssuer is the role.
- LookupEvents (CloudTrail API Reference): at most one lookup attribute
  (InvalidLookupAttributesException), StartTime/EndTime inclusive and
  StartTime <= EndTime (InvalidTimeRangeException), MaxResults 1..50
  (default 50, InvalidMaxResultsException), NextToken valid only with the
  same parameters (InvalidNextTokenException), events newest first, and
  "two per second, per account, per region" (ThrottlingException).
- Top-level Event members: ReadOnly is the string "true"/"false",
  Username is the IAM user name or the role session name, Resources are
  {ResourceType, ResourceName} as the service names them (ids such as
  sg-..., names such as a role's or a bucket's, ARNs where the API takes
  one); ResourceType is null when it cannot be determined.
- Events are delivered "within about 15 minutes of an API call" (User
  Guide, "How CloudTrail works"): the control API can hold events back for
  a configurable delay to test that.

Read-only events are kept in memory only (the newest 2000); write events
are kept in DIR/cloudtrail.jsonl too (the newest 5000).
"""
import base64
import datetime
import hashlib
import itertools
import json
import os
import re
import threading
import time
import uuid

import policy
from engine import ACCOUNT
from wire import ApiError

READ_PREFIXES = ('Describe', 'List', 'Get', 'Head', 'Lookup')
READ_ONLY_OPS = ('AssumeRole', 'AssumeRoleWithWebIdentity')
MAX_WRITE_EVENTS = 5000
MAX_READ_EVENTS = 2000
RATE_PER_S = 2.0              # LookupEvents: two per second, per account, per region
# Request members that name the resource a call acts on, and the type
# CloudTrail gives it.  A member ending in Id/Ids/Arn/Name/Identifier that
# is not listed is still a resource, of a type that "cannot be determined".
RESOURCE_TYPES = {
    'VpcId': 'AWS::EC2::VPC', 'SubnetId': 'AWS::EC2::Subnet', 'GroupId': 'AWS::EC2::SecurityGroup',
    'InternetGatewayId': 'AWS::EC2::InternetGateway', 'RouteTableId': 'AWS::EC2::RouteTable',
    'NatGatewayId': 'AWS::EC2::NatGateway', 'AllocationId': 'AWS::EC2::EIP',
    'RoleName': 'AWS::IAM::Role', 'PolicyArn': 'AWS::IAM::Policy',
    'InstanceProfileName': 'AWS::IAM::InstanceProfile',
    'OpenIDConnectProviderArn': 'AWS::IAM::OIDCProvider',
    'TopicArn': 'AWS::SNS::Topic', 'Bucket': 'AWS::S3::Bucket',
    'DBInstanceIdentifier': 'AWS::RDS::DBInstance', 'DBSubnetGroupName': 'AWS::RDS::DBSubnetGroup',
    'DBParameterGroupName': 'AWS::RDS::DBParameterGroup', 'KeyId': 'AWS::KMS::Key',
    'SecretId': 'AWS::SecretsManager::Secret', 'HostedZoneId': 'AWS::Route53::HostedZone',
    'logGroupName': 'AWS::Logs::LogGroup', 'AlarmName': 'AWS::CloudWatch::Alarm',
    'LoadBalancerArn': 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'TargetGroupArn': 'AWS::ElasticLoadBalancingV2::TargetGroup',
    'ReplicationGroupId': 'AWS::ElastiCache::ReplicationGroup',
}
# Parameters that end like a resource name but are not one.
NOT_RESOURCES = {'ClientToken', 'AccessKeyId', 'RoleSessionName', 'Name', 'Key', 'Value', 'ParameterName',
                 'MetricName', 'Namespace', 'PolicyName', 'KmsKeyId', 'SourceSecurityGroupOwnerId',
                 'SourceSecurityGroupName', 'PrefixListId', 'SecurityGroupRuleId', 'DestinationPrefixListId',
                 'AvailabilityZoneId', 'OwnerId', 'UserId', 'ExpectedBucketOwner', 'VersionId'}
RESOURCE_SUFFIXES = ('Id', 'Arn', 'Name', 'Identifier')
# Data events: "By default, CloudTrail doesn't log data events. The
# CloudTrail Event history doesn't record data events" (SQS Developer
# Guide, "Logging Amazon SQS API calls using AWS CloudTrail": the message
# operations).  The fake emulates no data event selectors, so these are
# never recorded, never looked up and never reach EventBridge.
DATA_EVENTS = {('sqs', op) for op in ('SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage',
                                      'DeleteMessageBatch', 'ChangeMessageVisibility',
                                      'ChangeMessageVisibilityBatch')}


class Principals:
    """Access key -> the identity CloudTrail records for it; kept with the
    fake's state (a reset forgets all but the fake's own key)."""

    def __init__(self, store, main_key):
        self.store, self.main_key = store, main_key

    @property
    def table(self):
        return self.store.resources.setdefault('_principals', {})

    def add_user(self, akid, name):
        self.table[akid] = {'type': 'IAMUser', 'name': name}

    def add_session(self, akid, role_arn, session):
        self.table[akid] = {'type': 'AssumedRole', 'role_arn': role_arn, 'session': session}

    def identity(self, akid):
        """(userIdentity, Username) as CloudTrail gives them."""
        p = self.table.get(akid) or {'type': 'IAMUser',
                                     'name': 'driftd-test' if akid == self.main_key else 'unknown'}
        pid = 'AIDA' + hashlib.sha1(akid.encode()).hexdigest()[:17].upper()
        if p['type'] == 'IAMUser':
            return ({'type': 'IAMUser', 'principalId': pid,
                     'arn': 'arn:aws:iam::%s:user/%s' % (ACCOUNT, p['name']),
                     'accountId': ACCOUNT, 'accessKeyId': akid, 'userName': p['name']}, p['name'])
        parts = p['role_arn'].split(':')
        role = parts[5].split('/')[-1]
        rid = 'AROA' + hashlib.sha1(p['role_arn'].encode()).hexdigest()[:17].upper()
        return ({'type': 'AssumedRole', 'principalId': '%s:%s' % (rid, p['session']),
                 'arn': 'arn:aws:sts::%s:assumed-role/%s/%s' % (parts[4], role, p['session']),
                 'accountId': parts[4], 'accessKeyId': akid,
                 'sessionContext': {'sessionIssuer': {'type': 'Role', 'principalId': rid, 'arn': p['role_arn'],
                                                      'accountId': parts[4], 'userName': role},
                                    'attributes': {'creationDate': _iso(time.time()),
                                                   'mfaAuthenticated': 'false'}}}, p['session'])


def _iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _resources(params, result):
    """{ResourceType, ResourceName} of every resource the call names, in
    the request or (for a create) in the answer."""
    out, seen = [], set()

    def add(member, value):
        if isinstance(value, str) and value and (member, value) not in seen:
            seen.add((member, value))
            out.append({'ResourceType': RESOURCE_TYPES.get(member), 'ResourceName': value})

    def walk(doc, depth, known_only):
        if not isinstance(doc, dict) or depth > 2:
            return
        for k, v in doc.items():
            if k in NOT_RESOURCES:
                continue
            if k in RESOURCE_TYPES or (not known_only and k.endswith(RESOURCE_SUFFIXES) and isinstance(v, str)):
                add(k, v)
            elif not known_only and (k in ('Resources', 'ResourceIds') or k.endswith('Ids') and isinstance(v, list)):
                for x in v if isinstance(v, list) else []:
                    add(k[:-1] if k.endswith('Ids') else k, x)
            elif isinstance(v, dict):
                walk(v, depth + 1, known_only)
    walk(params, 0, False)
    # the answer names the resource a create made, not what it refers to
    # (a VPC's DHCP options, a published message's id)
    walk(result if isinstance(result, dict) else {}, 0, True)
    return out


class Trail:
    """Write events live in DIR/cloudtrail.jsonl, one appended line each
    (rewriting them with state.json after every call would cost more the
    longer the fake runs), and in memory."""

    def __init__(self, fake):
        self.fake = fake
        self.path = os.path.join(fake.args.state_dir, 'cloudtrail.jsonl')
        self.reads = []
        self.writes, self.lines = self._load()
        # events of one second keep the order they happened in
        self.seq = itertools.count(max([e.get('seq', 0) for e in self.writes] or [0]) + 1)
        self.delay = 0.0               # seconds before an event is visible
        self.total = 0
        self.buckets = {}              # region -> (tokens, last refill)
        self.lock = threading.Lock()
        self.principals = Principals(fake.store, fake.args.access_key)

    def _load(self):
        """(the newest events kept, lines in the file)"""
        try:
            with open(self.path) as f:
                events = [json.loads(line) for line in f if line.endswith('\n')]
        except FileNotFoundError:
            return [], 0
        return events[-MAX_WRITE_EVENTS:], len(events)

    def _append(self, ev):
        """One line per write event; compacted to the newest when it holds
        twice as many as are kept."""
        self.lines += 1
        if self.lines > 2 * MAX_WRITE_EVENTS:
            tmp = self.path + '.tmp'
            with open(tmp, 'w') as f:
                f.writelines(json.dumps(e) + '\n' for e in self.writes)
            os.rename(tmp, self.path)
            self.lines = len(self.writes)
            return
        with open(self.path, 'a') as f:
            f.write(json.dumps(ev) + '\n')

    def reset(self):
        with self.lock:
            self.reads, self.writes, self.lines = [], [], 0
            open(self.path, 'w').close()

    def record(self, service, region, op, params, result, akid, source_ip, user_agent, request_id, when):
        """Records the call's management event and returns its CloudTrail
        record (the `detail` EventBridge delivers), or None for a data event."""
        if (service, op) in DATA_EVENTS:
            return None
        when = int(when)               # eventTime has whole seconds: "2014-03-06T21:22:54Z"
        ident, username = self.principals.identity(akid)
        read_only = op.startswith(READ_PREFIXES) or op in READ_ONLY_OPS
        source = '%s.amazonaws.com' % service
        event_id = str(uuid.uuid4())
        detail = {'eventVersion': '1.08', 'userIdentity': ident, 'eventTime': _iso(when),
                  'eventSource': source, 'eventName': op, 'awsRegion': region or self.fake.store.region,
                  'sourceIPAddress': source_ip, 'userAgent': user_agent, 'requestParameters': params or None,
                  'responseElements': None, 'requestID': request_id, 'eventID': event_id,
                  'readOnly': read_only, 'eventType': 'AwsApiCall', 'managementEvent': True,
                  'recipientAccountId': ACCOUNT, 'eventCategory': 'Management'}
        ev = {'EventId': event_id, 'EventName': op, 'ReadOnly': 'true' if read_only else 'false',
              'AccessKeyId': akid, 'EventTime': when, 'EventSource': source, 'Username': username,
              'Resources': _resources(params, result), 'region': detail['awsRegion'], 'recorded': time.time(),
              'seq': next(self.seq),
              'CloudTrailEvent': json.dumps(detail, default=str, separators=(',', ':'))}
        with self.lock:
            events, cap = (self.reads, MAX_READ_EVENTS) if read_only else (self.writes, MAX_WRITE_EVENTS)
            self.total += 1
            events.append(ev)
            if len(events) > cap:
                del events[:len(events) - cap]
            if not read_only:
                self._append(ev)
        return detail

    def take_token(self, region):
        """The per-region token bucket: two a second, two at most."""
        with self.lock:
            now = time.monotonic()
            tokens, last = self.buckets.get(region, (RATE_PER_S, now))
            tokens = min(RATE_PER_S, tokens + (now - last) * RATE_PER_S)
            ok = tokens >= 1.0
            self.buckets[region] = (tokens - 1.0 if ok else tokens, now)
            return ok

    def visible(self, region):
        now = time.time()
        with self.lock:
            events = [e for e in self.writes + self.reads
                      if e['region'] == region and e['recorded'] + self.delay <= now]
        events.sort(key=lambda e: (e['EventTime'], e['seq']), reverse=True)
        return events


def _ts(v):
    if isinstance(v, datetime.datetime):
        return v.timestamp()
    return float(v)


def _match(ev, key, value):
    if key == 'ResourceName':
        return any(r['ResourceName'] == value for r in ev['Resources'])
    if key == 'ResourceType':
        return any(r['ResourceType'] == value for r in ev['Resources'])
    return ev.get(key) == value


def _lookup(ctx):
    trail = ctx.server.trail
    p = ctx.params
    region = ctx.region or ctx.store.region
    if not trail.take_token(region):
        raise ApiError('ThrottlingException', 'Rate exceeded', 400)
    attrs = p.get('LookupAttributes') or []
    if len(attrs) > 1:
        raise ApiError('InvalidLookupAttributesException',
                       'You cannot specify more than one lookup attribute.')
    now = time.time()
    start = _ts(p['StartTime']) if p.get('StartTime') is not None else now - 90 * 86400
    end = _ts(p['EndTime']) if p.get('EndTime') is not None else now
    if start > end:
        raise ApiError('InvalidTimeRangeException', 'Start time must be before end time.')
    limit = p.get('MaxResults')
    if limit is not None and not 1 <= int(limit) <= 50:
        raise ApiError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.')
    limit = int(limit or 50)
    # A token is good only with the parameters it was made for.
    sig = hashlib.sha256(json.dumps([attrs, start if p.get('StartTime') is not None else None,
                                     end if p.get('EndTime') is not None else None],
                                    sort_keys=True, default=str).encode()).hexdigest()[:16]
    offset = 0
    if p.get('NextToken'):
        try:
            tsig, off = base64.b64decode(p['NextToken']).decode().split(':')
            offset = int(off)
        except (ValueError, UnicodeDecodeError):
            tsig = None
        if tsig != sig:
            raise ApiError('InvalidNextTokenException', 'Invalid NextToken.')
    events = [e for e in trail.visible(region)
              if start <= e['EventTime'] <= end and all(_match(e, a['AttributeKey'], a['AttributeValue'])
                                                        for a in attrs)]
    page = events[offset:offset + limit]
    out = {'Events': [{k: v for k, v in e.items() if k not in ('region', 'recorded', 'seq')} for e in page]}
    if offset + limit < len(events):
        out['NextToken'] = base64.b64encode(('%s:%d' % (sig, offset + limit)).encode()).decode()
    return out




# ================================================================ trails
#
# CloudTrail API Reference, each action's page, and the User Guide:
# - CreateTrail makes a trail that is not logging until StartLogging;
#   names of 3..128 letters, digits, '.', '_' and '-', starting and ending
#   with a letter or digit, without adjacent '.', '_' or '-', not like an IP
#   address (InvalidTrailNameException); at most 5 trails a Region
#   (MaximumNumberOfTrailsExceededException); the bucket must exist
#   (S3BucketDoesNotExistException) and its policy must let
#   cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject
#   on [prefix/]AWSLogs/ACCOUNT/* with the acl bucket-owner-full-control
#   (InsufficientS3BucketPolicyException; User Guide, "Amazon S3 bucket
#   policy for CloudTrail", whose aws:SourceArn condition names the trail).
# - A trail is named by name or ARN; an unknown one is TrailNotFoundException;
#   a multi-Region trail shows in the other Regions as a shadow trail
#   (DescribeTrails includeShadowTrails, default true) that only its home
#   Region may change (InvalidHomeRegionException).
# - Event selectors: by default all management events, read and write;
#   PutEventSelectors takes EventSelectors or AdvancedEventSelectors, not
#   both (InvalidParameterCombinationException).
TRAILS = 'cloudtrail_trail'
MAX_TRAILS = 5
TRAIL_NAME_RX = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9])){2,127}$')
IP_RX = re.compile(r'^\d+\.\d+\.\d+\.\d+$')
DEFAULT_SELECTORS = [{'ReadWriteType': 'All', 'IncludeManagementEvents': True, 'DataResources': [],
                      'ExcludeManagementEventSources': []}]
# Services whose events CloudTrail records in us-east-1 and a trail takes
# only with IncludeGlobalServiceEvents (User Guide, "Global service events").
GLOBAL_SOURCES = {'iam.amazonaws.com', 'route53.amazonaws.com', 'cloudfront.amazonaws.com'}
TRAIL_FIELDS = ('Name', 'S3BucketName', 'S3KeyPrefix', 'SnsTopicName', 'SnsTopicARN', 'IncludeGlobalServiceEvents',
                'IsMultiRegionTrail', 'HomeRegion', 'TrailARN', 'LogFileValidationEnabled',
                'CloudWatchLogsLogGroupArn', 'CloudWatchLogsRoleArn', 'KmsKeyId', 'HasCustomEventSelectors',
                'HasInsightSelectors', 'IsOrganizationTrail')


def _region(ctx):
    return ctx.region or ctx.store.region


def _trail_arn(region, name):
    return 'arn:aws:cloudtrail:%s:%s:trail/%s' % (region, ACCOUNT, name)


def _find_trail(ctx, ref, home_only=False):
    region, table = _region(ctx), ctx.store.table(TRAILS)
    rec = table.get(ref) if ref.startswith('arn:') else \
        table.get(_trail_arn(region, ref)) or next((t for t in table.values()
                                                    if t['Name'] == ref and t['IsMultiRegionTrail']), None)
    if rec is None or (rec['HomeRegion'] != region and not rec['IsMultiRegionTrail']):
        raise ApiError('TrailNotFoundException', 'Unknown trail: %s for the user: %s'
                       % (ref if ref.startswith('arn:') else _trail_arn(region, ref), ACCOUNT))
    if home_only and rec['HomeRegion'] != region:
        raise ApiError('InvalidHomeRegionException', 'This operation must be called from the trail\'s home '
                       'region, %s.' % rec['HomeRegion'])
    return rec


def _check_bucket(ctx, name, prefix, trail_arn):
    bucket = ctx.store.table('s3_bucket').get(name)
    if bucket is None:
        raise ApiError('S3BucketDoesNotExistException', 'S3 bucket %s does not exist.' % name)
    context = {'aws:SourceArn': trail_arn, 'aws:SourceAccount': ACCOUNT, 's3:x-amz-acl': 'bucket-owner-full-control'}
    key = '%sAWSLogs/%s/CloudTrail/%s/log.json.gz' % (prefix + '/' if prefix else '', ACCOUNT, _region(ctx))
    for action, resource in (('s3:GetBucketAcl', 'arn:aws:s3:::%s' % name),
                             ('s3:PutObject', 'arn:aws:s3:::%s/%s' % (name, key))):
        ok, _ = policy.allows(bucket.get('_Policy'), 'cloudtrail.amazonaws.com', action, resource, context)
        if not ok:
            raise ApiError('InsufficientS3BucketPolicyException',
                           'Incorrect S3 bucket policy is detected for bucket: %s' % name)


def _trail_settings(ctx, rec):
    p = ctx.params
    for k in ('S3BucketName', 'S3KeyPrefix', 'SnsTopicName', 'CloudWatchLogsLogGroupArn', 'CloudWatchLogsRoleArn',
              'KmsKeyId', 'IncludeGlobalServiceEvents', 'IsMultiRegionTrail', 'IsOrganizationTrail'):
        if p.get(k) is not None:
            rec[k] = p[k]
    if p.get('EnableLogFileValidation') is not None:
        rec['LogFileValidationEnabled'] = p['EnableLogFileValidation']
    if rec.get('SnsTopicName'):
        rec['SnsTopicARN'] = 'arn:aws:sns:%s:%s:%s' % (rec['HomeRegion'], ACCOUNT, rec['SnsTopicName'])
    if rec['IsMultiRegionTrail'] and not rec['IncludeGlobalServiceEvents']:
        raise ApiError('InvalidParameterCombinationException', 'Multi-Region trail must include global service '
                       'events.')
    if rec.get('KmsKeyId') and rec['KmsKeyId'].startswith('alias/'):
        rec['KmsKeyId'] = 'arn:aws:kms:%s:%s:%s' % (rec['HomeRegion'], ACCOUNT, rec['KmsKeyId'])


def _trail_out(rec, fields=TRAIL_FIELDS):
    return {k: rec[k] for k in fields if rec.get(k) is not None}


def create_trail(ctx):
    p = ctx.params
    name, region = p['Name'], _region(ctx)
    if not TRAIL_NAME_RX.match(name) or IP_RX.match(name):
        raise ApiError('InvalidTrailNameException', 'Trail name must start with a letter or number, end with a letter '
                       'or number, be between 3 and 128 characters, and have no adjacent periods, underscores or '
                       'dashes.')
    arn, table = _trail_arn(region, name), ctx.store.table(TRAILS)
    if arn in table:
        raise ApiError('TrailAlreadyExistsException', 'Trail %s already exists for customer: %s' % (name, ACCOUNT))
    if sum(1 for t in table.values() if t['HomeRegion'] == region) >= MAX_TRAILS:
        raise ApiError('MaximumNumberOfTrailsExceededException', 'User: %s already has %d trails in %s.'
                       % (ACCOUNT, MAX_TRAILS, region))
    rec = {'Name': name, 'TrailARN': arn, 'HomeRegion': region, 'IncludeGlobalServiceEvents': True,
           'IsMultiRegionTrail': False, 'LogFileValidationEnabled': False, 'IsOrganizationTrail': False,
           'HasCustomEventSelectors': False, 'HasInsightSelectors': False,
           '_logging': False, '_selectors': DEFAULT_SELECTORS, '_advanced': None,
           '_tags': list(p.get('TagsList') or [])}
    _trail_settings(ctx, rec)
    _check_bucket(ctx, rec['S3BucketName'], rec.get('S3KeyPrefix'), arn)
    table[arn] = rec
    return _trail_out(rec, [f for f in TRAIL_FIELDS if f not in ('HomeRegion', 'HasCustomEventSelectors',
                                                                 'HasInsightSelectors')])


def update_trail(ctx):
    rec = _find_trail(ctx, ctx.params['Name'], home_only=True)
    new = dict(rec)
    _trail_settings(ctx, new)
    _check_bucket(ctx, new['S3BucketName'], new.get('S3KeyPrefix'), rec['TrailARN'])
    rec.update(new)
    return _trail_out(rec, [f for f in TRAIL_FIELDS if f not in ('HomeRegion', 'HasCustomEventSelectors',
                                                                 'HasInsightSelectors')])


def get_trail(ctx):
    return {'Trail': _trail_out(_find_trail(ctx, ctx.params['Name']))}


def describe_trails(ctx):
    p, region = ctx.params, _region(ctx)
    shadows = p.get('includeShadowTrails', True)
    trails = [t for t in ctx.store.table(TRAILS).values()
              if t['HomeRegion'] == region or (shadows and t['IsMultiRegionTrail'])]
    names = p.get('trailNameList')
    if names:
        trails = [t for t in trails if t['Name'] in names or t['TrailARN'] in names]
    return {'trailList': [_trail_out(t) for t in sorted(trails, key=lambda t: t['Name'])]}


def get_trail_status(ctx):
    rec = _find_trail(ctx, ctx.params['Name'])
    out = {'IsLogging': rec['_logging']}
    if rec.get('_start') is not None:
        out['StartLoggingTime'] = rec['_start']
        out['TimeLoggingStarted'] = _iso(rec['_start'])
    if rec.get('_stop') is not None:
        out['StopLoggingTime'] = rec['_stop']
        out['TimeLoggingStopped'] = _iso(rec['_stop'])
    return out


def _logging(on):
    def handler(ctx):
        rec = _find_trail(ctx, ctx.params['Name'], home_only=True)
        if rec['_logging'] != on:
            rec['_logging'] = on
            rec['_start' if on else '_stop'] = time.time()
        return {}
    return handler


def delete_trail(ctx):
    rec = _find_trail(ctx, ctx.params['Name'], home_only=True)
    del ctx.store.table(TRAILS)[rec['TrailARN']]
    return {}


def _tag_target(ctx, arn):
    if not arn.startswith('arn:aws:cloudtrail:'):
        raise ApiError('CloudTrailARNInvalidException', 'Invalid ARN: %s' % arn)
    rec = ctx.store.table(TRAILS).get(arn)
    if rec is None:
        raise ApiError('ResourceNotFoundException', 'Resource %s not found.' % arn)
    return rec


def add_tags(ctx):
    rec = _tag_target(ctx, ctx.params['ResourceId'])
    tags = {t['Key']: t.get('Value') for t in rec['_tags']}
    tags.update((t['Key'], t.get('Value')) for t in ctx.params.get('TagsList') or [])
    rec['_tags'] = [{'Key': k, 'Value': v} if v is not None else {'Key': k} for k, v in tags.items()]
    return {}


def remove_tags(ctx):
    rec = _tag_target(ctx, ctx.params['ResourceId'])
    drop = {t['Key'] for t in ctx.params.get('TagsList') or []}
    rec['_tags'] = [t for t in rec['_tags'] if t['Key'] not in drop]
    return {}


def list_tags(ctx):
    return {'ResourceTagList': [{'ResourceId': arn, 'TagsList': _tag_target(ctx, arn)['_tags']}
                                for arn in ctx.params['ResourceIdList']]}


def _selectors_out(rec):
    out = {'TrailARN': rec['TrailARN']}
    if rec['_advanced'] is not None:
        out['AdvancedEventSelectors'] = rec['_advanced']
    else:
        out['EventSelectors'] = rec['_selectors']
    return out


def get_event_selectors(ctx):
    return _selectors_out(_find_trail(ctx, ctx.params['TrailName']))


def put_event_selectors(ctx):
    p = ctx.params
    rec = _find_trail(ctx, p['TrailName'], home_only=True)
    basic, advanced = p.get('EventSelectors'), p.get('AdvancedEventSelectors')
    if (basic is None) == (advanced is None):
        raise ApiError('InvalidParameterCombinationException', 'Provide either EventSelectors or '
                       'AdvancedEventSelectors, but not both.')
    if basic is not None:
        if not 1 <= len(basic) <= 5:
            raise ApiError('InvalidEventSelectorsException', 'A trail can have 1 to 5 event selectors.')
        rec['_selectors'] = [dict({'ReadWriteType': 'All', 'IncludeManagementEvents': True, 'DataResources': [],
                                   'ExcludeManagementEventSources': []}, **s) for s in basic]
        rec['_advanced'] = None
    else:
        rec['_advanced'] = advanced
    rec['HasCustomEventSelectors'] = True
    return _selectors_out(rec)


def _field_holds(fs, value):
    if value is None:
        return True                     # a field the fake does not know narrows nothing
    checks = (('Equals', lambda w: value in w), ('NotEquals', lambda w: value not in w),
              ('StartsWith', lambda w: any(value.startswith(x) for x in w)),
              ('NotStartsWith', lambda w: not any(value.startswith(x) for x in w)),
              ('EndsWith', lambda w: any(value.endswith(x) for x in w)),
              ('NotEndsWith', lambda w: not any(value.endswith(x) for x in w)))
    return all(fn(fs[k]) for k, fn in checks if fs.get(k))


def _logs_management(rec, detail):
    ro, src = detail['readOnly'], detail['eventSource']
    if rec['_advanced'] is not None:
        fields = {'eventCategory': 'Management', 'readOnly': 'true' if ro else 'false', 'eventSource': src,
                  'eventName': detail['eventName']}
        return any(any(f['Field'] == 'eventCategory' and 'Management' in f.get('Equals', [])
                       for f in sel['FieldSelectors']) and
                   all(_field_holds(f, fields.get(f['Field'])) for f in sel['FieldSelectors'])
                   for sel in rec['_advanced'])
    return any(s.get('IncludeManagementEvents', True) and
               s.get('ReadWriteType', 'All') in ('All', 'ReadOnly' if ro else 'WriteOnly') and
               src not in (s.get('ExcludeManagementEventSources') or [])
               for s in rec['_selectors'])


def covering_trail(store, detail):
    """A trail that is logging this management event (its Region, global
    service events, its selectors), or None: EventBridge gets "AWS API Call
    via CloudTrail" events only from such a trail."""
    for rec in store.resources.get(TRAILS, {}).values():
        if not rec['_logging']:
            continue
        if rec['HomeRegion'] != detail['awsRegion'] and not rec['IsMultiRegionTrail']:
            continue
        if detail['eventSource'] in GLOBAL_SOURCES and not rec['IncludeGlobalServiceEvents']:
            continue
        if _logs_management(rec, detail):
            return rec
    return None


def trail_handlers():
    return {'CreateTrail': create_trail, 'UpdateTrail': update_trail, 'GetTrail': get_trail,
            'DescribeTrails': describe_trails, 'GetTrailStatus': get_trail_status,
            'StartLogging': _logging(True), 'StopLogging': _logging(False), 'DeleteTrail': delete_trail,
            'AddTags': add_tags, 'RemoveTags': remove_tags, 'ListTags': list_tags,
            'GetEventSelectors': get_event_selectors, 'PutEventSelectors': put_event_selectors}


def handlers():
    return {'cloudtrail': dict(trail_handlers(), LookupEvents=_lookup)}
