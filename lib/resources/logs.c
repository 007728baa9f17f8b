/* Amazon CloudWatch Logs: log groups with their retention. Member names
 * are the botocore logs model's (2014-03-28), lowerCamel. A log group's
 * name is unique per region; DescribeLogGroups lists them all. Retention
 * is not a CreateLogGroup member: PutRetentionPolicy sets it after the
 * create and on drift. CreateLogGroup answers nothing, so the new item is
 * the request (restable.h, "Create from the request") until the refresh.
 *
 * Groups that AWS services write to (EKS's /aws/eks/<cluster>/cluster,
 * Container Insights' /aws/containerinsights/<cluster>/...) are made by
 * driftd before the service starts logging, so they exist with the
 * retention the config says instead of "never expire". */
#include <errno.h>

#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The values PutRetentionPolicy accepts (PutRetentionPolicy,
 * retentionInDays): any other number is refused at validate. */
static int check_retention(const cJSON *value, err_t *err)
{
	static const int days[] = {
		1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
		1096, 1827, 2192, 2557, 2922, 3288, 3653,
	};
	size_t i;

	if (!cJSON_IsNumber(value))
		return err_set(err, -EINVAL, "retentionInDays must be a number of days");
	for (i = 0; i < N_ELEMS(days); i++)
		if (value->valuedouble == days[i])
			return 0;
	return err_set(err, -EINVAL, "retentionInDays %g is not one CloudWatch Logs "
		       "accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, "
		       "545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)",
		       value->valuedouble);
}

static const res_attr_t group_attrs[] = {
	{ .name = "logGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "retentionInDays", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .check = check_retention,
	  .update_op = "PutRetentionPolicy",
	  .update_params = "{\"logGroupName\":\"$id\",\"retentionInDays\":\"$value\"}" },
	{ .name = "kmsKeyId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "AssociateKmsKey",
	  .update_params = "{\"logGroupName\":\"$id\",\"kmsKeyId\":\"$value\"}" },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE,
	  .live_read = { "ListTagsLogGroup", "{\"logGroupName\":\"$id\"}", "tags" } },
	{ .name = "arn", .mutability = RES_READ_ONLY },
	{ .name = "creationTime", .mutability = RES_READ_ONLY },
};

static const char *const group_names[] = { "logGroupName", NULL };

const res_type_t res_logs_types[] = {
	{ .name = "logs.log_group", .arn = "arn:{partition}:logs:{region}:{account}:log-group:{logGroupName} arn:{partition}:logs:{region}:{account}:log-group:{logGroupName}:*", .service = "logs",
	  .summary = "a CloudWatch Logs log group and how long it keeps events",
	  .identity = RES_ID_NAME, .name_attrs = group_names,
	  .id_path = "logGroupName", .arn_path = "arn",
	  .read = { "DescribeLogGroups", NULL, "logGroups" },
	  /* Names sort before their extensions: the prefix's first match is
	   * the group itself. */
	  .read_one = { "DescribeLogGroups", "{\"logGroupNamePrefix\":\"$id\"}",
			"logGroups.0" },
	  .create = { "CreateLogGroup", "{\"tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteLogGroup", "{\"logGroupName\":\"$id\"}", NULL },
	  .tag = { "TagLogGroup", "{\"logGroupName\":\"$id\",\"tags\":\"$tags\"}", NULL },
	  .untag = { "UntagLogGroup", "{\"logGroupName\":\"$id\",\"tags\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_MAP,
	  .attrs = group_attrs, .n_attrs = N_ELEMS(group_attrs) },
};

const size_t res_logs_n_types = N_ELEMS(res_logs_types);
