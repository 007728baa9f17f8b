#include "services.h"

#include <string.h>

/* Kept sorted by name. Values come from botocore's service-2.json metadata
 * (serviceId gives env_suffix and config_key: upper-/lower-cased, spaces to
 * underscores, see "Service-specific endpoints" in the AWS SDKs and Tools
 * reference guide). Global services have one endpoint signed in us-east-1.
 * The last column is max_in_flight (services.h). */
static const service_def_t services[] = {
	{ "acm", "acm", "acm", "ACM", "acm",
	  PROTO_JSON, "2015-12-08", "CertificateManager", "1.1", NULL, NULL, 0 },
	{ "backup", "backup", "backup", "BACKUP", "backup",
	  PROTO_REST_JSON, "2018-11-15", NULL, NULL, NULL, NULL, 0 },
	{ "bedrock", "bedrock", "bedrock", "BEDROCK", "bedrock",
	  PROTO_REST_JSON, "2023-04-20", NULL, NULL, NULL, NULL, 0 },
	{ "budgets", "budgets", "budgets", "BUDGETS", "budgets",
	  PROTO_JSON, "2016-10-20", "AWSBudgetServiceGateway", "1.1", "us-east-1", "budgets.amazonaws.com", 0 },
	{ "ce", "ce", "ce", "COST_EXPLORER", "cost_explorer",
	  PROTO_JSON, "2017-10-25", "AWSInsightsIndexService", "1.1", "us-east-1", "ce.us-east-1.amazonaws.com", 0 },
	/* LookupEvents: "two per second, per account, per region" (CloudTrail
	 * API Reference, LookupEvents): one call in flight, and
	 * lib/cloudtrail.c paces them with a token bucket. */
	{ "cloudtrail", "cloudtrail", "cloudtrail", "CLOUDTRAIL", "cloudtrail",
	  PROTO_JSON, "2013-11-01", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "1.1", NULL, NULL, 1 },
	{ "cloudwatch", "monitoring", "monitoring", "CLOUDWATCH", "cloudwatch",
	  PROTO_QUERY, "2010-08-01", NULL, NULL, NULL, NULL, 0 },
	{ "dynamodb", "dynamodb", "dynamodb", "DYNAMODB", "dynamodb",
	  PROTO_JSON, "2012-08-10", "DynamoDB_20120810", "1.0", NULL, NULL, 0 },
	{ "ec2", "ec2", "ec2", "EC2", "ec2",
	  PROTO_EC2, "2016-11-15", NULL, NULL, NULL, NULL, 0 },
	{ "eks", "eks", "eks", "EKS", "eks",
	  PROTO_REST_JSON, "2017-11-01", NULL, NULL, NULL, NULL, 0 },
	{ "elasticache", "elasticache", "elasticache", "ELASTICACHE", "elasticache",
	  PROTO_QUERY, "2015-02-02", NULL, NULL, NULL, NULL, 0 },
	{ "elbv2", "elasticloadbalancing", "elasticloadbalancing", "ELASTIC_LOAD_BALANCING_V2", "elastic_load_balancing_v2",
	  PROTO_QUERY, "2015-12-01", NULL, NULL, NULL, NULL, 0 },
	{ "events", "events", "events", "EVENTBRIDGE", "eventbridge",
	  PROTO_JSON, "2015-10-07", "AWSEvents", "1.1", NULL, NULL, 0 },
	{ "iam", "iam", "iam", "IAM", "iam",
	  PROTO_QUERY, "2010-05-08", NULL, NULL, "us-east-1", "iam.amazonaws.com", 0 },
	{ "kms", "kms", "kms", "KMS", "kms",
	  PROTO_JSON, "2014-11-01", "TrentService", "1.1", NULL, NULL, 0 },
	{ "logs", "logs", "logs", "CLOUDWATCH_LOGS", "cloudwatch_logs",
	  PROTO_JSON, "2014-03-28", "Logs_20140328", "1.1", NULL, NULL, 0 },
	{ "rds", "rds", "rds", "RDS", "rds",
	  PROTO_QUERY, "2014-10-31", NULL, NULL, NULL, NULL, 0 },
	{ "route53", "route53", "route53", "ROUTE_53", "route_53",
	  PROTO_REST_XML, "2013-04-01", NULL, NULL, "us-east-1", "route53.amazonaws.com", 2 },
	{ "s3", "s3", "s3", "S3", "s3",
	  PROTO_REST_XML, "2006-03-01", NULL, NULL, NULL, NULL, 0 },
	{ "secretsmanager", "secretsmanager", "secretsmanager", "SECRETS_MANAGER", "secrets_manager",
	  PROTO_JSON, "2017-10-17", "secretsmanager", "1.1", NULL, NULL, 0 },
	{ "sesv2", "email", "ses", "SESV2", "sesv2",
	  PROTO_REST_JSON, "2019-09-27", NULL, NULL, NULL, NULL, 0 },
	{ "sns", "sns", "sns", "SNS", "sns",
	  PROTO_QUERY, "2010-03-31", NULL, NULL, NULL, NULL, 0 },
	/* SQS moved from the query protocol to JSON 1.0 in 2023 (botocore
	 * 1.31.x); its model is "awsQueryCompatible". */
	{ "sqs", "sqs", "sqs", "SQS", "sqs",
	  PROTO_JSON, "2012-11-05", "AmazonSQS", "1.0", NULL, NULL, 0 },
	{ "sts", "sts", "sts", "STS", "sts",
	  PROTO_QUERY, "2011-06-15", NULL, NULL, NULL, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0 },
};

const service_def_t *service_at(int index)
{
	if (index < 0 || index >= (int)(sizeof(services) / sizeof(services[0])))
		return NULL;
	return services[index].name ? &services[index] : NULL;
}

const service_def_t *service_find(const char *name)
{
	const service_def_t *s;
	int i;

	for (i = 0; (s = service_at(i)); i++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}
