"""SNS, CloudWatch, CloudWatch Logs and RDS for the fake.  Each service is
a few small handlers over the shared store; pagination and lifecycle come
from the engine."""
import json
import secrets
import uuid

from engine import ACCOUNT, Res, public, paginate
from svc_more import sm_drop_service_secret, sm_service_secret
from wire import ApiError


def _fit(ctx, shape_name, params, service):
    """Copy the input members that the output shape also has (names agree
    across most AWS create/describe pairs)."""
    shape = ctx.server.model(service).shape_for(shape_name)
    return {k: v for k, v in params.items() if k in shape.members}


# ================================================================ SNS

def _topic(ctx, arn=None):
    arn = arn or ctx.params['TopicArn']
    rec = ctx.store.table('sns_topic').get(arn)
    if rec is None:
        raise ApiError('NotFound', 'Topic does not exist', 404)
    return rec


def sns_create_topic(ctx):
    p = ctx.params
    arn = ctx.store.arn('sns', p['Name'])
    table = ctx.store.table('sns_topic')
    if arn in table:
        # CreateTopic is idempotent for the same name and attributes.
        if p.get('Attributes') and any(table[arn]['Attributes'].get(k) != v for k, v in p['Attributes'].items()):
            raise ApiError('InvalidParameter', 'Invalid parameter: Attributes Reason: Topic already exists with '
                           'different attributes')
        return {'TopicArn': arn}
    if p['Name'].endswith('.fifo') != (p.get('Attributes', {}).get('FifoTopic') == 'true'):
        raise ApiError('InvalidParameter', 'Invalid parameter: Topic Name')
    attrs = {'TopicArn': arn, 'Owner': ACCOUNT, 'DisplayName': '', 'SubscriptionsPending': '0',
             'SubscriptionsDeleted': '0', 'EffectiveDeliveryPolicy': '{}',
             'Policy': '{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[]}'}
    attrs.update(p.get('Attributes', {}))
    table[arn] = {'TopicArn': arn, 'Attributes': attrs, 'Tags': list(p.get('Tags', []))}
    return {'TopicArn': arn}


def sns_list_topics(ctx):
    # Listed once per change of state, not per page (200 pages of 100 for
    # 20,000 topics sorted and copied the whole table each).
    topics = ctx.store.view(('sns_topic', 'ListTopics'),
                            lambda: [{'TopicArn': a} for a in sorted(ctx.store.table('sns_topic'))])
    return paginate(ctx, topics, {}, 'Topics')


sns_list_topics.pure_read = True


def sns_get_topic_attributes(ctx):
    rec = _topic(ctx)
    attrs = dict(rec['Attributes'])
    subs = [s for s in ctx.store.table('sns_sub').values() if s['TopicArn'] == rec['TopicArn']]
    attrs['SubscriptionsConfirmed'] = str(len(subs))
    return {'Attributes': attrs}


def sns_set_topic_attributes(ctx):
    rec = _topic(ctx)
    name = ctx.params['AttributeName']
    if name not in ('DisplayName', 'Policy', 'DeliveryPolicy', 'KmsMasterKeyId', 'TracingConfig',
                    'SignatureVersion', 'ContentBasedDeduplication') and not name.endswith('FeedbackRoleArn') \
            and not name.endswith('SuccessFeedbackSampleRate'):
        raise ApiError('InvalidParameter', 'Invalid parameter: AttributeName')
    rec['Attributes'][name] = ctx.params.get('AttributeValue', '')
    return {}


def sns_delete_topic(ctx):
    arn = ctx.params['TopicArn']
    ctx.store.table('sns_topic').pop(arn, None)      # DeleteTopic of a missing topic succeeds in AWS
    for sid in [s for s, r in ctx.store.table('sns_sub').items() if r['TopicArn'] == arn]:
        del ctx.store.table('sns_sub')[sid]
    return {}


def sns_subscribe(ctx):
    rec = _topic(ctx)
    p = ctx.params
    if p['Protocol'] not in ('http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'):
        raise ApiError('InvalidParameter', 'Invalid parameter: Amazon SNS does not support this protocol string: %s'
                       % p['Protocol'])
    for s in ctx.store.table('sns_sub').values():
        if s['TopicArn'] == rec['TopicArn'] and s['Protocol'] == p['Protocol'] and s['Endpoint'] == p.get('Endpoint'):
            return {'SubscriptionArn': s['SubscriptionArn']}
    arn = '%s:%s' % (rec['TopicArn'], uuid.uuid4())
    ctx.store.table('sns_sub')[arn] = {'SubscriptionArn': arn, 'Owner': ACCOUNT, 'Protocol': p['Protocol'],
                                       'Endpoint': p.get('Endpoint', ''), 'TopicArn': rec['TopicArn'],
                                       '_attrs': dict(p.get('Attributes', {}))}
    return {'SubscriptionArn': arn}


def sns_unsubscribe(ctx):
    if ctx.store.table('sns_sub').pop(ctx.params['SubscriptionArn'], None) is None:
        raise ApiError('NotFound', 'Subscription does not exist', 404)
    return {}


def sns_list_subscriptions(ctx):
    subs = [public(s) for s in ctx.store.table('sns_sub').values()]
    if ctx.op == 'ListSubscriptionsByTopic':
        _topic(ctx)
        subs = [s for s in subs if s['TopicArn'] == ctx.params['TopicArn']]
    return paginate(ctx, subs, {}, 'Subscriptions')


def _subscription(ctx):
    rec = ctx.store.table('sns_sub').get(ctx.params['SubscriptionArn'])
    if rec is None:
        raise ApiError('NotFound', 'Subscription does not exist', 404)
    return rec


def sns_get_subscription_attributes(ctx):
    rec = _subscription(ctx)
    attrs = {'SubscriptionArn': rec['SubscriptionArn'], 'TopicArn': rec['TopicArn'],
             'Protocol': rec['Protocol'], 'Endpoint': rec['Endpoint'], 'Owner': rec['Owner'],
             'ConfirmationWasAuthenticated': 'false', 'PendingConfirmation': 'false',
             'RawMessageDelivery': 'false'}
    attrs.update(rec['_attrs'])
    return {'Attributes': attrs}


def sns_set_subscription_attributes(ctx):
    rec = _subscription(ctx)
    name = ctx.params['AttributeName']
    if name not in ('DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery',
                    'RedrivePolicy', 'SubscriptionRoleArn'):
        raise ApiError('InvalidParameter', 'Invalid parameter: AttributeName')
    rec['_attrs'][name] = ctx.params.get('AttributeValue', '')
    return {}


def sns_publish(ctx):
    p = ctx.params
    arn = p.get('TopicArn') or p.get('TargetArn')
    if not arn:
        raise ApiError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required '
                       'parameter')
    _topic(ctx, arn)
    mid = str(uuid.uuid4())
    ctx.store.published['sns'].append({'MessageId': mid, 'TopicArn': arn, 'Message': p['Message'],
                                       'Subject': p.get('Subject'), 'MessageAttributes': p.get('MessageAttributes', {}),
                                       'MessageStructure': p.get('MessageStructure'), 'Time': ctx.now})
    return {'MessageId': mid}


def _by_arn(ctx, arn, tables):
    for t in tables:
        rec = ctx.store.table(t).get(arn)
        if rec is not None:
            return rec
    raise ApiError('ResourceNotFound' if tables[0].startswith('sns') else 'ResourceNotFoundException',
                   'Resource %s does not exist' % arn, 404)


def _tag_handlers(tables, arn_param, tags_param, keys_param, list_key):
    def tag(ctx):
        rec = _by_arn(ctx, ctx.params[arn_param], tables)
        have = {t['Key']: t['Value'] for t in rec.get('Tags', [])}
        have.update({t['Key']: t['Value'] for t in ctx.params[tags_param]})
        rec['Tags'] = [{'Key': k, 'Value': v} for k, v in have.items()]
        return {}

    def untag(ctx):
        rec = _by_arn(ctx, ctx.params[arn_param], tables)
        rec['Tags'] = [t for t in rec.get('Tags', []) if t['Key'] not in ctx.params[keys_param]]
        return {}

    def list_tags(ctx):
        return {list_key: _by_arn(ctx, ctx.params[arn_param], tables).get('Tags', [])}
    return tag, untag, list_tags


def _sns_handlers():
    tag, untag, lst = _tag_handlers(['sns_topic'], 'ResourceArn', 'Tags', 'TagKeys', 'Tags')
    return {'CreateTopic': sns_create_topic, 'ListTopics': sns_list_topics, 'DeleteTopic': sns_delete_topic,
            'GetTopicAttributes': sns_get_topic_attributes, 'SetTopicAttributes': sns_set_topic_attributes,
            'Subscribe': sns_subscribe, 'Unsubscribe': sns_unsubscribe,
            'GetSubscriptionAttributes': sns_get_subscription_attributes,
            'SetSubscriptionAttributes': sns_set_subscription_attributes, 'ListSubscriptions': sns_list_subscriptions,
            'ListSubscriptionsByTopic': sns_list_subscriptions, 'Publish': sns_publish,
            'TagResource': tag, 'UntagResource': untag, 'ListTagsForResource': lst}


# ================================================================ CloudWatch

def cw_put_metric_data(ctx):
    for d in ctx.params['MetricData']:
        row = dict(d, Namespace=ctx.params['Namespace'])
        if 'Timestamp' in row:
            row['Timestamp'] = str(row['Timestamp'])
        ctx.store.published['cloudwatch'].append(row)
    return {}


def cw_put_metric_alarm(ctx):
    p = ctx.params
    name = p['AlarmName']
    table = ctx.store.table('cw_alarm')
    old = table.get(name, {})
    rec = _fit(ctx, 'MetricAlarm', p, 'cloudwatch')
    rec.update({'AlarmArn': ctx.store.arn('cloudwatch', 'alarm:' + name),
                'StateValue': old.get('StateValue', 'INSUFFICIENT_DATA'),
                'StateReason': old.get('StateReason', 'Unchecked: Initial alarm creation'),
                'StateUpdatedTimestamp': old.get('StateUpdatedTimestamp', ctx.now),
                'AlarmConfigurationUpdatedTimestamp': ctx.now,
                'ActionsEnabled': p.get('ActionsEnabled', True),
                'Tags': old.get('Tags', list(p.get('Tags', [])))})
    if ('MetricName' in p) == ('Metrics' in p):
        raise ApiError('ValidationError', 'Exactly one of MetricName and Metrics must be specified.')
    table[name] = rec
    return {}


def cw_describe_alarms(ctx):
    p = ctx.params
    recs = sorted(ctx.store.table('cw_alarm').values(), key=lambda r: r['AlarmName'])
    if p.get('AlarmNames'):
        recs = [r for r in recs if r['AlarmName'] in p['AlarmNames']]
    if p.get('AlarmNamePrefix'):
        recs = [r for r in recs if r['AlarmName'].startswith(p['AlarmNamePrefix'])]
    if p.get('StateValue'):
        recs = [r for r in recs if r['StateValue'] == p['StateValue']]
    return paginate(ctx, [public(r) for r in recs], {'CompositeAlarms': []}, 'MetricAlarms',
                    limit_key='MaxRecords')


def cw_delete_alarms(ctx):
    table = ctx.store.table('cw_alarm')
    missing = [n for n in ctx.params['AlarmNames'] if n not in table]
    if missing:
        raise ApiError('ResourceNotFound', 'Alarm(s) %s not found' % ', '.join(missing), 404)
    for n in ctx.params['AlarmNames']:
        del table[n]
    return {}


def cw_set_alarm_state(ctx):
    rec = ctx.store.table('cw_alarm').get(ctx.params['AlarmName'])
    if rec is None:
        raise ApiError('ResourceNotFound', 'Alarm %s not found' % ctx.params['AlarmName'], 404)
    rec.update(StateValue=ctx.params['StateValue'], StateReason=ctx.params['StateReason'],
               StateUpdatedTimestamp=ctx.now)
    return {}


def cw_put_dashboard(ctx):
    import json
    try:
        body = json.loads(ctx.params['DashboardBody'])
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        raise ApiError('InvalidParameterInput', 'The field DashboardBody must be a valid JSON object')
    name = ctx.params['DashboardName']
    ctx.store.table('cw_dashboard')[name] = {
        'DashboardName': name, 'DashboardArn': 'arn:aws:cloudwatch::%s:dashboard/%s' % (ACCOUNT, name),
        'DashboardBody': ctx.params['DashboardBody'], 'LastModified': ctx.now,
        'Size': len(ctx.params['DashboardBody'])}
    return {'DashboardValidationMessages': []}


def cw_get_dashboard(ctx):
    rec = ctx.store.table('cw_dashboard').get(ctx.params['DashboardName'])
    if rec is None:
        raise ApiError('ResourceNotFound', 'Dashboard %s does not exist' % ctx.params['DashboardName'], 404)
    return {k: rec[k] for k in ('DashboardName', 'DashboardArn', 'DashboardBody')}


def cw_list_dashboards(ctx):
    recs = sorted(ctx.store.table('cw_dashboard').values(), key=lambda r: r['DashboardName'])
    pre = ctx.params.get('DashboardNamePrefix', '')
    return paginate(ctx, [{k: r[k] for k in ('DashboardName', 'DashboardArn', 'LastModified', 'Size')}
                          for r in recs if r['DashboardName'].startswith(pre)], {}, 'DashboardEntries')


def cw_delete_dashboards(ctx):
    table = ctx.store.table('cw_dashboard')
    for n in ctx.params['DashboardNames']:
        if n not in table:
            raise ApiError('ResourceNotFound', 'Dashboard %s does not exist' % n, 404)
    for n in ctx.params['DashboardNames']:
        del table[n]
    return {}


def _cw_handlers():
    tag, untag, lst = _tag_handlers(['cw_alarm_arn'], 'ResourceARN', 'Tags', 'TagKeys', 'Tags')

    def by_arn(fn):
        def h(ctx):
            # alarms are keyed by name; expose them by ARN for the tag API
            ctx.store.resources['cw_alarm_arn'] = {r['AlarmArn']: r for r in ctx.store.table('cw_alarm').values()}
            try:
                return fn(ctx)
            finally:
                ctx.store.resources.pop('cw_alarm_arn', None)
        return h
    return {'PutMetricData': cw_put_metric_data, 'PutMetricAlarm': cw_put_metric_alarm,
            'DescribeAlarms': cw_describe_alarms, 'DeleteAlarms': cw_delete_alarms,
            'SetAlarmState': cw_set_alarm_state, 'PutDashboard': cw_put_dashboard,
            'GetDashboard': cw_get_dashboard, 'ListDashboards': cw_list_dashboards,
            'DeleteDashboards': cw_delete_dashboards,
            'TagResource': by_arn(tag), 'UntagResource': by_arn(untag), 'ListTagsForResource': by_arn(lst)}


# ================================================================ CloudWatch Logs

RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653}


def _log_group(ctx):
    name = ctx.params['logGroupName']
    rec = ctx.store.table('logs_group').get(name)
    if rec is None:
        raise ApiError('ResourceNotFoundException', 'The specified log group does not exist.')
    return rec


def logs_create(ctx):
    p = ctx.params
    table = ctx.store.table('logs_group')
    if p['logGroupName'] in table:
        raise ApiError('ResourceAlreadyExistsException', 'The specified log group already exists')
    rec = {'logGroupName': p['logGroupName'], 'creationTime': int(ctx.now * 1000), 'metricFilterCount': 0,
           'arn': ctx.store.arn('logs', 'log-group:%s:*' % p['logGroupName']), 'storedBytes': 0,
           '_tags': dict(p.get('tags', {}))}
    if p.get('kmsKeyId'):
        rec['kmsKeyId'] = p['kmsKeyId']
    table[p['logGroupName']] = rec
    return {}


def logs_describe(ctx):
    pre = ctx.params.get('logGroupNamePrefix', '')
    recs = sorted(ctx.store.table('logs_group').values(), key=lambda r: r['logGroupName'])
    return paginate(ctx, [public(r) for r in recs if r['logGroupName'].startswith(pre)], {}, 'logGroups',
                    'nextToken', 'nextToken', 'limit')


def logs_delete(ctx):
    del ctx.store.table('logs_group')[_log_group(ctx)['logGroupName']]
    return {}


def logs_put_retention(ctx):
    rec = _log_group(ctx)
    days = ctx.params['retentionInDays']
    if days not in RETENTION_DAYS:
        raise ApiError('InvalidParameterException', "1 validation error detected: Value '%s' at 'retentionInDays' "
                       'failed to satisfy constraint: Member must satisfy enum value set: [%s]'
                       % (days, ', '.join(str(d) for d in sorted(RETENTION_DAYS))))
    rec['retentionInDays'] = days
    return {}


def logs_associate_kms_key(ctx):
    _log_group(ctx)['kmsKeyId'] = ctx.params['kmsKeyId']
    return {}


def logs_delete_retention(ctx):
    _log_group(ctx).pop('retentionInDays', None)
    return {}


def logs_tag(ctx):
    _log_group(ctx)['_tags'].update(ctx.params['tags'])
    return {}


def logs_untag(ctx):
    rec = _log_group(ctx)
    for k in ctx.params['tags']:
        rec['_tags'].pop(k, None)
    return {}


def logs_list_tags(ctx):
    return {'tags': _log_group(ctx)['_tags']}


def _logs_handlers():
    return {'CreateLogGroup': logs_create, 'DescribeLogGroups': logs_describe, 'DeleteLogGroup': logs_delete,
            'PutRetentionPolicy': logs_put_retention, 'DeleteRetentionPolicy': logs_delete_retention,
            'TagLogGroup': logs_tag, 'UntagLogGroup': logs_untag, 'ListTagsLogGroup': logs_list_tags,
            'AssociateKmsKey': logs_associate_kms_key}


# ================================================================ RDS

def _rds_page(ctx, res, recs, key):
    return paginate(ctx, recs, {}, key, 'Marker', 'Marker', 'MaxRecords')


def _subnet_group_build(ctx):
    p = ctx.params
    if p['DBSubnetGroupName'] in ctx.store.table('rds_subnet_group'):
        raise ApiError('DBSubnetGroupAlreadyExists', 'The DB subnet group %r already exists.' % p['DBSubnetGroupName'])
    subnets = []
    for sid in p['SubnetIds']:
        s = ctx.store.table('subnet').get(sid)
        if s is None:
            raise ApiError('InvalidSubnet', 'The subnet %s does not exist.' % sid)
        subnets.append(s)
    if len({s['VpcId'] for s in subnets}) != 1:
        raise ApiError('InvalidParameterCombination', 'The subnets must all be in the same VPC.')
    if len({s['AvailabilityZone'] for s in subnets}) < 2:
        raise ApiError('DBSubnetGroupDoesNotCoverEnoughAZs', 'The DB subnet group doesn\'t meet Availability Zone '
                       '(AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.'
                       % subnets[0]['AvailabilityZone'])
    name = p['DBSubnetGroupName']
    return {'DBSubnetGroupName': name, 'DBSubnetGroupDescription': p['DBSubnetGroupDescription'],
            'VpcId': subnets[0]['VpcId'], 'SubnetGroupStatus': 'Complete',
            'Subnets': [{'SubnetIdentifier': s['SubnetId'], 'SubnetStatus': 'Active',
                         'SubnetAvailabilityZone': {'Name': s['AvailabilityZone']}} for s in subnets],
            'DBSubnetGroupArn': ctx.store.arn('rds', 'subgrp:' + name), 'Tags': list(p.get('Tags', []))}


def _subnet_group_delete(ctx, rec):
    if any(i.get('DBSubnetGroup', {}).get('DBSubnetGroupName') == rec['DBSubnetGroupName']
           for i in ctx.store.table('rds_instance').values()):
        raise ApiError('InvalidDBSubnetGroupStateFault', 'Cannot delete the subnet group %r because at least one '
                       'database instance is still using it.' % rec['DBSubnetGroupName'])


def _param_group_build(ctx):
    p = ctx.params
    if p['DBParameterGroupName'] in ctx.store.table('rds_param_group'):
        raise ApiError('DBParameterGroupAlreadyExists', 'Parameter group %s already exists' % p['DBParameterGroupName'])
    return {'DBParameterGroupName': p['DBParameterGroupName'], 'DBParameterGroupFamily': p['DBParameterGroupFamily'],
            'Description': p['Description'], 'Tags': list(p.get('Tags', [])), '_params': {},
            'DBParameterGroupArn': ctx.store.arn('rds', 'pg:' + p['DBParameterGroupName'])}


def rds_modify_param_group(ctx):
    rec = RDS_PARAM_GROUP.get(ctx, ctx.params['DBParameterGroupName'])
    for prm in ctx.params['Parameters']:
        rec['_params'][prm['ParameterName']] = {'ParameterName': prm['ParameterName'],
                                                'ParameterValue': prm.get('ParameterValue'),
                                                'ApplyMethod': prm.get('ApplyMethod', 'immediate'), 'Source': 'user'}
    return {'DBParameterGroupName': rec['DBParameterGroupName']}


def rds_describe_params(ctx):
    rec = RDS_PARAM_GROUP.get(ctx, ctx.params['DBParameterGroupName'])
    return _rds_page(ctx, None, list(rec['_params'].values()), 'Parameters')


def _master_secret(ctx, username):
    """ManageMasterUserPassword: RDS makes the password and keeps it in a
    secret of its own ("rds!db-<uuid>", {"username", "password"})."""
    if ctx.params.get('MasterUserPassword'):
        raise ApiError('InvalidParameterCombination', 'You can\'t specify MasterUserPassword when '
                       'ManageMasterUserPassword is turned on.')
    value = json.dumps({'username': username, 'password': secrets.token_urlsafe(24)})
    rec = sm_service_secret(ctx, 'rds!db-%s' % uuid.uuid4(), value, ctx.params.get('MasterUserSecretKmsKeyId'),
                            'Secret associated with primary RDS DB instance')
    return {'SecretArn': rec['ARN'], 'SecretStatus': 'active', 'KmsKeyId': rec['KmsKeyId']}


def _instance_build(ctx):
    p = ctx.params
    ident = p['DBInstanceIdentifier']
    if ident in ctx.store.table('rds_instance'):
        raise ApiError('DBInstanceAlreadyExists', 'DB instance already exists')
    if not p.get('ManageMasterUserPassword') and not p.get('MasterUserPassword') and \
            p['Engine'] not in ('aurora-postgresql', 'aurora-mysql'):
        raise ApiError('InvalidParameterValue', 'The parameter MasterUserPassword must be provided and must '
                       'not be blank.')
    rec = _fit(ctx, 'DBInstance', p, 'rds')
    sg_name = p.get('DBSubnetGroupName')
    if sg_name:
        rec['DBSubnetGroup'] = public(RDS_SUBNET_GROUP.get(ctx, sg_name))
        rec['DBSubnetGroup'].pop('Tags', None)
    rec.update({'DBInstanceIdentifier': ident, 'DBInstanceArn': ctx.store.arn('rds', 'db:' + ident),
                'DbiResourceId': ctx.store.new_id('db-{up26}'), 'InstanceCreateTime': ctx.now,
                'EngineVersion': p.get('EngineVersion') or {'postgres': '15.4', 'mysql': '8.0.35'}.get(p['Engine'], '1.0'),
                'MultiAZ': p.get('MultiAZ', False), 'StorageType': p.get('StorageType', 'gp2'),
                'VpcSecurityGroups': [{'VpcSecurityGroupId': g, 'Status': 'active'}
                                      for g in p.get('VpcSecurityGroupIds', [])],
                'DBParameterGroups': [{'DBParameterGroupName': p.get('DBParameterGroupName', 'default'),
                                       'ParameterApplyStatus': 'in-sync'}],
                'PubliclyAccessible': p.get('PubliclyAccessible', False), 'Tags': list(p.get('Tags', [])),
                'TagList': list(p.get('Tags', [])), 'BackupRetentionPeriod': p.get('BackupRetentionPeriod', 1),
                'StorageEncrypted': p.get('StorageEncrypted', False), 'DeletionProtection': p.get('DeletionProtection', False),
                'AutoMinorVersionUpgrade': p.get('AutoMinorVersionUpgrade', True),
                'MonitoringInterval': p.get('MonitoringInterval', 0),
                'CopyTagsToSnapshot': p.get('CopyTagsToSnapshot', False)})
    rec.update(_instance_renamed(p, {}))
    if p.get('ManageMasterUserPassword'):
        rec['MasterUserSecret'] = _master_secret(ctx, p.get('MasterUsername'))
    if rec['StorageEncrypted'] and not rec.get('KmsKeyId'):
        rec['KmsKeyId'] = ctx.store.arn('kms', 'key/aws-rds-default')
    rec.pop('Tags')
    return rec


# Request members whose instance member has another name (CreateDBInstance,
# ModifyDBInstance vs the DBInstance data type).
_RENAMED = {'EnablePerformanceInsights': 'PerformanceInsightsEnabled',
            'EnableIAMDatabaseAuthentication': 'IAMDatabaseAuthenticationEnabled',
            'EnableCloudwatchLogsExports': 'EnabledCloudwatchLogsExports'}


def _instance_renamed(params, rec):
    out = {new: params[old] for old, new in _RENAMED.items() if old in params}
    cfg = params.get('CloudwatchLogsExportConfiguration')
    if cfg:
        have = [t for t in rec.get('EnabledCloudwatchLogsExports', []) if t not in cfg.get('DisableLogTypes', [])]
        out['EnabledCloudwatchLogsExports'] = have + [t for t in cfg.get('EnableLogTypes', []) if t not in have]
    return out


def _instance_render(ctx, out, rec):
    if out.get('DBInstanceStatus') == 'available':
        out['Endpoint'] = {'Address': '%s.cfakeabcdefg.%s.rds.amazonaws.com' % (rec['DBInstanceIdentifier'], ctx.store.region),
                           'Port': rec.get('Port') or 5432, 'HostedZoneId': 'Z2R2ITUGPM61AM'}
    return out


def rds_create_instance(ctx):
    out = RDS_INSTANCE.h_create(ctx)
    out.pop('ClientToken', None)
    return out


def rds_describe_instances(ctx):
    ident = ctx.params.get('DBInstanceIdentifier')
    recs = list(ctx.store.table('rds_instance').values())
    if ident:
        recs = [RDS_INSTANCE.get(ctx, ident)]
    recs = [RDS_INSTANCE.show(ctx, r) for r in recs]
    for f in ctx.params.get('Filters') or []:
        key = {'db-instance-id': 'DBInstanceIdentifier', 'engine': 'Engine'}.get(f['Name'])
        if key:
            recs = [r for r in recs if r.get(key) in f['Values'] or r.get('DBInstanceArn') in f['Values']]
    return _rds_page(ctx, None, recs, 'DBInstances')


def rds_modify_instance(ctx):
    rec = RDS_INSTANCE.get(ctx, ctx.params['DBInstanceIdentifier'])
    if RDS_INSTANCE.show(ctx, rec)['DBInstanceStatus'] != 'available':
        raise ApiError('InvalidDBInstanceState', 'Database instance is not in available state.')
    changes = {k: v for k, v in _fit(ctx, 'DBInstance', ctx.params, 'rds').items() if k != 'DBInstanceIdentifier'}
    changes.update(_instance_renamed(ctx.params, rec))
    if 'VpcSecurityGroupIds' in ctx.params:
        changes['VpcSecurityGroups'] = [{'VpcSecurityGroupId': g, 'Status': 'active'}
                                        for g in ctx.params['VpcSecurityGroupIds']]
    if 'DBParameterGroupName' in ctx.params:
        RDS_PARAM_GROUP.get(ctx, ctx.params['DBParameterGroupName'])
        changes['DBParameterGroups'] = [{'DBParameterGroupName': ctx.params['DBParameterGroupName'],
                                         'ParameterApplyStatus': 'pending-reboot'}]
    # Without ApplyImmediately, what PendingModifiedValues can hold waits
    # for the maintenance window (ModifyDBInstance, ApplyImmediately).
    if not ctx.params.get('ApplyImmediately'):
        shape = ctx.server.model('rds').shape_for('PendingModifiedValues')
        pending = rec.setdefault('PendingModifiedValues', {})
        for k in [k for k in changes if k in shape.members and k != 'BackupRetentionPeriod']:
            pending[k] = changes.pop(k)
    _modify_master_password(ctx, rec)
    rec.update(changes)
    return {'DBInstance': RDS_INSTANCE.show(ctx, rec)}


def _modify_master_password(ctx, rec):
    """Turning ManageMasterUserPassword on makes the secret; turning it off
    needs the new MasterUserPassword and deletes the secret."""
    manage = ctx.params.get('ManageMasterUserPassword')
    if manage and not rec.get('MasterUserSecret'):
        rec['MasterUserSecret'] = _master_secret(ctx, rec.get('MasterUsername'))
    elif manage is False and rec.get('MasterUserSecret'):
        if not ctx.params.get('MasterUserPassword'):
            raise ApiError('InvalidParameterCombination', 'MasterUserPassword is required when turning off '
                           'ManageMasterUserPassword.')
        sm_drop_service_secret(ctx, rec.pop('MasterUserSecret')['SecretArn'])


def rds_start_backup_replication(ctx):
    p = ctx.params
    arn = p['SourceDBInstanceArn']
    src = next((r for r in ctx.store.table('rds_instance').values() if r['DBInstanceArn'] == arn), None)
    if src is None:
        raise ApiError('DBInstanceNotFound', 'DBInstance %s not found.' % arn)
    if RDS_INSTANCE.show(ctx, src)['DBInstanceStatus'] != 'available':
        raise ApiError('InvalidDBInstanceState', 'The source DB instance must be available.')
    if arn in ctx.store.table('rds_backup_replication'):
        raise ApiError('DBInstanceAutomatedBackupQuotaExceeded', 'Automated backups are already replicated.')
    if src.get('StorageEncrypted') and not p.get('KmsKeyId'):
        raise ApiError('InvalidParameterCombination', 'KmsKeyId is required to replicate an encrypted instance.')
    bid = ctx.store.new_id('{hex8}')
    rec = {'DBInstanceArn': arn, 'DbiResourceId': src['DbiResourceId'], 'Region': arn.split(':')[3],
           'DBInstanceIdentifier': src['DBInstanceIdentifier'], 'Status': 'replicating', 'Engine': src['Engine'],
           'EngineVersion': src['EngineVersion'], 'Encrypted': src.get('StorageEncrypted', False),
           'BackupRetentionPeriod': p.get('BackupRetentionPeriod', 7), 'KmsKeyId': p.get('KmsKeyId'),
           'DBInstanceAutomatedBackupsArn': ctx.store.arn('rds', 'auto-backup:ab-' + bid)}
    rec = {k: v for k, v in rec.items() if v is not None}
    ctx.store.table('rds_backup_replication')[arn] = rec
    src['DBInstanceAutomatedBackupsReplications'] = [
        {'DBInstanceAutomatedBackupsArn': rec['DBInstanceAutomatedBackupsArn']}]
    return {'DBInstanceAutomatedBackup': rec}


def rds_stop_backup_replication(ctx):
    rec = ctx.store.table('rds_backup_replication').pop(ctx.params['SourceDBInstanceArn'], None)
    if rec is None:
        raise ApiError('DBInstanceAutomatedBackupNotFound', 'No replicated automated backups found.')
    return {'DBInstanceAutomatedBackup': rec}


def rds_describe_automated_backups(ctx):
    recs = list(ctx.store.table('rds_backup_replication').values())
    return _rds_page(ctx, None, recs, 'DBInstanceAutomatedBackups')


def rds_delete_instance(ctx, rec):
    if rec.get('DeletionProtection'):
        raise ApiError('InvalidParameterCombination', 'Cannot delete protected DB Instance, please disable '
                       'deletion protection and try again.')
    if not ctx.params.get('SkipFinalSnapshot') and not ctx.params.get('FinalDBSnapshotIdentifier'):
        raise ApiError('InvalidParameterCombination', 'FinalDBSnapshotIdentifier is required unless '
                       'SkipFinalSnapshot is specified.')
    out = RDS_INSTANCE.show(ctx, rec)
    out['DBInstanceStatus'] = 'deleting'
    del ctx.store.table('rds_instance')[rec['DBInstanceIdentifier']]
    return {'DBInstance': out}


RDS_TAGGABLE = {'db:': ('rds_instance', 'TagList'), 'subgrp:': ('rds_subnet_group', 'Tags'),
                'pg:': ('rds_param_group', 'Tags')}


def _rds_tag_target(ctx):
    arn = ctx.params['ResourceName']
    for marker, (table, field) in RDS_TAGGABLE.items():
        if (':' + marker) in arn:
            name = arn.split(':' + marker, 1)[1]
            rec = ctx.store.table(table).get(name)
            if rec is not None:
                return rec, field
    raise ApiError('DBInstanceNotFound', 'Resource %s not found.' % arn, 404)


def rds_add_tags(ctx):
    rec, field = _rds_tag_target(ctx)
    have = {t['Key']: t['Value'] for t in rec.get(field, [])}
    have.update({t['Key']: t['Value'] for t in ctx.params['Tags']})
    rec[field] = [{'Key': k, 'Value': v} for k, v in have.items()]
    return {}


def rds_remove_tags(ctx):
    rec, field = _rds_tag_target(ctx)
    rec[field] = [t for t in rec.get(field, []) if t['Key'] not in ctx.params['TagKeys']]
    return {}


def rds_list_tags(ctx):
    rec, field = _rds_tag_target(ctx)
    return {'TagList': rec.get(field, [])}


RDS_SUBNET_GROUP = Res('rds_subnet_group', 'DBSubnetGroupName',
                       create=('CreateDBSubnetGroup', 'DBSubnetGroup', _subnet_group_build),
                       delete=('DeleteDBSubnetGroup', 'DBSubnetGroupName', _subnet_group_delete),
                       not_found='DBSubnetGroupNotFoundFault', not_found_msg='DB subnet group %r not found.')
RDS_PARAM_GROUP = Res('rds_param_group', 'DBParameterGroupName',
                      create=('CreateDBParameterGroup', 'DBParameterGroup', _param_group_build),
                      delete=('DeleteDBParameterGroup', 'DBParameterGroupName', None),
                      not_found='DBParameterGroupNotFound', not_found_msg='DBParameterGroup not found: %s')
RDS_INSTANCE = Res('rds_instance', 'DBInstanceIdentifier',
                   create=('CreateDBInstance', 'DBInstance', _instance_build),
                   delete=('DeleteDBInstance', 'DBInstanceIdentifier', rds_delete_instance),
                   lifecycle=('DBInstanceStatus', [('creating', 0), ('backing-up', 60), ('available', 90)]),
                   render=_instance_render, not_found='DBInstanceNotFound', not_found_msg='DBInstance %s not found.')


def _rds_describe(res, key, name_param):
    def h(ctx):
        name = ctx.params.get(name_param)
        recs = [res.get(ctx, name)] if name else sorted(ctx.store.table(res.name).values(), key=lambda r: r[res.id_key])
        return _rds_page(ctx, res, [{k: v for k, v in res.show(ctx, r).items() if k != 'Tags'} for r in recs], key)
    return h


def _rds_handlers():
    h = {}
    for res in (RDS_SUBNET_GROUP, RDS_PARAM_GROUP, RDS_INSTANCE):
        h.update(res.handlers())
    h.update({'DescribeDBSubnetGroups': _rds_describe(RDS_SUBNET_GROUP, 'DBSubnetGroups', 'DBSubnetGroupName'),
              'DescribeDBParameterGroups': _rds_describe(RDS_PARAM_GROUP, 'DBParameterGroups', 'DBParameterGroupName'),
              'ModifyDBParameterGroup': rds_modify_param_group, 'DescribeDBParameters': rds_describe_params,
              'CreateDBInstance': rds_create_instance, 'DescribeDBInstances': rds_describe_instances,
              'ModifyDBInstance': rds_modify_instance, 'AddTagsToResource': rds_add_tags,
              'RemoveTagsFromResource': rds_remove_tags, 'ListTagsForResource': rds_list_tags,
              'StartDBInstanceAutomatedBackupsReplication': rds_start_backup_replication,
              'StopDBInstanceAutomatedBackupsReplication': rds_stop_backup_replication,
              'DescribeDBInstanceAutomatedBackups': rds_describe_automated_backups})
    return h


def handlers():
    return {'sns': _sns_handlers(), 'cloudwatch': _cw_handlers(), 'logs': _logs_handlers(), 'rds': _rds_handlers()}
