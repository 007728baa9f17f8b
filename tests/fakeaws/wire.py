"""Model-driven wire formats for the fake AWS endpoint.

Every parser and serializer here walks a botocore shape, so the service
models decide member names, list/map layouts and types; nothing below knows
a service by name.  Protocols: query, ec2, json, rest-json, rest-xml.
"""
import base64
import datetime
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from botocore import validate as bc_validate


class ApiError(Exception):
    """An AWS error to send back in the protocol's own error format."""

    def __init__(self, code, message, status=400, sender=True):
        super().__init__(message)
        self.code, self.message, self.status, self.sender = code, message, status, sender


# ---------------------------------------------------------------- parsing

class Rendered(dict):
    """A record as a read shows it, unchanged until the state changes (the
    engine makes a new one then): its wire forms are kept with it, made at
    the first answer that carries it and reused by every later one."""
    __slots__ = ('wire',)

    def __init__(self, *args):
        super().__init__(*args)
        self.wire = {}


def _scalar(shape, text):
    t = shape.type_name
    if t in ('integer', 'long'):
        try:
            return int(text)
        except ValueError:
            return text            # left for the validator to reject by name
    if t in ('float', 'double'):
        try:
            return float(text)
        except ValueError:
            return text
    if t == 'boolean':
        return {'true': True, 'false': False}.get(str(text).lower(), text)
    return text


def _query_name(name, member, ec2):
    if ec2:
        q = member.serialization.get('queryName')
        if q:
            return q
        loc = member.serialization.get('name')
        return loc[0].upper() + loc[1:] if loc else name
    return member.serialization.get('name', name)


def _has_prefix(params, prefix):
    p = prefix + '.'
    return any(k.startswith(p) for k in params)


def _query_value(params, key, shape, ec2):
    t = shape.type_name
    if t == 'structure':
        if not _has_prefix(params, key):
            return None
        return _query_struct(params, key + '.', shape, ec2)
    if t == 'list':
        flat = ec2 or shape.serialization.get('flattened')
        base = key if flat else key + '.' + shape.member.serialization.get('name', 'member')
        if not flat and key in params and params[key] == '':
            return []
        out, i = [], 1
        while True:
            v = _query_value(params, '%s.%d' % (base, i), shape.member, ec2)
            if v is None:
                break
            out.append(v)
            i += 1
        return out if out or _has_prefix(params, key) else None
    if t == 'map':
        base = key if shape.serialization.get('flattened') else key + '.entry'
        kn = shape.key.serialization.get('name', 'key')
        vn = shape.value.serialization.get('name', 'value')
        out, i = {}, 1
        while '%s.%d.%s' % (base, i, kn) in params:
            k = params['%s.%d.%s' % (base, i, kn)]
            out[k] = _query_value(params, '%s.%d.%s' % (base, i, vn), shape.value, ec2)
            i += 1
        return out if out else None
    if key not in params:
        return None
    return _scalar(shape, params[key])


def _query_struct(params, prefix, shape, ec2):
    out = {}
    for name, member in shape.members.items():
        v = _query_value(params, prefix + _query_name(name, member, ec2), member, ec2)
        if v is not None:
            out[name] = v
    return out


def parse_query(params, shape, ec2=False):
    if shape is None:
        return {}
    return _query_struct(params, '', shape, ec2)


def _json_value(shape, value):
    t = shape.type_name
    if value is None:
        return None
    if t == 'structure' and isinstance(value, dict):
        return {k: _json_value(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if t == 'list' and isinstance(value, list):
        return [_json_value(shape.member, v) for v in value]
    if t == 'map' and isinstance(value, dict):
        return {k: _json_value(shape.value, v) for k, v in value.items()}
    if t == 'timestamp' and isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    return value


def parse_json_body(body, shape):
    if shape is None:
        return {}
    try:
        doc = json.loads(body.decode('utf-8')) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise ApiError('SerializationException', 'The request body is not valid JSON.')
    if not isinstance(doc, dict):
        raise ApiError('SerializationException', 'The request body must be a JSON object.')
    return _json_value(shape, doc)


def _xml_value(shape, elem):
    t = shape.type_name
    if t == 'structure':
        out = {}
        for name, member in shape.members.items():
            loc = member.serialization.get('name', name)
            if member.type_name == 'list' and member.serialization.get('flattened'):
                found = elem.findall(loc)
                if found:
                    out[name] = [_xml_value(member.member, c) for c in found]
                continue
            child = elem.find(loc)
            if child is not None:
                out[name] = _xml_value(member, child)
        return out
    if t == 'list':
        mn = shape.member.serialization.get('name', 'member')
        return [_xml_value(shape.member, c) for c in elem.findall(mn)]
    if t == 'map':
        out = {}
        for entry in elem.findall('entry'):
            out[entry.findtext('key')] = _xml_value(shape.value, entry.find('value'))
        return out
    return _scalar(shape, elem.text or '')


def _strip_ns(elem):
    for e in elem.iter():
        if '}' in e.tag:
            e.tag = e.tag.split('}', 1)[1]
    return elem


def parse_xml_body(body, shape):
    try:
        root = _strip_ns(ET.fromstring(body))
    except ET.ParseError:
        raise ApiError('MalformedXML', 'The XML you provided was not well-formed.')
    return _xml_value(shape, root)


def _uri_regex(template):
    path = template.split('?', 1)[0]
    out, pos = '', 0
    for m in re.finditer(r'\{([^}]+)\}', path):
        out += re.escape(path[pos:m.start()])
        name = m.group(1)
        if name.endswith('+'):
            out += '(?P<%s>.+)' % name[:-1]
        else:
            out += '(?P<%s>[^/]+)' % name
        pos = m.end()
    out += re.escape(path[pos:])
    fixed = urllib.parse.parse_qs(template.split('?', 1)[1], keep_blank_values=True) \
        if '?' in template else {}
    return re.compile('^' + out + '/?$'), fixed


def _required_bindings(op):
    """Required members bound to headers or the query string, as
    ('header'|'querystring', name)."""
    shape = op.input_shape
    if shape is None:
        return []
    out = []
    for n, m in shape.members.items():
        loc = m.serialization.get('location')
        if n in shape.required_members and loc in ('header', 'querystring'):
            name = m.serialization.get('name', n)
            out.append((loc, name.lower() if loc == 'header' else name))
    return out


def match_rest(model, method, path, query, headers=None):
    """Find the operation whose requestUri template matches: an operation
    whose required headers or query parameters are absent is out (S3
    PutObject vs CopyObject, DeleteObject vs AbortMultipartUpload);
    then the most fixed query keys and the longest literal path win, and
    of two alike the one the model does not mark deprecated
    (GetBucketLifecycleConfiguration, not GetBucketLifecycle)."""
    best = None
    have = {k.lower() for k in (headers or {})}
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        http = op.http
        if http.get('method') != method:
            continue
        rx, fixed = _uri_regex(http.get('requestUri', '/'))
        m = rx.match(path)
        if not m or any(k not in query for k in fixed):
            continue
        needed = _required_bindings(op)
        if any(name not in (have if loc == 'header' else query) for loc, name in needed):
            continue
        score = (len(fixed), len(needed), len(re.sub(r'\{[^}]+\}', '', http['requestUri'])),
                 not op.deprecated)
        if best is None or score > best[0]:
            best = (score, op, m.groupdict())
    return (best[1], best[2]) if best else (None, None)


def parse_rest(op, uri_vars, query, headers, body, xml):
    shape = op.input_shape
    if shape is None:
        return {}
    out = {}
    body_members = {}
    for name, member in shape.members.items():
        loc = member.serialization.get('location')
        lname = member.serialization.get('name', name)
        if loc == 'uri':
            if lname in uri_vars:
                out[name] = _scalar(member, urllib.parse.unquote(uri_vars[lname]))
        elif loc == 'querystring':
            if member.type_name == 'list':
                if lname in query:
                    out[name] = [_scalar(member.member, v) for v in query[lname]]
            elif member.type_name == 'map':
                out[name] = {k: v[0] for k, v in query.items()}
            elif lname in query:
                out[name] = _scalar(member, query[lname][0])
        elif loc == 'header':
            v = headers.get(lname)
            if v is not None:
                out[name] = _scalar(member, v)
        elif loc == 'headers':
            pre = lname.lower()
            vals = {k[len(pre):]: v for k, v in headers.items() if k.lower().startswith(pre)}
            if vals:
                out[name] = vals
        elif loc is None:
            body_members[name] = member
    payload = shape.serialization.get('payload')
    if payload:
        member = shape.members[payload]
        if member.type_name == 'string':
            # a string payload is text (PutBucketPolicy's Policy), as botocore sends it
            out[payload] = body.decode('utf-8') if isinstance(body, bytes) else body
        elif member.type_name == 'blob':
            out[payload] = body
        elif body.strip():
            out[payload] = parse_xml_body(body, member) if xml else parse_json_body(body, member)
    elif body_members and body.strip():
        doc = parse_xml_body(body, shape) if xml else parse_json_body(body, shape)
        for k in body_members:
            if k in doc:
                out[k] = doc[k]
    return out


# ---------------------------------------------------------------- validation

def validate(params, shape):
    """Validate with botocore's own validator plus the model checks it skips
    (enums, max lengths/ranges, simple patterns).  Raises ApiError naming the
    member; the caller maps it to the protocol's validation error code."""
    if shape is None:
        return
    try:
        bc_validate.validate_parameters(params, shape)
    except Exception as e:          # botocore.exceptions.ParamValidationError
        report = str(getattr(e, 'kwargs', {}).get('report', e)).strip()
        raise ApiError('ValidationError', report.replace('\n', ' '))
    _extra_checks(params, shape, 'input')


def _extra_checks(value, shape, path):
    t = shape.type_name
    if t == 'structure' and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                _extra_checks(v, shape.members[k], path + '.' + k)
    elif t == 'list' and isinstance(value, list):
        if 'max' in shape.metadata and len(value) > shape.metadata['max']:
            raise ApiError('ValidationError', 'Invalid length for parameter %s, value: %d, valid max length: %d'
                           % (path, len(value), shape.metadata['max']))
        for i, v in enumerate(value):
            _extra_checks(v, shape.member, '%s[%d]' % (path, i))
    elif t == 'map' and isinstance(value, dict):
        for k, v in value.items():
            _extra_checks(v, shape.value, '%s.%s' % (path, k))
    elif t == 'string' and isinstance(value, str):
        enum = shape.metadata.get('enum')
        if enum and value not in enum:
            raise ApiError('ValidationError', 'Value %r at %s failed to satisfy constraint: Member must satisfy enum value set: [%s]'
                           % (value, path, ', '.join(enum)))
        if 'max' in shape.metadata and len(value) > shape.metadata['max']:
            raise ApiError('ValidationError', 'Value at %s failed to satisfy constraint: Member must have length less than or equal to %d'
                           % (path, shape.metadata['max']))
        pat = shape.metadata.get('pattern')
        if pat and '\\p' not in pat:
            try:
                ok = re.fullmatch(pat, value, re.S) is not None
            except re.error:
                ok = True
            if not ok:
                raise ApiError('ValidationError', 'Value at %s failed to satisfy constraint: Member must satisfy regular expression pattern: %s'
                               % (path, pat))
    elif t in ('integer', 'long') and isinstance(value, int):
        if 'max' in shape.metadata and value > shape.metadata['max']:
            raise ApiError('ValidationError', 'Value at %s failed to satisfy constraint: Member must have value less than or equal to %d'
                           % (path, shape.metadata['max']))


# ---------------------------------------------------------------- conformance
# What the protocol specifications require of a request, checked before
# its parameters are: AWS rejects a request that breaks them, and a client
# the fake let through would fail against AWS (or any emulator that reads
# the header as the spec says: issue 13, rest-xml bodies sent as forms).
#   awsQuery / ec2Query  https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
#     https://smithy.io/2.0/aws/protocols/aws-ec2-query-protocol.html
#     "Content-Type: application/x-www-form-urlencoded"; the form holds the
#     operation's input members, nothing else.
#   awsJson1_0 / 1_1     https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
#     https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
#     "Content-Type: application/x-amz-json-1.0" (or -1.1); the body is
#     the input structure.
#   restJson1            https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
#     a structure body is "application/json"; members bound to the URI,
#     query string or headers (httpLabel, httpQuery, httpHeader) are not
#     serialized in the body.
#   restXml              https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html
#     a structure body is XML ("application/xml"; the SDKs send it with no
#     Content-Type at all, which S3 and Route 53 accept), never a form.

class Nonconforming(ApiError):
    """A request that breaks its protocol; the server answers 400 with the
    protocol's validation error code and this message."""

    def __init__(self, message):
        super().__init__('ValidationError', message, 400)


def _media_type(ctype):
    return (ctype or '').split(';', 1)[0].strip().lower()


def _bound(member):
    return member.serialization.get('location')


def _payload_member(shape):
    name = shape.serialization.get('payload') if shape is not None else None
    return (name, shape.members[name]) if name else (None, None)


def check_content_type(protocol, json_version, op, ctype, body):
    mt = _media_type(ctype)
    if protocol in ('query', 'ec2'):
        if body and mt != 'application/x-www-form-urlencoded':
            raise Nonconforming('Content-Type %r does not fit the %s protocol: the form body '
                                'needs application/x-www-form-urlencoded.' % (ctype, protocol))
        return
    if protocol == 'json':
        want = 'application/x-amz-json-%s' % json_version
        if mt != want:
            raise Nonconforming('Content-Type %r does not fit this awsJson service: it takes %s.'
                                % (ctype, want))
        return
    _, payload = _payload_member(op.input_shape)
    if not body or (payload is not None and payload.type_name in ('blob', 'string')):
        return                      # raw payloads carry their own media type
    if protocol == 'rest-json' and mt != 'application/json':
        raise Nonconforming('Content-Type %r does not fit the restJson1 protocol: a JSON body '
                            'is application/json.' % ctype)
    if protocol == 'rest-xml' and mt not in ('', 'application/xml', 'text/xml'):
        raise Nonconforming('Content-Type %r does not fit the restXml protocol: the body is XML '
                            '(application/xml, or no Content-Type as the SDKs send it).' % ctype)


def _where(member, name):
    loc = _bound(member)
    wire_name = member.serialization.get('name', name)
    return {'uri': 'the URI (as {%s})' % wire_name, 'querystring': 'the query string (as %s)' % wire_name,
            'header': 'the %s header' % wire_name, 'headers': 'headers prefixed %s' % wire_name,
            'statusCode': 'the status code'}.get(loc, loc)


def _json_unknown(shape, value, path, top_rest=False):
    """The first member of a JSON body the shape does not define, as a
    message; None when every member is known."""
    t = shape.type_name
    if t == 'structure' and isinstance(value, dict) and not shape.metadata.get('document'):
        for k, v in value.items():
            m = shape.members.get(k)
            if m is None:
                return 'unknown member %s%s: %s has no such member' % (path, k, shape.name)
            if top_rest and _bound(m):
                return 'member %s belongs in %s, not in the body' % (k, _where(m, k))
            why = _json_unknown(m, v, '%s%s.' % (path, k))
            if why:
                return why
    elif t == 'list' and isinstance(value, list):
        for i, v in enumerate(value):
            why = _json_unknown(shape.member, v, '%s[%d].' % (path.rstrip('.'), i))
            if why:
                return why
    elif t == 'map' and isinstance(value, dict):
        for k, v in value.items():
            why = _json_unknown(shape.value, v, '%s%s.' % (path, k))
            if why:
                return why
    return None


def _xml_names(shape):
    """Element name -> (member name, member) for a structure's body members."""
    out = {}
    for name, m in shape.members.items():
        out[m.serialization.get('name', name)] = (name, m)
    return out


def _xml_unknown(shape, elem, path, top_rest=False):
    t = shape.type_name
    if t == 'structure':
        names = _xml_names(shape)
        for child in elem:
            hit = names.get(child.tag)
            if hit is None:
                return 'unknown element %s%s: %s has no such member' % (path, child.tag, shape.name)
            name, m = hit
            if top_rest and _bound(m):
                return 'member %s belongs in %s, not in the body' % (name, _where(m, name))
            if m.serialization.get('xmlAttribute'):
                continue
            sub = m.member if (m.type_name == 'list' and m.serialization.get('flattened')) else m
            why = _xml_unknown(sub, child, '%s%s.' % (path, child.tag))
            if why:
                return why
    elif t == 'list':
        mn = shape.member.serialization.get('name', 'member')
        for child in elem:
            if child.tag != mn:
                return 'unknown element %s%s: the list %s holds <%s> items' % (path, child.tag, shape.name, mn)
            why = _xml_unknown(shape.member, child, '%s%s.' % (path, mn))
            if why:
                return why
    return None


def _form_unknown(op, form, ec2):
    """Form keys the operation's input does not define: the form botocore
    would write for what parsed is the whole of what may come."""
    from botocore.serialize import create_serializer
    shape = op.input_shape
    parsed = parse_query(form, shape, ec2) if shape is not None else {}
    try:
        again = create_serializer('ec2' if ec2 else 'query', include_validation=False) \
            .serialize_to_request(parsed, op)['body']
    except Exception:               # values the validator rejects by name later
        return None
    for k in sorted(form):
        if k not in again and k not in ('Action', 'Version') and not k.startswith('X-Amz-'):
            return 'unknown parameter %s: %s has no such member' % (
                k, shape.name if shape is not None else op.name + ' (no input)')
    return None


def check_members(protocol, op, body, form):
    """Rejects a member not in the input shape, and for the REST protocols
    a URI, query-string or header member sent in the body, or a body on
    an operation that takes none."""
    shape = op.input_shape
    if protocol in ('query', 'ec2'):
        why = _form_unknown(op, form, protocol == 'ec2')
        if why:
            raise Nonconforming(why)
        return
    if not body.strip():
        return
    pname, payload = _payload_member(shape)
    if payload is not None and payload.type_name in ('blob', 'string'):
        return
    xml = protocol == 'rest-xml'
    doc = None
    try:
        if xml:
            doc = _strip_ns(ET.fromstring(body))
        else:
            doc = json.loads(body.decode('utf-8'))
    except (ValueError, UnicodeDecodeError, ET.ParseError):
        pass                        # the parser names what is wrong with it
    rest = protocol in ('rest-json', 'rest-xml')
    why = None
    if doc is not None and shape is not None:
        target, top = (payload, False) if payload is not None else (shape, rest)
        why = _xml_unknown(target, doc, '', top) if xml else _json_unknown(target, doc, '', top)
    if rest and (shape is None or (payload is None and
                                    not any(_bound(m) is None for m in shape.members.values()))):
        if not (why or '').startswith('member '):   # unless a member is just misplaced
            why = ('%s takes no request body (every member is bound to the URI, query '
                   'string or headers), but %d bytes came.' % (op.name, len(body)))
    if why:
        raise Nonconforming(why)


# ---------------------------------------------------------------- serializing

def _iso(v):
    if isinstance(v, (int, float)):
        v = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    if isinstance(v, datetime.datetime):
        return v.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (v.microsecond // 1000)
    return str(v)


def _epoch(v):
    if isinstance(v, datetime.datetime):
        return v.timestamp()
    if isinstance(v, str):
        return datetime.datetime.fromisoformat(v.replace('Z', '+00:00')).timestamp()
    return v


def _xml_text(shape, v):
    t = shape.type_name
    if t == 'boolean':
        return 'true' if v else 'false'
    if t == 'timestamp':
        return _iso(v)
    if t == 'blob':
        return base64.b64encode(v if isinstance(v, bytes) else str(v).encode()).decode()
    return escape(str(v))


def _xml_elem(shape, name, v, ec2, out):
    t = shape.type_name
    if v is None:
        return
    if t == 'structure':
        if type(v) is Rendered:
            key = ('xml', shape.name, name, ec2)
            if key not in v.wire:
                part = []
                _xml_elem_struct(shape, name, v, ec2, part)
                v.wire[key] = ''.join(part)
            out.append(v.wire[key])
            return
        _xml_elem_struct(shape, name, v, ec2, out)
    elif t == 'list':
        mname = shape.member.serialization.get('name', 'item' if ec2 else 'member')
        if shape.serialization.get('flattened') and not ec2:
            for item in v:
                _xml_elem(shape.member, name, item, ec2, out)
            return
        out.append('<%s>' % name)
        for item in v:
            _xml_elem(shape.member, mname, item, ec2, out)
        out.append('</%s>' % name)
    elif t == 'map':
        kn = shape.key.serialization.get('name', 'key')
        vn = shape.value.serialization.get('name', 'value')
        flat = shape.serialization.get('flattened')
        if not flat:
            out.append('<%s>' % name)
        for k, item in v.items():
            out.append('<%s>' % (name if flat else 'entry'))
            _xml_elem(shape.key, kn, k, ec2, out)
            _xml_elem(shape.value, vn, item, ec2, out)
            out.append('</%s>' % (name if flat else 'entry'))
        if not flat:
            out.append('</%s>' % name)
    else:
        out.append('<%s>%s</%s>' % (name, _xml_text(shape, v), name))


def _xml_elem_struct(shape, name, v, ec2, out):
    out.append('<%s>' % name)
    _xml_members(shape, v, ec2, out)
    out.append('</%s>' % name)


def _xml_members(shape, value, ec2, out):
    for name, member in shape.members.items():
        if name in value and member.serialization.get('location') is None:
            _xml_elem(member, member.serialization.get('name', name), value[name], ec2, out)


def serialize_query(op, result, request_id, xmlns):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<%sResponse xmlns="%s">' % (op.name, xmlns)]
    shape = op.output_shape
    if shape is not None:
        wrapper = shape.serialization.get('resultWrapper', op.name + 'Result')
        out.append('<%s>' % wrapper)
        _xml_members(shape, result, False, out)
        out.append('</%s>' % wrapper)
    out.append('<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>' % request_id)
    out.append('</%sResponse>' % op.name)
    return ''.join(out).encode()


def serialize_ec2(op, result, request_id, xmlns):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<%sResponse xmlns="%s"><requestId>%s</requestId>' % (op.name, xmlns, request_id)]
    if op.output_shape is not None:
        _xml_members(op.output_shape, result, True, out)
    out.append('</%sResponse>' % op.name)
    return ''.join(out).encode()


def _json_out(shape, v):
    t = shape.type_name
    if v is None:
        return None
    if t == 'structure':
        if type(v) is Rendered:
            key = ('json', shape.name)
            if key not in v.wire:
                v.wire[key] = _json_struct(shape, v)
            return v.wire[key]
        return _json_struct(shape, v)
    if t == 'list':
        return [_json_out(shape.member, x) for x in v]
    if t == 'map':
        return {k: _json_out(shape.value, x) for k, x in v.items()}
    if t == 'timestamp':
        return _epoch(v)
    if t == 'blob' and isinstance(v, bytes):
        return base64.b64encode(v).decode()
    return v


def _json_struct(shape, v):
    return {k: _json_out(shape.members[k], x) for k, x in v.items()
            if k in shape.members and x is not None}


def serialize_json(shape, result):
    if shape is None:
        return b'{}'
    return json.dumps(_json_out(shape, result)).encode()


# Outputs whose whole body is one element with the member as its text,
# unlike the model's shape (S3 API_GetBucketLocation; botocore special-cases
# it in handlers.parse_get_bucket_location).
ROOT_TEXT_OUTPUTS = {('s3', 'GetBucketLocation'): 'LocationConstraint'}


def serialize_rest(op, result, xml, xmlns=None):
    """Returns (status, headers, body) for rest-json / rest-xml outputs."""
    headers = {}
    shape = op.output_shape
    status = op.http.get('responseCode', 200)
    if shape is None:
        return status, headers, b''
    body_members = {}
    for name, member in shape.members.items():
        loc = member.serialization.get('location')
        if name not in result or result[name] is None:
            continue
        if loc == 'header':
            headers[member.serialization.get('name', name)] = \
                _iso(result[name]) if member.type_name == 'timestamp' else str(result[name])
        elif loc == 'headers':
            for k, v in result[name].items():
                headers[member.serialization.get('name', '') + k] = str(v)
        elif loc == 'statusCode':
            status = result[name]
        else:
            body_members[name] = result[name]
    payload = shape.serialization.get('payload')
    if payload:
        member = shape.members[payload]
        v = result.get(payload)
        if member.type_name in ('blob', 'string'):
            return status, headers, (v.encode() if isinstance(v, str) else (v or b''))
        if xml:
            out = []
            _xml_elem(member, member.serialization.get('name', payload), v or {}, False, out)
            return status, headers, ''.join(out).encode()
        return status, headers, json.dumps(_json_out(member, v or {})).encode()
    text_member = ROOT_TEXT_OUTPUTS.get((op.service_model.service_name, op.name))
    if xml and text_member:
        return status, headers, ('<?xml version="1.0" encoding="UTF-8"?><%s xmlns="%s">%s</%s>' % (
            text_member, xmlns or '', escape(str(result.get(text_member) or '')), text_member)).encode()
    has_body = any(m.serialization.get('location') is None for m in shape.members.values())
    if xml and not has_body:
        return status, headers, b''
    if xml:
        root = shape.serialization.get('name', op.name + 'Response')
        out = ['<?xml version="1.0" encoding="UTF-8"?>', '<%s xmlns="%s">' % (root, xmlns or '')]
        _xml_members(shape, body_members, False, out)
        out.append('</%s>' % root)
        return status, headers, ''.join(out).encode()
    return status, headers, json.dumps(_json_out(shape, body_members)).encode()


def serialize_error(protocol, service, err, request_id):
    """Returns (status, headers, body) in the protocol's own error format."""
    code, msg = err.code, err.message
    if protocol == 'ec2':
        body = ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code>'
                '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>'
                % (escape(code), escape(msg), request_id))
        return err.status, {'Content-Type': 'text/xml'}, body.encode()
    if protocol == 'query' or (protocol == 'rest-xml' and service != 's3'):
        body = ('<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>%s</Type><Code>%s</Code>'
                '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                % ('Sender' if err.sender else 'Receiver', escape(code), escape(msg), request_id))
        return err.status, {'Content-Type': 'text/xml'}, body.encode()
    if protocol == 'rest-xml':
        body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>'
                '<RequestId>%s</RequestId></Error>' % (escape(code), escape(msg), request_id))
        return err.status, {'Content-Type': 'application/xml'}, body.encode()
    headers = {'x-amzn-ErrorType': code,
               'Content-Type': 'application/x-amz-json-1.1' if protocol == 'json' else 'application/json'}
    body = {'__type': getattr(err, 'type_name', code), 'message': msg} if protocol == 'json' else {'message': msg}
    body.update(getattr(err, 'fields', {}))       # DynamoDB's Item beside its error
    return err.status, headers, json.dumps(body).encode()
