/*
 * ner: named-entity extraction behind one interface.
 *
 * An extractor finds mentions (typed spans of tokens) in a segmented text.
 * Two implementations: rules (ner_rules_open: gazetteers of countries,
 * cities, nationalities, given names, organisation words and titles, plus
 * patterns for dates, money and percentages), and the trained tagger
 * (ner_tagger_open: tagger.h for people, organisations, places and other
 * names, the rules for dates, money and percentages). The worker holds
 * either through the same ops.
 *
 * Conventions every extractor follows:
 *   - headings (SEG_SF_HEADING) yield no mentions;
 *   - titles and roles are not part of a person's mention
 *     ("President Vladimir Putin" -> "Vladimir Putin");
 *   - possessive clitics are not part of a mention (the tokenizer splits
 *     them off already);
 *   - mentions do not overlap and come in text order.
 */
#ifndef ND_NER_H
#define ND_NER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg.h"

/* Values equal the wire's EntityType. */
enum ner_type {
	NER_NONE = 0,
	NER_PERSON = 1,
	NER_ORG = 2,
	NER_LOC = 3,
	NER_MISC = 4,
	NER_DATE = 5,
	NER_MONEY = 6,
	NER_PERCENT = 7,
};
#define NER_NTYPES 8

/* "PERSON", "ORG", "LOC", "MISC", "DATE", "MONEY", "PERCENT"; NULL for others. */
const char *ner_type_name(int type);
/* The inverse; NER_NONE for unknown names. */
int ner_type_from_name(const char *name);

struct ner_mention {
	uint32_t tok_begin, tok_end; /* tokens [tok_begin, tok_end) of the doc */
	uint32_t start, end;         /* bytes [start, end) of the doc's text */
	uint32_t sentence;           /* index into doc->sents */
	uint32_t type;               /* enum ner_type */
};

/* A reusable array of mentions. */
struct ner_mentions {
	struct ner_mention *v;
	size_t n, cap;
};

void ner_mentions_free(struct ner_mentions *m);

struct ner_extractor;

struct ner_ops {
	/* Append the mentions of doc to out (out->n is reset first). */
	int (*extract)(struct ner_extractor *x, const struct seg_doc *doc,
	               struct ner_mentions *out);
	void (*close)(struct ner_extractor *x);
};

/* Every implementation starts its struct with this header. */
struct ner_extractor {
	const struct ner_ops *ops;
	const char *name; /* model name and version, e.g. "rules-1" */
};

/* Open the rule-based extractor. 0 or -ENOMEM. */
int ner_rules_open(struct ner_extractor **out);

/* The rule lists as a lexicon for the tagger's features (tagger.h); built
 * once, shared, read-only. NULL when out of memory. */
struct tagger_lexicon;
const struct tagger_lexicon *ner_rules_lexicon(void);
/* Whether the rule lists know s[0..len) as a person's name and as nothing
 * else ("Biden": yes; "Washington", a city too: no). */
bool ner_rules_person_word(const char *s, size_t len);
/* Tokens of a multi-word title or role the rule lists know ("National
 * Security Adviser", "Foreign Minister") starting at toks[0]; 0 if none. */
struct tagger_tok;
size_t ner_rules_title_at(const struct tagger_tok *toks, size_t n);

/* Open the trained tagger from a model file (tagger.h), with the rules
 * supplying DATE, MONEY and PERCENT. Its name is "<model version>+rules-N".
 * 0, or a negative errno with a message naming the file in err. */
int ner_tagger_open(const char *model, struct ner_extractor **out, char *err, size_t errlen);

/* Where the entity model is when none is named: next to an installed
 * program (<prefix>/share/newsdigest/models/), in the source tree of a
 * build tree's program, else the configured install folder. The path may
 * not exist; opening it then gives a clear error. */
const char *ner_default_model(void);
/* The same search for any file of the models folder, into path[0..cap);
 * returns path. */
const char *nd_model_path(const char *file, char *path, size_t cap);

/* Open the extractor a --model setting names: "rules" for the rule-based
 * one, a model file for the tagger, "" or NULL for ner_default_model(). */
int ner_open(const char *model, struct ner_extractor **out, char *err, size_t errlen);

int ner_extract(struct ner_extractor *x, const struct seg_doc *doc, struct ner_mentions *out);
const char *ner_name(const struct ner_extractor *x);
/* Safe on NULL. */
void ner_close(struct ner_extractor *x);

#endif
