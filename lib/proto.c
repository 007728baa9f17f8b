#include "proto.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "model.h"
#include "num.h"
#include "xml.h"

/* ---- growable buffer --------------------------------------------------- */

typedef struct buf {
	char  *data;
	size_t len, cap;
	int    oom;
} buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->oom = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_printf(buf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void buf_printf(buf_t *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = 1;
		return;
	}
	buf_add(b, tmp, (size_t)n);
}

/* RFC 3986 percent-encoding; `keep` lists extra characters left as is
 * ("/" for greedy URI labels). */
static void buf_pct(buf_t *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3] = { '%', 0, 0 };

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
		    (keep && ch && strchr(keep, ch))) {
			buf_add(b, s, 1);
		} else {
			esc[1] = hex[ch >> 4];
			esc[2] = hex[ch & 15];
			buf_add(b, esc, 3);
		}
	}
}

static void buf_xml(buf_t *b, const char *s)
{
	char *esc = xml_escape(s);

	if (!esc) {
		b->oom = 1;
		return;
	}
	buf_str(b, esc);
	free(esc);
}

/* ---- time --------------------------------------------------------------- */

/* Years 0001-9999, the span ISO 8601 timestamps can carry: outside it (and
 * for NaN) a cast to time_t is undefined and gmtime_r may fail. */
#define TIME_MIN (-62135596800.0)
#define TIME_MAX 253402300799.0

int proto_time_in_range(double t)
{
	return t >= TIME_MIN && t < TIME_MAX + 1;
}

static int time_split(double t, time_t *secs, struct tm *tm)
{
	if (!proto_time_in_range(t))
		return -ERANGE;
	*secs = (time_t)num_floor(t);
	return gmtime_r(secs, tm) ? 0 : -ERANGE;
}

int proto_time_format(double t, char *buf, size_t len)
{
	time_t secs;
	int ms;
	struct tm tm;
	char base[32];

	if (len)
		buf[0] = 0;
	if (time_split(t, &secs, &tm))
		return -ERANGE;
	ms = (int)num_lround((t - num_floor(t)) * 1000.0);
	if (ms >= 1000) {
		ms = 0;
		if (time_split(num_floor(t) + 1, &secs, &tm))
			return -ERANGE;
	}
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms)
		snprintf(buf, len, "%s.%03dZ", base, ms);
	else
		snprintf(buf, len, "%sZ", base);
	return 0;
}

int proto_time_parse(const char *s, double *t)
{
	struct tm tm;
	const char *p;
	char *end;
	double frac = 0;
	int off = 0;

	if (!s || !*s)
		return -EINVAL;
	*t = strtod(s, &end);
	if (end != s && !*end && isdigit((unsigned char)s[0]))
		return proto_time_in_range(*t) ? 0 : -EINVAL;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))) {
		if (*p == '.') {
			frac = strtod(p, &end);
			p = end;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int hh, mm;
			if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 &&
			    sscanf(p + 1, "%2d%2d", &hh, &mm) != 2)
				return -EINVAL;
			off = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
			p += strlen(p);
		}
		if (*p)
			return -EINVAL;
	} else {
		memset(&tm, 0, sizeof(tm));
		p = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (!p || *p)
			return -EINVAL;
	}
	*t = (double)timegm(&tm) - off + frac;
	return proto_time_in_range(*t) ? 0 : -EINVAL;
}

/* Callers validated t (check_value): out of range renders as nothing. */
static void time_render(double t, int fmt, buf_t *b)
{
	char tmp[64];
	time_t secs;
	struct tm tm;
	long us;

	if (time_split(t, &secs, &tm))
		return;
	switch (fmt) {
	case MODEL_TS_UNIX:
		/* Whole seconds, like the SDKs: sub-second input is truncated. */
		buf_printf(b, "%lld", (long long)secs);
		break;
	case MODEL_TS_RFC822:
		strftime(tmp, sizeof(tmp), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		buf_str(b, tmp);
		break;
	default:
		/* Requests carry microseconds, as the SDKs send them. */
		us = num_lround((t - num_floor(t)) * 1e6);
		if (us >= 1000000) {
			us = 0;
			if (time_split(num_floor(t) + 1, &secs, &tm))
				return;
		}
		strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
		buf_str(b, tmp);
		if (us)
			buf_printf(b, ".%06ldZ", us);
		else
			buf_str(b, "Z");
	}
}

/* ---- validation --------------------------------------------------------- */

typedef struct ctx {
	const service_def_t     *svc;
	const model_operation_t *op;
	err_t                   *e;
} ctx_t;

static int check_value(ctx_t *c, const cJSON *v, const model_shape_t *sh,
		       const char *path, int depth);

static int check_struct(ctx_t *c, const cJSON *v, const model_shape_t *sh,
			const char *path, int depth)
{
	const model_member_t *m;
	const cJSON *kid;
	char sub[512];
	int i, rc;

	if (!cJSON_IsObject(v))
		return err_set(c->e, -EINVAL, "%s: %s must be an object",
			       model_str(c->op->name), *path ? path : "params");
	cJSON_ArrayForEach(kid, v) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", kid->string);
		m = model_member_find(sh, kid->string);
		if (!m)
			return err_set(c->e, -EINVAL, "%s: unknown member %s", model_str(c->op->name), sub);
		if (cJSON_IsNull(kid))
			continue;
		if ((rc = check_value(c, kid, model_shape(m->shape), sub, depth + 1)))
			return rc;
	}
	for (i = 0; (m = model_member(sh, i)); i++) {
		kid = cJSON_GetObjectItemCaseSensitive(v, model_str(m->name));
		if ((m->flags & MODEL_F_REQUIRED) && (!kid || cJSON_IsNull(kid)) &&
		    !(m->flags & MODEL_F_IDEMPOTENCY))
			return err_set(c->e, -EINVAL, "%s: missing required member %s%s%s",
				       model_str(c->op->name), path, *path ? "." : "", model_str(m->name));
	}
	return 0;
}

static int check_value(ctx_t *c, const cJSON *v, const model_shape_t *sh,
		       const char *path, int depth)
{
	const cJSON *kid;
	char sub[512];
	double t;
	int i = 0, rc;

	if (depth > PROTO_MAX_DEPTH)
		return err_set(c->e, -EINVAL, "%s: %s nests too deeply", model_str(c->op->name), path);
	switch (sh->type) {
	case MODEL_STRUCTURE:
		return check_struct(c, v, sh, path, depth);
	case MODEL_LIST:
		if (!cJSON_IsArray(v))
			return err_set(c->e, -EINVAL, "%s: %s must be a list", model_str(c->op->name), path);
		cJSON_ArrayForEach(kid, v) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
			if ((rc = check_value(c, kid, model_shape(model_member(sh, 0)->shape),
					      sub, depth + 1)))
				return rc;
		}
		return 0;
	case MODEL_MAP:
		if (!cJSON_IsObject(v))
			return err_set(c->e, -EINVAL, "%s: %s must be a map", model_str(c->op->name), path);
		cJSON_ArrayForEach(kid, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, kid->string);
			if ((rc = check_value(c, kid, model_shape(model_member(sh, 1)->shape),
					      sub, depth + 1)))
				return rc;
		}
		return 0;
	case MODEL_STRING:
	case MODEL_BLOB:
		if (!cJSON_IsString(v))
			return err_set(c->e, -EINVAL, "%s: %s must be a string", model_str(c->op->name), path);
		return 0;
	case MODEL_BOOLEAN:
		if (!cJSON_IsBool(v))
			return err_set(c->e, -EINVAL, "%s: %s must be a boolean", model_str(c->op->name), path);
		return 0;
	case MODEL_TIMESTAMP:
		if ((cJSON_IsNumber(v) && proto_time_in_range(v->valuedouble)) ||
		    (cJSON_IsString(v) && !proto_time_parse(v->valuestring, &t)))
			return 0;
		return err_set(c->e, -EINVAL, "%s: %s must be a timestamp", model_str(c->op->name), path);
	case MODEL_INTEGER:
	case MODEL_LONG:
		if (!cJSON_IsNumber(v) || v->valuedouble != num_floor(v->valuedouble))
			return err_set(c->e, -EINVAL, "%s: %s must be an integer", model_str(c->op->name), path);
		return 0;
	default:
		if (!cJSON_IsNumber(v))
			return err_set(c->e, -EINVAL, "%s: %s must be a number", model_str(c->op->name), path);
		return 0;
	}
}

/* ---- scalars on the wire ------------------------------------------------ */

static void render_number(const cJSON *v, int integral, buf_t *b)
{
	char tmp[64];
	double d = v->valuedouble;

	/* cJSON keeps no int/float distinction: whole numbers go out without
	 * a fraction ("80"), others in the shortest form that reads back. */
	if (integral || (d == num_floor(d) && d > -1e15 && d < 1e15)) {
		buf_printf(b, "%lld", (long long)d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	buf_str(b, tmp);
}

static void render_base64(const char *s, buf_t *b)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (!out) {
		b->oom = 1;
		return;
	}
	EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
	buf_str(b, (char *)out);
	free(out);
}

/* Text form of a scalar; ts_default is the protocol/location default. */
static void render_scalar(const cJSON *v, const model_shape_t *sh, int ts_fmt,
			  int ts_default, buf_t *b)
{
	double t = 0;

	switch (sh->type) {
	case MODEL_BOOLEAN:
		buf_str(b, cJSON_IsTrue(v) ? "true" : "false");
		break;
	case MODEL_INTEGER:
	case MODEL_LONG:
		render_number(v, 1, b);
		break;
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		render_number(v, 0, b);
		break;
	case MODEL_TIMESTAMP:
		if (cJSON_IsNumber(v))
			t = v->valuedouble;
		else
			proto_time_parse(v->valuestring, &t);
		time_render(t, ts_fmt ? ts_fmt : ts_default, b);
		break;
	case MODEL_BLOB:
		render_base64(v->valuestring, b);
		break;
	default:
		buf_str(b, v->valuestring ? v->valuestring : "");
	}
}

/* ---- query / ec2 ---------------------------------------------------------- */

static void form_pair(buf_t *b, const char *key, const char *value)
{
	buf_add(b, "&", 1);
	buf_pct(b, key, NULL);
	buf_add(b, "=", 1);
	buf_pct(b, value, NULL);
}

static void form_value(buf_t *b, const char *prefix, const cJSON *v,
		       const model_shape_t *sh, const model_member_t *ref, int ec2);

static const char *form_member_name(const model_member_t *m, int ec2, char *tmp,
				    size_t len)
{
	/* EC2 query: queryName, else locationName with its first letter
	 * upper-cased (Amazon EC2 API reference, "Query requests"). */
	if (ec2 && m->query_name)
		return model_str(m->query_name);
	if (ec2 && m->wire_name) {
		snprintf(tmp, len, "%s", model_str(m->wire_name));
		tmp[0] = (char)toupper((unsigned char)tmp[0]);
		return tmp;
	}
	return model_member_wire_name(m);
}

/* v of shape sh, reached through member ref (NULL for the input itself).
 * A list or map is flattened when the member says so as well as when its
 * shape does: botocore merges a member's traits over its shape's
 * (ShapeResolver.resolve_shape_ref) and its query serializer asks the
 * merged set (_is_shape_flattened); gen-model merges them the same way
 * into the member's flags. EC2's serializer never flattens a list, the
 * member's name already says how (Amazon EC2 API reference, "Query
 * requests"); its maps follow the query rule. */
static void form_value(buf_t *b, const char *prefix, const cJSON *v,
		       const model_shape_t *sh, const model_member_t *ref, int ec2)
{
	const model_member_t *m;
	const cJSON *kid;
	buf_t val = { 0 };
	char key[1024], tmp[1100], name[256];
	const char *dot;
	int i, ts_fmt = ref ? ref->ts_format : MODEL_TS_DEFAULT;
	int flat = ((ref ? ref->flags : sh->flags) & MODEL_F_FLATTENED) != 0;

	switch (sh->type) {
	case MODEL_STRUCTURE:
		cJSON_ArrayForEach(kid, v) {
			if (cJSON_IsNull(kid) || !(m = model_member_find(sh, kid->string)))
				continue;
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
				 form_member_name(m, ec2, name, sizeof(name)));
			form_value(b, key, kid, model_shape(m->shape), m, ec2);
		}
		break;
	case MODEL_LIST:
		m = model_member(sh, 0);
		if (!cJSON_GetArraySize(v)) {
			if (!ec2)
				form_pair(b, prefix, "");
			break;
		}
		if (ec2) {
			snprintf(key, sizeof(key), "%s", prefix);
		} else if (flat) {
			dot = strrchr(prefix, '.');
			if (m->wire_name)
				snprintf(key, sizeof(key), "%.*s%s", dot ? (int)(dot - prefix + 1) : 0,
					 prefix, model_str(m->wire_name));
			else
				snprintf(key, sizeof(key), "%s", prefix);
		} else {
			snprintf(key, sizeof(key), "%s.%s", prefix, model_member_wire_name(m));
		}
		i = 1;
		cJSON_ArrayForEach(kid, v) {
			snprintf(tmp, sizeof(tmp), "%s.%d", key, i++);
			form_value(b, tmp, kid, model_shape(m->shape), m, ec2);
		}
		break;
	case MODEL_MAP: {
		const model_member_t *km = model_member(sh, 0), *vm = model_member(sh, 1);
		i = 1;
		cJSON_ArrayForEach(kid, v) {
			snprintf(key, sizeof(key), "%s%s.%d.", prefix,
				 flat ? "" : ".entry", i++);
			snprintf(tmp, sizeof(tmp), "%s%s", key, model_member_wire_name(km));
			form_pair(b, tmp, kid->string);
			snprintf(tmp, sizeof(tmp), "%s%s", key, model_member_wire_name(vm));
			form_value(b, tmp, kid, model_shape(vm->shape), vm, ec2);
		}
		break;
	}
	default:
		render_scalar(v, sh, ts_fmt, MODEL_TS_ISO8601, &val);
		form_pair(b, prefix, val.data ? val.data : "");
		if (val.oom)
			b->oom = 1;
		free(val.data);
	}
}

/* ---- JSON bodies ---------------------------------------------------------- */

/* Params to the JSON wire form: locationName keys, epoch timestamps,
 * base64 blobs. Only body members; NULL on ENOMEM. */
static cJSON *json_value(const cJSON *v, const model_shape_t *sh, int ts_fmt)
{
	const model_member_t *m;
	const cJSON *kid;
	cJSON *out = NULL, *item;
	buf_t b = { 0 };

	switch (sh->type) {
	case MODEL_STRUCTURE:
	case MODEL_LIST:
	case MODEL_MAP:
		out = sh->type == MODEL_LIST ? cJSON_CreateArray() : cJSON_CreateObject();
		if (!out)
			return NULL;
		cJSON_ArrayForEach(kid, v) {
			if (sh->type == MODEL_STRUCTURE) {
				m = model_member_find(sh, kid->string);
				if (!m || cJSON_IsNull(kid) || m->location != MODEL_LOC_BODY)
					continue;
			} else {
				m = model_member(sh, sh->type == MODEL_LIST ? 0 : 1);
			}
			if (!(item = json_value(kid, model_shape(m->shape), m->ts_format))) {
				cJSON_Delete(out);
				return NULL;
			}
			if (sh->type == MODEL_LIST)
				cJSON_AddItemToArray(out, item);
			else
				cJSON_AddItemToObject(out, sh->type == MODEL_STRUCTURE ?
						      model_member_wire_name(m) : kid->string, item);
		}
		return out;
	case MODEL_TIMESTAMP:
	case MODEL_BLOB:
		render_scalar(v, sh, ts_fmt, MODEL_TS_UNIX, &b);
		if (!b.oom && sh->type == MODEL_TIMESTAMP &&
		    (ts_fmt ? ts_fmt : MODEL_TS_UNIX) == MODEL_TS_UNIX)
			out = cJSON_CreateNumber(strtod(b.data, NULL));
		else if (!b.oom)
			out = cJSON_CreateString(b.data ? b.data : "");
		free(b.data);
		return out;
	default:
		return cJSON_Duplicate(v, 1);
	}
}

/* ---- XML bodies ----------------------------------------------------------- */

/* flat: the member holding v is flattened (restXml: a list's items then
 * repeat under the member's name, without a wrapper). The trait sits on
 * the member as often as on the shape (S3's LifecycleRuleAndOperator.Tags,
 * "flattened": true on a member of the unflattened TagSet). */
static void xml_value(buf_t *b, const char *name, const cJSON *v,
		      const model_shape_t *sh, int ts_fmt, const char *ns, int flat)
{
	const model_member_t *m;
	const cJSON *kid;

	switch (sh->type) {
	case MODEL_STRUCTURE:
		buf_printf(b, "<%s", name);
		if (ns || sh->xml_ns) {
			buf_str(b, " xmlns=\"");
			buf_xml(b, ns ? ns : model_str(sh->xml_ns));
			buf_str(b, "\"");
		}
		cJSON_ArrayForEach(kid, v) {
			m = model_member_find(sh, kid->string);
			if (!m || !(m->flags & MODEL_F_XML_ATTR) || cJSON_IsNull(kid))
				continue;
			buf_printf(b, " %s=\"", model_member_wire_name(m));
			buf_xml(b, cJSON_GetStringValue(kid) ? kid->valuestring : "");
			buf_str(b, "\"");
		}
		buf_str(b, ">");
		cJSON_ArrayForEach(kid, v) {
			m = model_member_find(sh, kid->string);
			if (!m || (m->flags & MODEL_F_XML_ATTR) || cJSON_IsNull(kid) ||
			    m->location != MODEL_LOC_BODY)
				continue;
			xml_value(b, model_member_wire_name(m), kid, model_shape(m->shape),
				  m->ts_format, model_shape(m->shape)->type == MODEL_STRUCTURE ?
				  model_str(m->xml_ns) : NULL,
				  m->flags & MODEL_F_FLATTENED);
		}
		buf_printf(b, "</%s>", name);
		return;
	case MODEL_LIST:
		m = model_member(sh, 0);
		flat = flat || (sh->flags & MODEL_F_FLATTENED);
		if (!flat)
			buf_printf(b, "<%s>", name);
		cJSON_ArrayForEach(kid, v)
			xml_value(b, flat ? name : model_member_wire_name(m),
				  kid, model_shape(m->shape), m->ts_format, NULL, 0);
		if (!flat)
			buf_printf(b, "</%s>", name);
		return;
	case MODEL_MAP:
		buf_printf(b, "<%s>", name);
		cJSON_ArrayForEach(kid, v) {
			const model_member_t *km = model_member(sh, 0), *vm = model_member(sh, 1);
			const char *kn = model_member_wire_name(km);
			buf_printf(b, "<entry><%s>", kn);
			buf_xml(b, kid->string);
			buf_printf(b, "</%s>", kn);
			xml_value(b, model_member_wire_name(vm), kid,
				  model_shape(vm->shape), vm->ts_format, NULL, 0);
			buf_str(b, "</entry>");
		}
		buf_printf(b, "</%s>", name);
		return;
	default: {
		buf_t val = { 0 };
		render_scalar(v, sh, ts_fmt, MODEL_TS_ISO8601, &val);
		buf_printf(b, "<%s>", name);
		buf_xml(b, val.data ? val.data : "");
		buf_printf(b, "</%s>", name);
		if (val.oom)
			b->oom = 1;
		free(val.data);
	}
	}
}

/* ---- request assembly ----------------------------------------------------- */

static int req_header(proto_request_t *r, const char *name, const char *value)
{
	proto_header_t *grown = realloc(r->headers, (r->n_headers + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	r->headers = grown;
	grown[r->n_headers].name = strdup(name);
	grown[r->n_headers].value = strdup(value);
	r->n_headers++;
	if (!grown[r->n_headers - 1].name || !grown[r->n_headers - 1].value)
		return -ENOMEM;
	return 0;
}

void proto_request_free(proto_request_t *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->path);
	free(r->query);
	free(r->body);
	free(r);
}

const char *proto_request_header(const proto_request_t *r, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* S3 rejects PutBucketLifecycleConfiguration and friends without a body
 * checksum ("httpChecksumRequired"; Amazon S3 API reference, Content-MD5). */
static int add_content_md5(proto_request_t *r, const char *body, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int n = 0;

	if (EVP_Digest(body, len, md, &n, EVP_md5(), NULL) != 1)
		return -EIO;
	EVP_EncodeBlock(b64, md, (int)n);
	return req_header(r, "Content-MD5", (char *)b64);
}

static int fill_idempotency(cJSON *params, const model_shape_t *in)
{
	const model_member_t *m;
	unsigned char u[16];
	char uuid[37];
	int i;

	for (i = 0; (m = model_member(in, i)); i++) {
		if (!(m->flags & MODEL_F_IDEMPOTENCY) ||
		    cJSON_GetObjectItemCaseSensitive(params, model_str(m->name)))
			continue;
		if (RAND_bytes(u, sizeof(u)) != 1)
			return -EIO;
		u[6] = (u[6] & 0x0f) | 0x40;   /* RFC 4122 version 4 */
		u[8] = (u[8] & 0x3f) | 0x80;
		snprintf(uuid, sizeof(uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
			 u[10], u[11], u[12], u[13], u[14], u[15]);
		if (!cJSON_AddStringToObject(params, model_str(m->name), uuid))
			return -ENOMEM;
	}
	return 0;
}

/* Expands the URI template: "{Name}" labels percent-encode everything but
 * unreserved characters, greedy "{Key+}" labels keep '/'. Anything after
 * '?' in the template is a literal query part (S3's "?versioning"). */
static int expand_uri(ctx_t *c, const model_shape_t *in, const cJSON *params,
		      buf_t *path, buf_t *query)
{
	const char *t = model_str(c->op->request_uri), *close, *q = strchr(t, '?');
	const model_member_t *m, *lm;
	const cJSON *v;
	buf_t val = { 0 };
	char label[128];
	size_t n;
	int greedy, i;

	for (; *t && t != q; t++) {
		if (*t != '{') {
			buf_add(path, t, 1);
			continue;
		}
		close = strchr(t, '}');
		if (!close || (size_t)(close - t) >= sizeof(label)) {
			free(val.data);
			return err_set(c->e, -EINVAL, "%s: bad URI template", model_str(c->op->name));
		}
		n = (size_t)(close - t - 1);
		memcpy(label, t + 1, n);
		label[n] = '\0';
		greedy = n && label[n - 1] == '+';
		if (greedy)
			label[n - 1] = '\0';
		v = NULL;
		lm = NULL;
		for (i = 0; (m = model_member(in, i)); i++)
			if (m->location == MODEL_LOC_URI && !strcmp(model_member_wire_name(m), label)) {
				v = cJSON_GetObjectItemCaseSensitive(params, model_str(m->name));
				lm = m;
			}
		if (!v || cJSON_IsNull(v)) {
			free(val.data);
			return err_set(c->e, -EINVAL, "%s: missing URI member %s", model_str(c->op->name),
				       lm ? model_str(lm->name) : label);
		}
		val.len = 0;
		render_scalar(v, model_shape(lm->shape), lm->ts_format, MODEL_TS_ISO8601, &val);
		buf_pct(path, val.data ? val.data : "", greedy ? "/" : NULL);
		t = close;
	}
	free(val.data);
	if (q && q[1])
		buf_str(query, q + 1);
	return 0;
}

static void query_add(buf_t *q, const char *key, const char *value)
{
	if (q->len)
		buf_add(q, "&", 1);
	buf_pct(q, key, NULL);
	buf_add(q, "=", 1);
	buf_pct(q, value, NULL);
}

static int build_rest(ctx_t *c, const model_shape_t *in, const cJSON *params,
		      proto_request_t *r, buf_t *body)
{
	const model_member_t *m, *pm = NULL;
	const model_shape_t *ms;
	const cJSON *v, *kid;
	buf_t path = { 0 }, query = { 0 }, val = { 0 };
	int i, rc, has_body = 0, json = c->svc->protocol == PROTO_REST_JSON;

	if ((rc = expand_uri(c, in, params, &path, &query)))
		goto out;
	for (i = 0; (m = model_member(in, i)); i++) {
		v = cJSON_GetObjectItemCaseSensitive(params, model_str(m->name));
		ms = model_shape(m->shape);
		if (m->location == MODEL_LOC_BODY)
			has_body = 1;
		if (!v || cJSON_IsNull(v))
			continue;
		switch (m->location) {
		case MODEL_LOC_QUERYSTRING:
			if (ms->type == MODEL_MAP) {
				cJSON_ArrayForEach(kid, v)
					query_add(&query, kid->string, cJSON_GetStringValue(kid) ?
						  kid->valuestring : "");
			} else if (ms->type == MODEL_LIST) {
				cJSON_ArrayForEach(kid, v) {
					val.len = 0;
					render_scalar(kid, model_shape(model_member(ms, 0)->shape),
						      0, MODEL_TS_ISO8601, &val);
					query_add(&query, model_member_wire_name(m), val.data ? val.data : "");
				}
			} else {
				val.len = 0;
				render_scalar(v, ms, m->ts_format, MODEL_TS_ISO8601, &val);
				query_add(&query, model_member_wire_name(m), val.data ? val.data : "");
			}
			break;
		case MODEL_LOC_HEADER:
			val.len = 0;
			if (ms->type == MODEL_LIST) {
				if (!cJSON_GetArraySize(v))
					break;
				cJSON_ArrayForEach(kid, v) {
					if (val.len)
						buf_add(&val, ",", 1);
					render_scalar(kid, model_shape(model_member(ms, 0)->shape),
						      0, MODEL_TS_RFC822, &val);
				}
			} else {
				render_scalar(v, ms, m->ts_format, MODEL_TS_RFC822, &val);
			}
			if ((rc = req_header(r, model_member_wire_name(m), val.data ? val.data : "")))
				goto out;
			break;
		case MODEL_LOC_HEADERS:
			cJSON_ArrayForEach(kid, v) {
				val.len = 0;
				buf_str(&val, model_member_wire_name(m));
				buf_str(&val, kid->string);
				if ((rc = req_header(r, val.data, cJSON_GetStringValue(kid) ?
						     kid->valuestring : "")))
					goto out;
			}
			break;
		default:
			break;
		}
	}
	if (in->payload)
		pm = model_member_find(in, model_str(in->payload));
	if (pm) {
		v = cJSON_GetObjectItemCaseSensitive(params, model_str(pm->name));
		ms = model_shape(pm->shape);
		if (ms->type == MODEL_STRING || ms->type == MODEL_BLOB) {
			if (cJSON_IsString(v))
				buf_str(body, v->valuestring);
		} else if (v && !cJSON_IsNull(v)) {
			if (json) {
				cJSON *j = json_value(v, ms, 0);
				char *s = j ? cJSON_PrintUnformatted(j) : NULL;
				cJSON_Delete(j);
				if (!s) {
					rc = -ENOMEM;
					goto out;
				}
				buf_str(body, s);
				free(s);
			} else {
				xml_value(body, model_member_wire_name(pm), v, ms, 0, model_str(pm->xml_ns),
					  pm->flags & MODEL_F_FLATTENED);
			}
		} else if (json) {
			buf_str(body, "{}");
		}
	} else if (has_body) {
		int any = 0;
		for (i = 0; (m = model_member(in, i)); i++)
			if (m->location == MODEL_LOC_BODY &&
			    (v = cJSON_GetObjectItemCaseSensitive(params, model_str(m->name))) && !cJSON_IsNull(v))
				any = 1;
		if (json) {
			cJSON *j = json_value(params, in, 0);
			char *s = j ? cJSON_PrintUnformatted(j) : NULL;

			cJSON_Delete(j);
			if (!s) {
				rc = -ENOMEM;
				goto out;
			}
			buf_str(body, s);
			free(s);
		} else if (any) {
			xml_value(body, model_str(c->op->input_wire_name ? c->op->input_wire_name :
						  in->name),
				  params, in, 0, model_str(c->op->input_xml_ns), 0);
		}
	}
	if (json && body->len && !proto_request_header(r, "Content-Type"))
		if ((rc = req_header(r, "Content-Type", "application/json")))
			goto out;
	if (path.oom || query.oom || val.oom) {
		rc = -ENOMEM;
		goto out;
	}
	r->path = path.data ? path.data : strdup("/");
	r->query = query.data ? query.data : strdup("");
	path.data = query.data = NULL;
out:
	free(path.data);
	free(query.data);
	free(val.data);
	return rc;
}

int proto_build_request(const service_def_t *svc, const char *opname,
			const cJSON *params, proto_request_t **out, err_t *e)
{
	const model_shape_t *in;
	proto_request_t *r = NULL;
	cJSON *p = NULL;
	buf_t body = { 0 };
	char hdr[160];
	ctx_t c = { svc, NULL, e };
	int rc = 0;

	*out = NULL;
	if (!svc)
		return err_set(e, -EINVAL, "no service given for %s", opname);
	c.op = model_operation_find(svc->name, opname);
	if (!c.op)
		return err_set(e, -ENOENT, "%s has no operation %s in driftd's model",
			       svc->name, opname);
	p = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
	r = calloc(1, sizeof(*r));
	if (!p || !r) {
		rc = err_set(e, -ENOMEM, "out of memory building %s", opname);
		goto out;
	}
	in = model_shape(c.op->input);
	if (!in && cJSON_GetArraySize(p)) {
		rc = err_set(e, -EINVAL, "%s takes no parameters", opname);
		goto out;
	}
	if (in) {
		if ((rc = fill_idempotency(p, in)))
			goto out;
		if ((rc = check_value(&c, p, in, "", 0)))
			goto out;
	}
	r->method = model_str(c.op->http_method);
	switch (svc->protocol) {
	case PROTO_QUERY:
	case PROTO_EC2:
		r->method = "POST";
		buf_str(&body, "Action=");
		buf_pct(&body, opname, NULL);
		buf_str(&body, "&Version=");
		buf_pct(&body, svc->api_version, NULL);
		if (in)
			form_value(&body, "", p, in, NULL, svc->protocol == PROTO_EC2);
		rc = req_header(r, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
		r->path = strdup("/");
		r->query = strdup("");
		break;
	case PROTO_JSON: {
		cJSON *j = in ? json_value(p, in, 0) : cJSON_CreateObject();
		char *s = j ? cJSON_PrintUnformatted(j) : NULL;
		cJSON_Delete(j);
		if (s)
			buf_str(&body, s);
		else
			body.oom = 1;
		free(s);
		r->method = "POST";
		snprintf(hdr, sizeof(hdr), "application/x-amz-json-%s",
			 svc->json_version ? svc->json_version : "1.0");
		rc = req_header(r, "Content-Type", hdr);
		snprintf(hdr, sizeof(hdr), "%s.%s", svc->target_prefix ? svc->target_prefix : "",
			 opname);
		if (!rc)
			rc = req_header(r, "X-Amz-Target", hdr);
		r->path = strdup("/");
		r->query = strdup("");
		break;
	}
	case PROTO_REST_JSON:
	case PROTO_REST_XML:
		if (in) {
			rc = build_rest(&c, in, p, r, &body);
		} else {
			r->path = strdup(model_str(c.op->request_uri));
			r->query = strdup("");
		}
		break;
	}
	if (rc)
		goto out;
	if (body.oom || !r->path || !r->query) {
		rc = err_set(e, -ENOMEM, "out of memory building %s", opname);
		goto out;
	}
	/* A Content-MD5 the caller gave is sent as given, once (botocore's
	 * conditionally_calculate_md5 leaves it too). */
	if ((c.op->flags & MODEL_OP_CHECKSUM_REQUIRED) && !proto_request_header(r, "Content-MD5"))
		rc = add_content_md5(r, body.data ? body.data : "", body.len);
	if (rc)
		goto out;
	r->body = body.data ? body.data : strdup("");
	r->body_len = body.len;
	body.data = NULL;
	if (!r->body) {
		rc = err_set(e, -ENOMEM, "out of memory building %s", opname);
		goto out;
	}
	*out = r;
	r = NULL;
out:
	if (rc && e && !e->code)
		err_set(e, rc, "cannot build %s request", opname);
	free(body.data);
	cJSON_Delete(p);
	proto_request_free(r);
	return rc;
}

/* ---- responses ------------------------------------------------------------ */

static const char *resp_header(const proto_header_t *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; h && i < n; i++)
		if (h[i].name && !strcasecmp(h[i].name, name))
			return h[i].value;
	return NULL;
}

/* A scalar from its text form (XML text, header value). NULL on bad text. */
static cJSON *scalar_from_text(const char *s, const model_shape_t *sh)
{
	char ts[64], *end;
	double d;

	switch (sh->type) {
	case MODEL_BOOLEAN:
		if (!strcmp(s, "true"))
			return cJSON_CreateTrue();
		if (!strcmp(s, "false"))
			return cJSON_CreateFalse();
		return NULL;
	case MODEL_INTEGER:
	case MODEL_LONG:
	case MODEL_FLOAT:
	case MODEL_DOUBLE:
		d = strtod(s, &end);
		if (end == s || *end)
			return NULL;
		return cJSON_CreateNumber(d);
	case MODEL_TIMESTAMP:
		if (proto_time_parse(s, &d) || proto_time_format(d, ts, sizeof(ts)))
			return NULL;
		return cJSON_CreateString(ts);
	default:
		return cJSON_CreateString(s);
	}
}

static cJSON *from_xml(cJSON *el, const model_shape_t *sh, int depth);

/* Entries of a list: the children of els named `only` (flattened list), or
 * all of them (wrapped list, only == NULL). A wrapped list's element holds
 * nothing but its entries, so each entry's XML is freed as soon as it is
 * converted: a 1000-item page never holds its whole XML tree and its whole
 * conversion at once. */
static cJSON *xml_list(cJSON *els, const char *only, const model_shape_t *msh,
		       int depth)
{
	cJSON *out = cJSON_CreateArray(), *item, *kid, *next;

	for (kid = els ? els->child : NULL; kid; kid = next) {
		next = kid->next;
		if (only && strcmp(xml_name(kid), only))
			continue;
		item = from_xml(kid, msh, depth + 1);
		if (!item || !out) {
			cJSON_Delete(item);
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToArray(out, item);
		if (!only)
			cJSON_Delete(cJSON_DetachItemViaPointer(els, kid));
	}
	return out;
}

static int xml_map_entry(cJSON *out, const cJSON *entry, const model_shape_t *sh,
			 int depth)
{
	const model_member_t *km = model_member(sh, 0), *vm = model_member(sh, 1);
	const cJSON *k = xml_child(entry, model_member_wire_name(km));
	cJSON *v = xml_child(entry, model_member_wire_name(vm));
	cJSON *val;

	if (!k || !v)
		return -EBADMSG;
	val = from_xml(v, model_shape(vm->shape), depth + 1);
	if (!val)
		return -EBADMSG;
	cJSON_AddItemToObject(out, xml_text(k), val);
	return 0;
}

static cJSON *from_xml_struct(cJSON *el, const model_shape_t *sh, int depth)
{
	cJSON *out = cJSON_CreateObject(), *val = NULL;
	const model_member_t *m, *lm;
	const model_shape_t *ms;
	cJSON *kid, *kids = cJSON_GetObjectItemCaseSensitive(el, "children");
	const char *wire, *attr;
	int i;

	for (i = 0; out && (m = model_member(sh, i)); i++) {
		if (m->location != MODEL_LOC_BODY)
			continue;
		ms = model_shape(m->shape);
		wire = model_member_wire_name(m);
		val = NULL;
		if (m->flags & MODEL_F_XML_ATTR) {
			if ((attr = xml_attr(el, wire)))
				val = scalar_from_text(attr, ms);
			else
				continue;
		} else if (ms->type == MODEL_LIST && (m->flags & MODEL_F_FLATTENED)) {
			lm = model_member(ms, 0);
			if (lm->wire_name)
				wire = model_str(lm->wire_name);
			if (!xml_child(el, wire))
				continue;
			val = xml_list(kids, wire, model_shape(lm->shape), depth);
		} else if (ms->type == MODEL_MAP && (m->flags & MODEL_F_FLATTENED)) {
			if (!xml_child(el, wire))
				continue;
			val = cJSON_CreateObject();
			cJSON_ArrayForEach(kid, kids)
				if (val && !strcmp(xml_name(kid), wire) &&
				    xml_map_entry(val, kid, ms, depth)) {
					cJSON_Delete(val);
					val = NULL;
				}
		} else {
			if (!(kid = xml_child(el, wire)))
				continue;
			val = from_xml(kid, ms, depth + 1);
		}
		if (!val)
			goto bad;
		cJSON_AddItemToObject(out, model_str(m->name), val);
	}
	return out;
bad:
	cJSON_Delete(out);
	return NULL;
}

static cJSON *from_xml(cJSON *el, const model_shape_t *sh, int depth)
{
	cJSON *kid, *kids = cJSON_GetObjectItemCaseSensitive(el, "children");
	cJSON *out;

	if (depth > PROTO_MAX_DEPTH)
		return NULL;
	switch (sh->type) {
	case MODEL_STRUCTURE:
		return from_xml_struct(el, sh, depth);
	case MODEL_LIST:
		/* Wrapped list: every child element is one entry, whatever its
		 * name ("member", "item", or a rest-xml locationName). */
		return xml_list(kids, NULL, model_shape(model_member(sh, 0)->shape), depth);
	case MODEL_MAP:
		out = cJSON_CreateObject();
		cJSON_ArrayForEach(kid, kids)
			if (out && xml_map_entry(out, kid, sh, depth)) {
				cJSON_Delete(out);
				return NULL;
			}
		return out;
	default:
		return scalar_from_text(xml_text(el), sh);
	}
}

/* JSON wire value (wire names, epoch timestamps) to driftd's output form. */
static cJSON *from_json(const cJSON *v, const model_shape_t *sh, int depth)
{
	const model_member_t *m;
	const cJSON *kid;
	cJSON *out, *item;
	char ts[64];
	double t;
	int i;

	if (depth > PROTO_MAX_DEPTH)
		return NULL;
	if (cJSON_IsNull(v))
		return cJSON_CreateNull();
	switch (sh->type) {
	case MODEL_STRUCTURE:
		if (!cJSON_IsObject(v))
			return NULL;
		out = cJSON_CreateObject();
		for (i = 0; out && (m = model_member(sh, i)); i++) {
			if (m->location != MODEL_LOC_BODY)
				continue;
			kid = cJSON_GetObjectItemCaseSensitive(v, model_member_wire_name(m));
			if (!kid || cJSON_IsNull(kid))   /* null reads as absent */
				continue;
			if (!(item = from_json(kid, model_shape(m->shape), depth + 1)))
				goto bad;
			cJSON_AddItemToObject(out, model_str(m->name), item);
		}
		return out;
	case MODEL_LIST:
	case MODEL_MAP:
		if (sh->type == MODEL_LIST ? !cJSON_IsArray(v) : !cJSON_IsObject(v))
			return NULL;
		m = model_member(sh, sh->type == MODEL_LIST ? 0 : 1);
		out = sh->type == MODEL_LIST ? cJSON_CreateArray() : cJSON_CreateObject();
		cJSON_ArrayForEach(kid, v) {
			if (!out || !(item = from_json(kid, model_shape(m->shape), depth + 1)))
				goto bad;
			if (sh->type == MODEL_LIST)
				cJSON_AddItemToArray(out, item);
			else
				cJSON_AddItemToObject(out, kid->string, item);
		}
		return out;
	case MODEL_TIMESTAMP:
		if (cJSON_IsNumber(v))
			t = v->valuedouble;
		else if (!cJSON_IsString(v) || proto_time_parse(v->valuestring, &t))
			return NULL;
		if (proto_time_format(t, ts, sizeof(ts)))
			return NULL;
		return cJSON_CreateString(ts);
	case MODEL_BOOLEAN:
		return cJSON_IsBool(v) ? cJSON_Duplicate(v, 0) : NULL;
	case MODEL_STRING:
	case MODEL_BLOB:
		return cJSON_IsString(v) ? cJSON_Duplicate(v, 0) : NULL;
	default:
		return cJSON_IsNumber(v) ? cJSON_Duplicate(v, 0) : NULL;
	}
bad:
	cJSON_Delete(out);
	return NULL;
}

static int add_bound_outputs(cJSON *out, const model_shape_t *sh, int status,
			     const proto_header_t *h, size_t n)
{
	const model_member_t *m;
	const char *v;
	cJSON *item, *map;
	size_t plen, j;
	int i;

	for (i = 0; (m = model_member(sh, i)); i++) {
		item = NULL;
		if (m->location == MODEL_LOC_STATUS) {
			item = cJSON_CreateNumber(status);
		} else if (m->location == MODEL_LOC_HEADER &&
			   (v = resp_header(h, n, model_member_wire_name(m)))) {
			item = scalar_from_text(v, model_shape(m->shape));
			if (!item)
				continue;   /* a malformed header value is skipped */
		} else if (m->location == MODEL_LOC_HEADERS) {
			plen = strlen(model_member_wire_name(m));
			map = NULL;
			for (j = 0; j < n; j++) {
				if (strncasecmp(h[j].name, model_member_wire_name(m), plen))
					continue;
				if (!map && !(map = cJSON_CreateObject()))
					return -ENOMEM;
				cJSON_AddStringToObject(map, h[j].name + plen, h[j].value);
			}
			item = map;
		}
		if (item) {
			cJSON_DeleteItemFromObjectCaseSensitive(out, model_str(m->name));
			cJSON_AddItemToObject(out, model_str(m->name), item);
		}
	}
	return 0;
}

/* ---- errors --------------------------------------------------------------- */

static const struct {
	int status;
	const char *code;
} status_codes[] = {
	{ 400, "BadRequest" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "NotFound" }, { 409, "Conflict" }, { 429, "TooManyRequests" },
	{ 500, "InternalError" }, { 502, "BadGateway" },
	{ 503, "ServiceUnavailable" }, { 504, "GatewayTimeout" },
};

static void code_from_status(int status, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(status_codes) / sizeof(status_codes[0]); i++)
		if (status_codes[i].status == status) {
			snprintf(buf, len, "%s", status_codes[i].code);
			return;
		}
	snprintf(buf, len, "Http%d", status);
}

/* "aws.protocoltests#FooError" or "FooError:http://internal..." -> FooError
 * (AWS JSON 1.1 protocol, "Operation error serialization"). */
static void clean_code(const char *raw, char *buf, size_t len)
{
	const char *hash = strrchr(raw, '#');
	size_t n;

	if (hash)
		raw = hash + 1;
	n = strcspn(raw, ":");
	if (n >= len)
		n = len - 1;
	memcpy(buf, raw, n);
	buf[n] = '\0';
}

static const char *json_str(const cJSON *o, const char *a, const char *b)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, a));

	return s ? s : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, b));
}

static int parse_error(const service_def_t *svc, const char *opname, int status,
		       const proto_header_t *h, size_t n, const char *body,
		       size_t len, err_t *e)
{
	char code[ERR_CODE_MAX] = "", msgbuf[ERR_MSG_MAX] = "", idbuf[ERR_CODE_MAX] = "";
	const char *reqid = resp_header(h, n, "x-amzn-RequestId");
	const char *hdr_type = resp_header(h, n, "x-amzn-ErrorType");
	const char *raw = NULL, *msg = NULL;
	const cJSON *el;
	cJSON *root = NULL;
	size_t skip = 0;

	if (!reqid)
		reqid = resp_header(h, n, "x-amz-request-id");
	while (skip < len && isspace((unsigned char)body[skip]))
		skip++;
	if (skip < len && body[skip] == '<' && !xml_parse(body, len, &root, NULL)) {
		/* <ErrorResponse><Error>, EC2 <Response><Errors><Error>, S3 <Error>. */
		el = !strcmp(xml_name(root), "Error") ? root : xml_child(root, "Error");
		if (!el && xml_child(root, "Errors"))
			el = xml_child(xml_child(root, "Errors"), "Error");
		if (el) {
			raw = xml_path_text(el, "Code");
			msg = xml_path_text(el, "Message");
		}
		/* The header, when sent, names the same request (S3 sends both). */
		if (!reqid)
			reqid = xml_path_text(root, "RequestId");
		if (!reqid)
			reqid = xml_path_text(root, "RequestID");
		/* The tree is freed below: keep copies. */
		if (reqid) {
			snprintf(idbuf, sizeof(idbuf), "%s", reqid);
			reqid = idbuf;
		}
		snprintf(msgbuf, sizeof(msgbuf), "%s", msg ? msg : "");
		if (raw)
			clean_code(raw, code, sizeof(code));
		cJSON_Delete(root);
		root = NULL;
	} else if (skip < len && body[skip] == '{' &&
		   (root = cJSON_ParseWithLength(body, len))) {
		raw = json_str(root, "__type", "code");
		if (!raw)
			raw = json_str(root, "Code", NULL);
		msg = json_str(root, "message", "Message");
		snprintf(msgbuf, sizeof(msgbuf), "%s", msg ? msg : "");
		if (raw)
			clean_code(raw, code, sizeof(code));
		cJSON_Delete(root);
	}
	/* rest-json: the header wins over the body (AWS restJson1 spec). */
	if (hdr_type && (svc->protocol == PROTO_REST_JSON || !*code))
		clean_code(hdr_type, code, sizeof(code));
	if (!*code)
		code_from_status(status, code, sizeof(code));
	return err_set_aws(e, -EREMOTEIO, status, code, reqid, "%s %s failed: %s%s%s",
			   svc->name, opname, code, *msgbuf ? ": " : "", msgbuf);
}

int proto_parse_response(const service_def_t *svc, const char *opname, int status,
			 const proto_header_t *headers, size_t n_headers,
			 const char *body, size_t body_len, cJSON **result,
			 err_t *e)
{
	const model_operation_t *op;
	const model_shape_t *out_sh;
	const model_member_t *pm = NULL;
	cJSON *el, *root = NULL, *out = NULL, *item;
	int rc = 0;

	*result = NULL;
	if (!body)
		body_len = 0;
	if (!svc || !(op = model_operation_find(svc->name, opname)))
		return err_set(e, -ENOENT, "no operation %s in driftd's model", opname);
	if (status < 200 || status >= 300)
		return parse_error(svc, opname, status, headers, n_headers,
				   body ? body : "", body_len, e);
	out_sh = model_shape(op->output);
	if (!out_sh) {
		*result = cJSON_CreateObject();
		return *result ? 0 : err_set(e, -ENOMEM, "out of memory");
	}
	if (out_sh->payload)
		pm = model_member_find(out_sh, model_str(out_sh->payload));
	switch (svc->protocol) {
	case PROTO_QUERY:
	case PROTO_EC2:
	case PROTO_REST_XML:
		if (svc->protocol == PROTO_REST_XML && body_len == 0) {
			out = cJSON_CreateObject();
			break;
		}
		if (pm && (model_shape(pm->shape)->type == MODEL_STRING ||
			   model_shape(pm->shape)->type == MODEL_BLOB)) {
			out = cJSON_CreateObject();
			if (out)
				cJSON_AddItemToObject(out, model_str(pm->name),
						      cJSON_CreateString(body_len ? body : ""));
			break;
		}
		if ((rc = xml_parse(body, body_len, &root, e)))
			goto out;
		el = root;
		if (op->result_wrapper && !(el = xml_child(root, model_str(op->result_wrapper)))) {
			out = cJSON_CreateObject();   /* empty result */
			break;
		}
		/* S3 GetBucketLocation answers with the bare member element as the
		 * document root (<LocationConstraint>eu-west-1</LocationConstraint>,
		 * Amazon S3 API reference, GetBucketLocation). */
		if (!pm && svc->protocol == PROTO_REST_XML && (pm = model_member_find(
			    out_sh, xml_name(el))) && model_shape(pm->shape)->type == MODEL_STRUCTURE)
			pm = NULL;
		if (pm) {
			out = cJSON_CreateObject();
			item = from_xml(el, model_shape(pm->shape), 0);
			if (!item) {
				cJSON_Delete(out);
				out = NULL;
			} else if (out) {
				cJSON_AddItemToObject(out, model_str(pm->name), item);
			}
		} else {
			out = from_xml(el, out_sh, 0);
		}
		if (!out) {
			rc = err_set(e, -EPROTO, "%s %s: response does not match its shape",
				     svc->name, opname);
			goto out;
		}
		break;
	case PROTO_JSON:
	case PROTO_REST_JSON: {
		size_t skip = 0;
		while (skip < body_len && isspace((unsigned char)body[skip]))
			skip++;
		if (skip == body_len) {
			out = cJSON_CreateObject();
			break;
		}
		root = cJSON_ParseWithLength(body, body_len);
		if (!root) {
			rc = err_set(e, -EPROTO, "%s %s: response is not valid JSON",
				     svc->name, opname);
			goto out;
		}
		if (pm) {
			out = cJSON_CreateObject();
			item = from_json(root, model_shape(pm->shape), 0);
			if (out && item)
				cJSON_AddItemToObject(out, model_str(pm->name), item);
		} else {
			out = from_json(root, out_sh, 0);
		}
		if (!out) {
			rc = err_set(e, -EPROTO, "%s %s: response does not match its shape",
				     svc->name, opname);
			goto out;
		}
		break;
	}
	}
	if (!out) {
		rc = err_set(e, -ENOMEM, "out of memory parsing %s", opname);
		goto out;
	}
	if (svc->protocol == PROTO_REST_JSON || svc->protocol == PROTO_REST_XML)
		if ((rc = add_bound_outputs(out, out_sh, status, headers, n_headers))) {
			err_set(e, rc, "out of memory parsing %s", opname);
			goto out;
		}
	*result = out;
	out = NULL;
out:
	cJSON_Delete(root);
	cJSON_Delete(out);
	return rc;
}

/* ---- pagination ----------------------------------------------------------- */

static const cJSON *path_get(const cJSON *o, const char *path)
{
	char part[128];
	const char *dot;
	size_t n;

	while (o && *path) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, part);
		path += n + (dot ? 1 : 0);
	}
	return o;
}

/* Some operations page in AWS but have no paginator in the botocore
 * models we generate from (IAM ListPolicyTags in botocore 1.29). They
 * follow one of AWS's two conventions: NextToken in and out, or Marker in
 * and out with IsTruncated. The paginator made names the members found
 * (the tables' strings, as a generated paginator's do). */
static const model_paginator_t *conventional_paginator(
	const model_operation_t *op, model_paginator_t *pg)
{
	static const struct { const char *token, *more; } styles[] = {
		{ "NextToken", NULL }, { "Marker", "IsTruncated" },
	};
	const model_shape_t *in = model_shape(op->input);
	const model_shape_t *out = model_shape(op->output);
	const model_member_t *tok_in, *tok_out, *more = NULL;
	size_t i;

	if (!in || !out)
		return NULL;
	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		if (!(tok_in = model_member_find(in, styles[i].token)) ||
		    !(tok_out = model_member_find(out, styles[i].token)) ||
		    (styles[i].more && !(more = model_member_find(out, styles[i].more))))
			continue;
		memset(pg, 0, sizeof(*pg));
		pg->input_token[0] = tok_in->name;
		pg->output_token[0] = tok_out->name;
		pg->more_results = styles[i].more ? more->name : 0;
		return pg;
	}
	return NULL;
}

int proto_page_next(const service_def_t *svc, const char *opname,
		    const cJSON *result, cJSON *params, err_t *e)
{
	const model_operation_t *op;
	const model_paginator_t *pg;
	model_paginator_t conv;
	const cJSON *tok, *more;
	const char *in_tok;
	cJSON *copy;
	int i, any = 0, changed = 0;

	if (!svc || !(op = model_operation_find(svc->name, opname)))
		return err_set(e, -ENOENT, "no operation %s in driftd's model", opname);
	if (!result || !params)
		return 0;
	if (!(pg = model_paginator(op)) && !(pg = conventional_paginator(op, &conv)))
		return 0;
	if (pg->more_results) {
		more = path_get(result, model_str(pg->more_results));
		if (!cJSON_IsTrue(more))
			return 0;
	}
	for (i = 0; i < MODEL_TOKENS_MAX && pg->output_token[i]; i++) {
		tok = path_get(result, model_str(pg->output_token[i]));
		if (tok && !cJSON_IsNull(tok))
			any = 1;
	}
	if (!any)
		return 0;
	for (i = 0; i < MODEL_TOKENS_MAX && pg->output_token[i] && pg->input_token[i]; i++) {
		tok = path_get(result, model_str(pg->output_token[i]));
		in_tok = model_str(pg->input_token[i]);
		if (!tok || cJSON_IsNull(tok)) {
			if (cJSON_GetObjectItemCaseSensitive(params, in_tok))
				changed = 1;
			cJSON_DeleteItemFromObjectCaseSensitive(params, in_tok);
			continue;
		}
		if (!cJSON_Compare(tok, cJSON_GetObjectItemCaseSensitive(params, in_tok), 1))
			changed = 1;
		copy = cJSON_Duplicate(tok, 1);
		if (!copy)
			return err_set(e, -ENOMEM, "out of memory paginating %s", opname);
		cJSON_DeleteItemFromObjectCaseSensitive(params, in_tok);
		cJSON_AddItemToObject(params, in_tok, copy);
	}
	/* A service that hands back the token it was given would loop forever. */
	return changed ? 1 : 0;
}
