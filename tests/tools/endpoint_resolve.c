/* endpoint_resolve NAME PREFIX ENV_SUFFIX CONFIG_KEY [GLOBAL_HOST GLOBAL_REGION]
 * endpoint_resolve --service NAME      (a row of services.c)
 * endpoint_resolve --list              (services.c's names, one a line)
 * — resolves one service's endpoint from the real environment and shared
 * files and prints {url, signing_region, source, ca_bundle} as JSON, or
 * {error} — so tests can compare with botocore. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoints.h"

int main(int argc, char **argv)
{
	service_def_t svc = { 0 };
	profile_t *p = NULL;
	endpoint_t ep;
	cJSON *o;
	char *text;
	err_t e;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		const service_def_t *row;

		for (int i = 0; (row = service_at(i)); i++)
			printf("%s\n", row->name);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--service")) {
		if (!service_find(argv[2])) {
			fprintf(stderr, "unknown service %s\n", argv[2]);
			return 2;
		}
		svc = *service_find(argv[2]);
	} else if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: endpoint_resolve NAME PREFIX ENV_SUFFIX CONFIG_KEY [GLOBAL_HOST GLOBAL_REGION]\n");
		return 2;
	} else {
		svc.name = argv[1];
		svc.endpoint_prefix = argv[2];
		svc.signing_name = argv[2];
		svc.env_suffix = argv[3];
		svc.config_key = argv[4];
		if (argc == 7) {
			svc.global_host = argv[5];
			svc.global_region = argv[6];
		}
	}
	o = cJSON_CreateObject();
	rc = profile_load(NULL, NULL, &p, &e);
	if (!rc)
		rc = endpoint_resolve(p, &svc, NULL, &ep, &e);
	if (rc) {
		cJSON_AddStringToObject(o, "error", e.message);
	} else {
		cJSON_AddStringToObject(o, "url", ep.url);
		cJSON_AddStringToObject(o, "signing_region", ep.signing_region);
		cJSON_AddStringToObject(o, "source", ep.source);
		cJSON_AddStringToObject(o, "ca_bundle", ep.ca_bundle);
	}
	text = cJSON_PrintUnformatted(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
	profile_free(p);
	return rc ? 1 : 0;
}
