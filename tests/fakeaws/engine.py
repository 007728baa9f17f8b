"""State, clock, persistence and the generic resource engine of the fake.

Resource types are rows of a table (see resources.py): which operation
creates, describes, deletes and tags them, their id field and id format,
their lifecycle.  The engine here does the generic CRUD for every row;
anything a service does differently is a named hook on its row.
"""
import base64
import datetime
import fnmatch
import json
import os
import random
import threading
import time

from wire import ApiError, Rendered

# The account the fake is: FAKEAWS_ACCOUNT (twelve digits) when set, so that
# a test can apply an environment whose config names its own account.
ACCOUNT = os.environ.get('FAKEAWS_ACCOUNT', '123456789012')
if not (len(ACCOUNT) == 12 and ACCOUNT.isdigit()):
    raise SystemExit('FAKEAWS_ACCOUNT must be twelve digits')


# How many distinct cached reads (type, ids, filters) are kept between
# changes of state.
VIEWS_MAX = 64


class Clock:
    """The fake's lifecycle clock: wall time scaled by --time-scale, plus
    whatever the control API advanced it by."""

    def __init__(self, scale=1.0):
        self.scale = scale
        self.base_real = time.time()
        self.base_fake = self.base_real

    def now(self):
        return self.base_fake + (time.time() - self.base_real) * self.scale

    def advance(self, seconds):
        self.base_fake += seconds

    def restore(self, fake_now):
        self.base_real, self.base_fake = time.time(), max(fake_now, self.now())


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return value.decode('latin-1')
    raise TypeError('cannot persist %r' % type(value))


class Store:
    def __init__(self, state_dir, region, clock, page_size):
        self.lock = threading.RLock()
        # Long polls (SQS ReceiveMessage) wait on this, releasing the lock;
        # whatever makes a message available, or stops the fake, notifies.
        self.wakeup = threading.Condition(self.lock)
        self.stopping = False
        self.state_dir, self.region, self.clock, self.page_size = state_dir, region, clock, page_size
        self.resources = {}          # type name -> {id: record}
        self.tokens = {}             # "op|ClientToken" -> id (idempotency)
        self.published = {'sns': [], 'cloudwatch': []}
        self.rng = random.Random()
        self.views = {}              # what cached reads computed since the last change
        self.load()

    # -- persistence
    def _path(self):
        return os.path.join(self.state_dir, 'state.json')

    def load(self):
        try:
            with open(self._path()) as f:
                doc = json.load(f)
        except FileNotFoundError:
            return
        self.resources = doc.get('resources', {})
        self.tokens = doc.get('tokens', {})
        self.published = doc.get('published', self.published)
        self.clock.restore(doc.get('clock', self.clock.now()))

    def save(self):
        """Atomic snapshot: temp file, fsync, rename; under the lock so an
        older snapshot can never replace a newer one."""
        with self.lock:
            doc = json.dumps({'resources': self.resources, 'tokens': self.tokens,
                              'published': self.published, 'clock': self.clock.now()}, default=_json_default)
            tmp = self._path() + '.tmp'
            with open(tmp, 'w') as f:
                f.write(doc)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, self._path())

    def reset(self):
        with self.lock:
            self.resources, self.tokens = {}, {}
            self.published = {'sns': [], 'cloudwatch': []}
            self.changed()

    # -- cached reads
    def changed(self):
        """The state may have changed: what reads computed from it is gone."""
        with self.lock:
            self.views = {}

    def view(self, key, build):
        """build(), or what it gave for key since the state last changed. A
        paginated read answers each page from one listing made at its first
        page, instead of listing, rendering and filtering the whole table
        again for every page (quadratic at thousands of pages)."""
        with self.lock:
            if key not in self.views:
                if len(self.views) >= VIEWS_MAX:
                    self.views = {}
                self.views[key] = build()
            return self.views[key]

    # -- helpers
    def table(self, rtype):
        return self.resources.setdefault(rtype, {})

    def new_id(self, fmt):
        """fmt like 'vpc-{hex17}' or 'AROA{up17}'."""
        out = fmt
        for kind, alphabet in (('hex', '0123456789abcdef'), ('up', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')):
            while '{%s' % kind in out:
                start = out.index('{%s' % kind)
                end = out.index('}', start)
                n = int(out[start + len(kind) + 1:end])
                out = out[:start] + ''.join(self.rng.choice(alphabet) for _ in range(n)) + out[end + 1:]
        return out

    def arn(self, service, resource, region=True):
        return 'arn:aws:%s:%s:%s:%s' % (service, self.region if region else '', ACCOUNT, resource)


class Ctx:
    """What a handler sees: the store, the operation and its parsed input."""

    def __init__(self, server, service, op, params):
        self.server, self.store, self.service, self.op, self.params = \
            server, server.store, service, op, params
        self.now = server.store.clock.now()


# -------------------------------------------------------------- pagination

def paginate(ctx, items, result, result_key, token_in='NextToken', token_out='NextToken', limit_key='MaxResults'):
    """Slices items into pages no bigger than the fake's page size; tokens
    are opaque to clients, as AWS's are."""
    p = ctx.params
    out_shape = ctx.server.model(ctx.service).operation_model(ctx.op).output_shape
    if out_shape is None or token_out not in out_shape.members:
        result[result_key] = items          # this operation does not paginate in AWS
        return result
    limit = ctx.store.page_size
    if p.get(limit_key):
        limit = min(limit, int(p[limit_key]))
    start = 0
    if p.get(token_in):
        try:
            start = int(base64.b64decode(p[token_in]).decode().split(':')[1])
        except (ValueError, IndexError):
            raise ApiError('InvalidNextToken' if ctx.server.protocol(ctx.service) == 'ec2' else 'InvalidParameterValue',
                           'The token %r is invalid.' % p[token_in])
    result[result_key] = items[start:start + limit]
    if start + limit < len(items):
        result[token_out] = base64.b64encode(('page:%d' % (start + limit)).encode()).decode()
    return result


# -------------------------------------------------------------- filters

def _path_values(rec, path):
    vals = [rec]
    for part in path.split('.'):
        nxt = []
        for v in vals:
            if isinstance(v, dict) and part in v:
                x = v[part]
                nxt.extend(x if isinstance(x, list) else [x])
        vals = nxt
    return ['true' if v is True else 'false' if v is False else str(v) for v in vals]


def _camel(name):
    return ''.join('Id' if w == 'id' else w[:1].upper() + w[1:] for w in name.split('-'))


def ec2_filter(records, filters, aliases):
    """EC2 Filters: names map to record paths (kebab-case -> CamelCase unless
    aliased), tag:KEY and tag-key are generic; values may use * wildcards."""
    out = records
    for f in filters or []:
        name, wanted = f.get('Name', ''), f.get('Values', [])
        def ok(rec):
            tags = {t['Key']: t['Value'] for t in rec.get('Tags', [])}
            if name.startswith('tag:'):
                have = [tags[name[4:]]] if name[4:] in tags else []
            elif name == 'tag-key':
                have = list(tags)
            elif name == 'tag-value':
                have = list(tags.values())
            else:
                have = _path_values(rec, aliases.get(name) or
                                    '.'.join(_camel(x) for x in name.split('.')))
            return any(fnmatch.fnmatchcase(h, w) for h in have for w in wanted)
        out = [r for r in out if ok(r)]
    return out


def lookup(ctx, table, key, code, message, status=400):
    """The record under key in table, or the service's not-found error."""
    rec = ctx.store.table(table).get(key)
    if rec is None:
        raise ApiError(code, message, status)
    return rec


def public(rec):
    """A record without the engine's private (_-prefixed) fields."""
    if isinstance(rec, dict):
        return {k: public(v) for k, v in rec.items() if not k.startswith('_')}
    if isinstance(rec, list):
        return [public(v) for v in rec]
    return rec


# -------------------------------------------------------------- generic CRUD

class Res:
    """One resource type.  Keyword fields (all optional except name/id_key):
      id_fmt       id generator format (Store.new_id)
      create       (op, output key or None, build hook(ctx) -> record)
      describe     (op, output list key, ids param, filter aliases)
      delete       (op, id param, hook(ctx, rec) run before removal or None)
      lifecycle    (state field, [(state, after_seconds), ...]) on the fake clock
      not_found    error code when an id does not exist
      render       hook(ctx, rec) -> record shown to clients
    """

    def __init__(self, name, id_key, **kw):
        self.name, self.id_key = name, id_key
        self.id_fmt = kw.get('id_fmt')
        self.create = kw.get('create')
        self.describe = kw.get('describe')
        self.delete = kw.get('delete')
        self.lifecycle = kw.get('lifecycle')
        self.not_found = kw.get('not_found', 'ResourceNotFoundException')
        self.render = kw.get('render')
        # A type whose records look the same until the state changes (no
        # lifecycle on the clock; a render hook that reads only the state,
        # marked pure) is listed once per change of state, not per page.
        self.cacheable = not self.lifecycle and (self.render is None or getattr(self.render, 'pure', False))
        self.not_found_msg = kw.get('not_found_msg', "The %s ID '%%s' does not exist" % name)

    def get(self, ctx, rid):
        rec = ctx.store.table(self.name).get(rid)
        if rec is None:
            raise ApiError(self.not_found, self.not_found_msg % rid)
        return rec

    def show(self, ctx, rec):
        if self.lifecycle:
            field, stages = self.lifecycle
            if not rec.get('_frozen'):
                age = ctx.now - rec.get('_born', ctx.now)
                for state, after in stages:
                    if age >= after:
                        rec[field] = state
        out = public(rec)
        return self.render(ctx, out, rec) if self.render else out

    def add(self, ctx, rec):
        rec['_born'] = ctx.now
        if self.lifecycle:
            rec[self.lifecycle[0]] = self.lifecycle[1][0][0]
        ctx.store.table(self.name)[rec[self.id_key]] = rec
        return rec

    # handlers -------------------------------------------------------
    def h_create(self, ctx):
        op, out_key, build = self.create
        token = ctx.params.get('ClientToken')
        tkey = '%s|%s' % (op, token)
        if token and tkey in ctx.store.tokens:
            rec = ctx.store.table(self.name).get(ctx.store.tokens[tkey])
            if rec is not None:
                return {out_key: self.show(ctx, rec), 'ClientToken': token} if out_key else {}
        rec = build(ctx)
        if self.id_key not in rec:
            rec[self.id_key] = ctx.store.new_id(self.id_fmt)
        specs = ctx.params.get('TagSpecifications') or []
        tags = [t for s in specs for t in s.get('Tags', [])]
        if tags or 'Tags' in rec:
            rec['Tags'] = rec.get('Tags', []) + tags
        self.add(ctx, rec)
        if token:
            ctx.store.tokens[tkey] = rec[self.id_key]
        res = {out_key: self.show(ctx, rec)} if out_key else {}
        if token and out_key:
            res['ClientToken'] = token
        return res

    def h_describe(self, ctx):
        op, list_key, ids_param, aliases = self.describe
        ids = ctx.params.get(ids_param) if ids_param else None
        if ids:
            for i in ids:
                self.get(ctx, i)
        filters = ctx.params.get('Filters') or ctx.params.get('Filter')

        def listing():
            recs = list(ctx.store.table(self.name).values())
            if ids:
                wanted = set(ids)
                recs = [r for r in recs if r[self.id_key] in wanted]
            recs = [self.show(ctx, r) for r in recs]
            return ec2_filter(recs, filters, aliases or {})
        if self.cacheable:
            key = (self.name, json.dumps([ids, filters], sort_keys=True, default=str))
            recs = ctx.store.view(key, lambda: [Rendered(r) for r in listing()])
        else:
            recs = listing()
        return paginate(ctx, recs, {}, list_key)
    # Reads the state and writes no more than its own type's lifecycle
    # field, which no cacheable type's rendering depends on.
    h_describe.pure_read = True

    def h_delete(self, ctx):
        op, id_param, hook = self.delete
        rec = self.get(ctx, ctx.params[id_param])
        if hook:
            res = hook(ctx, rec)
            if res is not None:
                return res
        del ctx.store.table(self.name)[rec[self.id_key]]
        return {}

    def handlers(self):
        out = {}
        if self.create:
            out[self.create[0]] = self.h_create
        if self.describe:
            out[self.describe[0]] = self.h_describe
        if self.delete:
            out[self.delete[0]] = self.h_delete
        return out
