"""DynamoDB's tables and conditional item writes, with boto3 as the client:
the error codes, HTTP statuses and messages are the ones the DynamoDB API
reference documents (ConditionalCheckFailedException: HTTP 400, "The
conditional request failed"; ResourceNotFoundException for a table that
does not exist or is not ACTIVE; ValidationException for undefined or
unused expression placeholders)."""
import unittest

from harness import FakeTestCase

T = 'driftd-lease'


class DynamoDBTest(FakeTestCase):
    def setUp(self):
        super().setUp()
        self.db = self.fake.client('dynamodb')

    def table(self):
        self.db.create_table(TableName=T, BillingMode='PAY_PER_REQUEST',
                             AttributeDefinitions=[{'AttributeName': 'name', 'AttributeType': 'S'}],
                             KeySchema=[{'AttributeName': 'name', 'KeyType': 'HASH'}])
        self.fake.control('POST', '/_fake/clock', {'advance': 5})

    def key(self, name='prod'):
        return {'name': {'S': name}}

    def ccf(self, fn, **kw):
        r = self.assertAwsError('ConditionalCheckFailedException', fn, **kw)
        self.assertEqual(r['Error']['Message'], 'The conditional request failed')
        self.assertEqual(r['ResponseMetadata']['HTTPStatusCode'], 400)
        return r

    def test_a_table_is_creating_then_active_and_unknown_before(self):
        self.assertAwsError('ResourceNotFoundException', self.db.describe_table, TableName=T)
        d = self.db.create_table(TableName=T, BillingMode='PAY_PER_REQUEST',
                                 AttributeDefinitions=[{'AttributeName': 'name', 'AttributeType': 'S'}],
                                 KeySchema=[{'AttributeName': 'name', 'KeyType': 'HASH'}])['TableDescription']
        self.assertEqual(d['TableStatus'], 'CREATING')
        self.assertEqual(d['TableArn'], 'arn:aws:dynamodb:us-east-1:123456789012:table/' + T)
        # not ACTIVE yet: item operations say the resource is not found
        self.assertAwsError('ResourceNotFoundException', self.db.get_item, TableName=T, Key=self.key())
        self.assertAwsError('ResourceInUseException', self.db.create_table, TableName=T,
                            BillingMode='PAY_PER_REQUEST',
                            AttributeDefinitions=[{'AttributeName': 'name', 'AttributeType': 'S'}],
                            KeySchema=[{'AttributeName': 'name', 'KeyType': 'HASH'}])
        self.fake.control('POST', '/_fake/clock', {'advance': 5})
        self.assertEqual(self.db.describe_table(TableName=T)['Table']['TableStatus'], 'ACTIVE')
        self.assertAwsError('ValidationException', self.db.create_table, TableName='other',
                            BillingMode='PAY_PER_REQUEST',
                            AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'}],
                            KeySchema=[{'AttributeName': 'name', 'KeyType': 'HASH'}])

    def test_put_if_absent_succeeds_once_and_returns_the_old_item_on_request(self):
        self.table()
        item = {'name': {'S': 'prod'}, 'owner': {'S': 'a'}, 'fence': {'N': '1'}}
        self.db.put_item(TableName=T, Item=item, ConditionExpression='attribute_not_exists(#k)',
                         ExpressionAttributeNames={'#k': 'name'})
        r = self.ccf(self.db.put_item, TableName=T, Item=dict(item, owner={'S': 'b'}),
                     ConditionExpression='attribute_not_exists(#k)', ExpressionAttributeNames={'#k': 'name'},
                     ReturnValuesOnConditionCheckFailure='ALL_OLD')
        self.assertEqual(r.get('Item'), item)
        got = self.db.get_item(TableName=T, Key=self.key(), ConsistentRead=True)
        self.assertEqual(got['Item'], item)
        self.assertNotIn('Item', self.db.get_item(TableName=T, Key=self.key('none')))

    def test_update_conditions_compare_numbers_by_value_and_combine_with_and_or(self):
        self.table()
        self.db.put_item(TableName=T, Item={'name': {'S': 'prod'}, 'owner': {'S': 'a'}, 'fence': {'N': '10'},
                                            'expires': {'N': '100'}})
        upd = dict(TableName=T, Key=self.key(), UpdateExpression='SET #o = :me, #f = #f + :one',
                   ExpressionAttributeNames={'#o': 'owner', '#f': 'fence', '#e': 'expires'})
        # 10 < 9 is false by value (as strings, "10" < "9")
        self.ccf(self.db.update_item, ConditionExpression='#f < :nine AND #e < :now',
                 ExpressionAttributeValues={':me': {'S': 'b'}, ':one': {'N': '1'}, ':nine': {'N': '9'},
                                            ':now': {'N': '200'}}, **upd)
        # expired OR ours: the first half is true
        r = self.db.update_item(ConditionExpression='#e < :now OR #o = :me', ReturnValues='ALL_NEW',
                                ExpressionAttributeValues={':me': {'S': 'b'}, ':one': {'N': '1'},
                                                           ':now': {'N': '200'}}, **upd)
        self.assertEqual(r['Attributes']['fence'], {'N': '11'})
        self.assertEqual(r['Attributes']['owner'], {'S': 'b'})
        # owner = :me AND fence = :mine, with the wrong fence
        self.ccf(self.db.update_item, TableName=T, Key=self.key(), UpdateExpression='SET #e = :e',
                 ConditionExpression='#o = :me AND #f = :mf',
                 ExpressionAttributeNames={'#o': 'owner', '#f': 'fence', '#e': 'expires'},
                 ExpressionAttributeValues={':me': {'S': 'b'}, ':mf': {'N': '10'}, ':e': {'N': '300'}})
        # a comparison with a missing attribute is false; NOT and parentheses
        self.ccf(self.db.update_item, TableName=T, Key=self.key(), UpdateExpression='REMOVE #o',
                 ConditionExpression='NOT (#x = :x OR attribute_not_exists(#x))',
                 ExpressionAttributeNames={'#o': 'owner', '#x': 'missing'},
                 ExpressionAttributeValues={':x': {'S': 'v'}})
        self.db.update_item(TableName=T, Key=self.key(), UpdateExpression='REMOVE #o',
                            ConditionExpression='#o = :me AND #f = :mf',
                            ExpressionAttributeNames={'#o': 'owner', '#f': 'fence'},
                            ExpressionAttributeValues={':me': {'S': 'b'}, ':mf': {'N': '11'}})
        self.assertNotIn('owner', self.db.get_item(TableName=T, Key=self.key())['Item'])

    def test_update_of_an_absent_item_creates_it_unless_the_condition_fails(self):
        self.table()
        self.db.update_item(TableName=T, Key=self.key(), UpdateExpression='SET #o = :me',
                            ConditionExpression='attribute_not_exists(#k)',
                            ExpressionAttributeNames={'#o': 'owner', '#k': 'name'},
                            ExpressionAttributeValues={':me': {'S': 'a'}})
        self.assertEqual(self.db.get_item(TableName=T, Key=self.key())['Item'],
                         {'name': {'S': 'prod'}, 'owner': {'S': 'a'}})
        self.ccf(self.db.update_item, TableName=T, Key=self.key('x'), UpdateExpression='SET #o = :me',
                 ConditionExpression='#o = :me', ExpressionAttributeNames={'#o': 'owner'},
                 ExpressionAttributeValues={':me': {'S': 'a'}})
        self.assertNotIn('Item', self.db.get_item(TableName=T, Key=self.key('x')))

    def test_delete_is_conditional_too(self):
        self.table()
        self.db.put_item(TableName=T, Item={'name': {'S': 'prod'}, 'owner': {'S': 'a'}})
        self.ccf(self.db.delete_item, TableName=T, Key=self.key(), ConditionExpression='#o = :me',
                 ExpressionAttributeNames={'#o': 'owner'}, ExpressionAttributeValues={':me': {'S': 'b'}})
        r = self.db.delete_item(TableName=T, Key=self.key(), ConditionExpression='#o = :me',
                                ExpressionAttributeNames={'#o': 'owner'},
                                ExpressionAttributeValues={':me': {'S': 'a'}}, ReturnValues='ALL_OLD')
        self.assertEqual(r['Attributes']['owner'], {'S': 'a'})
        self.assertNotIn('Item', self.db.get_item(TableName=T, Key=self.key()))

    def test_placeholders_must_be_defined_and_used_and_keys_match_the_schema(self):
        self.table()
        r = self.assertAwsError('ValidationException', self.db.update_item, TableName=T, Key=self.key(),
                                UpdateExpression='SET #o = :me', ExpressionAttributeNames={'#o': 'owner'},
                                ExpressionAttributeValues={':me': {'S': 'a'}, ':unused': {'S': 'x'}})
        self.assertIn('unused in expressions', r['Error']['Message'])
        r = self.assertAwsError('ValidationException', self.db.update_item, TableName=T, Key=self.key(),
                                UpdateExpression='SET #o = :me', ExpressionAttributeValues={':me': {'S': 'a'}})
        self.assertIn('attribute name: #o', r['Error']['Message'])
        r = self.assertAwsError('ValidationException', self.db.update_item, TableName=T, Key=self.key(),
                                UpdateExpression='SET #k = :me', ExpressionAttributeNames={'#k': 'name'},
                                ExpressionAttributeValues={':me': {'S': 'a'}})
        self.assertIn('part of the key', r['Error']['Message'])
        self.assertAwsError('ValidationException', self.db.get_item, TableName=T, Key={'id': {'S': 'x'}})
        self.assertAwsError('ValidationException', self.db.update_item, TableName=T, Key=self.key(),
                            UpdateExpression='SET #o = :me', ConditionExpression='#o = = :me',
                            ExpressionAttributeNames={'#o': 'owner'}, ExpressionAttributeValues={':me': {'S': 'a'}})

    def test_a_fault_can_match_one_callers_access_key(self):
        self.table()
        self.fake.control('POST', '/_fake/faults', {'service': 'dynamodb', 'kind': 'error',
                                                    'access_key': 'AKIDOTHERCALLER'})
        self.db.get_item(TableName=T, Key=self.key())
        calls = self.fake.control('GET', '/_fake/calls?operation=GetItem&access_key=AKIDTESTHARNESS')['calls']
        self.assertEqual([c['status'] for c in calls], [200])
        sts = self.fake.client('sts')
        cred = sts.assume_role(RoleArn='arn:aws:iam::123456789012:role/x', RoleSessionName='standby')['Credentials']
        self.fake.control('POST', '/_fake/faults', {'service': 'dynamodb', 'kind': 'error',
                                                    'access_key': cred['AccessKeyId']})
        other = self.fake.client('dynamodb', key=cred['AccessKeyId'], secret=cred['SecretAccessKey'])
        self.assertAwsError('InternalFailure', other.get_item, TableName=T, Key=self.key())
        self.db.get_item(TableName=T, Key=self.key())


if __name__ == '__main__':
    unittest.main()
