/* The eks tables' hooks and the IAM OIDC provider's: the autoscaler's
 * desired size is never drift, control-plane log groups compare as the
 * set of enabled types, node groups are t3.medium or larger. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "testutil.h"
#include "restest.h"

/* The names of the attributes diff finds changed, joined by spaces. */
static void changed(const char *type_name, const char *desired_json,
		    const char *live_json, char *out, size_t size)
{
	cJSON *desired = parse(desired_json), *live = parse(live_json);
	const res_type_t *t = type(type_name);
	diff_opts_t opts;
	diff_t *d = NULL;
	size_t i;
	err_t e;

	memset(&opts, 0, sizeof(opts));
	out[0] = 0;
	if (t->hooks && t->hooks->fix_live)
		ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_msg(diff_resource(t, desired, live, &opts, &d, &e) == 0,
		      "diff failed: %s", e.message);
	for (i = 0; i < d->n_changes; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? " " : "", d->changes[i].attr->name);
	diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
}

#define NODEGROUP(min, max, desired) \
	"{\"clusterName\":\"c\",\"nodegroupName\":\"ng\",\"scalingConfig\":" \
	"{\"minSize\":" #min ",\"maxSize\":" #max ",\"desiredSize\":" #desired "}}"

START_TEST(desired_size_moved_by_the_autoscaler_is_not_drift)
{
	char got[256];

	changed("eks.nodegroup", NODEGROUP(2, 6, 2), NODEGROUP(2, 6, 5), got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(max_size_changed_is_drift)
{
	char got[256];

	changed("eks.nodegroup", NODEGROUP(2, 6, 2), NODEGROUP(2, 9, 5), got, sizeof(got));
	ck_assert_str_eq(got, "scalingConfig");
}
END_TEST

/* The revert sends the configured bounds and keeps the autoscaler's
 * desired size, moved into the bounds when it fell outside. */
static double planned_desired(const char *desired_json, const char *live_json)
{
	const res_attr_t *a = attr("eks.nodegroup", "scalingConfig");
	cJSON *desired = parse(desired_json), *live = parse(live_json), *calls;
	const cJSON *call, *sc;
	double want;
	err_t e;

	ck_assert_ptr_nonnull(a->plan);
	calls = a->plan(a, cJSON_GetObjectItemCaseSensitive(desired, "scalingConfig"),
			NULL, NULL, live, &e);
	ck_assert_ptr_nonnull(calls);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	call = cJSON_GetArrayItem(calls, 0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(call, "op")->valuestring,
			 "UpdateNodegroupConfig");
	sc = json_get_path(call, "params.scalingConfig");
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(sc, "maxSize")->valuedouble,
			    json_get_path(desired, "scalingConfig.maxSize")->valuedouble);
	ck_assert_str_eq(json_get_path(call, "params.clusterName")->valuestring,
			 "$live:clusterName");
	want = cJSON_GetObjectItemCaseSensitive(sc, "desiredSize")->valuedouble;
	cJSON_Delete(calls);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return want;
}

START_TEST(scaling_revert_keeps_the_autoscalers_desired_size)
{
	ck_assert_double_eq(planned_desired(NODEGROUP(2, 6, 2), NODEGROUP(2, 9, 5)), 5);
	ck_assert_double_eq(planned_desired(NODEGROUP(2, 6, 2), NODEGROUP(2, 9, 8)), 6);
	ck_assert_double_eq(planned_desired(NODEGROUP(3, 6, 3), NODEGROUP(1, 6, 1)), 3);
}
END_TEST

static int check_value(const char *type_name, const char *name, const char *json,
		       char *msg, size_t size)
{
	const res_attr_t *a = attr(type_name, name);
	cJSON *v = parse(json);
	err_t e = { 0 };
	int rc;

	ck_assert_ptr_nonnull(a->check);
	rc = a->check(v, &e);
	snprintf(msg, size, "%s", rc ? e.message : "");
	cJSON_Delete(v);
	return rc;
}

START_TEST(node_instance_types_are_t3_medium_or_larger)
{
	char msg[ERR_MSG_MAX];

	ck_assert_int_eq(check_value("eks.nodegroup", "instanceTypes",
		"[\"t3.medium\",\"m5.large\",\"c6i.2xlarge\",\"m5.metal\"]", msg, sizeof(msg)), 0);
	ck_assert_int_eq(check_value("eks.nodegroup", "instanceTypes",
		"[\"t3.large\",\"t3.small\"]", msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "t3.small"));
	ck_assert_int_eq(check_value("eks.nodegroup", "instanceTypes", "[\"t3.micro\"]",
				     msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(check_value("eks.nodegroup", "instanceTypes", "[\"medium\"]",
				     msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(check_value("eks.nodegroup", "instanceTypes", "[]",
				     msg, sizeof(msg)), -EINVAL);
}
END_TEST

START_TEST(scaling_bounds_must_hold_the_desired_size)
{
	char msg[ERR_MSG_MAX];

	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":1,\"maxSize\":3,\"desiredSize\":2}", msg, sizeof(msg)), 0);
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":4,\"maxSize\":3}", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":1,\"maxSize\":3,\"desiredSize\":5}", msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "desiredSize"));
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":1.5,\"maxSize\":3}", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"maxSize\":3}", msg, sizeof(msg)), -EINVAL);
	/* (long)1e300 was undefined behaviour (UBSan float-cast-overflow). */
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":1,\"maxSize\":1e300}", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(check_value("eks.nodegroup", "scalingConfig",
		"{\"minSize\":-1e300,\"maxSize\":3}", msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "whole numbers"));
}
END_TEST

#define ALL_LOGS "[\"api\",\"audit\",\"authenticator\",\"controllerManager\",\"scheduler\"]"

START_TEST(log_types_regrouped_by_aws_are_in_sync_and_one_more_is_drift)
{
	char got[256];

	changed("eks.cluster",
		"{\"logging\":{\"clusterLogging\":[{\"types\":" ALL_LOGS ",\"enabled\":true}]}}",
		"{\"logging\":{\"clusterLogging\":[{\"types\":[\"scheduler\",\"api\"],\"enabled\":true},"
		"{\"types\":[\"audit\",\"authenticator\",\"controllerManager\"],\"enabled\":true}]}}",
		got, sizeof(got));
	ck_assert_str_eq(got, "");
	changed("eks.cluster",
		"{\"logging\":{\"clusterLogging\":[{\"types\":[\"api\"],\"enabled\":true}]}}",
		"{\"logging\":{\"clusterLogging\":[{\"types\":[\"api\",\"audit\"],\"enabled\":true},"
		"{\"types\":[\"scheduler\"],\"enabled\":false}]}}", got, sizeof(got));
	ck_assert_str_eq(got, "logging");
}
END_TEST

START_TEST(logging_update_turns_unconfigured_types_off)
{
	const res_attr_t *a = attr("eks.cluster", "logging");
	cJSON *desired = parse("{\"clusterLogging\":[{\"types\":[\"audit\",\"api\"],\"enabled\":true}]}");
	cJSON *calls = a->plan(a, desired, NULL, NULL, NULL, NULL);
	char *text;
	err_t e;

	ck_assert_ptr_nonnull(calls);
	text = cJSON_PrintUnformatted(calls);
	ck_assert_str_eq(text, "[{\"op\":\"UpdateClusterConfig\",\"params\":{\"name\":\"$id\","
			 "\"logging\":{\"clusterLogging\":[{\"types\":[\"api\",\"audit\"],"
			 "\"enabled\":true},{\"types\":[\"authenticator\",\"controllerManager\","
			 "\"scheduler\"],\"enabled\":false}]}}}]");
	cJSON_free(text);
	cJSON_Delete(calls);
	cJSON_Delete(desired);
	desired = parse("{\"clusterLogging\":[{\"types\":[\"kubelet\"],\"enabled\":true}]}");
	ck_assert_ptr_null(a->normalize(desired, &e));
	ck_assert_ptr_nonnull(strstr(e.message, "kubelet"));
	cJSON_Delete(desired);
}
END_TEST

START_TEST(cluster_subnets_and_cidrs_in_any_order_are_in_sync)
{
	char got[256];

	changed("eks.cluster",
		"{\"resourcesVpcConfig\":{\"subnetIds\":[\"subnet-b\",\"subnet-a\"],"
		"\"publicAccessCidrs\":[\"203.0.113.0/24\",\"198.51.100.0/24\"],"
		"\"endpointPrivateAccess\":true}}",
		"{\"resourcesVpcConfig\":{\"subnetIds\":[\"subnet-a\",\"subnet-b\"],"
		"\"publicAccessCidrs\":[\"198.51.100.0/24\",\"203.0.113.0/24\"],"
		"\"endpointPrivateAccess\":true,\"vpcId\":\"vpc-1\"}}", got, sizeof(got));
	ck_assert_str_eq(got, "");
	changed("eks.cluster",
		"{\"resourcesVpcConfig\":{\"publicAccessCidrs\":[\"203.0.113.0/24\"]}}",
		"{\"resourcesVpcConfig\":{\"publicAccessCidrs\":[\"0.0.0.0/0\"]}}", got, sizeof(got));
	ck_assert_str_eq(got, "resourcesVpcConfig");
}
END_TEST

/* GetOpenIDConnectProvider answers the Url without its scheme and no ARN;
 * the create answer names the ARN OpenIDConnectProviderArn. */
START_TEST(oidc_provider_url_matches_the_issuer_it_was_made_from)
{
	const res_type_t *t = type("iam.openid_connect_provider");
	cJSON *live = parse("{\"Url\":\"oidc.eks.us-east-1.amazonaws.com/id/AB\","
			    "\"OpenIDConnectProviderArn\":\"arn:aws:iam::1:oidc-provider/x\"}");
	char got[256];
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_str_eq(json_get_path(live, "Url")->valuestring,
			 "https://oidc.eks.us-east-1.amazonaws.com/id/AB");
	ck_assert_str_eq(json_get_path(live, "Host")->valuestring,
			 "oidc.eks.us-east-1.amazonaws.com/id/AB");
	ck_assert_str_eq(json_get_path(live, "Arn")->valuestring, "arn:aws:iam::1:oidc-provider/x");
	/* fixed twice (a refresh merged over the last read): the same */
	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_str_eq(json_get_path(live, "Url")->valuestring,
			 "https://oidc.eks.us-east-1.amazonaws.com/id/AB");
	cJSON_Delete(live);
	changed("iam.openid_connect_provider",
		"{\"Url\":\"https://oidc.eks.us-east-1.amazonaws.com/id/AB\","
		"\"ClientIDList\":[\"sts.amazonaws.com\"],\"ThumbprintList\":[\"9E99A48A9960B14926BB7F3B02E22DA2B0AB7280\"]}",
		"{\"Url\":\"oidc.eks.us-east-1.amazonaws.com/id/AB\",\"Arn\":\"a\","
		"\"ClientIDList\":[\"sts.amazonaws.com\"],\"ThumbprintList\":[\"9e99a48a9960b14926bb7f3b02e22da2b0ab7280\"]}",
		got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(node_groups_and_addons_are_read_per_cluster)
{
	ck_assert_ptr_nonnull(strstr(type("eks.nodegroup")->read.params, "$attr:clusterName"));
	ck_assert_ptr_nonnull(strstr(type("eks.addon")->read.params, "$attr:clusterName"));
	ck_assert_ptr_nonnull(strstr(type("eks.nodegroup")->read_each[0].params,
				     "$live:clusterName"));
	ck_assert_str_eq(type("eks.nodegroup")->depends_on_types[0], "eks.cluster");
}
END_TEST

TESTUTIL_MAIN("res_eks",
	desired_size_moved_by_the_autoscaler_is_not_drift,
	max_size_changed_is_drift,
	scaling_revert_keeps_the_autoscalers_desired_size,
	node_instance_types_are_t3_medium_or_larger,
	scaling_bounds_must_hold_the_desired_size,
	log_types_regrouped_by_aws_are_in_sync_and_one_more_is_drift,
	logging_update_turns_unconfigured_types_off,
	cluster_subnets_and_cidrs_in_any_order_are_in_sync,
	oidc_provider_url_matches_the_issuer_it_was_made_from,
	node_groups_and_addons_are_read_per_cluster)
