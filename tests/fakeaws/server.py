#!/usr/bin/python3
"""Fake AWS endpoint for driftd's end-to-end tests and `make demo`.

  server.py --port 0 --state-dir DIR [--region us-east-1]
            [--access-key AKID --secret-key SECRET] [--time-scale X] [--page-size N]

Prints `listening on 127.0.0.1:PORT` once ready; SIGTERM saves state and
exits 0.  See README.md in this directory for the control API and limits.
"""
import argparse
import datetime
import email.utils
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.session                                   # noqa: E402
from botocore.auth import SigV4Auth, S3SigV4Auth          # noqa: E402
from botocore.awsrequest import AWSRequest               # noqa: E402
from botocore.credentials import Credentials             # noqa: E402

import wire                                               # noqa: E402
from wire import ApiError                                 # noqa: E402
from engine import Clock, Store, Ctx                      # noqa: E402
import resources                                          # noqa: E402
import svc_cloudtrail                                     # noqa: E402
import svc_events                                         # noqa: E402

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'models')
DEFAULT_ACCESS_KEY = 'AKIDFAKEDRIFTD'
DEFAULT_SECRET_KEY = 'fake-secret-key-for-tests'
MAX_SKEW = 15 * 60
MAX_BODY = 16 * 1024 * 1024
MAX_CALLS = 10000               # the call log keeps the newest calls only
BODY_WAIT = 30.0                # seconds a body may take to arrive in full

# Credential-scope service name -> botocore model name.  Most are equal.
SIGNING_TO_MODEL = {'monitoring': 'cloudwatch', 'email': 'sesv2', 'ses': 'sesv2',
                    'elasticloadbalancing': 'elbv2'}

# Per-protocol error codes: (bad signature, unknown key, skewed clock,
# throttling, server error, validation, missing credentials).
AUTH_ERRORS = {
    'query': dict(sig=('SignatureDoesNotMatch', 403), key=('InvalidClientTokenId', 403),
                  skew=('RequestTimeTooSkewed', 403), throttle=('Throttling', 400),
                  internal=('InternalFailure', 500), validation='ValidationError',
                  missing=('MissingAuthenticationToken', 403)),
    'ec2': dict(sig=('AuthFailure', 401), key=('AuthFailure', 401), skew=('RequestExpired', 400),
                throttle=('RequestLimitExceeded', 503), internal=('InternalError', 500),
                validation='InvalidParameterValue', missing=('MissingAuthenticationToken', 401)),
    'json': dict(sig=('InvalidSignatureException', 400), key=('UnrecognizedClientException', 400),
                 skew=('InvalidSignatureException', 400), throttle=('ThrottlingException', 400),
                 internal=('InternalFailure', 500), validation='ValidationException',
                 missing=('MissingAuthenticationTokenException', 400)),
    'rest-json': dict(sig=('InvalidSignatureException', 403), key=('UnrecognizedClientException', 403),
                      skew=('InvalidSignatureException', 403), throttle=('ThrottlingException', 429),
                      internal=('InternalFailure', 500), validation='ValidationException',
                      missing=('MissingAuthenticationTokenException', 403)),
    'rest-xml': dict(sig=('SignatureDoesNotMatch', 403), key=('InvalidAccessKeyId', 403),
                     skew=('RequestTimeTooSkewed', 403), throttle=('SlowDown', 503),
                     internal=('InternalError', 500), validation='InvalidArgument',
                     missing=('AccessDenied', 403)),
}
# Where a service's real error differs from its protocol's usual one.
SERVICE_ERRORS = {'route53': dict(throttle=('Throttling', 400), validation='InvalidInput'),
                  'sts': dict(skew=('SignatureDoesNotMatch', 403))}

CRED_RX = re.compile(r'Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request')
SIGNED_RX = re.compile(r'SignedHeaders=([^,\s]+)')
SIG_RX = re.compile(r'Signature=([0-9a-f]+)')
SECRET_MEMBER_RX = re.compile(r'Password|Secret|SessionToken|WebIdentityToken|PrivateKey', re.I)
MUTATING_PREFIXES = ('Describe', 'List', 'Get')


class Fault:
    """One injected fault.  Counted kinds (throttle/reset/malformed/error
    with count) fire for the next N matching calls; rate and latency fire
    on every match."""

    def __init__(self, spec):
        self.service, self.operation = spec.get('service'), spec.get('operation')
        self.access_key = spec.get('access_key')      # one caller's calls only
        self.kind = spec['kind']
        if self.kind not in ('throttle', 'error', 'latency', 'reset', 'malformed', 'skew'):
            raise ValueError('unknown fault kind %r' % self.kind)
        self.count = spec.get('count')
        self.rate = float(spec.get('rate', 1.0))
        self.status = int(spec.get('status', 500))
        self.ms = int(spec.get('ms', 0))
        self.seconds = float(spec.get('seconds', 0))

    def matches(self, service, op, access_key=None):
        return (self.service in (None, service)) and (self.operation in (None, op)) and \
            (self.access_key in (None, access_key))

    def describe(self):
        return {k: v for k, v in self.__dict__.items() if v is not None}


class FakeAWS:
    def __init__(self, args):
        self.args = args
        self.clock = Clock(args.time_scale)
        self.store = Store(args.state_dir, args.region, self.clock, args.page_size)
        self.session = botocore.session.get_session()
        # AWS's current models, trimmed (models/, written by gen-models):
        # first on the path, as AWS_DATA_PATH is, so they replace Debian's
        # botocore 1.29 models (which lack Bedrock and newer members and
        # enum values); Debian's endpoint rule sets still apply.
        self.session.get_component('data_loader').search_paths.insert(0, MODELS_DIR)
        self.models = {}
        self.keys = {args.access_key: args.secret_key}
        self.keys.update(self.store.resources.get('_sts_keys', {}))
        self.handlers = resources.build_handlers(self)
        self.trail = svc_cloudtrail.Trail(self)
        self.deliveries = svc_events.Deliveries()
        self.faults = []
        self.calls = []
        self.lock = threading.Lock()
        self.dirty = False

    def model(self, service):
        name = SIGNING_TO_MODEL.get(service, service)
        if name not in self.models:
            try:
                self.models[name] = self.session.get_service_model(name)
            except Exception:
                self.models[name] = None
        return self.models[name]

    def protocol(self, service):
        m = self.model(service)
        return m.metadata['protocol'] if m else 'json'

    def errors_for(self, service):
        out = dict(AUTH_ERRORS[self.protocol(service)])
        out.update(SERVICE_ERRORS.get(service, {}))
        return out

    def skew(self, service=None, op=None):
        return sum(f.seconds for f in self.faults if f.kind == 'skew' and f.matches(service, op))

    def wall(self):
        return time.time() + self.skew()

    def issue_key(self, akid, secret):
        """Temporary credentials from STS are accepted for signing too."""
        self.keys[akid] = secret
        self.store.resources.setdefault('_sts_keys', {})[akid] = secret


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'AmazonFake'
    sys_version = ''

    def log_message(self, fmt, *args):
        pass

    def date_time_string(self, timestamp=None):
        # The Date of an answer is the clock that judged its request
        # (RFC 9110 section 6.6.1: when the message was originated; S3's
        # RequestTimeTooSkewed carries that ServerTime). A skew fault set or
        # cleared between the check and the answer must not give a client
        # a Date the check did not use.
        judged = getattr(self, '_judged_at', None)
        return email.utils.formatdate(judged if judged is not None else self.server.fake.wall(),
                                      usegmt=True)

    # --------------------------------------------------------------- io
    def _send(self, status, headers, body):
        if status in (204, 304):
            body = b''                      # these statuses never carry a body (RFC 9110)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def _reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def do_GET(self):
        self._judged_at = None
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    def _read_chunked(self):
        """Transfer-Encoding: chunked bodies (RFC 9112 section 7.1), bounded."""
        body = b''
        while True:
            size = int(self.rfile.readline(64).split(b';', 1)[0].strip() or b'0', 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass                    # trailer fields
                return body
            if len(body) + size > MAX_BODY:
                raise ValueError('chunked body too large')
            body += self.rfile.read(size)
            self.rfile.readline(8)

    def _read_body(self, length):
        """Exactly Content-Length bytes, or a message saying how the body
        disagrees with it: fewer bytes before the client stops sending, or
        bytes left over after them (RFC 9112 section 6.3: the length is the
        body's, and what follows is the next request)."""
        sock, before = self.connection, self.connection.gettimeout()
        sock.settimeout(BODY_WAIT)
        chunks, got = [], 0
        while got < length:
            try:
                chunk = self.rfile.read1(length - got)
            except OSError:             # BODY_WAIT passed with the body unfinished
                break
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        body = b''.join(chunks)
        if len(body) < length:
            sock.settimeout(before)
            return body, ('Content-Length is %d but the body has %d bytes.' % (length, len(body)))
        try:
            # Non-blocking: a peek that finds nothing returns b'' at once.
            sock.settimeout(0.0)
            extra = self.rfile.peek(1)
        except OSError:
            extra = b''
        finally:
            sock.settimeout(before)
        if extra:
            return body, ('Content-Length is %d but more bytes followed the body.' % length)
        return body, None

    def handle_any(self):
        self.length_error = None
        try:
            if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
                body = self._read_chunked()
            else:
                length = int(self.headers.get('Content-Length') or 0)
                if length < 0 or length > MAX_BODY:
                    raise ValueError('bad Content-Length')
                body, self.length_error = self._read_body(length)
        except ValueError:
            self.close_connection = True
            self._send(413, {'Connection': 'close'}, b'request body missing, malformed or too large')
            return
        if self.length_error:
            self.close_connection = True    # the stream is out of step with the requests
        if self.path.startswith('/_fake/'):
            self.control(body)
            return
        self.aws(body)

    # --------------------------------------------------------------- control API
    def control(self, body):
        fake = self.server.fake
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        try:
            doc = json.loads(body) if body.strip() else {}
        except ValueError:
            self._json(400, {'error': 'body is not JSON'})
            return
        path, m = url.path, self.command
        try:
            if path == '/_fake/faults' and m == 'POST':
                faults = doc if isinstance(doc, list) else [doc]
                with fake.lock:
                    fake.faults.extend(Fault(f) for f in faults)
                self._json(200, {'faults': [f.describe() for f in fake.faults]})
            elif path == '/_fake/faults' and m == 'DELETE':
                fake.faults = []
                self._json(200, {'faults': []})
            elif path == '/_fake/faults':
                self._json(200, {'faults': [f.describe() for f in fake.faults]})
            elif path == '/_fake/calls' and m == 'DELETE':
                fake.calls = []
                self._json(200, {'calls': []})
            elif path == '/_fake/calls':
                calls = [c for c in fake.calls
                         if all(q.get(k) in (None, c[k]) for k in ('service', 'operation', 'access_key'))]
                self._json(200, {'calls': calls})
            elif path == '/_fake/keys' and m == 'POST':
                # another IAM user's access key, as iam:CreateAccessKey would give it
                with fake.store.lock:
                    fake.issue_key(doc['access_key'], doc['secret_key'])
                    fake.trail.principals.add_user(doc['access_key'], doc['user'])
                fake.store.save()
                self._json(200, {'ok': True})
            elif path == '/_fake/cloudtrail' and m == 'POST':
                fake.trail.delay = float(doc.get('delay', fake.trail.delay))
                self._json(200, {'delay': fake.trail.delay})
            elif path == '/_fake/cloudtrail':
                self._json(200, {'delay': fake.trail.delay, 'recorded': fake.trail.total,
                                 'events': fake.trail.visible(q.get('region') or fake.store.region)})
            elif path == '/_fake/events' and m == 'DELETE':
                with fake.store.lock:
                    fake.deliveries.log.clear()
                self._json(200, {'deliveries': []})
            elif path == '/_fake/events':
                with fake.store.lock:           # deliveries are added under it
                    deliveries = list(fake.deliveries.log)
                self._json(200, {'deliveries': deliveries})
            elif path == '/_fake/published':
                self._json(200, fake.store.published)
            elif path == '/_fake/clock' and m == 'POST':
                fake.clock.advance(float(doc.get('advance', 0)))
                self._json(200, {'now': fake.clock.now()})
            elif path == '/_fake/clock':
                self._json(200, {'now': fake.clock.now(), 'time_scale': fake.clock.scale})
            elif path == '/_fake/state' and m == 'POST':
                self._json(200, self.mutate_state(doc))
            elif path == '/_fake/state':
                with fake.store.lock:
                    res = {k: v for k, v in fake.store.resources.items() if not k.startswith('_')}
                    self._json(200, {'resources': res, 'now': fake.clock.now()})
            else:
                self._json(404, {'error': 'no control endpoint %s %s' % (m, path)})
        except (KeyError, ValueError, TypeError) as e:
            self._json(400, {'error': 'bad control request: %s' % e})

    def mutate_state(self, doc):
        """{"reset": true} | {"type": T, "id": I, "set": {...}} | {"type": T, "id": I, "delete": true}"""
        store = self.server.fake.store
        with store.lock:
            if doc.get('reset'):
                store.reset()
                self.server.fake.trail.reset()
                self.server.fake.deliveries.log.clear()
            else:
                table = store.table(doc['type'])
                if doc.get('delete'):
                    table.pop(doc['id'], None)
                else:
                    rec = table[doc['id']]
                    rec.update(doc.get('set', {}))
                    rec['_frozen'] = True     # out-of-band state is not overwritten by lifecycle
            store.changed()
        store.save()
        return {'ok': True}

    def _json(self, status, doc):
        self._send(status, {'Content-Type': 'application/json'}, json.dumps(doc, default=str).encode())

    # --------------------------------------------------------------- AWS
    def aws(self, body):
        fake = self.server.fake
        request_id = str(uuid.uuid4())
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        auth = self.headers.get('Authorization', '')
        cred = CRED_RX.search(auth) or CRED_RX.search('Credential=' + (query.get('X-Amz-Credential') or [''])[0])
        form = {}
        ctype = self.headers.get('Content-Type', '')
        # Read as a form whatever its Content-Type, so that a query call
        # with the wrong one is told so by name (check_request).
        if 'x-www-form-urlencoded' in ctype or (self.command == 'POST' and body.startswith(b'Action=')):
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode('utf-8', 'replace'),
                                                              keep_blank_values=True).items()}
        if not form and 'Action' in query:
            form = {k: v[-1] for k, v in query.items()}
        if cred:
            service = cred.group(4)
        elif form.get('Action') == 'AssumeRoleWithWebIdentity':
            service = 'sts'           # this STS call is unsigned by design
        else:
            service = None
        model = fake.model(service) if service else None
        protocol = model.metadata['protocol'] if model else 'json'
        state = {'service': service or '?', 'op': '?', 'params': {}, 'protocol': protocol, 'rid': request_id,
                 'started': time.time(), 'region': cred.group(3) if cred else None,
                 'access_key': cred.group(1) if cred else None}
        try:
            if service is None:
                raise ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
            if model is None:
                raise ApiError('UnknownService', 'The fake does not know service %r.' % service, 400)
            if self.length_error:       # before the truncated body is parsed
                raise ApiError(fake.errors_for(service)['validation'], self.length_error, 400)
            op, params = self.route(model, protocol, form, url, query, body)
            state['op'] = op.name
            if not (service == 'sts' and op.name == 'AssumeRoleWithWebIdentity'):
                self.check_auth(service, cred, auth, query, body)
            self.check_request(service, model, protocol, op, ctype, body, form)
            sleep_ms, action = self.faults_for(service, op.name, state['access_key'])
            if sleep_ms:
                time.sleep(sleep_ms / 1000.0)
            if action == 'reset':
                self.log_call(state, 0, 'ConnectionReset')
                self._reset()
                return
            if action == 'malformed':
                self.log_call(state, 200, 'Malformed')
                self._send(200, {'Content-Type': 'text/xml', 'x-amzn-RequestId': request_id},
                           b'<<<not a valid response' if protocol in ('query', 'ec2', 'rest-xml') else b'{"truncated": ')
                return
            if isinstance(action, ApiError):
                raise action
            state['params'] = params
            self.validate(service, protocol, op, params)
            handler = fake.handlers.get((SIGNING_TO_MODEL.get(service, service), op.name))
            if handler is None:
                raise ApiError('NotImplemented', 'The fake AWS endpoint does not implement %s:%s.'
                               % (model.service_name, op.name), 501, sender=False)
            ctx = Ctx(fake, model.service_name, op.name, params)
            ctx.region, ctx.akid = state['region'], cred.group(1) if cred else None
            with fake.store.lock:
                try:
                    result = handler(ctx) or {}
                finally:
                    # A handler not known to only read may have changed
                    # the state, even one that failed half-way.
                    if not getattr(handler, 'pure_read', False):
                        fake.store.changed()
                if cred:
                    detail = fake.trail.record(service, state['region'], op.name, _mask(params, op.input_shape),
                                               result, cred.group(1), self.client_address[0],
                                               self.headers.get('User-Agent', ''), request_id, fake.wall())
                    svc_events.deliver(fake, detail)    # to SQS, through EventBridge rules, at once
            if not op.name.startswith(MUTATING_PREFIXES) or op.name == 'GetCallerIdentity':
                fake.store.save()
            # Recorded before it is sent: a client that exits on the
            # answer and a test reading /_fake/calls must see the call.
            reply = self.encode(model, protocol, op, result, request_id)
            self.log_call(state, 200, None)
            self._send(*reply)
        except Exception as e:                      # a bug in the fake must still answer like AWS
            if not isinstance(e, ApiError):
                traceback.print_exc(file=sys.stderr)
                e = ApiError('InternalFailure' if protocol in ('json', 'rest-json') else 'InternalError',
                             'The fake failed internally: %s' % type(e).__name__, 500, sender=False)
            status, headers, out = wire.serialize_error(protocol, service, e, request_id)
            headers['x-amzn-RequestId'] = request_id
            headers['x-amz-request-id'] = request_id
            headers.update(getattr(e, 'headers', {}))   # SQS's x-amzn-query-error
            self.log_call(state, status, e.code)
            self._send(status, headers, out)

    def route(self, model, protocol, form, url, query, body):
        if protocol in ('query', 'ec2'):
            action = form.get('Action')
            if not action or action not in model.operation_names:
                raise ApiError('InvalidAction', 'The action %s is not valid for this web service.' % action, 400)
            op = model.operation_model(action)
            return op, wire.parse_query(form, op.input_shape, protocol == 'ec2')
        if protocol == 'json':
            target = self.headers.get('X-Amz-Target', '')
            name = target.rsplit('.', 1)[-1]    # prefixes may hold dots (CloudTrail's)
            if name not in model.operation_names:
                raise ApiError('UnknownOperationException', 'Unknown operation %s' % target, 400)
            op = model.operation_model(name)
            return op, wire.parse_json_body(body, op.input_shape)
        path = url.path
        headers = {k: v for k, v in self.headers.items()}
        op, uri_vars = wire.match_rest(model, self.command, path, query, headers)
        if op is None:
            raise ApiError('UnknownOperationException', 'No operation matches %s %s' % (self.command, path), 404)
        return op, wire.parse_rest(op, uri_vars, query, headers, body, protocol == 'rest-xml')

    def check_auth(self, service, cred, auth, query, body):
        fake = self.server.fake
        errs = fake.errors_for(service)
        akid = cred.group(1)
        if akid not in fake.keys:
            code, status = errs['key']
            msg = ('The security token included in the request is invalid.' if code != 'AuthFailure'
                   else 'AWS was not able to validate the provided access credentials')
            raise ApiError(code, msg, status)
        presigned = 'X-Amz-Credential' in query and not auth
        amz_date = (query.get('X-Amz-Date') or [''])[0] if presigned else \
            (self.headers.get('X-Amz-Date') or '')
        try:
            ts = datetime.datetime.strptime(amz_date, '%Y%m%dT%H%M%SZ').replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise ApiError(errs['sig'][0], 'Missing or malformed X-Amz-Date.', errs['sig'][1])
        now = self._judged_at = fake.wall()
        if presigned:
            # A presigned URL is good until X-Amz-Date + X-Amz-Expires, however old.
            try:
                expires = int((query.get('X-Amz-Expires') or ['0'])[0])
            except ValueError:
                expires = 0
            if now > ts.timestamp() + expires:
                raise ApiError('AccessDenied', 'Request has expired', 403)
        if abs(ts.timestamp() - now) > MAX_SKEW and not (presigned and ts.timestamp() <= now):
            code, status = errs['skew']
            server_time = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(now))
            if code == 'InvalidSignatureException' or code == 'SignatureDoesNotMatch':
                msg = 'Signature expired: %s is now earlier than %s (%s - 15 min.)' % (amz_date, server_time, server_time)
            else:
                msg = 'The difference between the request time and the current time is too large.'
            raise ApiError(code, msg, status)
        if presigned:
            signed = (query.get('X-Amz-SignedHeaders') or [''])[0]
            given = (query.get('X-Amz-Signature') or [''])[0]
        else:
            m1, m2 = SIGNED_RX.search(auth), SIG_RX.search(auth)
            signed, given = (m1.group(1) if m1 else ''), (m2.group(1) if m2 else '')
        expected = self.signature(service, cred, signed, amz_date, body, presigned)
        if not given or not _consteq(given, expected):
            code, status = errs['sig']
            raise ApiError(code, 'The request signature we calculated does not match the signature you provided. '
                           'Check your AWS Secret Access Key and signing method.', status)

    def signature(self, service, cred, signed, amz_date, body, presigned):
        """Recompute the signature with botocore's own signer over the request
        exactly as it arrived (only the headers the client signed)."""
        fake = self.server.fake
        akid, region, svc = cred.group(1), cred.group(3), cred.group(4)
        path = self.path
        if presigned:
            u = urllib.parse.urlsplit(path)
            parts = [p for p in u.query.split('&') if not p.startswith('X-Amz-Signature=')]
            path = u.path + ('?' + '&'.join(parts) if parts else '')
        names = [h for h in signed.split(';') if h]
        headers = {}
        for h in names:
            vals = self.headers.get_all(h) or []
            headers[h] = ','.join(vals)
        if presigned and svc == 's3':
            headers['X-Amz-Content-SHA256'] = 'UNSIGNED-PAYLOAD'
        req = AWSRequest(method=self.command, url='http://%s%s' % (self.headers.get('Host', ''), path),
                         headers=headers, data=body)
        req.context['timestamp'] = amz_date
        signer_cls = S3SigV4Auth if svc == 's3' else SigV4Auth
        signer = signer_cls(Credentials(akid, fake.keys[akid]), svc, region)
        canonical = signer.canonical_request(req)
        if presigned and svc == 's3':
            # the signed-headers line must not list the header we added
            canonical = canonical.replace('x-amz-content-sha256:UNSIGNED-PAYLOAD\n', '') \
                .replace('\n' + signed + ';x-amz-content-sha256\n', '\n' + signed + '\n')
        return signer.signature(signer.string_to_sign(req, canonical), req)

    def faults_for(self, service, op, access_key=None):
        """Returns (latency ms, None | 'reset' | 'malformed' | ApiError)."""
        fake = self.server.fake
        errs = fake.errors_for(service)
        sleep_ms, action = 0, None
        with fake.lock:
            for f in list(fake.faults):
                if not f.matches(service, op, access_key) or f.kind == 'skew':
                    continue
                if f.kind == 'latency':
                    sleep_ms += f.ms
                    continue
                if action is not None:
                    continue
                if f.count is None and random.random() >= f.rate:
                    continue
                if f.kind == 'throttle':
                    code, status = errs['throttle']
                    action = ApiError(code, 'Rate exceeded', status)
                elif f.kind == 'error':
                    action = ApiError(errs['internal'][0], 'We encountered an internal error. Please try again.',
                                      f.status, sender=False)
                else:
                    action = f.kind
                if f.count is not None:
                    f.count -= 1
                    if f.count <= 0:
                        fake.faults.remove(f)
        return sleep_ms, action

    def check_request(self, service, model, protocol, op, ctype, body, form):
        """The protocol's rules for the request itself (wire.py,
        "conformance"), each a 400 in the protocol's error format naming
        the header or member."""
        try:
            if self.command in ('GET', 'HEAD') and body:
                raise wire.Nonconforming('A %s request carries no body, but %d bytes came.'
                                         % (self.command, len(body)))
            wire.check_content_type(protocol, model.metadata.get('jsonVersion', '1.0'), op,
                                    self.headers.get('Content-Type'), body)
            wire.check_members(protocol, op, body, form)
        except wire.Nonconforming as e:
            raise ApiError(self.server.fake.errors_for(service)['validation'], e.message, 400)

    def validate(self, service, protocol, op, params):
        try:
            wire.validate(params, op.input_shape)
        except ApiError as e:
            code = self.server.fake.errors_for(service)['validation']
            if protocol == 'ec2' and 'Missing required parameter' in e.message:
                code = 'MissingParameter'
            raise ApiError(code, e.message, 400)

    def encode(self, model, protocol, op, result, request_id):
        """The answer's (status, headers, body), not yet sent."""
        xmlns = model.metadata.get('xmlNamespace') or \
            'http://%s.amazonaws.com/doc/%s/' % (model.endpoint_prefix, model.api_version)
        headers = {'x-amzn-RequestId': request_id}
        status = 200
        if protocol == 'query':
            body = wire.serialize_query(op, result, request_id, xmlns)
            headers['Content-Type'] = 'text/xml'
        elif protocol == 'ec2':
            body = wire.serialize_ec2(op, result, request_id, xmlns)
            headers['Content-Type'] = 'text/xml;charset=UTF-8'
        elif protocol == 'json':
            body = wire.serialize_json(op.output_shape, result)
            headers['Content-Type'] = 'application/x-amz-json-%s' % model.metadata.get('jsonVersion', '1.1')
        else:
            status, extra, body = wire.serialize_rest(op, result, protocol == 'rest-xml', xmlns)
            extra.pop('Content-Length', None)       # _send sets it from the body actually sent
            headers.update(extra)
            headers['x-amz-request-id'] = request_id
            headers.setdefault('Content-Type', 'application/xml' if protocol == 'rest-xml' else 'application/json')
        return status, headers, body

    def log_call(self, state, status, code):
        op = state['op']
        params = state['params']
        model = self.server.fake.model(state['service']) if state['service'] != '?' else None
        if model and op in model.operation_names and params:
            params = _mask(params, model.operation_model(op).input_shape)
        calls = self.server.fake.calls
        calls.append({'time': time.time(), 'started': state['started'], 'service': state['service'],
                      'region': state['region'], 'access_key': state['access_key'], 'operation': op,
                      'parameters': params, 'status': status, 'code': code, 'request_id': state['rid']})
        if len(calls) > MAX_CALLS:
            del calls[:len(calls) - MAX_CALLS]


def _consteq(a, b):
    import hmac
    return hmac.compare_digest(a.encode(), b.encode())


def _mask(value, shape):
    """Sensitive members (per the model) never reach the call log."""
    if shape is None:
        return value
    if getattr(shape, 'metadata', {}).get('sensitive'):
        return '***'
    t = shape.type_name
    if t == 'structure' and isinstance(value, dict):
        # Some models (RDS) do not flag passwords as sensitive; names do.
        return {k: '***' if SECRET_MEMBER_RX.search(k) else _mask(v, shape.members.get(k))
                for k, v in value.items()}
    if t == 'list' and isinstance(value, list):
        return [_mask(v, shape.member) for v in value]
    if t == 'map' and isinstance(value, dict):
        return {k: _mask(v, shape.value) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        return '<%d bytes>' % len(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


class Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: driftd opens a connection
    # per concurrent read, and the SYNs beyond the backlog are dropped and
    # retried by the kernel a whole second later.
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--state-dir', required=True)
    ap.add_argument('--region', default='us-east-1')
    ap.add_argument('--access-key', default=DEFAULT_ACCESS_KEY)
    ap.add_argument('--secret-key', default=DEFAULT_SECRET_KEY)
    ap.add_argument('--time-scale', type=float, default=1.0)
    ap.add_argument('--page-size', type=int, default=5)
    args = ap.parse_args()
    os.makedirs(args.state_dir, exist_ok=True)
    fake = FakeAWS(args)
    httpd = Server(('127.0.0.1', args.port), Handler)
    httpd.daemon_threads = True
    httpd.fake = fake

    def shutdown():
        with fake.store.lock:           # long polls answer (empty) at once
            fake.store.stopping = True
            fake.store.wakeup.notify_all()
        httpd.shutdown()

    def stop(signum, frame):
        threading.Thread(target=shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('listening on 127.0.0.1:%d' % httpd.server_address[1], flush=True)
    httpd.serve_forever()
    fake.store.save()
    return 0


if __name__ == '__main__':
    sys.exit(main())
