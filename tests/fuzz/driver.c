/* The regression driver: runs LLVMFuzzerTestOneInput once over each file
 * named, or each file of each directory named (in name order), so that
 * `make check` replays the committed corpora without clang. Prints how
 * many inputs ran; a crash is the sanitizer's (or the signal's) to report.
 * Built with FUZZ_NO_MAIN it holds only the helpers, for libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "readfile.h"

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = 0;
	}
	return s;
}

#ifndef FUZZ_NO_MAIN
static int run_file(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	err_t e;

	if (readfile(path, 16u << 20, &text, &len, &e)) {
		fprintf(stderr, "%s: %s\n", path, e.message);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)text, len);
	free(text);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char path[4096], **names = NULL;
	struct dirent *de;
	struct stat st;
	size_t n, i, ran = 0;
	int a, bad = 0;
	DIR *d;

	for (a = 1; a < argc; a++) {
		if (stat(argv[a], &st)) {
			perror(argv[a]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[a]);
			ran++;
			continue;
		}
		if (!(d = opendir(argv[a]))) {
			perror(argv[a]);
			return 2;
		}
		n = 0;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				names = realloc(names, (n + 1) * sizeof(*names));
				names[n++] = strdup(de->d_name);
			}
		closedir(d);
		qsort(names, n, sizeof(*names), by_name);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", argv[a], names[i]);
			bad |= run_file(path);
			ran++;
			free(names[i]);
		}
	}
	free(names);
	printf("%zu inputs\n", ran);
	return bad ? 1 : ran ? 0 : 3;
}
#endif
