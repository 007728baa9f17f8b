/* restable-dump — prints every resource type table as JSON on stdout, so
 * that tests/test_restable_model.py can check operations and member names
 * against botocore's service models. */
#include <stdio.h>
#include <stdlib.h>

#include <cJSON.h>

#include "restable.h"

static const char *const kinds[] = {
	"scalar", "set", "list", "map", "object", "document", "tags",
};
static const char *const mutabilities[] = {
	"in_place", "replace", "create_only", "read_only",
};
static const char *const flag_names[] = {
	"required", "sensitive", "owned_elsewhere", "case_insensitive",
	"not_in_create", "write_only",
};

static void add_string(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

/* A template as parsed JSON, or its text when it does not parse (the
 * Python test then fails on it by name). */
static void add_template(cJSON *o, const char *k, const char *text)
{
	cJSON *t = text ? cJSON_Parse(text) : NULL;

	if (t)
		cJSON_AddItemToObject(o, k, t);
	else
		add_string(o, k, text);
}

static cJSON *op_json(const char *role, const res_op_t *op)
{
	cJSON *o = cJSON_CreateObject();

	add_string(o, "role", role);
	add_string(o, "op", op->op);
	add_template(o, "params", op->params);
	add_string(o, "result", op->result);
	return o;
}

static cJSON *strings(const char *const *list)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; list && list[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(list[i]));
	return a;
}

static cJSON *attr_json(const res_attr_t *a)
{
	cJSON *o = cJSON_CreateObject(), *flags = cJSON_CreateArray(), *gen;
	size_t i;

	add_string(o, "name", a->name);
	add_string(o, "live_path", a->live_path ? a->live_path : a->name);
	add_string(o, "kind", kinds[a->kind]);
	add_string(o, "mutability", mutabilities[a->mutability]);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (a->flags & (1u << i))
			cJSON_AddItemToArray(flags, cJSON_CreateString(flag_names[i]));
	cJSON_AddItemToObject(o, "flags", flags);
	add_string(o, "enum_values", a->enum_values);
	cJSON_AddItemToObject(o, "fields", a->fields ? strings(a->fields) : cJSON_CreateNull());
	add_string(o, "update_op", a->update_op);
	add_template(o, "update_params", a->update_params);
	add_string(o, "remove_op", a->remove_op);
	add_template(o, "remove_params", a->remove_params);
	cJSON_AddBoolToObject(o, "per_element", a->per_element);
	cJSON_AddBoolToObject(o, "plan", a->plan != NULL);
	if (a->live_read.op)
		cJSON_AddItemToObject(o, "live_read", op_json("live_read", &a->live_read));
	if (a->generate.op) {
		gen = op_json("generate", &a->generate);
		add_string(gen, "into", a->generate_into);
		cJSON_AddItemToObject(o, "generate", gen);
	}
	return o;
}

int main(void)
{
	cJSON *all = cJSON_CreateArray(), *t, *ops, *attrs, *each;
	const res_type_t *type;
	char *text;
	size_t i, j;

	for (i = 0; (type = res_table_at(i)); i++) {
		t = cJSON_CreateObject();
		add_string(t, "name", type->name);
		add_string(t, "service", type->service);
		add_string(t, "identity", type->identity == RES_ID_NAME ? "name" : "tags");
		cJSON_AddItemToObject(t, "name_attrs", strings(type->name_attrs));
		cJSON_AddBoolToObject(t, "driver", type->driver != NULL);
		add_string(t, "id_path", type->id_path);
		add_string(t, "arn_path", type->arn_path);
		cJSON_AddNumberToObject(t, "tag_style", type->tag_style);
		add_string(t, "tag_resource_type", type->tag_resource_type);
		add_string(t, "status_path", type->status_path);
		add_string(t, "create_item", type->create_item);
		cJSON_AddBoolToObject(t, "fix_live", type->hooks && type->hooks->fix_live);
		ops = cJSON_AddArrayToObject(t, "ops");
		cJSON_AddItemToArray(ops, op_json("read", &type->read));
		cJSON_AddItemToArray(ops, op_json("read_one", &type->read_one));
		cJSON_AddItemToArray(ops, op_json("create", &type->create));
		cJSON_AddItemToArray(ops, op_json("remove", &type->remove));
		if (type->tag.op)
			cJSON_AddItemToArray(ops, op_json("tag", &type->tag));
		if (type->untag.op)
			cJSON_AddItemToArray(ops, op_json("untag", &type->untag));
		each = cJSON_AddArrayToObject(t, "read_each");
		for (j = 0; j < RES_MAX_EACH && type->read_each[j].op; j++) {
			const res_each_op_t *e = &type->read_each[j];
			cJSON *o = op_json("read_each", &(res_op_t){
				e->op, e->params, e->result, e->absent });

			add_string(o, "into", e->into);
			cJSON_AddItemToArray(each, o);
		}
		attrs = cJSON_AddArrayToObject(t, "attrs");
		for (j = 0; j < type->n_attrs; j++)
			cJSON_AddItemToArray(attrs, attr_json(&type->attrs[j]));
		cJSON_AddItemToArray(all, t);
	}
	text = cJSON_Print(all);
	if (!text) {
		fprintf(stderr, "restable-dump: out of memory\n");
		cJSON_Delete(all);
		return 1;
	}
	puts(text);
	free(text);
	cJSON_Delete(all);
	return 0;
}
