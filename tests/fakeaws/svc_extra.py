"""EKS, ElastiCache, SESv2, Budgets and Cost Explorer anomaly monitors for
the fake.  SESv2 domain identities verify once their three DKIM CNAMEs
exist in a fake Route 53 zone
(https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html)."""
import datetime
import hashlib

from engine import ACCOUNT, Res, lookup, public, paginate
from wire import ApiError


def _kv(tags):
    return {t['Key']: t['Value'] for t in tags or []}


# ================================================================ EKS

def _eks_render(ctx, out, rec):
    if out['status'] == 'ACTIVE':
        out['endpoint'] = 'https://%s.gr7.%s.eks.amazonaws.com' % (rec['_hash'], ctx.store.region)
        out['certificateAuthority'] = {'data': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=='}
    return out


EKS_CLUSTER = Res('eks_cluster', 'name', lifecycle=('status', [('CREATING', 0), ('ACTIVE', 120)]),
                  render=_eks_render, not_found='ResourceNotFoundException', not_found_msg='No cluster found for name: %s.')


def eks_create(ctx):
    p = ctx.params
    table = ctx.store.table('eks_cluster')
    if p['name'] in table:
        raise ApiError('ResourceInUseException', 'Cluster already exists with name: %s' % p['name'], 409)
    vpc_cfg = dict(p['resourcesVpcConfig'])
    subnets = [ctx.store.table('subnet').get(s) for s in vpc_cfg.get('subnetIds', [])]
    if len(subnets) < 2 or None in subnets or len({s['AvailabilityZone'] for s in subnets}) < 2:
        raise ApiError('InvalidParameterException', 'Subnets specified must be in at least two different AZs', 400)
    h = hashlib.md5(p['name'].encode()).hexdigest().upper()
    vpc_cfg.update({'vpcId': subnets[0]['VpcId'], 'clusterSecurityGroupId': ctx.store.new_id('sg-{hex17}'),
                    'endpointPublicAccess': vpc_cfg.get('endpointPublicAccess', True),
                    'endpointPrivateAccess': vpc_cfg.get('endpointPrivateAccess', False),
                    'publicAccessCidrs': vpc_cfg.get('publicAccessCidrs', ['0.0.0.0/0']),
                    'securityGroupIds': vpc_cfg.get('securityGroupIds', [])})
    rec = {'name': p['name'], 'arn': ctx.store.arn('eks', 'cluster/' + p['name']), 'createdAt': ctx.now,
           'version': p.get('version', '1.27'), 'roleArn': p['roleArn'], 'resourcesVpcConfig': vpc_cfg,
           'kubernetesNetworkConfig': {'serviceIpv4Cidr': '172.20.0.0/16', 'ipFamily': 'ipv4'},
           'logging': p.get('logging', {'clusterLogging': [{'types': ['api', 'audit'], 'enabled': False}]}),
           'identity': {'oidc': {'issuer': 'https://oidc.eks.%s.amazonaws.com/id/%s' % (ctx.store.region, h)}},
           'platformVersion': 'eks.1', 'tags': dict(p.get('tags', {})), '_hash': h}
    EKS_CLUSTER.add(ctx, rec)
    return {'cluster': EKS_CLUSTER.show(ctx, rec)}


def eks_describe(ctx):
    return {'cluster': EKS_CLUSTER.show(ctx, EKS_CLUSTER.get(ctx, ctx.params['name']))}


def eks_list(ctx):
    return paginate(ctx, sorted(ctx.store.table('eks_cluster')), {}, 'clusters', 'nextToken', 'nextToken', 'maxResults')


def eks_delete(ctx):
    rec = EKS_CLUSTER.get(ctx, ctx.params['name'])
    out = EKS_CLUSTER.show(ctx, rec)
    out['status'] = 'DELETING'
    del ctx.store.table('eks_cluster')[rec['name']]
    return {'cluster': out}


def _eks_update(kind):
    def h(ctx):
        rec = EKS_CLUSTER.get(ctx, ctx.params['name'])
        if EKS_CLUSTER.show(ctx, rec)['status'] != 'ACTIVE':
            raise ApiError('ResourceInUseException', 'Cluster is not in ACTIVE state', 409)
        params = []
        if kind == 'VersionUpdate':
            rec['version'] = ctx.params['version']
            params = [{'type': 'Version', 'value': ctx.params['version']}]
        else:
            if 'resourcesVpcConfig' in ctx.params:
                rec['resourcesVpcConfig'].update(ctx.params['resourcesVpcConfig'])
            if 'logging' in ctx.params:
                rec['logging'] = ctx.params['logging']
        return {'update': {'id': ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}'), 'status': 'Successful',
                           'type': kind, 'params': params, 'createdAt': ctx.now, 'errors': []}}
    return h


def _eks_by_arn(ctx):
    name = ctx.params['resourceArn'].rsplit('/', 1)[-1]
    return EKS_CLUSTER.get(ctx, name)


def eks_tag(ctx):
    _eks_by_arn(ctx)['tags'].update(ctx.params['tags'])
    return {}


def eks_untag(ctx):
    rec = _eks_by_arn(ctx)
    for k in ctx.params['tagKeys']:
        rec['tags'].pop(k, None)
    return {}


def eks_list_tags(ctx):
    return {'tags': _eks_by_arn(ctx)['tags']}


def _eks_handlers():
    return {'CreateCluster': eks_create, 'DescribeCluster': eks_describe, 'ListClusters': eks_list,
            'DeleteCluster': eks_delete, 'UpdateClusterConfig': _eks_update('ConfigUpdate'),
            'UpdateClusterVersion': _eks_update('VersionUpdate'), 'TagResource': eks_tag,
            'UntagResource': eks_untag, 'ListTagsForResource': eks_list_tags}


# ================================================================ ElastiCache

def _ec_subnet_group_build(ctx):
    p = ctx.params
    if p['CacheSubnetGroupName'] in ctx.store.table('ec_subnet_group'):
        raise ApiError('CacheSubnetGroupAlreadyExists', 'Cache subnet group %s already exists.'
                       % p['CacheSubnetGroupName'])
    subnets = []
    for sid in p['SubnetIds']:
        s = ctx.store.table('subnet').get(sid)
        if s is None:
            raise ApiError('InvalidSubnet', 'The subnet ID %s does not exist' % sid)
        subnets.append(s)
    name = p['CacheSubnetGroupName'].lower()
    return {'CacheSubnetGroupName': name, 'CacheSubnetGroupDescription': p['CacheSubnetGroupDescription'],
            'VpcId': subnets[0]['VpcId'], 'ARN': ctx.store.arn('elasticache', 'subnetgroup:' + name),
            'Subnets': [{'SubnetIdentifier': s['SubnetId'], 'SubnetAvailabilityZone': {'Name': s['AvailabilityZone']}}
                        for s in subnets], 'TagList': list(p.get('Tags', []))}


def _ec_subnet_group_delete(ctx, rec):
    if any(r.get('_subnet_group') == rec['CacheSubnetGroupName'] for r in ctx.store.table('ec_repl_group').values()):
        raise ApiError('CacheSubnetGroupInUse', 'Cache subnet group %s is currently in use.'
                       % rec['CacheSubnetGroupName'])


def _ec_render(ctx, out, rec):
    status = out['Status']
    for ng in out.get('NodeGroups', []):
        ng['Status'] = status
    return out


def _ec_repl_build(ctx):
    p = ctx.params
    rid = p['ReplicationGroupId'].lower()
    if rid in ctx.store.table('ec_repl_group'):
        raise ApiError('ReplicationGroupAlreadyExists', 'Replication group %s already exists.' % rid)
    if p.get('CacheSubnetGroupName'):
        EC_SUBNET_GROUP.get(ctx, p['CacheSubnetGroupName'].lower())
    n = p.get('NumCacheClusters', 1)
    if p.get('AutomaticFailoverEnabled') and n < 2:
        raise ApiError('InvalidParameterCombination', 'When automatic failover is enabled, NumCacheClusters must '
                       'be at least 2.')
    members = ['%s-%03d' % (rid, i + 1) for i in range(n)]
    host = '%s.abcdef.ng.0001.use1.cache.amazonaws.com' % rid
    return {'ReplicationGroupId': rid, 'Description': p['ReplicationGroupDescription'], 'MemberClusters': members,
            'NodeGroups': [{'NodeGroupId': '0001', 'PrimaryEndpoint': {'Address': 'master.' + host, 'Port': 6379},
                            'ReaderEndpoint': {'Address': 'replica.' + host, 'Port': 6379}}],
            'AutomaticFailover': 'enabled' if p.get('AutomaticFailoverEnabled') else 'disabled',
            'MultiAZ': 'enabled' if p.get('MultiAZEnabled') else 'disabled', 'ClusterEnabled': False,
            'CacheNodeType': p.get('CacheNodeType', 'cache.t3.micro'),
            'AtRestEncryptionEnabled': p.get('AtRestEncryptionEnabled', False),
            'TransitEncryptionEnabled': p.get('TransitEncryptionEnabled', False),
            'SnapshotRetentionLimit': p.get('SnapshotRetentionLimit', 0),
            'ARN': ctx.store.arn('elasticache', 'replicationgroup:' + rid),
            '_subnet_group': (p.get('CacheSubnetGroupName') or '').lower(), '_tags': list(p.get('Tags', []))}


def ec_describe_repl(ctx):
    rid = ctx.params.get('ReplicationGroupId')
    recs = [EC_REPL.get(ctx, rid.lower())] if rid else sorted(ctx.store.table('ec_repl_group').values(),
                                                              key=lambda r: r['ReplicationGroupId'])
    return paginate(ctx, [EC_REPL.show(ctx, r) for r in recs], {}, 'ReplicationGroups', 'Marker', 'Marker',
                    'MaxRecords')


def ec_describe_subnet_groups(ctx):
    name = ctx.params.get('CacheSubnetGroupName')
    recs = [EC_SUBNET_GROUP.get(ctx, name.lower())] if name else list(ctx.store.table('ec_subnet_group').values())
    return paginate(ctx, [{k: v for k, v in public(r).items() if k != 'TagList'} for r in recs], {},
                    'CacheSubnetGroups', 'Marker', 'Marker', 'MaxRecords')


def ec_modify_repl(ctx):
    rec = EC_REPL.get(ctx, ctx.params['ReplicationGroupId'].lower())
    if EC_REPL.show(ctx, rec)['Status'] != 'available':
        raise ApiError('InvalidReplicationGroupState', 'Replication group must be in available state to modify.')
    p = ctx.params
    if 'ReplicationGroupDescription' in p:
        rec['Description'] = p['ReplicationGroupDescription']
    for k in ('CacheNodeType', 'SnapshotRetentionLimit'):
        if k in p:
            rec[k] = p[k]
    return {'ReplicationGroup': EC_REPL.show(ctx, rec)}


def ec_delete_repl(ctx, rec):
    out = EC_REPL.show(ctx, rec)
    if out['Status'] not in ('available', 'create-failed'):
        raise ApiError('InvalidReplicationGroupState', 'Replication group %s is not in available state.'
                       % rec['ReplicationGroupId'])
    out['Status'] = 'deleting'
    del ctx.store.table('ec_repl_group')[rec['ReplicationGroupId']]
    return {'ReplicationGroup': out}


def _ec_tag_target(ctx):
    arn = ctx.params['ResourceName']
    for table, field in (('ec_repl_group', '_tags'), ('ec_subnet_group', 'TagList')):
        for rec in ctx.store.table(table).values():
            if rec['ARN'] == arn:
                return rec, field
    raise ApiError('InvalidARN', 'The ARN %s is not valid or does not exist.' % arn)


def ec_add_tags(ctx):
    rec, field = _ec_tag_target(ctx)
    have = _kv(rec[field])
    have.update(_kv(ctx.params['Tags']))
    rec[field] = [{'Key': k, 'Value': v} for k, v in have.items()]
    return {'TagList': rec[field]}


def ec_remove_tags(ctx):
    rec, field = _ec_tag_target(ctx)
    rec[field] = [t for t in rec[field] if t['Key'] not in ctx.params['TagKeys']]
    return {'TagList': rec[field]}


def ec_list_tags(ctx):
    rec, field = _ec_tag_target(ctx)
    return {'TagList': rec[field]}


EC_SUBNET_GROUP = Res('ec_subnet_group', 'CacheSubnetGroupName',
                      create=('CreateCacheSubnetGroup', 'CacheSubnetGroup', _ec_subnet_group_build),
                      delete=('DeleteCacheSubnetGroup', 'CacheSubnetGroupName', _ec_subnet_group_delete),
                      not_found='CacheSubnetGroupNotFoundFault', not_found_msg='Cache subnet group %s not found.')
EC_REPL = Res('ec_repl_group', 'ReplicationGroupId', create=('CreateReplicationGroup', 'ReplicationGroup', _ec_repl_build),
              delete=('DeleteReplicationGroup', 'ReplicationGroupId', ec_delete_repl), render=_ec_render,
              lifecycle=('Status', [('creating', 0), ('available', 300)]),
              not_found='ReplicationGroupNotFoundFault', not_found_msg='Replication group %s not found.')


def _ec_handlers():
    h = {}
    for res in (EC_SUBNET_GROUP, EC_REPL):
        h.update(res.handlers())
    h.update({'DescribeCacheSubnetGroups': ec_describe_subnet_groups, 'DescribeReplicationGroups': ec_describe_repl,
              'ModifyReplicationGroup': ec_modify_repl, 'AddTagsToResource': ec_add_tags,
              'RemoveTagsFromResource': ec_remove_tags, 'ListTagsForResource': ec_list_tags})
    return h


# ================================================================ SESv2

def _identity(ctx):
    name = ctx.params['EmailIdentity']
    return lookup(ctx, 'ses_identity', name, 'NotFoundException', 'Email identity %s does not exist.' % name, 404)


def _dkim_verified(ctx, rec):
    """Easy DKIM: <token>._domainkey.<domain> CNAME <token>.dkim.amazonses.com."""
    want = {('%s._domainkey.%s.' % (t, rec['name'])).lower(): '%s.dkim.amazonses.com' % t for t in rec['tokens']}
    found = set()
    for z in ctx.store.table('r53_zone').values():
        for r in z['_records']:
            if r['Type'] == 'CNAME' and r['Name'] in want and \
                    any(v['Value'].rstrip('.') == want[r['Name']] for v in r.get('ResourceRecords', [])):
                found.add(r['Name'])
    return len(found) == len(want)


def _identity_state(ctx, rec):
    if rec['type'] == 'DOMAIN' and not rec['verified'] and _dkim_verified(ctx, rec):
        rec['verified'] = True
    return rec['verified']


def ses_create(ctx):
    name = ctx.params['EmailIdentity']
    if name in ctx.store.table('ses_identity'):
        raise ApiError('AlreadyExistsException', 'Email identity %s already exist.' % name)
    kind = 'EMAIL_ADDRESS' if '@' in name else 'DOMAIN'
    tokens = [hashlib.sha1(('%s%d' % (name, i)).encode()).hexdigest()[:32] for i in range(3)] if kind == 'DOMAIN' else []
    rec = {'name': name, 'type': kind, 'tokens': tokens, 'verified': False, 'tags': list(ctx.params.get('Tags', []))}
    ctx.store.table('ses_identity')[name] = rec
    return {'IdentityType': kind, 'VerifiedForSendingStatus': False,
            'DkimAttributes': {'SigningEnabled': kind == 'DOMAIN', 'Status': 'PENDING' if tokens else 'NOT_STARTED',
                               'Tokens': tokens, 'SigningAttributesOrigin': 'AWS_SES'}}


def ses_get(ctx):
    rec = _identity(ctx)
    ok = _identity_state(ctx, rec)
    status = 'SUCCESS' if ok else 'PENDING'
    return {'IdentityType': rec['type'], 'FeedbackForwardingStatus': True, 'VerifiedForSendingStatus': ok,
            'VerificationStatus': status, 'Tags': rec['tags'],
            'DkimAttributes': {'SigningEnabled': rec['type'] == 'DOMAIN', 'Tokens': rec['tokens'],
                               'Status': status if rec['tokens'] else 'NOT_STARTED',
                               'SigningAttributesOrigin': 'AWS_SES'}}


def ses_list(ctx):
    rows = [{'IdentityType': r['type'], 'IdentityName': r['name'], 'SendingEnabled': _identity_state(ctx, r),
             'VerificationStatus': 'SUCCESS' if r['verified'] else 'PENDING'}
            for r in sorted(ctx.store.table('ses_identity').values(), key=lambda r: r['name'])]
    return paginate(ctx, rows, {}, 'EmailIdentities', 'NextToken', 'NextToken', 'PageSize')


def ses_delete(ctx):
    del ctx.store.table('ses_identity')[_identity(ctx)['name']]
    return {}


def _ses_handlers():
    return {'CreateEmailIdentity': ses_create, 'GetEmailIdentity': ses_get, 'ListEmailIdentities': ses_list,
            'DeleteEmailIdentity': ses_delete}


# ================================================================ Budgets

def _check_account(ctx):
    if ctx.params['AccountId'] != ACCOUNT:
        raise ApiError('AccessDeniedException', 'Account %s is not accessible.' % ctx.params['AccountId'])


def _budget(ctx, name=None):
    _check_account(ctx)
    name = name or ctx.params['BudgetName']
    rec = ctx.store.table('budget').get(name)
    if rec is None:
        raise ApiError('NotFoundException', 'Unable to get budget: %s - the budget doesn\'t exist.' % name)
    return rec


def _budget_norm(ctx, b):
    b = dict(b)
    if 'TimePeriod' not in b:
        start = datetime.datetime.fromtimestamp(ctx.now, datetime.timezone.utc).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0)
        b['TimePeriod'] = {'Start': start.timestamp(), 'End': 3706473600.0}
    elif isinstance(b['TimePeriod'].get('Start'), datetime.datetime):
        b['TimePeriod'] = {k: v.timestamp() for k, v in b['TimePeriod'].items()}
    b.setdefault('CalculatedSpend', {'ActualSpend': {'Amount': '0', 'Unit': b.get('BudgetLimit', {}).get('Unit', 'USD')}})
    b['LastUpdatedTime'] = ctx.now
    return b


def budgets_create(ctx):
    _check_account(ctx)
    b = ctx.params['Budget']
    if b['BudgetName'] in ctx.store.table('budget'):
        raise ApiError('DuplicateRecordException', 'Error creating budget: %s - the budget already exists.'
                       % b['BudgetName'])
    rec = _budget_norm(ctx, b)
    rec['_notifications'] = [_notification(n['Notification'], n['Subscribers'])
                             for n in ctx.params.get('NotificationsWithSubscribers', [])]
    ctx.store.table('budget')[b['BudgetName']] = rec
    return {}


def _notification(n, subscribers):
    # AWS answers with the notification's state beside what was sent
    return {'Notification': dict(n, NotificationState=n.get('NotificationState', 'OK')),
            'Subscribers': list(subscribers)}


def _same_notification(a, b):
    keys = ('NotificationType', 'ComparisonOperator', 'Threshold')
    return (all(a.get(k) == b.get(k) for k in keys)
            and a.get('ThresholdType', 'PERCENTAGE') == b.get('ThresholdType', 'PERCENTAGE'))


def _find_notification(rec, n):
    for i, have in enumerate(rec['_notifications']):
        if _same_notification(have['Notification'], n):
            return i
    return None


def budgets_create_notification(ctx):
    rec = _budget(ctx)
    if _find_notification(rec, ctx.params['Notification']) is not None:
        raise ApiError('DuplicateRecordException', 'Error creating notification: the notification already exists.')
    rec['_notifications'].append(_notification(ctx.params['Notification'], ctx.params['Subscribers']))
    return {}


def budgets_delete_notification(ctx):
    rec = _budget(ctx)
    i = _find_notification(rec, ctx.params['Notification'])
    if i is None:
        raise ApiError('NotFoundException', 'Unable to delete notification: the notification does not exist.')
    del rec['_notifications'][i]
    return {}


def budgets_subscribers(ctx):
    rec = _budget(ctx)
    i = _find_notification(rec, ctx.params['Notification'])
    if i is None:
        raise ApiError('NotFoundException', 'The notification does not exist.')
    return paginate(ctx, rec['_notifications'][i]['Subscribers'], {}, 'Subscribers')


def budgets_describe(ctx):
    return {'Budget': public(_budget(ctx))}


def budgets_list(ctx):
    _check_account(ctx)
    recs = sorted(ctx.store.table('budget').values(), key=lambda r: r['BudgetName'])
    return paginate(ctx, [public(r) for r in recs], {}, 'Budgets')


def budgets_update(ctx):
    old = _budget(ctx, ctx.params['NewBudget']['BudgetName'])
    rec = _budget_norm(ctx, ctx.params['NewBudget'])
    rec['_notifications'] = old['_notifications']
    ctx.store.table('budget')[rec['BudgetName']] = rec
    return {}


def budgets_delete(ctx):
    del ctx.store.table('budget')[_budget(ctx)['BudgetName']]
    return {}


def budgets_notifications(ctx):
    return paginate(ctx, [n['Notification'] for n in _budget(ctx)['_notifications']], {}, 'Notifications')


def _budgets_handlers():
    return {'CreateBudget': budgets_create, 'DescribeBudget': budgets_describe, 'DescribeBudgets': budgets_list,
            'UpdateBudget': budgets_update, 'DeleteBudget': budgets_delete,
            'DescribeNotificationsForBudget': budgets_notifications,
            'CreateNotification': budgets_create_notification,
            'DeleteNotification': budgets_delete_notification,
            'DescribeSubscribersForNotification': budgets_subscribers}


# ================================================================ Cost Explorer anomaly monitors

def _monitor(ctx):
    arn = ctx.params['MonitorArn']
    return lookup(ctx, 'ce_monitor', arn, 'UnknownMonitorException', 'Monitor %s does not exist.' % arn)


def ce_create_monitor(ctx):
    m = dict(ctx.params['AnomalyMonitor'])
    if m['MonitorType'] == 'DIMENSIONAL' and m.get('MonitorDimension') != 'SERVICE':
        raise ApiError('ValidationException', 'MonitorDimension must be SERVICE for a DIMENSIONAL monitor.')
    arn = 'arn:aws:ce::%s:anomalymonitor/%s' % (ACCOUNT, ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}'))
    today = datetime.datetime.fromtimestamp(ctx.now, datetime.timezone.utc).strftime('%Y-%m-%d')
    m.update(MonitorArn=arn, CreationDate=today, LastUpdatedDate=today, DimensionalValueCount=0)
    ctx.store.table('ce_monitor')[arn] = m
    return {'MonitorArn': arn}


def ce_get_monitors(ctx):
    arns = ctx.params.get('MonitorArnList')
    recs = [ctx.store.table('ce_monitor').get(a) for a in arns] if arns else list(ctx.store.table('ce_monitor').values())
    if None in recs:
        raise ApiError('UnknownMonitorException', 'One of the monitors does not exist.')
    return paginate(ctx, recs, {}, 'AnomalyMonitors', 'NextPageToken', 'NextPageToken', 'MaxResults')


def ce_update_monitor(ctx):
    rec = _monitor(ctx)
    if 'MonitorName' in ctx.params:
        rec['MonitorName'] = ctx.params['MonitorName']
    rec['LastUpdatedDate'] = datetime.datetime.fromtimestamp(ctx.now, datetime.timezone.utc).strftime('%Y-%m-%d')
    return {'MonitorArn': rec['MonitorArn']}


def ce_delete_monitor(ctx):
    del ctx.store.table('ce_monitor')[_monitor(ctx)['MonitorArn']]
    return {}


def _subscription(ctx):
    arn = ctx.params['SubscriptionArn']
    return lookup(ctx, 'ce_subscription', arn, 'UnknownSubscriptionException', 'Subscription %s does not exist.' % arn)


def _check_subscription(ctx, s):
    for arn in s['MonitorArnList']:
        if arn not in ctx.store.table('ce_monitor'):
            raise ApiError('UnknownMonitorException', 'Monitor %s does not exist.' % arn)
    if any(x['Type'] == 'SNS' for x in s['Subscribers']) and s['Frequency'] != 'IMMEDIATE':
        raise ApiError('ValidationException', 'SNS subscribers are only supported with IMMEDIATE frequency.')


def ce_create_subscription(ctx):
    s = dict(ctx.params['AnomalySubscription'])
    _check_subscription(ctx, s)
    arn = 'arn:aws:ce::%s:anomalysubscription/%s' % (ACCOUNT, ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}'))
    s.update(SubscriptionArn=arn, AccountId=ACCOUNT,
             Subscribers=[dict(x, Status=x.get('Status', 'CONFIRMED')) for x in s['Subscribers']])
    ctx.store.table('ce_subscription')[arn] = s
    return {'SubscriptionArn': arn}


def ce_get_subscriptions(ctx):
    arns = ctx.params.get('SubscriptionArnList')
    table = ctx.store.table('ce_subscription')
    recs = [table[a] for a in arns if a in table] if arns else list(table.values())
    if ctx.params.get('MonitorArn'):
        recs = [r for r in recs if ctx.params['MonitorArn'] in r['MonitorArnList']]
    return paginate(ctx, recs, {}, 'AnomalySubscriptions', 'NextPageToken', 'NextPageToken', 'MaxResults')


def ce_update_subscription(ctx):
    rec = _subscription(ctx)
    new = dict(rec)
    for k in ('Threshold', 'Frequency', 'MonitorArnList', 'Subscribers', 'SubscriptionName'):
        if k in ctx.params:
            new[k] = ctx.params[k]
    _check_subscription(ctx, new)
    rec.update(new)
    return {'SubscriptionArn': rec['SubscriptionArn']}


def ce_delete_subscription(ctx):
    del ctx.store.table('ce_subscription')[_subscription(ctx)['SubscriptionArn']]
    return {}


def _ce_handlers():
    return {'CreateAnomalyMonitor': ce_create_monitor, 'GetAnomalyMonitors': ce_get_monitors,
            'UpdateAnomalyMonitor': ce_update_monitor, 'DeleteAnomalyMonitor': ce_delete_monitor,
            'CreateAnomalySubscription': ce_create_subscription,
            'GetAnomalySubscriptions': ce_get_subscriptions,
            'UpdateAnomalySubscription': ce_update_subscription,
            'DeleteAnomalySubscription': ce_delete_subscription}


def handlers():
    return {'eks': _eks_handlers(), 'elasticache': _ec_handlers(), 'sesv2': _ses_handlers(),
            'budgets': _budgets_handlers(), 'ce': _ce_handlers()}
