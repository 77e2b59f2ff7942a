/*
 * hmap: a hash map from NUL-terminated string keys to pointers, with open
 * addressing and linear probing (FNV-1a hashes, tombstones on delete,
 * growth at 70 % load). The map does not own keys or values: a key must
 * stay valid while its entry exists (store it inside the value).
 */
#ifndef ND_HMAP_H
#define ND_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	const char *key; /* NULL: empty; HMAP_TOMB: deleted */
	void *val;
	uint64_t hash;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;   /* power of two, or 0 */
	size_t count; /* live entries */
	size_t used;  /* live entries and tombstones */
};

uint64_t hmap_hash(const char *s, size_t n);
void *hmap_get(const struct hmap *m, const char *key);
/* Insert or replace. 0 or -ENOMEM. */
int hmap_put(struct hmap *m, const char *key, void *val);
/* Remove and return the value, or NULL if absent. */
void *hmap_del(struct hmap *m, const char *key);
void hmap_free(struct hmap *m);

#endif
