/* Amazon EKS: clusters, managed node groups, add-ons (rest-json). EKS
 * names are unique per region (clusters) and per cluster (node groups,
 * add-ons), so types are found by name. ListClusters, ListNodegroups and
 * ListAddons list names only: each listed name is described (read_each).
 * Node groups and add-ons are read per cluster: their read is scoped by
 * clusterName. Member names are EKS's own, in lowerCamelCase. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "normalize.h"
#include "num.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The control-plane log types (LogType in the EKS API reference). */
static const char *const log_types[] = {
	"api", "audit", "authenticator", "controllerManager", "scheduler",
};

static cJSON *oom(err_t *err)
{
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}

/* logging.clusterLogging is a list of {types, enabled} groups that AWS
 * regroups as it likes (one group of the enabled types, one of the
 * others); compared as {type: enabled} for every log type, absent types
 * disabled. */
static cJSON *eks_logging(const cJSON *value, err_t *err)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(value, "clusterLogging");
	const cJSON *g, *types, *t;
	cJSON *out;
	size_t i;
	int known;

	if (!cJSON_IsObject(value) || (groups && !cJSON_IsArray(groups))) {
		err_set(err, -EINVAL, "logging must be {\"clusterLogging\": "
			"[{\"types\": [...], \"enabled\": true}]}");
		return NULL;
	}
	if (!(out = cJSON_CreateObject()))
		return oom(err);
	for (i = 0; i < N_ELEMS(log_types); i++)
		cJSON_AddFalseToObject(out, log_types[i]);
	cJSON_ArrayForEach(g, groups) {
		types = cJSON_GetObjectItemCaseSensitive(g, "types");
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "enabled")))
			continue;
		cJSON_ArrayForEach(t, types) {
			for (i = 0, known = 0; i < N_ELEMS(log_types); i++)
				known |= cJSON_IsString(t) &&
					 !strcmp(t->valuestring, log_types[i]);
			if (!known) {
				cJSON_Delete(out);
				err_set(err, -EINVAL, "unknown log type %s (one of api, audit, "
					"authenticator, controllerManager, scheduler)",
					cJSON_IsString(t) ? t->valuestring : "(not a string)");
				return NULL;
			}
			cJSON_ReplaceItemInObjectCaseSensitive(out, t->valuestring,
							       cJSON_CreateTrue());
		}
	}
	return out;
}

/* Appends {"types": types, "enabled": enabled} to groups unless types is
 * empty; takes types. */
static int add_log_group(cJSON *groups, cJSON *types, int enabled)
{
	cJSON *group;

	if (!types)
		return -ENOMEM;
	if (!cJSON_GetArraySize(types)) {
		cJSON_Delete(types);
		return 0;
	}
	if (!(group = cJSON_CreateObject())) {
		cJSON_Delete(types);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(group, "types", types);
	cJSON_AddItemToArray(groups, group);
	return cJSON_AddBoolToObject(group, "enabled", enabled) ? 0 : -ENOMEM;
}

/* Turning a log type off takes an explicit {"enabled": false} group, so
 * UpdateClusterConfig gets both groups: the configured types on, every
 * other type off. */
static cJSON *eks_plan_logging(const res_attr_t *a, const cJSON *desired,
			       const cJSON *added, const cJSON *removed,
			       const cJSON *item, err_t *err)
{
	cJSON *calls = NULL, *want, *params, *logging, *groups = NULL, *on, *off, *t;
	int rc = -ENOMEM;

	(void)added;
	(void)removed;
	(void)item;
	if (!(want = eks_logging(desired, err)))
		return NULL;
	on = cJSON_CreateArray();
	off = cJSON_CreateArray();
	cJSON_ArrayForEach(t, want)
		if (on && off)
			cJSON_AddItemToArray(cJSON_IsTrue(t) ? on : off,
					     cJSON_CreateString(t->string));
	cJSON_Delete(want);
	params = cJSON_CreateObject();
	if (params && cJSON_AddStringToObject(params, "name", "$id") &&
	    (logging = cJSON_AddObjectToObject(params, "logging")))
		groups = cJSON_AddArrayToObject(logging, "clusterLogging");
	if (groups) {
		/* add_log_group takes both lists, whatever it returns */
		rc = add_log_group(groups, on, 1);
		rc |= add_log_group(groups, off, 0);
	} else {
		cJSON_Delete(on);
		cJSON_Delete(off);
	}
	if (!rc && (calls = cJSON_CreateArray()))
		rc = res_plan_call(calls, a->update_op, params);
	else
		cJSON_Delete(params);
	if (rc || !calls) {
		cJSON_Delete(calls);
		return oom(err);
	}
	return calls;
}

/* resourcesVpcConfig: its lists in a canonical order (AWS keeps the
 * order it was given, an operator may write another). */
static cJSON *eks_vpc_config(const cJSON *value, err_t *err)
{
	static const char *const lists[] = {
		"subnetIds", "securityGroupIds", "publicAccessCidrs",
	};
	cJSON *out;
	size_t i;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "resourcesVpcConfig must be an object");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return oom(err);
	for (i = 0; i < N_ELEMS(lists); i++)
		json_sort_array(cJSON_GetObjectItemCaseSensitive(out, lists[i]));
	return out;
}

/* Sizes below medium: too small for the kubelet, the CNI, and the
 * DaemonSets every node runs (Container Insights, the EBS CSI node). */
static const char *const small_sizes[] = { "nano", "micro", "small" };

static int instance_type_ok(const char *type)
{
	const char *dot = strchr(type, '.');
	size_t i;

	if (!dot || dot == type || !dot[1] || strchr(dot + 1, '.'))
		return 0;
	for (i = 0; i < N_ELEMS(small_sizes); i++)
		if (!strcmp(dot + 1, small_sizes[i]))
			return 0;
	return 1;
}

/* Managed node groups run t3.medium or larger: the size part of every
 * instance type is medium or above (large, xlarge, 2xlarge, metal...). */
static int ng_check_instance_types(const cJSON *value, err_t *err)
{
	const cJSON *t;

	if (!cJSON_IsArray(value) || !cJSON_GetArraySize(value))
		return err_set(err, -EINVAL, "give at least one instance type");
	cJSON_ArrayForEach(t, value) {
		if (!cJSON_IsString(t) || strstr(t->valuestring, "${"))
			continue;
		if (!instance_type_ok(t->valuestring))
			return err_set(err, -EINVAL, "%s is smaller than t3.medium or "
				       "not an instance type; node groups need "
				       "t3.medium or larger", t->valuestring);
	}
	return 0;
}

static int size_of(const cJSON *sc, const char *name, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(sc, name);

	if (!v)
		return 0;
	/* Range first (the model's sizes are Integer): (long) of a double beyond
	 * LONG_MAX, which a config can hold, is undefined. */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= INT_MAX) ||
	    v->valuedouble != num_floor(v->valuedouble))
		return -1;
	*out = v->valuedouble;
	return 1;
}

/* minSize <= desiredSize <= maxSize, maxSize at least 1 (EKS rejects the
 * others at create; validate says so first). */
static int ng_check_scaling(const cJSON *value, err_t *err)
{
	double lo = 0, hi = 0, want = 0;
	int has_lo, has_hi, has_want;

	if (!cJSON_IsObject(value))
		return err_set(err, -EINVAL, "scalingConfig must be an object");
	has_lo = size_of(value, "minSize", &lo);
	has_hi = size_of(value, "maxSize", &hi);
	has_want = size_of(value, "desiredSize", &want);
	if (has_lo < 0 || has_hi < 0 || has_want < 0)
		return err_set(err, -EINVAL, "minSize, maxSize and desiredSize are "
			       "whole numbers of nodes");
	if (!has_lo || !has_hi)
		return err_set(err, -EINVAL, "set minSize and maxSize");
	if (hi < 1 || lo > hi)
		return err_set(err, -EINVAL, "maxSize must be at least 1 and at "
			       "least minSize");
	if (has_want && (want < lo || want > hi))
		return err_set(err, -EINVAL, "desiredSize must be between minSize "
			       "and maxSize");
	return 0;
}

/* Min and max are the config's; the desired size is the cluster
 * autoscaler's, so the update keeps the live one, moved into the new
 * bounds only as far as EKS requires (desired within [min, max]). */
static cJSON *ng_plan_scaling(const res_attr_t *a, const cJSON *desired,
			      const cJSON *added, const cJSON *removed,
			      const cJSON *item, err_t *err)
{
	const cJSON *live = json_get_path(item, "scalingConfig.desiredSize");
	cJSON *calls, *params, *sc;
	double lo = 0, hi = 0, want;

	(void)added;
	(void)removed;
	if (size_of(desired, "minSize", &lo) != 1 ||
	    size_of(desired, "maxSize", &hi) != 1) {
		err_set(err, -EINVAL, "scalingConfig needs minSize and maxSize");
		return NULL;
	}
	if (cJSON_IsNumber(live))
		want = live->valuedouble;
	else if (size_of(desired, "desiredSize", &want) != 1)
		want = lo;
	want = want < lo ? lo : want > hi ? hi : want;
	calls = cJSON_CreateArray();
	params = cJSON_CreateObject();
	if (!calls || !params ||
	    !cJSON_AddStringToObject(params, "clusterName", "$live:clusterName") ||
	    !cJSON_AddStringToObject(params, "nodegroupName", "$id") ||
	    !(sc = cJSON_AddObjectToObject(params, "scalingConfig")) ||
	    !cJSON_AddNumberToObject(sc, "minSize", lo) ||
	    !cJSON_AddNumberToObject(sc, "maxSize", hi) ||
	    !cJSON_AddNumberToObject(sc, "desiredSize", want)) {
		cJSON_Delete(params);
		cJSON_Delete(calls);
		return oom(err);
	}
	if (res_plan_call(calls, a->update_op, params)) {
		cJSON_Delete(calls);
		return oom(err);
	}
	return calls;
}

/* ---- tables ---------------------------------------------------------- */

#define EKS_TAGS \
	.tag = { "TagResource", "{\"resourceArn\":\"$arn\",\"tags\":\"$tags\"}", NULL }, \
	.untag = { "UntagResource", \
		   "{\"resourceArn\":\"$arn\",\"tagKeys\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_MAP

#define CLUSTER_UPDATE(member) \
	.update_op = "UpdateClusterConfig", \
	.update_params = "{\"name\":\"$id\",\"" member "\":\"$value\"}"

#define NODEGROUP_ID "\"clusterName\":\"$live:clusterName\",\"nodegroupName\":\"$id\""
#define ADDON_ID "\"clusterName\":\"$live:clusterName\",\"addonName\":\"$id\""

static const res_attr_t cluster_attrs[] = {
	{ .name = "name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "roleArn", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* One minor version per UpdateClusterVersion (EKS refuses skips). */
	{ .name = "version", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateClusterVersion",
	  .update_params = "{\"name\":\"$id\",\"version\":\"$value\"}" },
	{ .name = "resourcesVpcConfig", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = eks_vpc_config,
	  CLUSTER_UPDATE("resourcesVpcConfig") },
	{ .name = "logging", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .normalize = eks_logging, .plan = eks_plan_logging,
	  CLUSTER_UPDATE("logging") },
	/* Envelope encryption of Kubernetes secrets cannot be turned off or
	 * moved to another key once on (EncryptionConfig in the EKS API). */
	{ .name = "encryptionConfig", .kind = RES_LIST, .mutability = RES_CREATE_ONLY },
	{ .name = "kubernetesNetworkConfig", .kind = RES_OBJECT,
	  .mutability = RES_CREATE_ONLY },
	{ .name = "tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "arn", .mutability = RES_READ_ONLY },
	{ .name = "endpoint", .mutability = RES_READ_ONLY },
	{ .name = "identity", .mutability = RES_READ_ONLY },
	{ .name = "certificateAuthority", .mutability = RES_READ_ONLY },
	{ .name = "status", .mutability = RES_READ_ONLY },
	{ .name = "platformVersion", .mutability = RES_READ_ONLY },
};

static const res_attr_t nodegroup_attrs[] = {
	{ .name = "clusterName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "nodegroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "nodeRole", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "subnets", .kind = RES_SET, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "instanceTypes", .kind = RES_SET, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .check = ng_check_instance_types },
	{ .name = "capacityType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"ON_DEMAND\"", .enum_values = "ON_DEMAND|SPOT" },
	{ .name = "amiType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .enum_values = "AL2_x86_64|AL2_x86_64_GPU|AL2_ARM_64|CUSTOM|"
			 "BOTTLEROCKET_ARM_64|BOTTLEROCKET_x86_64|"
			 "BOTTLEROCKET_ARM_64_NVIDIA|BOTTLEROCKET_x86_64_NVIDIA" },
	{ .name = "diskSize", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "scalingConfig", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .check = ng_check_scaling,
	  .update_op = "UpdateNodegroupConfig", .plan = ng_plan_scaling },
	/* The cluster autoscaler moves the desired size between min and max:
	 * sent at create when set, never drift (restable.h). */
	{ .name = "scalingConfig.desiredSize", .mutability = RES_READ_ONLY,
	  .flags = RES_OWNED_ELSEWHERE },
	/* Labels others add (none by EKS) stay: only configured keys count. */
	{ .name = "labels", .kind = RES_MAP, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateNodegroupConfig",
	  .update_params = "{" NODEGROUP_ID ",\"labels\":{\"addOrUpdateLabels\":\"$value\"}}" },
	{ .name = "version", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateNodegroupVersion",
	  .update_params = "{" NODEGROUP_ID ",\"version\":\"$value\"}" },
	{ .name = "tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "nodegroupArn", .mutability = RES_READ_ONLY },
	{ .name = "status", .mutability = RES_READ_ONLY },
	{ .name = "releaseVersion", .mutability = RES_READ_ONLY },
};

static const res_attr_t addon_attrs[] = {
	{ .name = "clusterName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "addonName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* Absent: EKS picks the default version for the cluster's version. */
	{ .name = "addonVersion", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateAddon",
	  .update_params = "{" ADDON_ID ",\"addonVersion\":\"$value\"}" },
	/* The IRSA role the add-on's service account assumes. */
	{ .name = "serviceAccountRoleArn", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateAddon",
	  .update_params = "{" ADDON_ID ",\"serviceAccountRoleArn\":\"$value\"}" },
	/* The add-on's own settings, a JSON document its schema defines
	 * (DescribeAddonConfiguration): the EBS CSI driver's
	 * controller.extraVolumeTags tags every volume it makes, which is how
	 * an AWS Backup selection by tag reaches them. EKS takes and answers
	 * it as text. */
	{ .name = "configurationValues", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .normalize = norm_json_document, .update_op = "UpdateAddon",
	  .update_params = "{" ADDON_ID ",\"configurationValues\":\"$value\"}" },
	/* What to do with fields a self-managed install already set (vpc-cni,
	 * coredns and kube-proxy come with every cluster): a request
	 * parameter, never returned. */
	{ .name = "resolveConflicts", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY, .enum_values = "OVERWRITE|NONE|PRESERVE" },
	{ .name = "tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "addonArn", .mutability = RES_READ_ONLY },
	{ .name = "status", .mutability = RES_READ_ONLY },
};

static const char *const cluster_names[] = { "name", NULL };
static const char *const nodegroup_names[] = { "clusterName", "nodegroupName", NULL };
static const char *const addon_names[] = { "clusterName", "addonName", NULL };
static const char *const after_cluster[] = { "eks.cluster", NULL };

const res_type_t res_eks_types[] = {
	{ .name = "eks.cluster", .arn = "arn:{partition}:eks:{region}:{account}:cluster/{name}", .service = "eks",
	  .summary = "an EKS cluster: control plane, endpoint access, logging, secrets encryption",
	  .identity = RES_ID_NAME, .name_attrs = cluster_names,
	  .id_path = "name", .arn_path = "arn",
	  .read = { "ListClusters", "{}", "clusters" },
	  .read_each = { { "DescribeCluster", "{\"name\":\"$id\"}", "cluster" } },
	  .read_one = { "DescribeCluster", "{\"name\":\"$id\"}", "cluster" },
	  .create = { "CreateCluster", "{\"tags\":\"$tags\",\"clientRequestToken\":\"$token\"}",
		      "cluster" },
	  .remove = { "DeleteCluster", "{\"name\":\"$id\"}", NULL },
	  EKS_TAGS,
	  .status_path = "status", .ready = "ACTIVE", .failed = "FAILED",
	  .attrs = cluster_attrs, .n_attrs = N_ELEMS(cluster_attrs) },
	{ .name = "eks.nodegroup", .arn = "arn:{partition}:eks:{region}:{account}:nodegroup/{clusterName}/{nodegroupName}/* arn:{partition}:eks:{region}:{account}:cluster/{clusterName}", .service = "eks",
	  .summary = "an EKS managed node group: instance types, capacity type, scaling bounds",
	  .identity = RES_ID_NAME, .name_attrs = nodegroup_names,
	  .id_path = "nodegroupName", .arn_path = "nodegroupArn",
	  .read = { "ListNodegroups", "{\"clusterName\":\"$attr:clusterName\"}", "nodegroups" },
	  .read_each = { { "DescribeNodegroup", "{" NODEGROUP_ID "}", "nodegroup" } },
	  .read_one = { "DescribeNodegroup", "{" NODEGROUP_ID "}", "nodegroup" },
	  .create = { "CreateNodegroup", "{\"tags\":\"$tags\",\"clientRequestToken\":\"$token\"}",
		      "nodegroup" },
	  .remove = { "DeleteNodegroup", "{" NODEGROUP_ID "}", NULL },
	  EKS_TAGS,
	  .status_path = "status", .ready = "ACTIVE", .failed = "CREATE_FAILED|DELETE_FAILED",
	  .depends_on_types = after_cluster,
	  .attrs = nodegroup_attrs, .n_attrs = N_ELEMS(nodegroup_attrs) },
	{ .name = "eks.addon", .arn = "arn:{partition}:eks:{region}:{account}:addon/{clusterName}/{addonName}/* arn:{partition}:eks:{region}:{account}:cluster/{clusterName}", .service = "eks",
	  .summary = "an EKS add-on (vpc-cni, coredns, the EBS CSI driver...) and its IRSA role",
	  .identity = RES_ID_NAME, .name_attrs = addon_names,
	  .id_path = "addonName", .arn_path = "addonArn",
	  .read = { "ListAddons", "{\"clusterName\":\"$attr:clusterName\"}", "addons" },
	  .read_each = { { "DescribeAddon", "{" ADDON_ID "}", "addon" } },
	  .read_one = { "DescribeAddon", "{" ADDON_ID "}", "addon" },
	  .create = { "CreateAddon", "{\"tags\":\"$tags\",\"clientRequestToken\":\"$token\"}",
		      "addon" },
	  .remove = { "DeleteAddon", "{" ADDON_ID "}", NULL },
	  EKS_TAGS,
	  .status_path = "status", .ready = "ACTIVE", .failed = "CREATE_FAILED",
	  .depends_on_types = after_cluster,
	  .attrs = addon_attrs, .n_attrs = N_ELEMS(addon_attrs) },
};

const size_t res_eks_n_types = N_ELEMS(res_eks_types);
