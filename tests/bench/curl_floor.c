/* The memory floor of any libcurl client on this system: a program that
 * only initializes libcurl (and so OpenSSL) and makes one multi handle,
 * then reports its VmRSS in kB. bench_daemon.py prints it beside
 * driftd's. With --smaps it then prints, after that figure, each mapped
 * file's resident kB ("RSS PATH" a line), so that the bench can say which
 * of the daemon's pages the floor has too; the VmRSS figure is read
 * first, so the option does not change it. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "RSS PATH" per mapping, from /proc/self/smaps ("[anon]" for anonymous
 * memory); a file mapped several times gets several lines, which the
 * reader adds up. */
static void print_smaps(void)
{
	char line[512], path[256] = "";
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long a, b, kb;
	int off;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &off) == 2) {
			snprintf(path, sizeof(path), "%s", line + off);
			path[strcspn(path, "\n")] = 0;
			if (!path[0])
				snprintf(path, sizeof(path), "[anon]");
		} else if (sscanf(line, "Rss: %lu kB", &kb) == 1) {
			printf("%lu %s\n", kb, path);
		}
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	char line[256];
	CURLM *multi;
	FILE *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			fputs(line + 6, stdout);
	if (f)
		fclose(f);
	if (argc > 1 && !strcmp(argv[1], "--smaps"))
		print_smaps();
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	return 0;
}
