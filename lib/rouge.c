/*
 * rouge: see rouge.h.
 *
 * Each text becomes an array of token hashes; n-gram overlap is counted by
 * sorting the n-gram hashes of both sides and walking them together (a
 * clipped count is the length of the common run), the LCS by the textbook
 * dynamic programme kept to one row. The evaluator calls this once per
 * article, so the arrays are allocated per call.
 */
#include "rouge.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "porter.h"

#define MAX_TOKEN 64 /* longer runs of letters are hashed unstemmed */

struct toks {
	uint64_t *v;
	size_t n;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int tokenize(const char *s, size_t n, struct toks *t)
{
	t->v = malloc((n / 2 + 1) * sizeof *t->v); /* a token and a separator each */
	t->n = 0;
	if (!t->v)
		return -ENOMEM;
	size_t i = 0;
	while (i < n) {
		if (!is_alnum((unsigned char)s[i])) {
			i++;
			continue;
		}
		size_t a = i;
		while (i < n && is_alnum((unsigned char)s[i]))
			i++;
		size_t len = i - a;
		if (len > MAX_TOKEN) {
			t->v[t->n++] = fnv(s + a, len);
			continue;
		}
		char w[MAX_TOKEN];
		int letters = 1;
		for (size_t j = 0; j < len; j++) {
			char c = s[a + j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			letters &= c >= 'a' && c <= 'z';
			w[j] = c;
		}
		if (letters && len > 3)
			len = porter_stem(w, len);
		t->v[t->n++] = fnv(w, len);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* n-gram hashes of t (n = 1 or 2) into a new sorted array of *len items. */
static uint64_t *ngrams(const struct toks *t, int n, size_t *len)
{
	size_t c = t->n >= (size_t)n ? t->n - (size_t)n + 1 : 0;
	uint64_t *g = malloc((c ? c : 1) * sizeof *g);
	if (!g)
		return NULL;
	for (size_t i = 0; i < c; i++)
		g[i] = n == 1 ? t->v[i] : (t->v[i] * 0x9E3779B97F4A7C15ULL) ^ t->v[i + 1];
	qsort(g, c, sizeof *g, cmp_u64);
	*len = c;
	return g;
}

static struct rouge_prf prf(size_t hits, size_t nc, size_t nr)
{
	struct rouge_prf s = {0, 0, 0};
	if (!hits || !nc || !nr)
		return s;
	s.p = (double)hits / (double)nc;
	s.r = (double)hits / (double)nr;
	s.f = 2 * s.p * s.r / (s.p + s.r);
	return s;
}

static int overlap(const struct toks *c, const struct toks *r, int n, struct rouge_prf *out)
{
	size_t nc = 0, nr = 0;
	uint64_t *gc = ngrams(c, n, &nc);
	uint64_t *gr = gc ? ngrams(r, n, &nr) : NULL;
	if (!gr) {
		free(gc);
		return -ENOMEM;
	}
	size_t i = 0, j = 0, hits = 0;
	while (i < nc && j < nr) {
		if (gc[i] < gr[j])
			i++;
		else if (gc[i] > gr[j])
			j++;
		else {
			hits++;
			i++;
			j++;
		}
	}
	free(gc);
	free(gr);
	*out = prf(hits, nc, nr);
	return 0;
}

static int lcs(const struct toks *c, const struct toks *r, struct rouge_prf *out)
{
	size_t *row = calloc(r->n + 1, sizeof *row);
	if (!row)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++) {
		size_t diag = 0; /* row[j] of the previous line, j - 1 */
		for (size_t j = 1; j <= r->n; j++) {
			size_t up = row[j];
			if (c->v[i] == r->v[j - 1])
				row[j] = diag + 1;
			else if (row[j - 1] > row[j])
				row[j] = row[j - 1];
			diag = up;
		}
	}
	*out = prf(row[r->n], c->n, r->n);
	free(row);
	return 0;
}

int rouge_score(const char *cand, size_t cn, const char *ref, size_t rn, struct rouge_scores *out)
{
	struct toks c = {NULL, 0}, r = {NULL, 0};
	int rc = tokenize(cand, cn, &c);
	if (!rc)
		rc = tokenize(ref, rn, &r);
	if (!rc)
		rc = overlap(&c, &r, 1, &out->r1);
	if (!rc)
		rc = overlap(&c, &r, 2, &out->r2);
	if (!rc)
		rc = lcs(&c, &r, &out->rl);
	free(c.v);
	free(r.v);
	return rc;
}
