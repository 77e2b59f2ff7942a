/*
 * ner_tagger: the trained tagger (tagger.h) behind the ner interface.
 *
 * Per document: every sentence that is not a heading is handed to the
 * tagger as its tokens, after the typographic marks the training data
 * never spells that way are mapped to its ASCII forms (curly quotes to ",
 * the curly apostrophe of a clitic to ', dashes to --), so "Putin’s" and
 * "Putin's" tag alike. Chunks of the IOB output become PERSON, ORG, LOC
 * and MISC mentions. DATE, MONEY and PERCENT come from the rule-based
 * extractor run over the same document; a rule mention that overlaps a
 * tagged one is dropped. A one-word mention of a word that the rule lists
 * know only as a person's name is a person, whatever type the context
 * suggested; a name that runs into a multi-word title the lists know is
 * cut where the title starts. Scratch arrays grow only with the largest
 * document seen, so tagging allocates nothing per token.
 */
#define _GNU_SOURCE
#include "ner.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tagger.h"

struct ntag {
	struct ner_extractor base; /* first: the interface's header */
	struct tagger *tagger;
	struct ner_extractor *rules;
	struct ner_mentions rm;  /* the rules' mentions of the current doc */
	struct ner_mentions tm;  /* the tagger's */
	struct tagger_tok *toks; /* one sentence */
	uint8_t *tags;
	size_t cap;
	char name[80];
};

/* The ASCII spelling the training data uses for a token, or NULL when the
 * token is its own. */
static const char *ascii_form(const struct seg_doc *doc, const struct seg_token *t, size_t *len)
{
	const unsigned char *s = (const unsigned char *)doc->text + t->start;
	if (t->len < 2 || s[0] < 0x80)
		return NULL;
	if (t->kind == SEG_TOK_QUOTE) {
		/* ‘ ’ are single quotes; “ ” « » double. */
		bool single =
		    t->len == 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x98 || s[2] == 0x99);
		*len = 1;
		return single ? "'" : "\"";
	}
	if (t->kind == SEG_TOK_PUNCT && t->len == 3 && s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] == 0x93 || s[2] == 0x94)) {
		*len = 2;
		return "--";
	}
	if (t->kind != SEG_TOK_CLITIC)
		return NULL;
	/* ’s ’re ’ve ’ll ’d ’m: the curly apostrophe is three bytes. */
	if (t->len >= 4 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x99) {
		static const char *const forms[] = {"'s", "'re", "'ve", "'ll", "'d", "'m", "'S"};
		for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
			if (strlen(forms[k]) == t->len - 2 &&
			    !memcmp(forms[k] + 1, s + 3, t->len - 3)) {
				*len = t->len - 2;
				return forms[k];
			}
	}
	return NULL;
}

static int reserve(struct ntag *x, size_t n)
{
	if (n <= x->cap)
		return 0;
	size_t cap = x->cap ? x->cap : 64;
	while (cap < n)
		cap *= 2;
	struct tagger_tok *toks = realloc(x->toks, cap * sizeof *toks);
	if (toks)
		x->toks = toks;
	uint8_t *tags = realloc(x->tags, cap);
	if (tags)
		x->tags = tags;
	if (!toks || !tags)
		return -ENOMEM;
	x->cap = cap;
	return 0;
}

static int push(struct ner_mentions *m, const struct ner_mention *v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct ner_mention *nv = realloc(m->v, cap * sizeof *nv);
		if (!nv)
			return -ENOMEM;
		m->v = nv;
		m->cap = cap;
	}
	m->v[m->n++] = *v;
	return 0;
}

/* Tag one sentence and append its chunks to x->tm. */
static int tag_sentence(struct ntag *x, const struct seg_doc *doc, uint32_t si)
{
	const struct seg_sentence *st = &doc->sents[si];
	size_t n = st->tok_end - st->tok_begin;
	if (!n || (st->flags & SEG_SF_HEADING))
		return 0;
	if (reserve(x, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct seg_token *t = &doc->toks[st->tok_begin + i];
		size_t len;
		const char *a = ascii_form(doc, t, &len);
		x->toks[i].s = a ? a : doc->text + t->start;
		x->toks[i].len = a ? len : t->len;
	}
	if (tagger_tag(x->tagger, x->toks, n, x->tags))
		return -ENOMEM;
	for (size_t i = 0; i < n;) {
		int cls = TAGGER_TAG_CLASS(x->tags[i]);
		if (!cls) {
			i++;
			continue;
		}
		size_t e = i + 1;
		while (e < n && !TAGGER_TAG_IS_B(x->tags[e]) && TAGGER_TAG_CLASS(x->tags[e]) == cls)
			e++;
		size_t next = e;
		/* A name that runs into a title is cut where the title starts:
		 * "U.S. National Security | Adviser Mike Waltz" is "U.S.". */
		for (size_t j = i + 1; j < e && cls != 1; j++) {
			size_t k = ner_rules_title_at(x->toks + j, n - j);
			if (k && j + k > e) {
				e = j;
				break;
			}
		}
		const struct seg_token *a = &doc->toks[st->tok_begin + i];
		const struct seg_token *b = &doc->toks[st->tok_begin + e - 1];
		/* A lone word the lists know only as a person's name is one,
		 * whatever its context suggested ("the Biden administration"). */
		if (e == i + 1 && cls != 1 && ner_rules_person_word(x->toks[i].s, x->toks[i].len))
			cls = 1;
		struct ner_mention m = {
		    .tok_begin = st->tok_begin + (uint32_t)i,
		    .tok_end = st->tok_begin + (uint32_t)e,
		    .start = a->start,
		    .end = b->start + b->len,
		    .sentence = si,
		    .type = (uint32_t)cls, /* PER, ORG, LOC, MISC share their values */
		};
		if (push(&x->tm, &m))
			return -ENOMEM;
		i = next;
	}
	return 0;
}

static int ntag_extract(struct ner_extractor *base, const struct seg_doc *doc,
                        struct ner_mentions *out)
{
	struct ntag *x = (struct ntag *)base;
	x->tm.n = 0;
	int rc = ner_extract(x->rules, doc, &x->rm);
	if (rc)
		return rc;
	for (uint32_t si = 0; si < doc->nsents; si++)
		if ((rc = tag_sentence(x, doc, si)))
			return rc;
	/* Merge in text order: the tagged mentions, and the rules' numeric
	 * ones that overlap none of them. */
	out->n = 0;
	size_t i = 0, j = 0;
	while (i < x->tm.n || j < x->rm.n) {
		const struct ner_mention *r = j < x->rm.n ? &x->rm.v[j] : NULL;
		if (r && r->type < NER_DATE) {
			j++;
			continue;
		}
		const struct ner_mention *t = i < x->tm.n ? &x->tm.v[i] : NULL;
		if (t && (!r || t->tok_begin <= r->tok_begin)) {
			/* Drop rule mentions this one overlaps. */
			if ((rc = push(out, t)))
				return rc;
			i++;
			while (j < x->rm.n && x->rm.v[j].tok_begin < t->tok_end)
				j++;
		} else {
			if (t && r->tok_end > t->tok_begin) {
				j++; /* overlaps the next tagged mention */
				continue;
			}
			if ((rc = push(out, r)))
				return rc;
			j++;
		}
	}
	return 0;
}

static void ntag_close(struct ner_extractor *base)
{
	struct ntag *x = (struct ntag *)base;
	tagger_free(x->tagger);
	ner_close(x->rules);
	ner_mentions_free(&x->rm);
	ner_mentions_free(&x->tm);
	free(x->toks);
	free(x->tags);
	free(x);
}

static const struct ner_ops ntag_ops = {
    .extract = ntag_extract,
    .close = ntag_close,
};

int ner_tagger_open(const char *model, struct ner_extractor **out, char *err, size_t errlen)
{
	*out = NULL;
	struct ntag *x = calloc(1, sizeof *x);
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = tagger_load(model, ner_rules_lexicon(), &x->tagger);
	if (rc) {
		snprintf(err, errlen, "entity model %s: %s", model, tagger_strerror(rc));
		free(x);
		return rc == TAGGER_ENOMEM ? -ENOMEM : -EINVAL;
	}
	if ((rc = ner_rules_open(&x->rules))) {
		snprintf(err, errlen, "rule lists: out of memory");
		tagger_free(x->tagger);
		free(x);
		return rc;
	}
	snprintf(x->name, sizeof x->name, "%s+%s", tagger_version(x->tagger), ner_name(x->rules));
	x->base.ops = &ntag_ops;
	x->base.name = x->name;
	*out = &x->base;
	return 0;
}

static bool readable(const char *p)
{
	return access(p, R_OK) == 0;
}

const char *ner_default_model(void)
{
	static char path[PATH_MAX + 64];
	return nd_model_path(TAGGER_MODEL_FILE, path, sizeof path);
}

const char *nd_model_path(const char *file, char *path, size_t cap)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			/* Installed: <prefix>/bin/x and <prefix>/share/newsdigest/models. */
			snprintf(path, cap, "%s/../share/newsdigest/models/%s", exe, file);
			if (readable(path))
				return path;
			/* A build tree: <repo>/<build>/bin/x and <repo>/models. */
			snprintf(path, cap, "%s/../../models/%s", exe, file);
			if (readable(path))
				return path;
		}
	}
	snprintf(path, cap, "%s/%s", ND_MODEL_DIR, file);
	return path;
}

int ner_open(const char *model, struct ner_extractor **out, char *err, size_t errlen)
{
	if (model && strcmp(model, "rules") == 0) {
		int rc = ner_rules_open(out);
		if (rc)
			snprintf(err, errlen, "rule lists: out of memory");
		return rc;
	}
	return ner_tagger_open(model && *model ? model : ner_default_model(), out, err, errlen);
}
