/*
 * tagger: an averaged-perceptron sequence tagger for named entities.
 *
 * Tags are IOB2 over the four CoNLL types (PER, ORG, LOC, MISC): nine tags,
 * O first. Each token's features (word, lower-cased word, shape, affixes,
 * capitalisation at and away from the sentence start, a window of two words
 * and shapes either side) are hashed into a fixed-size table of weights, one
 * weight per tag; the previous tag enters through a tag-to-tag transition
 * matrix, and decoding is Viterbi with the BIO constraint (I-X only after
 * B-X or I-X), so a decoded sequence is always well formed.
 *
 * A model is trained by tagger_train() from a corpus read with
 * tagger_corpus_read(), saved with tagger_save() and read back with
 * tagger_load(); the file is versioned (see tagger.c for its layout) and
 * every failure has a message from tagger_strerror().
 *
 * Tagging allocates only when a sentence is longer than any seen before by
 * the same tagger; a tagger is therefore not safe to share between threads
 * (open one per worker).
 */
#ifndef ND_TAGGER_H
#define ND_TAGGER_H

#include <stddef.h>
#include <stdint.h>

enum tagger_tag {
	TAGGER_O = 0,
	TAGGER_B_PER = 1,
	TAGGER_I_PER = 2,
	TAGGER_B_ORG = 3,
	TAGGER_I_ORG = 4,
	TAGGER_B_LOC = 5,
	TAGGER_I_LOC = 6,
	TAGGER_B_MISC = 7,
	TAGGER_I_MISC = 8,
};
#define TAGGER_NTAGS 9

/* Entity classes of the tags: 0 for O, then PER=1, ORG=2, LOC=3, MISC=4
 * (the same values as enum ner_type's first four). */
#define TAGGER_TAG_CLASS(t) (((t) + 1) / 2)
#define TAGGER_TAG_IS_B(t) ((t) != 0 && ((t)&1))
#define TAGGER_NCLASSES 5

enum tagger_err {
	TAGGER_ENOMEM = -1,
	TAGGER_ENOENT = -2,    /* model or data file missing */
	TAGGER_EIO = -3,       /* read or write failed */
	TAGGER_EMAGIC = -4,    /* not a tagger model */
	TAGGER_EVERSION = -5,  /* a model of another format version */
	TAGGER_ETRUNC = -6,    /* model file shorter than its header says */
	TAGGER_ECORRUPT = -7,  /* checksum mismatch, bad sizes or trailing bytes */
	TAGGER_EFORMAT = -8,   /* a CoNLL line without a known tag */
	TAGGER_EINVAL = -9,    /* bad argument */
	TAGGER_ELEXICON = -10, /* trained with other word lists */
};

/* A message for a tagger_err (or for any other negative value). */
const char *tagger_strerror(int err);

/* "O", "B-PER", ... ; NULL outside the range. */
const char *tagger_tag_name(int tag);
/* The inverse over s[0..len); -1 when unknown. */
int tagger_tag_from_name(const char *s, size_t len);

/* A token to tag: bytes, not NUL-terminated. */
struct tagger_tok {
	const char *s;
	size_t len;
};

struct tagger;

/*
 * Word lists the tagger may use as features (gazetteer membership): the
 * class bits of a word, and the longest multi-word entry at a position.
 * The checksum identifies the lists; a model records the checksum of the
 * lists it was trained with and will not load beside other lists.
 */
/* Set by a lexicon's word() when a multi-word entry may start at the word:
 * only then is phrase() asked. Not a class bit. */
#define TAGGER_LEX_PHRASE (1u << 31)

struct tagger_lexicon {
	/* Class bits of one word as written (0: in no list), plus
	 * TAGGER_LEX_PHRASE. */
	uint32_t (*word)(const void *ctx, const char *s, size_t len);
	/* Tokens (2 or more) of the longest multi-word entry that starts at
	 * toks[0], within toks[0..n); 0 when none. Its class bits in *cls. */
	size_t (*phrase)(const void *ctx, const struct tagger_tok *toks, size_t n, uint32_t *cls);
	const void *ctx;
	uint32_t checksum;
};

/* A fresh, untrained tagger whose table has 2^bits rows (10..24), with
 * lexicon features from lx (NULL: none). */
int tagger_new(unsigned bits, const struct tagger_lexicon *lx, struct tagger **out);
/* Read a model file; lx must be the lists it was trained with (NULL if it
 * was trained without), else TAGGER_ELEXICON. 0 or a tagger_err. The file
 * is mapped read-only and used in place: a loaded model cannot be trained
 * further (TAGGER_EINVAL), and processes loading the same file share its
 * memory. */
int tagger_load(const char *path, const struct tagger_lexicon *lx, struct tagger **out);
/* Write the model to path (through a temporary file, then renamed). */
int tagger_save(const struct tagger *t, const char *path);
/* Safe on NULL. */
void tagger_free(struct tagger *t);
unsigned tagger_bits(const struct tagger *t);
/* The model's name and version as stored in its file ("ner-2"); it is what
 * digests report as their entity model. */
const char *tagger_version(const struct tagger *t);
/* Set it: 1..32 bytes. 0 or TAGGER_EINVAL. */
int tagger_set_version(struct tagger *t, const char *name);

/* The model file's name inside a models folder. */
#define TAGGER_MODEL_FILE "ner.model"

/* Tag n tokens of one sentence into tags[0..n). 0 or TAGGER_ENOMEM. */
int tagger_tag(struct tagger *t, const struct tagger_tok *toks, size_t n, uint8_t *tags);

/*
 * Capitalisation statistics from unlabeled text: for each word, how often
 * it is written capitalised where the position does not force it (not at
 * the start of a sentence, not in an all-capitals headline). A word that
 * is nearly always capitalised is likely a name; one usually written in
 * lower case ("Music", "Newcomers" opening a sentence) is likely not. The
 * classes become part of the model (tagger_set_caps), so the trainer and
 * the tagger see the same ones.
 */
struct tagger_caps;
int tagger_caps_new(struct tagger_caps **out);
/* Count the words of one sentence. 0 or TAGGER_ENOMEM. */
int tagger_caps_add(struct tagger_caps *c, const struct tagger_tok *toks, size_t n);
void tagger_caps_free(struct tagger_caps *c);
/* Give t the classes of the words seen at least min_count times; set it
 * before training. 0 or TAGGER_ENOMEM. */
int tagger_set_caps(struct tagger *t, const struct tagger_caps *c, unsigned min_count);
/* Words with a class in t. */
size_t tagger_caps_size(const struct tagger *t);
/* The class of a word in t: 0 unknown, 1 always lower case, 2 mostly lower,
 * 3 mostly capitalised, 4 always capitalised. */
int tagger_cap_class(const struct tagger *t, const char *s, size_t len);

/* Feature extraction, exposed for tests and tools. */

/* The token's shape: upper-case letters X, lower-case x, digits d, other
 * bytes kept, runs of one class capped at 4 ("Xxxx", "XX", "X.X.",
 * "dddd"); when short is set, runs collapse to one ("Xx", "X", "X.X.",
 * "d"). Writes at most cap-1 bytes and a NUL; returns the length. */
size_t tagger_shape(const char *s, size_t len, int short_form, char *dst, size_t cap);

/* The feature rows (hashed into t's table) of token i of toks[0..n): at
 * most cap values; returns how many were written (0 when out of memory). */
#define TAGGER_MAX_FEATS 48
size_t tagger_features(struct tagger *t, const struct tagger_tok *toks, size_t n, size_t i,
                       uint32_t *rows, size_t cap);

/* Force tags into BIO shape (an I-X that does not follow B-X or I-X becomes
 * B-X). Returns how many tags changed. */
size_t tagger_bio_repair(uint8_t *tags, size_t n);

/* A CoNLL-format corpus: one token per line, the tag in the last column,
 * blank lines between sentences. Everything lives in one text buffer. */
struct tagger_corpus {
	char *text;
	struct tagger_tok *toks;
	uint8_t *tags;      /* gold tags, one per token */
	size_t *sent_begin; /* nsents + 1 offsets into toks */
	size_t ntoks, nsents;
	size_t *line_of;  /* per token, its line's [start] byte in text */
	size_t *line_len; /* per token, its line's length */
};

/* Read path; max_sents (0: all) stops early. 0 or a tagger_err. */
int tagger_corpus_read(const char *path, size_t max_sents, struct tagger_corpus *c);
void tagger_corpus_free(struct tagger_corpus *c);

struct tagger_train_opts {
	unsigned epochs;
	uint64_t seed;
	/* Called after each epoch when set, with t holding the averaged model
	 * so far (it may tag with t, e.g. to score a development set). */
	void (*epoch_cb)(struct tagger *t, unsigned epoch, size_t mistakes, size_t tokens,
	                 void *arg);
	void *arg;
};

/* Train t on sentences [0, c->nsents) of c; deterministic for the same
 * corpus, table size and options. 0 or TAGGER_ENOMEM. */
int tagger_train(struct tagger *t, const struct tagger_corpus *c,
                 const struct tagger_train_opts *opts);

/* conlleval-style chunk counts: a chunk starts at B-X, or at I-X not
 * preceded by a tag of type X; a chunk is correct only when span and type
 * both match. Index 0 holds the overall counts, 1..4 the classes. */
struct tagger_score {
	size_t gold[TAGGER_NCLASSES], pred[TAGGER_NCLASSES], correct[TAGGER_NCLASSES];
	size_t tokens, tokens_correct;
};

/* Add the chunks of one sentence (gold and predicted tags over n tokens). */
void tagger_score_add(struct tagger_score *s, const uint8_t *gold, const uint8_t *pred, size_t n);
/* Precision, recall and F1 in percent for class k (0: overall). */
void tagger_score_prf(const struct tagger_score *s, int k, double *p, double *r, double *f);

#endif
