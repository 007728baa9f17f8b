#include "endpoints.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A region becomes part of a host name and a signing scope, and comes from
 * the environment or a file: accept only what region names look like. */
static int region_ok(const char *r)
{
	size_t i, n = strlen(r);

	if (!n || n >= ENDPOINT_REGION_MAX || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)r[i]) &&
		    !isdigit((unsigned char)r[i]) && r[i] != '-')
			return 0;
	return 1;
}

int endpoint_region(const profile_t *p, char *buf, size_t len, err_t *e)
{
	static const char *const vars[] = { "AWS_REGION", "AWS_DEFAULT_REGION" };
	const char *v = NULL, *src = NULL, *file = NULL;
	int line = 0;
	size_t i;

	for (i = 0; !v && i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = profile_getenv(p, vars[i])))
			src = vars[i];
	if (!v && (v = profile_get(p, NULL, "region", &file, &line)))
		src = "region";
	if (!v)
		return err_set(e, -ENOENT,
			       "no AWS region configured: set AWS_REGION or "
			       "region in profile \"%s\"", profile_name(p));
	if (!region_ok(v) || strlen(v) >= len) {
		if (file)
			return err_set_at(e, -EINVAL, file, line, 1,
					  "region \"%.64s\" is not a valid region name", v);
		return err_set(e, -EINVAL,
			       "%s \"%.64s\" is not a valid region name", src, v);
	}
	snprintf(buf, len, "%s", v);
	return 0;
}

/* Outside the aws partition a global service either has its own global
 * host (these rows) or is simply regional (everything else). From the
 * partition data in botocore's endpoints.json. */
static const struct partition_global {
	const char *endpoint_prefix;
	const char *region_prefix;
	const char *host;
	const char *signing_region;
} partition_globals[] = {
	{ "iam",     "cn-",     "iam.cn-north-1.amazonaws.com.cn", "cn-north-1" },
	{ "iam",     "us-gov-", "iam.us-gov.amazonaws.com",     "us-gov-west-1" },
	{ "route53", "us-gov-", "route53.us-gov.amazonaws.com", "us-gov-west-1" },
	{ "route53", "cn-",     "route53.amazonaws.com.cn",     "cn-northwest-1" },
	{ "budgets", "cn-",     "budgets.amazonaws.com.cn",     "cn-northwest-1" },
	{ "ce",      "cn-",     "ce.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1" },
};

static const struct partition_global *partition_global(const service_def_t *svc,
							const char *region)
{
	size_t i;

	for (i = 0; i < sizeof(partition_globals) / sizeof(partition_globals[0]); i++) {
		const struct partition_global *g = &partition_globals[i];

		if (svc->endpoint_prefix && region &&
		    !strcmp(g->endpoint_prefix, svc->endpoint_prefix) &&
		    !strncmp(region, g->region_prefix, strlen(g->region_prefix)))
			return g;
	}
	return NULL;
}

const char *endpoint_dns_suffix(const char *region)
{
	return region && !strncmp(region, "cn-", 3) ? "amazonaws.com.cn"
						     : "amazonaws.com";
}

int endpoint_ca_bundle(const profile_t *p, char *buf, size_t len, err_t *e)
{
	const char *v = profile_getenv(p, "AWS_CA_BUNDLE");

	if (!v)
		v = profile_get(p, NULL, "ca_bundle", NULL, NULL);
	if (!v)
		v = "";
	if ((size_t)snprintf(buf, len, "%s", v) >= len)
		return err_set(e, -ENAMETOOLONG, "CA bundle path is too long");
	return 0;
}

/* Sources 1-4 of the header comment, or NULL. */
static const char *configured_url(const profile_t *p, const service_def_t *svc,
				  char *source, size_t srclen)
{
	const char *v, *section;
	char var[128];

	if (profile_true(profile_getenv(p, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
	    profile_true(profile_get(p, NULL, "ignore_configured_endpoint_urls",
				     NULL, NULL)))
		return NULL;
	if (svc->env_suffix) {
		snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", svc->env_suffix);
		if ((v = profile_getenv(p, var))) {
			snprintf(source, srclen, "%s", var);
			return v;
		}
	}
	if ((v = profile_getenv(p, "AWS_ENDPOINT_URL"))) {
		snprintf(source, srclen, "AWS_ENDPOINT_URL");
		return v;
	}
	section = profile_get(p, NULL, "services", NULL, NULL);
	if (section && svc->config_key &&
	    (v = profile_services_get(p, section, svc->config_key,
				      "endpoint_url", NULL, NULL))) {
		snprintf(source, srclen, "services %s", section);
		return v;
	}
	if ((v = profile_get(p, NULL, "endpoint_url", NULL, NULL))) {
		snprintf(source, srclen, "profile %s", profile_name(p));
		return v;
	}
	return NULL;
}

int endpoint_resolve(const profile_t *p, const service_def_t *svc,
		     const char *region, endpoint_t *out, err_t *e)
{
	char regbuf[ENDPOINT_REGION_MAX];
	const char *url;
	size_t n;
	const struct partition_global *pg;
	int rc, global;

	memset(out, 0, sizeof(*out));
	rc = endpoint_ca_bundle(p, out->ca_bundle, sizeof(out->ca_bundle), e);
	if (rc)
		return rc;
	if (region && !region_ok(region))
		return err_set(e, -EINVAL, "\"%.64s\" is not a valid region name",
			       region);
	if (!region) {
		rc = endpoint_region(p, regbuf, sizeof(regbuf), e);
		if (rc && !(rc == -ENOENT && svc->global_host))
			return rc;
		err_clear(e);
		region = rc ? NULL : regbuf;
	}
	/* Global services sign in their home region everywhere in the aws
	 * partition; elsewhere see partition_globals. */
	pg = svc->global_host ? partition_global(svc, region) : NULL;
	global = svc->global_host && !pg &&
		 (!region || (strncmp(region, "cn-", 3) &&
			      strncmp(region, "us-gov-", 7)));
	snprintf(out->signing_region, sizeof(out->signing_region), "%s",
		 pg ? pg->signing_region : !global ? region :
		 svc->global_region ? svc->global_region : "us-east-1");

	url = configured_url(p, svc, out->source, sizeof(out->source));
	if (url) {
		if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
			return err_set(e, -EINVAL,
				       "endpoint URL from %s for %s must start with http:// or https://",
				       out->source, svc->name);
		if (strlen(url) >= sizeof(out->url))
			return err_set(e, -ENAMETOOLONG,
				       "endpoint URL from %s for %s is too long",
				       out->source, svc->name);
		snprintf(out->url, sizeof(out->url), "%s", url);
	} else {
		snprintf(out->source, sizeof(out->source), "default");
		if (global || pg)
			snprintf(out->url, sizeof(out->url), "https://%s",
				 pg ? pg->host : svc->global_host);
		else
			snprintf(out->url, sizeof(out->url), "https://%s.%s.%s",
				 svc->endpoint_prefix, region,
				 endpoint_dns_suffix(region));
	}
	n = strlen(out->url);
	while (n > 0 && out->url[n - 1] == '/')
		out->url[--n] = 0;
	return 0;
}

/* ---- URL hosts and plain http ------------------------------------------ */

int endpoint_url_parts(const char *url, char *scheme, size_t slen,
		       char *host, size_t hlen)
{
	CURLU *u = curl_url();
	char *sc = NULL, *h = NULL;
	int rc = -EINVAL;

	if (!u)
		return -ENOMEM;
	/* As the SDKs do (urlparse): the host is what follows any userinfo,
	 * so "http://169.254.170.2:80@evil/" names evil. */
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_SCHEME, &sc, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0))
		goto out;
	if (strlen(sc) >= slen || strlen(h) >= hlen) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	memcpy(scheme, sc, strlen(sc) + 1);
	memcpy(host, h, strlen(h) + 1);
	rc = 0;
out:
	curl_free(sc);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

int endpoint_host_is_loopback(const char *host)
{
	unsigned char a[16];
	char v6[64];
	size_t n = strlen(host), dot;

	if (!strcasecmp(host, "localhost"))
		return 1;
	/* *.localhost resolves to loopback (RFC 6761; curl does it itself). */
	dot = sizeof(".localhost") - 1;
	if (n > dot && !strcasecmp(host + n - dot, ".localhost"))
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (host[0] == '[' && n > 2 && n - 2 < sizeof(v6)) {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = 0;
		if (inet_pton(AF_INET6, v6, a) == 1) {
			static const unsigned char one[16] = { [15] = 1 };
			static const unsigned char mapped[12] = {
				[10] = 0xff, [11] = 0xff };

			return !memcmp(a, one, 16) ||
			       (!memcmp(a, mapped, 12) && a[12] == 127);
		}
	}
	return 0;
}

int endpoint_check_transport(const char *url, int allow_plain_http,
			     const char *source, err_t *e)
{
	char scheme[16], host[256];

	if (endpoint_url_parts(url, scheme, sizeof(scheme), host, sizeof(host)))
		return err_set(e, -EINVAL, "endpoint URL from %s is not a URL",
			       source);
	if (!strcasecmp(scheme, "https"))
		return 0;
	if (strcasecmp(scheme, "http"))
		return err_set(e, -EINVAL, "endpoint URL from %s must be https",
			       source);
	if (allow_plain_http || endpoint_host_is_loopback(host))
		return 0;
	return err_set(e, -EPERM, "endpoint URL from %s is plain http to %s, "
		       "which would send signed requests and session tokens in "
		       "clear; use https, or set settings.allow_plain_http",
		       source, host);
}
