/* assemble: see assemble.h. One hash map from article id to partial. */
#include "assemble.h"

#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "wire.h"

struct assembler {
	struct hmap partials;
};

struct assembler *assembler_new(void)
{
	return calloc(1, sizeof(struct assembler));
}

static void free_parts(struct assembled *a)
{
	for (uint32_t i = 0; i < a->total; i++)
		wire_free(a->parts[i] ? &a->parts[i]->base : NULL);
}

void assembled_free(struct assembled *a)
{
	if (!a)
		return;
	if (a->parts)
		free_parts(a);
	free(a->parts);
	free(a->article_id);
	free(a);
}

static struct assembled *partial_new(const Nd__ChunkResult *r, uint64_t now_ms)
{
	struct assembled *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->article_id = strdup(r->article_id);
	a->parts = calloc(r->total, sizeof *a->parts);
	if (!a->article_id || !a->parts) {
		assembled_free(a);
		return NULL;
	}
	a->total = r->total;
	a->attempt = r->attempt;
	a->first_seen_ms = now_ms;
	return a;
}

enum assemble_status assembler_add(struct assembler *as, Nd__ChunkResult *r, uint64_t now_ms,
                                   struct assembled **done)
{
	*done = NULL;
	if (!*r->article_id || r->total == 0 || r->total > ASSEMBLE_MAX_CHUNKS ||
	    r->seq >= r->total) {
		wire_free(&r->base);
		return ASSEMBLE_INVALID;
	}
	struct assembled *a = hmap_get(&as->partials, r->article_id);
	if (a && a->total != r->total) {
		if (r->attempt <= a->attempt) {
			wire_free(&r->base);
			return ASSEMBLE_STALE;
		}
		hmap_del(&as->partials, a->article_id);
		assembled_free(a);
		a = NULL;
	}
	if (!a) {
		a = partial_new(r, now_ms);
		if (!a || hmap_put(&as->partials, a->article_id, a)) {
			assembled_free(a);
			wire_free(&r->base);
			return ASSEMBLE_NOMEM;
		}
	}
	if (r->attempt > a->attempt)
		a->attempt = r->attempt;
	if (a->parts[r->seq]) {
		wire_free(&r->base);
		return ASSEMBLE_DUPLICATE;
	}
	a->parts[r->seq] = r;
	if (++a->have < a->total)
		return ASSEMBLE_PENDING;
	hmap_del(&as->partials, a->article_id);
	*done = a;
	return ASSEMBLE_COMPLETE;
}

int assembler_has(const struct assembler *as, const char *article_id)
{
	return hmap_get(&as->partials, article_id) != NULL;
}

size_t assembler_pending(const struct assembler *as)
{
	return as->partials.count;
}

size_t assembler_expire(struct assembler *as, uint64_t now_ms, uint64_t ttl_ms,
                        assemble_expire_cb cb, void *arg)
{
	size_t n = 0;
	/* Deleting leaves tombstones in place, so the walk stays valid. */
	for (size_t i = 0; i < as->partials.cap; i++) {
		struct assembled *a = as->partials.slots[i].val;
		if (!a || now_ms - a->first_seen_ms < ttl_ms)
			continue;
		if (cb)
			cb(a, arg);
		hmap_del(&as->partials, a->article_id);
		assembled_free(a);
		n++;
	}
	return n;
}

void assembler_free(struct assembler *as)
{
	if (!as)
		return;
	for (size_t i = 0; i < as->partials.cap; i++)
		assembled_free(as->partials.slots[i].val);
	hmap_free(&as->partials);
	free(as);
}
