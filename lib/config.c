#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgmem.h"
#include "events.h"
#include "intern.h"
#include "jsonutil.h"
#include "lease.h"
#include "readfile.h"
#include "strbuf.h"
#include "suggest.h"
#include "trust.h"

#define INCLUDE_MAX_DEPTH 32

typedef struct loaded_file {
	jsonc_doc_t *doc;
	char *real;
	int depth;                   /* include steps from the environment */
} loaded_file_t;

typedef struct variable {
	const char *name;            /* key of value, owned by its doc */
	const cJSON *value;
	int depth;
	config_pos_t pos;
} variable_t;

typedef struct frame {
	char *real;
	const char *display;
} frame_t;

struct config {
	loaded_file_t *files;
	size_t nfiles, capfiles;
	variable_t *vars;
	size_t nvars, capvars;
	config_resource_t *res;
	size_t nres, capres;
	config_settings_t settings;
	char *root;                  /* the config root (trust.h), real */
	char *root_by_name;          /* the same as dir names it */
};

#define SETTINGS_MAX 32              /* settings_table's rows, at most */

typedef struct loader {
	config_t *cfg;
	config_errors_t *errs;
	frame_t stack[INCLUDE_MAX_DEPTH + 1];
	size_t nstack;
	int setting_depth[SETTINGS_MAX]; /* per settings_table entry, -1 unset */
	config_pos_t setting_pos[SETTINGS_MAX];
	const jsonc_doc_t *prune_doc; /* where settings.prune was written */
	const cJSON *prune_node;
	int unloaded;                /* files that did not parse: their
					resources are unknown, not missing */
	int oom;
	size_t *seen;                /* resources by address (open addressing,
					index + 1; 0 empty): the duplicate
					check was a scan per resource,
					quadratic (100,000: over 30 s) */
	size_t capseen;
} loader_t;

/* ---- errors ---------------------------------------------------------- */

static void add_error(loader_t *L, const config_pos_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends e to one list of errs (errors or warnings): 0, -ENOMEM, or
 * past CONFIG_MAX_ERRORS only truncated set. */
static int push_err(config_errors_t *errs, err_t **items, size_t *count, size_t *cap,
		    const err_t *e)
{
	if (*count >= CONFIG_MAX_ERRORS) {
		errs->truncated = 1;
		return 0;
	}
	if (*count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		err_t *grown = realloc(*items, n * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		*items = grown;
		*cap = n;
	}
	(*items)[(*count)++] = *e;
	return 0;
}

int config_errors_add(config_errors_t *errs, const err_t *e)
{
	return push_err(errs, &errs->items, &errs->count, &errs->cap, e);
}

static void add_err_t(loader_t *L, const err_t *e)
{
	if (config_errors_add(L->errs, e))
		L->oom = 1;
}

static void add_error(loader_t *L, const config_pos_t *pos, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;
	err_t e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos && pos->file)
		err_set_at(&e, -EINVAL, pos->file, pos->line, pos->column, "%s", msg);
	else
		err_set(&e, -EINVAL, "%s", msg);
	add_err_t(L, &e);
}

static int cmp_err(const void *x, const void *y)
{
	const err_t *a = x, *b = y;
	int c;

	if (!a->file[0] != !b->file[0])
		return a->file[0] ? 1 : -1;
	if ((c = strcmp(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return strcmp(a->message, b->message);
}

void config_errors_sort(config_errors_t *errs)
{
	if (errs->count < 2)    /* items may be NULL: qsort must not see it */
		return;
	qsort(errs->items, errs->count, sizeof(*errs->items), cmp_err);
}

void config_errors_free(config_errors_t *errs)
{
	if (!errs)
		return;
	free(errs->items);
	free(errs->warnings);
	free(errs);
}

static config_pos_t value_pos(const jsonc_doc_t *doc, const cJSON *node)
{
	config_pos_t p;

	jsonc_value_pos(doc, node, &p);
	return p;
}

static config_pos_t key_pos(const jsonc_doc_t *doc, const cJSON *node)
{
	config_pos_t p;

	jsonc_key_pos(doc, node, &p);
	return p;
}

/* ---- did you mean ---------------------------------------------------- */

const char *config_suggest(const char *word, const char *const *candidates,
			   size_t n)
{
	return suggest_nearest(word, candidates, n);
}

static void unknown_key(loader_t *L, const jsonc_doc_t *doc, const cJSON *node,
			const char *what, const char *const *known, size_t n)
{
	config_pos_t p = key_pos(doc, node);
	const char *s = config_suggest(node->string, known, n);

	if (s)
		add_error(L, &p, "unknown %s \"%s\" (did you mean \"%s\"?)", what,
			  node->string, s);
	else
		add_error(L, &p, "unknown %s \"%s\"", what, node->string);
}

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small helpers --------------------------------------------------- */

static int is_lower_ident(const char *s, size_t len)
{
	size_t i;

	if (!len || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || isdigit((unsigned char)s[i]) ||
		      s[i] == '_'))
			return 0;
	return 1;
}

static int is_index(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 6; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return len > 0 && len <= 6;
}

static int is_ident(const char *s, size_t len)
{
	size_t i;

	if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* service.type.name, each a lower_snake identifier. */
static int address_valid(const char *s, size_t len)
{
	const char *d1 = memchr(s, '.', len), *d2;

	if (!d1)
		return 0;
	d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - s));
	if (!d2)
		return 0;
	return is_lower_ident(s, (size_t)(d1 - s)) &&
	       is_lower_ident(d1 + 1, (size_t)(d2 - d1 - 1)) &&
	       is_lower_ident(d2 + 1, len - (size_t)(d2 + 1 - s));
}

static char *strndup_or_flag(loader_t *L, const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d && L)
		L->oom = 1;
	return d;
}

/* Lexical join: "prod/main.json" + "../base" -> "base". Keeps leading
 * "..", so display paths stay relative to where the user started. */
static char *path_join(const char *file, const char *rel)
{
	char buf[PATH_MAX * 2];
	char *parts[256], *save = NULL, *tok, *out;
	size_t n = 0, i, len = 0;
	const char *slash = strrchr(file, '/');
	int absolute;

	if (rel[0] == '/')
		snprintf(buf, sizeof(buf), "%s", rel);
	else if (slash)
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(slash - file), file, rel);
	else
		snprintf(buf, sizeof(buf), "%s", rel);
	absolute = buf[0] == '/';
	for (tok = strtok_r(buf, "/", &save); tok && n < N_ELEMS(parts);
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && n && strcmp(parts[n - 1], ".."))
			n--;
		else if (!(absolute && !n && !strcmp(tok, "..")))
			parts[n++] = tok;
	}
	if (!(out = malloc(sizeof(buf) + 2)))
		return NULL;
	out[0] = 0;
	if (absolute)
		len += (size_t)sprintf(out, "/");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(out + len, "%s%s", i ? "/" : "", parts[i]);
	if (!len)
		strcpy(out, ".");
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of *.json in dir (no hidden files), sorted; caller frees. */
static int list_json(const char *dir, char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*names = NULL;
	*count = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*count = n;
	return 0;
oom:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	return -ENOMEM;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* ---- trust: where a config may reach, and who may write it ------------- */

/* Whether path (as joined from the including file) lies in the config
 * root: include and file() reach nothing else (the root holds base,
 * templates and dashboards; see trust.h). 1 or 0, by the path's name
 * with "." and ".." folded; a link in the tree is judged by untrusted().
 * -ENOMEM on allocation failure. */
static int reaches_root(const config_t *cfg, const char *path)
{
	char *abs_path = trust_absolute(path);
	int in;

	if (!abs_path)
		return -ENOMEM;
	in = (cfg->root && trust_inside(cfg->root, abs_path)) ||
	     (cfg->root_by_name && trust_inside(cfg->root_by_name, abs_path));
	free(abs_path);
	return in;
}

/* Every component read on the way to path, from the config root down,
 * owned by root or driftd's user and writable by no one else (trust.h).
 * A missing path is left to the caller's own open to report. */
static int untrusted(const config_t *cfg, const char *path, err_t *e)
{
	int rc = trust_check(cfg->root, geteuid(), path, e);

	return rc == -ENOENT ? 0 : rc;
}

/* A file a link leads to outside the config root is read only when all
 * may read it: a config from a pull request could otherwise link to a
 * secret of the host (/root/.aws/credentials is its owner's alone) and
 * print it into a plan. -EPERM with e naming the file, else 0. */
static int private_outside(const config_t *cfg, const char *path, err_t *e)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int rc = 0;

	if (real && cfg->root && !trust_inside(cfg->root, real) &&
	    !stat(real, &st) && S_ISREG(st.st_mode) && !(st.st_mode & S_IROTH))
		rc = err_set_at(e, -EPERM, real, 0, 0, "outside the config root "
				"and not readable by others (mode %04o); driftd "
				"does not read a private file through a link",
				(unsigned)(st.st_mode & 07777));
	free(real);
	return rc;
}

/* The trust error e, at from when the file was reached by an include
 * (a file of an included directory), else at the file itself. */
static void add_trust_error(loader_t *L, const config_pos_t *from,
			    const err_t *e)
{
	if (from && from->file)
		add_error(L, from, "%s: %s", e->file, e->message);
	else
		add_err_t(L, e);
}

/* ---- loading files and includes -------------------------------------- */

static void load_path(loader_t *L, const char *path, int depth,
		      const config_pos_t *from);

static void load_includes(loader_t *L, const jsonc_doc_t *doc, int depth)
{
	const cJSON *root = jsonc_root(doc), *inc, *item;

	cJSON_ArrayForEach(inc, root) {
		if (strcmp(inc->string, "include"))
			continue;
		if (!cJSON_IsArray(inc)) {
			config_pos_t p = value_pos(doc, inc);

			add_error(L, &p, "include must be an array of paths");
			continue;
		}
		cJSON_ArrayForEach(item, inc) {
			config_pos_t p = value_pos(doc, item);
			char *target;
			err_t e;
			int in;

			if (!cJSON_IsString(item) || !item->valuestring[0]) {
				add_error(L, &p, "include entries must be non-empty path strings");
				continue;
			}
			if (!(target = path_join(jsonc_file(doc), item->valuestring))) {
				L->oom = 1;
				return;
			}
			if ((in = reaches_root(L->cfg, target)) < 0) {
				L->oom = 1;
				free(target);
				return;
			}
			if (!in)
				add_error(L, &p, "cannot include \"%s\": outside the "
					  "config root", item->valuestring);
			else if (access(target, R_OK) < 0)
				add_error(L, &p, "cannot include \"%s\" (%s): %s",
					  item->valuestring, target, strerror(errno));
			else if (untrusted(L->cfg, target, &e))
				add_error(L, &p, "cannot include \"%s\": %s: %s",
					  item->valuestring, e.file, e.message);
			else
				load_path(L, target, depth + 1, &p);
			free(target);
		}
	}
}

static void load_file(loader_t *L, const char *path, int depth,
		      const config_pos_t *from)
{
	config_t *cfg = L->cfg;
	jsonc_doc_t *doc = NULL;
	char *real = realpath(path, NULL);
	size_t k;
	err_t e;

	if (!real) {
		add_error(L, from, "cannot read \"%s\": %s", path, strerror(errno));
		return;
	}
	for (k = 0; k < L->nstack; k++) {
		if (!strcmp(L->stack[k].real, real)) {
			char msg[ERR_MSG_MAX];
			size_t len = 0, j;

			for (j = k; j < L->nstack && len < sizeof(msg); j++)
				len += (size_t)snprintf(msg + len, sizeof(msg) - len,
							"%s -> ", L->stack[j].display);
			add_error(L, from, "include cycle: %s%s", msg, path);
			goto out;
		}
	}
	/* a file reached twice without a cycle (a diamond) loads once */
	for (k = 0; k < cfg->nfiles; k++)
		if (!strcmp(cfg->files[k].real, real))
			goto out;
	if (L->nstack >= INCLUDE_MAX_DEPTH) {
		add_error(L, from, "includes nested deeper than %d files",
			  INCLUDE_MAX_DEPTH);
		goto out;
	}
	if (untrusted(cfg, path, &e) || private_outside(cfg, path, &e)) {
		add_trust_error(L, from, &e);
		goto out;
	}
	if (jsonc_load_file(path, &doc, &e)) {
		add_err_t(L, &e);
		L->unloaded++;
		goto out;
	}
	if (!cJSON_IsObject(jsonc_root(doc))) {
		config_pos_t p = value_pos(doc, jsonc_root(doc));

		add_error(L, &p, "a config file must hold one JSON object");
		L->unloaded++;
		goto out;
	}
	L->stack[L->nstack].real = real;
	L->stack[L->nstack++].display = path;
	load_includes(L, doc, depth);
	L->nstack--;
	if (cfg->nfiles == cfg->capfiles) {
		size_t cap = cfg->capfiles ? cfg->capfiles * 2 : 8;
		loaded_file_t *f = realloc(cfg->files, cap * sizeof(*f));

		if (!f) {
			L->oom = 1;
			goto out;
		}
		cfg->files = f;
		cfg->capfiles = cap;
	}
	cfg->files[cfg->nfiles].doc = doc;
	cfg->files[cfg->nfiles].real = real;
	cfg->files[cfg->nfiles++].depth = depth;
	doc = NULL;
	real = NULL;
out:
	jsonc_free(doc);
	free(real);
}

static void load_path(loader_t *L, const char *path, int depth,
		      const config_pos_t *from)
{
	struct stat st;
	char **names;
	size_t n, i;

	if (stat(path, &st) < 0) {
		add_error(L, from, "cannot read \"%s\": %s", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		load_file(L, path, depth, from);
		return;
	}
	if (list_json(path, &names, &n) < 0) {
		add_error(L, from, "cannot read directory \"%s\": %s", path,
			  strerror(errno));
		return;
	}
	if (!n)
		add_error(L, from, "no *.json files in \"%s\"", path);
	for (i = 0; i < n; i++) {
		char *file;

		if (asprintf(&file, "%s/%s", path, names[i]) < 0) {
			L->oom = 1;
			break;
		}
		load_file(L, file, depth, from);
		free(file);
	}
	free_names(names, n);
}

/* ---- variables ------------------------------------------------------- */

static const variable_t *find_var(const config_t *cfg, const char *name,
				  size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nvars; i++)
		if (strlen(cfg->vars[i].name) == len &&
		    !strncmp(cfg->vars[i].name, name, len))
			return &cfg->vars[i];
	return NULL;
}

/* The closer file wins; equal distance is ambiguous. Returns 1 when the
 * new definition takes effect. */
static int precedence(loader_t *L, const char *what, const char *name,
		      int old_depth, const config_pos_t *old_pos, int new_depth,
		      const config_pos_t *new_pos)
{
	if (new_depth < old_depth)
		return 1;
	if (new_depth == old_depth)
		add_error(L, new_pos, "%s \"%s\" is already defined at %s:%d:%d",
			  what, name, old_pos->file, old_pos->line, old_pos->column);
	return 0;
}

static void collect_variables(loader_t *L, const loaded_file_t *f,
			      const cJSON *vars)
{
	config_t *cfg = L->cfg;
	const cJSON *v;

	if (!cJSON_IsObject(vars)) {
		config_pos_t p = value_pos(f->doc, vars);

		add_error(L, &p, "variables must be an object of name: value");
		return;
	}
	cJSON_ArrayForEach(v, vars) {
		config_pos_t p = key_pos(f->doc, v);
		variable_t *old;

		if (!is_ident(v->string, strlen(v->string))) {
			add_error(L, &p, "invalid variable name \"%s\" (letters, digits and _)",
				  v->string);
			continue;
		}
		old = (variable_t *)find_var(cfg, v->string, strlen(v->string));
		if (old) {
			if (precedence(L, "variable", v->string, old->depth, &old->pos,
				       f->depth, &p)) {
				old->value = v;
				old->depth = f->depth;
				old->pos = p;
			}
			continue;
		}
		if (cfg->nvars == cfg->capvars) {
			size_t cap = cfg->capvars ? cfg->capvars * 2 : 16;
			variable_t *nv = realloc(cfg->vars, cap * sizeof(*nv));

			if (!nv) {
				L->oom = 1;
				return;
			}
			cfg->vars = nv;
			cfg->capvars = cap;
		}
		cfg->vars[cfg->nvars].name = v->string;
		cfg->vars[cfg->nvars].value = v;
		cfg->vars[cfg->nvars].depth = f->depth;
		cfg->vars[cfg->nvars++].pos = p;
	}
}

/* ---- interpolation --------------------------------------------------- */

typedef struct interp {
	loader_t *L;                 /* load: collect errors here */
	err_t *err;                  /* resolve: first error here */
	int reported;                /* resolve: err is set */
	int failed;                  /* in the string at hand (or before) */
	const config_t *cfg;
	const jsonc_doc_t *doc;
	const char *where;           /* "settings.x" when refs are not allowed */
	config_resource_t *res;      /* load: refs recorded here */
	config_ref_t *setting_ref;   /* load: the one ref alert_topic may hold */
	config_lookup_fn lookup;     /* resolve */
	void *lookup_ctx;
} interp_t;

static void interp_error(interp_t *ip, const config_pos_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void interp_error(interp_t *ip, const config_pos_t *pos, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ip->L)
		add_error(ip->L, pos, "%s", msg);
	else if (!ip->reported)
		err_set_at(ip->err, -EINVAL, pos->file, pos->line, pos->column,
			   "%s", msg);
	ip->reported = 1;
	ip->failed = 1;
}

/* Text of a scalar for string interpolation; 0, or -EINVAL for a value that
 * has no single text form. */
static int scalar_text(const cJSON *v, strbuf_t *b)
{
	char num[64];

	if (cJSON_IsString(v)) {
		strbuf_add(b, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		strbuf_add(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble > -1e15 && v->valuedouble < 1e15 &&
		    v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(num, sizeof(num), "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof(num), "%.17g", v->valuedouble);
		strbuf_add(b, num);
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Gives node the type and contents of value, keeping its key and place in
 * the tree (so positions still map to where the string was written). */
static int node_become(cJSON *node, const cJSON *value)
{
	cJSON *dup = cJSON_Duplicate(value, 1);

	if (!dup)
		return -ENOMEM;
	if (node->valuestring)
		cJSON_free(node->valuestring);
	cJSON_Delete(node->child);
	/* the key stays node's, shared (jsonc.h) or not */
	node->type = (dup->type & ~cJSON_StringIsConst) |
		     (node->type & cJSON_StringIsConst);
	node->valuestring = dup->valuestring;
	node->valueint = dup->valueint;
	node->valuedouble = dup->valuedouble;
	node->child = dup->child;
	dup->valuestring = NULL;
	dup->child = NULL;
	cJSON_Delete(dup);
	return 0;
}

static void interp_file(interp_t *ip, const char *expr, size_t len,
			const config_pos_t *at, strbuf_t *out)
{
	char *rel, *path, *text = NULL;
	size_t text_len;
	err_t e;
	int rc;

	if (len < 9 || expr[5] != '"' || expr[len - 2] != '"' || expr[len - 1] != ')' ||
	    memchr(expr + 6, '"', len - 8)) {
		interp_error(ip, at, "file() takes one quoted path: ${file(\"body.json\")}");
		return;
	}
	if (!(rel = strndup(expr + 6, len - 8)) ||
	    !(path = path_join(jsonc_file(ip->doc), rel))) {
		free(rel);
		interp_error(ip, at, "out of memory");
		return;
	}
	if ((rc = reaches_root(ip->cfg, path)) <= 0) {
		interp_error(ip, at, rc ? "out of memory" : "file(\"%s\"): outside "
			     "the config root", rel);
		goto out;
	}
	if (untrusted(ip->cfg, path, &e) || private_outside(ip->cfg, path, &e)) {
		interp_error(ip, at, "file(\"%s\"): %s: %s", rel, e.file, e.message);
		goto out;
	}
	rc = readfile(path, JSONC_MAX_SIZE, &text, &text_len, NULL);
	if (rc == -EFBIG)
		interp_error(ip, at, "file(\"%s\"): larger than %u bytes", rel,
			     JSONC_MAX_SIZE);
	else if (rc == -EINVAL)
		interp_error(ip, at, "file(\"%s\"): not a regular file", rel);
	else if (rc < 0)
		interp_error(ip, at, "file(\"%s\"): %s", rel, strerror(-rc));
	else if (strlen(text) != text_len)
		interp_error(ip, at, "file(\"%s\"): contains a NUL byte", rel);
	else
		strbuf_addn(out, text, text_len);
out:
	free(text);
	free(path);
	free(rel);
}

/* A reference's address and attribute are one allocation (attribute, when
 * there is one, follows address's NUL). */
static void free_ref(config_ref_t *ref)
{
	free(ref->address);
	ref->address = ref->attribute = NULL;
}

static void record_ref(interp_t *ip, const cJSON *node, int in_key,
		       const char *expr, size_t len, size_t addr_len, int whole,
		       const config_pos_t *at)
{
	config_ref_t ref = { .node = node, .in_key = in_key, .whole = whole,
			     .pos = *at };

	if (!(ref.address = malloc(len + 1)))
		goto oom;
	memcpy(ref.address, expr, addr_len);
	ref.address[addr_len] = 0;
	ref.attribute = ref.address + addr_len + 1;
	memcpy(ref.attribute, expr + addr_len + 1, len - addr_len - 1);
	ref.attribute[len - addr_len - 1] = 0;
	if (ip->res) {
		config_resource_t *r = ip->res;
		config_ref_t *v = realloc(r->refs, (r->nrefs + 1) * sizeof(*v));

		if (!v)
			goto oom;
		r->refs = v;
		r->refs[r->nrefs++] = ref;
		return;
	}
	if (ip->setting_ref && !ip->setting_ref->address) {
		*ip->setting_ref = ref;
		return;
	}
oom:
	free_ref(&ref);
	if (ip->L)
		ip->L->oom = 1;
}

/* Handles one ${expr} of node's value, or of its key when in_key; whole
 * when the string is exactly this. Returns 1 when the expression is a
 * resource reference. */
static int interp_expr(interp_t *ip, cJSON *node, int in_key, const char *expr,
		       size_t len, int whole, const config_pos_t *at,
		       strbuf_t *out, const cJSON **whole_value)
{
	const char *d1, *d2, *d3;
	size_t i;

	if (len > 4 && !strncmp(expr, "var.", 4)) {
		const variable_t *v;

		if (!is_ident(expr + 4, len - 4)) {
			interp_error(ip, at, "invalid variable name in \"${%.*s}\"",
				     (int)len, expr);
			return 0;
		}
		if (!(v = find_var(ip->cfg, expr + 4, len - 4))) {
			const char *names[64];
			const char *s;
			char want[128];
			size_t n = 0;

			snprintf(want, sizeof(want), "%.*s", (int)(len - 4), expr + 4);
			for (i = 0; i < ip->cfg->nvars && n < N_ELEMS(names); i++)
				names[n++] = ip->cfg->vars[i].name;
			if ((s = config_suggest(want, names, n)))
				interp_error(ip, at, "undefined variable \"%s\" (did you mean \"%s\"?)",
					     want, s);
			else
				interp_error(ip, at, "undefined variable \"%s\"", want);
			return 0;
		}
		if (whole)
			*whole_value = v->value;
		else if (scalar_text(v->value, out))
			interp_error(ip, at, "variable \"%s\" is %s and cannot be part of a string",
				     v->name, json_type_name(v->value));
		return 0;
	}
	if (len > 5 && !strncmp(expr, "file(", 5)) {
		interp_file(ip, expr, len, at, out);
		return 0;
	}
	d1 = memchr(expr, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - expr)) : NULL;
	d3 = d2 ? memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - expr)) : NULL;
	if (d3 && address_valid(expr, (size_t)(d3 - expr)) && d3 + 1 < expr + len) {
		const char *p = d3 + 1, *end = expr + len;
		int ok = 1;

		while (ok && p < end) {
			const char *dot = memchr(p, '.', (size_t)(end - p));
			size_t seg = dot ? (size_t)(dot - p) : (size_t)(end - p);

			/* A list index after the attribute: Tokens.0. */
			ok = is_ident(p, seg) || (p > d3 + 1 && is_index(p, seg));
			p += seg + (dot ? 1 : 0);
			if (dot && p == end)
				ok = 0;
		}
		if (ok) {
			if (ip->where) {
				interp_error(ip, at, "%s cannot refer to resources",
					     ip->where);
				return 0;
			}
			if (ip->L)
				record_ref(ip, node, in_key, expr, len,
					   (size_t)(d3 - expr), whole, at);
			return 1;
		}
	}
	interp_error(ip, at, "invalid interpolation \"${%.*s}\" (expected var.NAME, "
		     "file(\"PATH\") or SERVICE.TYPE.NAME.Attribute)", (int)len, expr);
	return 0;
}

static void resolve_ref(interp_t *ip, const char *expr, size_t len, int whole,
			const config_pos_t *at, strbuf_t *out,
			const cJSON **whole_value)
{
	const char *d3 = expr;
	char addr[256], attr[256];
	const cJSON *v;
	int dots = 0;

	/* interp_expr accepted this at load: it has at least three dots */
	while (d3 < expr + len && (*d3 != '.' || ++dots < 3))
		d3++;
	snprintf(addr, sizeof(addr), "%.*s", (int)(d3 - expr), expr);
	snprintf(attr, sizeof(attr), "%.*s", (int)(len - (size_t)(d3 - expr) - 1),
		 d3 + 1);
	v = ip->lookup(addr, attr, ip->lookup_ctx);
	if (!v) {
		if (!ip->reported)
			err_set_at(ip->err, -EAGAIN, at->file, at->line, at->column,
				   "value of %s.%s is not known yet", addr, attr);
		ip->reported = 1;
		ip->failed = 1;
	} else if (whole) {
		*whole_value = v;
	} else if (scalar_text(v, out)) {
		interp_error(ip, at, "%s.%s is %s and cannot be part of a string",
			     addr, attr, json_type_name(v));
	}
}

/* Expands every ${...} of s into out. s is node's value, or its key when
 * in_key; written is the same node in the doc (node itself at load, its
 * original at apply time): positions. A key is always text, so only a
 * value that is exactly one expression sets *whole_value (that
 * expression's own JSON value). Returns the number of resource references
 * left as written (at load). */
static int interp_text(interp_t *ip, cJSON *node, const cJSON *written,
		       const char *s, int in_key, strbuf_t *out,
		       const cJSON **whole_value)
{
	size_t i = 0, len = strlen(s);
	int refs = 0;

	strbuf_addn(out, "", 0);
	while (i < len) {
		config_pos_t at;

		if (in_key)
			jsonc_key_string_pos(ip->doc, written, i, &at);
		else
			jsonc_string_pos(ip->doc, written, i, &at);
		if (s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
			strbuf_addn(out, "${", 2);
			i += 3;
		} else if (s[i] == '$' && s[i + 1] == '{') {
			const char *close = strchr(s + i + 2, '}');
			size_t elen;
			int whole;

			if (!close) {
				interp_error(ip, &at, "unterminated \"${\" in %s (write $${ for a literal ${)",
					     in_key ? "key" : "string");
				break;
			}
			elen = (size_t)(close - (s + i + 2));
			whole = !in_key && i == 0 && close[1] == 0;
			if (ip->lookup && strncmp(s + i + 2, "var.", 4) &&
			    strncmp(s + i + 2, "file(", 5))
				resolve_ref(ip, s + i + 2, elen, whole, &at, out,
					    whole_value);
			else
				refs += interp_expr(ip, node, in_key, s + i + 2, elen,
						    whole, &at, out, whole_value);
			i += 2 + elen + 1;
		} else {
			strbuf_addn(out, s + i, 1);
			i++;
		}
	}
	return refs;
}

/* Interpolates one string node in place; written as for interp_text. */
static void interp_string(interp_t *ip, cJSON *node, const cJSON *written)
{
	config_pos_t pos;
	strbuf_t out = STRBUF_INIT;
	const cJSON *whole_value = NULL;
	int refs, failed_before = ip->failed;

	if (!strstr(node->valuestring, "${"))
		return;
	pos = value_pos(ip->doc, written);
	ip->failed = 0;
	refs = interp_text(ip, node, written, node->valuestring, 0, &out,
			   &whole_value);
	if (out.failed) {
		interp_error(ip, &pos, "out of memory");
	} else if (!ip->failed) {
		if (refs && !ip->lookup) {
			/* kept as written for config_resolve */
		} else if (whole_value) {
			if (node_become(node, whole_value))
				interp_error(ip, &pos, "out of memory");
		} else {
			cJSON *str = cJSON_CreateString(out.data);

			if (!str || node_become(node, str))
				interp_error(ip, &pos, "out of memory");
			cJSON_Delete(str);
		}
	}
	strbuf_free(&out);
	ip->failed |= failed_before;
}

/* Interpolates the key naming node in place, as text; written as for
 * interp_text. Returns 1 when the key holds an interpolation (the caller
 * then checks its siblings' keys). */
static int interp_key(interp_t *ip, cJSON *node, const cJSON *written)
{
	config_pos_t pos;
	strbuf_t out = STRBUF_INIT;
	const cJSON *whole_value = NULL;
	int refs, failed_before = ip->failed;
	char *key;

	if (!node->string || !strstr(node->string, "${"))
		return 0;
	pos = key_pos(ip->doc, written);
	ip->failed = 0;
	refs = interp_text(ip, node, written, node->string, 1, &out, &whole_value);
	if (out.failed) {
		interp_error(ip, &pos, "out of memory");
	} else if (!ip->failed && !(refs && !ip->lookup)) {
		if (!(key = cJSON_malloc(out.len + 1))) {
			interp_error(ip, &pos, "out of memory");
		} else {
			memcpy(key, out.data, out.len + 1);
			if (!(node->type & cJSON_StringIsConst))
				cJSON_free(node->string);
			node->string = key;
			node->type &= ~cJSON_StringIsConst;
		}
	}
	strbuf_free(&out);
	ip->failed |= failed_before;
	return 1;
}

typedef struct keyed {
	const cJSON *node, *written;
	size_t index;                /* document order */
} keyed_t;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed_t *a = x, *b = y;
	int c = strcmp(a->node->string, b->node->string);

	return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The parser refuses a repeated key, but interpolation can make two keys
 * equal; cJSON would then find only the first, and AWS would never see
 * the other. obj's members pair in order with written's (the same object
 * at load, its original at apply time). Sorting keeps this n log n. */
static void check_keys_unique(interp_t *ip, const cJSON *written,
			      const cJSON *obj)
{
	const cJSON *c, *w;
	keyed_t *keys;
	size_t i, first = 0, n = 0;

	for (c = obj->child; c; c = c->next)
		n++;
	if (n < 2)
		return;
	if (!(keys = malloc(n * sizeof(*keys)))) {
		config_pos_t at = value_pos(ip->doc, written);

		interp_error(ip, &at, "out of memory");
		return;
	}
	for (c = obj->child, w = written->child, n = 0; c && w;
	     c = c->next, w = w->next, n++)
		keys[n] = (keyed_t){ .node = c, .written = w, .index = n };
	qsort(keys, n, sizeof(*keys), cmp_keyed);
	for (i = 1; i < n; i++) {
		config_pos_t at, was;

		if (strcmp(keys[i].node->string, keys[first].node->string)) {
			first = i;
			continue;
		}
		at = key_pos(ip->doc, keys[i].written);
		was = key_pos(ip->doc, keys[first].written);
		interp_error(ip, &at, "duplicate key \"%s\" after interpolation "
			     "(first at line %d, column %d)", keys[i].node->string,
			     was.line, was.column);
	}
	free(keys);
}

/* Walks a tree written in doc. Values substituted from variables are not
 * walked again: variables are literal. */
static void interp_tree(interp_t *ip, cJSON *node)
{
	cJSON *child;
	int keys = 0;

	if (cJSON_IsString(node)) {
		interp_string(ip, node, node);
		return;
	}
	for (child = node->child; child; child = child->next) {
		if (cJSON_IsObject(node))
			keys += interp_key(ip, child, child);
		interp_tree(ip, child);
	}
	if (keys)
		check_keys_unique(ip, node, node);
}

/* ---- settings -------------------------------------------------------- */

typedef enum setting_kind {
	SET_TEXT,          /* non-empty string */
	SET_REGION,
	SET_TAGS,          /* object of strings */
	SET_INTERVAL,      /* seconds, or "90s" / "5m" / "1h" */
	SET_BYTES,         /* bytes, or "64k" / "4M" */
	SET_MODE,
	SET_TOPIC,         /* ARN or a reference */
	SET_QUEUES,        /* SQS queue ARNs or references: one or a list */
	SET_ENDPOINTS,     /* object service -> http(s) URL */
	SET_ABS_PATH,
	SET_TYPES,         /* array of "service.type" */
	SET_BOOL,          /* true or false */
	SET_COUNT,         /* a whole number from 0 to 1000 */
	SET_LEASE,         /* {table, create_table, duration_s, name} */
} setting_kind_t;

typedef struct setting_def {
	const char *key;
	setting_kind_t kind;
	size_t offset;     /* into config_settings_t */
} setting_def_t;

#define SETTING(k, kind, field) { k, kind, offsetof(config_settings_t, field) }
static const setting_def_t settings_table[] = {
	SETTING("adopt", SET_BOOL, adopt),
	SETTING("alert_topic", SET_TOPIC, alert_topic),
	SETTING("allow_plain_http", SET_BOOL, allow_plain_http),
	SETTING("credential_process_timeout", SET_INTERVAL, credential_process_timeout),
	SETTING("default_tags", SET_TAGS, default_tags),
	SETTING("endpoints", SET_ENDPOINTS, endpoints),
	SETTING("environment", SET_TEXT, environment),
	SETTING("event_queues", SET_QUEUES, event_queues),
	SETTING("history_max_bytes", SET_BYTES, history_max_bytes),
	SETTING("lease", SET_LEASE, lease),
	SETTING("metrics_namespace", SET_TEXT, metrics_namespace),
	SETTING("mode", SET_MODE, mode),
	SETTING("poll_interval", SET_INTERVAL, poll_interval),
	SETTING("prune", SET_TYPES, prune),
	SETTING("prune_max_per_cycle", SET_COUNT, prune_max_per_cycle),
	SETTING("region", SET_REGION, region),
	SETTING("state_dir", SET_ABS_PATH, state_dir),
};

_Static_assert(N_ELEMS(settings_table) <= SETTINGS_MAX,
	       "loader_t.setting_depth holds one slot per setting");

static const char *const setting_names[] = {
	"adopt", "alert_topic", "allow_plain_http", "credential_process_timeout",
	"default_tags", "endpoints", "environment", "event_queues",
	"history_max_bytes",
	"lease", "metrics_namespace", "mode", "poll_interval", "prune",
	"prune_max_per_cycle", "region", "state_dir",
};

static int parse_mode(const cJSON *v, config_mode_t *mode)
{
	if (!cJSON_IsString(v))
		return -EINVAL;
	if (!strcmp(v->valuestring, "enforce"))
		*mode = CONFIG_MODE_ENFORCE;
	else if (!strcmp(v->valuestring, "observe"))
		*mode = CONFIG_MODE_OBSERVE;
	else
		return -EINVAL;
	return 0;
}

/* A size: a whole number of bytes, or one with k or M (1024-based). */
static int parse_bytes(const cJSON *v, size_t *bytes)
{
	double n;
	char *end = "";

	if (cJSON_IsNumber(v))
		n = v->valuedouble;
	else if (cJSON_IsString(v) && isdigit((unsigned char)v->valuestring[0]))
		n = strtod(v->valuestring, &end);
	else
		return -EINVAL;
	if (!strcmp(end, "k"))
		n *= 1024;
	else if (!strcmp(end, "M"))
		n *= 1024 * 1024;
	else if (*end)
		return -EINVAL;
	if (n != (double)(long long)n || n < 4096 || n > 1024.0 * 1024 * 1024)
		return -ERANGE;
	*bytes = (size_t)n;
	return 0;
}

static int parse_interval(const cJSON *v, int *seconds)
{
	double n;
	char *end;

	if (cJSON_IsNumber(v)) {
		n = v->valuedouble;
	} else if (cJSON_IsString(v) && isdigit((unsigned char)v->valuestring[0])) {
		n = strtod(v->valuestring, &end);
		if (!strcmp(end, "s"))
			;
		else if (!strcmp(end, "m"))
			n *= 60;
		else if (!strcmp(end, "h"))
			n *= 3600;
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (!(n >= 1 && n <= 86400) || n != (double)(int)n)
		return -ERANGE;
	*seconds = (int)n;
	return 0;
}

/* Region names as AWS spells them: us-east-1, eu-central-2, us-gov-west-1. */
static int region_valid(const char *s)
{
	size_t i, len = strlen(s), dashes = 0;

	if (len < 9 || len > 32 || !isdigit((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-') {
			if (!i || s[i - 1] == '-')
				return 0;
			dashes++;
		} else if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return dashes >= 2;
}

static int replace_str(loader_t *L, char **slot, const char *value)
{
	char *d = strndup_or_flag(L, value, strlen(value));

	if (!d)
		return -ENOMEM;
	free(*slot);
	*slot = d;
	return 0;
}

static int replace_json(loader_t *L, cJSON **slot, const cJSON *value)
{
	cJSON *d = cJSON_Duplicate(value, 1);

	if (!d) {
		L->oom = 1;
		return -ENOMEM;
	}
	cJSON_Delete(*slot);
	*slot = d;
	return 0;
}

static int object_of_strings(loader_t *L, const loaded_file_t *f,
			     const cJSON *v, const char *what, int urls)
{
	const cJSON *item;
	int bad = 0;

	cJSON_ArrayForEach(item, v) {
		config_pos_t p = value_pos(f->doc, item);

		if (!cJSON_IsString(item)) {
			add_error(L, &p, "%s.%s must be a string", what, item->string);
			bad = 1;
		} else if (urls && strncmp(item->valuestring, "https://", 8) &&
			   strncmp(item->valuestring, "http://", 7)) {
			add_error(L, &p, "%s.%s must be an http:// or https:// URL",
				  what, item->string);
			bad = 1;
		} else if (urls && !is_lower_ident(item->string, strlen(item->string))) {
			p = key_pos(f->doc, item);
			add_error(L, &p, "%s key \"%s\" is not a service name", what,
				  item->string);
			bad = 1;
		}
	}
	return bad;
}

/* "service.type": two lower_snake identifiers. */
static int type_name_valid(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot && dot > s && is_lower_ident(s, (size_t)(dot - s)) &&
	       dot[1] && is_lower_ident(dot + 1, strlen(dot + 1));
}

static void set_types(loader_t *L, const loaded_file_t *f, const cJSON *v,
		      const char *where)
{
	config_settings_t *s = &L->cfg->settings;
	config_pos_t p = value_pos(f->doc, v);
	const cJSON *item;
	char **list;
	size_t n = 0, k;

	if (!cJSON_IsArray(v)) {
		add_error(L, &p, "%s must be an array of resource types like "
			  "\"ec2.security_group\"", where);
		return;
	}
	cJSON_ArrayForEach(item, v) {
		p = value_pos(f->doc, item);
		if (!cJSON_IsString(item) || !type_name_valid(item->valuestring)) {
			add_error(L, &p, "%s entries must be resource types like "
				  "\"ec2.security_group\"", where);
			return;
		}
		n++;
	}
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		L->oom = 1;
		return;
	}
	n = 0;
	cJSON_ArrayForEach(item, v)
		if (!(list[n++] = strdup(item->valuestring)))
			L->oom = 1;
	for (k = 0; k < s->nprune; k++)
		free(s->prune[k]);
	free(s->prune);
	s->prune = list;
	s->nprune = n;
	L->prune_doc = f->doc;
	L->prune_node = v;
}

static void free_lease_setting(config_lease_t *l)
{
	if (l) {
		free(l->table);
		free(l->name);
		free(l);
	}
}

/* DynamoDB's table name rule (API reference, CreateTable: TableName,
 * 3 to 255 of [a-zA-Z0-9_.-]). */
static int dynamodb_table_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && n <= 255 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static const char *const lease_keys[] = {
	"create_table", "duration_s", "name", "table",
};

/* settings.lease; every problem at its own file:line:column. */
static void set_lease(loader_t *L, const loaded_file_t *f, const cJSON *v,
		      const char *where)
{
	config_settings_t *s = &L->cfg->settings;
	config_pos_t p = value_pos(f->doc, v);
	config_lease_t *l;
	const cJSON *m;
	int bad = 0;

	if (!cJSON_IsObject(v)) {
		add_error(L, &p, "%s must be an object like {\"table\": "
			  "\"driftd-lease\"}", where);
		return;
	}
	if (!(l = calloc(1, sizeof(*l)))) {
		L->oom = 1;
		return;
	}
	l->duration_s = 30;
	cJSON_ArrayForEach(m, v) {
		p = value_pos(f->doc, m);
		if (!strcmp(m->string, "table")) {
			if (!cJSON_IsString(m) ||
			    !dynamodb_table_valid(m->valuestring)) {
				add_error(L, &p, "%s.table must be a DynamoDB "
					  "table name: 3 to 255 letters, digits, "
					  "'_', '-' or '.'", where);
				bad = 1;
			} else if (!(l->table = strdup(m->valuestring))) {
				L->oom = 1;
			}
		} else if (!strcmp(m->string, "name")) {
			if (!cJSON_IsString(m) || !m->valuestring[0] ||
			    strlen(m->valuestring) > 255) {
				add_error(L, &p, "%s.name must be a string of 1 "
					  "to 255 characters", where);
				bad = 1;
			} else if (!(l->name = strdup(m->valuestring))) {
				L->oom = 1;
			}
		} else if (!strcmp(m->string, "create_table")) {
			if (!cJSON_IsBool(m)) {
				add_error(L, &p, "%s.create_table must be true "
					  "or false", where);
				bad = 1;
			}
			l->create_table = cJSON_IsTrue(m);
		} else if (!strcmp(m->string, "duration_s")) {
			if (!cJSON_IsNumber(m) || m->valuedouble !=
			    (double)(int)m->valuedouble ||
			    m->valuedouble < LEASE_DURATION_MIN_S ||
			    m->valuedouble > LEASE_DURATION_MAX_S) {
				add_error(L, &p, "%s.duration_s must be a whole "
					  "number of seconds from %d to %d",
					  where, LEASE_DURATION_MIN_S,
					  LEASE_DURATION_MAX_S);
				bad = 1;
			} else {
				l->duration_s = m->valueint;
			}
		} else {
			unknown_key(L, f->doc, m, "settings.lease member",
				    lease_keys, N_ELEMS(lease_keys));
			bad = 1;
		}
	}
	if (!l->table && !bad) {
		p = value_pos(f->doc, v);
		add_error(L, &p, "%s needs \"table\", the DynamoDB table that "
			  "holds the lease", where);
		bad = 1;
	}
	if (bad) {
		free_lease_setting(l);
		return;
	}
	free_lease_setting(s->lease);
	s->lease = l;
}

static void free_ref(config_ref_t *ref);

static void free_queue(config_event_queue_t *q)
{
	free(q->value);
	if (q->ref)
		free_ref(q->ref);
	free(q->ref);
}

static void free_queues(config_settings_t *s)
{
	size_t i;

	for (i = 0; i < s->nevent_queues; i++)
		free_queue(&s->event_queues[i]);
	free(s->event_queues);
	s->event_queues = NULL;
	s->nevent_queues = 0;
}

/* One entry of settings.event_queues into *q: 0, or -EINVAL reported. */
static int set_queue(loader_t *L, const loaded_file_t *f, cJSON *v,
		     const char *where, config_event_queue_t *q)
{
	interp_t ip = { .L = L, .cfg = L->cfg, .doc = f->doc };
	config_pos_t p = value_pos(f->doc, v);
	config_ref_t ref = { 0 };
	char region[64], account[16], name[96];
	err_t e;
	int rc = -EINVAL;

	ip.setting_ref = &ref;
	if (!cJSON_IsString(v)) {
		add_error(L, &p, "%s must hold SQS queue ARNs or references",
			  where);
		return -EINVAL;
	}
	interp_tree(&ip, v);
	if (ip.failed)
		goto out;
	if (ref.address && !ref.whole) {
		add_error(L, &p, "%s: each entry must be exactly one reference",
			  where);
		goto out;
	}
	if (!ref.address && ev_queue_arn_parse(v->valuestring, region,
			sizeof(region), account, sizeof(account), name,
			sizeof(name), &e)) {
		add_error(L, &p, "%s: %s", where, e.message);
		goto out;
	}
	if (!(q->value = strdup(v->valuestring)) ||
	    (ref.address && !(q->ref = malloc(sizeof(ref))))) {
		L->oom = 1;
		goto out;
	}
	if (ref.address) {
		*q->ref = ref;
		q->ref->node = NULL;
		memset(&ref, 0, sizeof(ref));
	}
	rc = 0;
out:
	free_ref(&ref);
	return rc;
}

/* settings.event_queues: a queue ARN or a whole reference (usually
 * ${sqs.queue.NAME.QueueArn}), or a list of them. The daemon reads the
 * region, account and name from the ARN (events.h). */
static void set_queues(loader_t *L, const loaded_file_t *f, cJSON *v,
		       const char *where)
{
	config_settings_t *s = &L->cfg->settings;
	config_event_queue_t *q;
	config_pos_t p = value_pos(f->doc, v);
	size_t n = 0, max = cJSON_IsArray(v) ?
			   (size_t)cJSON_GetArraySize(v) : 1, i;
	cJSON *el;
	int bad = 0;

	if (!cJSON_IsString(v) && !cJSON_IsArray(v)) {
		add_error(L, &p, "%s must be an SQS queue ARN or reference, or "
			  "a list of them", where);
		return;
	}
	if (!(q = calloc(max + 1, sizeof(*q)))) {
		L->oom = 1;
		return;
	}
	if (cJSON_IsString(v))
		bad = set_queue(L, f, v, where, &q[n++]) != 0;
	else
		cJSON_ArrayForEach(el, v)
			if (set_queue(L, f, el, where, &q[n++]))
				bad = 1;
	if (bad) {
		for (i = 0; i < n; i++)
			free_queue(&q[i]);
		free(q);
		return;
	}
	free_queues(s);
	s->event_queues = q;
	s->nevent_queues = n;
}

static void apply_setting(loader_t *L, const loaded_file_t *f,
			  const setting_def_t *def, cJSON *v)
{
	config_settings_t *s = &L->cfg->settings;
	void *slot = (char *)s + def->offset;
	config_pos_t p = value_pos(f->doc, v);
	interp_t ip = { .L = L, .cfg = L->cfg, .doc = f->doc };
	char where[64];
	config_ref_t ref = { 0 };

	snprintf(where, sizeof(where), "settings.%s", def->key);
	if (def->kind == SET_QUEUES) {
		set_queues(L, f, v, where);
		return;
	}
	ip.where = def->kind == SET_TOPIC ? NULL : where;
	ip.setting_ref = &ref;
	interp_tree(&ip, v);
	if (ip.failed)
		goto out;
	switch (def->kind) {
	case SET_TEXT:
	case SET_REGION:
	case SET_ABS_PATH:
		if (!cJSON_IsString(v) || !v->valuestring[0])
			add_error(L, &p, "%s must be a non-empty string", where);
		else if (def->kind == SET_REGION && !region_valid(v->valuestring))
			add_error(L, &p, "%s \"%s\" is not an AWS region name like \"eu-west-1\"",
				  where, v->valuestring);
		else if (def->kind == SET_ABS_PATH && v->valuestring[0] != '/')
			add_error(L, &p, "%s must be an absolute path", where);
		else
			replace_str(L, slot, v->valuestring);
		break;
	case SET_TAGS:
	case SET_ENDPOINTS:
		if (!cJSON_IsObject(v))
			add_error(L, &p, "%s must be an object", where);
		else if (!object_of_strings(L, f, v, where, def->kind == SET_ENDPOINTS))
			replace_json(L, slot, v);
		break;
	case SET_INTERVAL: {
		int rc = parse_interval(v, slot);

		if (rc == -ERANGE)
			add_error(L, &p, "%s must be a whole number of seconds from 1 to 86400", where);
		else if (rc)
			add_error(L, &p, "%s must be seconds or a duration like \"60s\", \"5m\" or \"1h\"", where);
		break;
	}
	case SET_BYTES:
		if (parse_bytes(v, slot))
			add_error(L, &p, "%s must be a size from 4096 bytes to 1 GiB: "
				  "a number of bytes, or like \"64k\" or \"4M\"", where);
		break;
	case SET_MODE:
		if (parse_mode(v, slot))
			add_error(L, &p, "%s must be \"enforce\" or \"observe\"", where);
		break;
	case SET_TYPES:
		set_types(L, f, v, where);
		break;
	case SET_LEASE:
		set_lease(L, f, v, where);
		break;
	case SET_QUEUES:   /* set_queues, above: each entry on its own */
		break;
	case SET_BOOL:
		if (!cJSON_IsBool(v))
			add_error(L, &p, "%s must be true or false", where);
		else
			*(int *)slot = cJSON_IsTrue(v);
		break;
	case SET_COUNT:
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble > 1000 || v->valuedouble != (int)v->valuedouble)
			add_error(L, &p, "%s must be a whole number from 0 to 1000",
				  where);
		else
			*(int *)slot = v->valueint;
		break;
	case SET_TOPIC:
		if (!cJSON_IsString(v)) {
			add_error(L, &p, "%s must be an SNS topic ARN or a reference", where);
		} else if (ref.address) {
			if (!ref.whole) {
				add_error(L, &p, "%s must be exactly one reference", where);
				break;
			}
			if (replace_str(L, slot, v->valuestring))
				break;
			if (!s->alert_topic_ref && !(s->alert_topic_ref = calloc(1, sizeof(ref)))) {
				L->oom = 1;
				break;
			}
			free_ref(s->alert_topic_ref);
			*s->alert_topic_ref = ref;
			s->alert_topic_ref->node = NULL;
			memset(&ref, 0, sizeof(ref));
		} else if (strncmp(v->valuestring, "arn:", 4)) {
			add_error(L, &p, "%s must be an SNS topic ARN (arn:...) or a reference",
				  where);
		} else {
			replace_str(L, slot, v->valuestring);
			if (s->alert_topic_ref) {
				free_ref(s->alert_topic_ref);
				free(s->alert_topic_ref);
				s->alert_topic_ref = NULL;
			}
		}
		break;
	}
out:
	free_ref(&ref);
}

static void collect_settings(loader_t *L, const loaded_file_t *f, cJSON *obj)
{
	cJSON *v;
	size_t i;

	if (!cJSON_IsObject(obj)) {
		config_pos_t p = value_pos(f->doc, obj);

		add_error(L, &p, "settings must be an object");
		return;
	}
	cJSON_ArrayForEach(v, obj) {
		config_pos_t p = key_pos(f->doc, v);

		for (i = 0; i < N_ELEMS(settings_table); i++)
			if (!strcmp(settings_table[i].key, v->string))
				break;
		if (i == N_ELEMS(settings_table)) {
			unknown_key(L, f->doc, v, "setting", setting_names,
				    N_ELEMS(setting_names));
			continue;
		}
		if (L->setting_depth[i] >= 0 &&
		    !precedence(L, "setting", v->string, L->setting_depth[i],
				&L->setting_pos[i], f->depth, &p))
			continue;
		L->setting_depth[i] = f->depth;
		L->setting_pos[i] = p;
		apply_setting(L, f, &settings_table[i], v);
	}
}

/* ---- resources ------------------------------------------------------- */

static const char *const reserved_keys[] = {
	"depends_on", "ensure", "policy", "region",
};

static int is_reserved_key(const char *key)
{
	size_t i;

	for (i = 0; i < N_ELEMS(reserved_keys); i++)
		if (!strcmp(key, reserved_keys[i]))
			return 1;
	return 0;
}
static const char *const policy_keys[] = {
	"allow_replace", "ignore", "mode", "prevent_destroy",
};

static void parse_policy(loader_t *L, const jsonc_doc_t *doc,
			 config_resource_t *r, const cJSON *pol, int *mode_set)
{
	const cJSON *v, *item;

	if (!cJSON_IsObject(pol)) {
		config_pos_t p = value_pos(doc, pol);

		add_error(L, &p, "policy must be an object");
		return;
	}
	cJSON_ArrayForEach(v, pol) {
		config_pos_t p = value_pos(doc, v);

		if (!strcmp(v->string, "mode")) {
			if (parse_mode(v, &r->policy.mode))
				add_error(L, &p, "policy.mode must be \"enforce\" or \"observe\"");
			else
				*mode_set = 1;
		} else if (!strcmp(v->string, "prevent_destroy") ||
			   !strcmp(v->string, "allow_replace")) {
			if (!cJSON_IsBool(v))
				add_error(L, &p, "policy.%s must be true or false", v->string);
			else if (v->string[0] == 'p')
				r->policy.prevent_destroy = cJSON_IsTrue(v);
			else
				r->policy.allow_replace = cJSON_IsTrue(v);
		} else if (!strcmp(v->string, "ignore")) {
			if (!cJSON_IsArray(v)) {
				add_error(L, &p, "policy.ignore must be an array of property paths");
				continue;
			}
			cJSON_ArrayForEach(item, v) {
				config_pos_t ip = value_pos(doc, item);
				char **list;

				if (!cJSON_IsString(item) || !item->valuestring[0]) {
					add_error(L, &ip, "policy.ignore entries must be property paths like \"Tags.Owner\"");
					continue;
				}
				list = realloc(r->policy.ignore, (r->policy.nignore + 1) * sizeof(*list));
				if (!list || !(list[r->policy.nignore] = strdup(item->valuestring))) {
					if (list)
						r->policy.ignore = list;
					L->oom = 1;
					return;
				}
				r->policy.ignore = list;
				r->policy.nignore++;
			}
		} else {
			unknown_key(L, doc, v, "policy key", policy_keys,
				    N_ELEMS(policy_keys));
		}
	}
}

static void parse_depends_on(loader_t *L, const jsonc_doc_t *doc,
			     config_resource_t *r, const cJSON *v)
{
	const cJSON *item;

	if (!cJSON_IsArray(v)) {
		config_pos_t p = value_pos(doc, v);

		add_error(L, &p, "depends_on must be an array of addresses");
		return;
	}
	cJSON_ArrayForEach(item, v) {
		config_pos_t p = value_pos(doc, item);
		config_ref_t ref = { .node = item, .pos = p };
		config_ref_t *refs;
		char **deps;

		if (!cJSON_IsString(item) ||
		    !address_valid(item->valuestring, strlen(item->valuestring))) {
			add_error(L, &p, "depends_on entries must be addresses like \"ec2.vpc.main\"");
			continue;
		}
		/* listed among refs too (attribute NULL) so every edge has a
		 * position for cycle messages */
		deps = realloc(r->depends_on, (r->ndepends_on + 1) * sizeof(*deps));
		if (deps)
			r->depends_on = deps;
		refs = realloc(r->refs, (r->nrefs + 1) * sizeof(*refs));
		if (refs)
			r->refs = refs;
		if (!deps || !refs || !(ref.address = strdup(item->valuestring)) ||
		    !(deps[r->ndepends_on] = strdup(item->valuestring))) {
			free(ref.address);
			L->oom = 1;
			return;
		}
		r->ndepends_on++;
		r->refs[r->nrefs++] = ref;
	}
}

static void parse_resource(loader_t *L, const loaded_file_t *f, cJSON *obj,
			   config_resource_t *r)
{
	config_settings_t *s = &L->cfg->settings;
	interp_t ip = { .L = L, .cfg = L->cfg, .doc = f->doc, .res = r };
	cJSON *v, *next;
	int mode_set = 0;

	r->doc = f->doc;
	r->body = obj;
	for (v = obj->child; v; v = next) {
		config_pos_t p;

		next = v->next;
		/* Every key but driftd's own is an AWS property, whatever its
		 * case (JSON and REST services name members in lowerCamel:
		 * logGroupName); the type's table judges it. A near miss of a
		 * reserved key is still reported as one, unless it starts in
		 * upper case as no reserved key does (SNS's Policy). */
		if (!is_reserved_key(v->string) &&
		    (isupper((unsigned char)v->string[0]) ||
		     !config_suggest(v->string, reserved_keys, N_ELEMS(reserved_keys))))
			continue;
		p = value_pos(f->doc, v);
		if (!strcmp(v->string, "policy")) {
			parse_policy(L, f->doc, r, v, &mode_set);
		} else if (!strcmp(v->string, "ensure")) {
			if (!cJSON_IsString(v) || (strcmp(v->valuestring, "present") &&
						   strcmp(v->valuestring, "absent")))
				add_error(L, &p, "ensure must be \"present\" or \"absent\"");
			else
				r->ensure = v->valuestring[0] == 'a' ?
					    CONFIG_ENSURE_ABSENT : CONFIG_ENSURE_PRESENT;
		} else if (!strcmp(v->string, "region")) {
			interp_t rip = { .L = L, .cfg = L->cfg, .doc = f->doc,
					 .where = "region" };

			interp_tree(&rip, v);
			if (rip.failed)
				;
			else if (!cJSON_IsString(v) || !region_valid(v->valuestring))
				add_error(L, &p, "region must be an AWS region name like \"eu-west-1\"");
			else
				replace_str(L, &r->region, v->valuestring);
		} else if (!strcmp(v->string, "depends_on")) {
			parse_depends_on(L, f->doc, r, v);
		} else {
			unknown_key(L, f->doc, v, "resource key", reserved_keys,
				    N_ELEMS(reserved_keys));
		}
		/* reserved keys are not AWS properties: take them out of body */
		cJSON_Delete(cJSON_DetachItemViaPointer(obj, v));
	}
	if (!mode_set)
		r->policy.mode = s->mode;
	interp_tree(&ip, obj);
	/* attribute names, repeated by every resource of a type */
	intern_keys(obj);
	/* a large file's body is in the arena: its strings join it */
	if (cfgmem_owns(obj))
		cfgmem_strings(obj);
}

static void free_resource(config_resource_t *r)
{
	size_t k;

	free(r->address);            /* service, type and name too */
	free(r->region);
	for (k = 0; k < r->policy.nignore; k++)
		free(r->policy.ignore[k]);
	free(r->policy.ignore);
	for (k = 0; k < r->ndepends_on; k++)
		free(r->depends_on[k]);
	free(r->depends_on);
	for (k = 0; k < r->nrefs; k++)
		free_ref(&r->refs[k]);
	free(r->refs);
}

static int cmp_resource(const void *a, const void *b)
{
	return strcmp(((const config_resource_t *)a)->address,
		      ((const config_resource_t *)b)->address);
}

static size_t address_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The index in cfg->res of address, or cfg->nres. */
static size_t seen_find(const loader_t *L, const char *address)
{
	size_t i;

	if (!L->capseen)
		return L->cfg->nres;
	for (i = address_hash(address) & (L->capseen - 1); L->seen[i];
	     i = (i + 1) & (L->capseen - 1))
		if (!strcmp(L->cfg->res[L->seen[i] - 1].address, address))
			return L->seen[i] - 1;
	return L->cfg->nres;
}

/* Indexes cfg->res[index]; the table stays under half full. */
static void seen_add(loader_t *L, size_t index)
{
	size_t cap = L->capseen ? L->capseen : 64, i, k, *t;

	while (cap < 2 * (index + 1))
		cap *= 2;
	if (cap != L->capseen) {
		if (!(t = calloc(cap, sizeof(*t)))) {
			L->oom = 1;
			return;
		}
		for (k = 0; k < index; k++) {
			for (i = address_hash(L->cfg->res[k].address) & (cap - 1);
			     t[i]; i = (i + 1) & (cap - 1))
				;
			t[i] = k + 1;
		}
		free(L->seen);
		L->seen = t;
		L->capseen = cap;
	}
	for (i = address_hash(L->cfg->res[index].address) & (L->capseen - 1);
	     L->seen[i]; i = (i + 1) & (L->capseen - 1))
		;
	L->seen[i] = index + 1;
}

/* r's address, service, type and name from address (checked valid), in
 * one allocation: "ec2.vpc.main\0ec2\0vpc\0", name a suffix of address.
 * 0 or -ENOMEM. */
static int split_address(config_resource_t *r, const char *address)
{
	size_t len = strlen(address);
	const char *d1 = strchr(address, '.'), *d2 = strchr(d1 + 1, '.');
	size_t ns = (size_t)(d1 - address), nt = (size_t)(d2 - d1 - 1);
	char *p = malloc(len + 1 + ns + 1 + nt + 1);

	if (!p)
		return -ENOMEM;
	r->address = p;
	memcpy(p, address, len + 1);
	r->name = p + (d2 + 1 - address);
	r->service = p += len + 1;
	memcpy(p, address, ns);
	p[ns] = 0;
	r->type = p += ns + 1;
	memcpy(p, d1 + 1, nt);
	p[nt] = 0;
	return 0;
}

static void collect_resources(loader_t *L, const loaded_file_t *f, cJSON *obj)
{
	config_t *cfg = L->cfg;
	cJSON *v;
	size_t k;

	if (!cJSON_IsObject(obj)) {
		config_pos_t p = value_pos(f->doc, obj);

		add_error(L, &p, "resources must be an object of address: resource");
		return;
	}
	cJSON_ArrayForEach(v, obj) {
		config_pos_t p = key_pos(f->doc, v);
		config_resource_t *r;

		if (!address_valid(v->string, strlen(v->string))) {
			add_error(L, &p, "malformed address \"%s\" (expected SERVICE.TYPE.NAME, "
				  "three lower_snake identifiers)", v->string);
			continue;
		}
		k = seen_find(L, v->string);
		if (k < cfg->nres) {
			config_resource_t dup = { .pos = p };

			add_error(L, &p, "resource \"%s\" is already defined at %s:%d:%d",
				  v->string, cfg->res[k].pos.file, cfg->res[k].pos.line,
				  cfg->res[k].pos.column);
			/* still check it, so one run shows every error */
			if (cJSON_IsObject(v))
				parse_resource(L, f, v, &dup);
			free_resource(&dup);
			continue;
		}
		if (!cJSON_IsObject(v)) {
			p = value_pos(f->doc, v);
			add_error(L, &p, "resource \"%s\" must be an object", v->string);
			continue;
		}
		if (cfg->nres == cfg->capres) {
			size_t cap = cfg->capres ? cfg->capres * 2 : 16;
			config_resource_t *nr = realloc(cfg->res, cap * sizeof(*nr));

			if (!nr) {
				L->oom = 1;
				return;
			}
			cfg->res = nr;
			cfg->capres = cap;
		}
		r = &cfg->res[cfg->nres];
		memset(r, 0, sizeof(*r));
		r->pos = p;
		cfg->nres++;
		if (split_address(r, v->string)) {
			L->oom = 1;
			return;
		}
		seen_add(L, cfg->nres - 1);
		parse_resource(L, f, v, r);
	}
}

/* ---- references and cycles ------------------------------------------- */

static void check_ref_target(loader_t *L, const config_ref_t *ref,
			     const char *what)
{
	const char *names[256];
	const char *s;
	size_t i, n = 0;

	/* Root cause first: while a file did not load, a reference to a
	 * resource nobody defined may be one that file defines; its error
	 * is the one to fix, and a follow-on would bury it (issue 12). */
	if (config_resource_find(L->cfg, ref->address) || L->unloaded)
		return;
	for (i = 0; i < L->cfg->nres && n < N_ELEMS(names); i++)
		names[n++] = L->cfg->res[i].address;
	s = config_suggest(ref->address, names, n);
	if (s)
		add_error(L, &ref->pos, "%s unknown resource \"%s\" (did you mean \"%s\"?)",
			  what, ref->address, s);
	else
		add_error(L, &ref->pos, "%s unknown resource \"%s\"", what, ref->address);
}

typedef struct cycle_ctx {
	loader_t *L;
} cycle_ctx_t;

static void report_cycle(const char *const *path, size_t n, void *ctx)
{
	loader_t *L = ((cycle_ctx_t *)ctx)->L;
	const config_resource_t *r = config_resource_find(L->cfg, path[0]);
	char msg[ERR_MSG_MAX];
	size_t i, len = 0;
	const config_pos_t *at = r ? &r->pos : NULL;

	for (i = 0; r && i < r->nrefs; i++) {
		if (!strcmp(r->refs[i].address, path[1])) {
			at = &r->refs[i].pos;
			break;
		}
	}
	for (i = 0; i < n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s",
					i ? " -> " : "", path[i]);
	add_error(L, at, "cycle: %s", msg);
}

graph_t *config_graph(const config_t *cfg)
{
	graph_t *g = graph_new();
	size_t i, k;

	if (!g || graph_reserve(g, cfg->nres))
		goto fail;
	for (i = 0; i < cfg->nres; i++) {
		const config_resource_t *r = &cfg->res[i];

		if (graph_add_node(g, r->address))
			goto fail;
		for (k = 0; k < r->nrefs; k++)
			if (config_resource_find(cfg, r->refs[k].address) &&
			    graph_add_edge(g, r->address, r->refs[k].address))
				goto fail;
	}
	return g;
fail:
	graph_free(g);
	return NULL;
}

static void check_graph(loader_t *L)
{
	config_t *cfg = L->cfg;
	cycle_ctx_t cc = { L };
	graph_t *g;
	size_t i, k;

	for (i = 0; i < cfg->nres; i++)
		for (k = 0; k < cfg->res[i].nrefs; k++)
			check_ref_target(L, &cfg->res[i].refs[k],
					 cfg->res[i].refs[k].attribute ?
					 "reference to" : "depends_on names");
	if (cfg->settings.alert_topic_ref)
		check_ref_target(L, cfg->settings.alert_topic_ref, "reference to");
	for (k = 0; k < cfg->settings.nevent_queues; k++)
		if (cfg->settings.event_queues[k].ref)
			check_ref_target(L, cfg->settings.event_queues[k].ref,
					 "reference to");
	if (!(g = config_graph(cfg)) || graph_find_cycles(g, report_cycle, &cc) < 0)
		L->oom = 1;
	graph_free(g);
}

/* ---- schema plumbing ------------------------------------------------- */

struct config_check {
	loader_t *L;
	const config_resource_t *res;
};

/* Where node (a value, or at_key its key) is, else the resource's
 * address. */
static config_pos_t check_pos(const config_check_t *chk, const cJSON *node,
			      int at_key)
{
	config_pos_t p = chk->res->pos, q;

	if (node && !(at_key ? jsonc_key_pos(chk->res->doc, node, &q) :
			       jsonc_value_pos(chk->res->doc, node, &q)))
		p = q;
	return p;
}

void config_report(config_check_t *chk, const cJSON *node, int at_key,
		   const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	config_pos_t p = check_pos(chk, node, at_key);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_error(chk->L, &p, "%s", msg);
}

void config_warn(config_check_t *chk, const cJSON *node, int at_key,
		 const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	config_pos_t p = check_pos(chk, node, at_key);
	config_errors_t *errs = chk->L->errs;
	va_list ap;
	err_t e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p.file)
		err_set_at(&e, -EINVAL, p.file, p.line, p.column, "%s", msg);
	else
		err_set(&e, -EINVAL, "%s", msg);
	if (push_err(errs, &errs->warnings, &errs->nwarnings, &errs->wcap, &e))
		chk->L->oom = 1;
}

const char *config_check_environment(const config_check_t *chk)
{
	return chk->L->cfg->settings.environment;
}

static void check_prune_types(loader_t *L, const config_schema_t *schema)
{
	const cJSON *item;
	const char *near;
	config_pos_t p;

	if (!L->prune_node || !schema->known_type)
		return;
	cJSON_ArrayForEach(item, L->prune_node) {
		near = NULL;
		if (!cJSON_IsString(item) ||
		    schema->known_type(schema->ctx, item->valuestring, &near))
			continue;
		p = value_pos(L->prune_doc, item);
		if (near)
			add_error(L, &p, "settings.prune: unknown resource type "
				  "\"%s\"; did you mean \"%s\"?",
				  item->valuestring, near);
		else
			add_error(L, &p, "settings.prune: unknown resource type "
				  "\"%s\"", item->valuestring);
	}
}

static void run_schema(loader_t *L, const config_schema_t *schema)
{
	size_t i;

	if (!schema)
		return;
	check_prune_types(L, schema);
	if (!schema->validate_resource)
		return;
	for (i = 0; i < L->cfg->nres; i++) {
		config_check_t chk = { L, &L->cfg->res[i] };
		int rc = schema->validate_resource(schema->ctx, &L->cfg->res[i], &chk);

		if (rc < 0)
			add_error(L, &L->cfg->res[i].pos, "schema check of \"%s\" failed: %s",
				  L->cfg->res[i].address, strerror(-rc));
	}
}

/* ---- load ------------------------------------------------------------ */

static const char *const top_keys[] = {
	"include", "resources", "settings", "variables",
};

static int init_settings(config_settings_t *s)
{
	s->poll_interval = 60;
	s->credential_process_timeout = 60;
	s->adopt = 1;
	s->prune_max_per_cycle = 5;
	s->mode = CONFIG_MODE_ENFORCE;
	s->default_tags = cJSON_CreateObject();
	s->endpoints = cJSON_CreateObject();
	s->metrics_namespace = strdup("Driftd");
	s->state_dir = strdup("/var/lib/driftd");
	return s->default_tags && s->endpoints && s->metrics_namespace &&
	       s->state_dir ? 0 : -ENOMEM;
}

/* Pass order matters: variables from every file before any string is
 * interpolated, settings before resources (policy.mode defaults to
 * settings.mode), all resources before references are checked. */
int config_load_with_schema(const char *dir, const config_schema_t *schema,
			    config_t **out, config_errors_t **errs_out)
{
	loader_t L = { 0 };
	config_pos_t dir_pos = { 0 };
	struct stat st;
	size_t i;
	cJSON *v;
	err_t e;
	int rc;

	*out = NULL;
	if (errs_out)
		*errs_out = NULL;
	L.cfg = calloc(1, sizeof(*L.cfg));
	L.errs = calloc(1, sizeof(*L.errs));
	if (!L.cfg || !L.errs || init_settings(&L.cfg->settings)) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < N_ELEMS(L.setting_depth); i++)
		L.setting_depth[i] = -1;
	if (stat(dir, &st) < 0)
		add_error(&L, NULL, "%s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		add_error(&L, NULL, "%s: not a directory", dir);
	else if (trust_config_root(dir, &L.cfg->root, &e) ||
		 untrusted(L.cfg, dir, &e))
		add_err_t(&L, &e);
	else if (!(L.cfg->root_by_name = trust_config_root_by_name(dir)))
		L.oom = 1;
	else
		load_path(&L, dir, 0, &dir_pos);
	for (i = 0; i < L.cfg->nfiles; i++) {
		loaded_file_t *f = &L.cfg->files[i];

		cJSON_ArrayForEach(v, jsonc_root(f->doc)) {
			if (!strcmp(v->string, "variables"))
				collect_variables(&L, f, v);
			else if (strcmp(v->string, "include") &&
				 strcmp(v->string, "settings") &&
				 strcmp(v->string, "resources"))
				unknown_key(&L, f->doc, v, "top-level key", top_keys,
					    N_ELEMS(top_keys));
		}
	}
	for (i = 0; i < L.cfg->nfiles; i++)
		cJSON_ArrayForEach(v, jsonc_root(L.cfg->files[i].doc))
			if (!strcmp(v->string, "settings"))
				collect_settings(&L, &L.cfg->files[i], v);
	for (i = 0; i < L.cfg->nfiles; i++)
		cJSON_ArrayForEach(v, jsonc_root(L.cfg->files[i].doc))
			if (!strcmp(v->string, "resources"))
				collect_resources(&L, &L.cfg->files[i], v);
	if (L.cfg->nres) {
		/* no room kept for resources to come: none will */
		config_resource_t *fit = realloc(L.cfg->res,
						 L.cfg->nres * sizeof(*fit));

		if (fit) {
			L.cfg->res = fit;
			L.cfg->capres = L.cfg->nres;
		}
		qsort(L.cfg->res, L.cfg->nres, sizeof(*L.cfg->res), cmp_resource);
	}
	check_graph(&L);
	run_schema(&L, schema);
	rc = L.oom ? -ENOMEM : L.errs->count ? -EINVAL : 0;
out:
	free(L.seen);
	if (L.errs && L.errs->count)
		config_errors_sort(L.errs);
	if (L.errs && L.errs->nwarnings)
		qsort(L.errs->warnings, L.errs->nwarnings, sizeof(err_t), cmp_err);
	if (rc == 0) {
		*out = L.cfg;
		L.cfg = NULL;
	}
	config_free(L.cfg);
	if (errs_out)
		*errs_out = L.errs;
	else
		config_errors_free(L.errs);
	return rc;
}

int config_load(const char *dir, config_t **out, config_errors_t **errs)
{
	return config_load_with_schema(dir, NULL, out, errs);
}

void config_free(config_t *cfg)
{
	config_settings_t *s;
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nres; i++)
		free_resource(&cfg->res[i]);
	free(cfg->res);
	for (i = 0; i < cfg->nfiles; i++) {
		jsonc_free(cfg->files[i].doc);
		free(cfg->files[i].real);
	}
	free(cfg->files);
	free(cfg->vars);
	free(cfg->root);
	free(cfg->root_by_name);
	s = &cfg->settings;
	free(s->environment);
	free(s->region);
	cJSON_Delete(s->default_tags);
	free(s->alert_topic);
	if (s->alert_topic_ref)
		free_ref(s->alert_topic_ref);
	free(s->alert_topic_ref);
	free_queues(s);
	free(s->metrics_namespace);
	cJSON_Delete(s->endpoints);
	free(s->state_dir);
	for (i = 0; i < s->nprune; i++)
		free(s->prune[i]);
	free(s->prune);
	free_lease_setting(s->lease);
	free(cfg);
}

/* ---- accessors ------------------------------------------------------- */

const config_settings_t *config_settings(const config_t *cfg)
{
	return &cfg->settings;
}

size_t config_file_count(const config_t *cfg)
{
	return cfg->nfiles;
}

const char *config_file_path(const config_t *cfg, size_t i)
{
	return i < cfg->nfiles ? cfg->files[i].real : NULL;
}

size_t config_resource_count(const config_t *cfg)
{
	return cfg->nres;
}

const config_resource_t *config_resource_at(const config_t *cfg, size_t i)
{
	return i < cfg->nres ? &cfg->res[i] : NULL;
}

static int cmp_address_key(const void *key, const void *elem)
{
	return strcmp(key, ((const config_resource_t *)elem)->address);
}

/* Resources are sorted once all files are read; lookups before that point
 * (duplicate detection) scan instead. */
const config_resource_t *config_resource_find(const config_t *cfg,
					      const char *address)
{
	if (!cfg->nres)
		return NULL;
	return bsearch(address, cfg->res, cfg->nres, sizeof(*cfg->res),
		       cmp_address_key);
}

const cJSON *config_variable(const config_t *cfg, const char *name)
{
	const variable_t *v = find_var(cfg, name, strlen(name));

	return v ? v->value : NULL;
}

/* ---- apply-time resolution ------------------------------------------- */

static int is_ref_node(const config_resource_t *res, const cJSON *node,
		       int in_key)
{
	size_t i;

	for (i = 0; i < res->nrefs; i++)
		if (res->refs[i].node == node && res->refs[i].attribute &&
		    res->refs[i].in_key == in_key)
			return 1;
	return 0;
}

static void resolve_walk(interp_t *ip, const config_resource_t *res,
			 const cJSON *orig, cJSON *copy)
{
	const cJSON *oc;
	cJSON *cc;
	int keys = 0;

	if (cJSON_IsString(orig) && is_ref_node(res, orig, 0)) {
		interp_string(ip, copy, orig);
		return;
	}
	for (oc = orig->child, cc = copy->child; oc && cc; oc = oc->next, cc = cc->next) {
		if (is_ref_node(res, oc, 1))
			keys += interp_key(ip, cc, oc);
		resolve_walk(ip, res, oc, cc);
	}
	if (keys)
		check_keys_unique(ip, orig, copy);
}

int config_resolve(const config_t *cfg, const config_resource_t *res,
		   config_lookup_fn lookup, void *ctx, cJSON **out, err_t *err)
{
	interp_t ip = { .err = err, .cfg = cfg, .doc = res->doc,
			.lookup = lookup, .lookup_ctx = ctx };
	cJSON *copy = cJSON_Duplicate(res->body, 1);
	err_t local;

	*out = NULL;
	if (!err)
		ip.err = &local;
	if (!copy)
		return err_set(err, -ENOMEM, "out of memory");
	resolve_walk(&ip, res, res->body, copy);
	if (ip.failed) {
		cJSON_Delete(copy);
		return ip.err->code;
	}
	*out = copy;
	return 0;
}

/* ---- forgetting positions -------------------------------------------- */

typedef struct kept {
	const jsonc_doc_t *doc;
	const cJSON *node;
} kept_t;

typedef struct kept_vec {
	kept_t *v;
	size_t n, cap;
	int oom;
} kept_vec_t;

static void keep(kept_vec_t *k, const jsonc_doc_t *doc, const cJSON *node)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		kept_t *v = realloc(k->v, cap * sizeof(*v));

		if (!v) {
			k->oom = 1;
			return;
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = (kept_t){ doc, node };
}

/* The nodes resolve_walk may report at: a string holding a reference (its
 * value and the bytes in it), and an object with a reference in a key
 * (itself, and each member's key for check_keys_unique). */
static void keep_for_resolve(kept_vec_t *k, const config_resource_t *res,
			     const cJSON *node)
{
	const cJSON *c;
	int keys = 0;

	if (cJSON_IsString(node) && is_ref_node(res, node, 0))
		keep(k, res->doc, node);
	for (c = node->child; c; c = c->next) {
		keys |= is_ref_node(res, c, 1);
		keep_for_resolve(k, res, c);
	}
	if (keys) {
		keep(k, res->doc, node);
		for (c = node->child; c; c = c->next)
			keep(k, res->doc, c);
	}
}

static int cmp_kept(const void *x, const void *y)
{
	const kept_t *a = x, *b = y;

	if (a->doc != b->doc)
		return (uintptr_t)a->doc < (uintptr_t)b->doc ? -1 : 1;
	return ((uintptr_t)a->node > (uintptr_t)b->node) -
	       ((uintptr_t)a->node < (uintptr_t)b->node);
}

void config_forget_positions(config_t *cfg)
{
	kept_vec_t k = { 0 };
	const cJSON **nodes = NULL;
	size_t i, j, from;

	for (i = 0; i < cfg->nres; i++)
		for (j = 0; j < cfg->res[i].nrefs; j++)
			if (cfg->res[i].refs[j].attribute) {
				keep_for_resolve(&k, &cfg->res[i], cfg->res[i].body);
				break;
			}
	if (k.oom || (k.n && !(nodes = malloc(k.n * sizeof(*nodes))))) {
		free(k.v);           /* forgetting nothing is correct too */
		return;
	}
	if (k.n)
		qsort(k.v, k.n, sizeof(*k.v), cmp_kept);
	for (i = 0; i < cfg->nfiles; i++) {
		const jsonc_doc_t *doc = cfg->files[i].doc;

		for (from = 0; from < k.n && k.v[from].doc != doc; from++)
			;
		for (j = 0; from + j < k.n && k.v[from + j].doc == doc; j++)
			nodes[j] = k.v[from + j].node;
		jsonc_retain(cfg->files[i].doc, nodes, j);
	}
	free(nodes);
	free(k.v);
}

/* ---- helpers for the daemon and schemas ------------------------------ */

int config_check_cidr(const char *text, err_t *err)
{
	char addr[64];
	unsigned char bytes[16];
	const char *slash = strchr(text, '/');
	char *end;
	long prefix;
	int family, bits, i;

	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return err_set(err, -EINVAL, "\"%s\" is not a CIDR block (ADDRESS/PREFIX)", text);
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = 0;
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	bits = family == AF_INET6 ? 128 : 32;
	if (inet_pton(family, addr, bytes) != 1)
		return err_set(err, -EINVAL, "\"%s\" is not a CIDR block: bad address \"%s\"",
			       text, addr);
	errno = 0;
	if (!isdigit((unsigned char)slash[1]) ||
	    (prefix = strtol(slash + 1, &end, 10), *end || errno) ||
	    prefix < 0 || prefix > bits)
		return err_set(err, -EINVAL, "\"%s\" is not a CIDR block: prefix must be 0 to %d",
			       text, bits);
	for (i = (int)prefix; i < bits; i++)
		if (bytes[i / 8] & (0x80 >> (i % 8)))
			return err_set(err, -EINVAL,
				       "\"%s\" has host bits set beyond /%ld", text, prefix);
	return 0;
}

int config_check_permissions(const char *dir, err_t *err)
{
	char **names, *path, *root;
	size_t n, i;
	int rc;

	if ((rc = trust_config_root(dir, &root, err)))
		return rc;
	if ((rc = trust_check(root, geteuid(), dir, err)))
		goto out;
	if ((rc = list_json(dir, &names, &n))) {
		rc = err_set(err, rc, "%s: %s", dir, strerror(-rc));
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = err_set(err, -ENOMEM, "out of memory");
			break;
		}
		rc = trust_check(root, geteuid(), path, err);
		free(path);
	}
	free_names(names, n);
out:
	free(root);
	return rc;
}
