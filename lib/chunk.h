/*
 * chunk: splitting an article body into sentence-aligned chunks.
 *
 * The spans partition the text exactly (concatenated, they are the body, so
 * offsets and byte counts add up), each is at most max_bytes long, and each
 * boundary is the start of a sentence, so a worker that segments one chunk
 * finds the same sentences as a segmentation of the whole article. Only a
 * single sentence longer than max_bytes is cut inside: after its last space
 * before the limit, or failing that at a UTF-8 character boundary. An empty
 * body gives one empty chunk, so every article has at least one.
 */
#ifndef ND_CHUNK_H
#define ND_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "seg.h"

/* The smallest max_bytes accepted (a UTF-8 character must fit). */
#define CHUNK_MIN_BYTES 16

struct chunk_span {
	uint32_t start, len;
};

struct chunk_list {
	struct chunk_span *v;
	size_t n, cap;
};

/* Split text[0..len) into out (replacing its contents), using scratch for
 * the segmentation. 0, -ENOMEM, or -EINVAL if max_bytes < CHUNK_MIN_BYTES. */
int chunk_split(const char *text, size_t len, size_t max_bytes, struct seg_doc *scratch,
                struct chunk_list *out);
void chunk_list_free(struct chunk_list *l);

#endif
