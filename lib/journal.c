/* journal: see journal.h. */
#include "journal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hmap.h"
#include "log.h"

struct journal {
	int fd;
	struct article **pending;
	size_t npending;
	struct buf line;
};

static cJSON *article_json(const struct article *a)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddStringToObject(o, "title", a->title);
	cJSON_AddStringToObject(o, "source", a->source);
	cJSON_AddStringToObject(o, "origin", a->origin);
	cJSON_AddStringToObject(o, "text", a->text.p ? a->text.p : "");
	if (a->error)
		cJSON_AddStringToObject(o, "error", a->error);
	return o;
}

static struct article *article_of_json(const cJSON *o)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(o, "source");
	const cJSON *origin = cJSON_GetObjectItemCaseSensitive(o, "origin");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (!cJSON_IsString(id) || !cJSON_IsString(source) || !cJSON_IsString(origin))
		return NULL;
	if (cJSON_IsString(error))
		return article_rejected(id->valuestring, NULL, 0, source->valuestring,
		                        origin->valuestring, error->valuestring);
	char *s = cJSON_PrintUnformatted(o);
	if (!s)
		return NULL;
	/* The text was normalised before it was journaled, and normalising
	 * is idempotent, so this gives back the same article and id. */
	struct article *a =
	    article_from_json(s, strlen(s), source->valuestring, origin->valuestring);
	free(s);
	return a;
}

/* Append one record as a single write. */
static int append(struct journal *j, cJSON *rec)
{
	char *s = cJSON_PrintUnformatted(rec);
	if (!s)
		return -ENOMEM;
	buf_reset(&j->line);
	buf_append_str(&j->line, s);
	buf_append_char(&j->line, '\n');
	free(s);
	size_t off = 0;
	while (off < j->line.len) {
		ssize_t w = write(j->fd, j->line.p + off, j->line.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -EIO;
		}
		off += (size_t)w;
	}
	return 0;
}

int journal_add(struct journal *j, const struct article *a)
{
	cJSON *rec = cJSON_CreateObject(), *art = article_json(a);
	if (!rec || !art) {
		cJSON_Delete(rec);
		cJSON_Delete(art);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(rec, "add", art);
	int rc = append(j, rec);
	cJSON_Delete(rec);
	return rc;
}

int journal_done(struct journal *j, const char *id)
{
	cJSON *rec = cJSON_CreateObject();
	if (!rec || !cJSON_AddStringToObject(rec, "done", id)) {
		cJSON_Delete(rec);
		return -ENOMEM;
	}
	int rc = append(j, rec);
	cJSON_Delete(rec);
	return rc;
}

/* Read the old journal: the articles added and not done, in order. */
static int load(struct journal *j, const char *path, struct buf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT
		           ? 0
		           : (buf_printf(err, "cannot read journal %s: %s", path, strerror(errno)),
		              -EIO);
	struct hmap live = {0}; /* id -> index into j->pending */
	struct buf line = BUF_INIT;
	size_t cap = 0, lineno = 0, torn = 0;
	int c, rc = 0;
	do {
		c = getc(f);
		if (c != '\n' && c != EOF) {
			buf_append_char(&line, (char)c);
			continue;
		}
		if (!line.len)
			continue;
		lineno++;
		cJSON *rec = cJSON_ParseWithLength(line.p, line.len);
		buf_reset(&line);
		const cJSON *add = cJSON_GetObjectItemCaseSensitive(rec, "add");
		const cJSON *done = cJSON_GetObjectItemCaseSensitive(rec, "done");
		if (cJSON_IsString(done)) {
			size_t *ix = hmap_del(&live, done->valuestring);
			if (ix) {
				article_free(j->pending[*ix]);
				j->pending[*ix] = NULL;
				free(ix);
			}
		} else if (cJSON_IsObject(add)) {
			struct article *a = article_of_json(add);
			size_t *ix = malloc(sizeof *ix);
			if (!a || !ix || hmap_get(&live, a->id)) {
				article_free(a); /* already pending: once is enough */
				free(ix);
			} else {
				if (j->npending == cap) {
					cap = cap ? cap * 2 : 64;
					struct article **v = realloc(j->pending, cap * sizeof *v);
					if (!v) {
						rc = -ENOMEM;
						cJSON_Delete(rec);
						break;
					}
					j->pending = v;
				}
				*ix = j->npending;
				j->pending[j->npending++] = a;
				hmap_put(&live, a->id, ix);
			}
		} else {
			torn++;
		}
		cJSON_Delete(rec);
	} while (c != EOF);
	fclose(f);
	for (size_t i = 0; i < live.cap; i++)
		free(live.slots[i].val);
	hmap_free(&live);
	buf_free(&line);
	/* Squeeze out the settled ones. */
	size_t w = 0;
	for (size_t i = 0; i < j->npending; i++)
		if (j->pending[i])
			j->pending[w++] = j->pending[i];
	j->npending = w;
	if (torn)
		log_warn("journal %s: %zu unreadable line(s) of %zu ignored (a write cut short)",
		         path, torn, lineno);
	return rc;
}

struct journal *journal_open(const char *path, struct buf *err)
{
	struct journal *j = calloc(1, sizeof *j);
	if (!j) {
		buf_printf(err, "out of memory");
		return NULL;
	}
	j->fd = -1;
	if (load(j, path, err))
		goto fail;
	/* Rewrite with only what is pending, atomically. */
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	j->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		buf_printf(err, "cannot write journal %s: %s", tmp, strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < j->npending; i++)
		if (journal_add(j, j->pending[i])) {
			buf_printf(err, "cannot write journal %s: %s", tmp, strerror(errno));
			goto fail;
		}
	if (fsync(j->fd) != 0 || rename(tmp, path) != 0) {
		buf_printf(err, "cannot replace journal %s: %s", path, strerror(errno));
		goto fail;
	}
	close(j->fd);
	j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (j->fd < 0) {
		buf_printf(err, "cannot append to journal %s: %s", path, strerror(errno));
		goto fail;
	}
	return j;
fail:
	journal_close(j);
	return NULL;
}

int journal_take_pending(struct journal *j, struct article ***out)
{
	*out = j->pending;
	int n = (int)j->npending;
	j->pending = NULL;
	j->npending = 0;
	return n;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (size_t i = 0; i < j->npending; i++)
		article_free(j->pending[i]);
	free(j->pending);
	buf_free(&j->line);
	free(j);
}
