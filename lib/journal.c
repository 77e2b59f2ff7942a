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

/* Past this size, a journal whose settled records outweigh its live ones
 * three to one is rewritten with only the live ones. */
#define JOURNAL_COMPACT_MIN (4u << 20)

/* An article added and not yet settled, and where its "add" line lies in
 * the file, so that compaction can copy it without keeping the text. */
struct live {
	struct live *prev, *next;
	off_t off, new_off;
	size_t len;
	char id[];
};

struct journal {
	int fd;
	char *path;
	struct article **pending;
	size_t npending;
	struct buf line;
	struct hmap live;         /* id -> struct live */
	struct live *head, *tail; /* live records in the order added */
	off_t size;               /* bytes in the file */
	off_t live_bytes;         /* bytes of the live records' lines */
	int untracked;            /* a record could not be tracked: never compact */
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

/* Append one record as a single write; *at is where it starts. */
static int append(struct journal *j, cJSON *rec, off_t *at)
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
	*at = j->size;
	j->size += (off_t)off;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Rewrite the file with only the live records, in order: copy each one's
 * line from the old file into a temporary one, fsync it and rename it over
 * the old one, so a kill at any point leaves either file whole. */
static int compact(struct journal *j)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", j->path);
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = 0;
	if (fd < 0)
		return -errno;
	off_t w = 0;
	for (struct live *l = j->head; l && !rc; l = l->next) {
		buf_reset(&j->line);
		if (buf_reserve(&j->line, l->len)) {
			rc = -ENOMEM;
			break;
		}
		ssize_t r = pread(j->fd, j->line.p, l->len, l->off);
		if (r != (ssize_t)l->len) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		rc = write_all(fd, j->line.p, l->len);
		l->new_off = w;
		w += (off_t)l->len;
	}
	if (!rc && (fsync(fd) != 0 || fcntl(fd, F_SETFL, O_APPEND) != 0))
		rc = -errno;
	if (!rc && rename(tmp, j->path) != 0)
		rc = -errno;
	if (rc) {
		close(fd);
		unlink(tmp);
		return rc;
	}
	for (struct live *l = j->head; l; l = l->next)
		l->off = l->new_off;
	close(j->fd);
	j->fd = fd;
	j->size = w;
	return 0;
}

static void maybe_compact(struct journal *j)
{
	if (j->untracked || j->size < JOURNAL_COMPACT_MIN || j->size < 4 * j->live_bytes)
		return;
	off_t before = j->size;
	int rc = compact(j);
	if (rc)
		log_warn("journal %s: cannot compact it (%s); it keeps growing", j->path,
		         strerror(-rc));
	else
		log_debug("journal %s: compacted from %lld to %lld bytes (%zu articles pending)",
		          j->path, (long long)before, (long long)j->size, j->live.count);
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
	off_t at;
	int rc = append(j, rec, &at);
	cJSON_Delete(rec);
	if (rc || hmap_get(&j->live, a->id))
		return rc; /* a second add of a live id: the first one counts */
	size_t idlen = strlen(a->id);
	struct live *l = malloc(sizeof *l + idlen + 1);
	if (l)
		memcpy(l->id, a->id, idlen + 1);
	if (!l || hmap_put(&j->live, l->id, l)) {
		/* Compaction would lose an article it does not know of. */
		free(l);
		j->untracked = 1;
		return 0;
	}
	l->off = at;
	l->len = j->line.len;
	l->next = NULL;
	l->prev = j->tail;
	if (j->tail)
		j->tail->next = l;
	else
		j->head = l;
	j->tail = l;
	j->live_bytes += (off_t)l->len;
	return 0;
}

int journal_done(struct journal *j, const char *id)
{
	cJSON *rec = cJSON_CreateObject();
	if (!rec || !cJSON_AddStringToObject(rec, "done", id)) {
		cJSON_Delete(rec);
		return -ENOMEM;
	}
	off_t at;
	int rc = append(j, rec, &at);
	cJSON_Delete(rec);
	struct live *l = rc ? NULL : hmap_del(&j->live, id);
	if (l) {
		if (l->prev)
			l->prev->next = l->next;
		else
			j->head = l->next;
		if (l->next)
			l->next->prev = l->prev;
		else
			j->tail = l->prev;
		j->live_bytes -= (off_t)l->len;
		free(l);
		maybe_compact(j);
	}
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
	j->path = strdup(path);
	if (!j->path) {
		buf_printf(err, "out of memory");
		goto fail;
	}
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
	/* Read access too: compaction copies live lines out of it. */
	j->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
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
	for (struct live *l = j->head, *next; l; l = next) {
		next = l->next;
		free(l);
	}
	hmap_free(&j->live);
	buf_free(&j->line);
	free(j->path);
	free(j);
}
