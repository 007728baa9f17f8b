#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_RESPONSE_HEADERS 256

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

typedef struct http_pool http_pool_t;
typedef struct http_xfer http_xfer_t;

/* One uv_poll per socket libcurl asks us to watch. */
typedef struct http_sock {
	uv_poll_t         poll;
	http_client_t    *client;
	curl_socket_t     fd;
	struct http_sock *next;      /* client->socks, while open */
} http_sock_t;

struct http_pool {
	char        *name;
	int          cap;
	int          in_flight;
	http_xfer_t *queue_head, *queue_tail;
	http_pool_t *next;
};

/* One submitted request, from http_submit until its callback returns. */
struct http_xfer {
	http_client_t     *client;
	http_pool_t       *pool;
	CURL              *easy;
	struct curl_slist *req_headers;
	char              *what;         /* "GET http://host/path" for errors */
	http_done_cb       cb;
	void              *data;
	http_xfer_t       *next, *prev;  /* pool queue or client->active */
	/* response being received */
	http_header_t     *headers;
	size_t             n_headers;
	char              *body;
	size_t             body_len, body_cap;
	bool               body_too_big, too_many_headers;
	char               errbuf[CURL_ERROR_SIZE];
};

struct http_client {
	uv_loop_t     *loop;
	CURLM         *multi;
	uv_timer_t     timer;
	http_options_t opts;
	char          *ca_bundle, *user_agent;
	http_pool_t   *pools;
	http_xfer_t   *active;           /* started transfers */
	http_sock_t   *socks;
	http_stats_t   stats;
	bool           closing;
	int            pending_closes;   /* libuv handles not yet closed */
	http_close_cb  close_cb;
	void          *close_data;
};

static void check_done(http_client_t *c);

/* ---- memory ---------------------------------------------------------- */

static void free_response(http_xfer_t *x)
{
	size_t i;

	for (i = 0; i < x->n_headers; i++) {
		free((char *)x->headers[i].name);
		free((char *)x->headers[i].value);
	}
	free(x->headers);
	x->headers = NULL;
	x->n_headers = 0;
	if (x->body)
		OPENSSL_cleanse(x->body, x->body_cap);
	free(x->body);
	x->body = NULL;
	x->body_len = x->body_cap = 0;
}

static void xfer_free(http_xfer_t *x)
{
	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->req_headers);
	free_response(x);
	free(x->what);
	free(x);
}

static void list_unlink(http_xfer_t **head, http_xfer_t *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		*head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->next = x->prev = NULL;
}

static void list_push(http_xfer_t **head, http_xfer_t *x)
{
	x->prev = NULL;
	x->next = *head;
	if (*head)
		(*head)->prev = x;
	*head = x;
}

/* ---- libcurl callbacks: response data -------------------------------- */

static size_t on_body(char *ptr, size_t size, size_t n, void *userp)
{
	http_xfer_t *x = userp;
	size_t len = size * n, want;
	curl_off_t announced = -1;
	char *grown;

	if (len > x->client->opts.max_body - x->body_len) {
		x->body_too_big = true;
		return 0;       /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (x->body_len + len + 1 > x->body_cap) {
		want = x->body_cap ? x->body_cap : 4096;
		/* The first piece of a body whose length is announced: room
		 * for all of it at once. Grown by doubling, a 1 MB read page
		 * was copied eight times and ended in a 2 MB buffer. */
		if (!x->body_cap &&
		    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
				      &announced) == CURLE_OK && announced > 0 &&
		    (curl_off_t)want < announced + 1)
			want = (size_t)announced + 1;
		while (want < x->body_len + len + 1)
			want *= 2;
		if (want > x->client->opts.max_body + 1)
			want = x->client->opts.max_body + 1;
		/* Not realloc: a body may hold a secret (GetSecretValue), and
		 * the old buffer is wiped before it is freed. */
		grown = malloc(want);
		if (!grown)
			return 0;
		if (x->body) {
			memcpy(grown, x->body, x->body_len);
			OPENSSL_cleanse(x->body, x->body_cap);
			free(x->body);
		}
		x->body = grown;
		x->body_cap = want;
	}
	memcpy(x->body + x->body_len, ptr, len);
	x->body_len += len;
	x->body[x->body_len] = 0;
	return len;
}

static char *trimmed_dup(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return strndup(s, len);
}

/* libcurl hands each header line of every response it reads, including
 * 100 Continue and any earlier response; a status line starts afresh so
 * only the final response's headers remain. */
static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
	http_xfer_t *x = userp;
	size_t len = size * n;
	const char *colon;
	http_header_t *grown;
	char *name, *value;

	if (len >= 5 && !strncmp(line, "HTTP/", 5)) {
		free_response(x);
		return len;
	}
	colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return len;        /* blank line ending the block, or junk */
	if (x->n_headers >= MAX_RESPONSE_HEADERS) {
		x->too_many_headers = true;
		return 0;
	}
	grown = realloc(x->headers, (x->n_headers + 1) * sizeof(*grown));
	if (!grown)
		return 0;
	x->headers = grown;
	name = trimmed_dup(line, (size_t)(colon - line));
	value = trimmed_dup(colon + 1, len - (size_t)(colon - line) - 1);
	if (!name || !value) {
		free(name);
		free(value);
		return 0;
	}
	x->headers[x->n_headers].name = name;
	x->headers[x->n_headers].value = value;
	x->n_headers++;
	return len;
}

const char *http_response_header(const http_response_t *r, const char *name)
{
	size_t i;

	if (!r || !name)
		return NULL;
	for (i = 0; i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* ---- completion ------------------------------------------------------ */

static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* Turns a libcurl failure into the errno contract of http.h. */
static int describe_failure(http_xfer_t *x, CURLcode rc, err_t *e)
{
	const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
	long os_errno = 0;

	if (rc == CURLE_FILESIZE_EXCEEDED ||
	    (rc == CURLE_WRITE_ERROR && x->body_too_big))
		return err_set(e, -EFBIG,
			       "%s: response body larger than the %zu byte limit",
			       x->what, x->client->opts.max_body);
	if (rc == CURLE_WRITE_ERROR && x->too_many_headers)
		return err_set(e, -EPROTO,
			       "%s: response has more than %d headers",
			       x->what, MAX_RESPONSE_HEADERS);
	if (is_tls_error(rc))
		return err_set(e, -EPROTO, "%s: TLS failure: %s", x->what,
			       detail);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(e, -ETIMEDOUT, "%s: timed out: %s", x->what,
			       detail);
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno <= 0)
			os_errno = ECONNREFUSED;
		return err_set(e, -(int)os_errno,
			       "%s: cannot connect: %s (%s)", x->what,
			       strerror((int)os_errno), detail);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return err_set(e, -EHOSTUNREACH, "%s: cannot resolve: %s",
			       x->what, detail);
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return err_set(e, -ECONNRESET,
			       "%s: connection reset or closed without a full response: %s",
			       x->what, detail);
	case CURLE_OUT_OF_MEMORY:
		return err_set(e, -ENOMEM, "%s: out of memory", x->what);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return err_set(e, -EINVAL, "%s: bad URL: %s", x->what, detail);
	default:
		return err_set(e, -EIO, "%s: %s", x->what, detail);
	}
}

/* Starts queued requests of one pool while it has free slots. */
static void pool_pump(http_client_t *c, http_pool_t *p)
{
	http_xfer_t *x;
	err_t e;

	while (!c->closing && p->queue_head && p->in_flight < p->cap) {
		x = p->queue_head;
		p->queue_head = x->next;
		if (p->queue_head)
			p->queue_head->prev = NULL;
		else
			p->queue_tail = NULL;
		x->next = x->prev = NULL;
		c->stats.queued--;
		if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
			err_set(&e, -ENOMEM, "%s: cannot start transfer",
				x->what);
			c->stats.completed++;
			x->cb(NULL, &e, x->data);
			xfer_free(x);
			continue;
		}
		p->in_flight++;
		c->stats.in_flight++;
		list_push(&c->active, x);
	}
}

/* Detaches a started transfer from libcurl and its pool. */
static void xfer_stop(http_client_t *c, http_xfer_t *x)
{
	curl_multi_remove_handle(c->multi, x->easy);
	list_unlink(&c->active, x);
	x->pool->in_flight--;
	c->stats.in_flight--;
}

static void xfer_finish(http_client_t *c, http_xfer_t *x, CURLcode rc)
{
	http_response_t resp = { 0 };
	http_pool_t *p = x->pool;
	curl_off_t total = 0;
	long connects = 0;
	const char *date;
	err_t e;

	curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects);
	if (connects > 0)
		c->stats.connections_opened += (uint64_t)connects;
	xfer_stop(c, x);
	c->stats.completed++;
	if (rc != CURLE_OK) {
		describe_failure(x, rc, &e);
		x->cb(NULL, &e, x->data);
	} else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &resp.status);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total);
		resp.total_us = total > 0 ? (uint64_t)total : 0;
		resp.headers = x->headers;
		resp.n_headers = x->n_headers;
		resp.body = x->body ? x->body : "";
		resp.body_len = x->body_len;
		date = http_response_header(&resp, "Date");
		resp.date = date ? curl_getdate(date, NULL) : -1;
		x->cb(&resp, NULL, x->data);
	}
	xfer_free(x);
	if (!c->closing)    /* the callback may have closed the client */
		pool_pump(c, p);
}

static void check_done(http_client_t *c)
{
	CURLMsg *msg;
	int left;
	http_xfer_t *x;

	while (!c->closing && c->multi &&
	       (msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		if (x)
			xfer_finish(c, x, msg->data.result);
	}
}

/* ---- libuv <-> libcurl glue ------------------------------------------ */

static void on_handle_closed(uv_handle_t *h)
{
	http_client_t *c = h->data;
	http_close_cb cb;
	void *data;

	if (h->type == UV_POLL)
		free(container_of((uv_poll_t *)h, http_sock_t, poll));
	if (--c->pending_closes > 0 || !c->closing)
		return;
	cb = c->close_cb;
	data = c->close_data;
	free(c->ca_bundle);
	free(c->user_agent);
	free(c);
	if (cb)
		cb(data);
}

static void sock_close(http_client_t *c, http_sock_t *s)
{
	http_sock_t **pp;

	for (pp = &c->socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	uv_poll_stop(&s->poll);
	c->pending_closes++;
	uv_close((uv_handle_t *)&s->poll, on_handle_closed);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	http_sock_t *s = container_of(h, http_sock_t, poll);
	http_client_t *c = s->client;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	curl_multi_socket_action(c->multi, s->fd, flags, &running);
	check_done(c);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	http_client_t *c = userp;
	http_sock_t *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			curl_multi_assign(c->multi, fd, NULL);
			sock_close(c, s);
		}
		return 0;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -1;
		if (uv_poll_init_socket(c->loop, &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		s->poll.data = c;
		s->client = c;
		s->fd = fd;
		s->next = c->socks;
		c->socks = s;
		curl_multi_assign(c->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_timer(uv_timer_t *t)
{
	http_client_t *c = t->data;
	int running;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(c);
}

/* libcurl wants to be called back after timeout_ms (-1: never). It must
 * not be called from inside this callback, so even 0 goes through the
 * timer. */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
	http_client_t *c = userp;

	(void)multi;
	if (timeout_ms < 0 || c->closing)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

/* ---- public API ------------------------------------------------------ */

static void curl_init_once(void)
{
	/* driftd is single-threaded; this runs before any transfer. */
	static bool done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = true;
	}
}

http_client_t *http_client_new(uv_loop_t *loop, const http_options_t *opts,
			       err_t *e)
{
	http_client_t *c;

	curl_init_once();
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	if (opts)
		c->opts = *opts;
	if (c->opts.pool_cap <= 0)
		c->opts.pool_cap = HTTP_DEFAULT_POOL_CAP;
	if (!c->opts.max_body)
		c->opts.max_body = HTTP_DEFAULT_MAX_BODY;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = HTTP_DEFAULT_CONNECT_TIMEOUT;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = HTTP_DEFAULT_TIMEOUT;
	c->user_agent = strdup(c->opts.user_agent ? c->opts.user_agent
						  : "driftd");
	if (!c->user_agent)
		goto out;
	if (c->opts.ca_bundle && !(c->ca_bundle = strdup(c->opts.ca_bundle)))
		goto out;
	c->opts.ca_bundle = c->ca_bundle;
	c->opts.user_agent = c->user_agent;
	c->multi = curl_multi_init();
	if (!c->multi)
		goto out;
	c->loop = loop;
	uv_timer_init(loop, &c->timer);
	c->timer.data = c;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
out:
	if (c) {
		free(c->user_agent);
		free(c->ca_bundle);
		free(c);
	}
	err_set(e, -ENOMEM, "cannot create the HTTP client: out of memory");
	return NULL;
}

static http_pool_t *pool_get(http_client_t *c, const char *name)
{
	http_pool_t *p;

	for (p = c->pools; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(name))) {
		free(p);
		return NULL;
	}
	p->cap = c->opts.pool_cap;
	p->next = c->pools;
	c->pools = p;
	return p;
}

int http_set_pool_cap(http_client_t *c, const char *pool, int cap)
{
	http_pool_t *p;

	if (!c || !pool || cap < 1)
		return -EINVAL;
	p = pool_get(c, pool);
	if (!p)
		return -ENOMEM;
	p->cap = cap;
	pool_pump(c, p);
	return 0;
}

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

/* "Name: value", or "Name;" which is how libcurl sends an empty value. */
static int add_header(struct curl_slist **list, const char *name,
		      const char *value)
{
	struct curl_slist *grown;
	char *line;

	if (asprintf(&line, value && *value ? "%s: %s" : "%s;", name,
		     value ? value : "") < 0)
		return -ENOMEM;
	grown = curl_slist_append(*list, line);
	free(line);
	if (!grown)
		return -ENOMEM;
	*list = grown;
	return 0;
}

/* The description used in error messages: method and URL without its
 * query, which may carry a presigned credential. */
static char *describe_request(const http_request_t *req)
{
	char *s = NULL;
	size_t n = strcspn(req->url, "?#");

	if (asprintf(&s, "%s %.*s", req->method, (int)n, req->url) < 0)
		return NULL;
	return s;
}

/* Headers libcurl adds of its own unless told not to: an Accept of any
 * type, "Expect: 100-continue" for large bodies (which stalls a second on
 * servers that ignore it), and "Content-Type:
 * application/x-www-form-urlencoded" for every POSTFIELDS body, which
 * rest-xml services read as a form (botocore sends no Content-Type for S3
 * and Route 53 bodies). A request goes out with exactly the caller's
 * headers plus Host, Content-Length and User-Agent, as the AWS SDKs send
 * it; a "Name:" line tells libcurl to send none of its own. */
static const char *const curl_default_headers[] = {
	"Accept", "Expect", "Content-Type",
};

static bool has_header(const http_request_t *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_headers; i++)
		if (!strcasecmp(req->headers[i].name, name))
			return true;
	return false;
}

static int xfer_setup(http_client_t *c, http_xfer_t *x,
		      const http_request_t *req)
{
	CURL *h = x->easy;
	struct curl_slist *grown;
	char line[32];
	size_t i;
	int rc;

	for (i = 0; i < req->n_headers; i++) {
		rc = add_header(&x->req_headers, req->headers[i].name,
				req->headers[i].value);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < sizeof(curl_default_headers) / sizeof(*curl_default_headers); i++) {
		if (has_header(req, curl_default_headers[i]))
			continue;
		snprintf(line, sizeof(line), "%s:", curl_default_headers[i]);
		if (!(grown = curl_slist_append(x->req_headers, line)))
			return -ENOMEM;
		x->req_headers = grown;
	}
	if (curl_easy_setopt(h, CURLOPT_URL, req->url) != CURLE_OK)
		return -EINVAL;
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms > 0 ? req->connect_timeout_ms
						     : c->opts.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms > 0 ? req->timeout_ms
					     : c->opts.timeout_ms);
	/* Rejects an announced Content-Length early; libcurl applies it to
	 * HEAD too, where the length describes a body never sent. */
	if (strcmp(req->method, "HEAD"))
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)c->opts.max_body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->req_headers);
	if (!strcmp(req->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	/* As botocore does, every method but GET and HEAD carries a
	 * Content-Length, "0" when there is no body (a DELETE too); GET and
	 * HEAD carry neither a body nor a length. */
	if (req->body_len || (strcmp(req->method, "GET") &&
			      strcmp(req->method, "HEAD"))) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
		if (curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS,
				     req->body_len ? req->body : "") != CURLE_OK)
			return -ENOMEM;
	}
	return 0;
}

int http_submit(http_client_t *c, const http_request_t *req,
		http_done_cb cb, void *data, err_t *e)
{
	http_xfer_t *x = NULL;
	http_pool_t *p;
	size_t i;
	int rc;

	if (!c || !req || !cb || !req->method || !*req->method || !req->url ||
	    (req->body_len && !req->body))
		return err_set(e, -EINVAL, "HTTP request lacks method, URL, callback or body");
	if (c->closing)
		return err_set(e, -ESHUTDOWN,
			       "HTTP client is shutting down; request not sent");
	if (has_crlf(req->method) || strpbrk(req->method, " \t"))
		return err_set(e, -EINVAL, "HTTP method is not a token");
	for (i = 0; i < req->n_headers; i++)
		if (!req->headers[i].name || !*req->headers[i].name ||
		    strpbrk(req->headers[i].name, ":\r\n \t") ||
		    has_crlf(req->headers[i].value))
			return err_set(e, -EINVAL,
				       "HTTP header %zu has an empty name or a CR, LF or colon in it",
				       i);
	p = pool_get(c, req->pool ? req->pool : "default");
	if (!p)
		return err_set(e, -ENOMEM, "out of memory");
	x = calloc(1, sizeof(*x));
	if (!x || !(x->easy = curl_easy_init()) ||
	    !(x->what = describe_request(req))) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	x->client = c;
	x->pool = p;
	x->cb = cb;
	x->data = data;
	rc = xfer_setup(c, x, req);
	if (rc < 0) {
		err_set(e, rc, "%s: cannot set up the request", x->what);
		goto out;
	}
	/* FIFO: a free slot goes to the oldest waiter first. */
	x->prev = p->queue_tail;
	if (p->queue_tail)
		p->queue_tail->next = x;
	else
		p->queue_head = x;
	p->queue_tail = x;
	c->stats.queued++;
	pool_pump(c, p);
	return 0;
out:
	xfer_free(x);
	return rc;
}

void http_cancel_all(http_client_t *c)
{
	http_xfer_t *cancelled = NULL, *x;
	http_pool_t *p;
	err_t e;

	if (!c)
		return;
	/* Detach everything first so callbacks that submit anew do not
	 * see (or get) cancelled. */
	while ((x = c->active)) {
		xfer_stop(c, x);
		list_push(&cancelled, x);
	}
	for (p = c->pools; p; p = p->next) {
		while ((x = p->queue_head)) {
			p->queue_head = x->next;
			c->stats.queued--;
			list_push(&cancelled, x);
		}
		p->queue_tail = NULL;
	}
	while ((x = cancelled)) {
		cancelled = x->next;
		err_set(&e, -ECANCELED, "%s: cancelled", x->what);
		c->stats.completed++;
		x->cb(NULL, &e, x->data);
		xfer_free(x);
	}
}

void http_client_close(http_client_t *c, http_close_cb cb, void *data)
{
	http_pool_t *p;

	if (!c || c->closing)
		return;
	/* Closing first: callbacks of cancelled requests cannot submit
	 * anew or close again. */
	c->closing = true;
	c->close_cb = cb;
	c->close_data = data;
	http_cancel_all(c);
	/* Cleaning up the multi handle closes cached connections; sockets
	 * it does not report removed are closed below. */
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	while (c->socks)
		sock_close(c, c->socks);
	while ((p = c->pools)) {
		c->pools = p->next;
		free(p->name);
		free(p);
	}
	uv_timer_stop(&c->timer);
	c->pending_closes++;
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

void http_client_stats(const http_client_t *c, http_stats_t *out)
{
	if (c && out)
		*out = c->stats;
}
