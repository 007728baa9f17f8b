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


def _cluster_security_group(ctx, name, vpc_id):
    """EKS makes the cluster security group in the cluster's VPC: the control
    plane's ENIs and every managed node group without a launch template
    carry it; it admits all traffic from itself and sends anywhere, and EKS
    deletes it with the cluster
    (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html)."""
    from resources import SECURITY_GROUP, _add_rule
    gid = ctx.store.new_id('sg-{hex17}')
    sg_name = 'eks-cluster-sg-%s-%d' % (name, int(hashlib.md5(name.encode()).hexdigest()[:8], 16) % 10 ** 10)
    sg = SECURITY_GROUP.add(ctx, {
        'GroupId': gid, 'GroupName': sg_name, 'VpcId': vpc_id, 'OwnerId': ACCOUNT,
        'Description': 'EKS created security group applied to ENI that is attached to EKS Control Plane '
                       'master nodes, as well as any managed workloads.',
        'Tags': [{'Key': 'Name', 'Value': sg_name}, {'Key': 'aws:eks:cluster-name', 'Value': name},
                 {'Key': 'kubernetes.io/cluster/%s' % name, 'Value': 'owned'}]})
    _add_rule(ctx, sg, False, {'IpProtocol': '-1', 'UserIdGroupPairs': [{'GroupId': gid}]})
    _add_rule(ctx, sg, True, {'IpProtocol': '-1', 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]})
    return gid


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
    vpc_cfg.update({'vpcId': subnets[0]['VpcId'],
                    'clusterSecurityGroupId': _cluster_security_group(ctx, p['name'], subnets[0]['VpcId']),
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
    if p.get('encryptionConfig'):
        rec['encryptionConfig'] = p['encryptionConfig']
    EKS_CLUSTER.add(ctx, rec)
    return {'cluster': EKS_CLUSTER.show(ctx, rec)}


def eks_describe(ctx):
    return {'cluster': EKS_CLUSTER.show(ctx, EKS_CLUSTER.get(ctx, ctx.params['name']))}


def eks_list(ctx):
    return paginate(ctx, sorted(ctx.store.table('eks_cluster')), {}, 'clusters', 'nextToken', 'nextToken', 'maxResults')


def eks_delete(ctx):
    rec = EKS_CLUSTER.get(ctx, ctx.params['name'])
    if any(r['clusterName'] == rec['name'] for r in ctx.store.table('eks_nodegroup').values()):
        raise ApiError('ResourceInUseException', 'Cluster has nodegroups attached', 409)
    out = EKS_CLUSTER.show(ctx, rec)
    out['status'] = 'DELETING'
    del ctx.store.table('eks_cluster')[rec['name']]
    sg = ctx.store.table('sg').get(rec['resourcesVpcConfig'].get('clusterSecurityGroupId'))
    if sg:
        from resources import _drop_sg
        _drop_sg(ctx, sg)
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
    """Clusters, node groups and add-ons are tagged by ARN:
    cluster/NAME, nodegroup/CLUSTER/NAME/UUID, addon/CLUSTER/NAME/UUID."""
    arn = ctx.params['resourceArn']
    kind, _, rest = arn.split(':', 5)[-1].partition('/')
    parts = rest.split('/')
    if kind == 'cluster':
        return EKS_CLUSTER.get(ctx, parts[0])
    res = {'nodegroup': EKS_NODEGROUP, 'addon': EKS_ADDON}.get(kind)
    if res is None or len(parts) < 2:
        raise ApiError('ResourceNotFoundException', 'No resource found for arn %s.' % arn)
    return res.get(ctx, '%s/%s' % (parts[0], parts[1]))


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


# Node groups and add-ons live in a cluster that must be ACTIVE; both are
# CREATING for 60 fake seconds, then ACTIVE, and keyed CLUSTER/NAME.

def _active_cluster(ctx, name):
    cluster = EKS_CLUSTER.get(ctx, name)
    if EKS_CLUSTER.show(ctx, cluster)['status'] != 'ACTIVE':
        raise ApiError('InvalidRequestException', 'Cluster %s is not in ACTIVE status' % name, 400)
    return cluster


EKS_NODEGROUP = Res('eks_nodegroup', '_key', lifecycle=('status', [('CREATING', 0), ('ACTIVE', 60)]),
                    not_found='ResourceNotFoundException', not_found_msg='No node group found for name: %s.')
EKS_ADDON = Res('eks_addon', '_key', lifecycle=('status', [('CREATING', 0), ('ACTIVE', 60)]),
                not_found='ResourceNotFoundException', not_found_msg='No addon: %s found in cluster.')


def _check_scaling(sc):
    lo, hi, want = sc.get('minSize'), sc.get('maxSize'), sc.get('desiredSize')
    if lo is not None and hi is not None and lo > hi:
        raise ApiError('InvalidParameterException', 'Minimum capacity %d can\'t be greater than maximum capacity %d'
                       % (lo, hi), 400)
    if want is not None and ((lo is not None and want < lo) or (hi is not None and want > hi)):
        raise ApiError('InvalidParameterException', 'Desired capacity %d must be between the minimum and maximum'
                       % want, 400)


def ng_create(ctx):
    p = ctx.params
    cluster = _active_cluster(ctx, p['clusterName'])
    key = '%s/%s' % (p['clusterName'], p['nodegroupName'])
    if key in ctx.store.table('eks_nodegroup'):
        raise ApiError('ResourceInUseException', 'NodeGroup already exists with name %s and cluster name %s'
                       % (p['nodegroupName'], p['clusterName']), 409)
    for s in p['subnets']:
        if ctx.store.table('subnet').get(s) is None:
            raise ApiError('InvalidParameterException', 'The subnet ID %s does not exist' % s, 400)
    sc = dict(p.get('scalingConfig') or {'minSize': 1, 'maxSize': 2, 'desiredSize': 2})
    sc.setdefault('desiredSize', sc.get('minSize', 1))
    _check_scaling(sc)
    uid = ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}')
    rec = {'_key': key, 'nodegroupName': p['nodegroupName'], 'clusterName': p['clusterName'],
           'nodegroupArn': ctx.store.arn('eks', 'nodegroup/%s/%s/%s' % (p['clusterName'], p['nodegroupName'], uid)),
           'version': p.get('version', cluster['version']), 'releaseVersion': '%s-20240101' % cluster['version'],
           'createdAt': ctx.now, 'modifiedAt': ctx.now, 'capacityType': p.get('capacityType', 'ON_DEMAND'),
           'scalingConfig': sc, 'instanceTypes': p.get('instanceTypes', ['t3.medium']), 'subnets': p['subnets'],
           'amiType': p.get('amiType', 'AL2_x86_64'), 'nodeRole': p['nodeRole'], 'labels': p.get('labels', {}),
           'diskSize': p.get('diskSize', 20), 'health': {'issues': []},
           'updateConfig': p.get('updateConfig', {'maxUnavailable': 1}), 'tags': dict(p.get('tags', {}))}
    if p.get('taints'):
        rec['taints'] = p['taints']
    EKS_NODEGROUP.add(ctx, rec)
    return {'nodegroup': EKS_NODEGROUP.show(ctx, rec)}


def _ng(ctx):
    EKS_CLUSTER.get(ctx, ctx.params['clusterName'])
    return EKS_NODEGROUP.get(ctx, '%s/%s' % (ctx.params['clusterName'], ctx.params['nodegroupName']))


def ng_describe(ctx):
    return {'nodegroup': EKS_NODEGROUP.show(ctx, _ng(ctx))}


def _in_cluster(ctx, table, name_key):
    EKS_CLUSTER.get(ctx, ctx.params['clusterName'])
    return sorted(r[name_key] for r in ctx.store.table(table).values()
                  if r['clusterName'] == ctx.params['clusterName'])


def ng_list(ctx):
    return paginate(ctx, _in_cluster(ctx, 'eks_nodegroup', 'nodegroupName'), {}, 'nodegroups',
                    'nextToken', 'nextToken', 'maxResults')


def ng_delete(ctx):
    rec = _ng(ctx)
    out = EKS_NODEGROUP.show(ctx, rec)
    out['status'] = 'DELETING'
    del ctx.store.table('eks_nodegroup')[rec['_key']]
    return {'nodegroup': out}


def _update(ctx, kind, params):
    return {'update': {'id': ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}'), 'status': 'Successful',
                       'type': kind, 'params': params, 'createdAt': ctx.now, 'errors': []}}


def ng_update_config(ctx):
    rec = _ng(ctx)
    if EKS_NODEGROUP.show(ctx, rec)['status'] != 'ACTIVE':
        raise ApiError('ResourceInUseException', 'Nodegroup is not in ACTIVE state', 409)
    p = ctx.params
    if 'scalingConfig' in p:
        sc = dict(rec['scalingConfig'])
        sc.update(p['scalingConfig'])
        _check_scaling(sc)
        rec['scalingConfig'] = sc
    if 'labels' in p:
        rec['labels'].update(p['labels'].get('addOrUpdateLabels', {}))
        for k in p['labels'].get('removeLabels', []):
            rec['labels'].pop(k, None)
    if 'updateConfig' in p:
        rec['updateConfig'] = p['updateConfig']
    rec['modifiedAt'] = ctx.now
    return _update(ctx, 'ConfigUpdate', [])


def ng_update_version(ctx):
    rec = _ng(ctx)
    if 'version' in ctx.params:
        rec['version'] = ctx.params['version']
    return _update(ctx, 'VersionUpdate', [{'type': 'Version', 'value': rec['version']}])


ADDON_VERSION = 'v1.0.0-eksbuild.1'


def addon_create(ctx):
    p = ctx.params
    _active_cluster(ctx, p['clusterName'])
    key = '%s/%s' % (p['clusterName'], p['addonName'])
    if key in ctx.store.table('eks_addon'):
        raise ApiError('ResourceInUseException', 'Addon already exists.', 409)
    uid = ctx.store.new_id('{hex8}-{hex4}-{hex4}-{hex4}-{hex12}')
    rec = {'_key': key, 'addonName': p['addonName'], 'clusterName': p['clusterName'],
           'addonArn': ctx.store.arn('eks', 'addon/%s/%s/%s' % (p['clusterName'], p['addonName'], uid)),
           'addonVersion': p.get('addonVersion', ADDON_VERSION), 'health': {'issues': []},
           'createdAt': ctx.now, 'modifiedAt': ctx.now, 'tags': dict(p.get('tags', {}))}
    for k in ('serviceAccountRoleArn', 'configurationValues'):
        if p.get(k):
            rec[k] = p[k]
    EKS_ADDON.add(ctx, rec)
    return {'addon': EKS_ADDON.show(ctx, rec)}


def _addon(ctx):
    EKS_CLUSTER.get(ctx, ctx.params['clusterName'])
    return EKS_ADDON.get(ctx, '%s/%s' % (ctx.params['clusterName'], ctx.params['addonName']))


def addon_describe(ctx):
    return {'addon': EKS_ADDON.show(ctx, _addon(ctx))}


def addon_list(ctx):
    return paginate(ctx, _in_cluster(ctx, 'eks_addon', 'addonName'), {}, 'addons',
                    'nextToken', 'nextToken', 'maxResults')


def addon_update(ctx):
    rec = _addon(ctx)
    for k in ('addonVersion', 'serviceAccountRoleArn', 'configurationValues'):
        if k in ctx.params:
            rec[k] = ctx.params[k]
    rec['modifiedAt'] = ctx.now
    return _update(ctx, 'AddonUpdate', [])


def addon_delete(ctx):
    rec = _addon(ctx)
    out = EKS_ADDON.show(ctx, rec)
    out['status'] = 'DELETING'
    del ctx.store.table('eks_addon')[rec['_key']]
    return {'addon': out}


def _eks_handlers():
    return {'CreateNodegroup': ng_create, 'DescribeNodegroup': ng_describe, 'ListNodegroups': ng_list,
            'DeleteNodegroup': ng_delete, 'UpdateNodegroupConfig': ng_update_config,
            'UpdateNodegroupVersion': ng_update_version,
            'CreateAddon': addon_create, 'DescribeAddon': addon_describe, 'ListAddons': addon_list,
            'UpdateAddon': addon_update, 'DeleteAddon': addon_delete,
            'CreateCluster': eks_create, 'DescribeCluster': eks_describe, 'ListClusters': eks_list,
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


def _ec_node_groups(rid, shards, replicas):
    """Cluster mode: shards of a primary and its replicas (NodeGroup,
    NodeGroupMember); one group without cluster mode."""
    out = []
    for g in range(shards):
        members = ['%s-%04d-%03d' % (rid, g + 1, i + 1) for i in range(replicas + 1)]
        out.append({'NodeGroupId': '%04d' % (g + 1), 'Slots': '0-16383' if shards == 1 else
                    '%d-%d' % (g * 16384 // shards, (g + 1) * 16384 // shards - 1),
                    'NodeGroupMembers': [{'CacheClusterId': m, 'CacheNodeId': '0001',
                                          'CurrentRole': 'primary' if i == 0 else 'replica'}
                                         for i, m in enumerate(members)]})
    return out


def _ec_repl_build(ctx):
    p = ctx.params
    rid = p['ReplicationGroupId'].lower()
    if rid in ctx.store.table('ec_repl_group'):
        raise ApiError('ReplicationGroupAlreadyExists', 'Replication group %s already exists.' % rid)
    if p.get('CacheSubnetGroupName'):
        EC_SUBNET_GROUP.get(ctx, p['CacheSubnetGroupName'].lower())
    pg = EC_PARAM_GROUP.get(ctx, p['CacheParameterGroupName'].lower()) if p.get('CacheParameterGroupName') else None
    cluster = 'NumNodeGroups' in p or bool(pg and pg['_params'].get('cluster-enabled') == 'yes')
    if cluster:
        shards, replicas = p.get('NumNodeGroups', 1), p.get('ReplicasPerNodeGroup', 0)
    else:
        shards, replicas = 1, p.get('NumCacheClusters', 1) - 1
    if p.get('AutomaticFailoverEnabled') and replicas < 1:
        raise ApiError('InvalidParameterCombination', 'When automatic failover is enabled, NumCacheClusters must '
                       'be at least 2.')
    if cluster and shards > 1 and not p.get('AutomaticFailoverEnabled'):
        raise ApiError('InvalidParameterCombination', 'Automatic failover must be enabled for cluster mode.')
    if p.get('AuthToken') and not p.get('TransitEncryptionEnabled'):
        raise ApiError('InvalidParameterCombination', 'AuthToken requires TransitEncryptionEnabled.')
    groups = _ec_node_groups(rid, shards, replicas)
    host = '%s.abcdef.clustercfg.use1.cache.amazonaws.com' % rid
    rec = {'ReplicationGroupId': rid, 'Description': p['ReplicationGroupDescription'],
           'MemberClusters': [m['CacheClusterId'] for g in groups for m in g['NodeGroupMembers']],
           'NodeGroups': groups,
           'AutomaticFailover': 'enabled' if p.get('AutomaticFailoverEnabled') else 'disabled',
           'MultiAZ': 'enabled' if p.get('MultiAZEnabled') else 'disabled', 'ClusterEnabled': cluster,
           'CacheNodeType': p.get('CacheNodeType', 'cache.t3.micro'),
           'AtRestEncryptionEnabled': p.get('AtRestEncryptionEnabled', False),
           'TransitEncryptionEnabled': p.get('TransitEncryptionEnabled', False),
           'AuthTokenEnabled': bool(p.get('AuthToken')),
           '_auth_tokens': [p['AuthToken']] if p.get('AuthToken') else [],
           'SnapshotRetentionLimit': p.get('SnapshotRetentionLimit', 0),
           'SnapshotWindow': p.get('SnapshotWindow', '05:00-06:00'),
           'ARN': ctx.store.arn('elasticache', 'replicationgroup:' + rid),
           '_subnet_group': (p.get('CacheSubnetGroupName') or '').lower(), '_tags': list(p.get('Tags', [])),
           '_param_group': pg['CacheParameterGroupName'] if pg else ''}
    if p.get('KmsKeyId'):
        rec['KmsKeyId'] = p['KmsKeyId']
    if cluster:
        rec['ConfigurationEndpoint'] = {'Address': host, 'Port': p.get('Port', 6379)}
    else:
        rec['NodeGroups'][0].update(PrimaryEndpoint={'Address': 'master.' + host, 'Port': 6379},
                                    ReaderEndpoint={'Address': 'replica.' + host, 'Port': 6379})
    return rec


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
    for k in ('CacheNodeType', 'SnapshotRetentionLimit', 'SnapshotWindow'):
        if k in p:
            rec[k] = p[k]
    for k, member in (('AutomaticFailoverEnabled', 'AutomaticFailover'), ('MultiAZEnabled', 'MultiAZ')):
        if k in p:
            rec[member] = 'enabled' if p[k] else 'disabled'
    if 'AuthToken' in p:
        _ec_auth_token(rec, p['AuthToken'], p.get('AuthTokenUpdateStrategy', 'ROTATE'))
    return {'ReplicationGroup': EC_REPL.show(ctx, rec)}


def _ec_auth_token(rec, token, strategy):
    """ModifyReplicationGroup's AuthTokenUpdateStrategy (ElastiCache API
    Reference, ModifyReplicationGroup): ROTATE, the default, adds the new
    token and keeps the old one accepted; SET, allowed only after ROTATE,
    leaves the new one alone; tokens need in-transit encryption."""
    if not rec.get('TransitEncryptionEnabled'):
        raise ApiError('InvalidParameterCombination', 'AuthToken requires TransitEncryptionEnabled.')
    tokens = rec.setdefault('_auth_tokens', [])
    if strategy == 'SET':
        if len(tokens) < 2:
            raise ApiError('InvalidParameterCombination', 'The SET strategy is allowed only after ROTATE.')
        rec['_auth_tokens'] = [token]
    elif strategy == 'ROTATE':
        rec['_auth_tokens'] = tokens[-1:] + [token]
    else:
        raise ApiError('InvalidParameterValue', 'AuthTokenUpdateStrategy %s needs no AuthToken.' % strategy)
    rec['AuthTokenEnabled'] = True


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
    for table, field in (('ec_repl_group', '_tags'), ('ec_subnet_group', 'TagList'), ('ec_param_group', 'TagList')):
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
def _ec_param_group_build(ctx):
    p = ctx.params
    name = p['CacheParameterGroupName'].lower()
    if name in ctx.store.table('ec_param_group'):
        raise ApiError('CacheParameterGroupAlreadyExists', 'Parameter group %s already exists.' % name)
    return {'CacheParameterGroupName': name, 'CacheParameterGroupFamily': p['CacheParameterGroupFamily'],
            'Description': p['Description'], 'IsGlobal': False, '_params': {},
            'ARN': ctx.store.arn('elasticache', 'parametergroup:' + name), 'TagList': list(p.get('Tags', []))}


def _ec_param_group(ctx):
    return EC_PARAM_GROUP.get(ctx, ctx.params['CacheParameterGroupName'].lower())


def ec_describe_param_groups(ctx):
    name = ctx.params.get('CacheParameterGroupName')
    recs = [_ec_param_group(ctx)] if name else list(ctx.store.table('ec_param_group').values())
    return paginate(ctx, [{k: v for k, v in public(r).items() if k != 'TagList'} for r in recs], {},
                    'CacheParameterGroups', 'Marker', 'Marker', 'MaxRecords')


def ec_modify_param_group(ctx):
    rec = _ec_param_group(ctx)
    for prm in ctx.params['ParameterNameValues']:
        rec['_params'][prm['ParameterName']] = prm.get('ParameterValue')
    return {'CacheParameterGroupName': rec['CacheParameterGroupName']}


def ec_describe_params(ctx):
    rec = _ec_param_group(ctx)
    params = [{'ParameterName': k, 'ParameterValue': v, 'Source': 'user', 'IsModifiable': True}
              for k, v in sorted(rec['_params'].items())]
    return paginate(ctx, params, {}, 'Parameters', 'Marker', 'Marker', 'MaxRecords')


def _ec_param_group_delete(ctx, rec):
    if any(r.get('_param_group') == rec['CacheParameterGroupName'] for r in ctx.store.table('ec_repl_group').values()):
        raise ApiError('InvalidCacheParameterGroupState', 'Parameter group %s is in use.'
                       % rec['CacheParameterGroupName'])


EC_PARAM_GROUP = Res('ec_param_group', 'CacheParameterGroupName',
                     create=('CreateCacheParameterGroup', 'CacheParameterGroup', _ec_param_group_build),
                     delete=('DeleteCacheParameterGroup', 'CacheParameterGroupName', _ec_param_group_delete),
                     not_found='CacheParameterGroupNotFound', not_found_msg='Parameter group %s not found.')
EC_REPL = Res('ec_repl_group', 'ReplicationGroupId', create=('CreateReplicationGroup', 'ReplicationGroup', _ec_repl_build),
              delete=('DeleteReplicationGroup', 'ReplicationGroupId', ec_delete_repl), render=_ec_render,
              lifecycle=('Status', [('creating', 0), ('available', 300)]),
              not_found='ReplicationGroupNotFoundFault', not_found_msg='Replication group %s not found.')


def _ec_handlers():
    h = {}
    for res in (EC_SUBNET_GROUP, EC_PARAM_GROUP, EC_REPL):
        h.update(res.handlers())
    h.update({'DescribeCacheParameterGroups': ec_describe_param_groups,
              'ModifyCacheParameterGroup': ec_modify_param_group, 'DescribeCacheParameters': ec_describe_params})
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
    mail_from = dict(rec.get('mail_from') or {})
    if mail_from.get('MailFromDomain'):
        mail_from['MailFromDomainStatus'] = 'SUCCESS' if _mx_exists(ctx, mail_from['MailFromDomain']) else 'PENDING'
    return {'IdentityType': rec['type'], 'FeedbackForwardingStatus': True, 'VerifiedForSendingStatus': ok,
            'VerificationStatus': status, 'Tags': rec['tags'], 'MailFromAttributes': mail_from,
            'DkimAttributes': {'SigningEnabled': rec['type'] == 'DOMAIN', 'Tokens': rec['tokens'],
                               'Status': status if rec['tokens'] else 'NOT_STARTED',
                               'SigningAttributesOrigin': 'AWS_SES'}}


def _mx_exists(ctx, domain):
    name = domain.lower().rstrip('.') + '.'
    return any(r['Type'] == 'MX' and r['Name'] == name for z in ctx.store.table('r53_zone').values()
               for r in z['_records'])


def ses_put_mail_from(ctx):
    """Custom MAIL FROM: verified once its MX record exists."""
    rec = _identity(ctx)
    rec['mail_from'] = {'MailFromDomain': ctx.params.get('MailFromDomain', ''),
                        'BehaviorOnMxFailure': ctx.params.get('BehaviorOnMxFailure', 'USE_DEFAULT_VALUE')}
    if not rec['mail_from']['MailFromDomain']:
        rec['mail_from'] = {}
    return {}


def ses_list(ctx):
    rows = [{'IdentityType': r['type'], 'IdentityName': r['name'], 'SendingEnabled': _identity_state(ctx, r),
             'VerificationStatus': 'SUCCESS' if r['verified'] else 'PENDING'}
            for r in sorted(ctx.store.table('ses_identity').values(), key=lambda r: r['name'])]
    return paginate(ctx, rows, {}, 'EmailIdentities', 'NextToken', 'NextToken', 'PageSize')


def ses_delete(ctx):
    del ctx.store.table('ses_identity')[_identity(ctx)['name']]
    return {}


# Configuration sets: option groups as AWS answers them (sending on,
# reputation metrics off, TLS optional when never set), event destinations
# per set.
_SET_DEFAULTS = {'SendingOptions': {'SendingEnabled': True}, 'ReputationOptions': {'ReputationMetricsEnabled': False},
                 'DeliveryOptions': {'TlsPolicy': 'OPTIONAL'}}
_SET_GROUPS = ('TrackingOptions', 'DeliveryOptions', 'ReputationOptions', 'SendingOptions', 'SuppressionOptions',
               'VdmOptions')


def _config_set(ctx):
    name = ctx.params['ConfigurationSetName']
    return lookup(ctx, 'ses_config_set', name, 'NotFoundException', 'Configuration set <%s> does not exist.' % name,
                  404)


def ses_create_set(ctx):
    p = ctx.params
    table = ctx.store.table('ses_config_set')
    if p['ConfigurationSetName'] in table:
        raise ApiError('AlreadyExistsException', 'Configuration set <%s> already exists.' % p['ConfigurationSetName'])
    opts = {g: dict(v) for g, v in _SET_DEFAULTS.items()}
    opts.update({g: p[g] for g in _SET_GROUPS if g in p})
    table[p['ConfigurationSetName']] = {'name': p['ConfigurationSetName'], 'options': opts,
                                        'tags': list(p.get('Tags', [])), 'destinations': {}}
    return {}


def ses_get_set(ctx):
    rec = _config_set(ctx)
    out = {'ConfigurationSetName': rec['name'], 'Tags': rec['tags']}
    out.update(rec['options'])
    return out


def ses_list_sets(ctx):
    names = sorted(ctx.store.table('ses_config_set'))
    return paginate(ctx, names, {}, 'ConfigurationSets', 'NextToken', 'NextToken', 'PageSize')


def ses_delete_set(ctx):
    del ctx.store.table('ses_config_set')[_config_set(ctx)['name']]
    return {}


def _put_options(group):
    def handler(ctx):
        rec = _config_set(ctx)
        rec['options'][group] = {k: v for k, v in ctx.params.items() if k != 'ConfigurationSetName'}
        return {}
    return handler


def _destination(ctx, rec):
    name = ctx.params['EventDestinationName']
    if name not in rec['destinations']:
        raise ApiError('NotFoundException', 'Event destination %s does not exist.' % name, 404)
    return name


def ses_create_destination(ctx):
    rec = _config_set(ctx)
    name = ctx.params['EventDestinationName']
    if name in rec['destinations']:
        raise ApiError('AlreadyExistsException', 'Event destination %s already exists.' % name)
    rec['destinations'][name] = dict(ctx.params['EventDestination'])
    return {}


def ses_get_destinations(ctx):
    rec = _config_set(ctx)
    out = []
    for name in sorted(rec['destinations']):
        d = {'Name': name, 'Enabled': False}
        d.update(rec['destinations'][name])
        out.append(d)
    return {'EventDestinations': out}


def ses_update_destination(ctx):
    rec = _config_set(ctx)
    rec['destinations'][_destination(ctx, rec)] = dict(ctx.params['EventDestination'])
    return {}


def ses_delete_destination(ctx):
    rec = _config_set(ctx)
    del rec['destinations'][_destination(ctx, rec)]
    return {}


def _template(ctx):
    name = ctx.params['TemplateName']
    return lookup(ctx, 'ses_template', name, 'NotFoundException', 'Email template %s does not exist.' % name, 404)


def ses_create_template(ctx):
    table = ctx.store.table('ses_template')
    name = ctx.params['TemplateName']
    if name in table:
        raise ApiError('AlreadyExistsException', 'Email template %s already exists.' % name)
    table[name] = {'name': name, 'content': dict(ctx.params['TemplateContent']), 'created': ctx.now}
    return {}


def ses_get_template(ctx):
    rec = _template(ctx)
    return {'TemplateName': rec['name'], 'TemplateContent': rec['content']}


def ses_list_templates(ctx):
    rows = [{'TemplateName': r['name'], 'CreatedTimestamp': r['created']}
            for r in sorted(ctx.store.table('ses_template').values(), key=lambda r: r['name'])]
    return paginate(ctx, rows, {}, 'TemplatesMetadata', 'NextToken', 'NextToken', 'PageSize')


def ses_update_template(ctx):
    _template(ctx)['content'] = dict(ctx.params['TemplateContent'])
    return {}


def ses_delete_template(ctx):
    del ctx.store.table('ses_template')[_template(ctx)['name']]
    return {}


# The account starts in the sandbox. PutAccountDetails asking for
# production access opens a review (PENDING); a person decides it. Tests
# decide it through the control API: POST /_fake/state {"type":
# "ses_account", "id": "123456789012", "set": {"production_access": true,
# "review_status": "GRANTED"}} (or "DENIED").
def _account(ctx):
    table = ctx.store.table('ses_account')
    if ACCOUNT not in table:
        table[ACCOUNT] = {'production_access': False, 'review_status': None, 'case_id': None, 'details': None}
    return table[ACCOUNT]


def ses_get_account(ctx):
    rec = _account(ctx)
    quota = {'Max24HourSend': 50000.0, 'MaxSendRate': 14.0} if rec['production_access'] else \
        {'Max24HourSend': 200.0, 'MaxSendRate': 1.0}
    quota['SentLast24Hours'] = 0.0
    out = {'DedicatedIpAutoWarmupEnabled': False, 'EnforcementStatus': 'HEALTHY',
           'ProductionAccessEnabled': rec['production_access'], 'SendQuota': quota, 'SendingEnabled': True,
           'SuppressionAttributes': {'SuppressedReasons': []}}
    if rec['details']:
        out['Details'] = dict(rec['details'])
        if rec['review_status']:
            out['Details']['ReviewDetails'] = {'Status': rec['review_status'], 'CaseId': rec['case_id']}
    return out


def ses_put_account_details(ctx):
    rec = _account(ctx)
    rec['details'] = {k: v for k, v in ctx.params.items() if k != 'ProductionAccessEnabled'}
    if ctx.params.get('ProductionAccessEnabled') and not rec['production_access']:
        rec['review_status'] = 'PENDING'
        rec['case_id'] = hashlib.sha1(repr(ctx.now).encode()).hexdigest()[:10]
    return {}


def _ses_handlers():
    return {'CreateEmailIdentity': ses_create, 'GetEmailIdentity': ses_get, 'ListEmailIdentities': ses_list,
            'DeleteEmailIdentity': ses_delete, 'PutEmailIdentityMailFromAttributes': ses_put_mail_from,
            'CreateConfigurationSet': ses_create_set, 'GetConfigurationSet': ses_get_set,
            'ListConfigurationSets': ses_list_sets, 'DeleteConfigurationSet': ses_delete_set,
            'PutConfigurationSetSendingOptions': _put_options('SendingOptions'),
            'PutConfigurationSetReputationOptions': _put_options('ReputationOptions'),
            'PutConfigurationSetSuppressionOptions': _put_options('SuppressionOptions'),
            'PutConfigurationSetDeliveryOptions': _put_options('DeliveryOptions'),
            'CreateConfigurationSetEventDestination': ses_create_destination,
            'GetConfigurationSetEventDestinations': ses_get_destinations,
            'UpdateConfigurationSetEventDestination': ses_update_destination,
            'DeleteConfigurationSetEventDestination': ses_delete_destination,
            'CreateEmailTemplate': ses_create_template, 'GetEmailTemplate': ses_get_template,
            'ListEmailTemplates': ses_list_templates, 'UpdateEmailTemplate': ses_update_template,
            'DeleteEmailTemplate': ses_delete_template,
            'GetAccount': ses_get_account, 'PutAccountDetails': ses_put_account_details}


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
