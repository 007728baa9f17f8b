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
import threading
import time
import uuid

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


def handlers():
    return {'cloudtrail': {'LookupEvents': _lookup}}
