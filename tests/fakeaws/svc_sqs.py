"""SQS (standard queues) in the JSON protocol: queues with their
attributes, policy and tags, and messages with delays, visibility timeouts,
redelivery, retention and real long polling.

What AWS documents and the fake keeps (Amazon SQS API Reference, each
action's page; Developer Guide, "Amazon SQS visibility timeout",
"Amazon SQS short and long polling", "Amazon SQS message metadata"):
- Queue URL https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, ARN
  arn:aws:sqs:REGION:ACCOUNT:NAME; names of 1..80 letters, digits, - and _.
- CreateQueue: attribute defaults DelaySeconds 0, MaximumMessageSize
  1,048,576, MessageRetentionPeriod 345,600, ReceiveMessageWaitTimeSeconds
  0, VisibilityTimeout 30, SqsManagedSseEnabled true unless a KMS key is
  given; the same name with the same attributes answers the existing URL,
  with different ones QueueAlreadyExists; a name deleted less than 60
  seconds ago is QueueDeletedRecently.
- GetQueueAttributes: "All" or names; unknown names InvalidAttributeName;
  Policy and KmsMasterKeyId only when set.
- ReceiveMessage: MaxNumberOfMessages 1..10, WaitTimeSeconds 0..20 (the
  queue's ReceiveMessageWaitTimeSeconds when absent): a long poll answers
  as soon as a message is available, else empty after the wait; received
  messages stay invisible for the visibility timeout, then come again with
  a new receipt handle and ApproximateReceiveCount + 1.
- DeleteMessage with a handle of a message already deleted succeeds; a
  handle that is not one is ReceiptHandleIsInvalid.  DeleteMessageBatch:
  1..10 entries with distinct ids of letters, digits, - and _.
- ChangeMessageVisibility 0..43,200 seconds on a message in flight, else
  MessageNotInflight.
- Errors in the JSON protocol carry the shape name in __type
  ("com.amazonaws.sqs#QueueDoesNotExist") and the query-protocol code in
  the x-amzn-query-error header ("AWS.SimpleQueueService.NonExistentQueue;
  Sender"), which botocore reports as the error code.
FIFO queues, dead-letter redrive and message batching on send are not
emulated (FifoQueue is refused as InvalidAttributeName).

Time: visibility, delays and retention run on the fake's clock; the
long-poll wait is real seconds.  A waiting ReceiveMessage releases the
store lock (a Condition on it), so other calls and shutdown go on.
"""
import base64
import hashlib
import json
import re
import struct
import time
import uuid

from engine import ACCOUNT
from wire import ApiError

# shape name -> (query-protocol code, HTTP status), from the SQS query model
QUERY_CODES = {
    'QueueDoesNotExist': ('AWS.SimpleQueueService.NonExistentQueue', 400),
    'QueueNameExists': ('QueueAlreadyExists', 400),
    'QueueDeletedRecently': ('AWS.SimpleQueueService.QueueDeletedRecently', 400),
    'MessageNotInflight': ('AWS.SimpleQueueService.MessageNotInflight', 400),
    'TooManyEntriesInBatchRequest': ('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400),
    'EmptyBatchRequest': ('AWS.SimpleQueueService.EmptyBatchRequest', 400),
    'BatchEntryIdsNotDistinct': ('AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400),
    'InvalidBatchEntryId': ('AWS.SimpleQueueService.InvalidBatchEntryId', 400),
    'OverLimit': ('OverLimit', 403),
}
DEFAULTS = {'DelaySeconds': '0', 'MaximumMessageSize': '1048576', 'MessageRetentionPeriod': '345600',
            'ReceiveMessageWaitTimeSeconds': '0', 'VisibilityTimeout': '30'}
# settable attribute -> (low, high) for integers, or None
SETTABLE = {'DelaySeconds': (0, 900), 'MaximumMessageSize': (1024, 1048576),
            'MessageRetentionPeriod': (60, 1209600), 'ReceiveMessageWaitTimeSeconds': (0, 20),
            'VisibilityTimeout': (0, 43200), 'KmsDataKeyReusePeriodSeconds': (60, 86400),
            'Policy': None, 'KmsMasterKeyId': None, 'SqsManagedSseEnabled': None,
            'RedrivePolicy': None, 'RedriveAllowPolicy': None}
READ_ONLY = ('QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible',
             'ApproximateNumberOfMessagesDelayed', 'CreatedTimestamp', 'LastModifiedTimestamp')
DELETED_WAIT = 60               # seconds before a deleted queue's name may be used again
NAME_RX = re.compile(r'^[A-Za-z0-9_-]{1,80}$')
BATCH_ID_RX = re.compile(r'^[A-Za-z0-9_-]{1,80}$')
BODY_RX = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
POLL_SLICE = 0.5                # a waiting poll looks again at least this often (delays, timeouts)
TABLE = 'sqs_queue'


def error(shape, message):
    code, status = QUERY_CODES.get(shape, (shape, 400))
    e = ApiError(code, message, status)
    e.type_name = 'com.amazonaws.sqs#' + shape
    e.headers = {'x-amzn-query-error': '%s;Sender' % code}
    return e


def invalid(message):
    return error('InvalidParameterValue', message)


def _no_queue():
    return error('QueueDoesNotExist', 'The specified queue does not exist.')


def _region(ctx):
    return ctx.region or ctx.store.region


def queue_arn(region, name):
    return 'arn:aws:sqs:%s:%s:%s' % (region, ACCOUNT, name)


def find(store, arn):
    """The queue with this ARN, or None (for EventBridge delivery)."""
    return store.table(TABLE).get(arn)


def _queue(ctx, url=None):
    """The queue a QueueUrl names: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
    (any host: the account and name decide, in the caller's Region)."""
    url = url if url is not None else ctx.params.get('QueueUrl', '')
    parts = url.rstrip('/').split('/')
    if len(parts) < 2 or parts[-2] != ACCOUNT:
        raise _no_queue()
    rec = ctx.store.table(TABLE).get(queue_arn(_region(ctx), parts[-1]))
    if rec is None:
        raise _no_queue()
    return rec


def _now(ctx):
    return ctx.store.clock.now()


def _check_attributes(attrs):
    for name, value in attrs.items():
        if name not in SETTABLE:
            raise error('InvalidAttributeName', 'Unknown Attribute %s.' % name)
        rng = SETTABLE[name]
        if rng:
            try:
                n = int(value)
            except ValueError:
                n = None
            if n is None or not rng[0] <= n <= rng[1]:
                raise error('InvalidAttributeValue', 'Invalid value for the parameter %s.' % name)
        elif name in ('Policy', 'RedrivePolicy', 'RedriveAllowPolicy') and value:
            try:
                if not isinstance(json.loads(value), dict):
                    raise ValueError
            except ValueError:
                raise error('InvalidAttributeValue', 'Invalid value for the parameter %s.' % name)
        elif name == 'SqsManagedSseEnabled' and value not in ('true', 'false'):
            raise error('InvalidAttributeValue', 'Invalid value for the parameter SqsManagedSseEnabled.')
    if attrs.get('SqsManagedSseEnabled') == 'true' and attrs.get('KmsMasterKeyId'):
        raise error('InvalidAttributeValue', 'You can use one type of server-side encryption (SSE) at one time. '
                    'You can either enable KMS SSE or SQS SSE.')


def _apply(rec, attrs):
    a = rec['Attributes']
    for name, value in attrs.items():
        if value == '' and name in ('Policy', 'KmsMasterKeyId', 'RedrivePolicy', 'RedriveAllowPolicy'):
            a.pop(name, None)
        else:
            a[name] = str(value)
    if attrs.get('KmsMasterKeyId'):
        a['SqsManagedSseEnabled'] = 'false'
        a.setdefault('KmsDataKeyReusePeriodSeconds', '300')
    if attrs.get('SqsManagedSseEnabled') == 'true':
        a.pop('KmsMasterKeyId', None)
        a.pop('KmsDataKeyReusePeriodSeconds', None)


def create_queue(ctx):
    p = ctx.params
    name, region = p['QueueName'], _region(ctx)
    if name.endswith('.fifo'):
        raise error('InvalidAttributeName', 'FIFO queues are not emulated by the fake.')
    if not NAME_RX.match(name):
        raise invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length')
    attrs = p.get('Attributes') or {}
    _check_attributes(attrs)
    arn = queue_arn(region, name)
    table = ctx.store.table(TABLE)
    old = table.get(arn)
    if old is not None:
        for k, v in attrs.items():
            if old['Attributes'].get(k, DEFAULTS.get(k)) != str(v):
                raise error('QueueNameExists', 'A queue already exists with the same name and a different value '
                            'for attribute %s' % k)
        return {'QueueUrl': old['QueueUrl']}
    gone = ctx.store.table('sqs_deleted').get(arn)
    if gone is not None and _now(ctx) - gone < DELETED_WAIT:
        raise error('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can '
                    'create another queue with the same name.')
    now = int(_now(ctx))
    rec = {'QueueName': name, 'QueueUrl': 'https://sqs.%s.amazonaws.com/%s/%s' % (region, ACCOUNT, name),
           'QueueArn': arn, 'Region': region, 'Attributes': dict(DEFAULTS, SqsManagedSseEnabled='true'),
           'Tags': dict(p.get('tags') or {}), 'Created': now, 'Modified': now, '_messages': []}
    _apply(rec, attrs)
    table[arn] = rec
    return {'QueueUrl': rec['QueueUrl']}


def get_queue_url(ctx):
    p = ctx.params
    owner = p.get('QueueOwnerAWSAccountId') or ACCOUNT
    if owner != ACCOUNT:
        raise _no_queue()
    rec = ctx.store.table(TABLE).get(queue_arn(_region(ctx), p['QueueName']))
    if rec is None:
        raise _no_queue()
    return {'QueueUrl': rec['QueueUrl']}


def _expire(ctx, rec):
    keep = _now(ctx) - int(rec['Attributes']['MessageRetentionPeriod'])
    rec['_messages'] = [m for m in rec['_messages'] if m['sent'] >= keep]


def _counts(ctx, rec):
    _expire(ctx, rec)
    now = _now(ctx)
    visible = sum(1 for m in rec['_messages'] if m['visible_at'] <= now)
    delayed = sum(1 for m in rec['_messages'] if m['visible_at'] > now and not m['receives'])
    return visible, len(rec['_messages']) - visible - delayed, delayed


def get_queue_attributes(ctx):
    rec = _queue(ctx)
    names = ctx.params.get('AttributeNames') or []
    for n in names:
        if n != 'All' and n not in SETTABLE and n not in READ_ONLY:
            raise error('InvalidAttributeName', 'Unknown Attribute %s.' % n)
    visible, inflight, delayed = _counts(ctx, rec)
    everything = dict(rec['Attributes'], QueueArn=rec['QueueArn'], ApproximateNumberOfMessages=str(visible),
                      ApproximateNumberOfMessagesNotVisible=str(inflight),
                      ApproximateNumberOfMessagesDelayed=str(delayed),
                      CreatedTimestamp=str(rec['Created']), LastModifiedTimestamp=str(rec['Modified']))
    if 'All' in names:
        return {'Attributes': everything}
    out = {n: everything[n] for n in names if n in everything}
    return {'Attributes': out} if out else {}


def set_queue_attributes(ctx):
    rec = _queue(ctx)
    attrs = ctx.params['Attributes']
    _check_attributes(attrs)
    _apply(rec, attrs)
    rec['Modified'] = int(_now(ctx))
    return {}


def delete_queue(ctx):
    rec = _queue(ctx)
    del ctx.store.table(TABLE)[rec['QueueArn']]
    ctx.store.table('sqs_deleted')[rec['QueueArn']] = _now(ctx)
    ctx.store.wakeup.notify_all()          # a poll waiting on it answers now
    return {}


def list_queues(ctx):
    p = ctx.params
    prefix, region = p.get('QueueNamePrefix') or '', _region(ctx)
    urls = sorted(q['QueueUrl'] for q in ctx.store.table(TABLE).values()
                  if q['Region'] == region and q['QueueName'].startswith(prefix))
    limit = p.get('MaxResults')
    if limit is None:
        return {'QueueUrls': urls[:1000]} if urls else {}     # no paging without MaxResults
    if not 1 <= int(limit) <= 1000:
        raise invalid('Value %s for parameter MaxResults is invalid. Reason: must be between 1 and 1000.' % limit)
    start = 0
    if p.get('NextToken'):
        try:
            start = int(base64.b64decode(p['NextToken']).decode().split(':')[1])
        except (ValueError, IndexError):
            raise invalid('Invalid NextToken value.')
    out = {'QueueUrls': urls[start:start + int(limit)]}
    if start + int(limit) < len(urls):
        out['NextToken'] = base64.b64encode(('queues:%d' % (start + int(limit))).encode()).decode()
    return out


def list_queue_tags(ctx):
    tags = _queue(ctx)['Tags']
    return {'Tags': dict(tags)} if tags else {}


def tag_queue(ctx):
    _queue(ctx)['Tags'].update(ctx.params['Tags'])
    return {}


def untag_queue(ctx):
    rec = _queue(ctx)
    for k in ctx.params['TagKeys']:
        rec['Tags'].pop(k, None)
    return {}


# ------------------------------------------------------------------ messages

def md5_of_attributes(attrs):
    """MD5OfMessageAttributes (Developer Guide, "Calculating the MD5 message
    digest for message attributes"): names sorted, each as length-prefixed
    name, data type, a transport byte (1 string/number, 2 binary) and the
    length-prefixed value."""
    h = hashlib.md5()

    def put(b):
        h.update(struct.pack('>I', len(b)) + b)
    for name in sorted(attrs):
        a = attrs[name]
        put(name.encode())
        put(a['DataType'].encode())
        if 'BinaryValue' in a:
            v = a['BinaryValue']
            h.update(b'\x02')
            put(v if isinstance(v, (bytes, bytearray)) else base64.b64decode(v))
        else:
            h.update(b'\x01')
            put(a['StringValue'].encode())
    return h.hexdigest()


def _stored_attrs(attrs):
    out = {}
    for k, a in (attrs or {}).items():
        a = dict(a)
        if isinstance(a.get('BinaryValue'), (bytes, bytearray)):
            a['BinaryValue'] = base64.b64encode(a['BinaryValue']).decode()
        out[k] = a
    return out


def enqueue(store, rec, body, sender_id, delay=None, attrs=None):
    """Put one message on a queue (SendMessage and EventBridge delivery);
    wakes every waiting long poll.  Returns the message."""
    now = store.clock.now()
    delay = int(rec['Attributes']['DelaySeconds']) if delay is None else int(delay)
    msg = {'MessageId': str(uuid.uuid4()), 'Body': body, 'MD5OfBody': hashlib.md5(body.encode()).hexdigest(),
           'sent': now, 'visible_at': now + delay, 'receives': 0, 'first_receive': None, 'handle': None,
           'sender': sender_id, 'attrs': _stored_attrs(attrs)}
    if attrs:
        msg['MD5OfMessageAttributes'] = md5_of_attributes(msg['attrs'])
    rec['_messages'].append(msg)
    store.wakeup.notify_all()
    return msg


def send_message(ctx):
    p = ctx.params
    rec = _queue(ctx)
    body = p['MessageBody']
    if not body or BODY_RX.search(body):
        raise error('InvalidMessageContents', 'Invalid binary character in the message body.' if body
                    else 'The request must contain the parameter MessageBody.')
    limit = int(rec['Attributes']['MaximumMessageSize'])
    if len(body.encode()) > limit:
        raise invalid('One or more parameters are invalid. Reason: Message must be shorter than %d bytes.' % limit)
    delay = p.get('DelaySeconds')
    if delay is not None and not 0 <= int(delay) <= 900:
        raise invalid('Value %s for parameter DelaySeconds is invalid. Reason: must be between 0 and 900.' % delay)
    ident, _ = ctx.server.trail.principals.identity(ctx.akid or '')
    msg = enqueue(ctx.store, rec, body, ident['principalId'], delay, p.get('MessageAttributes'))
    out = {'MessageId': msg['MessageId'], 'MD5OfMessageBody': msg['MD5OfBody']}
    if 'MD5OfMessageAttributes' in msg:
        out['MD5OfMessageAttributes'] = msg['MD5OfMessageAttributes']
    return out


def _handle(rec, msg):
    raw = '%s|%s|%s' % (rec['QueueArn'], msg['MessageId'], uuid.uuid4().hex)
    return base64.b64encode(raw.encode()).decode()


def _parse_handle(handle):
    """(queue ARN, message id) of a receipt handle, or ReceiptHandleIsInvalid."""
    try:
        arn, mid, _ = base64.b64decode(handle, validate=True).decode().split('|')
        return arn, mid
    except ValueError:
        raise error('ReceiptHandleIsInvalid', 'The input receipt handle "%s" is not a valid receipt handle.' % handle)


def _take(ctx, rec, count, visibility, want_attrs, want_mattrs):
    _expire(ctx, rec)
    now = _now(ctx)
    out = []
    for m in rec['_messages']:
        if len(out) >= count:
            break
        if m['visible_at'] > now:
            continue
        m['receives'] += 1
        m['first_receive'] = m['first_receive'] or now
        m['visible_at'] = now + visibility
        m['handle'] = _handle(rec, m)
        item = {'MessageId': m['MessageId'], 'ReceiptHandle': m['handle'], 'MD5OfBody': m['MD5OfBody'],
                'Body': m['Body']}
        system = {'SenderId': m['sender'], 'SentTimestamp': str(int(m['sent'] * 1000)),
                  'ApproximateReceiveCount': str(m['receives']),
                  'ApproximateFirstReceiveTimestamp': str(int(m['first_receive'] * 1000))}
        attrs = {k: v for k, v in system.items() if 'All' in want_attrs or k in want_attrs}
        if attrs:
            item['Attributes'] = attrs
        mattrs = {k: v for k, v in m['attrs'].items()
                  if 'All' in want_mattrs or '.*' in want_mattrs or k in want_mattrs or
                  any(w.endswith('.*') and k.startswith(w[:-1]) for w in want_mattrs)}
        if mattrs:
            item['MD5OfMessageAttributes'] = md5_of_attributes(mattrs)
            item['MessageAttributes'] = {k: dict(v, BinaryValue=base64.b64decode(v['BinaryValue']))
                                         if 'BinaryValue' in v else v for k, v in mattrs.items()}
        out.append(item)
    return out


def receive_message(ctx):
    p = ctx.params
    rec = _queue(ctx)
    count = p.get('MaxNumberOfMessages')
    count = 1 if count is None else int(count)
    if not 1 <= count <= 10:
        raise invalid('Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, '
                      'if provided.' % count)
    wait = p.get('WaitTimeSeconds')
    wait = int(rec['Attributes']['ReceiveMessageWaitTimeSeconds']) if wait is None else int(wait)
    if not 0 <= wait <= 20:
        raise invalid('Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, '
                      'if provided.' % wait)
    visibility = p.get('VisibilityTimeout')
    visibility = int(rec['Attributes']['VisibilityTimeout']) if visibility is None else int(visibility)
    if not 0 <= visibility <= 43200:
        raise invalid('Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, '
                      'if provided.' % visibility)
    want_attrs = set((p.get('AttributeNames') or []) + (p.get('MessageSystemAttributeNames') or []))
    want_mattrs = set(p.get('MessageAttributeNames') or [])
    deadline = time.monotonic() + wait
    arn, store = rec['QueueArn'], ctx.store
    while True:
        msgs = _take(ctx, rec, count, visibility, want_attrs, want_mattrs)
        left = deadline - time.monotonic()
        if msgs or left <= 0 or store.stopping:
            break
        store.wakeup.wait(min(left, POLL_SLICE))     # releases the store lock while it waits
        rec = store.table(TABLE).get(arn)
        if rec is None:
            break                                      # deleted while we waited
    return {'Messages': msgs} if msgs else {}


def _delete_one(ctx, rec, handle):
    arn, mid = _parse_handle(handle)
    if arn != rec['QueueArn']:
        raise error('ReceiptHandleIsInvalid', 'The input receipt handle "%s" is not a valid receipt handle.' % handle)
    # the latest handle deletes; an older one or a deleted message succeeds doing nothing
    rec['_messages'] = [m for m in rec['_messages'] if not (m['MessageId'] == mid and m['handle'] == handle)]


def delete_message(ctx):
    rec = _queue(ctx)
    _delete_one(ctx, rec, ctx.params['ReceiptHandle'])
    return {}


def delete_message_batch(ctx):
    rec = _queue(ctx)
    entries = ctx.params['Entries']
    if not entries:
        raise error('EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.')
    if len(entries) > 10:
        raise error('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10. '
                    'You have sent %d.' % len(entries))
    ids = [e['Id'] for e in entries]
    if len(set(ids)) != len(ids):
        raise error('BatchEntryIdsNotDistinct', 'Id %s repeated.' % next(i for i in ids if ids.count(i) > 1))
    for i in ids:
        if not BATCH_ID_RX.match(i):
            raise error('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, '
                        'hyphens and underscores. It can be at most 80 letters long.')
    ok, failed = [], []
    for e in entries:
        try:
            _delete_one(ctx, rec, e['ReceiptHandle'])
            ok.append({'Id': e['Id']})
        except ApiError as err:
            failed.append({'Id': e['Id'], 'SenderFault': True, 'Code': err.code, 'Message': err.message})
    return {'Successful': ok, 'Failed': failed}


def change_message_visibility(ctx):
    rec = _queue(ctx)
    handle, timeout = ctx.params['ReceiptHandle'], int(ctx.params['VisibilityTimeout'])
    if not 0 <= timeout <= 43200:
        raise invalid('Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200.'
                      % timeout)
    arn, mid = _parse_handle(handle)
    now = _now(ctx)
    msg = next((m for m in rec['_messages'] if m['MessageId'] == mid), None)
    if arn != rec['QueueArn'] or msg is None or msg['handle'] != handle or msg['visible_at'] <= now:
        raise error('MessageNotInflight', 'Message does not exist or is not available for visibility timeout '
                    'change.')
    msg['visible_at'] = now + timeout
    if timeout == 0:
        ctx.store.wakeup.notify_all()
    return {}


def handlers():
    return {'sqs': {'CreateQueue': create_queue, 'GetQueueUrl': get_queue_url,
                    'GetQueueAttributes': get_queue_attributes, 'SetQueueAttributes': set_queue_attributes,
                    'DeleteQueue': delete_queue, 'ListQueues': list_queues, 'ListQueueTags': list_queue_tags,
                    'TagQueue': tag_queue, 'UntagQueue': untag_queue, 'SendMessage': send_message,
                    'ReceiveMessage': receive_message, 'DeleteMessage': delete_message,
                    'DeleteMessageBatch': delete_message_batch,
                    'ChangeMessageVisibility': change_message_visibility}}
