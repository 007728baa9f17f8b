"""EC2 network resources round-tripped through boto3's own parsers."""
import unittest

from harness import FakeTestCase


class Ec2NetworkTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.ec2 = self.fake.client('ec2')

    def _vpc(self, cidr='10.0.0.0/16', **kw):
        return self.ec2.create_vpc(CidrBlock=cidr, **kw)['Vpc']

    def test_vpc_create_describe_modify_tag_delete(self):
        vpc = self._vpc(TagSpecifications=[{'ResourceType': 'vpc', 'Tags': [{'Key': 'Name', 'Value': 'main'}]}])
        self.assertRegex(vpc['VpcId'], r'^vpc-[0-9a-f]{17}$')
        self.assertEqual(vpc['OwnerId'], '123456789012')
        got = self.ec2.describe_vpcs(VpcIds=[vpc['VpcId']])['Vpcs'][0]
        self.assertEqual(got['CidrBlock'], '10.0.0.0/16')
        self.assertEqual(got['Tags'], [{'Key': 'Name', 'Value': 'main'}])
        self.ec2.modify_vpc_attribute(VpcId=vpc['VpcId'], EnableDnsHostnames={'Value': True})
        attr = self.ec2.describe_vpc_attribute(VpcId=vpc['VpcId'], Attribute='enableDnsHostnames')
        self.assertTrue(attr['EnableDnsHostnames']['Value'])
        self.ec2.create_tags(Resources=[vpc['VpcId']], Tags=[{'Key': 'env', 'Value': 'test'}])
        found = self.ec2.describe_vpcs(Filters=[{'Name': 'tag:env', 'Values': ['test']}])['Vpcs']
        self.assertEqual([v['VpcId'] for v in found], [vpc['VpcId']])
        self.ec2.delete_tags(Resources=[vpc['VpcId']], Tags=[{'Key': 'env'}])
        self.assertEqual(self.ec2.describe_vpcs(Filters=[{'Name': 'tag:env', 'Values': ['test']}])['Vpcs'], [])
        self.ec2.delete_vpc(VpcId=vpc['VpcId'])
        self.assertAwsError('InvalidVpcID.NotFound', self.ec2.describe_vpcs, VpcIds=[vpc['VpcId']])

    def test_flow_logs_created_by_resource_described_by_tag_deleted(self):
        vpc = self._vpc()['VpcId']
        tags = [{'ResourceType': 'vpc-flow-log', 'Tags': [{'Key': 'driftd:env', 'Value': 'e2e'}]}]
        self.assertAwsError('InvalidParameter', self.ec2.create_flow_logs, ResourceIds=[vpc], ResourceType='VPC',
                            TrafficType='ALL', LogDestinationType='cloud-watch-logs')
        out = self.ec2.create_flow_logs(ResourceIds=[vpc, 'vpc-00000000000000000'], ResourceType='VPC',
                                        TrafficType='ALL', LogGroupName='/vpc/flow',
                                        DeliverLogsPermissionArn='arn:aws:iam::123456789012:role/flow',
                                        TagSpecifications=tags)
        (fid,) = out['FlowLogIds']
        self.assertEqual([u['ResourceId'] for u in out['Unsuccessful']], ['vpc-00000000000000000'])
        (got,) = self.ec2.describe_flow_logs(Filter=[{'Name': 'tag:driftd:env', 'Values': ['e2e']}])['FlowLogs']
        self.assertEqual((got['FlowLogId'], got['ResourceId'], got['TrafficType'], got['LogGroupName'],
                          got['MaxAggregationInterval']), (fid, vpc, 'ALL', '/vpc/flow', 600))
        self.assertEqual(self.ec2.delete_flow_logs(FlowLogIds=[fid])['Unsuccessful'], [])
        self.assertEqual(self.ec2.describe_flow_logs()['FlowLogs'], [])

    def test_vpc_lifecycle_pending_then_available(self):
        vpc = self._vpc()
        self.assertEqual(vpc['State'], 'pending')
        self.fake.control('POST', '/_fake/clock', {'advance': 5})
        self.assertEqual(self.ec2.describe_vpcs(VpcIds=[vpc['VpcId']])['Vpcs'][0]['State'], 'available')

    def test_describe_paginates_in_small_pages(self):
        ids = {self._vpc('10.%d.0.0/16' % i)['VpcId'] for i in range(12)}
        first = self.ec2.describe_vpcs()
        self.assertLessEqual(len(first['Vpcs']), 5)
        self.assertIn('NextToken', first)
        seen = [v['VpcId'] for p in self.ec2.get_paginator('describe_vpcs').paginate() for v in p['Vpcs']]
        self.assertEqual(sorted(seen), sorted(ids))

    def test_bad_next_token_rejected(self):
        self.assertAwsError('InvalidNextToken', self.ec2.describe_vpcs, NextToken='garbage')

    def test_delete_vpc_with_subnet_is_dependency_violation(self):
        vpc = self._vpc()
        sub = self.ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24', AvailabilityZone='us-east-1a')['Subnet']
        self.assertAwsError('DependencyViolation', self.ec2.delete_vpc, VpcId=vpc['VpcId'])
        self.ec2.delete_subnet(SubnetId=sub['SubnetId'])
        self.ec2.delete_vpc(VpcId=vpc['VpcId'])

    def test_subnet_round_trip_and_cidr_conflicts(self):
        vpc = self._vpc()
        sub = self.ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24', AvailabilityZone='us-east-1b')['Subnet']
        self.assertEqual(sub['AvailableIpAddressCount'], 251)
        self.assertTrue(sub['SubnetArn'].startswith('arn:aws:ec2:us-east-1:123456789012:subnet/subnet-'))
        self.assertAwsError('InvalidSubnet.Conflict', self.ec2.create_subnet, VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/25')
        self.assertAwsError('InvalidSubnet.Range', self.ec2.create_subnet, VpcId=vpc['VpcId'], CidrBlock='10.9.0.0/24')
        self.ec2.modify_subnet_attribute(SubnetId=sub['SubnetId'], MapPublicIpOnLaunch={'Value': True})
        got = self.ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]}])['Subnets']
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0]['MapPublicIpOnLaunch'])
        self.assertEqual(got[0]['AvailabilityZone'], 'us-east-1b')

    def test_internet_gateway_attach_detach(self):
        vpc = self._vpc()
        igw = self.ec2.create_internet_gateway()['InternetGateway']
        self.ec2.attach_internet_gateway(InternetGatewayId=igw['InternetGatewayId'], VpcId=vpc['VpcId'])
        got = self.ec2.describe_internet_gateways(
            Filters=[{'Name': 'attachment.vpc-id', 'Values': [vpc['VpcId']]}])['InternetGateways']
        self.assertEqual(got[0]['Attachments'], [{'State': 'available', 'VpcId': vpc['VpcId']}])
        self.assertAwsError('Resource.AlreadyAssociated', self.ec2.attach_internet_gateway,
                            InternetGatewayId=igw['InternetGatewayId'], VpcId=vpc['VpcId'])
        self.assertAwsError('DependencyViolation', self.ec2.delete_internet_gateway,
                            InternetGatewayId=igw['InternetGatewayId'])
        self.ec2.detach_internet_gateway(InternetGatewayId=igw['InternetGatewayId'], VpcId=vpc['VpcId'])
        self.ec2.delete_internet_gateway(InternetGatewayId=igw['InternetGatewayId'])

    def test_eip_and_nat_gateway_lifecycle_and_idempotency(self):
        vpc = self._vpc()
        sub = self.ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24')['Subnet']
        eip = self.ec2.allocate_address(Domain='vpc')
        self.assertTrue(eip['AllocationId'].startswith('eipalloc-'))
        nat = self.ec2.create_nat_gateway(SubnetId=sub['SubnetId'], AllocationId=eip['AllocationId'],
                                          ClientToken='tok-1')['NatGateway']
        again = self.ec2.create_nat_gateway(SubnetId=sub['SubnetId'], AllocationId=eip['AllocationId'],
                                            ClientToken='tok-1')['NatGateway']
        self.assertEqual(nat['NatGatewayId'], again['NatGatewayId'])
        self.assertEqual(len(self.ec2.describe_nat_gateways()['NatGateways']), 1)
        self.assertEqual(nat['State'], 'pending')
        self.assertAwsError('InvalidIPAddress.InUse', self.ec2.release_address, AllocationId=eip['AllocationId'])
        self.fake.control('POST', '/_fake/clock', {'advance': 60})
        got = self.ec2.describe_nat_gateways(NatGatewayIds=[nat['NatGatewayId']])['NatGateways'][0]
        self.assertEqual(got['State'], 'available')
        self.assertEqual(got['NatGatewayAddresses'][0]['PublicIp'], eip['PublicIp'])
        self.ec2.delete_nat_gateway(NatGatewayId=nat['NatGatewayId'])
        got = self.ec2.describe_nat_gateways(Filter=[{'Name': 'state', 'Values': ['deleted']}])['NatGateways']
        self.assertEqual([g['NatGatewayId'] for g in got], [nat['NatGatewayId']])
        self.ec2.release_address(AllocationId=eip['AllocationId'])
        self.assertEqual(self.ec2.describe_addresses()['Addresses'], [])

    def test_route_tables_routes_and_associations(self):
        vpc = self._vpc()
        main = self.ec2.describe_route_tables(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]},
                                                       {'Name': 'association.main', 'Values': ['true']}])['RouteTables']
        self.assertEqual(len(main), 1)
        sub = self.ec2.create_subnet(VpcId=vpc['VpcId'], CidrBlock='10.0.1.0/24')['Subnet']
        igw = self.ec2.create_internet_gateway()['InternetGateway']['InternetGatewayId']
        rt = self.ec2.create_route_table(VpcId=vpc['VpcId'])['RouteTable']
        self.assertEqual(rt['Routes'][0]['GatewayId'], 'local')
        self.ec2.create_route(RouteTableId=rt['RouteTableId'], DestinationCidrBlock='0.0.0.0/0', GatewayId=igw)
        self.assertAwsError('RouteAlreadyExists', self.ec2.create_route, RouteTableId=rt['RouteTableId'],
                            DestinationCidrBlock='0.0.0.0/0', GatewayId=igw)
        self.assertAwsError('InvalidParameterCombination', self.ec2.create_route, RouteTableId=rt['RouteTableId'],
                            DestinationCidrBlock='1.0.0.0/8')
        assoc = self.ec2.associate_route_table(RouteTableId=rt['RouteTableId'], SubnetId=sub['SubnetId'])
        self.assertEqual(assoc['AssociationState']['State'], 'associated')
        got = self.ec2.describe_route_tables(
            Filters=[{'Name': 'association.subnet-id', 'Values': [sub['SubnetId']]}])['RouteTables']
        self.assertEqual(got[0]['RouteTableId'], rt['RouteTableId'])
        self.assertEqual({r['DestinationCidrBlock'] for r in got[0]['Routes']}, {'10.0.0.0/16', '0.0.0.0/0'})
        self.assertAwsError('DependencyViolation', self.ec2.delete_route_table, RouteTableId=rt['RouteTableId'])
        self.ec2.disassociate_route_table(AssociationId=assoc['AssociationId'])
        self.ec2.delete_route(RouteTableId=rt['RouteTableId'], DestinationCidrBlock='0.0.0.0/0')
        self.ec2.delete_route_table(RouteTableId=rt['RouteTableId'])

    def test_security_group_rules_and_duplicate_name(self):
        vpc = self._vpc()
        sg = self.ec2.create_security_group(GroupName='web', Description='web tier', VpcId=vpc['VpcId'])['GroupId']
        self.assertAwsError('InvalidGroup.Duplicate', self.ec2.create_security_group, GroupName='web',
                            Description='again', VpcId=vpc['VpcId'])
        out = self.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 443, 'ToPort': 443,
             'IpRanges': [{'CidrIp': '0.0.0.0/0', 'Description': 'https'}, {'CidrIp': '10.0.0.0/8'}]}])
        self.assertEqual(len(out['SecurityGroupRules']), 2)
        self.assertAwsError('InvalidPermission.Duplicate', self.ec2.authorize_security_group_ingress, GroupId=sg,
                            IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 443, 'ToPort': 443,
                                            'IpRanges': [{'CidrIp': '10.0.0.0/8'}]}])
        got = self.ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['web']}])['SecurityGroups']
        perm = got[0]['IpPermissions'][0]
        self.assertEqual((perm['FromPort'], perm['ToPort']), (443, 443))
        self.assertEqual({r['CidrIp'] for r in perm['IpRanges']}, {'0.0.0.0/0', '10.0.0.0/8'})
        self.assertEqual(got[0]['IpPermissionsEgress'][0]['IpProtocol'], '-1')
        rules = self.ec2.describe_security_group_rules(Filters=[{'Name': 'group-id', 'Values': [sg]}])['SecurityGroupRules']
        self.assertEqual(sorted(r['IsEgress'] for r in rules), [False, False, True])
        ingress = [r['SecurityGroupRuleId'] for r in rules if not r['IsEgress']]
        self.ec2.revoke_security_group_ingress(GroupId=sg, SecurityGroupRuleIds=ingress[:1])
        self.ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 443, 'ToPort': 443, 'IpRanges': [{'CidrIp': r['CidrIpv4']}]}
            for r in rules if r['SecurityGroupRuleId'] == ingress[1]])
        self.assertEqual(self.ec2.describe_security_groups(GroupIds=[sg])['SecurityGroups'][0]['IpPermissions'], [])
        self.ec2.delete_security_group(GroupId=sg)
        self.assertAwsError('InvalidGroup.NotFound', self.ec2.describe_security_groups, GroupIds=[sg])

    def test_default_security_group_cannot_be_deleted(self):
        vpc = self._vpc()
        default = self.ec2.describe_security_groups(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]},
                                                             {'Name': 'group-name', 'Values': ['default']}])
        self.assertAwsError('CannotDelete', self.ec2.delete_security_group,
                            GroupId=default['SecurityGroups'][0]['GroupId'])

    def test_missing_required_parameter_is_missing_parameter(self):
        raw = self.fake.client('ec2', validate=False)
        resp = self.assertAwsError('MissingParameter', raw.create_subnet, CidrBlock='10.0.0.0/24')
        self.assertIn('VpcId', resp['Error']['Message'])

    def test_invalid_enum_is_invalid_parameter_value(self):
        raw = self.fake.client('ec2', validate=False)
        resp = self.assertAwsError('InvalidParameterValue', raw.create_vpc, CidrBlock='10.0.0.0/16',
                                   InstanceTenancy='shared-ish')
        self.assertIn('InstanceTenancy', resp['Error']['Message'])

    def test_concurrent_creates_are_all_kept(self):
        import threading
        ids, errors = [], []

        def create(i):
            try:
                ids.append(self.fake.client('ec2').create_vpc(CidrBlock='10.%d.0.0/16' % i)['Vpc']['VpcId'])
            except Exception as e:          # reported below; a thread cannot fail the test itself
                errors.append(e)
        threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        seen = [v['VpcId'] for p in self.ec2.get_paginator('describe_vpcs').paginate() for v in p['Vpcs']]
        self.assertEqual(sorted(seen), sorted(ids))
        self.assertEqual(len(set(ids)), 12)

    def test_describe_tags_lists_tagged_resources(self):
        vpc = self._vpc(TagSpecifications=[{'ResourceType': 'vpc', 'Tags': [{'Key': 'team', 'Value': 'a'}]}])
        tags = self.ec2.describe_tags(Filters=[{'Name': 'key', 'Values': ['team']}])['Tags']
        self.assertEqual(tags, [{'Key': 'team', 'ResourceId': vpc['VpcId'], 'ResourceType': 'vpc', 'Value': 'a'}])


if __name__ == '__main__':
    unittest.main()
