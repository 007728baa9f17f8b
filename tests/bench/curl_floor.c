/* The memory floor of any libcurl client on this system: a program that
 * only initializes libcurl (and so OpenSSL) and makes one multi handle,
 * then reports its VmRSS in kB. bench_daemon.py prints it beside
 * driftd's. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

int main(void)
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
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	return 0;
}
