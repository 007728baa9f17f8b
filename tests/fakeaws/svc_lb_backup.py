"""ELBv2 (load balancers, target groups, listeners, attributes, tags) and
AWS Backup (vaults, plans, selections) for the fake."""
import hashlib
import uuid

from engine import Res, lookup, public, paginate
from wire import ApiError


# ================================================================ ELBv2

LB_DEFAULT_ATTRS = {'deletion_protection.enabled': 'false', 'idle_timeout.timeout_seconds': '60',
                    'access_logs.s3.enabled': 'false', 'routing.http2.enabled': 'true'}
TG_DEFAULT_ATTRS = {'deregistration_delay.timeout_seconds': '300', 'stickiness.enabled': 'false',
                    'stickiness.type': 'lb_cookie'}


def _elb_page(ctx, items, key):
    return paginate(ctx, items, {}, key, 'Marker', 'NextMarker', 'PageSize')


def _lb_build(ctx):
    p = ctx.params
    name = p['Name']
    if any(lb['LoadBalancerName'] == name for lb in ctx.store.table('elb_lb').values()):
        raise ApiError('DuplicateLoadBalancerName', 'A load balancer with the same name \'%s\' exists' % name)
    subnets = []
    for sid in p.get('Subnets', []) + [m['SubnetId'] for m in p.get('SubnetMappings', [])]:
        s = ctx.store.table('subnet').get(sid)
        if s is None:
            raise ApiError('SubnetNotFound', "The subnet ID '%s' is not valid" % sid)
        subnets.append(s)
    kind = p.get('Type', 'application')
    if kind == 'application' and len({s['AvailabilityZone'] for s in subnets}) < 2:
        raise ApiError('InvalidConfigurationRequest', 'At least two subnets in two different Availability Zones '
                       'must be specified')
    lb_id = ctx.store.new_id('{hex16}')
    prefix = 'app' if kind == 'application' else 'net'
    scheme = p.get('Scheme', 'internet-facing')
    return {'LoadBalancerArn': ctx.store.arn('elasticloadbalancing', 'loadbalancer/%s/%s/%s' % (prefix, name, lb_id)),
            'DNSName': '%s%s-%s.%s.elb.amazonaws.com' % ('internal-' if scheme == 'internal' else '', name,
                                                        int(lb_id[:8], 16), ctx.store.region),
            'CanonicalHostedZoneId': 'Z35SXDOTRQ7X7K', 'CreatedTime': ctx.now, 'LoadBalancerName': name,
            'Scheme': scheme, 'VpcId': subnets[0]['VpcId'] if subnets else None, 'Type': kind,
            'AvailabilityZones': [{'ZoneName': s['AvailabilityZone'], 'SubnetId': s['SubnetId']} for s in subnets],
            'SecurityGroups': list(p.get('SecurityGroups', [])), 'IpAddressType': p.get('IpAddressType', 'ipv4'),
            '_tags': list(p.get('Tags', [])), '_attrs': dict(LB_DEFAULT_ATTRS)}


def _lb_render(ctx, out, rec):
    out['State'] = {'Code': out.pop('StateCode')}
    return out


def _find(ctx, table, arn, code, what):
    return lookup(ctx, table, arn, code, 'One or more %s not found' % what)


def _select(ctx, res, arns_param, name_field, code, what):
    """Describe* selection shared by load balancers and target groups:
    by ARNs (each must exist), then by Names, sorted by name."""
    p = ctx.params
    recs = sorted(ctx.store.table(res.name).values(), key=lambda r: r[name_field])
    if p.get(arns_param):
        recs = [_find(ctx, res.name, a, code, what) for a in p[arns_param]]
    if p.get('Names'):
        recs = [r for r in recs if r[name_field] in p['Names']]
        if len(recs) != len(p['Names']):
            raise ApiError(code, 'One or more %s not found' % what)
    return [res.show(ctx, r) for r in recs]


def elb_create_lb(ctx):
    out = ELB_LB.h_create(ctx)
    return {'LoadBalancers': [out['LoadBalancer']]}


def elb_describe_lbs(ctx):
    return _elb_page(ctx, _select(ctx, ELB_LB, 'LoadBalancerArns', 'LoadBalancerName', 'LoadBalancerNotFound',
                                  'load balancers'), 'LoadBalancers')


def elb_delete_lb(ctx, rec):
    if rec['_attrs'].get('deletion_protection.enabled') == 'true':
        raise ApiError('OperationNotPermitted', "Load balancer '%s' cannot be deleted because deletion protection "
                       'is enabled' % rec['LoadBalancerArn'])
    for arn in [a for a, l in ctx.store.table('elb_listener').items() if l['LoadBalancerArn'] == rec['LoadBalancerArn']]:
        del ctx.store.table('elb_listener')[arn]


def _tg_build(ctx):
    p = ctx.params
    if any(t['TargetGroupName'] == p['Name'] for t in ctx.store.table('elb_tg').values()):
        raise ApiError('DuplicateTargetGroupName', 'A target group with the same name \'%s\' exists, but with '
                       'different settings' % p['Name'])
    kind = p.get('TargetType', 'instance')
    if kind != 'lambda' and not all(k in p for k in ('Protocol', 'Port', 'VpcId')):
        raise ApiError('ValidationError', 'A protocol, port and VPC ID must be specified for target type %s' % kind)
    tg_id = ctx.store.new_id('{hex16}')
    return {'TargetGroupArn': ctx.store.arn('elasticloadbalancing', 'targetgroup/%s/%s' % (p['Name'], tg_id)),
            'TargetGroupName': p['Name'], 'Protocol': p.get('Protocol'), 'Port': p.get('Port'),
            'VpcId': p.get('VpcId'), 'TargetType': kind,
            'HealthCheckProtocol': p.get('HealthCheckProtocol', p.get('Protocol')),
            'HealthCheckPort': p.get('HealthCheckPort', 'traffic-port'),
            'HealthCheckEnabled': p.get('HealthCheckEnabled', True),
            'HealthCheckIntervalSeconds': p.get('HealthCheckIntervalSeconds', 30),
            'HealthCheckTimeoutSeconds': p.get('HealthCheckTimeoutSeconds', 5),
            'HealthyThresholdCount': p.get('HealthyThresholdCount', 5),
            'UnhealthyThresholdCount': p.get('UnhealthyThresholdCount', 2),
            'HealthCheckPath': p.get('HealthCheckPath', '/'), 'Matcher': p.get('Matcher', {'HttpCode': '200'}),
            'LoadBalancerArns': [], '_tags': list(p.get('Tags', [])), '_attrs': dict(TG_DEFAULT_ATTRS), '_targets': []}


def _tg_render(ctx, out, rec):
    out['LoadBalancerArns'] = sorted({l['LoadBalancerArn'] for l in ctx.store.table('elb_listener').values()
                                      for a in l['DefaultActions'] if a.get('TargetGroupArn') == rec['TargetGroupArn']})
    return {k: v for k, v in out.items() if v is not None}


def elb_create_tg(ctx):
    return {'TargetGroups': [ELB_TG.h_create(ctx)['TargetGroup']]}


def elb_describe_tgs(ctx):
    out = _select(ctx, ELB_TG, 'TargetGroupArns', 'TargetGroupName', 'TargetGroupNotFound', 'target groups')
    if ctx.params.get('LoadBalancerArn'):
        out = [t for t in out if ctx.params['LoadBalancerArn'] in t['LoadBalancerArns']]
    return _elb_page(ctx, out, 'TargetGroups')


def elb_modify_tg(ctx):
    rec = _find(ctx, 'elb_tg', ctx.params['TargetGroupArn'], 'TargetGroupNotFound', 'target groups')
    for k, v in ctx.params.items():
        if k.startswith('HealthCheck') or k in ('HealthyThresholdCount', 'UnhealthyThresholdCount', 'Matcher'):
            rec[k] = v
    return {'TargetGroups': [ELB_TG.show(ctx, rec)]}


def elb_delete_tg(ctx, rec):
    if ELB_TG.show(ctx, rec)['LoadBalancerArns']:
        raise ApiError('ResourceInUse', "Target group '%s' is currently in use by a listener or a rule"
                       % rec['TargetGroupArn'])


def _listener_check(ctx, lb_arn, port, skip=None):
    for l in ctx.store.table('elb_listener').values():
        if l['LoadBalancerArn'] == lb_arn and l['Port'] == port and l['ListenerArn'] != skip:
            raise ApiError('DuplicateListener', 'A listener already exists on this port for this load balancer')


def _check_actions(ctx, actions, protocol, certs):
    for a in actions:
        if a.get('TargetGroupArn'):
            _find(ctx, 'elb_tg', a['TargetGroupArn'], 'TargetGroupNotFound', 'target groups')
    if protocol in ('HTTPS', 'TLS') and not certs:
        raise ApiError('CertificateNotFound', 'A certificate must be specified for %s listeners' % protocol)


REDIRECT_DEFAULTS = {'Protocol': '#{protocol}', 'Port': '#{port}', 'Host': '#{host}', 'Path': '/#{path}',
                     'Query': '#{query}'}


def _oidc_secret(a, old):
    """An OIDC action's ClientSecret is write-only: "required if you are
    creating a rule. If you are modifying a rule, you can omit this
    parameter if you set UseExistingClientSecret to true" (ELBv2 API
    reference, AuthenticateOidcActionConfig), and DescribeListeners and
    DescribeRules never return it. Kept as _ClientSecret, which no answer
    shows (public); UseExistingClientSecret keeps the secret of the
    OIDC action the listener or rule had."""
    c = dict(a['AuthenticateOidcConfig'])
    keep = c.pop('UseExistingClientSecret', False)
    if 'ClientSecret' in c:
        c['_ClientSecret'] = c.pop('ClientSecret')
    elif keep and any('_ClientSecret' in o.get('AuthenticateOidcConfig', {}) for o in old
                      if o.get('Type') == 'authenticate-oidc'):
        c['_ClientSecret'] = next(o['AuthenticateOidcConfig']['_ClientSecret'] for o in old
                                  if o.get('Type') == 'authenticate-oidc' and
                                  '_ClientSecret' in o.get('AuthenticateOidcConfig', {}))
    else:
        raise ApiError('ValidationError', 'A client secret must be specified for an '
                       'authenticate-oidc action' + (' (UseExistingClientSecret: there is no '
                                                     'existing one)' if keep else ''))
    a['AuthenticateOidcConfig'] = c


def _expand_actions(actions, old=()):
    """Actions as AWS answers them: redirect parts filled with the request's
    own, a forward to one group also as a ForwardConfig at weight 1; an
    OIDC action's secret kept out of every answer (old: the actions a
    modify replaces)."""
    out = []
    for a in actions:
        a = dict(a)
        if a.get('Type') == 'authenticate-oidc' and 'AuthenticateOidcConfig' in a:
            _oidc_secret(a, old)
        if a.get('Type') == 'redirect' and 'RedirectConfig' in a:
            a['RedirectConfig'] = dict(REDIRECT_DEFAULTS, **a['RedirectConfig'])
        if a.get('Type') == 'forward' and a.get('TargetGroupArn') and 'ForwardConfig' not in a:
            a['ForwardConfig'] = {'TargetGroups': [{'TargetGroupArn': a['TargetGroupArn'], 'Weight': 1}],
                                  'TargetGroupStickinessConfig': {'Enabled': False}}
        out.append(a)
    return out


def _listener_build(ctx):
    p = ctx.params
    lb = _find(ctx, 'elb_lb', p['LoadBalancerArn'], 'LoadBalancerNotFound', 'load balancers')
    _listener_check(ctx, lb['LoadBalancerArn'], p['Port'])
    _check_actions(ctx, p['DefaultActions'], p.get('Protocol'), p.get('Certificates'))
    arn = lb['LoadBalancerArn'].replace(':loadbalancer/', ':listener/') + '/' + ctx.store.new_id('{hex16}')
    rec = {'ListenerArn': arn, 'LoadBalancerArn': lb['LoadBalancerArn'], 'Port': p['Port'],
           'Protocol': p.get('Protocol'), 'DefaultActions': _expand_actions(p['DefaultActions']), '_tags': list(p.get('Tags', []))}
    if p.get('Certificates'):
        rec['Certificates'] = p['Certificates']
    if p.get('SslPolicy') or p.get('Protocol') in ('HTTPS', 'TLS'):
        rec['SslPolicy'] = p.get('SslPolicy', 'ELBSecurityPolicy-2016-08')
    return rec


def elb_create_listener(ctx):
    return {'Listeners': [ELB_LISTENER.h_create(ctx)['Listener']]}


def elb_describe_listeners(ctx):
    p = ctx.params
    if p.get('ListenerArns'):
        recs = [_find(ctx, 'elb_listener', a, 'ListenerNotFound', 'listeners') for a in p['ListenerArns']]
    elif p.get('LoadBalancerArn'):
        _find(ctx, 'elb_lb', p['LoadBalancerArn'], 'LoadBalancerNotFound', 'load balancers')
        recs = [l for l in ctx.store.table('elb_listener').values() if l['LoadBalancerArn'] == p['LoadBalancerArn']]
    else:
        raise ApiError('ValidationError', 'You must specify either listener ARNs or a load balancer ARN')
    return _elb_page(ctx, [public(r) for r in sorted(recs, key=lambda r: r['Port'])], 'Listeners')


def elb_modify_listener(ctx):
    p = ctx.params
    rec = _find(ctx, 'elb_listener', p['ListenerArn'], 'ListenerNotFound', 'listeners')
    if 'Port' in p:
        _listener_check(ctx, rec['LoadBalancerArn'], p['Port'], skip=rec['ListenerArn'])
    _check_actions(ctx, p.get('DefaultActions', []), p.get('Protocol', rec['Protocol']),
                   p.get('Certificates', rec.get('Certificates')))
    for k in ('Port', 'Protocol', 'DefaultActions', 'Certificates', 'SslPolicy'):
        if k in p:
            rec[k] = _expand_actions(p[k], rec['DefaultActions']) if k == 'DefaultActions' else p[k]
    return {'Listeners': [public(rec)]}


def elb_set_subnets(ctx):
    rec = _find(ctx, 'elb_lb', ctx.params['LoadBalancerArn'], 'LoadBalancerNotFound', 'load balancers')
    subnets = []
    for sid in ctx.params.get('Subnets', []):
        s = ctx.store.table('subnet').get(sid)
        if s is None:
            raise ApiError('SubnetNotFound', "The subnet ID '%s' is not valid" % sid)
        subnets.append(s)
    if rec['Type'] == 'application' and len({s['AvailabilityZone'] for s in subnets}) < 2:
        raise ApiError('InvalidConfigurationRequest', 'At least two subnets in two different Availability Zones '
                       'must be specified')
    rec['AvailabilityZones'] = [{'ZoneName': s['AvailabilityZone'], 'SubnetId': s['SubnetId']} for s in subnets]
    return {'AvailabilityZones': rec['AvailabilityZones']}


def elb_set_security_groups(ctx):
    rec = _find(ctx, 'elb_lb', ctx.params['LoadBalancerArn'], 'LoadBalancerNotFound', 'load balancers')
    for gid in ctx.params['SecurityGroups']:
        if gid not in ctx.store.table('sg'):
            raise ApiError('InvalidSecurityGroup', "Security group '%s' does not exist" % gid)
    rec['SecurityGroups'] = list(ctx.params['SecurityGroups'])
    return {'SecurityGroupIds': rec['SecurityGroups']}


# ---- listener rules (the default rule is the listener's DefaultActions)

def _rule_priority_check(ctx, listener_arn, priority, skip=None):
    if not 1 <= int(priority) <= 50000:
        raise ApiError('ValidationError', 'Priority must be between 1 and 50000')
    for r in ctx.store.table('elb_rule').values():
        if r['_listener'] == listener_arn and r['Priority'] == str(priority) and r['RuleArn'] != skip:
            raise ApiError('PriorityInUse', 'Priority \'%s\' is currently in use' % priority)


def _conditions(conds):
    """Conditions as AWS answers them: host-header and path-pattern values
    in both the legacy Values and the field's own config."""
    out = []
    for c in conds:
        c = dict(c)
        cfg = {'host-header': 'HostHeaderConfig', 'path-pattern': 'PathPatternConfig'}.get(c.get('Field'))
        if cfg and cfg in c:
            c['Values'] = list(c[cfg].get('Values', []))
        elif cfg and c.get('Values'):
            c[cfg] = {'Values': list(c['Values'])}
        out.append(c)
    return out


def _rule_build(ctx):
    p = ctx.params
    listener = _find(ctx, 'elb_listener', p['ListenerArn'], 'ListenerNotFound', 'listeners')
    _rule_priority_check(ctx, listener['ListenerArn'], p['Priority'])
    _check_actions(ctx, p['Actions'], None, None)
    arn = listener['ListenerArn'].replace(':listener/', ':listener-rule/') + '/' + ctx.store.new_id('{hex16}')
    return {'RuleArn': arn, 'Priority': str(p['Priority']), 'Conditions': _conditions(p['Conditions']),
            'Actions': _expand_actions(p['Actions']), 'IsDefault': False, '_listener': listener['ListenerArn'],
            '_tags': list(p.get('Tags', []))}


def elb_create_rule(ctx):
    return {'Rules': [ELB_RULE.h_create(ctx)['Rule']]}


def elb_describe_rules(ctx):
    p = ctx.params
    if p.get('RuleArns'):
        recs = [_find(ctx, 'elb_rule', a, 'RuleNotFound', 'rules') for a in p['RuleArns']]
        return _elb_page(ctx, [public(r) for r in recs], 'Rules')
    if not p.get('ListenerArn'):
        raise ApiError('ValidationError', 'You must specify either listener rule ARNs or a listener ARN')
    listener = _find(ctx, 'elb_listener', p['ListenerArn'], 'ListenerNotFound', 'listeners')
    recs = sorted((r for r in ctx.store.table('elb_rule').values() if r['_listener'] == p['ListenerArn']),
                  key=lambda r: int(r['Priority']))
    default = {'RuleArn': listener['ListenerArn'].replace(':listener/', ':listener-rule/') + '/default',
               'Priority': 'default', 'Conditions': [], 'Actions': listener['DefaultActions'], 'IsDefault': True}
    return _elb_page(ctx, [public(r) for r in recs] + [default], 'Rules')


def elb_modify_rule(ctx):
    p = ctx.params
    rec = _find(ctx, 'elb_rule', p['RuleArn'], 'RuleNotFound', 'rules')
    if 'Actions' in p:
        _check_actions(ctx, p['Actions'], None, None)
        rec['Actions'] = _expand_actions(p['Actions'], rec['Actions'])
    if 'Conditions' in p:
        rec['Conditions'] = _conditions(p['Conditions'])
    return {'Rules': [public(rec)]}


def elb_set_rule_priorities(ctx):
    recs = []
    for rp in ctx.params['RulePriorities']:
        rec = _find(ctx, 'elb_rule', rp['RuleArn'], 'RuleNotFound', 'rules')
        _rule_priority_check(ctx, rec['_listener'], rp['Priority'], skip=rec['RuleArn'])
        recs.append((rec, str(rp['Priority'])))
    for rec, prio in recs:
        rec['Priority'] = prio
    return {'Rules': [public(r) for r, _ in recs]}


ELB_TAGGABLE = (('elb_lb', 'LoadBalancerNotFound'), ('elb_tg', 'TargetGroupNotFound'),
                ('elb_listener', 'ListenerNotFound'), ('elb_rule', 'RuleNotFound'))


def _elb_tag_target(ctx, arn):
    for table, _ in ELB_TAGGABLE:
        rec = ctx.store.table(table).get(arn)
        if rec is not None:
            return rec
    code = 'TargetGroupNotFound' if ':targetgroup/' in arn else 'RuleNotFound' if ':listener-rule/' in arn \
        else 'ListenerNotFound' if ':listener/' in arn \
        else 'LoadBalancerNotFound'
    raise ApiError(code, 'Resource %s not found' % arn)


def elb_add_tags(ctx):
    for arn in ctx.params['ResourceArns']:
        rec = _elb_tag_target(ctx, arn)
        have = {t['Key']: t.get('Value', '') for t in rec['_tags']}
        have.update({t['Key']: t.get('Value', '') for t in ctx.params['Tags']})
        rec['_tags'] = [{'Key': k, 'Value': v} for k, v in have.items()]
    return {}


def elb_remove_tags(ctx):
    for arn in ctx.params['ResourceArns']:
        rec = _elb_tag_target(ctx, arn)
        rec['_tags'] = [t for t in rec['_tags'] if t['Key'] not in ctx.params['TagKeys']]
    return {}


def elb_describe_tags(ctx):
    return {'TagDescriptions': [{'ResourceArn': a, 'Tags': _elb_tag_target(ctx, a)['_tags']}
                                for a in ctx.params['ResourceArns']]}


def _attrs(table, arn_param, code, what):
    def describe(ctx):
        rec = _find(ctx, table, ctx.params[arn_param], code, what)
        return {'Attributes': [{'Key': k, 'Value': v} for k, v in sorted(rec['_attrs'].items())]}

    def modify(ctx):
        rec = _find(ctx, table, ctx.params[arn_param], code, what)
        attrs = dict(rec['_attrs'], **{a['Key']: a['Value'] for a in ctx.params['Attributes']})
        if attrs.get('access_logs.s3.enabled') == 'true':
            _check_log_bucket(ctx, attrs.get('access_logs.s3.bucket', ''))
        rec['_attrs'] = attrs
        return describe(ctx)
    return describe, modify


# The account Elastic Load Balancing writes access logs from, per Region
# that existed before August 2022; newer Regions use the service principal
# logdelivery.elasticloadbalancing.amazonaws.com (ELB user guide, "Enable
# access logs for your Application Load Balancer", step 2: attach a policy
# to your S3 bucket).
ELB_LOG_ACCOUNTS = {'us-east-1': '127311923021', 'us-east-2': '033677994240', 'us-west-1': '027434742980',
                    'us-west-2': '797873946194', 'eu-west-1': '156460612806', 'eu-central-1': '054676820928'}


def _check_log_bucket(ctx, name):
    """AWS refuses the whole ModifyLoadBalancerAttributes call, every
    attribute in it, when the access log bucket does not exist or its
    policy does not let ELB put objects (InvalidConfigurationRequest,
    "Access Denied for bucket")."""
    bucket = ctx.store.table('s3_bucket').get(name)
    policy = (bucket or {}).get('_Policy') or ''
    principals = ['logdelivery.elasticloadbalancing.amazonaws.com']
    if ctx.store.region in ELB_LOG_ACCOUNTS:
        principals.append('arn:aws:iam::%s:root' % ELB_LOG_ACCOUNTS[ctx.store.region])
    if not bucket or 's3:PutObject' not in policy or not any(p in policy for p in principals):
        raise ApiError('InvalidConfigurationRequest',
                       'Access Denied for bucket: %s. Please check S3bucket permission' % name)


def elb_register_targets(ctx):
    rec = _find(ctx, 'elb_tg', ctx.params['TargetGroupArn'], 'TargetGroupNotFound', 'target groups')
    for t in ctx.params['Targets']:
        if t not in rec['_targets']:
            rec['_targets'].append(t)
    return {}


def elb_deregister_targets(ctx):
    rec = _find(ctx, 'elb_tg', ctx.params['TargetGroupArn'], 'TargetGroupNotFound', 'target groups')
    rec['_targets'] = [t for t in rec['_targets'] if t['Id'] not in {x['Id'] for x in ctx.params['Targets']}]
    return {}


def elb_target_health(ctx):
    rec = _find(ctx, 'elb_tg', ctx.params['TargetGroupArn'], 'TargetGroupNotFound', 'target groups')
    return {'TargetHealthDescriptions': [{'Target': t, 'HealthCheckPort': str(t.get('Port', rec.get('Port'))),
                                          'TargetHealth': {'State': 'healthy'}} for t in rec['_targets']]}


ELB_LB = Res('elb_lb', 'LoadBalancerArn', create=('CreateLoadBalancer', 'LoadBalancer', _lb_build),
             delete=('DeleteLoadBalancer', 'LoadBalancerArn', elb_delete_lb), render=_lb_render,
             lifecycle=('StateCode', [('provisioning', 0), ('active', 60)]),
             not_found='LoadBalancerNotFound', not_found_msg="Load balancer '%s' not found")
ELB_TG = Res('elb_tg', 'TargetGroupArn', create=('CreateTargetGroup', 'TargetGroup', _tg_build),
             delete=('DeleteTargetGroup', 'TargetGroupArn', elb_delete_tg), render=_tg_render,
             not_found='TargetGroupNotFound', not_found_msg="Target group '%s' not found")
ELB_LISTENER = Res('elb_listener', 'ListenerArn', create=('CreateListener', 'Listener', _listener_build),
                   delete=('DeleteListener', 'ListenerArn', lambda ctx, rec: _delete_rules(ctx, rec['ListenerArn'])),
                   not_found='ListenerNotFound', not_found_msg="Listener '%s' not found")


def _delete_rules(ctx, listener_arn):
    table = ctx.store.table('elb_rule')
    for arn in [a for a, r in table.items() if r['_listener'] == listener_arn]:
        del table[arn]


ELB_RULE = Res('elb_rule', 'RuleArn', create=('CreateRule', 'Rule', _rule_build),
               delete=('DeleteRule', 'RuleArn', None),
               not_found='RuleNotFound', not_found_msg="Rule '%s' not found")


def _elb_handlers():
    h = {}
    for res in (ELB_LB, ELB_TG, ELB_LISTENER, ELB_RULE):
        h.update(res.handlers())
    lb_desc, lb_mod = _attrs('elb_lb', 'LoadBalancerArn', 'LoadBalancerNotFound', 'load balancers')
    tg_desc, tg_mod = _attrs('elb_tg', 'TargetGroupArn', 'TargetGroupNotFound', 'target groups')
    h.update({'CreateLoadBalancer': elb_create_lb, 'DescribeLoadBalancers': elb_describe_lbs,
              'CreateTargetGroup': elb_create_tg, 'DescribeTargetGroups': elb_describe_tgs,
              'ModifyTargetGroup': elb_modify_tg, 'CreateListener': elb_create_listener,
              'DescribeListeners': elb_describe_listeners, 'ModifyListener': elb_modify_listener,
              'AddTags': elb_add_tags, 'RemoveTags': elb_remove_tags, 'DescribeTags': elb_describe_tags,
              'DescribeLoadBalancerAttributes': lb_desc, 'ModifyLoadBalancerAttributes': lb_mod,
              'DescribeTargetGroupAttributes': tg_desc, 'ModifyTargetGroupAttributes': tg_mod,
              'RegisterTargets': elb_register_targets, 'DeregisterTargets': elb_deregister_targets,
              'DescribeTargetHealth': elb_target_health, 'SetSubnets': elb_set_subnets,
              'SetSecurityGroups': elb_set_security_groups, 'CreateRule': elb_create_rule,
              'DescribeRules': elb_describe_rules, 'ModifyRule': elb_modify_rule,
              'SetRulePriorities': elb_set_rule_priorities})
    return h


# ================================================================ AWS Backup

def _vault(ctx):
    name = ctx.params['BackupVaultName']
    return lookup(ctx, 'backup_vault', name, 'ResourceNotFoundException', 'Backup vault %s does not exist.' % name)


def backup_create_vault(ctx):
    name = ctx.params['BackupVaultName']
    if name in ctx.store.table('backup_vault'):
        raise ApiError('AlreadyExistsException', 'Backup vault with the same name already exists', 400)
    rec = {'BackupVaultName': name, 'BackupVaultArn': ctx.store.arn('backup', 'backup-vault:' + name),
           'CreationDate': ctx.now, 'NumberOfRecoveryPoints': 0, 'CreatorRequestId': ctx.params.get('CreatorRequestId'),
           'EncryptionKeyArn': ctx.params.get('EncryptionKeyArn') or ctx.store.arn('kms', 'key/aws-backup-default'),
           '_tags': dict(ctx.params.get('BackupVaultTags', {}))}
    ctx.store.table('backup_vault')[name] = rec
    return {k: rec[k] for k in ('BackupVaultName', 'BackupVaultArn', 'CreationDate')}


def backup_describe_vault(ctx):
    return {k: v for k, v in public(_vault(ctx)).items() if v is not None}


def backup_list_vaults(ctx):
    recs = sorted(ctx.store.table('backup_vault').values(), key=lambda r: r['BackupVaultName'])
    return paginate(ctx, [{k: v for k, v in public(r).items() if v is not None} for r in recs], {}, 'BackupVaultList')


def backup_delete_vault(ctx):
    rec = _vault(ctx)
    for plan in ctx.store.table('backup_plan').values():
        if any(r['TargetBackupVaultName'] == rec['BackupVaultName'] for r in plan['plan']['Rules']):
            raise ApiError('InvalidRequestException', 'Backup vault %s is referenced by backup plan %s'
                           % (rec['BackupVaultName'], plan['id']), 400)
    del ctx.store.table('backup_vault')[rec['BackupVaultName']]
    return {}


def _plan(ctx):
    return lookup(ctx, 'backup_plan', ctx.params['BackupPlanId'], 'ResourceNotFoundException',
                  'Failed reading Backup plan with provided version')


def _plan_rules(ctx, plan):
    plan = dict(plan)
    rules = []
    for r in plan['Rules']:
        if r['TargetBackupVaultName'] not in ctx.store.table('backup_vault'):
            raise ApiError('InvalidParameterValueException', 'Invalid backup vault name %s'
                           % r['TargetBackupVaultName'], 400)
        rule = dict(r)
        rule.setdefault('ScheduleExpression', 'cron(0 5 ? * * *)')
        rule['RuleId'] = str(uuid.uuid5(uuid.NAMESPACE_URL, plan['BackupPlanName'] + r['RuleName']))
        rule.pop('RecoveryPointTags', None)
        rules.append(rule)
    plan['Rules'] = rules
    return plan


def backup_create_plan(ctx):
    p = ctx.params
    name = p['BackupPlan']['BackupPlanName']
    if any(r['plan']['BackupPlanName'] == name for r in ctx.store.table('backup_plan').values()):
        raise ApiError('AlreadyExistsException', 'Backup plan with the same name already exists', 400)
    pid = str(uuid.uuid4())
    rec = {'id': pid, 'arn': ctx.store.arn('backup', 'backup-plan:' + pid), 'created': ctx.now,
           'version': hashlib.sha1(('%s%f' % (pid, ctx.now)).encode()).hexdigest()[:40],
           'plan': _plan_rules(ctx, p['BackupPlan']), 'tags': dict(p.get('BackupPlanTags', {}))}
    ctx.store.table('backup_plan')[pid] = rec
    return {'BackupPlanId': pid, 'BackupPlanArn': rec['arn'], 'CreationDate': ctx.now, 'VersionId': rec['version']}


def backup_get_plan(ctx):
    rec = _plan(ctx)
    return {'BackupPlan': rec['plan'], 'BackupPlanId': rec['id'], 'BackupPlanArn': rec['arn'],
            'VersionId': rec['version'], 'CreationDate': rec['created']}


def backup_update_plan(ctx):
    rec = _plan(ctx)
    rec['plan'] = _plan_rules(ctx, ctx.params['BackupPlan'])
    rec['version'] = hashlib.sha1(('%s%f' % (rec['version'], ctx.now)).encode()).hexdigest()[:40]
    return {'BackupPlanId': rec['id'], 'BackupPlanArn': rec['arn'], 'CreationDate': rec['created'],
            'VersionId': rec['version']}


def backup_list_plans(ctx):
    rows = [{'BackupPlanId': r['id'], 'BackupPlanArn': r['arn'], 'BackupPlanName': r['plan']['BackupPlanName'],
             'VersionId': r['version'], 'CreationDate': r['created']}
            for r in sorted(ctx.store.table('backup_plan').values(), key=lambda r: r['plan']['BackupPlanName'])]
    return paginate(ctx, rows, {}, 'BackupPlansList')


def backup_delete_plan(ctx):
    rec = _plan(ctx)
    if any(s['plan'] == rec['id'] for s in ctx.store.table('backup_selection').values()):
        raise ApiError('InvalidRequestException', 'Related backup plan selections must be deleted prior to backup '
                       'plan deletion', 400)
    del ctx.store.table('backup_plan')[rec['id']]
    return {'BackupPlanId': rec['id'], 'BackupPlanArn': rec['arn'], 'DeletionDate': ctx.now,
            'VersionId': rec['version']}


def _selection(ctx):
    rec = ctx.store.table('backup_selection').get(ctx.params['SelectionId'])
    if rec is None or rec['plan'] != ctx.params['BackupPlanId']:
        raise ApiError('ResourceNotFoundException', 'Backup selection %s not found' % ctx.params['SelectionId'], 400)
    return rec


def backup_create_selection(ctx):
    plan = _plan(ctx)
    sel = ctx.params['BackupSelection']
    sid = str(uuid.uuid4())
    ctx.store.table('backup_selection')[sid] = {'id': sid, 'plan': plan['id'], 'selection': sel, 'created': ctx.now}
    return {'SelectionId': sid, 'BackupPlanId': plan['id'], 'CreationDate': ctx.now}


def backup_get_selection(ctx):
    rec = _selection(ctx)
    return {'BackupSelection': rec['selection'], 'SelectionId': rec['id'], 'BackupPlanId': rec['plan'],
            'CreationDate': rec['created']}


def backup_list_selections(ctx):
    plan = _plan(ctx)
    rows = [{'SelectionId': s['id'], 'SelectionName': s['selection']['SelectionName'], 'BackupPlanId': plan['id'],
             'CreationDate': s['created'], 'IamRoleArn': s['selection']['IamRoleArn']}
            for s in ctx.store.table('backup_selection').values() if s['plan'] == plan['id']]
    return paginate(ctx, rows, {}, 'BackupSelectionsList')


def backup_delete_selection(ctx):
    del ctx.store.table('backup_selection')[_selection(ctx)['id']]
    return {}


def _backup_tags(ctx):
    """The tag map of the vault or plan an ARN names (a vault keeps it in
    _tags, a plan in tags)."""
    arn = ctx.params['ResourceArn']
    for rec in ctx.store.table('backup_vault').values():
        if rec['BackupVaultArn'] == arn:
            return rec['_tags']
    for rec in ctx.store.table('backup_plan').values():
        if rec['arn'] == arn:
            return rec['tags']
    raise ApiError('ResourceNotFoundException', 'Resource %s not found' % arn, 400)


def backup_list_tags(ctx):
    return {'Tags': dict(_backup_tags(ctx))}


def backup_tag_resource(ctx):
    _backup_tags(ctx).update(ctx.params['Tags'])
    return {}


def backup_untag_resource(ctx):
    tags = _backup_tags(ctx)
    for key in ctx.params['TagKeyList']:
        tags.pop(key, None)
    return {}


def _backup_handlers():
    return {'CreateBackupVault': backup_create_vault, 'DescribeBackupVault': backup_describe_vault,
            'ListBackupVaults': backup_list_vaults, 'DeleteBackupVault': backup_delete_vault,
            'CreateBackupPlan': backup_create_plan, 'GetBackupPlan': backup_get_plan,
            'UpdateBackupPlan': backup_update_plan, 'ListBackupPlans': backup_list_plans,
            'DeleteBackupPlan': backup_delete_plan, 'CreateBackupSelection': backup_create_selection,
            'GetBackupSelection': backup_get_selection, 'ListBackupSelections': backup_list_selections,
            'DeleteBackupSelection': backup_delete_selection, 'ListTags': backup_list_tags,
            'TagResource': backup_tag_resource, 'UntagResource': backup_untag_resource}


def handlers():
    return {'elbv2': _elb_handlers(), 'backup': _backup_handlers()}
