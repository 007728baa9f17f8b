#include <check.h>
#include <errno.h>
#include <string.h>

#include "endpoints.h"
#include "testenv.h"
#include "testutil.h"

static const service_def_t ec2 = {
	.name = "ec2", .endpoint_prefix = "ec2", .signing_name = "ec2",
	.env_suffix = "EC2", .config_key = "ec2",
};
static const service_def_t elbv2 = {
	.name = "elbv2", .endpoint_prefix = "elasticloadbalancing",
	.signing_name = "elasticloadbalancing",
	.env_suffix = "ELASTIC_LOAD_BALANCING_V2",
	.config_key = "elastic_load_balancing_v2",
};
static const service_def_t iam = {
	.name = "iam", .endpoint_prefix = "iam", .signing_name = "iam",
	.env_suffix = "IAM", .config_key = "iam",
	.global_region = "us-east-1", .global_host = "iam.amazonaws.com",
};

static const service_def_t other_global = {
	.name = "glob", .endpoint_prefix = "glob", .signing_name = "glob",
	.env_suffix = "GLOB", .config_key = "glob",
	.global_region = "us-east-1", .global_host = "glob.amazonaws.com",
};

static const char *config_all =
	"[default]\n"
	"region = eu-central-1\n"
	"[profile dev]\n"
	"region = ap-southeast-2\n"
	"services = local\n"
	"endpoint_url = http://127.0.0.1:1111\n"
	"ca_bundle = /etc/dev-ca.pem\n"
	"[services local]\n"
	"ec2 =\n"
	"  endpoint_url = http://127.0.0.1:2222/\n";

static void resolve(testenv_t *t, const service_def_t *svc, endpoint_t *ep)
{
	profile_t *p = testenv_profile(t);
	err_t e;

	ck_assert_msg(endpoint_resolve(p, svc, NULL, ep, &e) == 0, "%s",
		      e.message);
	profile_free(p);
}

static void setup_dev(testenv_t *t)
{
	testenv_init(t);
	testenv_set(t, "AWS_CONFIG_FILE",
		    testenv_file(t, "config", config_all));
	testenv_set(t, "AWS_PROFILE", "dev");
}

START_TEST(service_env_var_beats_everything)
{
	testenv_t t;
	endpoint_t ep;

	setup_dev(&t);
	testenv_set(&t, "AWS_ENDPOINT_URL", "http://127.0.0.1:3333");
	testenv_set(&t, "AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:4444");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:4444");
	ck_assert_str_eq(ep.source, "AWS_ENDPOINT_URL_EC2");
	ck_assert_str_eq(ep.signing_region, "ap-southeast-2");
	testenv_done(&t);
}
END_TEST

START_TEST(global_env_var_beats_config)
{
	testenv_t t;
	endpoint_t ep;

	setup_dev(&t);
	testenv_set(&t, "AWS_ENDPOINT_URL", "http://127.0.0.1:3333");
	testenv_set(&t, "AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:4444");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:3333");
	ck_assert_str_eq(ep.source, "AWS_ENDPOINT_URL");
	testenv_done(&t);
}
END_TEST

START_TEST(services_section_beats_profile_endpoint_url)
{
	testenv_t t;
	endpoint_t ep;

	setup_dev(&t);
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:2222");
	ck_assert_str_eq(ep.source, "services local");
	resolve(&t, &elbv2, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:1111");
	ck_assert_str_eq(ep.source, "profile dev");
	testenv_done(&t);
}
END_TEST

START_TEST(ignore_flag_disables_configured_endpoints)
{
	testenv_t t;
	endpoint_t ep;

	setup_dev(&t);
	testenv_set(&t, "AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:4444");
	testenv_set(&t, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "https://ec2.ap-southeast-2.amazonaws.com");
	ck_assert_str_eq(ep.source, "default");
	testenv_set(&t, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:4444");
	testenv_done(&t);
}
END_TEST

START_TEST(default_url_uses_prefix_region_and_partition)
{
	testenv_t t;
	endpoint_t ep;

	testenv_init(&t);
	testenv_set(&t, "AWS_REGION", "eu-west-3");
	resolve(&t, &elbv2, &ep);
	ck_assert_str_eq(ep.url,
			 "https://elasticloadbalancing.eu-west-3.amazonaws.com");
	ck_assert_str_eq(ep.signing_region, "eu-west-3");
	testenv_set(&t, "AWS_REGION", "cn-north-1");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "https://ec2.cn-north-1.amazonaws.com.cn");
	testenv_set(&t, "AWS_REGION", "us-gov-west-1");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.url, "https://ec2.us-gov-west-1.amazonaws.com");
	testenv_done(&t);
}
END_TEST

START_TEST(global_service_signs_in_global_region)
{
	testenv_t t;
	endpoint_t ep;

	testenv_init(&t);
	resolve(&t, &iam, &ep);   /* no region configured at all */
	ck_assert_str_eq(ep.url, "https://iam.amazonaws.com");
	ck_assert_str_eq(ep.signing_region, "us-east-1");
	testenv_set(&t, "AWS_REGION", "eu-west-1");
	resolve(&t, &iam, &ep);
	ck_assert_str_eq(ep.url, "https://iam.amazonaws.com");
	ck_assert_str_eq(ep.signing_region, "us-east-1");
	testenv_set(&t, "AWS_REGION", "cn-northwest-1");
	resolve(&t, &iam, &ep);        /* aws-cn has its own global IAM */
	ck_assert_str_eq(ep.url, "https://iam.cn-north-1.amazonaws.com.cn");
	ck_assert_str_eq(ep.signing_region, "cn-north-1");
	resolve(&t, &other_global, &ep);   /* no aws-cn row: regional */
	ck_assert_str_eq(ep.url, "https://glob.cn-northwest-1.amazonaws.com.cn");
	ck_assert_str_eq(ep.signing_region, "cn-northwest-1");
	testenv_set(&t, "AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9");
	resolve(&t, &iam, &ep);
	ck_assert_str_eq(ep.url, "http://127.0.0.1:9");
	ck_assert_str_eq(ep.signing_region, "cn-north-1");
	testenv_done(&t);
}
END_TEST

START_TEST(region_falls_back_env_then_default_env_then_profile)
{
	testenv_t t;
	profile_t *p;
	char region[64];
	err_t e;

	setup_dev(&t);
	testenv_set(&t, "AWS_DEFAULT_REGION", "us-west-1");
	testenv_set(&t, "AWS_REGION", "us-west-2");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_region(p, region, sizeof(region), &e), 0);
	ck_assert_str_eq(region, "us-west-2");
	profile_free(p);
	testenv_set(&t, "AWS_REGION", "");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_region(p, region, sizeof(region), &e), 0);
	ck_assert_str_eq(region, "us-west-1");
	profile_free(p);
	testenv_set(&t, "AWS_DEFAULT_REGION", "");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_region(p, region, sizeof(region), &e), 0);
	ck_assert_str_eq(region, "ap-southeast-2");
	profile_free(p);
	testenv_set(&t, "AWS_PROFILE", "default");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_region(p, region, sizeof(region), &e), 0);
	ck_assert_str_eq(region, "eu-central-1");
	profile_free(p);
	testenv_done(&t);
}
END_TEST

START_TEST(missing_or_bad_region_is_an_error)
{
	testenv_t t;
	profile_t *p;
	endpoint_t ep;
	err_t e;

	testenv_init(&t);
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_resolve(p, &ec2, NULL, &ep, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.message, "region"));
	profile_free(p);
	testenv_set(&t, "AWS_REGION", "evil.com/x");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_resolve(p, &ec2, NULL, &ep, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "AWS_REGION"));
	profile_free(p);
	testenv_set(&t, "AWS_REGION", "");
	testenv_set(&t, "AWS_CONFIG_FILE", testenv_file(&t, "c",
		    "[default]\n\nregion = Bad_Region\n"));
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_resolve(p, &ec2, NULL, &ep, &e), -EINVAL);
	ck_assert_int_eq(e.line, 3);
	profile_free(p);
	testenv_done(&t);
}
END_TEST

START_TEST(ca_bundle_env_beats_profile)
{
	testenv_t t;
	endpoint_t ep;

	setup_dev(&t);
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.ca_bundle, "/etc/dev-ca.pem");
	testenv_set(&t, "AWS_CA_BUNDLE", "/tmp/env-ca.pem");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.ca_bundle, "/tmp/env-ca.pem");
	testenv_set(&t, "AWS_PROFILE", "default");
	testenv_set(&t, "AWS_CA_BUNDLE", "");
	resolve(&t, &ec2, &ep);
	ck_assert_str_eq(ep.ca_bundle, "");
	testenv_done(&t);
}
END_TEST

START_TEST(endpoint_url_without_scheme_is_rejected)
{
	testenv_t t;
	profile_t *p;
	endpoint_t ep;
	err_t e;

	setup_dev(&t);
	testenv_set(&t, "AWS_ENDPOINT_URL_EC2", "127.0.0.1:4444");
	p = testenv_profile(&t);
	ck_assert_int_eq(endpoint_resolve(p, &ec2, NULL, &ep, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "AWS_ENDPOINT_URL_EC2"));
	profile_free(p);
	testenv_done(&t);
}
END_TEST

/* Plain http only to loopback unless settings.allow_plain_http: cases as
 * data, the host as libcurl parses it (userinfo is not the host). */
START_TEST(plain_http_is_refused_beyond_loopback)
{
	static const struct { const char *url; int allow, want; } cases[] = {
		{ "https://ec2.eu-west-1.amazonaws.com", 0, 0 },
		{ "http://127.0.0.1:4566", 0, 0 },
		{ "http://127.9.9.9/", 0, 0 },
		{ "http://localhost:4566", 0, 0 },
		{ "http://LOCALHOST:4566", 0, 0 },
		{ "http://s3.localhost:4566", 0, 0 },
		{ "http://[::1]:4566/", 0, 0 },
		{ "http://[::ffff:127.0.0.1]:4566/", 0, 0 },
		{ "http://ec2.eu-west-1.amazonaws.com", 0, -EPERM },
		{ "http://10.0.0.5:4566", 0, -EPERM },
		{ "http://127.0.0.1@evil.example.com/", 0, -EPERM },
		{ "http://localhost:80@evil.example.com/", 0, -EPERM },
		{ "http://127.0.0.1.evil.example.com/", 0, -EPERM },
		{ "http://localhost.evil.example.com/", 0, -EPERM },
		{ "http://[::2]/", 0, -EPERM },
		{ "http://10.0.0.5:4566", 1, 0 },
		{ "ftp://127.0.0.1/", 0, -EINVAL },
		{ "http://", 0, -EINVAL },
	};
	size_t i;
	err_t e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = endpoint_check_transport(cases[i].url, cases[i].allow,
						  "AWS_ENDPOINT_URL", &e);

		ck_assert_msg(rc == cases[i].want, "%s: %d, want %d", cases[i].url,
			      rc, cases[i].want);
		if (rc == -EPERM)
			ck_assert_msg(strstr(e.message, "settings.allow_plain_http") &&
				      strstr(e.message, "AWS_ENDPOINT_URL"), "%s", e.message);
	}
}
END_TEST

TESTUTIL_MAIN("endpoints", service_env_var_beats_everything,
	      plain_http_is_refused_beyond_loopback,
	      global_env_var_beats_config,
	      services_section_beats_profile_endpoint_url,
	      ignore_flag_disables_configured_endpoints,
	      default_url_uses_prefix_region_and_partition,
	      global_service_signs_in_global_region,
	      region_falls_back_env_then_default_env_then_profile,
	      missing_or_bad_region_is_an_error, ca_bundle_env_beats_profile,
	      endpoint_url_without_scheme_is_rejected)
