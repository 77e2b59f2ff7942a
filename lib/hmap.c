/* hmap: see hmap.h. */
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char hmap_tomb_mark;
#define HMAP_TOMB (&hmap_tomb_mark)

uint64_t hmap_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct hmap_slot *find(const struct hmap *m, const char *key, uint64_t h)
{
	if (!m->cap)
		return NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != HMAP_TOMB && s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
}

void *hmap_get(const struct hmap *m, const char *key)
{
	struct hmap_slot *s = find(m, key, hmap_hash(key, strlen(key)));
	return s ? s->val : NULL;
}

static int grow(struct hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	if (m->count * 2 < m->cap)
		cap = m->cap; /* mostly tombstones: rehash in place size */
	struct hmap_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->key || s->key == HMAP_TOMB)
			continue;
		size_t j = s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	m->used = m->count;
	return 0;
}

int hmap_put(struct hmap *m, const char *key, void *val)
{
	uint64_t h = hmap_hash(key, strlen(key));
	struct hmap_slot *s = find(m, key, h);
	if (s) {
		s->key = key;
		s->val = val;
		return 0;
	}
	if ((m->used + 1) * 10 >= m->cap * 7 && grow(m))
		return -ENOMEM;
	size_t i = h & (m->cap - 1);
	while (m->slots[i].key && m->slots[i].key != HMAP_TOMB)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].key)
		m->used++;
	m->slots[i] = (struct hmap_slot){key, val, h};
	m->count++;
	return 0;
}

void *hmap_del(struct hmap *m, const char *key)
{
	struct hmap_slot *s = find(m, key, hmap_hash(key, strlen(key)));
	if (!s)
		return NULL;
	void *v = s->val;
	s->key = HMAP_TOMB;
	s->val = NULL;
	m->count--;
	return v;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}
