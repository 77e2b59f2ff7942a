/*
 * seg: tokenizer and sentence splitter for news text.
 *
 * seg_split() turns (normalised, valid UTF-8) text into tokens and
 * sentences in one pass, with byte offsets into the caller's text (which it
 * does not copy and must outlive the doc). It must never crash or read out
 * of bounds on any input, including invalid UTF-8 and binary junk.
 *
 * Tokens: words (letters, digits inside words, internal hyphens and
 * apostrophes: "well-known", "O'Brien"), clitics split off as their own
 * tokens ("Putin’s" -> "Putin" "’s"; "don't" -> "do" "n't"; straight and
 * typographic apostrophes alike), numbers (with internal , . : / as in
 * "4,000", "3.5", "10:30", "2/3"), abbreviations and initials kept whole
 * with their periods ("U.S.", "Gen.", "Mr.", "F.", "p.m."), quotes
 * (" ' “ ” ‘ ’ « » as opening or closing), symbols ($ € £ % & @ #) and
 * punctuation (each . , ; : ! ? ( ) [ ] — – - … as its own token, "..." as
 * one token).
 *
 * Sentences: a sentence ends at . ! ? … (with any closing quotes and
 * brackets after them) when the next token can start a sentence; not after
 * abbreviations such as Mr. Gen. St. or initials followed by a name; not
 * inside decimals. A known abbreviation like "U.S." or "Inc." ends a
 * sentence only when the next word is a typical sentence opener ("The",
 * "He", ...). Line structure matters: a blank line always ends a sentence;
 * a single newline ends one when the line before ends in terminal
 * punctuation or is a heading, otherwise the lines are joined (hard-wrapped
 * text).
 *
 * Line classes: a line that is boilerplate ("Leave A Comment", "Share this",
 * "Advertisement", "Read more", ...; matched case-insensitively, ignoring
 * punctuation and digits) produces no tokens and no sentence; it is counted
 * in doc->boilerplate_lines. A line without terminal punctuation of at most
 * SEG_HEADING_MAX_WORDS words whose words are mostly capitalised (or that
 * stands alone between blank lines) is a heading: it becomes one sentence
 * flagged SEG_SF_HEADING.
 *
 * In more detail (seg.c's opening comment has the whole of it): a text
 * with no sign of hard wrapping (no line that ends in a comma or a word like
 * "the", or is followed by a line starting in lower case) is taken as one
 * paragraph per line, so there every single newline ends a sentence unless
 * the next line starts in lower case or the line ends in a comma, a dash or
 * a title abbreviation ("Gen."). A mostly capitalised line is a heading
 * only if the line before it does not leave a sentence open and the line
 * after it does not start in lower case. Sentence flags: SEG_SF_QUOTE marks
 * three or more words inside quotes (or a quote that runs on across the
 * sentence boundary), not a quoted single term; SEG_SF_NUMBER a token
 * starting with a digit; SEG_SF_PARA_START the first sentence of the text,
 * after a blank line, a heading or a line break that ends a paragraph.
 */
#ifndef ND_SEG_H
#define ND_SEG_H

#include <stddef.h>
#include <stdint.h>

#define SEG_HEADING_MAX_WORDS 14

enum seg_tok_kind {
	SEG_TOK_WORD = 1, /* letters (and digits inside words), abbreviations */
	SEG_TOK_NUMBER,   /* digits with internal , . : / */
	SEG_TOK_PUNCT,
	SEG_TOK_QUOTE,
	SEG_TOK_SYMBOL,
	SEG_TOK_CLITIC, /* ’s 's n't ’ve 're 'll 'd 'm */
};

enum seg_tok_flag {
	SEG_TF_CAP = 1 << 0,        /* first character is an upper-case letter */
	SEG_TF_UPPER = 1 << 1,      /* has letters, all upper case ("NATO", "U.S.") */
	SEG_TF_ABBREV = 1 << 2,     /* ends with a period that belongs to it */
	SEG_TF_SENT_START = 1 << 3, /* first token of its sentence */
	SEG_TF_LINE_START = 1 << 4, /* first token of a line */
	SEG_TF_DIGIT = 1 << 5,      /* contains a digit */
	SEG_TF_OPEN = 1 << 6,       /* an opening quote or bracket */
	SEG_TF_CLOSE = 1 << 7,      /* a closing quote or bracket */
	SEG_TF_HYPHEN = 1 << 8,     /* a word with an internal hyphen */
};

struct seg_token {
	uint32_t start; /* byte offset in the text */
	uint32_t len;   /* bytes */
	uint16_t kind;  /* enum seg_tok_kind */
	uint16_t flags; /* enum seg_tok_flag bits */
};

enum seg_sent_flag {
	SEG_SF_HEADING = 1, /* same bits as the wire's SentenceFlag */
	SEG_SF_QUOTE = 2,
	SEG_SF_PARA_START = 4,
	SEG_SF_NUMBER = 8,
	/* Set by sentkind_mark() (sentkind.h), not by seg_split(). */
	SEG_SF_BYLINE = 16,
	SEG_SF_CAPTION = 32,
	SEG_SF_FRAGMENT = 64,
};

struct seg_sentence {
	uint32_t start, end;         /* bytes [start, end), trimmed of spaces */
	uint32_t tok_begin, tok_end; /* tokens [tok_begin, tok_end) */
	uint32_t words;              /* word and number tokens */
	uint32_t flags;              /* enum seg_sent_flag bits */
};

/* Results of one seg_split(); the arrays are reused by the next call, so a
 * worker allocates only while documents grow. */
struct seg_doc {
	const char *text;
	size_t len;
	struct seg_token *toks;
	size_t ntoks, cap_toks;
	struct seg_sentence *sents;
	size_t nsents, cap_sents;
	size_t boilerplate_lines;
};

void seg_doc_init(struct seg_doc *d);
/* Segment text[0..len). Replaces the doc's previous contents. 0 or -ENOMEM
 * (or -EINVAL for texts of 4 GiB or more). */
int seg_split(struct seg_doc *d, const char *text, size_t len);
void seg_doc_free(struct seg_doc *d);

/* Words in the doc: the sum of words over its sentences. */
size_t seg_words(const struct seg_doc *d);

#endif
