/* Amazon SES (API v2): the sending domain's identity with Easy DKIM and
 * its custom MAIL FROM domain, configuration sets and their event
 * destinations, email templates, and the account's production access.
 * Member names are the botocore sesv2 model's (2019-09-27).
 *
 * A domain identity is verified once the three CNAMEs
 * <token>._domainkey.<domain> -> <token>.dkim.amazonses.com resolve (SES
 * Developer Guide, "Easy DKIM"). driftd writes them: config gives
 * route53.record_set resources referencing DkimAttributes.Tokens, and a
 * sesv2.email_identity_verification check, which depends on them, is
 * waited on until DKIM is verified. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ListEmailIdentities names an identity IdentityName; the requests (and
 * so the item of a create) EmailIdentity. */
static int identity_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "IdentityName");

	(void)t;
	if (cJSON_IsString(name) && !cJSON_HasObjectItem(item, "EmailIdentity") &&
	    !cJSON_AddStringToObject(item, "EmailIdentity", name->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static const char *const mail_from_fields[] = { "MailFromDomain", "BehaviorOnMxFailure", NULL };

static const res_attr_t identity_attrs[] = {
	{ .name = "EmailIdentity", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE },
	{ .name = "MailFromAttributes", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .fields = mail_from_fields,
	  .update_op = "PutEmailIdentityMailFromAttributes",
	  .update_params = "{\"EmailIdentity\":\"$id\",\"*\":\"$value\"}" },
	{ .name = "DkimAttributes", .mutability = RES_READ_ONLY },
	{ .name = "IdentityType", .mutability = RES_READ_ONLY },
	{ .name = "VerifiedForSendingStatus", .mutability = RES_READ_ONLY },
};

static const res_attr_t verification_attrs[] = {
	{ .name = "EmailIdentity", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE },
	/* Only orders the check after the records it names: never compared. */
	{ .name = "DkimRecords", .kind = RES_SET, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY },
	{ .name = "VerifiedForSendingStatus", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY },
	{ .name = "MailFromDomainStatus", .live_path = "MailFromAttributes.MailFromDomainStatus",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .enum_values = "PENDING|SUCCESS|FAILED|TEMPORARY_FAILURE" },
};

static const res_hooks_t identity_hooks = { .fix_live = identity_fix_live };

static const char *const identity_names[] = { "EmailIdentity", NULL };
static const char *const after_identity[] = {
	"sesv2.email_identity", "route53.record_set", NULL,
};

/* ---- configuration sets ------------------------------------------------ */

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* SuppressionOptions.SuppressedReasons is a set: ["COMPLAINT","BOUNCE"]
 * is ["BOUNCE","COMPLAINT"]. */
static cJSON *norm_suppression(const cJSON *value, err_t *err)
{
	cJSON *out = cJSON_Duplicate(value, 1), *sorted;
	const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(value, "SuppressedReasons");
	const cJSON *r;
	const char **texts;
	int i, n = cJSON_GetArraySize(reasons);

	if (!out)
		goto oom;
	if (!cJSON_IsArray(reasons))
		return out;
	texts = calloc((size_t)n + 1, sizeof(*texts));
	if (!texts)
		goto oom;
	i = 0;
	cJSON_ArrayForEach(r, reasons) {
		if (!cJSON_IsString(r)) {
			free(texts);
			cJSON_Delete(out);
			err_set(err, -EINVAL, "SuppressedReasons holds a %s; "
				"expected BOUNCE or COMPLAINT", json_type_name(r));
			return NULL;
		}
		texts[i++] = r->valuestring;
	}
	qsort(texts, (size_t)n, sizeof(*texts), cmp_text);
	sorted = cJSON_CreateStringArray(texts, n);
	free(texts);
	if (!sorted)
		goto oom;
	cJSON_ReplaceItemInObjectCaseSensitive(out, "SuppressedReasons", sorted);
	return out;
oom:
	cJSON_Delete(out);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}

/* Each option group has its own Put operation taking the set's name and
 * the group's members. */
#define SET_OPTIONS(op_name) \
	.kind = RES_OBJECT, .mutability = RES_IN_PLACE, .update_op = op_name, \
	.update_params = "{\"ConfigurationSetName\":\"$id\",\"*\":\"$value\"}"

static const char *const sending_fields[] = { "SendingEnabled", NULL };
static const char *const reputation_fields[] = { "ReputationMetricsEnabled", NULL };
static const char *const suppression_fields[] = { "SuppressedReasons", NULL };
static const char *const delivery_fields[] = { "TlsPolicy", "SendingPoolName", NULL };

static const res_attr_t config_set_attrs[] = {
	{ .name = "ConfigurationSetName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "SendingOptions", .fields = sending_fields,
	  SET_OPTIONS("PutConfigurationSetSendingOptions") },
	{ .name = "ReputationOptions", .fields = reputation_fields,
	  SET_OPTIONS("PutConfigurationSetReputationOptions") },
	{ .name = "SuppressionOptions", .fields = suppression_fields,
	  .normalize = norm_suppression,
	  SET_OPTIONS("PutConfigurationSetSuppressionOptions") },
	{ .name = "DeliveryOptions", .fields = delivery_fields,
	  SET_OPTIONS("PutConfigurationSetDeliveryOptions") },
};

/* ---- event destinations --------------------------------------------- */

/* GetConfigurationSetEventDestinations lists a destination flat, its name
 * at Name; the requests name it EventDestinationName and nest the rest in
 * EventDestination (the templates place each attribute there). The item
 * of a create (the request) is made to look like a listed one. */
static const char *const destination_members[] = {
	"Enabled", "MatchingEventTypes", "SnsDestination", "CloudWatchDestination",
	"KinesisFirehoseDestination", "PinpointDestination", NULL,
};

static int destination_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "EventDestinationName");
	cJSON *nested = cJSON_GetObjectItemCaseSensitive(item, "EventDestination"), *m;
	const char *const *k;

	(void)t;
	if (cJSON_IsString(name) && !cJSON_HasObjectItem(item, "Name") &&
	    !cJSON_AddStringToObject(item, "Name", name->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	if (!cJSON_IsObject(nested))
		return 0;
	for (k = destination_members; *k; k++)
		if (!cJSON_HasObjectItem(item, *k) &&
		    (m = cJSON_DetachItemFromObjectCaseSensitive(nested, *k)))
			cJSON_AddItemToObject(item, *k, m);
	cJSON_DeleteItemFromObjectCaseSensitive(item, "EventDestination");
	return 0;
}

/* UpdateConfigurationSetEventDestination replaces the whole definition:
 * every attribute is written by this one call (made once when several
 * change), a set's additions and removals alike. */
#define DESTINATION_WRITE \
	.mutability = RES_IN_PLACE, \
	.update_op = "UpdateConfigurationSetEventDestination", \
	.update_params = DESTINATION_TEMPLATE

#define DESTINATION_TEMPLATE \
	"{\"ConfigurationSetName\":\"$live:ConfigurationSetName\"," \
	"\"EventDestinationName\":\"$id\",\"EventDestination\":" \
	DESTINATION_DEFINITION "}"

#define DESTINATION_DEFINITION \
	"{\"Enabled\":\"$attr:Enabled\"," \
	"\"MatchingEventTypes\":\"$attr:MatchingEventTypes\"," \
	"\"SnsDestination\":\"$attr:SnsDestination\"," \
	"\"CloudWatchDestination\":\"$attr:CloudWatchDestination\"," \
	"\"KinesisFirehoseDestination\":\"$attr:KinesisFirehoseDestination\"," \
	"\"PinpointDestination\":\"$attr:PinpointDestination\"}"

static const char *const sns_destination_fields[] = { "TopicArn", NULL };

static const res_attr_t destination_attrs[] = {
	{ .name = "ConfigurationSetName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "EventDestinationName", .live_path = "Name", .kind = RES_SCALAR,
	  .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	/* Absent in a request is disabled. */
	{ .name = "Enabled", .kind = RES_SCALAR, .default_json = "false",
	  DESTINATION_WRITE },
	{ .name = "MatchingEventTypes", .kind = RES_SET, .flags = RES_REQUIRED,
	  .enum_values = "SEND|REJECT|BOUNCE|COMPLAINT|DELIVERY|OPEN|CLICK|"
			 "RENDERING_FAILURE|DELIVERY_DELAY|SUBSCRIPTION",
	  .remove_op = "UpdateConfigurationSetEventDestination",
	  .remove_params = DESTINATION_TEMPLATE, DESTINATION_WRITE },
	{ .name = "SnsDestination", .kind = RES_OBJECT, .fields = sns_destination_fields,
	  DESTINATION_WRITE },
	{ .name = "CloudWatchDestination", .kind = RES_OBJECT, DESTINATION_WRITE },
	{ .name = "KinesisFirehoseDestination", .kind = RES_OBJECT, DESTINATION_WRITE },
	{ .name = "PinpointDestination", .kind = RES_OBJECT, DESTINATION_WRITE },
};

static const res_hooks_t destination_hooks = { .fix_live = destination_fix_live };

/* ---- email templates -------------------------------------------------- */

/* Subject, HTML and text parts, compared exactly (the HTML is a file in
 * the config: ${file("../templates/x.html")}). */
static const char *const content_fields[] = { "Subject", "Html", "Text", NULL };

static const res_attr_t template_attrs[] = {
	{ .name = "TemplateName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "TemplateContent", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .fields = content_fields,
	  .update_op = "UpdateEmailTemplate",
	  .update_params = "{\"TemplateName\":\"$id\",\"TemplateContent\":\"$value\"}" },
};

/* ---- the account's production access ------------------------------------ */

/* A new account sends only to verified addresses (the sandbox) until AWS
 * grants production access on request: PutAccountDetails with
 * ProductionAccessEnabled and the use case, reviewed by a person (SES
 * Developer Guide, "Request production access"). driftd asks once: while
 * the review is PENDING (or was DENIED) the type is held (restable.h), a
 * failed read every run, until GetAccount says ProductionAccessEnabled. */
static int check_enabled(const cJSON *value, err_t *err)
{
	if (!cJSON_IsTrue(value))
		return err_set(err, -EINVAL, "must be true: driftd requests "
			       "production access and never asks AWS to put "
			       "an account back into the sandbox");
	return 0;
}

static const res_attr_t account_attrs[] = {
	{ .name = "ProductionAccessEnabled", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .flags = RES_REQUIRED, .check = check_enabled,
	  .update_op = "PutAccountDetails",
	  .update_params = "{\"MailType\":\"$attr:MailType\","
			   "\"WebsiteURL\":\"$attr:WebsiteURL\","
			   "\"ContactLanguage\":\"$attr:ContactLanguage\","
			   "\"UseCaseDescription\":\"$attr:UseCaseDescription\","
			   "\"AdditionalContactEmailAddresses\":"
			   "\"$attr:AdditionalContactEmailAddresses\","
			   "\"ProductionAccessEnabled\":\"$value\"}" },
	/* The request's content: sent with it, never compared (what AWS
	 * keeps of a submitted request is no drift to correct). */
	{ .name = "MailType", .live_path = "Details.MailType", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY, .flags = RES_REQUIRED | RES_WRITE_ONLY,
	  .enum_values = "MARKETING|TRANSACTIONAL" },
	{ .name = "WebsiteURL", .live_path = "Details.WebsiteURL", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY, .flags = RES_REQUIRED | RES_WRITE_ONLY },
	{ .name = "UseCaseDescription", .live_path = "Details.UseCaseDescription",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED | RES_WRITE_ONLY },
	{ .name = "AdditionalContactEmailAddresses",
	  .live_path = "Details.AdditionalContactEmailAddresses", .kind = RES_SET,
	  .mutability = RES_CREATE_ONLY, .flags = RES_WRITE_ONLY },
	{ .name = "ContactLanguage", .live_path = "Details.ContactLanguage",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY, .flags = RES_WRITE_ONLY,
	  .enum_values = "EN|JA" },
	{ .name = "EnforcementStatus", .mutability = RES_READ_ONLY },
	{ .name = "ReviewStatus", .live_path = "Details.ReviewDetails.Status",
	  .mutability = RES_READ_ONLY },
	{ .name = "ReviewCaseId", .live_path = "Details.ReviewDetails.CaseId",
	  .mutability = RES_READ_ONLY },
};

static const char *const config_set_names[] = { "ConfigurationSetName", NULL };
static const char *const destination_names[] = {
	"ConfigurationSetName", "EventDestinationName", NULL,
};
static const char *const template_names[] = { "TemplateName", NULL };
static const char *const after_config_set[] = { "sesv2.configuration_set", NULL };

const res_type_t res_sesv2_types[] = {
	{ .name = "sesv2.email_identity", .arn = "arn:{partition}:ses:{region}:{account}:identity/{EmailIdentity}", .service = "sesv2",
	  .summary = "an SES sending identity (a domain with Easy DKIM and MAIL FROM)",
	  .identity = RES_ID_NAME, .name_attrs = identity_names,
	  .id_path = "EmailIdentity",
	  .read = { "ListEmailIdentities", "{}", "EmailIdentities" },
	  .read_each = {
		{ "GetEmailIdentity", "{\"EmailIdentity\":\"$live:IdentityName\"}", "", NULL, NULL },
	  },
	  .read_one = { "GetEmailIdentity", "{\"EmailIdentity\":\"$id\"}", "" },
	  .create = { "CreateEmailIdentity", "{}", NULL },
	  .remove = { "DeleteEmailIdentity", "{\"EmailIdentity\":\"$id\"}", NULL },
	  .attrs = identity_attrs, .n_attrs = N_ELEMS(identity_attrs),
	  .hooks = &identity_hooks },
	{ .name = "sesv2.email_identity_verification", .arn = "arn:{partition}:ses:{region}:{account}:identity/{EmailIdentity}", .service = "sesv2",
	  .summary = "a check that waits until a domain identity's DKIM is verified",
	  .identity = RES_ID_NAME, .name_attrs = identity_names,
	  .id_path = "EmailIdentity",
	  .read = { "GetEmailIdentity", "{\"EmailIdentity\":\"$attr:EmailIdentity\"}", "" },
	  .read_one = { "GetEmailIdentity", "{\"EmailIdentity\":\"$attr:EmailIdentity\"}", "" },
	  .status_path = "DkimAttributes.Status", .ready = "SUCCESS",
	  .failed = "FAILED",
	  .depends_on_types = after_identity,
	  .attrs = verification_attrs, .n_attrs = N_ELEMS(verification_attrs) },
	{ .name = "sesv2.configuration_set", .arn = "arn:{partition}:ses:{region}:{account}:configuration-set/{ConfigurationSetName}", .service = "sesv2",
	  .summary = "an SES configuration set: sending, reputation metrics, suppression, TLS",
	  .identity = RES_ID_NAME, .name_attrs = config_set_names,
	  .id_path = "ConfigurationSetName",
	  .read = { "ListConfigurationSets", "{}", "ConfigurationSets" },
	  .read_each = {
		{ "GetConfigurationSet", "{\"ConfigurationSetName\":\"$id\"}", "", NULL, NULL },
	  },
	  .read_one = { "GetConfigurationSet", "{\"ConfigurationSetName\":\"$id\"}", "" },
	  .create = { "CreateConfigurationSet", "{}", NULL },
	  .remove = { "DeleteConfigurationSet", "{\"ConfigurationSetName\":\"$id\"}", NULL },
	  .attrs = config_set_attrs, .n_attrs = N_ELEMS(config_set_attrs) },
	{ .name = "sesv2.configuration_set_event_destination", .arn = "arn:{partition}:ses:{region}:{account}:configuration-set/{ConfigurationSetName}", .service = "sesv2",
	  .summary = "where a configuration set publishes sending events (an SNS topic)",
	  .identity = RES_ID_NAME, .name_attrs = destination_names,
	  .id_path = "Name",
	  .read = { "GetConfigurationSetEventDestinations",
		    "{\"ConfigurationSetName\":\"$attr:ConfigurationSetName\"}",
		    "EventDestinations" },
	  .read_one = { "GetConfigurationSetEventDestinations",
			"{\"ConfigurationSetName\":\"$live:ConfigurationSetName\"}",
			"EventDestinations" },
	  .create = { "CreateConfigurationSetEventDestination",
		      "{\"EventDestination\":" DESTINATION_DEFINITION "}", NULL },
	  .remove = { "DeleteConfigurationSetEventDestination",
		      "{\"ConfigurationSetName\":\"$live:ConfigurationSetName\","
		      "\"EventDestinationName\":\"$id\"}", NULL },
	  .depends_on_types = after_config_set,
	  .attrs = destination_attrs, .n_attrs = N_ELEMS(destination_attrs),
	  .hooks = &destination_hooks },
	{ .name = "sesv2.email_template", .arn = "arn:{partition}:ses:{region}:{account}:template/{TemplateName}", .service = "sesv2",
	  .summary = "an SES email template: subject, HTML and text parts",
	  .identity = RES_ID_NAME, .name_attrs = template_names,
	  .id_path = "TemplateName",
	  .read = { "ListEmailTemplates", "{}", "TemplatesMetadata" },
	  .read_each = {
		{ "GetEmailTemplate", "{\"TemplateName\":\"$id\"}", "TemplateContent",
		  "TemplateContent", NULL },
	  },
	  .read_one = { "GetEmailTemplate", "{\"TemplateName\":\"$id\"}", "" },
	  .create = { "CreateEmailTemplate", "{}", NULL },
	  .remove = { "DeleteEmailTemplate", "{\"TemplateName\":\"$id\"}", NULL },
	  .attrs = template_attrs, .n_attrs = N_ELEMS(template_attrs) },
	{ .name = "sesv2.account_production_access", .service = "sesv2",
	  .summary = "a check that the SES account has production access, requested once",
	  .identity = RES_ID_SINGLETON,
	  .read = { "GetAccount", "{}", "" },
	  .read_one = { "GetAccount", "{}", "" },
	  .status_path = "Details.ReviewDetails.Status", .held = "PENDING|DENIED",
	  .attrs = account_attrs, .n_attrs = N_ELEMS(account_attrs) },
};

const size_t res_sesv2_n_types = N_ELEMS(res_sesv2_types);
