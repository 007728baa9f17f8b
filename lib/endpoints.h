/* endpoints — which URL a service's requests go to, which region signs them,
 * and which CA bundle verifies the peer.
 *
 * Endpoint URL, first found wins
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html):
 *   1. AWS_ENDPOINT_URL_<env_suffix>
 *   2. AWS_ENDPOINT_URL
 *   3. endpoint_url under the service's config_key in the profile's
 *      "services" section
 *   4. endpoint_url in the profile
 *   5. https://<endpoint_prefix>.<region>.<partition suffix>
 *      (amazonaws.com, amazonaws.com.cn for cn-*), or a global service's
 *      global_host signed in global_region. In aws-cn and aws-us-gov a
 *      global service uses that partition's own global host where it has
 *      one (a table in endpoints.c: IAM, Route 53, Budgets, Cost Explorer),
 *      else it is regional.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, or the profile's
 * ignore_configured_endpoint_urls = true, skips 1-4.
 * Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region. */
#ifndef DRIFTD_ENDPOINTS_H
#define DRIFTD_ENDPOINTS_H

#include "err.h"
#include "profile.h"
#include "services.h"

#define ENDPOINT_URL_MAX    1024
#define ENDPOINT_REGION_MAX 64
#define ENDPOINT_PATH_MAX   4096

typedef struct endpoint {
	char url[ENDPOINT_URL_MAX];                /* no trailing '/'       */
	char signing_region[ENDPOINT_REGION_MAX];
	char source[128];          /* "AWS_ENDPOINT_URL_EC2", "default", .. */
	char ca_bundle[ENDPOINT_PATH_MAX];         /* "" = system store      */
} endpoint_t;

/* The configured region into buf. -ENOENT (e set) when none is configured;
 * -EINVAL when the value is not a plausible region name. */
int endpoint_region(const profile_t *p, char *buf, size_t len, err_t *e);

/* Resolves svc's endpoint into *out. region may be NULL (endpoint_region);
 * a global service needs no region. */
int endpoint_resolve(const profile_t *p, const service_def_t *svc,
		     const char *region, endpoint_t *out, err_t *e);

/* AWS_CA_BUNDLE, else the profile's ca_bundle, into buf; "" when neither.
 * Returns 0 or -ENAMETOOLONG. */
int endpoint_ca_bundle(const profile_t *p, char *buf, size_t len, err_t *e);

/* DNS suffix of region's partition: "amazonaws.com" or "amazonaws.com.cn". */
const char *endpoint_dns_suffix(const char *region);

/* The scheme and host of url, parsed by libcurl's URL API as the SDKs
 * parse it (userinfo is not the host; an IPv6 host keeps its brackets).
 * 0, -EINVAL (not a URL, or no host) or -ENAMETOOLONG. */
int endpoint_url_parts(const char *url, char *scheme, size_t slen,
		       char *host, size_t hlen);

/* localhost, *.localhost, 127.0.0.0/8, [::1] or [::ffff:127.x.y.z]. */
int endpoint_host_is_loopback(const char *host);

/* Plain http to a host that is not loopback carries signatures and session
 * tokens in clear: -EPERM naming source and host unless allow_plain_http
 * (settings.allow_plain_http). https always passes; other schemes and
 * what is not a URL are -EINVAL. */
int endpoint_check_transport(const char *url, int allow_plain_http,
			     const char *source, err_t *e);

#endif
