#include "model.h"

#include <stdlib.h>
#include <string.h>

typedef struct op_key {
	const char *service, *name;
} op_key_t;

static int op_cmp(const void *k, const void *e)
{
	const op_key_t *key = k;
	const model_operation_t *op = e;
	int c = strcmp(key->service, model_str(op->service));

	return c ? c : strcmp(key->name, model_str(op->name));
}

const model_operation_t *model_operation_find(const char *service,
					      const char *name)
{
	op_key_t key = { service, name };

	if (!service || !name)
		return NULL;
	return bsearch(&key, model_operations, (size_t)model_n_operations,
		       sizeof(model_operations[0]), op_cmp);
}

int model_operation_no_auth(const model_operation_t *op)
{
	return op && (op->flags & MODEL_OP_NO_AUTH);
}

const model_operation_t *model_operation_at(int index)
{
	if (index < 0 || index >= model_n_operations)
		return NULL;
	return &model_operations[index];
}

const model_shape_t *model_shape(int index)
{
	if (index < 0 || index >= model_n_shapes)
		return NULL;
	return &model_shapes[index];
}

const model_member_t *model_member(const model_shape_t *shape, int i)
{
	if (!shape || i < 0 || i >= shape->n_members)
		return NULL;
	return &model_members[shape->first_member + (unsigned)i];
}

const model_member_t *model_member_find(const model_shape_t *shape,
					const char *name)
{
	const model_member_t *m;
	int i;

	if (!shape || shape->type != MODEL_STRUCTURE || !name)
		return NULL;
	for (i = 0; (m = model_member(shape, i)); i++)
		if (!strcmp(model_str(m->name), name))
			return m;
	return NULL;
}

const model_paginator_t *model_paginator(const model_operation_t *op)
{
	if (!op || op->paginator < 0 || op->paginator >= model_n_paginators)
		return NULL;
	return &model_paginators[op->paginator];
}

const char *model_member_wire_name(const model_member_t *m)
{
	return model_str(m->wire_name ? m->wire_name : m->name);
}
