/*
 * idf-build: build the background document-frequency table for keywords.
 *
 *     idf-build [--name NAME] -o TABLE FILE...
 *
 * Each FILE is JSON Lines with a "text" field per line (one document a
 * line, as ../shared/data/news-summ/bbc-dev.jsonl) or a plain-text file
 * (one document). Every document is tokenized as the sink tokenizes
 * sentences (terms.h), and each term counts once per document it occurs in.
 * The output is deterministic for the same files in the same order.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "idf.h"
#include "terms.h"

struct counts {
	uint64_t *keys; /* 0: empty slot (a term hash of 0 is stored as 1) */
	uint32_t *df, *seen;
	size_t cap, n;
	uint32_t docs;
};

static int counts_grow(struct counts *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1 << 14;
	uint64_t *k = calloc(cap, sizeof *k);
	uint32_t *d = calloc(cap, sizeof *d), *s = calloc(cap, sizeof *s);
	if (!k || !d || !s) {
		free(k);
		free(d);
		free(s);
		return -1;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->keys[i])
			continue;
		size_t j = (size_t)(c->keys[i] & (cap - 1));
		while (k[j])
			j = (j + 1) & (cap - 1);
		k[j] = c->keys[i];
		d[j] = c->df[i];
		s[j] = c->seen[i];
	}
	free(c->keys);
	free(c->df);
	free(c->seen);
	c->keys = k;
	c->df = d;
	c->seen = s;
	c->cap = cap;
	return 0;
}

/* Count term once for the current document (c->docs). */
static int counts_add(struct counts *c, uint64_t term)
{
	if (!term)
		term = 1;
	if ((c->n + 1) * 2 > c->cap && counts_grow(c))
		return -1;
	size_t j = (size_t)(term & (c->cap - 1));
	while (c->keys[j] && c->keys[j] != term)
		j = (j + 1) & (c->cap - 1);
	if (!c->keys[j]) {
		c->keys[j] = term;
		c->n++;
	}
	if (c->seen[j] != c->docs) {
		c->seen[j] = c->docs;
		c->df[j]++;
	}
	return 0;
}

static int add_doc(struct counts *c, struct terms *t, const char *text, size_t n)
{
	c->docs++;
	if (terms_tokenize(t, text, n))
		return -1;
	for (size_t i = 0; i < t->ntoks; i++)
		if (t->toks[i].kind == TERMS_CONTENT && counts_add(c, t->toks[i].term))
			return -1;
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (!r)
			break;
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = n;
	}
	return b;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *name = "idf-1";
	int first = argc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: idf-build [--name NAME] -o TABLE FILE...\n"
			       "  FILE    JSON Lines with a \"text\" field per document, or plain "
			       "text\n"
			       "  --name  the table's name and version (default idf-1)\n");
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "idf-build: unknown option or missing value: '%s'\n",
			        argv[i]);
			return 2;
		} else {
			first = i;
			break;
		}
	}
	if (!out || first >= argc) {
		fprintf(stderr, "usage: idf-build [--name NAME] -o TABLE FILE...\n");
		return 2;
	}
	struct terms t;
	struct counts c = {0};
	if (terms_init(&t)) {
		fprintf(stderr, "idf-build: cannot create the stemmer\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		size_t len;
		char *b = slurp(argv[i], &len);
		if (!b) {
			fprintf(stderr, "idf-build: cannot read %s: %s\n", argv[i],
			        strerror(errno));
			return 1;
		}
		size_t pl = strlen(argv[i]);
		if (pl > 6 && !strcmp(argv[i] + pl - 6, ".jsonl")) {
			size_t lineno = 0;
			for (char *line = b; *line;) {
				char *nl = strchr(line, '\n');
				if (nl)
					*nl = 0;
				lineno++;
				cJSON *j = *line ? cJSON_Parse(line) : NULL;
				const cJSON *tx =
				    j ? cJSON_GetObjectItemCaseSensitive(j, "text") : NULL;
				if (*line && !cJSON_IsString(tx))
					fprintf(stderr,
					        "idf-build: %s:%zu: no \"text\" string, skipped\n",
					        argv[i], lineno);
				else if (*line && add_doc(&c, &t, tx->valuestring,
				                          strlen(tx->valuestring))) {
					fprintf(stderr, "idf-build: out of memory\n");
					return 1;
				}
				cJSON_Delete(j);
				if (!nl)
					break;
				line = nl + 1;
			}
		} else if (add_doc(&c, &t, b, len)) {
			fprintf(stderr, "idf-build: out of memory\n");
			return 1;
		}
		free(b);
	}
	uint64_t *terms = malloc((c.n ? c.n : 1) * sizeof *terms);
	uint32_t *df = malloc((c.n ? c.n : 1) * sizeof *df);
	if (!terms || !df) {
		fprintf(stderr, "idf-build: out of memory\n");
		return 1;
	}
	size_t k = 0;
	for (size_t i = 0; i < c.cap; i++)
		if (c.keys[i]) {
			terms[k] = c.keys[i];
			df[k++] = c.df[i];
		}
	int rc = idf_save(out, name, c.docs, terms, df, k);
	if (rc) {
		fprintf(stderr, "idf-build: %s: %s\n", out, idf_strerror(rc));
		return 1;
	}
	fprintf(stderr, "idf-build: %u documents, %zu terms, wrote %s (%s)\n", c.docs, k, out,
	        name);
	free(terms);
	free(df);
	free(c.keys);
	free(c.df);
	free(c.seen);
	terms_free(&t);
	return 0;
}
