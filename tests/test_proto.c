#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "proto.h"
#include "services.h"
#include "testutil.h"

static cJSON *parse_200(const char *svc, const char *op, const char *body)
{
	cJSON *out = NULL;
	err_t e = { 0 };
	int rc = proto_parse_response(service_find(svc), op, 200, NULL, 0, body,
				      strlen(body), &out, &e);

	ck_assert_msg(rc == 0, "%s %s: %s", svc, op, e.message);
	return out;
}

/* Asserts that `got` equals the JSON text `want`, printing both if not. */
static void assert_json(const cJSON *got, const char *want)
{
	cJSON *w = cJSON_Parse(want);
	char *g = cJSON_PrintUnformatted(got);

	ck_assert_ptr_nonnull(w);
	ck_assert_msg(cJSON_Compare(got, w, 1), "got %s\nwant %s", g, want);
	free(g);
	cJSON_Delete(w);
}

static void assert_path(const cJSON *root, const char *path, const char *want)
{
	char part[64];
	const cJSON *o = root;
	const char *p = path;

	while (o && *p) {
		size_t n = strcspn(p, ".");
		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if (part[0] >= '0' && part[0] <= '9')
			o = cJSON_GetArrayItem(o, atoi(part));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, part);
		p += n + (p[n] == '.');
	}
	ck_assert_msg(o != NULL, "no %s", path);
	assert_json(o, want);
}

#define EC2NS "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

START_TEST(ec2_vpcs_single_empty_and_nested_lists_are_arrays)
{
	cJSON *r = parse_200("ec2", "DescribeVpcs",
		"<DescribeVpcsResponse " EC2NS "><requestId>r</requestId><vpcSet>"
		"<item><vpcId>vpc-1</vpcId><isDefault>false</isDefault>"
		"<tagSet><item><key>Name</key><value>main</value></item></tagSet></item>"
		"<item><vpcId>vpc-2</vpcId><tagSet/></item></vpcSet></DescribeVpcsResponse>");

	assert_json(r, "{\"Vpcs\":[{\"VpcId\":\"vpc-1\",\"IsDefault\":false,"
		       "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"main\"}]},"
		       "{\"VpcId\":\"vpc-2\",\"Tags\":[]}]}");
	cJSON_Delete(r);
	r = parse_200("ec2", "DescribeVpcs",
		      "<DescribeVpcsResponse " EC2NS "><vpcSet/></DescribeVpcsResponse>");
	assert_json(r, "{\"Vpcs\":[]}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(ec2_security_group_permissions_nest_and_ports_are_numbers)
{
	cJSON *r = parse_200("ec2", "DescribeSecurityGroups",
		"<DescribeSecurityGroupsResponse " EC2NS "><securityGroupInfo><item>"
		"<groupId>sg-1</groupId><ipPermissions><item><ipProtocol>tcp</ipProtocol>"
		"<fromPort>443</fromPort><toPort>443</toPort>"
		"<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item><item><cidrIp>10.0.0.0/8</cidrIp>"
		"<description>lan</description></item></ipRanges><groups/></item></ipPermissions>"
		"<ipPermissionsEgress/></item></securityGroupInfo></DescribeSecurityGroupsResponse>");

	assert_path(r, "SecurityGroups.0.IpPermissions.0.FromPort", "443");
	assert_path(r, "SecurityGroups.0.IpPermissions.0.IpRanges",
		    "[{\"CidrIp\":\"0.0.0.0/0\"},{\"CidrIp\":\"10.0.0.0/8\",\"Description\":\"lan\"}]");
	assert_path(r, "SecurityGroups.0.IpPermissions.0.UserIdGroupPairs", "[]");
	assert_path(r, "SecurityGroups.0.IpPermissionsEgress", "[]");
	cJSON_Delete(r);
}
END_TEST

START_TEST(rds_result_wrapper_is_stripped_and_scalars_typed)
{
	cJSON *r = parse_200("rds", "DescribeDBInstances",
		"<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances><DBInstance>"
		"<DBInstanceIdentifier>db1</DBInstanceIdentifier><AllocatedStorage>20</AllocatedStorage>"
		"<MultiAZ>true</MultiAZ><InstanceCreateTime>2023-01-02T03:04:05.120+00:00</InstanceCreateTime>"
		"<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-1</VpcSecurityGroupId>"
		"</VpcSecurityGroupMembership></VpcSecurityGroups></DBInstance></DBInstances>"
		"</DescribeDBInstancesResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>"
		"</DescribeDBInstancesResponse>");

	assert_json(r, "{\"DBInstances\":[{\"DBInstanceIdentifier\":\"db1\",\"AllocatedStorage\":20,"
		       "\"MultiAZ\":true,\"InstanceCreateTime\":\"2023-01-02T03:04:05.120Z\","
		       "\"VpcSecurityGroups\":[{\"VpcSecurityGroupId\":\"sg-1\"}]}]}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(iam_get_role_and_list_roles_use_member_lists)
{
	cJSON *r = parse_200("iam", "GetRole",
		"<GetRoleResponse><GetRoleResult><Role><RoleName>app</RoleName>"
		"<CreateDate>2019-11-20T17:09:20Z</CreateDate><MaxSessionDuration>3600</MaxSessionDuration>"
		"<Tags><member><Key>team</Key><Value>infra</Value></member></Tags></Role>"
		"</GetRoleResult></GetRoleResponse>");

	assert_json(r, "{\"Role\":{\"RoleName\":\"app\",\"CreateDate\":\"2019-11-20T17:09:20Z\","
		       "\"MaxSessionDuration\":3600,\"Tags\":[{\"Key\":\"team\",\"Value\":\"infra\"}]}}");
	cJSON_Delete(r);
	r = parse_200("iam", "ListRoles",
		"<ListRolesResponse><ListRolesResult><IsTruncated>false</IsTruncated><Roles>"
		"<member><RoleName>a</RoleName></member><member><RoleName>b</RoleName></member>"
		"</Roles></ListRolesResult></ListRolesResponse>");
	assert_json(r, "{\"IsTruncated\":false,\"Roles\":[{\"RoleName\":\"a\"},{\"RoleName\":\"b\"}]}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(elbv2_load_balancers_keep_nested_member_lists)
{
	cJSON *r = parse_200("elbv2", "DescribeLoadBalancers",
		"<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers><member>"
		"<LoadBalancerArn>arn:lb</LoadBalancerArn><State><Code>active</Code></State>"
		"<AvailabilityZones><member><ZoneName>a</ZoneName><LoadBalancerAddresses/></member></AvailabilityZones>"
		"<SecurityGroups><member>sg-1</member></SecurityGroups></member></LoadBalancers>"
		"</DescribeLoadBalancersResult></DescribeLoadBalancersResponse>");

	assert_json(r, "{\"LoadBalancers\":[{\"LoadBalancerArn\":\"arn:lb\",\"State\":{\"Code\":\"active\"},"
		       "\"AvailabilityZones\":[{\"ZoneName\":\"a\",\"LoadBalancerAddresses\":[]}],"
		       "\"SecurityGroups\":[\"sg-1\"]}]}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(route53_record_sets_use_rest_xml_element_names)
{
	cJSON *r = parse_200("route53", "ListResourceRecordSets",
		"<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
		"<ResourceRecordSets><ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type>"
		"<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>1.2.3.4</Value></ResourceRecord>"
		"</ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated>"
		"<MaxItems>1</MaxItems><NextRecordName>b.example.com.</NextRecordName>"
		"<NextRecordType>A</NextRecordType></ListResourceRecordSetsResponse>");

	assert_json(r, "{\"ResourceRecordSets\":[{\"Name\":\"a.example.com.\",\"Type\":\"A\",\"TTL\":60,"
		       "\"ResourceRecords\":[{\"Value\":\"1.2.3.4\"}]}],\"IsTruncated\":true,"
		       "\"MaxItems\":\"1\",\"NextRecordName\":\"b.example.com.\",\"NextRecordType\":\"A\"}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(s3_flattened_rules_come_out_as_an_array)
{
	cJSON *r = parse_200("s3", "GetBucketLifecycleConfiguration",
		"<LifecycleConfiguration><Rule><ID>r1</ID><Status>Enabled</Status></Rule>"
		"</LifecycleConfiguration>");

	assert_json(r, "{\"Rules\":[{\"ID\":\"r1\",\"Status\":\"Enabled\"}]}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(header_bound_output_members_are_included)
{
	proto_header_t h[] = { { "location", "/bucket-1" } };
	cJSON *out = NULL;

	ck_assert_int_eq(proto_parse_response(service_find("s3"), "CreateBucket", 200, h, 1,
					      "", 0, &out, NULL), 0);
	assert_json(out, "{\"Location\":\"/bucket-1\"}");
	cJSON_Delete(out);
}
END_TEST

START_TEST(s3_bucket_location_root_element_is_the_member)
{
	cJSON *r = parse_200("s3", "GetBucketLocation",
		"<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1"
		"</LocationConstraint>");

	assert_json(r, "{\"LocationConstraint\":\"eu-west-1\"}");
	cJSON_Delete(r);
}
END_TEST

START_TEST(json_epoch_timestamps_become_iso8601)
{
	cJSON *r = parse_200("kms", "DescribeKey",
			     "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":1499988003.5,"
			     "\"Enabled\":true}}");

	assert_json(r, "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":\"2017-07-13T23:20:03.500Z\","
		       "\"Enabled\":true}}");
	cJSON_Delete(r);
}
END_TEST

/* A 200 whose body does not fit its shape: an error, no result. */
static void parse_error_200(const char *svc, const char *op, const char *body)
{
	cJSON *out = NULL;
	err_t e = { 0 };

	ck_assert_int_lt(proto_parse_response(service_find(svc), op, 200, NULL, 0, body,
					      strlen(body), &out, &e), 0);
	ck_assert_ptr_null(out);
}

/* Timestamps beyond years 1-9999 (1e300 from a fuzzer) cannot become a
 * time_t: the response is refused as not matching its shape, never cast (UB under UBSan before). */
START_TEST(out_of_range_response_timestamps_are_refused)
{
	static const char *const bad[] = { "1e300", "-1e300", "1e19" };
	char body[256];
	cJSON *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "{\"KeyMetadata\":{\"KeyId\":\"k\","
			 "\"CreationDate\":%s}}", bad[i]);
		parse_error_200("kms", "DescribeKey", body);
		snprintf(body, sizeof(body), "<GetRoleResponse><GetRoleResult><Role>"
			 "<RoleName>r</RoleName><CreateDate>%s</CreateDate></Role>"
			 "</GetRoleResult></GetRoleResponse>", bad[i]);
		parse_error_200("iam", "GetRole", body);
	}
	r = parse_200("kms", "DescribeKey", "{\"KeyMetadata\":{\"CreationDate\":253402300799}}");
	assert_json(r, "{\"KeyMetadata\":{\"CreationDate\":\"9999-12-31T23:59:59Z\"}}");
	cJSON_Delete(r);
}
END_TEST

/* ---- errors ---- */

static err_t parse_error(const char *svc, const char *op, int status,
			 const proto_header_t *h, size_t nh, const char *body)
{
	cJSON *out = (cJSON *)1;
	err_t e = { 0 };

	ck_assert_int_eq(proto_parse_response(service_find(svc), op, status, h, nh, body,
					      strlen(body), &out, &e), -EREMOTEIO);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(e.http_status, status);
	return e;
}

START_TEST(query_error_gives_code_message_and_request_id)
{
	err_t e = parse_error("iam", "GetRole", 404, NULL, 0,
		"<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
		"<Message>no role</Message></Error><RequestId>req-9</RequestId></ErrorResponse>");

	ck_assert_str_eq(e.aws_code, "NoSuchEntity");
	ck_assert_str_eq(e.request_id, "req-9");
	ck_assert_ptr_nonnull(strstr(e.message, "no role"));
}
END_TEST

START_TEST(ec2_error_reads_errors_list_and_request_id_spelling)
{
	err_t e = parse_error("ec2", "DescribeVpcs", 400, NULL, 0,
		"<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>nope</Message>"
		"</Error></Errors><RequestID>ec2-1</RequestID></Response>");

	ck_assert_str_eq(e.aws_code, "InvalidVpcID.NotFound");
	ck_assert_str_eq(e.request_id, "ec2-1");
}
END_TEST

START_TEST(json_error_type_prefix_is_stripped)
{
	proto_header_t h[] = { { "X-Amzn-RequestId", "kms-1" } };
	err_t e = parse_error("kms", "DescribeKey", 400, h, 1,
		"{\"__type\":\"com.amazonaws.kms#NotFoundException\",\"message\":\"gone\"}");

	ck_assert_str_eq(e.aws_code, "NotFoundException");
	ck_assert_str_eq(e.request_id, "kms-1");
	e = parse_error("backup", "DescribeBackupVault", 403, NULL, 0,
			"{\"code\":\"AccessDeniedException\",\"Message\":\"no\"}");
	ck_assert_str_eq(e.aws_code, "AccessDeniedException");
}
END_TEST

START_TEST(rest_json_error_header_suffix_is_stripped)
{
	proto_header_t h[] = {
		{ "x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/" },
		{ "x-amzn-requestid", "eks-1" },
	};
	err_t e = parse_error("eks", "DescribeCluster", 404, h, 2, "{\"message\":\"no cluster\"}");

	ck_assert_str_eq(e.aws_code, "ResourceNotFoundException");
	ck_assert_str_eq(e.request_id, "eks-1");
	ck_assert_ptr_nonnull(strstr(e.message, "no cluster"));
}
END_TEST

START_TEST(s3_error_at_root_with_header_request_id)
{
	proto_header_t h[] = { { "x-amz-request-id", "s3-1" } };
	err_t e = parse_error("s3", "GetBucketTagging", 404, h, 1,
		"<Error><Code>NoSuchTagSet</Code><Message>none</Message><RequestId>s3-1</RequestId></Error>");

	ck_assert_str_eq(e.aws_code, "NoSuchTagSet");
	ck_assert_str_eq(e.request_id, "s3-1");
}
END_TEST

START_TEST(html_or_empty_error_body_falls_back_to_the_status)
{
	err_t e = parse_error("ec2", "DescribeVpcs", 503, NULL, 0,
			      "<html><body><h1>503 Service Unavailable</h1></body></html>");

	ck_assert_str_eq(e.aws_code, "ServiceUnavailable");
	e = parse_error("kms", "DescribeKey", 500, NULL, 0, "");
	ck_assert_str_eq(e.aws_code, "InternalError");
	e = parse_error("s3", "ListBuckets", 418, NULL, 0, "<<<");
	ck_assert_str_eq(e.aws_code, "Http418");
}
END_TEST

START_TEST(malformed_success_bodies_are_rejected_without_crash)
{
	static const struct { const char *svc, *op, *body; } bad[] = {
		{ "ec2", "DescribeVpcs", "<DescribeVpcsResponse><vpcSet><item>" },
		{ "ec2", "DescribeVpcs", "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>" },
		{ "iam", "ListRoles", "{}" },
		{ "kms", "DescribeKey", "{\"KeyMetadata\":" },
		{ "kms", "DescribeKey", "{\"KeyMetadata\":[1,2]}" },
		{ "kms", "DescribeKey", "{\"KeyMetadata\":{\"Enabled\":\"yes\"}}" },
		{ "rds", "DescribeDBInstances", "<R><DescribeDBInstancesResult><DBInstances><DBInstance>"
		  "<AllocatedStorage>lots</AllocatedStorage></DBInstance></DBInstances>"
		  "</DescribeDBInstancesResult></R>" },
	};
	cJSON *out;
	err_t e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		memset(&e, 0, sizeof(e));
		ck_assert_int_lt(proto_parse_response(service_find(bad[i].svc), bad[i].op, 200, NULL,
						      0, bad[i].body, strlen(bad[i].body), &out, &e), 0);
		ck_assert_ptr_null(out);
		ck_assert_str_ne(e.message, "");
	}
}
END_TEST

/* Every truncation and a hostile byte at every offset of real responses:
 * parsing may fail, but must not crash, leak, or return both error and
 * result (ASan/valgrind runs make this bite). */
START_TEST(mutated_responses_never_crash)
{
	static const struct { const char *svc, *op, *body; } base[] = {
		{ "ec2", "DescribeSecurityGroups",
		  "<R><securityGroupInfo><item><groupId>sg-1</groupId><ipPermissions><item>"
		  "<fromPort>1</fromPort><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item>"
		  "</ipRanges></item></ipPermissions></item></securityGroupInfo></R>" },
		{ "kms", "DescribeKey",
		  "{\"KeyMetadata\":{\"KeyId\":\"k\",\"CreationDate\":1.5e9,\"Enabled\":true,"
		  "\"EncryptionAlgorithms\":[\"A\"]}}" },
		{ "sns", "GetTopicAttributes",
		  "<R><GetTopicAttributesResult><Attributes><entry><key>a</key><value>b</value>"
		  "</entry></Attributes></GetTopicAttributesResult></R>" },
	};
	static const char hostile[] = { '<', '>', '"', '{', '&', '\0', '\xff' };
	char buf[512];
	size_t i, n, len, h;
	cJSON *out;
	int rc, status;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		len = strlen(base[i].body);
		ck_assert_uint_lt(len, sizeof(buf));
		for (n = 0; n < len; n++) {
			for (h = 0; h <= sizeof(hostile); h++) {
				memcpy(buf, base[i].body, len);
				if (h < sizeof(hostile))
					buf[n] = hostile[h];
				for (status = 200; status <= 400; status += 200) {
					out = NULL;
					rc = proto_parse_response(service_find(base[i].svc), base[i].op,
								  status, NULL, 0, buf,
								  h < sizeof(hostile) ? len : n, &out, NULL);
					ck_assert(rc == 0 ? out != NULL : out == NULL);
					cJSON_Delete(out);
				}
			}
		}
	}
}
END_TEST

START_TEST(deeply_nested_xml_response_is_rejected)
{
	char *doc = malloc(200 * 7 + 1);
	cJSON *out = NULL;
	err_t e = { 0 };
	size_t off = 0;
	int i;

	for (i = 0; i < 200; i++)
		off += (size_t)sprintf(doc + off, "<a>");
	ck_assert_int_eq(proto_parse_response(service_find("ec2"), "DescribeVpcs", 200, NULL, 0,
					      doc, off, &out, &e), -EBADMSG);
	ck_assert_ptr_null(out);
	free(doc);
}
END_TEST

/* ---- pagination ---- */

static int next_page(const char *svc, const char *op, const char *result, cJSON *params)
{
	cJSON *r = cJSON_Parse(result);
	int rc = proto_page_next(service_find(svc), op, r, params, NULL);

	cJSON_Delete(r);
	return rc;
}

START_TEST(next_token_is_copied_into_the_next_request)
{
	cJSON *p = cJSON_Parse("{\"MaxResults\":5}");

	ck_assert_int_eq(next_page("ec2", "DescribeVpcs", "{\"Vpcs\":[],\"NextToken\":\"t2\"}", p), 1);
	assert_json(p, "{\"MaxResults\":5,\"NextToken\":\"t2\"}");
	ck_assert_int_eq(next_page("ec2", "DescribeVpcs", "{\"Vpcs\":[]}", p), 0);
	ck_assert_int_eq(next_page("ec2", "DescribeVpcs", "{\"NextToken\":\"t2\"}", p), 0);
	cJSON_Delete(p);
}
END_TEST

START_TEST(marker_paging_stops_when_not_truncated)
{
	cJSON *p = cJSON_CreateObject();

	ck_assert_int_eq(next_page("iam", "ListRoles", "{\"IsTruncated\":true,\"Marker\":\"m\"}", p), 1);
	assert_json(p, "{\"Marker\":\"m\"}");
	ck_assert_int_eq(next_page("iam", "ListRoles", "{\"IsTruncated\":false,\"Marker\":\"n\"}", p), 0);
	ck_assert_int_eq(next_page("rds", "DescribeDBInstances", "{\"Marker\":\"r\"}", p), 1);
	cJSON_Delete(p);
}
END_TEST

START_TEST(route53_record_paging_moves_the_whole_tuple)
{
	cJSON *p = cJSON_Parse("{\"HostedZoneId\":\"Z1\",\"StartRecordIdentifier\":\"old\"}");

	ck_assert_int_eq(next_page("route53", "ListResourceRecordSets",
				   "{\"IsTruncated\":true,\"NextRecordName\":\"b.\",\"NextRecordType\":\"A\"}",
				   p), 1);
	assert_json(p, "{\"HostedZoneId\":\"Z1\",\"StartRecordName\":\"b.\",\"StartRecordType\":\"A\"}");
	cJSON_Delete(p);
}
END_TEST

START_TEST(operation_without_paginator_is_done_at_once)
{
	cJSON *p = cJSON_CreateObject();

	ck_assert_int_eq(next_page("sts", "GetCallerIdentity", "{\"NextToken\":\"x\"}", p), 0);
	ck_assert_int_eq(cJSON_GetArraySize(p), 0);
	cJSON_Delete(p);
}
END_TEST

/* botocore 1.29 has no paginator for ListPolicyTags; IAM pages it by
 * Marker and IsTruncated all the same. */
START_TEST(operation_without_model_paginator_follows_the_convention)
{
	cJSON *p = cJSON_Parse("{\"PolicyArn\":\"arn:aws:iam::1:policy/p\"}");

	ck_assert_int_eq(next_page("iam", "ListPolicyTags",
				   "{\"Tags\":[],\"IsTruncated\":true,\"Marker\":\"5\"}", p), 1);
	assert_json(p, "{\"PolicyArn\":\"arn:aws:iam::1:policy/p\",\"Marker\":\"5\"}");
	ck_assert_int_eq(next_page("iam", "ListPolicyTags",
				   "{\"Tags\":[],\"IsTruncated\":false}", p), 0);
	cJSON_Delete(p);
}
END_TEST

/* ---- requests ---- */

static proto_request_t *build(const char *svc, const char *op, const char *params, err_t *e)
{
	cJSON *p = cJSON_Parse(params);
	proto_request_t *r = NULL;

	ck_assert_ptr_nonnull(p);
	proto_build_request(service_find(svc), op, p, &r, e);
	cJSON_Delete(p);
	return r;
}

START_TEST(unknown_member_is_rejected_by_name)
{
	err_t e = { 0 };

	ck_assert_ptr_null(build("ec2", "DescribeVpcs",
				 "{\"Filters\":[{\"Name\":\"x\",\"Valuez\":[\"a\"]}]}", &e));
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "Filters[0].Valuez"));
}
END_TEST

START_TEST(missing_required_and_wrong_types_are_rejected)
{
	err_t e = { 0 };

	ck_assert_ptr_null(build("iam", "GetRole", "{}", &e));
	ck_assert_ptr_nonnull(strstr(e.message, "RoleName"));
	ck_assert_ptr_null(build("iam", "ListRoles", "{\"MaxItems\":\"ten\"}", &e));
	ck_assert_ptr_nonnull(strstr(e.message, "MaxItems"));
	ck_assert_ptr_null(build("ec2", "DescribeVpcs", "{\"VpcIds\":\"vpc-1\"}", &e));
	ck_assert_ptr_nonnull(strstr(e.message, "list"));
	ck_assert_ptr_null(build("ec2", "NoSuchOperation", "{}", &e));
	ck_assert_int_eq(e.code, -ENOENT);
}
END_TEST

START_TEST(out_of_range_request_timestamps_are_rejected)
{
	static const char *const bad[] = { "1e300", "-1e300", "\"1e300\"" };
	char params[256];
	err_t e = { 0 };
	proto_request_t *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(params, sizeof(params), "{\"Namespace\":\"n\",\"MetricData\":"
			 "[{\"MetricName\":\"m\",\"Value\":1,\"Timestamp\":%s}]}", bad[i]);
		ck_assert_ptr_null(build("cloudwatch", "PutMetricData", params, &e));
		ck_assert_msg(strstr(e.message, "Timestamp"), "%s", e.message);
	}
	r = build("cloudwatch", "PutMetricData", "{\"Namespace\":\"n\",\"MetricData\":"
		  "[{\"MetricName\":\"m\",\"Value\":1,\"Timestamp\":1700000000.25}]}", &e);
	ck_assert_msg(r != NULL, "%s", e.message);
	ck_assert_msg(strstr(r->body, "Timestamp=2023-11-14T22%3A13%3A20.250000Z"), "%s", r->body);
	proto_request_free(r);
}
END_TEST

START_TEST(idempotency_token_is_filled_with_a_uuid_when_absent)
{
	err_t e = { 0 };
	proto_request_t *r = build("eks", "CreateNodegroup",
		"{\"clusterName\":\"c\",\"nodegroupName\":\"n\",\"subnets\":[\"s\"],\"nodeRole\":\"r\"}", &e);
	cJSON *body, *tok;
	unsigned a, b, c, d;
	unsigned long long f;

	ck_assert_msg(r != NULL, "%s", e.message);
	body = cJSON_Parse(r->body);
	tok = cJSON_GetObjectItemCaseSensitive(body, "clientRequestToken");
	ck_assert_ptr_nonnull(cJSON_GetStringValue(tok));
	ck_assert_int_eq(strlen(tok->valuestring), 36);
	ck_assert_int_eq(sscanf(tok->valuestring, "%8x-%4x-4%3x-%4x-%12llx", &a, &b, &c, &d, &f), 5);
	cJSON_Delete(body);
	proto_request_free(r);
	r = build("eks", "CreateNodegroup", "{\"clusterName\":\"c\",\"nodegroupName\":\"n\","
		  "\"subnets\":[\"s\"],\"nodeRole\":\"r\",\"clientRequestToken\":\"mine\"}", &e);
	ck_assert_ptr_nonnull(strstr(r->body, "\"clientRequestToken\":\"mine\""));
	proto_request_free(r);
}
END_TEST

START_TEST(uri_labels_are_percent_encoded)
{
	err_t e = { 0 };
	proto_request_t *r = build("eks", "TagResource",
		"{\"resourceArn\":\"arn:aws:eks:us-east-1:1:cluster/a b\",\"tags\":{\"k\":\"v\"}}", &e);

	ck_assert_msg(r != NULL, "%s", e.message);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->path, "/tags/arn%3Aaws%3Aeks%3Aus-east-1%3A1%3Acluster%2Fa%20b");
	ck_assert_str_eq(proto_request_header(r, "content-type"), "application/json");
	proto_request_free(r);
}
END_TEST

/* restXml flattened on the member (S3 LifecycleRuleAndOperator.Tags), not
 * the shape: the items repeat as <Tag>, with no wrapper (botocore's
 * serializer, checked on the wire by test_wire_oracle.py). A caller's
 * Content-MD5 goes out once, as given. */
START_TEST(rest_xml_member_flattened_list_and_given_content_md5)
{
	err_t e = { 0 };
	proto_request_t *r = build("s3", "PutBucketLifecycleConfiguration",
		"{\"Bucket\":\"b\",\"LifecycleConfiguration\":{\"Rules\":[{\"Status\":\"Enabled\","
		"\"Filter\":{\"And\":{\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},"
		"{\"Key\":\"b\",\"Value\":\"2\"}]}}}]}}", &e);
	size_t i, n = 0;

	ck_assert_msg(r != NULL, "%s", e.message);
	ck_assert_ptr_nonnull(strstr(r->body, "<And><Tag><Key>a</Key><Value>1</Value></Tag>"
					      "<Tag><Key>b</Key><Value>2</Value></Tag></And>"));
	proto_request_free(r);
	r = build("s3", "PutBucketTagging", "{\"Bucket\":\"b\",\"ContentMD5\":\"given==\","
		  "\"Tagging\":{\"TagSet\":[]}}", &e);
	ck_assert_msg(r != NULL, "%s", e.message);
	for (i = 0; i < r->n_headers; i++)
		n += !strcasecmp(r->headers[i].name, "Content-MD5");
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(proto_request_header(r, "Content-MD5"), "given==");
	proto_request_free(r);
}
END_TEST

START_TEST(json_request_carries_target_and_version)
{
	err_t e = { 0 };
	proto_request_t *r = build("logs", "DescribeLogGroups", "{\"limit\":5}", &e);

	ck_assert_str_eq(proto_request_header(r, "X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
	ck_assert_str_eq(proto_request_header(r, "Content-Type"), "application/x-amz-json-1.1");
	ck_assert_str_eq(r->body, "{\"limit\":5}");
	proto_request_free(r);
}
END_TEST

/* ---- model and services ---- */

START_TEST(every_service_has_a_definition_and_operations)
{
	static const char *names[] = {
		"ec2", "iam", "sts", "rds", "elasticache", "kms", "secretsmanager", "s3",
		"backup", "route53", "acm", "elbv2", "sesv2", "bedrock", "eks", "cloudwatch",
		"logs", "sns", "budgets", "ce",
	};
	const model_operation_t *op;
	size_t i;
	int j, found;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(service_find(names[i]) != NULL, "%s", names[i]);
		for (found = 0, j = 0; (op = model_operation_at(j)); j++)
			found |= !strcmp(model_str(op->service), names[i]);
		ck_assert_msg(found, "no operations for %s", names[i]);
	}
	ck_assert_str_eq(service_find("elbv2")->env_suffix, "ELASTIC_LOAD_BALANCING_V2");
	ck_assert_str_eq(service_find("cloudwatch")->endpoint_prefix, "monitoring");
	ck_assert_str_eq(service_find("ce")->global_host, "ce.us-east-1.amazonaws.com");
	ck_assert_str_eq(service_find("iam")->global_region, "us-east-1");
	ck_assert_ptr_null(service_find("ec3"));
}
END_TEST

START_TEST(model_lookup_finds_operations_and_members)
{
	const model_operation_t *op = model_operation_find("ec2", "DescribeVpcs");
	const model_member_t *m;

	ck_assert_ptr_nonnull(op);
	m = model_member_find(model_shape(op->input), "Filters");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(model_str(m->wire_name), "Filter");
	ck_assert_int_eq(model_shape(m->shape)->type, MODEL_LIST);
	ck_assert_ptr_nonnull(model_paginator(op));
	ck_assert_ptr_null(model_operation_find("ec2", "describeVpcs"));
	ck_assert_ptr_null(model_shape(-1));
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *parse = tcase_create("parse"), *errs = tcase_create("errors"),
	      *page = tcase_create("pagination"), *req = tcase_create("requests"),
	      *model = tcase_create("model");

	tcase_add_test(parse, ec2_vpcs_single_empty_and_nested_lists_are_arrays);
	tcase_add_test(parse, ec2_security_group_permissions_nest_and_ports_are_numbers);
	tcase_add_test(parse, rds_result_wrapper_is_stripped_and_scalars_typed);
	tcase_add_test(parse, iam_get_role_and_list_roles_use_member_lists);
	tcase_add_test(parse, elbv2_load_balancers_keep_nested_member_lists);
	tcase_add_test(parse, route53_record_sets_use_rest_xml_element_names);
	tcase_add_test(parse, s3_flattened_rules_come_out_as_an_array);
	tcase_add_test(parse, json_epoch_timestamps_become_iso8601);
	tcase_add_test(parse, header_bound_output_members_are_included);
	tcase_add_test(parse, s3_bucket_location_root_element_is_the_member);
	tcase_add_test(parse, malformed_success_bodies_are_rejected_without_crash);
	tcase_add_test(parse, deeply_nested_xml_response_is_rejected);
	tcase_add_test(parse, mutated_responses_never_crash);
	tcase_add_test(parse, out_of_range_response_timestamps_are_refused);
	tcase_add_test(errs, query_error_gives_code_message_and_request_id);
	tcase_add_test(errs, ec2_error_reads_errors_list_and_request_id_spelling);
	tcase_add_test(errs, json_error_type_prefix_is_stripped);
	tcase_add_test(errs, rest_json_error_header_suffix_is_stripped);
	tcase_add_test(errs, s3_error_at_root_with_header_request_id);
	tcase_add_test(errs, html_or_empty_error_body_falls_back_to_the_status);
	tcase_add_test(page, next_token_is_copied_into_the_next_request);
	tcase_add_test(page, marker_paging_stops_when_not_truncated);
	tcase_add_test(page, route53_record_paging_moves_the_whole_tuple);
	tcase_add_test(page, operation_without_paginator_is_done_at_once);
	tcase_add_test(page, operation_without_model_paginator_follows_the_convention);
	tcase_add_test(req, unknown_member_is_rejected_by_name);
	tcase_add_test(req, missing_required_and_wrong_types_are_rejected);
	tcase_add_test(req, out_of_range_request_timestamps_are_rejected);
	tcase_add_test(req, idempotency_token_is_filled_with_a_uuid_when_absent);
	tcase_add_test(req, uri_labels_are_percent_encoded);
	tcase_add_test(req, rest_xml_member_flattened_list_and_given_content_md5);
	tcase_add_test(req, json_request_carries_target_and_version);
	tcase_add_test(model, every_service_has_a_definition_and_operations);
	tcase_add_test(model, model_lookup_finds_operations_and_members);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, errs);
	suite_add_tcase(s, page);
	suite_add_tcase(s, req);
	suite_add_tcase(s, model);
	return s;
}

int main(void)
{
	return testutil_run(proto_suite());
}
