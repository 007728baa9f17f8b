#include "services.h"

#include <string.h>

/* Filled in by the protocol work; kept sorted by name. */
static const service_def_t services[] = {
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
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
