"""The fake's resource table: one Res row per AWS resource type plus the
small named hooks where a service does something the generic engine does
not.  build_handlers() returns {(service, operation): handler(ctx)}."""
import ipaddress

from engine import ACCOUNT, Res, public, paginate, ec2_filter
from wire import ApiError

import svc_iam      # noqa: E402  (other services register themselves below)
import svc_misc     # noqa: E402
import svc_more     # noqa: E402
import svc_extra    # noqa: E402
import svc_lb_backup  # noqa: E402
import svc_bedrock  # noqa: E402
import svc_cloudtrail  # noqa: E402
import svc_dynamodb  # noqa: E402
import svc_sqs      # noqa: E402
import svc_events   # noqa: E402


def _need(ctx, res, rid):
    return res.get(ctx, rid)


# ============================================================== EC2 network

def _vpc_build(ctx):
    p = ctx.params
    try:
        net = ipaddress.ip_network(p.get('CidrBlock', ''))
    except ValueError:
        raise ApiError('InvalidParameterValue', "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block."
                       % p.get('CidrBlock'))
    if not 16 <= net.prefixlen <= 28:
        raise ApiError('InvalidVpc.Range', 'The CIDR %r is invalid.' % p['CidrBlock'])
    vid = ctx.store.new_id('vpc-{hex17}')
    rec = {'VpcId': vid, 'CidrBlock': str(net), 'DhcpOptionsId': 'dopt-0fake000000000001',
           'InstanceTenancy': p.get('InstanceTenancy', 'default'), 'IsDefault': False, 'OwnerId': ACCOUNT,
           'CidrBlockAssociationSet': [{'AssociationId': ctx.store.new_id('vpc-cidr-assoc-{hex17}'),
                                        'CidrBlock': str(net), 'CidrBlockState': {'State': 'associated'}}],
           '_attrs': {'EnableDnsSupport': True, 'EnableDnsHostnames': False}}
    # AWS creates a main route table and a default security group with every VPC.
    rt = {'RouteTableId': ctx.store.new_id('rtb-{hex17}'), 'VpcId': vid, 'OwnerId': ACCOUNT, 'Tags': [],
          'Routes': [_local_route(str(net))], 'PropagatingVgws': [],
          'Associations': [{'Main': True, 'RouteTableAssociationId': ctx.store.new_id('rtbassoc-{hex17}'),
                            'RouteTableId': None, 'AssociationState': {'State': 'associated'}}]}
    rt['Associations'][0]['RouteTableId'] = rt['RouteTableId']
    ROUTE_TABLE.add(ctx, rt)
    sg = {'GroupId': ctx.store.new_id('sg-{hex17}'), 'GroupName': 'default', 'VpcId': vid, 'OwnerId': ACCOUNT,
          'Description': 'default VPC security group', 'Tags': []}
    SECURITY_GROUP.add(ctx, sg)
    _add_rule(ctx, sg, True, {'IpProtocol': '-1', 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]})
    return rec


def _local_route(cidr):
    return {'DestinationCidrBlock': cidr, 'GatewayId': 'local', 'State': 'active', 'Origin': 'CreateRouteTable'}


def _vpc_delete(ctx, vpc):
    vid = vpc['VpcId']
    deps = [s['SubnetId'] for s in ctx.store.table('subnet').values() if s['VpcId'] == vid]
    deps += [g['InternetGatewayId'] for g in ctx.store.table('igw').values()
             if any(a['VpcId'] == vid for a in g['Attachments'])]
    deps += [g['GroupId'] for g in ctx.store.table('sg').values() if g['VpcId'] == vid and g['GroupName'] != 'default']
    deps += [r['RouteTableId'] for r in ctx.store.table('rtb').values()
             if r['VpcId'] == vid and not any(a.get('Main') for a in r['Associations'])]
    if deps:
        raise ApiError('DependencyViolation', "The vpc '%s' has dependencies and cannot be deleted." % vid)
    for g in [g for g in ctx.store.table('sg').values() if g['VpcId'] == vid]:
        _drop_sg(ctx, g)
    for r in [r for r in ctx.store.table('rtb').values() if r['VpcId'] == vid]:
        del ctx.store.table('rtb')[r['RouteTableId']]
    return None


def _vpc_modify_attribute(ctx):
    vpc = VPC.get(ctx, ctx.params['VpcId'])
    for attr in ('EnableDnsSupport', 'EnableDnsHostnames'):
        if attr in ctx.params:
            vpc['_attrs'][attr] = ctx.params[attr]['Value']
    return {}


def _vpc_describe_attribute(ctx):
    vpc = VPC.get(ctx, ctx.params['VpcId'])
    attr = ctx.params['Attribute']
    key = attr[0].upper() + attr[1:]
    return {'VpcId': vpc['VpcId'], key: {'Value': vpc['_attrs'].get(key, False)}}


def _subnet_build(ctx):
    p = ctx.params
    vpc = VPC.get(ctx, p['VpcId'])
    try:
        net = ipaddress.ip_network(p.get('CidrBlock', ''))
    except ValueError:
        raise ApiError('InvalidParameterValue', 'Value (%s) for parameter cidrBlock is invalid.' % p.get('CidrBlock'))
    if not net.subnet_of(ipaddress.ip_network(vpc['CidrBlock'])):
        raise ApiError('InvalidSubnet.Range', "The CIDR '%s' is invalid." % p['CidrBlock'])
    for s in ctx.store.table('subnet').values():
        if s['VpcId'] == vpc['VpcId'] and net.overlaps(ipaddress.ip_network(s['CidrBlock'])):
            raise ApiError('InvalidSubnet.Conflict', "The CIDR '%s' conflicts with another subnet" % p['CidrBlock'])
    az = p.get('AvailabilityZone') or ctx.store.region + 'a'
    sid = ctx.store.new_id('subnet-{hex17}')
    return {'SubnetId': sid, 'VpcId': vpc['VpcId'], 'CidrBlock': str(net), 'AvailabilityZone': az,
            'AvailabilityZoneId': 'use1-az%d' % (ord(az[-1]) - 96), 'State': 'available',
            'AvailableIpAddressCount': net.num_addresses - 5, 'DefaultForAz': False,
            'MapPublicIpOnLaunch': False, 'OwnerId': ACCOUNT, 'AssignIpv6AddressOnCreation': False,
            'SubnetArn': ctx.store.arn('ec2', 'subnet/' + sid)}


def _subnet_delete(ctx, subnet):
    if any(n['SubnetId'] == subnet['SubnetId'] and n['State'] not in ('deleted', 'deleting')
           for n in ctx.store.table('nat').values()):
        raise ApiError('DependencyViolation', "The subnet '%s' has dependencies and cannot be deleted."
                       % subnet['SubnetId'])
    for rt in ctx.store.table('rtb').values():
        rt['Associations'] = [a for a in rt['Associations'] if a.get('SubnetId') != subnet['SubnetId']]


def _subnet_modify_attribute(ctx):
    s = SUBNET.get(ctx, ctx.params['SubnetId'])
    for attr in ('MapPublicIpOnLaunch', 'AssignIpv6AddressOnCreation'):
        if attr in ctx.params:
            s[attr] = ctx.params[attr]['Value']
    return {}


def _igw_build(ctx):
    return {'InternetGatewayId': ctx.store.new_id('igw-{hex17}'), 'Attachments': [], 'OwnerId': ACCOUNT}


def _igw_attach(ctx):
    igw = IGW.get(ctx, ctx.params['InternetGatewayId'])
    vpc = VPC.get(ctx, ctx.params['VpcId'])
    if igw['Attachments']:
        raise ApiError('Resource.AlreadyAssociated', 'resource %s is already attached to network %s'
                       % (igw['InternetGatewayId'], igw['Attachments'][0]['VpcId']))
    if any(a['VpcId'] == vpc['VpcId'] for g in ctx.store.table('igw').values() for a in g['Attachments']):
        raise ApiError('InvalidParameterValue', 'Network %s already has an internet gateway attached' % vpc['VpcId'])
    igw['Attachments'] = [{'VpcId': vpc['VpcId'], 'State': 'available'}]
    return {}


def _igw_detach(ctx):
    igw = IGW.get(ctx, ctx.params['InternetGatewayId'])
    if not any(a['VpcId'] == ctx.params['VpcId'] for a in igw['Attachments']):
        raise ApiError('Gateway.NotAttached', 'resource %s is not attached to network %s'
                       % (igw['InternetGatewayId'], ctx.params['VpcId']))
    igw['Attachments'] = []
    return {}


def _igw_delete(ctx, igw):
    if igw['Attachments']:
        raise ApiError('DependencyViolation', "The internetGateway '%s' has dependencies and cannot be deleted."
                       % igw['InternetGatewayId'])


def _eip_build(ctx):
    n = len(ctx.store.table('eip')) + 1
    return {'AllocationId': ctx.store.new_id('eipalloc-{hex17}'), 'Domain': 'vpc',
            'PublicIp': '198.51.100.%d' % (n % 250 + 1), 'PublicIpv4Pool': 'amazon',
            'NetworkBorderGroup': ctx.store.region}


def _eip_allocate(ctx):
    rec = EIP.h_create(ctx)['Address']
    return {k: rec[k] for k in ('AllocationId', 'PublicIp', 'Domain', 'PublicIpv4Pool', 'NetworkBorderGroup')}


def _eip_release(ctx, eip):
    if eip.get('AssociationId') or any(a.get('AllocationId') == eip['AllocationId']
                                       for n in ctx.store.table('nat').values() if n['State'] != 'deleted'
                                       for a in n['NatGatewayAddresses']):
        raise ApiError('InvalidIPAddress.InUse', 'Address %s is in use.' % eip['PublicIp'])


def _nat_build(ctx):
    p = ctx.params
    subnet = SUBNET.get(ctx, p['SubnetId'])
    addrs = []
    if p.get('ConnectivityType', 'public') == 'public':
        if 'AllocationId' not in p:
            raise ApiError('MissingParameter', 'The request must contain the parameter AllocationId')
        eip = EIP.get(ctx, p['AllocationId'])
        addrs = [{'AllocationId': eip['AllocationId'], 'PublicIp': eip['PublicIp'],
                  'PrivateIp': str(next(ipaddress.ip_network(subnet['CidrBlock']).hosts()) + 10),
                  'NetworkInterfaceId': ctx.store.new_id('eni-{hex17}')}]
    return {'NatGatewayId': ctx.store.new_id('nat-{hex17}'), 'SubnetId': subnet['SubnetId'],
            'VpcId': subnet['VpcId'], 'CreateTime': ctx.now, 'NatGatewayAddresses': addrs,
            'ConnectivityType': p.get('ConnectivityType', 'public')}


def _nat_delete(ctx, nat):
    # Deleted NAT gateways stay visible in state "deleted" for a while, as in AWS.
    nat['State'] = 'deleted'
    nat['_frozen'] = True
    nat['DeleteTime'] = ctx.now
    return {'NatGatewayId': nat['NatGatewayId']}


def _rtb_build(ctx):
    vpc = VPC.get(ctx, ctx.params['VpcId'])
    return {'RouteTableId': ctx.store.new_id('rtb-{hex17}'), 'VpcId': vpc['VpcId'], 'OwnerId': ACCOUNT,
            'Routes': [_local_route(vpc['CidrBlock'])], 'Associations': [], 'PropagatingVgws': []}


ROUTE_TARGETS = ('GatewayId', 'NatGatewayId', 'NetworkInterfaceId', 'VpcPeeringConnectionId',
                 'TransitGatewayId', 'InstanceId', 'EgressOnlyInternetGatewayId')


def _route_target(ctx):
    targets = {k: ctx.params[k] for k in ROUTE_TARGETS if ctx.params.get(k)}
    if len(targets) != 1:
        raise ApiError('InvalidParameterCombination', 'The parameter combination is not valid: '
                       'exactly one route target must be given.')
    k, v = next(iter(targets.items()))
    if k == 'GatewayId' and v.startswith('igw-'):
        IGW.get(ctx, v)
    if k == 'NatGatewayId':
        NAT.get(ctx, v)
    return k, v


def _route_dest(ctx):
    dest = ctx.params.get('DestinationCidrBlock')
    if not dest:
        raise ApiError('MissingParameter', 'The request must contain the parameter destinationCidrBlock')
    return dest


def _route_create(ctx):
    rt = ROUTE_TABLE.get(ctx, ctx.params['RouteTableId'])
    dest = _route_dest(ctx)
    k, v = _route_target(ctx)
    if any(r.get('DestinationCidrBlock') == dest for r in rt['Routes']):
        raise ApiError('RouteAlreadyExists', 'The route identified by %s already exists.' % dest)
    rt['Routes'].append({'DestinationCidrBlock': dest, k: v, 'State': 'active', 'Origin': 'CreateRoute'})
    return {'Return': True}


def _route_find(ctx, rt, dest):
    for r in rt['Routes']:
        if r.get('DestinationCidrBlock') == dest:
            return r
    raise ApiError('InvalidRoute.NotFound', 'no route with destination-cidr-block %s in route table %s'
                   % (dest, rt['RouteTableId']))


def _route_replace(ctx):
    rt = ROUTE_TABLE.get(ctx, ctx.params['RouteTableId'])
    r = _route_find(ctx, rt, _route_dest(ctx))
    k, v = _route_target(ctx)
    for t in ROUTE_TARGETS:
        r.pop(t, None)
    r[k] = v
    return {}


def _route_delete(ctx):
    rt = ROUTE_TABLE.get(ctx, ctx.params['RouteTableId'])
    r = _route_find(ctx, rt, _route_dest(ctx))
    if r.get('GatewayId') == 'local':
        raise ApiError('InvalidParameterValue', 'cannot remove local route %s in route table %s'
                       % (r['DestinationCidrBlock'], rt['RouteTableId']))
    rt['Routes'].remove(r)
    return {}


def _rtb_associate(ctx):
    rt = ROUTE_TABLE.get(ctx, ctx.params['RouteTableId'])
    sid = ctx.params.get('SubnetId')
    if not sid:
        raise ApiError('MissingParameter', 'The request must contain the parameter subnetId')
    SUBNET.get(ctx, sid)
    for other in ctx.store.table('rtb').values():
        if any(a.get('SubnetId') == sid for a in other['Associations']):
            raise ApiError('Resource.AlreadyAssociated', 'the specified association for route table %s conflicts '
                           'with an existing association' % other['RouteTableId'])
    assoc = {'RouteTableAssociationId': ctx.store.new_id('rtbassoc-{hex17}'), 'RouteTableId': rt['RouteTableId'],
             'SubnetId': sid, 'Main': False, 'AssociationState': {'State': 'associated'}}
    rt['Associations'].append(assoc)
    return {'AssociationId': assoc['RouteTableAssociationId'], 'AssociationState': {'State': 'associated'}}


def _rtb_disassociate(ctx):
    aid = ctx.params['AssociationId']
    for rt in ctx.store.table('rtb').values():
        for a in rt['Associations']:
            if a['RouteTableAssociationId'] == aid:
                if a.get('Main'):
                    raise ApiError('InvalidParameterValue', 'cannot disassociate the main route table association %s'
                                   % aid)
                rt['Associations'].remove(a)
                return {}
    raise ApiError('InvalidAssociationID.NotFound', "The association ID '%s' does not exist" % aid)


def _rtb_delete(ctx, rt):
    if rt['Associations']:
        raise ApiError('DependencyViolation', "The routeTable '%s' has dependencies and cannot be deleted."
                       % rt['RouteTableId'])


def _sg_build(ctx):
    p = ctx.params
    vpc_id = p.get('VpcId')
    if not vpc_id:
        raise ApiError('VPCIdNotSpecified', 'No default VPC for this user')
    VPC.get(ctx, vpc_id)
    for g in ctx.store.table('sg').values():
        if g['VpcId'] == vpc_id and g['GroupName'] == p['GroupName']:
            raise ApiError('InvalidGroup.Duplicate', "The security group '%s' already exists for VPC '%s'"
                           % (p['GroupName'], vpc_id))
    if p['GroupName'].startswith('sg-'):
        raise ApiError('InvalidParameterValue', "Group names may not be in the format sg-*")
    return {'GroupId': ctx.store.new_id('sg-{hex17}'), 'GroupName': p['GroupName'],
            'Description': p['Description'], 'VpcId': vpc_id, 'OwnerId': ACCOUNT}


def _sg_create(ctx):
    out = SECURITY_GROUP.h_create(ctx)
    sg = SECURITY_GROUP.get(ctx, out['Group']['GroupId'])
    _add_rule(ctx, sg, True, {'IpProtocol': '-1', 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]})
    return {'GroupId': sg['GroupId'], 'Tags': sg.get('Tags', [])}


def _sg_lookup(ctx):
    p = ctx.params
    if p.get('GroupId'):
        return SECURITY_GROUP.get(ctx, p['GroupId'])
    for g in ctx.store.table('sg').values():
        if g['GroupName'] == p.get('GroupName'):
            return g
    raise ApiError('InvalidGroup.NotFound', "The security group '%s' does not exist" % p.get('GroupName'))


def _drop_sg(ctx, sg):
    _rules_changed(ctx)
    for rid in [r['SecurityGroupRuleId'] for r in ctx.store.table('sgr').values() if r['GroupId'] == sg['GroupId']]:
        del ctx.store.table('sgr')[rid]
    del ctx.store.table('sg')[sg['GroupId']]


def _sg_delete(ctx):
    sg = _sg_lookup(ctx)
    if sg['GroupName'] == 'default':
        raise ApiError('CannotDelete', 'the specified group: "%s" name: "default" cannot be deleted by a user'
                       % sg['GroupId'])
    for r in ctx.store.table('sgr').values():
        if r.get('ReferencedGroupInfo', {}).get('GroupId') == sg['GroupId'] and r['GroupId'] != sg['GroupId']:
            raise ApiError('DependencyViolation', 'resource %s has a dependent object' % sg['GroupId'])
    _drop_sg(ctx, sg)
    return {}


def _rule_sources(perm):
    """One IpPermission expands to one rule per source, as in AWS."""
    for r in perm.get('IpRanges', []):
        yield {'CidrIpv4': r['CidrIp'], 'Description': r.get('Description')}
    for r in perm.get('Ipv6Ranges', []):
        yield {'CidrIpv6': r['CidrIpv6'], 'Description': r.get('Description')}
    for r in perm.get('UserIdGroupPairs', []):
        yield {'ReferencedGroupInfo': {'GroupId': r['GroupId'], 'UserId': ACCOUNT}, 'Description': r.get('Description')}
    for r in perm.get('PrefixListIds', []):
        yield {'PrefixListId': r['PrefixListId'], 'Description': r.get('Description')}


def _rule_key(r):
    return (r['GroupId'], r['IsEgress'], r['IpProtocol'], r.get('FromPort'), r.get('ToPort'), r.get('CidrIpv4'),
            r.get('CidrIpv6'), r.get('ReferencedGroupInfo', {}).get('GroupId'), r.get('PrefixListId'))


def _add_rule(ctx, sg, egress, perm):
    proto = str(perm.get('IpProtocol', '-1'))
    proto = {'tcp': 'tcp', '6': 'tcp', 'udp': 'udp', '17': 'udp', 'icmp': 'icmp', '1': 'icmp', 'all': '-1'}.get(proto, proto)
    added = []
    _rules_changed(ctx)
    for src in _rule_sources(perm):
        rule = {'SecurityGroupRuleId': ctx.store.new_id('sgr-{hex17}'), 'GroupId': sg['GroupId'],
                'GroupOwnerId': ACCOUNT, 'IsEgress': egress, 'IpProtocol': proto,
                'FromPort': perm.get('FromPort', -1) if proto != '-1' else -1,
                'ToPort': perm.get('ToPort', -1) if proto != '-1' else -1, 'Tags': []}
        rule.update({k: v for k, v in src.items() if v is not None})
        if 'ReferencedGroupInfo' in rule:
            SECURITY_GROUP.get(ctx, rule['ReferencedGroupInfo']['GroupId'])
        if any(_rule_key(r) == _rule_key(rule) for r in ctx.store.table('sgr').values()):
            raise ApiError('InvalidPermission.Duplicate', 'the specified rule "peer: %s, %s, ALLOW" already exists'
                           % (rule.get('CidrIpv4') or rule.get('CidrIpv6') or rule.get('ReferencedGroupInfo', {}).get('GroupId'),
                              proto.upper()))
        SG_RULE.add(ctx, rule)
        added.append(rule)
    return added


def _authorize(egress):
    def handler(ctx):
        sg = _sg_lookup(ctx)
        added = []
        for perm in ctx.params.get('IpPermissions', []):
            added += _add_rule(ctx, sg, egress, perm)
        if ctx.params.get('TagSpecifications'):
            for r in added:
                r['Tags'] = [t for s in ctx.params['TagSpecifications'] for t in s.get('Tags', [])]
        return {'Return': True, 'SecurityGroupRules': [public(r) for r in added]}
    return handler


def _revoke(egress):
    def handler(ctx):
        sg = _sg_lookup(ctx)
        table = ctx.store.table('sgr')
        doomed = []
        for rid in ctx.params.get('SecurityGroupRuleIds', []):
            if rid not in table or table[rid]['GroupId'] != sg['GroupId'] or table[rid]['IsEgress'] != egress:
                raise ApiError('InvalidSecurityGroupRuleId.NotFound', "The security group rule ID '%s' does not exist" % rid)
            doomed.append(rid)
        for perm in ctx.params.get('IpPermissions', []):
            probe = [dict(r, GroupId=sg['GroupId'], IsEgress=egress, IpProtocol=str(perm.get('IpProtocol', '-1')),
                          FromPort=perm.get('FromPort', -1), ToPort=perm.get('ToPort', -1))
                     for r in _rule_sources(perm)]
            for pr in probe:
                match = [r['SecurityGroupRuleId'] for r in table.values() if _rule_key(r) == _rule_key(pr)]
                if not match:
                    raise ApiError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.')
                doomed += match
        _rules_changed(ctx)
        for rid in doomed:
            table.pop(rid, None)
        return {'Return': True}
    return handler


def _rules_of(ctx, group_id):
    """The group's rules. A Describe renders every group in one request, so
    the rules are indexed by group once per request (not scanned once per
    group: quadratic at thousands of groups); a change to them drops the
    index."""
    index = ctx.__dict__.get('_sgr_by_group')
    if index is None:
        index = {}
        for r in ctx.store.table('sgr').values():
            index.setdefault(r['GroupId'], []).append(r)
        ctx._sgr_by_group = index
    return index.get(group_id, [])


def _rules_changed(ctx):
    ctx.__dict__.pop('_sgr_by_group', None)


def _sg_render(ctx, out, rec):
    """IpPermissions are derived from the rules, grouped as AWS groups them."""
    for egress, key in ((False, 'IpPermissions'), (True, 'IpPermissionsEgress')):
        perms = {}
        for r in _rules_of(ctx, rec['GroupId']):
            if r['IsEgress'] != egress:
                continue
            k = (r['IpProtocol'], r['FromPort'], r['ToPort'])
            perm = perms.setdefault(k, {'IpProtocol': r['IpProtocol'], 'IpRanges': [], 'Ipv6Ranges': [],
                                        'UserIdGroupPairs': [], 'PrefixListIds': []})
            if r['IpProtocol'] != '-1':
                perm['FromPort'], perm['ToPort'] = r['FromPort'], r['ToPort']
            d = {'Description': r['Description']} if r.get('Description') else {}
            if 'CidrIpv4' in r:
                perm['IpRanges'].append(dict(CidrIp=r['CidrIpv4'], **d))
            elif 'CidrIpv6' in r:
                perm['Ipv6Ranges'].append(dict(CidrIpv6=r['CidrIpv6'], **d))
            elif 'ReferencedGroupInfo' in r:
                perm['UserIdGroupPairs'].append(dict(GroupId=r['ReferencedGroupInfo']['GroupId'], UserId=ACCOUNT, **d))
            elif 'PrefixListId' in r:
                perm['PrefixListIds'].append(dict(PrefixListId=r['PrefixListId'], **d))
        out[key] = list(perms.values())
    return out


_sg_render.pure = True      # reads the rules only: the same until the state changes


EC2_TYPES_BY_PREFIX = {}


def _ec2_tag_target(ctx, rid):
    for prefix, res in EC2_TYPES_BY_PREFIX.items():
        if rid.startswith(prefix):
            return res.get(ctx, rid)
    raise ApiError('InvalidID', 'The ID %r is not valid' % rid)


def _create_tags(ctx):
    recs = [_ec2_tag_target(ctx, rid) for rid in ctx.params['Resources']]
    for rec in recs:
        tags = {t['Key']: t.get('Value', '') for t in rec.get('Tags', [])}
        for t in ctx.params['Tags']:
            tags[t['Key']] = t.get('Value', '')
        if len(tags) > 50:
            raise ApiError('TagLimitExceeded', 'The maximum number of tags per resource (50) was exceeded.')
        rec['Tags'] = [{'Key': k, 'Value': v} for k, v in tags.items()]
    return {}


def _delete_tags(ctx):
    for rid in ctx.params['Resources']:
        rec = _ec2_tag_target(ctx, rid)
        for t in ctx.params.get('Tags') or [{'Key': x['Key']} for x in rec.get('Tags', [])]:
            rec['Tags'] = [x for x in rec.get('Tags', []) if not (x['Key'] == t['Key'] and
                                                               ('Value' not in t or t['Value'] == x['Value']))]
    return {}


def _describe_tags(ctx):
    rows = []
    for prefix, res in EC2_TYPES_BY_PREFIX.items():
        for rec in ctx.store.table(res.name).values():
            for t in rec.get('Tags', []):
                rows.append({'ResourceId': rec[res.id_key], 'ResourceType': res.ec2_type, 'Key': t['Key'],
                             'Value': t['Value']})
    rows = ec2_filter(rows, ctx.params.get('Filters'), {'resource-id': 'ResourceId', 'resource-type': 'ResourceType',
                                                        'key': 'Key', 'value': 'Value'})
    return paginate(ctx, rows, {}, 'Tags')


def _not_found(kind):
    return "The %s ID '%%s' does not exist" % kind


VPC = Res('vpc', 'VpcId', create=('CreateVpc', 'Vpc', _vpc_build), lifecycle=('State', [('pending', 0), ('available', 1)]),
          describe=('DescribeVpcs', 'Vpcs', 'VpcIds', {'cidr': 'CidrBlock'}), delete=('DeleteVpc', 'VpcId', _vpc_delete),
          not_found='InvalidVpcID.NotFound', not_found_msg=_not_found('vpc'))
SUBNET = Res('subnet', 'SubnetId', create=('CreateSubnet', 'Subnet', _subnet_build),
             describe=('DescribeSubnets', 'Subnets', 'SubnetIds', {'cidr': 'CidrBlock'}),
             delete=('DeleteSubnet', 'SubnetId', _subnet_delete),
             not_found='InvalidSubnetID.NotFound', not_found_msg=_not_found('subnet'))
IGW = Res('igw', 'InternetGatewayId', create=('CreateInternetGateway', 'InternetGateway', _igw_build),
          describe=('DescribeInternetGateways', 'InternetGateways', 'InternetGatewayIds',
                    {'attachment.vpc-id': 'Attachments.VpcId', 'attachment.state': 'Attachments.State'}),
          delete=('DeleteInternetGateway', 'InternetGatewayId', _igw_delete),
          not_found='InvalidInternetGatewayID.NotFound', not_found_msg=_not_found('internetGateway'))
EIP = Res('eip', 'AllocationId', create=('AllocateAddress', 'Address', _eip_build),
          describe=('DescribeAddresses', 'Addresses', 'AllocationIds', {}),
          delete=('ReleaseAddress', 'AllocationId', _eip_release),
          not_found='InvalidAllocationID.NotFound', not_found_msg="The allocation ID '%s' does not exist")
NAT = Res('nat', 'NatGatewayId', create=('CreateNatGateway', 'NatGateway', _nat_build),
          lifecycle=('State', [('pending', 0), ('available', 5)]),
          describe=('DescribeNatGateways', 'NatGateways', 'NatGatewayIds', {}),
          delete=('DeleteNatGateway', 'NatGatewayId', _nat_delete),
          not_found='NatGatewayNotFound', not_found_msg="NAT gateway %s was not found")
ROUTE_TABLE = Res('rtb', 'RouteTableId', create=('CreateRouteTable', 'RouteTable', _rtb_build),
                  describe=('DescribeRouteTables', 'RouteTables', 'RouteTableIds',
                            {'association.subnet-id': 'Associations.SubnetId', 'association.main': 'Associations.Main',
                             'route.destination-cidr-block': 'Routes.DestinationCidrBlock'}),
                  delete=('DeleteRouteTable', 'RouteTableId', _rtb_delete),
                  not_found='InvalidRouteTableID.NotFound', not_found_msg=_not_found('routeTable'))
SECURITY_GROUP = Res('sg', 'GroupId', create=('CreateSecurityGroup', 'Group', _sg_build), render=_sg_render,
                     describe=('DescribeSecurityGroups', 'SecurityGroups', 'GroupIds',
                               {'group-name': 'GroupName', 'group-id': 'GroupId', 'description': 'Description'}),
                     not_found='InvalidGroup.NotFound', not_found_msg="The security group '%s' does not exist")
SG_RULE = Res('sgr', 'SecurityGroupRuleId',
              describe=('DescribeSecurityGroupRules', 'SecurityGroupRules', 'SecurityGroupRuleIds',
                        {'group-id': 'GroupId', 'security-group-rule-id': 'SecurityGroupRuleId'}),
              not_found='InvalidSecurityGroupRuleId.NotFound', not_found_msg="The security group rule ID '%s' does not exist")

FLOW_LOG = Res('flowlog', 'FlowLogId', not_found='InvalidFlowLogId.NotFound',
               not_found_msg="These flow log ids in the input list are not found: [TotalCount: 1] %s")


def _flow_log_create(ctx):
    """CreateFlowLogs: one flow log per resource id, answered by id only
    (FlowLogIds); a resource that does not exist is in Unsuccessful, as AWS
    answers it; publishing to CloudWatch Logs needs the role it assumes
    (EC2 API reference, CreateFlowLogs)."""
    p = ctx.params
    dest_type = p.get('LogDestinationType', 'cloud-watch-logs')
    if dest_type == 'cloud-watch-logs' and not (p.get('LogGroupName') and p.get('DeliverLogsPermissionArn')):
        raise ApiError('InvalidParameter', 'DeliverLogsPermissionArn and LogGroupName are required when '
                       'LogDestinationType is cloud-watch-logs')
    tags = [t for spec in p.get('TagSpecifications', []) for t in spec.get('Tags', [])]
    ids, failed = [], []
    for rid in p['ResourceIds']:
        kind = {'VPC': VPC, 'Subnet': SUBNET}.get(p['ResourceType'])
        if kind is None or rid not in ctx.store.table(kind.name):
            failed.append({'ResourceId': rid, 'Error': {'Code': 'InvalidVpcID.NotFound' if p['ResourceType'] == 'VPC'
                                                         else 'InvalidParameter',
                                                         'Message': "The resource '%s' does not exist" % rid}})
            continue
        rec = {'FlowLogId': ctx.store.new_id('fl-{hex17}'), 'ResourceId': rid, 'TrafficType': p['TrafficType'],
               'LogDestinationType': dest_type, 'FlowLogStatus': 'ACTIVE', 'DeliverLogsStatus': 'SUCCESS',
               'CreationTime': ctx.now, 'MaxAggregationInterval': p.get('MaxAggregationInterval', 600),
               'LogFormat': p.get('LogFormat', '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} '
                                  '${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} '
                                  '${action} ${log-status}'),
               'Tags': list(tags)}
        for k in ('LogGroupName', 'DeliverLogsPermissionArn', 'LogDestination'):
            if p.get(k):
                rec[k] = p[k]
        FLOW_LOG.add(ctx, rec)
        ids.append(rec['FlowLogId'])
    return {'FlowLogIds': ids, 'Unsuccessful': failed, 'ClientToken': p.get('ClientToken', '')}


def _flow_log_describe(ctx):
    recs = list(ctx.store.table('flowlog').values())
    if ctx.params.get('FlowLogIds'):
        recs = [FLOW_LOG.get(ctx, i) for i in ctx.params['FlowLogIds']]
    recs = ec2_filter(recs, ctx.params.get('Filter'), {'resource-id': 'ResourceId', 'flow-log-id': 'FlowLogId'})
    return paginate(ctx, [public(r) for r in recs], {}, 'FlowLogs', 'NextToken', 'NextToken', 'MaxResults')


_flow_log_describe.pure_read = True


def _flow_log_delete(ctx):
    table, failed = ctx.store.table('flowlog'), []
    for i in ctx.params['FlowLogIds']:
        if table.pop(i, None) is None:
            failed.append({'ResourceId': i, 'Error': {'Code': 'InvalidFlowLogId.NotFound',
                                                       'Message': 'flow log %s does not exist' % i}})
    return {'Unsuccessful': failed}


for _res, _prefix, _type in ((VPC, 'vpc-', 'vpc'), (SUBNET, 'subnet-', 'subnet'), (IGW, 'igw-', 'internet-gateway'),
                             (EIP, 'eipalloc-', 'elastic-ip'), (NAT, 'nat-', 'natgateway'),
                             (ROUTE_TABLE, 'rtb-', 'route-table'), (SECURITY_GROUP, 'sg-', 'security-group'),
                             (SG_RULE, 'sgr-', 'security-group-rule'), (FLOW_LOG, 'fl-', 'vpc-flow-log')):
    EC2_TYPES_BY_PREFIX[_prefix] = _res
    _res.ec2_type = _type


def _ec2_handlers():
    h = {}
    for res in EC2_TYPES_BY_PREFIX.values():
        h.update(res.handlers())
    h.update({
        'ModifyVpcAttribute': _vpc_modify_attribute, 'DescribeVpcAttribute': _vpc_describe_attribute,
        'ModifySubnetAttribute': _subnet_modify_attribute,
        'AttachInternetGateway': _igw_attach, 'DetachInternetGateway': _igw_detach,
        'AllocateAddress': _eip_allocate,
        'CreateRoute': _route_create, 'ReplaceRoute': _route_replace, 'DeleteRoute': _route_delete,
        'AssociateRouteTable': _rtb_associate, 'DisassociateRouteTable': _rtb_disassociate,
        'CreateSecurityGroup': _sg_create, 'DeleteSecurityGroup': _sg_delete,
        'AuthorizeSecurityGroupIngress': _authorize(False), 'AuthorizeSecurityGroupEgress': _authorize(True),
        'RevokeSecurityGroupIngress': _revoke(False), 'RevokeSecurityGroupEgress': _revoke(True),
        'CreateTags': _create_tags, 'DeleteTags': _delete_tags, 'DescribeTags': _describe_tags,
        'CreateFlowLogs': _flow_log_create, 'DescribeFlowLogs': _flow_log_describe,
        'DeleteFlowLogs': _flow_log_delete,
    })
    return h


# ============================================================== STS

def _sts_identity(ctx):
    akid = getattr(ctx, 'akid', None)
    if akid is None or akid == ctx.server.args.access_key:
        return {'UserId': 'AIDAFAKEDRIFTD00000001', 'Account': ACCOUNT,
                'Arn': 'arn:aws:iam::%s:user/driftd-test' % ACCOUNT}
    ident, _ = ctx.server.trail.principals.identity(akid)
    return {'UserId': ident['principalId'], 'Account': ident['accountId'], 'Arn': ident['arn']}


def _sts_assume(ctx):
    p = ctx.params
    arn = p['RoleArn']
    parts = arn.split(':')
    if len(parts) < 6 or not parts[5].startswith('role/'):
        raise ApiError('ValidationError', '%s is invalid' % arn)
    role_name = parts[5].split('/')[-1]
    if role_name not in ctx.store.table('iam_role') and parts[4] == ACCOUNT and ctx.store.table('iam_role'):
        raise ApiError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole on resource: %s' % arn, 403)
    akid = ctx.store.new_id('ASIA{up16}')
    secret = ctx.store.new_id('{up40}')
    ctx.server.issue_key(akid, secret)
    ctx.server.trail.principals.add_session(akid, arn, p['RoleSessionName'])
    dur = int(p.get('DurationSeconds') or 3600)
    out = {'Credentials': {'AccessKeyId': akid, 'SecretAccessKey': secret,
                           'SessionToken': ctx.store.new_id('FwoGZXIvYXdzE{up60}'),
                           'Expiration': ctx.now + dur},
           'AssumedRoleUser': {'AssumedRoleId': 'AROAFAKE%s:%s' % (role_name.upper()[:8], p['RoleSessionName']),
                               'Arn': 'arn:aws:sts::%s:assumed-role/%s/%s' % (parts[4], role_name, p['RoleSessionName'])},
           'PackedPolicySize': 0}
    if ctx.op == 'AssumeRoleWithWebIdentity':
        out['SubjectFromWebIdentityToken'] = 'system:serviceaccount:default:driftd'
        out['Audience'] = 'sts.amazonaws.com'
        out['Provider'] = 'oidc.eks.%s.amazonaws.com' % ctx.store.region
        out.pop('PackedPolicySize')
    return out


def build_handlers(fake):
    out = {}
    for op, fn in _ec2_handlers().items():
        out[('ec2', op)] = fn
    for op in ('AssumeRole', 'AssumeRoleWithWebIdentity'):
        out[('sts', op)] = _sts_assume
    out[('sts', 'GetCallerIdentity')] = _sts_identity
    for service, table in (('iam', svc_iam.handlers()),) + tuple(svc_misc.handlers().items()) + \
            tuple(svc_more.handlers().items()) + tuple(svc_extra.handlers().items()) + \
            tuple(svc_lb_backup.handlers().items()) + tuple(svc_bedrock.handlers().items()) + \
            tuple(svc_cloudtrail.handlers().items()) + \
            tuple(svc_dynamodb.handlers().items()) + tuple(svc_sqs.handlers().items()) + \
            tuple(svc_events.handlers().items()):
        for op, fn in table.items():
            out[(service, op)] = fn
    return out
