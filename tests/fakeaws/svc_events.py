"""EventBridge: rules on the default event bus, their targets and tags,
event patterns, and delivery of "AWS API Call via CloudTrail" events to
SQS targets.

What AWS documents and the fake keeps:
- PutRule creates or replaces a rule (EventBridge API Reference: "If you
  omit arguments in PutRule, the old values for those arguments are not
  kept"; tags are set on create only); EventPattern or ScheduleExpression
  is needed; the pattern must be valid (InvalidEventPatternException).
  State ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
- DeleteRule fails while the rule has targets ("Rule can't be deleted
  since it has targets.", ValidationException) and succeeds for a rule
  that does not exist; Enable/DisableRule, ListTargetsByRule, PutTargets
  and RemoveTargets on a missing rule are ResourceNotFoundException.
  At most 5 targets a rule (LimitExceededException).
- Only the default event bus: another bus is ResourceNotFoundException.
- Event patterns (User Guide, "Event patterns" and "Comparison operators
  for use in event patterns"): nested objects; arrays of values, any one
  matching (an event array matches when any element does); prefix,
  suffix, equals-ignore-case, wildcard, anything-but (value, list,
  prefix, suffix), exists, numeric, cidr.
- Delivery (User Guide, "Events from AWS services" and "Receiving
  read-only management events from AWS services"): CloudTrail API-call
  events reach EventBridge only while a trail is logging management
  events for the Region (svc_cloudtrail.covering_trail); a rule in state
  ENABLED does not get read-only events named Describe*, Get* or List*,
  ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS does.  An SQS target gets
  the event as the message body (or the target's Input, InputPath or
  InputTransformer), only
  when the queue policy lets events.amazonaws.com sqs:SendMessage
  (usually on condition aws:SourceArn = the rule) and, for an SSE-KMS
  queue, the key is a customer managed key whose policy lets
  events.amazonaws.com kms:GenerateDataKey and kms:Decrypt (the AWS
  managed alias/aws/sqs never does) (User Guide, "Permissions for Amazon
  SQS" and "Troubleshooting: my rule runs but the SQS queue gets no
  message").  Anything else is dropped, as AWS drops it (a
  FailedInvocations metric); the fake records each delivery and drop,
  with the reason, at GET /_fake/events.  Targets other than SQS are
  not emulated (dropped).
"""
import collections
import functools
import ipaddress
import json
import re
import time
import uuid

import policy
import svc_cloudtrail
import svc_sqs
from engine import ACCOUNT, paginate
from wire import ApiError

RULES = 'events_rule'
MAX_TARGETS = 5
DETAIL_TYPE = 'AWS API Call via CloudTrail'
READ_NAME_PREFIXES = ('Describe', 'Get', 'List')
DELIVERY_LOG = 1000
SENDER_ID = 'AIDAEVENTBRIDGEFAKE00'    # SenderId of messages EventBridge sends (the fake's)


def _region(ctx):
    return ctx.region or ctx.store.region


def rule_arn(region, name):
    return 'arn:aws:events:%s:%s:rule/%s' % (region, ACCOUNT, name)


def _bus(ctx):
    bus = ctx.params.get('EventBusName') or 'default'
    if bus not in ('default', 'arn:aws:events:%s:%s:event-bus/default' % (_region(ctx), ACCOUNT)):
        raise ApiError('ResourceNotFoundException', 'Event bus %s does not exist.' % bus)


def _rule(ctx, name=None):
    _bus(ctx)
    name = name or ctx.params.get('Name') or ctx.params.get('Rule')
    rec = ctx.store.table(RULES).get(rule_arn(_region(ctx), name))
    if rec is None:
        raise ApiError('ResourceNotFoundException', 'Rule %s does not exist on EventBus default.' % name)
    return rec


# ------------------------------------------------------------------ patterns

class BadPattern(Exception):
    pass


NUMERIC_OPS = {'<': lambda a, b: a < b, '<=': lambda a, b: a <= b, '=': lambda a, b: a == b,
               '>': lambda a, b: a > b, '>=': lambda a, b: a >= b}


def _is_scalar(v):
    return v is None or isinstance(v, (str, bool, int, float))


def _check_matcher(m):
    if _is_scalar(m):
        return
    if not isinstance(m, dict) or len(m) != 1:
        raise BadPattern('Match value must be String, number, true, false, null or a single-key object')
    (op, arg), = m.items()
    if op in ('prefix', 'suffix'):
        if isinstance(arg, dict) and list(arg) == ['equals-ignore-case'] and isinstance(arg['equals-ignore-case'], str):
            return
        if not isinstance(arg, str):
            raise BadPattern('%s match pattern must be a string' % op)
    elif op in ('equals-ignore-case', 'wildcard'):
        if not isinstance(arg, str):
            raise BadPattern('%s match pattern must be a string' % op)
    elif op == 'exists':
        if not isinstance(arg, bool):
            raise BadPattern('exists match pattern must be either true or false.')
    elif op == 'anything-but':
        if isinstance(arg, dict):
            if len(arg) != 1 or list(arg)[0] not in ('prefix', 'suffix', 'equals-ignore-case', 'wildcard'):
                raise BadPattern('Unsupported anything-but pattern: %s' % json.dumps(arg))
            _check_matcher(arg)
        elif isinstance(arg, list):
            if not arg or not all(_is_scalar(a) and a is not None for a in arg):
                raise BadPattern('Inside anything-but list, start|null|boolean is not supported.')
        elif not _is_scalar(arg) or arg is None or isinstance(arg, bool):
            raise BadPattern('Inside anything but list, start|null|boolean is not supported.')
    elif op == 'numeric':
        if not isinstance(arg, list) or not arg or len(arg) % 2 or len(arg) > 4:
            raise BadPattern('Value of numeric must be an array.')
        for i in range(0, len(arg), 2):
            if arg[i] not in NUMERIC_OPS or isinstance(arg[i + 1], bool) or \
                    not isinstance(arg[i + 1], (int, float)):
                raise BadPattern('Unrecognized numeric range operator: %s' % arg[i])
    elif op == 'cidr':
        try:
            ipaddress.ip_network(arg, strict=False)
        except (TypeError, ValueError):
            raise BadPattern('Nonstandard IP address: %s' % arg)
    else:
        raise BadPattern('Unrecognized match type %s' % op)


def _check_pattern(node, top):
    if not isinstance(node, dict):
        raise BadPattern('Filter is not an object')
    if top and not node:
        raise BadPattern('Empty objects are not allowed')
    for key, value in node.items():
        if isinstance(value, dict):
            if not value:
                raise BadPattern('Empty objects are not allowed')
            _check_pattern(value, False)
        elif isinstance(value, list):
            if not value:
                raise BadPattern('Empty arrays are not allowed')
            for m in value:
                _check_matcher(m)
        else:
            raise BadPattern('"%s" must be an object or an array' % key)


def parse_pattern(text):
    """The pattern as JSON, or InvalidEventPatternException."""
    try:
        doc = json.loads(text)
        _check_pattern(doc, True)
    except ValueError as e:
        raise ApiError('InvalidEventPatternException', 'Event pattern is not valid. Reason: %s' % e)
    except BadPattern as e:
        raise ApiError('InvalidEventPatternException', 'Event pattern is not valid. Reason: %s' % e)
    return doc


@functools.lru_cache(maxsize=256)
def _stored_pattern(text):
    return json.loads(text)


def _same(a, b):
    """Pattern value a equals event value b: numbers by value, never a bool for a number."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or (type(a) is type(b) and a == b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _wildcard(pat, s):
    return re.fullmatch('.*'.join(re.escape(p) for p in pat.split('*')), s, re.S) is not None


def _leaf(m, present, values):
    if not isinstance(m, dict):
        return present and any(_same(m, v) for v in values)
    (op, arg), = m.items()
    if op == 'exists':
        return present == arg
    if not present:
        return False
    strs = [v for v in values if isinstance(v, str)]
    if op in ('prefix', 'suffix'):
        if isinstance(arg, dict):
            arg = arg['equals-ignore-case'].lower()
            strs = [s.lower() for s in strs]
        return any(s.startswith(arg) if op == 'prefix' else s.endswith(arg) for s in strs)
    if op == 'equals-ignore-case':
        return any(s.lower() == arg.lower() for s in strs)
    if op == 'wildcard':
        return any(_wildcard(arg, s) for s in strs)
    if op == 'anything-but':
        if isinstance(arg, dict):
            return any(not _leaf(arg, True, [v]) for v in values)
        banned = arg if isinstance(arg, list) else [arg]
        return any(not any(_same(b, v) for b in banned) for v in values)
    if op == 'numeric':
        nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return any(all(NUMERIC_OPS[arg[i]](n, arg[i + 1]) for i in range(0, len(arg), 2)) for n in nums)
    if op == 'cidr':
        net = ipaddress.ip_network(arg, strict=False)
        for s in strs:
            try:
                if ipaddress.ip_address(s) in net:
                    return True
            except ValueError:
                pass
        return False
    return False


def matches(pattern, event):
    """Whether the event (a dict) matches the pattern (parsed)."""
    for key, want in pattern.items():
        present = isinstance(event, dict) and key in event
        value = event.get(key) if present else None
        if isinstance(want, dict):
            if not matches(want, value if isinstance(value, dict) else {}):
                return False
            continue
        values = value if isinstance(value, list) else [value]
        if not any(_leaf(m, present, values) for m in want):
            return False
    return True


# ------------------------------------------------------------------ rules

def put_rule(ctx):
    p = ctx.params
    _bus(ctx)
    if not p.get('EventPattern') and not p.get('ScheduleExpression'):
        raise ApiError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.')
    if p.get('EventPattern'):
        parse_pattern(p['EventPattern'])
    region = _region(ctx)
    arn = rule_arn(region, p['Name'])
    table = ctx.store.table(RULES)
    old = table.get(arn)
    rec = {'Name': p['Name'], 'Arn': arn, 'EventBusName': 'default', 'State': p.get('State') or 'ENABLED',
           'CreatedBy': ACCOUNT, 'Region': region,
           'Targets': old['Targets'] if old else [], 'Tags': old['Tags'] if old else list(p.get('Tags') or [])}
    for k in ('EventPattern', 'ScheduleExpression', 'Description', 'RoleArn'):
        if p.get(k) is not None:
            rec[k] = p[k]
    table[arn] = rec
    return {'RuleArn': arn}


RULE_FIELDS = ('Name', 'Arn', 'EventPattern', 'ScheduleExpression', 'State', 'Description', 'RoleArn',
               'EventBusName', 'CreatedBy')


def _show(rec, fields=RULE_FIELDS):
    return {k: rec[k] for k in fields if k in rec}


def describe_rule(ctx):
    return _show(_rule(ctx))


def list_rules(ctx):
    _bus(ctx)
    prefix, region = ctx.params.get('NamePrefix') or '', _region(ctx)
    rules = sorted((r for r in ctx.store.table(RULES).values()
                    if r['Region'] == region and r['Name'].startswith(prefix)), key=lambda r: r['Name'])
    return paginate(ctx, [_show(r, RULE_FIELDS[:-1]) for r in rules], {}, 'Rules', limit_key='Limit')


def delete_rule(ctx):
    _bus(ctx)
    rec = ctx.store.table(RULES).get(rule_arn(_region(ctx), ctx.params['Name']))
    if rec is None:
        return {}                        # "all calls will succeed"
    if rec['Targets']:
        raise ApiError('ValidationException', "Rule can't be deleted since it has targets.")
    del ctx.store.table(RULES)[rec['Arn']]
    return {}


def _set_state(state):
    def handler(ctx):
        _rule(ctx)['State'] = state
        return {}
    return handler


def put_targets(ctx):
    rec = _rule(ctx)
    targets = {t['Id']: t for t in rec['Targets']}
    for t in ctx.params['Targets']:
        if not t['Arn'].startswith('arn:') or len(t['Arn'].split(':', 5)) != 6:
            raise ApiError('ValidationException', 'Parameter %s is not valid. Reason: Provided Arn is not in '
                           'correct format.' % t['Arn'])
        if sum(1 for x in ('Input', 'InputPath', 'InputTransformer') if t.get(x) is not None) > 1:
            raise ApiError('ValidationException', 'Only one of Input, InputPath, or InputTransformer must be '
                           'provided.')
        paths = (t.get('InputTransformer') or {}).get('InputPathsMap') or {}
        if any(not v.startswith('$') for v in paths.values()):
            raise ApiError('ValidationException', 'InputPathsMap values must be JSON paths starting with $.')
        if t.get('Input') is not None:
            try:
                json.loads(t['Input'])
            except ValueError:
                raise ApiError('ValidationException', 'Input is not a valid JSON text.')
        targets[t['Id']] = t
    if len(targets) > MAX_TARGETS:
        raise ApiError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.')
    rec['Targets'] = list(targets.values())
    return {'FailedEntryCount': 0, 'FailedEntries': []}


def remove_targets(ctx):
    rec = _rule(ctx)
    ids = set(ctx.params['Ids'])
    rec['Targets'] = [t for t in rec['Targets'] if t['Id'] not in ids]
    return {'FailedEntryCount': 0, 'FailedEntries': []}


def list_targets(ctx):
    rec = _rule(ctx)
    return paginate(ctx, list(rec['Targets']), {}, 'Targets', limit_key='Limit')


def _tagged(ctx):
    arn = ctx.params['ResourceARN']
    rec = ctx.store.table(RULES).get(arn)
    if rec is None:
        raise ApiError('ResourceNotFoundException', 'Rule %s does not exist on EventBus default.'
                       % arn.rsplit('/', 1)[-1])
    return rec


def list_tags(ctx):
    return {'Tags': list(_tagged(ctx)['Tags'])}


def tag_resource(ctx):
    rec = _tagged(ctx)
    tags = collections.OrderedDict((t['Key'], t['Value']) for t in rec['Tags'])
    tags.update((t['Key'], t['Value']) for t in ctx.params['Tags'])
    rec['Tags'] = [{'Key': k, 'Value': v} for k, v in tags.items()]
    return {}


def untag_resource(ctx):
    rec = _tagged(ctx)
    rec['Tags'] = [t for t in rec['Tags'] if t['Key'] not in ctx.params['TagKeys']]
    return {}


# ------------------------------------------------------------------ delivery

class Deliveries:
    """What became of every event a rule matched: delivered, or dropped and
    why (GET /_fake/events), newest last."""

    def __init__(self):
        self.log = collections.deque(maxlen=DELIVERY_LOG)

    def add(self, detail, rule, target, outcome, reason, message_id=None):
        self.log.append({'time': time.time(), 'eventID': detail.get('eventID'), 'eventName': detail.get('eventName'),
                         'eventSource': detail.get('eventSource'), 'region': detail.get('awsRegion'),
                         'rule': rule, 'target': target, 'outcome': outcome, 'reason': reason,
                         'message_id': message_id})


def envelope(detail):
    """The EventBridge event for a CloudTrail record (User Guide, "AWS
    service events delivered via AWS CloudTrail")."""
    return {'version': '0', 'id': str(uuid.uuid4()), 'detail-type': DETAIL_TYPE,
            'source': 'aws.' + detail['eventSource'].split('.', 1)[0], 'account': ACCOUNT,
            'time': detail['eventTime'], 'region': detail['awsRegion'], 'resources': [], 'detail': detail}


def _input_path(event, path):
    """InputPath: a JSONPath of dotted names from $."""
    if path == '$':
        return event
    node = event
    for part in path[2:].split('.') if path.startswith('$.') else [None]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _transform(spec, event, rule):
    """InputTransformer (User Guide, "Amazon EventBridge input
    transformation"): <name> in InputTemplate becomes the value at
    InputPathsMap[name] (or a reserved aws.events.* variable); inside a
    JSON string as text, elsewhere as JSON (null where the path is not)."""
    values = {k: _input_path(event, v) for k, v in (spec.get('InputPathsMap') or {}).items()}
    values.update({'aws.events.rule-arn': rule['Arn'], 'aws.events.rule-name': rule['Name'],
                   'aws.events.event': {k: v for k, v in event.items() if k != 'detail'},
                   'aws.events.event.json': event,
                   'aws.events.event.ingestion-time': event['time']})
    tmpl, out, quoted, i = spec['InputTemplate'], [], False, 0
    while i < len(tmpl):
        c = tmpl[i]
        end = tmpl.find('>', i) if c == '<' else -1
        if end > 0 and tmpl[i + 1:end] in values:
            v = values[tmpl[i + 1:end]]
            if quoted:
                text = v if isinstance(v, str) else json.dumps(v, default=str) if v is not None else ''
                out.append(json.dumps(text)[1:-1])
            else:
                out.append(json.dumps(v, default=str))
            i = end + 1
            continue
        if c == '\\' and quoted:
            out.append(tmpl[i:i + 2])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        out.append(c)
        i += 1
    return ''.join(out)


def _kms_ok(store, key_ref, region):
    if key_ref in ('alias/aws/sqs', 'arn:aws:kms:%s:%s:alias/aws/sqs' % (region, ACCOUNT)):
        return False, 'the queue is encrypted with the AWS managed key alias/aws/sqs, whose policy EventBridge ' \
                      'cannot use'
    ref = key_ref.split(':', 5)[-1] if key_ref.startswith('arn:') else key_ref
    if ref.startswith('alias/'):
        alias = store.table('kms_alias').get(ref)
        ref = alias['TargetKeyId'] if alias else None
    key = store.table('kms_key').get(ref.split('/', 1)[-1]) if ref else None
    if key is None:
        return False, 'KMS key %s does not exist' % key_ref
    if key.get('KeyState') != 'Enabled':
        return False, 'KMS key %s is %s' % (key_ref, key.get('KeyState'))
    for action in ('kms:GenerateDataKey', 'kms:Decrypt'):
        ok, why = policy.allows(key.get('_policy'), 'events.amazonaws.com', action, key['Arn'])
        if not ok:
            return False, 'the key policy of %s does not let events.amazonaws.com %s: %s' % (key_ref, action, why)
    return True, None


def _to_queue(store, rule, target, body):
    """(message id, None) once sent, or (None, why not)."""
    arn = target['Arn']
    parts = arn.split(':')
    if parts[2] != 'sqs':
        return None, 'target type %s is not emulated' % parts[2]
    if parts[3] != rule['Region']:
        return None, 'the queue is in %s, the rule in %s' % (parts[3], rule['Region'])
    q = svc_sqs.find(store, arn)
    if q is None:
        return None, 'queue %s does not exist' % arn
    ok, why = policy.allows(q['Attributes'].get('Policy'), 'events.amazonaws.com', 'sqs:SendMessage', arn,
                            {'aws:SourceArn': rule['Arn'], 'aws:SourceAccount': ACCOUNT})
    if not ok:
        return None, 'the queue policy does not let events.amazonaws.com sqs:SendMessage for %s: %s' % (rule['Arn'], why)
    key = q['Attributes'].get('KmsMasterKeyId')
    if key:
        ok, why = _kms_ok(store, key, rule['Region'])
        if not ok:
            return None, why
    return svc_sqs.enqueue(store, q, body, SENDER_ID)['MessageId'], None


def deliver(fake, detail):
    """Called with the store lock held for every management event recorded."""
    rules = fake.store.resources.get(RULES)
    if not rules or detail is None:
        return
    region = detail['awsRegion']
    event = None
    for rule in list(rules.values()):
        if rule['Region'] != region or rule['State'] == 'DISABLED' or 'EventPattern' not in rule:
            continue
        if detail['readOnly'] and detail['eventName'].startswith(READ_NAME_PREFIXES) and rule['State'] == 'ENABLED':
            continue
        event = event or envelope(detail)
        if not matches(_stored_pattern(rule['EventPattern']), event):
            continue
        trail = svc_cloudtrail.covering_trail(fake.store, detail)
        for target in rule['Targets']:
            if trail is None:
                fake.deliveries.add(detail, rule['Arn'], target['Arn'], 'dropped',
                                    'no CloudTrail trail is logging management events for %s' % region)
                continue
            if target.get('Input') is not None:
                body = target['Input']
            elif target.get('InputPath'):
                body = json.dumps(_input_path(event, target['InputPath']), default=str)
            elif target.get('InputTransformer'):
                body = _transform(target['InputTransformer'], event, rule)
            else:
                body = json.dumps(event, separators=(',', ':'), default=str)
            mid, why = _to_queue(fake.store, rule, target, body)
            fake.deliveries.add(detail, rule['Arn'], target['Arn'], 'delivered' if mid else 'dropped', why, mid)


def handlers():
    return {'events': {'PutRule': put_rule, 'DescribeRule': describe_rule, 'ListRules': list_rules,
                       'DeleteRule': delete_rule, 'EnableRule': _set_state('ENABLED'),
                       'DisableRule': _set_state('DISABLED'), 'PutTargets': put_targets,
                       'RemoveTargets': remove_targets, 'ListTargetsByRule': list_targets,
                       'ListTagsForResource': list_tags, 'TagResource': tag_resource,
                       'UntagResource': untag_resource}}
