/* SigV4 canonicalization: input lines method, path, query, then headers
 * ("name: value") up to an empty line, then the body. The first byte of
 * the input picks the flags and the service (s3 path rules or not). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sigv4.h"

#define MAX_H 16

static char *line(char **p)
{
	char *s = *p, *nl;

	if (!s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = 0;
		*p = nl + 1;
	} else {
		*p = NULL;
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sigv4_signer_t *signer;
	sigv4_header_t h[MAX_H];
	sigv4_request_t req = { 0 };
	sigv4_params_t p = { 0 };
	sigv4_result_t res;
	char *text, *cur, *l, *colon;
	unsigned flags;
	size_t n = 0;
	err_t e;

	if (size < 1)
		return 0;
	if (!signer && !(signer = sigv4_signer_new()))
		return 0;
	flags = data[0];
	if (!(text = fuzz_text(data + 1, size - 1)))
		return 0;
	cur = text;
	req.method = line(&cur);
	req.path = line(&cur);
	req.query = line(&cur);
	req.path_len = req.path ? strlen(req.path) : 0;
	req.query_len = req.query ? strlen(req.query) : 0;
	while ((l = line(&cur)) && *l && n < MAX_H) {
		colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = 0;
		h[n].name = l;
		h[n].name_len = strlen(l);
		h[n].value = colon + 1;
		h[n].value_len = strlen(colon + 1);
		n++;
	}
	req.headers = h;
	req.n_headers = n;
	req.body = cur;
	req.body_len = cur ? strlen(cur) : 0;
	p.creds.access_key_id = "AKIDEXAMPLE";
	p.creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	p.creds.session_token = flags & 0x40 ? "token" : NULL;
	p.region = "us-east-1";
	p.service = flags & 0x80 ? "s3" : "iam";
	p.time = 1440938160;
	p.flags = flags & 0x1f;
	p.expires = 300;
	if (req.method && req.path)
		sigv4_sign(signer, &req, &p, &res, &e);
	free(text);
	return 0;
}
