/* sentkind: see sentkind.h. */
#include "sentkind.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static bool tok_ieq(const struct seg_doc *d, uint32_t i, const char *w)
{
	size_t n = strlen(w);
	if (d->toks[i].len != n)
		return false;
	const char *s = d->text + d->toks[i].start;
	for (size_t k = 0; k < n; k++) {
		char c = s[k];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[k])
			return false;
	}
	return true;
}

/* Whether the sentence's text contains needle (ASCII, exact case). */
static bool contains(const struct seg_doc *d, const struct seg_sentence *st, const char *needle)
{
	size_t n = strlen(needle), len = st->end - st->start;
	const char *s = d->text + st->start;
	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, n))
			return true;
	return false;
}

static bool is_byline(const struct seg_doc *d, const struct seg_sentence *st)
{
	uint32_t b = st->tok_begin, e = st->tok_end;
	if (e - b >= 3 && tok_ieq(d, b + 1, "by") &&
	    (tok_ieq(d, b, "reporting") || tok_ieq(d, b, "writing") || tok_ieq(d, b, "editing") ||
	     tok_ieq(d, b, "compiled")) &&
	    st->words <= 25)
		return true;
	if (e - b >= 4 && tok_ieq(d, b, "additional") && tok_ieq(d, b + 1, "reporting") &&
	    tok_ieq(d, b + 2, "by"))
		return true;
	if (e - b < 2 || st->words > 12 || !tok_ieq(d, b, "by"))
		return false;
	/* "By" then names: capitalised words, joiners and punctuation only. */
	bool name = false;
	for (uint32_t i = b + 1; i < e; i++) {
		const struct seg_token *t = &d->toks[i];
		if (t->kind == SEG_TOK_WORD) {
			if (t->flags & (SEG_TF_CAP | SEG_TF_UPPER))
				name = true;
			else if (!tok_ieq(d, i, "and") && !tok_ieq(d, i, "in") &&
			         !tok_ieq(d, i, "de") && !tok_ieq(d, i, "van") &&
			         !tok_ieq(d, i, "von"))
				return false;
		} else if (t->kind == SEG_TOK_PUNCT) {
			if (d->text[t->start] != ',' && d->text[t->start] != '|' &&
			    d->text[t->start] != '-' && d->text[t->start] != '.')
				return false;
		} else if (t->kind != SEG_TOK_SYMBOL) {
			return false;
		}
	}
	return name;
}

static bool is_caption(const struct seg_doc *d, const struct seg_sentence *st)
{
	uint32_t b = st->tok_begin, e = st->tok_end;
	static const char *const heads[] = {"photo",   "image",    "picture",      "caption",
	                                    "credit",  "pictured", "illustration", "photograph",
	                                    "graphic", "photos"};
	if (e - b >= 2 && d->toks[b + 1].len == 1 && d->text[d->toks[b + 1].start] == ':')
		for (size_t k = 0; k < sizeof heads / sizeof heads[0]; k++)
			if (tok_ieq(d, b, heads[k]))
				return true;
	if (e - b >= 2 && d->toks[b].len == 1 && d->text[d->toks[b].start] == '(' &&
	    (tok_ieq(d, b + 1, "photo") || tok_ieq(d, b + 1, "photograph")))
		return true;
	if (st->words > 25)
		return false;
	static const char *const credits[] = {"Getty Images", "AP Photo",      "Shutterstock",
	                                      "Photo by",     "Photograph by", "Image credit",
	                                      "Photo credit", "Pool via",      "AFP via"};
	for (size_t k = 0; k < sizeof credits / sizeof credits[0]; k++)
		if (contains(d, st, credits[k]))
			return true;
	return false;
}

/* Whether the sentence ends like a sentence: . ! ? … possibly followed by
 * closing quotes or brackets. */
static bool ends_whole(const struct seg_doc *d, const struct seg_sentence *st)
{
	for (uint32_t i = st->tok_end; i-- > st->tok_begin;) {
		const struct seg_token *t = &d->toks[i];
		const char *s = d->text + t->start;
		if (t->kind == SEG_TOK_QUOTE || (t->flags & SEG_TF_CLOSE))
			continue;
		if (t->kind == SEG_TOK_PUNCT)
			return s[0] == '.' || s[0] == '!' || s[0] == '?' ||
			       (t->len == 3 && !memcmp(s, "\xE2\x80\xA6", 3));
		/* An abbreviation's own period ends a sentence too ("U.S."). */
		return (t->flags & SEG_TF_ABBREV) != 0;
	}
	return false;
}

static bool ends_colon(const struct seg_doc *d, const struct seg_sentence *st)
{
	if (st->tok_end == st->tok_begin)
		return false;
	const struct seg_token *t = &d->toks[st->tok_end - 1];
	return t->kind == SEG_TOK_PUNCT && d->text[t->start] == ':';
}

static bool starts_lower(const struct seg_doc *d, const struct seg_sentence *st)
{
	for (uint32_t i = st->tok_begin; i < st->tok_end; i++) {
		const struct seg_token *t = &d->toks[i];
		if (t->kind == SEG_TOK_QUOTE || (t->flags & SEG_TF_OPEN))
			continue;
		unsigned char c = (unsigned char)d->text[t->start];
		return t->kind == SEG_TOK_WORD && c >= 'a' && c <= 'z';
	}
	return false;
}

void sentkind_mark(struct seg_doc *d)
{
	for (size_t i = 0; i < d->nsents; i++) {
		struct seg_sentence *st = &d->sents[i];
		/* A line standing alone may be a heading and a byline or a
		 * caption at once. */
		if (is_byline(d, st))
			st->flags |= SEG_SF_BYLINE;
		else if (is_caption(d, st))
			st->flags |= SEG_SF_CAPTION;
		else if (st->flags & SEG_SF_HEADING)
			continue;
		else if (st->words < 3 || (st->words < 8 && !ends_whole(d, st)) ||
		         ends_colon(d, st) || starts_lower(d, st))
			st->flags |= SEG_SF_FRAGMENT;
	}
}
