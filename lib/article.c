/* article: see article.h. */
#include "article.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "text.h"
#include "utf8.h"

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static char *dup_s(const char *s)
{
	return dup_n(s, strlen(s));
}

static char *hash_id(const char *a, size_t an, const char *b, size_t bn)
{
	uint64_t h = hmap_hash(a, an);
	/* Fold b in after a separator so ("ab", "c") and ("a", "bc") differ. */
	h ^= 0x0a;
	h *= 1099511628211ULL;
	for (size_t i = 0; i < bn; i++) {
		h ^= (unsigned char)b[i];
		h *= 1099511628211ULL;
	}
	char *id = malloc(18);
	if (id)
		snprintf(id, 18, "a%016llx", (unsigned long long)h);
	return id;
}

static struct article *article_new(const char *source, const char *origin)
{
	struct article *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	struct buf src = BUF_INIT;
	source = source ? source : "";
	if (utf8_repair(&src, source, strlen(source), NULL) == 0)
		a->source = src.p ? src.p : dup_s("");
	a->origin = dup_s(origin ? origin : "");
	if (!a->source || !a->origin) {
		article_free(a);
		return NULL;
	}
	return a;
}

/* Normalise title and body into a; give it an id unless it has one. */
static int finish(struct article *a, const char *title, size_t tn, const char *body, size_t bn,
                  const char *id)
{
	struct buf t = BUF_INIT;
	struct text_stats st = {0, 0}, st2 = {0, 0};
	if (text_normalize(&t, title, tn, &st) || text_normalize(&a->text, body, bn, &st2)) {
		buf_free(&t);
		return -1;
	}
	/* A title is one line. */
	for (size_t i = 0; i < t.len; i++)
		if (t.p[i] == '\n')
			t.p[i] = ' ';
	a->title = t.p ? t.p : dup_s("");
	a->invalid_utf8 = st.invalid_utf8 + st2.invalid_utf8;
	if (!a->text.p)
		buf_append(&a->text, "", 0);
	a->id = id ? dup_s(id) : hash_id(a->title, strlen(a->title), a->text.p, a->text.len);
	return a->id && a->title && a->text.p ? 0 : -1;
}

struct article *article_from_text(const char *data, size_t n, const char *source,
                                  const char *origin)
{
	struct article *a = article_new(source, origin);
	if (!a)
		return NULL;
	const char *nl = memchr(data, '\n', n);
	size_t tn = nl ? (size_t)(nl - data) : n;
	const char *body = nl ? nl + 1 : data + n;
	if (finish(a, data, tn, body, n - (size_t)(body - data), NULL)) {
		article_free(a);
		return NULL;
	}
	return a;
}

struct article *article_rejected(const char *id, const void *raw, size_t n, const char *source,
                                 const char *origin, const char *reason)
{
	struct article *a = article_new(source, origin);
	if (!a)
		return NULL;
	a->id = id && *id ? dup_s(id)
	                  : hash_id(origin ? origin : "", strlen(origin ? origin : ""), raw, n);
	a->title = dup_s("");
	a->error = dup_s(reason);
	buf_append(&a->text, "", 0);
	if (!a->id || !a->title || !a->error || !a->text.p) {
		article_free(a);
		return NULL;
	}
	return a;
}

/* A JSON string member, or NULL; sets *bad when present but not a string. */
static const char *member_str(const cJSON *o, const char *name, int *bad)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!m || cJSON_IsNull(m))
		return NULL;
	if (!cJSON_IsString(m)) {
		*bad = 1;
		return NULL;
	}
	return m->valuestring;
}

struct article *article_from_json(const char *line, size_t n, const char *default_source,
                                  const char *origin)
{
	char reason[256];
	cJSON *o = cJSON_ParseWithLength(line, n);
	if (!o || !cJSON_IsObject(o)) {
		snprintf(reason, sizeof reason, "%s", o ? "not a JSON object" : "invalid JSON");
		cJSON_Delete(o);
		return article_rejected(NULL, line, n, default_source, origin, reason);
	}
	int bad = 0;
	const char *id = member_str(o, "id", &bad);
	const char *title = member_str(o, "title", &bad);
	const char *source = member_str(o, "source", &bad);
	const char *text = member_str(o, "text", &bad);
	struct article *a;
	/* An id must be usable as a key and in a URL path: bounded, printable. */
	if (id && (strlen(id) == 0 || strlen(id) > 200 || strpbrk(id, "/\\\"\n\r\t ") ||
	           !utf8_valid(id, strlen(id))))
		bad = 2;
	if (bad || !text) {
		snprintf(reason, sizeof reason, "%s",
		         bad == 2
		             ? "\"id\" must be 1-200 characters without spaces, quotes or slashes"
		         : bad ? "\"id\", \"title\", \"source\" and \"text\" must be strings"
		               : "missing \"text\"");
		a = article_rejected(bad == 2 ? NULL : id, line, n,
		                     source ? source : default_source, origin, reason);
	} else {
		a = article_new(source ? source : default_source, origin);
		if (a && finish(a, title ? title : "", title ? strlen(title) : 0, text,
		                strlen(text), id)) {
			article_free(a);
			a = NULL;
		}
	}
	cJSON_Delete(o);
	return a;
}

void article_free(struct article *a)
{
	if (!a)
		return;
	free(a->id);
	free(a->source);
	free(a->title);
	free(a->error);
	free(a->origin);
	buf_free(&a->text);
	free(a);
}
