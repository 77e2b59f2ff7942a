/*
 * terms: the words of a sentence as the summary sees them.
 *
 * terms_tokenize() splits text into lower-cased word tokens: a word is a run
 * of letters, marks and digits; an apostrophe or hyphen between two such
 * characters stays inside it ("don't", "long-term"), typographic
 * apostrophes become "'", and a final "'s" is cut. Each token is a content
 * word (two or more characters with a letter, not an English stop word), a
 * stop word or a number. A content word also gets its term: the 64-bit hash
 * of its Snowball (Porter2) English stem, so "talks", "talked" and "talk"
 * are one term. Workers send these terms per sentence; the sink's
 * similarities, title overlap and keyword weights use the same ones.
 *
 * A struct terms owns a stemmer and scratch buffers that grow only, so
 * tokenizing allocates nothing per token once warm. Not thread-safe: one
 * per thread.
 */
#ifndef ND_TERMS_H
#define ND_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum terms_kind { TERMS_CONTENT, TERMS_STOP, TERMS_NUMBER };

struct terms_tok {
	size_t off, len; /* the lower-cased word: low[off .. off + len) */
	uint64_t term;   /* stem hash (content words), else the word's hash */
	int kind;        /* enum terms_kind */
	bool brk;        /* punctuation between this token and the previous one */
};

struct sb_stemmer;

struct terms {
	struct sb_stemmer *stemmer;
	bool no_stem; /* set: content words get the hash of the word, unstemmed
	                 (for a caller that has their terms already) */
	char *low;    /* the lower-cased words, back to back */
	size_t lowlen, lowcap;
	struct terms_tok *toks;
	size_t ntoks, captoks;
};

/* 0, or -ENOMEM (the stemmer could not be created). */
int terms_init(struct terms *t);
void terms_free(struct terms *t);

/* Tokenize s[0..n) into t->toks (replacing the last call's). 0 or -ENOMEM. */
int terms_tokenize(struct terms *t, const char *s, size_t n);

/* Whether the lower-cased word s[0..n) is an English stop word. */
bool terms_is_stop(const char *s, size_t n);

/* The hash used for terms (64-bit FNV-1a). */
uint64_t terms_hash(const char *s, size_t n);

#endif
