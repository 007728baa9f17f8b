/* Amazon SES (API v2): the sending domain's identity with Easy DKIM and
 * its custom MAIL FROM domain. Member names are the botocore sesv2
 * model's (2019-09-27).
 *
 * A domain identity is verified once the three CNAMEs
 * <token>._domainkey.<domain> -> <token>.dkim.amazonses.com resolve (SES
 * Developer Guide, "Easy DKIM"). driftd writes them: config gives
 * route53.record_set resources referencing DkimAttributes.Tokens, and a
 * sesv2.email_identity_verification check, which depends on them, is
 * waited on until DKIM is verified. */
#include <errno.h>

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

const res_type_t res_sesv2_types[] = {
	{ .name = "sesv2.email_identity", .service = "sesv2",
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
	{ .name = "sesv2.email_identity_verification", .service = "sesv2",
	  .summary = "a check that waits until a domain identity's DKIM is verified",
	  .identity = RES_ID_NAME, .name_attrs = identity_names,
	  .id_path = "EmailIdentity",
	  .read = { "GetEmailIdentity", "{\"EmailIdentity\":\"$attr:EmailIdentity\"}", "" },
	  .read_one = { "GetEmailIdentity", "{\"EmailIdentity\":\"$attr:EmailIdentity\"}", "" },
	  .status_path = "DkimAttributes.Status", .ready = "SUCCESS",
	  .failed = "FAILED",
	  .depends_on_types = after_identity,
	  .attrs = verification_attrs, .n_attrs = N_ELEMS(verification_attrs) },
};

const size_t res_sesv2_n_types = N_ELEMS(res_sesv2_types);
