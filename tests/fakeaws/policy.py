"""Resource policies, evaluated for what an AWS service principal may do:
EventBridge sending to an SQS queue, using a KMS key, CloudTrail writing to
an S3 bucket.  The fake stores IAM identity policies but never evaluates
them; these resource policies decide whether a delivery happens.

The subset of the IAM policy language kept (IAM User Guide, "IAM JSON
policy elements reference"): Effect Allow/Deny with an explicit Deny
winning, Principal "*" or {"Service"|"AWS": name or list}, Action and
Resource as a string or list with * and ? wildcards (actions match without
regard to case), NotAction/NotResource, and Condition with the string and
ARN operators (StringEquals, StringNotEquals, StringLike, StringNotLike,
StringEqualsIgnoreCase, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, each
also ...IfExists); a condition key the request lacks fails the condition
(IfExists: passes it).  Any other operator fails the statement, so an
unknown condition never grants access.
"""
import json
import re


def _list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _like(pattern, value, case=True):
    """IAM wildcards: * any run, ? one character; nothing else is special."""
    rx = ''.join('.*' if c == '*' else '.' if c == '?' else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, 0 if case else re.I) is not None


def _principal_ok(stmt, service):
    if 'NotPrincipal' in stmt:
        return False
    pr = stmt.get('Principal')
    if pr == '*':
        return True
    if isinstance(pr, dict):
        return service in _list(pr.get('Service')) or '*' in _list(pr.get('AWS'))
    return False


def _arn_like(pattern, value):
    # ArnLike compares each of the six colon-separated parts
    pp, vp = pattern.split(':', 5), value.split(':', 5)
    return len(pp) == len(vp) == 6 and all(_like(a, b) for a, b in zip(pp, vp))


OPERATORS = {
    'StringEquals': lambda p, v: p == v,
    'StringNotEquals': lambda p, v: p != v,
    'StringEqualsIgnoreCase': lambda p, v: p.lower() == v.lower(),
    'StringLike': _like,
    'StringNotLike': lambda p, v: not _like(p, v),
    'ArnEquals': lambda p, v: p == v,
    'ArnLike': _arn_like,
    'ArnNotEquals': lambda p, v: p != v,
    'ArnNotLike': lambda p, v: not _arn_like(p, v),
}
NEGATED = {'StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike'}


def _conditions_ok(cond, context):
    for op, tests in (cond or {}).items():
        if_exists = op.endswith('IfExists')
        base = op[:-len('IfExists')] if if_exists else op
        fn = OPERATORS.get(base)
        if fn is None or not isinstance(tests, dict):
            return False
        for key, wanted in tests.items():
            have = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if have is None:
                if if_exists:
                    continue
                return False
            wanted = [str(w) for w in _list(wanted)]
            ok = all(fn(w, have) for w in wanted) if base in NEGATED else any(fn(w, have) for w in wanted)
            if not ok:
                return False
    return True


def _matches(stmt, service, action, resource, context):
    if not _principal_ok(stmt, service):
        return False
    if 'NotAction' in stmt:
        if any(_like(a, action, case=False) for a in _list(stmt['NotAction'])):
            return False
    elif not any(_like(a, action, case=False) for a in _list(stmt.get('Action'))):
        return False
    if 'NotResource' in stmt:
        if any(_like(r, resource) for r in _list(stmt['NotResource'])):
            return False
    elif 'Resource' in stmt and not any(_like(r, resource) for r in _list(stmt['Resource'])):
        return False                    # a resource policy may leave Resource out: the resource itself
    return _conditions_ok(stmt.get('Condition'), context)


def allows(document, service, action, resource, context=None):
    """(allowed, why) for service principal `service` doing `action` on
    `resource` with the request context (condition keys) given."""
    if not document:
        return False, 'no policy'
    try:
        doc = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False, 'policy is not JSON'
    context = context or {}
    allowed = False
    for stmt in _list(doc.get('Statement')):
        if not isinstance(stmt, dict) or not _matches(stmt, service, action, resource, context):
            continue
        if stmt.get('Effect') == 'Deny':
            return False, 'denied explicitly (%s)' % (stmt.get('Sid') or 'a Deny statement')
        if stmt.get('Effect') == 'Allow':
            allowed = True
    return (True, 'allowed') if allowed else (False, 'no statement allows %s %s on %s' % (service, action, resource))

