/* AWS Certificate Manager: public certificates validated through DNS.
 * Member names are the botocore acm model's (2015-12-08).
 *
 * A certificate is requested, and ACM then publishes one CNAME per name
 * in DomainValidationOptions (ResourceRecord); it is ISSUED once those
 * records resolve (ACM User Guide, "DNS validation"). driftd writes them
 * itself: config gives route53.record_set resources whose Name and values
 * reference the certificate's DomainValidationOptions, and an
 * acm.certificate_validation check, which depends on those records, is
 * waited on until the certificate is ISSUED. A listener references the
 * validation's CertificateArn, so it is created only with an issued
 * certificate, and deleted before the certificate (ACM refuses to delete
 * a certificate in use: ResourceInUseException). */
#include <errno.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* DescribeCertificate lists the certificate's own DomainName among its
 * SubjectAlternativeNames and keeps the validation method per name; the
 * item gets the SANs config names (without the DomainName) and the
 * method at the top, as RequestCertificate takes them. */
static int cert_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	cJSON *sans = cJSON_GetObjectItemCaseSensitive(item, "SubjectAlternativeNames");
	const cJSON *domain = cJSON_GetObjectItemCaseSensitive(item, "DomainName");
	const cJSON *method = json_get_path(item, "DomainValidationOptions.0.ValidationMethod");
	cJSON *el, *next;

	(void)t;
	for (el = cJSON_IsArray(sans) ? sans->child : NULL; el; el = next) {
		next = el->next;
		if (cJSON_IsString(el) && cJSON_IsString(domain) &&
		    !strcasecmp(el->valuestring, domain->valuestring))
			cJSON_Delete(cJSON_DetachItemViaPointer(sans, el));
	}
	if (cJSON_IsString(method) && !cJSON_HasObjectItem(item, "ValidationMethod") &&
	    !cJSON_AddStringToObject(item, "ValidationMethod", method->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* Domain names compare in lower case. */
static cJSON *acm_names(const cJSON *value, err_t *err)
{
	cJSON *out, *el;
	char *p;

	if (!cJSON_IsArray(value) && !cJSON_IsString(value)) {
		err_set(err, -EINVAL, "a domain name must be a string");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1))) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (cJSON_IsString(out))
		for (p = out->valuestring; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	cJSON_ArrayForEach(el, out)
		for (p = cJSON_IsString(el) ? el->valuestring : ""; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return out;
}

static const res_attr_t cert_attrs[] = {
	{ .name = "DomainName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE, .normalize = acm_names },
	{ .name = "SubjectAlternativeNames", .kind = RES_SET, .mutability = RES_REPLACE,
	  .normalize = acm_names },
	{ .name = "ValidationMethod", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"EMAIL\"", .enum_values = "EMAIL|DNS" },
	{ .name = "KeyAlgorithm", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"RSA_2048\"" },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "CertificateArn", .mutability = RES_READ_ONLY },
	{ .name = "Status", .mutability = RES_READ_ONLY },
	{ .name = "DomainValidationOptions", .mutability = RES_READ_ONLY },
	{ .name = "RenewalEligibility", .mutability = RES_READ_ONLY },
	{ .name = "RenewalSummary", .mutability = RES_READ_ONLY },
	{ .name = "NotAfter", .mutability = RES_READ_ONLY },
	{ .name = "InUseBy", .mutability = RES_READ_ONLY },
};

/* The check that waits for the issue. RenewalStatus is what ACM's managed
 * renewal reports (RenewalSummary, present while a renewal runs): config
 * may pin "SUCCESS" so that a renewal waiting on validation or failed is
 * reported each poll. */
static const res_attr_t validation_attrs[] = {
	{ .name = "CertificateArn", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED },
	/* Only orders the check after the records it names: never compared. */
	{ .name = "ValidationRecordFqdns", .kind = RES_SET, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY },
	{ .name = "Status", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .enum_values = "PENDING_VALIDATION|ISSUED|INACTIVE|EXPIRED|VALIDATION_TIMED_OUT|REVOKED|FAILED" },
	{ .name = "RenewalStatus", .live_path = "RenewalSummary.RenewalStatus",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .default_json = "\"SUCCESS\"",
	  .enum_values = "PENDING_AUTO_RENEWAL|PENDING_VALIDATION|SUCCESS|FAILED" },
	{ .name = "NotAfter", .mutability = RES_READ_ONLY },
	{ .name = "DomainName", .mutability = RES_READ_ONLY },
};

static const res_hooks_t cert_hooks = { .fix_live = cert_fix_live };

static const char *const validation_identity[] = { "CertificateArn", NULL };
static const char *const after_cert[] = { "acm.certificate", "route53.record_set", NULL };

const res_type_t res_acm_types[] = {
	{ .name = "acm.certificate", .arn = "arn:{partition}:acm:{region}:{account}:certificate/*", .service = "acm",
	  .summary = "a public ACM certificate for a domain and its other names",
	  .identity = RES_ID_TAGS, .id_path = "CertificateArn", .arn_path = "CertificateArn",
	  .read = { "ListCertificates", "{}", "CertificateSummaryList" },
	  .read_each = {
		{ "DescribeCertificate", "{\"CertificateArn\":\"$id\"}", "Certificate", NULL, NULL },
		{ "ListTagsForCertificate", "{\"CertificateArn\":\"$id\"}", "Tags", "Tags", NULL },
	  },
	  .read_one = { "DescribeCertificate", "{\"CertificateArn\":\"$id\"}", "Certificate" },
	  /* The token makes a retried request return the same certificate. */
	  .create = { "RequestCertificate",
		      "{\"IdempotencyToken\":\"$token\",\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteCertificate", "{\"CertificateArn\":\"$id\"}", NULL },
	  .tag = { "AddTagsToCertificate", "{\"CertificateArn\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "RemoveTagsFromCertificate",
		     "{\"CertificateArn\":\"$id\",\"Tags\":\"$tag_key_objects\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  /* Made once ACM has the validation records to publish; the issue is
	   * acm.certificate_validation's wait. */
	  .status_path = "Status", .ready = "PENDING_VALIDATION|ISSUED",
	  .failed = "FAILED|VALIDATION_TIMED_OUT|REVOKED",
	  .attrs = cert_attrs, .n_attrs = N_ELEMS(cert_attrs), .hooks = &cert_hooks },
	{ .name = "acm.certificate_validation", .arn = "arn:{partition}:acm:{region}:{account}:certificate/*", .service = "acm",
	  .summary = "a check that waits until a certificate is issued, and reports its renewal",
	  .identity = RES_ID_NAME, .name_attrs = validation_identity,
	  .id_path = "CertificateArn", .arn_path = "CertificateArn",
	  .read = { "DescribeCertificate", "{\"CertificateArn\":\"$attr:CertificateArn\"}",
		    "Certificate" },
	  .read_one = { "DescribeCertificate", "{\"CertificateArn\":\"$attr:CertificateArn\"}",
			"Certificate" },
	  .status_path = "Status", .ready = "ISSUED",
	  .failed = "FAILED|VALIDATION_TIMED_OUT|REVOKED|EXPIRED",
	  .depends_on_types = after_cert,
	  .attrs = validation_attrs, .n_attrs = N_ELEMS(validation_attrs) },
};

const size_t res_acm_n_types = N_ELEMS(res_acm_types);
