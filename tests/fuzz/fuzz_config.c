/* The config loader with resolution and the resource tables' schema
 * checks: the input is an environment directory's main.json. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "schema.h"

static char dir[64], path[128];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	int fd;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/driftd-fuzz-config-XXXXXX");
		if (!mkdtemp(dir)) {
			dir[0] = 0;
			return 0;
		}
		snprintf(path, sizeof(path), "%s/main.json", dir);
		atexit(cleanup);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	if (!config_load_with_schema(dir, schema_config(), &cfg, &errs))
		config_free(cfg);
	config_errors_free(errs);
	return 0;
}
