/* IAM: roles, customer managed policies, instance profiles. IAM names are
 * unique per account, so types are found by name. Roles and policies are
 * read in one paginated GetAccountAuthorizationDetails call each, which
 * brings inline policies, attached policies, tags and policy versions
 * along; instance profiles come from ListInstanceProfiles, which lists
 * their roles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* IAM policy documents are limited to 10 240 characters for roles and
 * 6 144 for managed policies (IAM quotas); anything far longer is not one. */
#define POLICY_TEXT_MAX (1 << 20)

/* IAM returns policy documents URL-encoded (RFC 3986), for example in
 * RoleDetail.AssumeRolePolicyDocument and PolicyVersion.Document. Replaces
 * a string member with the decoded document, parsed when it is JSON. */
static int decode_document(cJSON *parent, const char *key, err_t *err)
{
	cJSON *doc = cJSON_GetObjectItemCaseSensitive(parent, key), *parsed;
	char *text;
	int len;

	if (!cJSON_IsString(doc))
		return 0;
	if (strlen(doc->valuestring) > POLICY_TEXT_MAX)
		return err_set(err, -EINVAL, "%s is too long to be a policy", key);
	text = curl_easy_unescape(NULL, doc->valuestring, 0, &len);
	if (!text)
		return err_set(err, -ENOMEM, "out of memory");
	if ((size_t)len != strlen(text)) {
		curl_free(text);
		return err_set(err, -EINVAL, "%s holds a NUL byte", key);
	}
	parsed = cJSON_Parse(text);
	if (!parsed)
		parsed = cJSON_CreateString(text);
	curl_free(text);
	if (!parsed)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ReplaceItemInObjectCaseSensitive(parent, key, parsed);
	return 0;
}

/* Moves the array at from into a new member to, each element reduced to
 * its member key (a string), or to a {name: document} map when doc_key is
 * set. Absent from: nothing (GetRole's item lacks these lists). */
static int flatten(cJSON *item, const char *from, const char *to,
		   const char *key, const char *doc_key, err_t *err)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(item, from), *el, *k, *out;
	int rc;

	if (!cJSON_IsArray(list))
		return 0;
	out = doc_key ? cJSON_CreateObject() : cJSON_CreateArray();
	if (!out)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(el, list) {
		k = cJSON_GetObjectItemCaseSensitive(el, key);
		if (!cJSON_IsString(k))
			continue;
		if (!doc_key) {
			cJSON_AddItemToArray(out, cJSON_CreateString(k->valuestring));
			continue;
		}
		if ((rc = decode_document(el, doc_key, err))) {
			cJSON_Delete(out);
			return rc;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(out, k->valuestring);
		cJSON_AddItemToObject(out, k->valuestring,
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(el, doc_key), 1));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(item, to);
	cJSON_AddItemToObject(item, to, out);
	return 0;
}

static int role_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	int rc;

	(void)t;
	if ((rc = decode_document(item, "AssumeRolePolicyDocument", err)) ||
	    (rc = flatten(item, "RolePolicyList", "Policies", "PolicyName",
			  "PolicyDocument", err)))
		return rc;
	return flatten(item, "AttachedManagedPolicies", "ManagedPolicyArns",
		       "PolicyArn", NULL, err);
}

/* The default version's document becomes PolicyDocument; the version list
 * stays for policy_plan_document. */
static int policy_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	cJSON *v, *def;
	int rc;

	(void)t;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(item, "PolicyVersionList")) {
		if ((rc = decode_document(v, "Document", err)))
			return rc;
		def = cJSON_GetObjectItemCaseSensitive(v, "IsDefaultVersion");
		if (!cJSON_IsTrue(def))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(item, "PolicyDocument");
		cJSON_AddItemToObject(item, "PolicyDocument",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(v, "Document"), 1));
	}
	return 0;
}

/* Roles as role names, the elements AddRoleToInstanceProfile takes. */
static int profile_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	(void)t;
	return flatten(item, "Roles", "Roles", "RoleName", NULL, err);
}

/* CreateOpenIDConnectProvider takes the issuer URL ("https://oidc.eks...")
 * and GetOpenIDConnectProvider answers without the scheme: the live Url
 * gets it back, so that it matches the EKS issuer it was made from, and
 * the bare host stays as Host, the prefix of the provider's condition keys
 * ("HOST:sub" in an IRSA trust policy). */
#define HTTPS "https://"

/* The provider's ARN is Arn in the list and OpenIDConnectProviderArn in
 * the create answer (GetOpenIDConnectProvider has neither): the item gets
 * both. */
static int same_as(cJSON *item, const char *to, const char *from, err_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, from);

	if (!cJSON_IsString(v) || cJSON_GetObjectItemCaseSensitive(item, to))
		return 0;
	if (!cJSON_AddStringToObject(item, to, v->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int oidc_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	cJSON *url = cJSON_GetObjectItemCaseSensitive(item, "Url"), *full;
	char *text;
	size_t n;
	int rc;

	(void)t;
	if ((rc = same_as(item, "Arn", "OpenIDConnectProviderArn", err)) ||
	    (rc = same_as(item, "OpenIDConnectProviderArn", "Arn", err)))
		return rc;
	if (!cJSON_IsString(url))
		return 0;
	if (!strncmp(url->valuestring, HTTPS, strlen(HTTPS))) {
		cJSON_DeleteItemFromObjectCaseSensitive(item, "Host");
		if (!cJSON_AddStringToObject(item, "Host",
					     url->valuestring + strlen(HTTPS)))
			return err_set(err, -ENOMEM, "out of memory");
		return 0;
	}
	n = strlen(HTTPS) + strlen(url->valuestring) + 1;
	if (!(text = malloc(n)))
		return err_set(err, -ENOMEM, "out of memory");
	snprintf(text, n, "%s%s", HTTPS, url->valuestring);
	full = cJSON_CreateString(text);
	free(text);
	cJSON_DeleteItemFromObjectCaseSensitive(item, "Host");
	if (!full || !cJSON_AddStringToObject(item, "Host", url->valuestring)) {
		cJSON_Delete(full);
		return err_set(err, -ENOMEM, "out of memory");
	}
	cJSON_ReplaceItemInObjectCaseSensitive(item, "Url", full);
	return 0;
}

/* Inline policies: {name: document}, each document normalized. */
static cJSON *policy_map(const cJSON *value, err_t *err)
{
	cJSON *out, *p, *n;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "Policies must be an object of policy name to document");
		return NULL;
	}
	if (!(out = cJSON_CreateObject())) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	cJSON_ArrayForEach(p, value) {
		if (!(n = norm_iam_policy(p, err))) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToObject(out, p->string, n);
	}
	return out;
}

/* AWS takes a policy as text; the operator's own text or layout is sent,
 * not the normalized form. */
static cJSON *document_text(const cJSON *doc)
{
	char *text;
	cJSON *s;

	if (cJSON_IsString(doc))
		return cJSON_CreateString(doc->valuestring);
	if (!(text = cJSON_PrintUnformatted(doc)))
		return NULL;
	s = cJSON_CreateString(text);
	free(text);
	return s;
}

static cJSON *named_params(const char *owner_key, const char *name_key,
			   const char *name, const char *doc_key, const cJSON *doc)
{
	cJSON *p = cJSON_CreateObject(), *text;

	if (!p)
		return NULL;
	cJSON_AddStringToObject(p, owner_key, "$id");
	if (name_key)
		cJSON_AddStringToObject(p, name_key, name);
	if (doc_key) {
		if (!(text = document_text(doc))) {
			cJSON_Delete(p);
			return NULL;
		}
		cJSON_AddItemToObject(p, doc_key, text);
	}
	return p;
}

/* Inline policies are a map, so a change is PutRolePolicy for each
 * document that differs and DeleteRolePolicy for each name the config no
 * longer has (deleted first: a role's inline policies share one size
 * quota). */
static cJSON *role_plan_policies(const res_attr_t *a, const cJSON *desired,
				 const cJSON *added, const cJSON *removed,
				 const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *live = NULL, *want = NULL, *p, *have;
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(item, a->name);
	int rc = calls ? 0 : -ENOMEM;

	(void)added;
	(void)removed;
	if (!rc && raw && !(live = policy_map(raw, err)))
		rc = -EINVAL;
	if (!rc && desired && !(want = policy_map(desired, err)))
		rc = -EINVAL;
	cJSON_ArrayForEach(p, live)
		if (!rc && !cJSON_GetObjectItemCaseSensitive(want, p->string))
			rc = res_plan_call(calls, a->remove_op,
				      named_params("RoleName", "PolicyName", p->string,
						   NULL, NULL));
	cJSON_ArrayForEach(p, want) {
		have = cJSON_GetObjectItemCaseSensitive(live, p->string);
		if (!rc && (!have || !json_equal(have, p)))
			rc = res_plan_call(calls, a->update_op,
				      named_params("RoleName", "PolicyName", p->string,
						   "PolicyDocument",
						   cJSON_GetObjectItemCaseSensitive(desired,
										    p->string)));
	}
	cJSON_Delete(live);
	cJSON_Delete(want);
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, rc, "out of memory");
		cJSON_Delete(calls);
		return NULL;
	}
	return calls;
}

/* A managed policy keeps at most five versions (IAM quotas); making room
 * means deleting the oldest version that is not the default before
 * CreatePolicyVersion (see CreatePolicyVersion in the IAM API reference). */
#define POLICY_VERSIONS_MAX 5

static cJSON *policy_plan_document(const res_attr_t *a, const cJSON *desired,
				   const cJSON *added, const cJSON *removed,
				   const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *v, *params, *oldest = NULL, *date, *od;
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(item, "PolicyVersionList");
	int rc = calls ? 0 : -ENOMEM;

	(void)added;
	(void)removed;
	if (!rc && cJSON_GetArraySize(versions) >= POLICY_VERSIONS_MAX) {
		cJSON_ArrayForEach(v, versions) {
			date = cJSON_GetObjectItemCaseSensitive(v, "CreateDate");
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "IsDefaultVersion")) ||
			    !cJSON_IsString(date))
				continue;
			od = oldest ? cJSON_GetObjectItemCaseSensitive(oldest, "CreateDate") : NULL;
			/* ISO 8601 times in one zone sort as text. */
			if (!od || strcmp(date->valuestring, od->valuestring) < 0)
				oldest = v;
		}
		v = oldest ? cJSON_GetObjectItemCaseSensitive(oldest, "VersionId") : NULL;
		if (cJSON_IsString(v)) {
			params = named_params("PolicyArn", "VersionId", v->valuestring,
					      NULL, NULL);
			rc = res_plan_call(calls, a->plan_ops, params);
		}
	}
	if (!rc) {
		params = named_params("PolicyArn", NULL, NULL, "PolicyDocument", desired);
		if (params && !cJSON_AddTrueToObject(params, "SetAsDefault")) {
			cJSON_Delete(params);
			params = NULL;
		}
		rc = res_plan_call(calls, a->update_op, params);
	}
	if (rc) {
		cJSON_Delete(calls);
		err_set(err, rc, "out of memory");
		return NULL;
	}
	return calls;
}

/* ---- tables ---------------------------------------------------------- */

static const res_attr_t role_attrs[] = {
	{ .name = "RoleName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Path", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .default_json = "\"/\"" },
	{ .name = "AssumeRolePolicyDocument", .kind = RES_DOCUMENT,
	  .mutability = RES_IN_PLACE, .flags = RES_REQUIRED,
	  .normalize = norm_iam_policy,
	  .update_op = "UpdateAssumeRolePolicy",
	  .update_params = "{\"RoleName\":\"$id\",\"PolicyDocument\":\"$value\"}" },
	/* GetAccountAuthorizationDetails leaves Description and
	 * MaxSessionDuration out of RoleDetail; GetRole has them. */
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateRole",
	  .update_params = "{\"RoleName\":\"$id\",\"Description\":\"$value\"}",
	  .live_read = { "GetRole", "{\"RoleName\":\"$id\"}", "Role.Description" } },
	{ .name = "MaxSessionDuration", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "3600",
	  .update_op = "UpdateRole",
	  .update_params = "{\"RoleName\":\"$id\",\"MaxSessionDuration\":\"$value\"}",
	  .live_read = { "GetRole", "{\"RoleName\":\"$id\"}", "Role.MaxSessionDuration" } },
	/* The ARN of the managed policy that caps the role (driftd policy
	 * allows role writes only for roles within driftd's boundary). Set
	 * at create or by PutRolePermissionsBoundary; RoleDetail carries it.
	 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html */
	{ .name = "PermissionsBoundary",
	  .live_path = "PermissionsBoundary.PermissionsBoundaryArn",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "PutRolePermissionsBoundary",
	  .update_params = "{\"RoleName\":\"$id\",\"PermissionsBoundary\":\"$value\"}" },
	{ .name = "Policies", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = policy_map,
	  .update_op = "PutRolePolicy", .remove_op = "DeleteRolePolicy",
	  .plan = role_plan_policies },
	{ .name = "ManagedPolicyArns", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE,
	  .update_op = "AttachRolePolicy",
	  .update_params = "{\"RoleName\":\"$id\",\"PolicyArn\":\"$element\"}",
	  .remove_op = "DetachRolePolicy",
	  .remove_params = "{\"RoleName\":\"$id\",\"PolicyArn\":\"$element\"}",
	  .per_element = 1 },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
	{ .name = "RoleId", .mutability = RES_READ_ONLY },
};

static const res_attr_t policy_attrs[] = {
	{ .name = "PolicyName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Path", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .default_json = "\"/\"" },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "PolicyDocument", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = norm_iam_policy,
	  .update_op = "CreatePolicyVersion",
	  .update_params = "{\"PolicyArn\":\"$id\",\"PolicyDocument\":\"$value\","
			   "\"SetAsDefault\":true}",
	  .plan = policy_plan_document, .plan_ops = "DeletePolicyVersion" },
	/* ManagedPolicyDetail carries no tags; ListPolicyTags has them. */
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE,
	  .live_read = { "ListPolicyTags", "{\"PolicyArn\":\"$id\"}", "Tags" } },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
	{ .name = "PolicyId", .mutability = RES_READ_ONLY },
	{ .name = "DefaultVersionId", .mutability = RES_READ_ONLY },
};

static const res_attr_t profile_attrs[] = {
	{ .name = "InstanceProfileName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Path", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .default_json = "\"/\"" },
	/* An instance profile holds at most one role (IAM quotas), but the
	 * API speaks of a list. */
	{ .name = "Roles", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE,
	  .update_op = "AddRoleToInstanceProfile",
	  .update_params = "{\"InstanceProfileName\":\"$id\",\"RoleName\":\"$element\"}",
	  .remove_op = "RemoveRoleFromInstanceProfile",
	  .remove_params = "{\"InstanceProfileName\":\"$id\",\"RoleName\":\"$element\"}",
	  .per_element = 1 },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
	{ .name = "InstanceProfileId", .mutability = RES_READ_ONLY },
};

static const res_attr_t oidc_attrs[] = {
	{ .name = "Url", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* The audiences: sts.amazonaws.com for IRSA. */
	{ .name = "ClientIDList", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .update_op = "AddClientIDToOpenIDConnectProvider",
	  .update_params = "{\"OpenIDConnectProviderArn\":\"$id\",\"ClientID\":\"$element\"}",
	  .remove_op = "RemoveClientIDFromOpenIDConnectProvider",
	  .remove_params = "{\"OpenIDConnectProviderArn\":\"$id\",\"ClientID\":\"$element\"}",
	  .per_element = 1 },
	/* SHA-1 fingerprints of the issuer's certificate chain (IAM ignores
	 * them for EKS issuers, but the API wants at least one). */
	{ .name = "ThumbprintList", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = norm_lower,
	  .update_op = "UpdateOpenIDConnectProviderThumbprint",
	  .update_params = "{\"OpenIDConnectProviderArn\":\"$id\"}",
	  .plan = res_plan_whole_set },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
	{ .name = "Host", .mutability = RES_READ_ONLY },
};

static const res_hooks_t oidc_hooks = { .fix_live = oidc_fix_live };
static const res_hooks_t role_hooks = { .fix_live = role_fix_live };
static const res_hooks_t policy_hooks = { .fix_live = policy_fix_live };
static const res_hooks_t profile_hooks = { .fix_live = profile_fix_live };

static const char *const role_names[] = { "RoleName", NULL };
static const char *const policy_names[] = { "PolicyName", NULL };
static const char *const profile_names[] = { "InstanceProfileName", NULL };
static const char *const after_role[] = { "iam.role", NULL };
static const char *const oidc_names[] = { "Url", NULL };

const res_type_t res_iam_types[] = {
	{ .name = "iam.role", .arn = "arn:{partition}:iam::{account}:role/{RoleName}", .service = "iam",
	  .summary = "an IAM role with its trust policy, inline and attached policies",
	  .identity = RES_ID_NAME, .name_attrs = role_names,
	  .id_path = "RoleName", .arn_path = "Arn",
	  .read = { "GetAccountAuthorizationDetails", "{\"Filter\":[\"Role\"]}",
		    "RoleDetailList" },
	  .read_one = { "GetRole", "{\"RoleName\":\"$id\"}", "Role" },
	  .create = { "CreateRole", "{\"Tags\":\"$tags\"}", "Role" },
	  .remove = { "DeleteRole", "{\"RoleName\":\"$id\"}", NULL },
	  .tag = { "TagRole", "{\"RoleName\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagRole", "{\"RoleName\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = role_attrs, .n_attrs = N_ELEMS(role_attrs), .hooks = &role_hooks },
	{ .name = "iam.policy", .arn = "arn:{partition}:iam::{account}:policy/{PolicyName}", .service = "iam",
	  .summary = "a customer managed IAM policy",
	  .identity = RES_ID_NAME, .name_attrs = policy_names,
	  .id_path = "Arn", .arn_path = "Arn",
	  .read = { "GetAccountAuthorizationDetails",
		    "{\"Filter\":[\"LocalManagedPolicy\"]}", "Policies" },
	  .read_one = { "GetPolicy", "{\"PolicyArn\":\"$id\"}", "Policy" },
	  .create = { "CreatePolicy", "{\"Tags\":\"$tags\"}", "Policy" },
	  .remove = { "DeletePolicy", "{\"PolicyArn\":\"$id\"}", NULL },
	  .tag = { "TagPolicy", "{\"PolicyArn\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagPolicy", "{\"PolicyArn\":\"$id\",\"TagKeys\":\"$tag_keys\"}",
		     NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = policy_attrs, .n_attrs = N_ELEMS(policy_attrs),
	  .hooks = &policy_hooks },
	{ .name = "iam.instance_profile", .arn = "arn:{partition}:iam::{account}:instance-profile/{InstanceProfileName}", .service = "iam",
	  .summary = "an instance profile: the role an EC2 instance runs as",
	  .identity = RES_ID_NAME, .name_attrs = profile_names,
	  .id_path = "InstanceProfileName", .arn_path = "Arn",
	  .read = { "ListInstanceProfiles", "{}", "InstanceProfiles" },
	  .read_one = { "GetInstanceProfile", "{\"InstanceProfileName\":\"$id\"}",
			"InstanceProfile" },
	  .create = { "CreateInstanceProfile", "{\"Tags\":\"$tags\"}", "InstanceProfile" },
	  .remove = { "DeleteInstanceProfile", "{\"InstanceProfileName\":\"$id\"}", NULL },
	  .tag = { "TagInstanceProfile",
		   "{\"InstanceProfileName\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagInstanceProfile",
		     "{\"InstanceProfileName\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_LIST, .depends_on_types = after_role,
	  .attrs = profile_attrs, .n_attrs = N_ELEMS(profile_attrs),
	  .hooks = &profile_hooks },
	{ .name = "iam.openid_connect_provider", .arn = "arn:{partition}:iam::{account}:oidc-provider/*", .service = "iam",
	  .summary = "an IAM OIDC identity provider (an EKS cluster's issuer, for IRSA)",
	  .identity = RES_ID_NAME, .name_attrs = oidc_names,
	  .id_path = "OpenIDConnectProviderArn", .arn_path = "Arn",
	  .read = { "ListOpenIDConnectProviders", "{}", "OpenIDConnectProviderList" },
	  .read_each = { { "GetOpenIDConnectProvider",
			   "{\"OpenIDConnectProviderArn\":\"$live:Arn\"}", NULL } },
	  .read_one = { "GetOpenIDConnectProvider", "{\"OpenIDConnectProviderArn\":\"$id\"}",
			NULL },
	  .create = { "CreateOpenIDConnectProvider", "{\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteOpenIDConnectProvider",
		      "{\"OpenIDConnectProviderArn\":\"$id\"}", NULL },
	  .tag = { "TagOpenIDConnectProvider",
		   "{\"OpenIDConnectProviderArn\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagOpenIDConnectProvider",
		     "{\"OpenIDConnectProviderArn\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = oidc_attrs, .n_attrs = N_ELEMS(oidc_attrs), .hooks = &oidc_hooks },
};

const size_t res_iam_n_types = N_ELEMS(res_iam_types);
