"""DynamoDB for the fake: tables (CreateTable, DescribeTable) and items
(GetItem, PutItem, UpdateItem, DeleteItem) with condition and update
expressions, as the DynamoDB API reference and developer guide describe
them:

- "Condition expressions" and "Comparison operator and function reference"
  (developer guide): comparators = <> < <= > >=, BETWEEN, IN,
  attribute_exists, attribute_not_exists, attribute_type, begins_with,
  contains, size, NOT, AND, OR and parentheses, with precedence
  comparators > IN > BETWEEN > functions > parentheses > NOT > AND > OR;
  a comparison with a missing attribute, or between different types, is
  false; numbers compare by value, strings and binaries by their bytes.
- "Update expressions": SET (value, a + b, a - b, if_not_exists,
  list_append), REMOVE, ADD (numbers and sets), DELETE (sets); a key
  attribute cannot be updated.
- "Expression attribute names/values": every placeholder must be defined
  and every one defined must be used, else ValidationException.
- PutItem/UpdateItem/DeleteItem: a condition that is not met fails with
  ConditionalCheckFailedException, HTTP 400, "The conditional request
  failed", and the item's old image in Item when
  ReturnValuesOnConditionCheckFailure is ALL_OLD.
- A table is CREATING, then ACTIVE (after TABLE_CREATE_S on the fake's
  clock); item operations on a table that is not ACTIVE answer
  ResourceNotFoundException, as the API reference says ("might not be
  specified correctly, or its status might not be ACTIVE").

Not emulated: reserved words (every name is accepted), nested document
paths beyond top-level names, indexes, streams, transactions, TTL expiry,
item size limits, capacity accounting.
"""
import decimal
import re

from wire import ApiError

TABLE_CREATE_S = 2
PREFIX = 'com.amazonaws.dynamodb.v20120810#'


class DynamoError(ApiError):
    """An error as DynamoDB sends it: __type carries the namespace, and
    fields (Item) may ride along."""

    def __init__(self, code, message, status=400, fields=None):
        super().__init__(code, message, status)
        self.type_name = PREFIX + code
        self.fields = fields or {}


def _validation(msg):
    return DynamoError('ValidationException', msg)


def _not_found(name):
    return DynamoError('ResourceNotFoundException',
                       'Requested resource not found: Table: %s not found' % name)


# ---------------------------------------------------------------- tables

def _tables(ctx):
    return ctx.store.table('dynamodb_table')


def _status(ctx, t):
    if t['TableStatus'] == 'CREATING' and ctx.store.clock.now() - t['created'] >= TABLE_CREATE_S:
        t['TableStatus'] = 'ACTIVE'
    return t['TableStatus']


def _table(ctx, name, active=True):
    t = _tables(ctx).get(name)
    if t is None or (active and _status(ctx, t) != 'ACTIVE'):
        raise _not_found(name)
    return t


def _describe(ctx, t):
    _status(ctx, t)
    out = {k: t[k] for k in ('TableName', 'TableArn', 'TableId', 'TableStatus', 'KeySchema',
                             'AttributeDefinitions')}
    out['CreationDateTime'] = t['created']
    out['ItemCount'] = len(t['items'])
    out['TableSizeBytes'] = 0
    out['BillingModeSummary'] = {'BillingMode': t['BillingMode']}
    out['ProvisionedThroughput'] = {'ReadCapacityUnits': 0, 'WriteCapacityUnits': 0,
                                    'NumberOfDecreasesToday': 0}
    return out


def create_table(ctx):
    p = ctx.params
    name = p['TableName']
    defs = {d['AttributeName']: d['AttributeType'] for d in p['AttributeDefinitions']}
    keys = p['KeySchema']
    if not 1 <= len(keys) <= 2 or keys[0]['KeyType'] != 'HASH' or \
            (len(keys) == 2 and keys[1]['KeyType'] != 'RANGE'):
        raise _validation('1 validation error detected: Invalid KeySchema: the first KeySchemaElement is not '
                          'a HASH key type, or there are more than two')
    for k in keys:
        if k['AttributeName'] not in defs:
            raise _validation('One or more parameter values were invalid: Some index key attributes are not '
                              'defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]'
                              % (k['AttributeName'], ', '.join(defs)))
    if len(defs) != len(keys):
        raise _validation('One or more parameter values were invalid: Number of attributes in KeySchema does '
                          'not exactly match number of attributes defined in AttributeDefinitions')
    mode = p.get('BillingMode', 'PROVISIONED')
    if mode == 'PROVISIONED' and 'ProvisionedThroughput' not in p:
        raise _validation('One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits '
                          'must both be specified when BillingMode is PROVISIONED')
    if name in _tables(ctx):
        raise DynamoError('ResourceInUseException', 'Table already exists: %s' % name)
    t = {'TableName': name, 'TableArn': ctx.store.arn('dynamodb', 'table/' + name),
         'TableId': ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}'), 'TableStatus': 'CREATING',
         'KeySchema': keys, 'AttributeDefinitions': p['AttributeDefinitions'], 'BillingMode': mode,
         'created': ctx.store.clock.now(), 'items': {}}
    _tables(ctx)[name] = t
    return {'TableDescription': _describe(ctx, t)}


def describe_table(ctx):
    t = _tables(ctx).get(ctx.params['TableName'])
    if t is None:
        raise _not_found(ctx.params['TableName'])
    return {'Table': _describe(ctx, t)}


# ---------------------------------------------------------------- values

def _type(av):
    return next(iter(av))


def _num(s):
    try:
        return decimal.Decimal(s)
    except decimal.InvalidOperation:
        raise _validation('The parameter cannot be converted to a numeric value: %s' % s)


def _bytes(v):
    return v if isinstance(v, (bytes, bytearray)) else str(v).encode()


def _equal(a, b):
    if a is None or b is None or _type(a) != _type(b):
        return False
    t = _type(a)
    if t == 'N':
        return _num(a['N']) == _num(b['N'])
    if t == 'NS':
        return {_num(x) for x in a[t]} == {_num(x) for x in b[t]}
    if t in ('SS', 'BS'):
        return set(map(_bytes, a[t])) == set(map(_bytes, b[t]))
    if t == 'L':
        return len(a[t]) == len(b[t]) and all(_equal(x, y) for x, y in zip(a[t], b[t]))
    if t == 'M':
        return a[t].keys() == b[t].keys() and all(_equal(a[t][k], b[t][k]) for k in a[t])
    if t == 'B':
        return _bytes(a[t]) == _bytes(b[t])
    return a[t] == b[t]


def _order(a, b):
    """-1/0/1, or None where DynamoDB's < and > are false (missing, or types
    that differ or do not order)."""
    if a is None or b is None or _type(a) != _type(b) or _type(a) not in ('N', 'S', 'B'):
        return None
    t = _type(a)
    x, y = (_num(a[t]), _num(b[t])) if t == 'N' else (_bytes(a[t]), _bytes(b[t]))
    return (x > y) - (x < y)


# ---------------------------------------------------------------- expressions

TOKEN_RX = re.compile(r'\s*(?:(<>|<=|>=|[=<>(),\[\]+\-.])|(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)'
                      r'|([0-9]+))')


class Expr:
    """One request's expressions: tokens, and the placeholders they use."""

    def __init__(self, names, values):
        self.names, self.values = names or {}, values or {}
        self.used_names, self.used_values = set(), set()

    def tokens(self, text, what):
        out, pos = [], 0
        text = text.rstrip()
        while pos < len(text):
            m = TOKEN_RX.match(text, pos)
            if not m or m.end() == pos:
                raise _validation('Invalid %s: Syntax error; token: "%s", near: "%s"'
                                  % (what, text[pos:].strip()[:1], text[max(0, pos - 5):pos + 5].strip()))
            pos = m.end()
            out.append(next(g for g in m.groups() if g is not None))
        self.toks, self.i, self.what = out, 0, what
        return out

    def peek(self, k=0):
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def take(self, want=None):
        tok = self.peek()
        if tok is None or (want is not None and tok.upper() != want):
            raise _validation('Invalid %s: Syntax error; token: "%s", near: "%s"'
                              % (self.what, tok or '<EOF>', ' '.join(self.toks[max(0, self.i - 1):self.i + 2])))
        self.i += 1
        return tok

    def keyword(self, word):
        tok = self.peek()
        return tok is not None and tok.upper() == word

    def path(self):
        tok = self.take()
        if tok.startswith('#'):
            if tok not in self.names:
                raise _validation('Invalid %s: An expression attribute name used in the document path is not '
                                  'defined; attribute name: %s' % (self.what, tok))
            self.used_names.add(tok)
            return self.names[tok]
        if tok.startswith(':') or not re.match(r'[A-Za-z_]', tok):
            raise _validation('Invalid %s: Syntax error; token: "%s"' % (self.what, tok))
        return tok

    def value(self):
        tok = self.take()
        if tok not in self.values:
            raise _validation('Invalid %s: An expression attribute value used in expression is not defined; '
                              'attribute value: %s' % (self.what, tok))
        self.used_values.add(tok)
        return self.values[tok]

    def check_all_used(self):
        unused = set(self.names) - self.used_names
        if unused:
            raise _validation('Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}'
                              % ', '.join(sorted(unused)))
        unused = set(self.values) - self.used_values
        if unused:
            raise _validation('Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}'
                              % ', '.join(sorted(unused)))

    # -- conditions: a tree of closures over the item
    def condition(self, text):
        self.tokens(text, 'ConditionExpression')
        node = self.or_expr()
        if self.peek() is not None:
            self.take('<EOF>')
        return node

    def or_expr(self):
        left = self.and_expr()
        while self.keyword('OR'):
            self.take()
            right = self.and_expr()
            left = (lambda a, b: lambda it: a(it) or b(it))(left, right)
        return left

    def and_expr(self):
        left = self.not_expr()
        while self.keyword('AND'):
            self.take()
            right = self.not_expr()
            left = (lambda a, b: lambda it: a(it) and b(it))(left, right)
        return left

    def not_expr(self):
        if self.keyword('NOT'):
            self.take()
            inner = self.not_expr()
            return lambda it: not inner(it)
        return self.primary()

    FUNCTIONS = ('ATTRIBUTE_EXISTS', 'ATTRIBUTE_NOT_EXISTS', 'ATTRIBUTE_TYPE', 'BEGINS_WITH', 'CONTAINS')

    def primary(self):
        if self.peek() == '(':
            self.take()
            inner = self.or_expr()
            self.take(')')
            return inner
        tok = self.peek()
        if tok and tok.upper() in self.FUNCTIONS and self.peek(1) == '(':
            return self.function()
        left = self.operand()
        if self.keyword('BETWEEN'):
            self.take()
            lo = self.operand()
            self.take('AND')
            hi = self.operand()

            def between(it):
                c1, c2 = _order(lo(it), left(it)), _order(left(it), hi(it))
                return c1 is not None and c2 is not None and c1 <= 0 and c2 <= 0
            return between
        if self.keyword('IN'):
            self.take()
            self.take('(')
            opts = [self.operand()]
            while self.peek() == ',':
                self.take()
                opts.append(self.operand())
            self.take(')')
            return lambda it: any(_equal(left(it), o(it)) for o in opts)
        op = self.take()
        if op not in ('=', '<>', '<', '<=', '>', '>='):
            raise _validation('Invalid ConditionExpression: Syntax error; token: "%s"' % op)
        right = self.operand()
        if op == '=':
            return lambda it: _equal(left(it), right(it))
        if op == '<>':
            return lambda it: left(it) is not None and right(it) is not None and not _equal(left(it), right(it))
        test = {'<': lambda c: c < 0, '<=': lambda c: c <= 0, '>': lambda c: c > 0, '>=': lambda c: c >= 0}[op]
        return lambda it: _order(left(it), right(it)) is not None and test(_order(left(it), right(it)))

    def function(self):
        fn = self.take().upper()
        self.take('(')
        name = self.path()
        arg = None
        if fn in ('ATTRIBUTE_TYPE', 'BEGINS_WITH', 'CONTAINS'):
            self.take(',')
            arg = self.operand()
        self.take(')')
        if fn == 'ATTRIBUTE_EXISTS':
            return lambda it: name in it
        if fn == 'ATTRIBUTE_NOT_EXISTS':
            return lambda it: name not in it
        if fn == 'ATTRIBUTE_TYPE':
            return lambda it: name in it and _type(it[name]) == (arg(it) or {}).get('S')
        if fn == 'BEGINS_WITH':
            def begins(it):
                a, b = it.get(name), arg(it)
                if a is None or b is None or _type(a) != _type(b) or _type(a) not in ('S', 'B'):
                    return False
                return _bytes(a[_type(a)]).startswith(_bytes(b[_type(b)]))
            return begins

        def contains(it):
            a, b = it.get(name), arg(it)
            if a is None or b is None:
                return False
            t = _type(a)
            if t == 'S' and _type(b) == 'S':
                return b['S'] in a['S']
            if t == 'L':
                return any(_equal(x, b) for x in a['L'])
            if t in ('SS', 'NS', 'BS') and _type(b) == t[0]:
                return any(_equal({t[0]: x}, b) for x in a[t])
            return False
        return contains

    def operand(self):
        """A value, an attribute or size(path): a function of the item."""
        tok = self.peek()
        if tok is None:
            self.take()
        if tok.startswith(':'):
            v = self.value()
            return lambda it: v
        if tok.upper() == 'SIZE' and self.peek(1) == '(':
            self.take()
            self.take('(')
            name = self.path()
            self.take(')')

            def size(it):
                a = it.get(name)
                if a is None:
                    return None
                t = _type(a)
                n = len(_bytes(a[t])) if t in ('S', 'B') else len(a[t]) if t in ('SS', 'NS', 'BS', 'L', 'M') else None
                return None if n is None else {'N': str(n)}
            return size
        name = self.path()
        return lambda it: it.get(name)

    # -- updates: a list of actions applied to a copy of the item
    def update(self, text, key_names):
        self.tokens(text, 'UpdateExpression')
        actions, seen = [], set()
        while self.peek() is not None:
            clause = self.take().upper()
            if clause not in ('SET', 'REMOVE', 'ADD', 'DELETE') or clause in seen:
                raise _validation('Invalid UpdateExpression: Syntax error; token: "%s"' % clause)
            seen.add(clause)
            while True:
                name = self.path()
                if name in key_names:
                    raise _validation('One or more parameter values were invalid: Cannot update attribute %s. '
                                      'This attribute is part of the key' % name)
                if clause == 'SET':
                    self.take('=')
                    actions.append(('SET', name, self.set_value()))
                elif clause == 'REMOVE':
                    actions.append(('REMOVE', name, None))
                else:
                    actions.append((clause, name, self.operand()))
                if self.peek() != ',':
                    break
                self.take()
        return actions

    def set_value(self):
        tok = self.peek()
        if tok and tok.upper() in ('IF_NOT_EXISTS', 'LIST_APPEND') and self.peek(1) == '(':
            fn = self.take().upper()
            self.take('(')
            a = self.path() if fn == 'IF_NOT_EXISTS' else None
            first = None if a else self.operand()
            self.take(',')
            b = self.operand()
            self.take(')')
            if fn == 'IF_NOT_EXISTS':
                return lambda it: it[a] if a in it else b(it)
            return lambda it: _list_append(first(it), b(it))
        left = self.operand()
        if self.peek() in ('+', '-'):
            op = self.take()
            right = self.operand()
            return lambda it: _arith(op, left(it), right(it))
        return left


def _arith(op, a, b):
    if a is None or b is None or _type(a) != 'N' or _type(b) != 'N':
        raise _validation('An operand in the update expression has an incorrect data type')
    x, y = _num(a['N']), _num(b['N'])
    return {'N': str(x + y if op == '+' else x - y)}


def _list_append(a, b):
    if a is None or b is None or _type(a) != 'L' or _type(b) != 'L':
        raise _validation('An operand in the update expression has an incorrect data type')
    return {'L': a['L'] + b['L']}


def _apply_update(item, actions):
    new = dict(item)
    for kind, name, fn in actions:
        if kind == 'SET':
            v = fn(item)
            if v is None:
                raise _validation('The provided expression refers to an attribute that does not exist in the item')
            new[name] = v
        elif kind == 'REMOVE':
            new.pop(name, None)
        elif kind == 'ADD':
            v, old = fn(item), item.get(name)
            t = _type(v)
            if t == 'N':
                new[name] = {'N': str(_num(v['N']) + (_num(old['N']) if old else 0))}
            elif t in ('SS', 'NS', 'BS') and (old is None or _type(old) == t):
                new[name] = {t: list(dict.fromkeys((old or {}).get(t, []) + v[t]))}
            else:
                raise _validation('An operand in the update expression has an incorrect data type')
        else:                                   # DELETE from a set
            v, old = fn(item), item.get(name)
            if old is not None:
                t = _type(old)
                left = [x for x in old[t] if x not in v.get(t, [])]
                if left:
                    new[name] = {t: left}
                else:
                    new.pop(name)
    return new


# ---------------------------------------------------------------- items

def _key(t, key):
    """The key as stored; ValidationException unless it is exactly the
    table's key schema with the defined types."""
    types = {d['AttributeName']: d['AttributeType'] for d in t['AttributeDefinitions']}
    names = [k['AttributeName'] for k in t['KeySchema']]
    if sorted(key) != sorted(names) or any(_type(key[n]) != types[n] for n in names):
        raise _validation('The provided key element does not match the schema')
    return '|'.join('%s=%s' % (n, key[n][types[n]]) for n in names)


def _expr(p):
    return Expr(p.get('ExpressionAttributeNames'), p.get('ExpressionAttributeValues'))


def _check(p, e, item):
    """Parses the condition (before anything changes), evaluates it against
    the item ({} when absent)."""
    if 'ConditionExpression' not in p:
        return lambda: None
    cond = e.condition(p['ConditionExpression'])

    def run():
        if not cond(item or {}):
            fields = {}
            if item and p.get('ReturnValuesOnConditionCheckFailure') == 'ALL_OLD':
                fields['Item'] = item
            raise DynamoError('ConditionalCheckFailedException', 'The conditional request failed', 400, fields)
    return run


def _returned(p, old, new, updated=()):
    rv = p.get('ReturnValues', 'NONE')
    if rv == 'ALL_OLD' and old:
        return {'Attributes': old}
    if rv == 'ALL_NEW' and new:
        return {'Attributes': new}
    if rv == 'UPDATED_OLD' and old:
        return {'Attributes': {k: old[k] for k in updated if k in old}}
    if rv == 'UPDATED_NEW' and new:
        return {'Attributes': {k: new[k] for k in updated if k in new}}
    return {}


def get_item(ctx):
    p = ctx.params
    t = _table(ctx, p['TableName'])
    item = t['items'].get(_key(t, p['Key']))
    return {'Item': item} if item is not None else {}


def put_item(ctx):
    p = ctx.params
    t = _table(ctx, p['TableName'])
    if p.get('ReturnValues', 'NONE') not in ('NONE', 'ALL_OLD'):
        raise _validation('ReturnValues can only be ALL_OLD or NONE')
    names = [k['AttributeName'] for k in t['KeySchema']]
    k = _key(t, {n: p['Item'][n] for n in names if n in p['Item']})
    old = t['items'].get(k)
    e = _expr(p)
    check = _check(p, e, old)
    e.check_all_used()
    check()
    t['items'][k] = p['Item']
    return _returned(p, old, p['Item'])


def update_item(ctx):
    p = ctx.params
    t = _table(ctx, p['TableName'])
    k = _key(t, p['Key'])
    old = t['items'].get(k)
    e = _expr(p)
    actions = e.update(p['UpdateExpression'], [x['AttributeName'] for x in t['KeySchema']]) \
        if p.get('UpdateExpression') else []
    check = _check(p, e, old)
    e.check_all_used()
    check()
    new = _apply_update(dict(old or p['Key']), actions)
    t['items'][k] = new
    return _returned(p, old, new, [a[1] for a in actions])


def delete_item(ctx):
    p = ctx.params
    t = _table(ctx, p['TableName'])
    if p.get('ReturnValues', 'NONE') not in ('NONE', 'ALL_OLD'):
        raise _validation('ReturnValues can only be ALL_OLD or NONE')
    k = _key(t, p['Key'])
    old = t['items'].get(k)
    e = _expr(p)
    check = _check(p, e, old)
    e.check_all_used()
    check()
    t['items'].pop(k, None)
    return _returned(p, old, None)


def handlers():
    return {'dynamodb': {'CreateTable': create_table, 'DescribeTable': describe_table, 'GetItem': get_item,
                         'PutItem': put_item, 'UpdateItem': update_item, 'DeleteItem': delete_item}}
