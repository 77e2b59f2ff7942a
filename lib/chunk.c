/* chunk: see chunk.h. Greedy: each chunk takes as many whole sentences as
 * fit; linear in the number of sentences. A text that fits in one chunk is
 * not segmented at all. */
#include "chunk.h"

#include <errno.h>
#include <stdlib.h>

static int push(struct chunk_list *l, size_t start, size_t end)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct chunk_span *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct chunk_span){(uint32_t)start, (uint32_t)(end - start)};
	return 0;
}

/* Where to cut a sentence that does not fit in (cur, limit]. */
static size_t hard_cut(const char *text, size_t cur, size_t limit)
{
	for (size_t i = limit; i > cur + 1; i--)
		if (text[i - 1] == ' ' || text[i - 1] == '\n')
			return i;
	size_t i = limit;
	while (i > cur + 1 && ((unsigned char)text[i] & 0xC0) == 0x80)
		i--;
	return i;
}

int chunk_split(const char *text, size_t len, size_t max_bytes, struct seg_doc *scratch,
                struct chunk_list *out)
{
	if (max_bytes < CHUNK_MIN_BYTES)
		return -EINVAL;
	out->n = 0;
	/* Most news articles fit in one chunk: no sentence boundary is needed
	 * then, and segmenting the text was a third of the producer's CPU. */
	if (len <= max_bytes)
		return push(out, 0, len);
	int rc = seg_split(scratch, text, len);
	if (rc)
		return rc;
	size_t cur = 0, si = 0;
	while (len - cur > max_bytes) {
		size_t limit = cur + max_bytes, best = 0;
		/* The last sentence start in (cur, limit]. */
		while (si < scratch->nsents && scratch->sents[si].start <= cur)
			si++;
		while (si < scratch->nsents && scratch->sents[si].start <= limit)
			best = scratch->sents[si++].start;
		size_t b = best > cur ? best : hard_cut(text, cur, limit);
		if (push(out, cur, b))
			return -ENOMEM;
		cur = b;
	}
	return push(out, cur, len);
}

void chunk_list_free(struct chunk_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
