/*
 * ner-tag: write a CoNLL-format file back with the tagger's predictions.
 *
 *     ner-tag [--model MODEL] [FILE|-]
 *     ner-tag [--model MODEL] --text [FILE|-]
 *
 * The input's tokens are the first column of each line, with blank lines
 * between sentences; every input line is written back unchanged with one
 * more column, the predicted IOB tag, so any CoNLL scorer can compare the
 * gold column (if there is one) with it. With --text the input is plain
 * text instead: it is split into sentences and tokens by the pipeline's own
 * segmenter and each token is written as "token tag".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ner.h"
#include "seg.h"
#include "tagger.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ner-tag [--model MODEL] [--text] [FILE|-]\n"
	        "  --model MODEL  the tagger model (default %s)\n"
	        "  --text         the input is plain text, not CoNLL columns\n"
	        "Writes to standard output; FILE defaults to standard input.\n",
	        ner_default_model());
}

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (!r) {
			b[n] = 0;
			*len = n;
			return b;
		}
	}
	free(b);
	return NULL;
}

struct sent {
	struct tagger_tok *toks;
	uint8_t *tags;
	const char **lines; /* CoNLL mode: each token's whole line */
	size_t *line_len;
	size_t n, cap;
};

static int sent_push(struct sent *s, const char *tok, size_t tlen, const char *line, size_t llen)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 128;
		struct tagger_tok *t = realloc(s->toks, cap * sizeof *t);
		if (t)
			s->toks = t;
		uint8_t *g = realloc(s->tags, cap);
		if (g)
			s->tags = g;
		const char **l = realloc(s->lines, cap * sizeof *l);
		if (l)
			s->lines = l;
		size_t *ll = realloc(s->line_len, cap * sizeof *ll);
		if (ll)
			s->line_len = ll;
		if (!t || !g || !l || !ll)
			return -1;
		s->cap = cap;
	}
	s->toks[s->n] = (struct tagger_tok){tok, tlen};
	s->lines[s->n] = line;
	s->line_len[s->n] = llen;
	s->n++;
	return 0;
}

static int flush(struct tagger *t, struct sent *s, bool text)
{
	if (!s->n)
		return 0;
	if (tagger_tag(t, s->toks, s->n, s->tags))
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		if (text)
			printf("%.*s %s\n", (int)s->toks[i].len, s->toks[i].s,
			       tagger_tag_name(s->tags[i]));
		else
			printf("%.*s %s\n", (int)s->line_len[i], s->lines[i],
			       tagger_tag_name(s->tags[i]));
	}
	printf("\n");
	s->n = 0;
	return 0;
}

int main(int argc, char **argv)
{
	const char *model = ner_default_model(), *file = NULL;
	bool text = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--model") && v) {
			model = v;
			i++;
		} else if (!strcmp(a, "--text")) {
			text = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ner-tag: unknown option or missing value: '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "ner-tag: one file only ('%s')\n", a);
			return 2;
		}
	}
	struct tagger *t;
	int rc = tagger_load(model, ner_rules_lexicon(), &t);
	if (rc) {
		fprintf(stderr, "ner-tag: model %s: %s\n", model, tagger_strerror(rc));
		return 1;
	}
	FILE *in = !file || !strcmp(file, "-") ? stdin : fopen(file, "rb");
	if (!in) {
		fprintf(stderr, "ner-tag: cannot open %s\n", file);
		tagger_free(t);
		return 1;
	}
	size_t len;
	char *b = slurp(in, &len);
	if (in != stdin)
		fclose(in);
	if (!b) {
		fprintf(stderr, "ner-tag: cannot read %s\n", file ? file : "standard input");
		tagger_free(t);
		return 1;
	}
	struct sent s = {0};
	int status = 0;
	if (text) {
		struct seg_doc d;
		seg_doc_init(&d);
		if (seg_split(&d, b, len))
			status = 1;
		for (size_t k = 0; !status && k < d.nsents; k++) {
			const struct seg_sentence *st = &d.sents[k];
			for (uint32_t i = st->tok_begin; i < st->tok_end && !status; i++)
				status = sent_push(&s, b + d.toks[i].start, d.toks[i].len, NULL, 0)
				             ? 1
				             : 0;
			if (!status && flush(t, &s, true))
				status = 1;
		}
		seg_doc_free(&d);
	} else {
		size_t pos = 0;
		while (pos < len && !status) {
			size_t e = pos;
			while (e < len && b[e] != '\n')
				e++;
			size_t le = e;
			while (le > pos &&
			       (b[le - 1] == '\r' || b[le - 1] == ' ' || b[le - 1] == '\t'))
				le--;
			if (le == pos) {
				status = flush(t, &s, false) ? 1 : 0;
			} else {
				size_t te = pos;
				while (te < le && b[te] != ' ' && b[te] != '\t')
					te++;
				status =
				    sent_push(&s, b + pos, te - pos, b + pos, le - pos) ? 1 : 0;
			}
			pos = e + 1;
		}
		if (!status && flush(t, &s, false))
			status = 1;
	}
	if (status)
		fprintf(stderr, "ner-tag: out of memory\n");
	free(s.toks);
	free(s.tags);
	free(s.lines);
	free(s.line_len);
	free(b);
	tagger_free(t);
	return status;
}
