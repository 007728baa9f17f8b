"""Paginated reads: every page of a listing comes from one listing made
at its first page (not a new listing, rendering and filtering of the whole
table per page: quadratic, 143 s of the fake's time for 100,000 resources),
and any change of state between pages shows in the pages after it."""
import argparse
import os
import shutil
import tempfile
import unittest

from harness import FakeTestCase
import resources
import server
import wire
from engine import Ctx


class ListingOnceTest(unittest.TestCase):
    """In process: how often records are rendered and serialized."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='fakeaws-reads-')
        args = argparse.Namespace(time_scale=1.0, state_dir=self.dir, region='us-east-1', page_size=10,
                                  access_key='a', secret_key='b')
        self.fake = server.FakeAWS(args)
        subnets = self.fake.store.table('subnet')
        for i in range(100):
            sid = 'subnet-%017x' % i
            subnets[sid] = {'SubnetId': sid, 'VpcId': 'vpc-1', 'CidrBlock': '10.0.%d.0/24' % i,
                            'Tags': [{'Key': 'env', 'Value': 'a' if i % 2 else 'b'}], '_born': 0}
        self.shown = 0
        real = resources.SUBNET.show

        def counting(ctx, rec):
            self.shown += 1
            return real(ctx, rec)
        resources.SUBNET.show = counting
        self.addCleanup(setattr, resources.SUBNET, 'show', real)
        self.addCleanup(shutil.rmtree, self.dir)

    def pages(self, params):
        """Every page's (ids, body) of DescribeSubnets with params."""
        op = self.fake.model('ec2').operation_model('DescribeSubnets')
        out, token = [], None
        while True:
            p = dict(params, NextToken=token) if token else dict(params)
            res = self.fake.handlers[('ec2', 'DescribeSubnets')](Ctx(self.fake, 'ec2', 'DescribeSubnets', p))
            out.append(([s['SubnetId'] for s in res['Subnets']], wire.serialize_ec2(op, res, 'rid', 'ns')))
            token = res.get('NextToken')
            if not token:
                return out

    def test_pages_render_each_record_once(self):
        filters = {'Filters': [{'Name': 'tag:env', 'Values': ['a']}]}
        pages = self.pages(filters)
        self.assertEqual(len(pages), 5)
        self.assertEqual([i for ids, _ in pages for i in ids], ['subnet-%017x' % i for i in range(1, 100, 2)])
        self.assertEqual(self.shown, 100)        # once per record, not once per record per page
        self.assertEqual(self.pages(filters), pages)
        self.assertEqual(self.shown, 100)        # nothing changed: the same listing again
        self.fake.store.changed()
        self.assertEqual(self.pages(filters), pages)
        self.assertEqual(self.shown, 200)

    def test_kept_wire_form_is_the_one_made_afresh(self):
        op = self.fake.model('ec2').operation_model('DescribeSubnets')
        (ids, body), *_ = self.pages({})
        res = self.fake.handlers[('ec2', 'DescribeSubnets')](Ctx(self.fake, 'ec2', 'DescribeSubnets', {}))
        self.assertTrue(all(type(s) is wire.Rendered and s.wire for s in res['Subnets']))
        plain = dict(res, Subnets=[dict(s) for s in res['Subnets']])
        self.assertEqual(wire.serialize_ec2(op, plain, 'rid', 'ns'), body)
        self.assertEqual(wire.serialize_json(op.output_shape, plain), wire.serialize_json(op.output_shape, res))
        self.assertEqual(wire.serialize_json(op.output_shape, plain), wire.serialize_json(op.output_shape, res))


class ChangesBetweenPagesTest(FakeTestCase):
    """Over HTTP (pages of 5): a listing kept from an earlier page is never
    served after the state changed."""

    def setUp(self):
        super().setUp()
        self.ec2 = self.fake.client('ec2')
        self.vpc = self.ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
        self.groups = [self.ec2.create_security_group(GroupName='g%d' % i, Description='d', VpcId=self.vpc)['GroupId']
                       for i in range(7)]

    def group(self, gid):
        return self.ec2.describe_security_groups(GroupIds=[gid])['SecurityGroups'][0]

    def second_page(self, **kw):
        first = self.ec2.describe_security_groups(**kw)
        self.assertIn('NextToken', first)
        return first, lambda: self.ec2.describe_security_groups(NextToken=first['NextToken'], **kw)

    def test_write_between_pages_shows_in_later_pages(self):
        first, rest = self.second_page()
        before = {g['GroupId']: g for g in rest()['SecurityGroups']}
        gid = next(iter(before))
        self.ec2.create_tags(Resources=[gid], Tags=[{'Key': 'k', 'Value': 'v'}])
        self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '10.0.0.0/8'}]}])
        after = {g['GroupId']: g for g in rest()['SecurityGroups']}
        self.assertEqual(after[gid]['Tags'], [{'Key': 'k', 'Value': 'v'}])
        self.assertEqual([p['FromPort'] for p in after[gid]['IpPermissions']], [22])
        self.assertEqual(before[gid]['IpPermissions'], [])

    def test_failed_write_shows_what_it_left(self):
        # The second range is a duplicate: whatever the refused call left
        # in the state (the fake adds rules one by one), a read shows it.
        gid = self.groups[0]
        self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[
            {'IpProtocol': 'tcp', 'FromPort': 80, 'ToPort': 80, 'IpRanges': [{'CidrIp': '10.2.0.0/16'}]}])
        self.group(gid)
        self.assertAwsError('InvalidPermission.Duplicate', self.ec2.authorize_security_group_ingress, GroupId=gid,
                            IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 80, 'ToPort': 80,
                                            'IpRanges': [{'CidrIp': '10.1.0.0/16'}, {'CidrIp': '10.2.0.0/16'}]}])
        kept = self.fake.control('GET', '/_fake/state')['resources']['sgr'].values()
        shown = [r['CidrIp'] for p in self.group(gid)['IpPermissions'] for r in p['IpRanges']]
        self.assertEqual(sorted(shown), sorted(r['CidrIpv4'] for r in kept if r['GroupId'] == gid and
                                               not r['IsEgress']))

    def test_control_api_change_shows(self):
        first, rest = self.second_page(Filters=[{'Name': 'vpc-id', 'Values': [self.vpc]}])
        gid = rest()['SecurityGroups'][0]['GroupId']
        self.fake.control('POST', '/_fake/state', {'type': 'sg', 'id': gid, 'set': {'Description': 'changed'}})
        self.assertEqual([g['Description'] for g in rest()['SecurityGroups'] if g['GroupId'] == gid], ['changed'])
        self.fake.control('POST', '/_fake/state', {'type': 'sg', 'id': gid, 'delete': True})
        self.assertNotIn(gid, [g['GroupId'] for g in rest()['SecurityGroups']])
        self.fake.control('POST', '/_fake/state', {'reset': True})
        self.assertEqual(self.ec2.describe_security_groups()['SecurityGroups'], [])

    def test_delete_between_pages(self):
        first, rest = self.second_page()
        listed = [g['GroupId'] for g in first['SecurityGroups']]
        doomed = next(g for g in listed if g in self.groups)
        self.ec2.delete_security_group(GroupId=doomed)
        seen = [g['GroupId'] for p in self.ec2.get_paginator('describe_security_groups').paginate()
                for g in p['SecurityGroups']]
        self.assertNotIn(doomed, seen)
        self.assertEqual(len(seen), len(set(seen)))


    def test_topics_listed_again_after_a_change(self):
        sns = self.fake.client('sns')
        arns = [sns.create_topic(Name='t%d' % i)['TopicArn'] for i in range(7)]

        def listed():
            return [t['TopicArn'] for p in sns.get_paginator('list_topics').paginate() for t in p['Topics']]
        self.assertEqual(listed(), sorted(arns))
        arns.append(sns.create_topic(Name='t0a')['TopicArn'])
        sns.delete_topic(TopicArn=arns[3])
        self.assertEqual(listed(), sorted(arns[:3] + arns[4:]))


if __name__ == '__main__':
    unittest.main()
