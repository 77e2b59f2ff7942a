/* idf: see idf.h. */
#include "idf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ner.h"

#define IDF_VERSION 1
#define NAME_BYTES 32
#define HEADER (8 + 4 + 4 + 4 + NAME_BYTES)
#define ENTRY 12

static const char magic[8] = {'N', 'D', 'I', 'D', 'F', 0, 0, 0};

struct idf {
	uint32_t docs;
	size_t n;
	uint64_t *terms; /* sorted */
	uint32_t *df;
	float *weight;   /* per entry, computed at load */
	float unknown;   /* the weight of a term in no document */
	uint64_t *slots; /* open addressing over terms: index + 1, 0 empty */
	size_t mask;
	char name[NAME_BYTES + 1];
};

const char *idf_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case IDF_ENOMEM:
		return "out of memory";
	case IDF_ENOENT:
		return "file not found";
	case IDF_EIO:
		return "read or write error";
	case IDF_EFORMAT:
		return "not a term-frequency table, or a truncated or corrupt one";
	case IDF_EVERSION:
		return "term-frequency table of an unsupported format version";
	default:
		return "unknown error";
	}
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

struct pair {
	uint64_t term;
	uint32_t df;
};

static int cmp_pair(const void *a, const void *b)
{
	uint64_t x = ((const struct pair *)a)->term, y = ((const struct pair *)b)->term;
	return x < y ? -1 : x > y;
}

int idf_save(const char *path, const char *name, uint32_t docs, const uint64_t *terms,
             const uint32_t *df, size_t n)
{
	if (n > UINT32_MAX / ENTRY)
		return IDF_ENOMEM;
	struct pair *v = malloc((n ? n : 1) * sizeof *v);
	size_t size = HEADER + n * ENTRY + 4;
	unsigned char *b = malloc(size);
	int rc = IDF_ENOMEM;
	if (!v || !b)
		goto out;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct pair){terms[i], df[i]};
	qsort(v, n, sizeof *v, cmp_pair);
	memcpy(b, magic, 8);
	put32(b + 8, IDF_VERSION);
	put32(b + 12, docs);
	put32(b + 16, (uint32_t)n);
	memset(b + 20, 0, NAME_BYTES);
	memcpy(b + 20, name, strnlen(name, NAME_BYTES));
	for (size_t i = 0; i < n; i++) {
		put64(b + HEADER + i * ENTRY, v[i].term);
		put32(b + HEADER + i * ENTRY + 8, v[i].df);
	}
	put32(b + size - 4, fnv(b, size - 4));
	FILE *f = fopen(path, "wb");
	rc = IDF_EIO;
	if (!f)
		goto out;
	int ok = fwrite(b, 1, size, f) == size;
	ok &= fclose(f) == 0;
	rc = ok ? 0 : IDF_EIO;
out:
	free(v);
	free(b);
	return rc;
}

static int idf_index(struct idf *t);

int idf_load(const char *path, struct idf **out)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? IDF_ENOENT : IDF_EIO;
	unsigned char *b = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1 << 16;
			unsigned char *nb = realloc(b, nc);
			if (!nb) {
				rc = IDF_ENOMEM;
				break;
			}
			b = nb;
			cap = nc;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (!r) {
			if (ferror(f))
				rc = IDF_EIO;
			break;
		}
	}
	fclose(f);
	struct idf *t = NULL;
	if (!rc && (n < HEADER + 4 || memcmp(b, magic, 8)))
		rc = IDF_EFORMAT;
	else if (!rc && get32(b + 8) != IDF_VERSION)
		rc = IDF_EVERSION;
	else if (!rc && (n != HEADER + (size_t)get32(b + 16) * ENTRY + 4 ||
	                 get32(b + n - 4) != fnv(b, n - 4)))
		rc = IDF_EFORMAT;
	if (!rc) {
		t = calloc(1, sizeof *t);
		size_t m = get32(b + 16);
		if (t) {
			t->terms = malloc((m ? m : 1) * sizeof *t->terms);
			t->df = malloc((m ? m : 1) * sizeof *t->df);
		}
		if (!t || !t->terms || !t->df) {
			idf_free(t);
			t = NULL;
			rc = IDF_ENOMEM;
		} else {
			t->docs = get32(b + 12);
			t->n = m;
			memcpy(t->name, b + 20, NAME_BYTES);
			for (size_t i = 0; i < m; i++) {
				t->terms[i] = get64(b + HEADER + i * ENTRY);
				t->df[i] = get32(b + HEADER + i * ENTRY + 8);
				if (i && t->terms[i] <= t->terms[i - 1])
					rc = IDF_EFORMAT;
			}
			if (!rc)
				rc = idf_index(t);
			if (rc) {
				idf_free(t);
				t = NULL;
			}
		}
	}
	free(b);
	*out = t;
	return rc;
}

void idf_free(struct idf *t)
{
	if (!t)
		return;
	free(t->terms);
	free(t->df);
	free(t->weight);
	free(t->slots);
	free(t);
}

static double weight_of(uint32_t docs, uint32_t df)
{
	return log(((double)docs + 1) / ((double)df + 1)) + 1;
}

/* Weights and a hash index, so a lookup is one probe or two. */
static int idf_index(struct idf *t)
{
	size_t cap = 16;
	while (cap < 2 * t->n)
		cap *= 2;
	t->weight = malloc((t->n ? t->n : 1) * sizeof *t->weight);
	t->slots = calloc(cap, sizeof *t->slots);
	if (!t->weight || !t->slots)
		return IDF_ENOMEM;
	t->mask = cap - 1;
	t->unknown = (float)weight_of(t->docs, 0);
	for (size_t i = 0; i < t->n; i++) {
		t->weight[i] = (float)weight_of(t->docs, t->df[i]);
		size_t j = (size_t)(t->terms[i] * 0x9e3779b97f4a7c15ull >> 20) & t->mask;
		while (t->slots[j])
			j = (j + 1) & t->mask;
		t->slots[j] = i + 1;
	}
	return 0;
}

double idf_weight(const struct idf *t, uint64_t term)
{
	if (!term)
		term = 1; /* as tools/idf-build stores it */
	for (size_t j = (size_t)(term * 0x9e3779b97f4a7c15ull >> 20) & t->mask; t->slots[j];
	     j = (j + 1) & t->mask)
		if (t->terms[t->slots[j] - 1] == term)
			return t->weight[t->slots[j] - 1];
	return t->unknown;
}

uint32_t idf_docs(const struct idf *t)
{
	return t->docs;
}

size_t idf_size(const struct idf *t)
{
	return t->n;
}

const char *idf_name(const struct idf *t)
{
	return t->name;
}

int idf_load_setting(const char *setting, struct idf **out)
{
	char path[4200];
	const char *p = *setting ? setting : nd_model_path(IDF_MODEL_FILE, path, sizeof path);
	int rc = idf_load(p, out);
	if (rc && *setting) {
		log_error("--idf %s: %s", p, idf_strerror(rc));
		return -1;
	}
	if (rc)
		log_warn("keyword weights %s: %s; keywords are ranked by frequency alone (set "
		         "--idf or DIGEST_IDF)",
		         p, idf_strerror(rc));
	return 0;
}
