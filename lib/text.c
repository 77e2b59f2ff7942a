/*
 * text: normalisation of article text (see text.h for what is normalised).
 *
 * Three steps, each linear:
 *   1. repair: if the input is not valid UTF-8, utf8_repair() copies it with
 *      every maximal invalid subpart replaced by U+FFFD; valid input (the
 *      usual case) is used in place.
 *   2. clean: one pass over the code points writes the result into `out`,
 *      mapping line breaks and spaces, dropping control and format
 *      characters, and collapsing white space. White space is never written
 *      eagerly: a run of spaces and newlines is remembered as "pending" and
 *      written (as one space, or one or two newlines) only when the next
 *      visible character arrives, which trims line ends, line starts and
 *      both ends of the text for free. The output is never longer than the
 *      input, so the pass writes into memory reserved once.
 *   3. NFC: only when the cleaned text holds a code point outside ASCII,
 *      Latin-1, the Latin extensions, general punctuation and currency
 *      signs (all NFC whatever surrounds them, see nfc_stable()),
 *      utf8proc_map(STABLE | COMPOSE) composes it. Cleaning
 *      first means a zero-width character between a letter and its
 *      combining accent cannot block composition; NFC never introduces
 *      spaces, controls or newlines, so the result of step 2 stays clean.
 *
 * Invariants of the output: valid UTF-8 in NFC; no byte below 0x20 except
 * '\n'; no DEL or C1 controls; no two consecutive spaces, no space next to
 * a newline, at most two consecutive newlines; no white space at either
 * end. Running text_normalize() on its own output changes nothing.
 *
 * Limits: zero-width joiners and non-joiners are removed like the other
 * format characters, which splits emoji ZWJ sequences and changes the
 * rendering of some Persian and Indic words; for English news text these
 * characters are almost always scraping debris. Compatibility forms
 * (ligatures, full-width letters) are kept: NFKC would also rewrite
 * characters a verbatim quote must keep.
 */
#include "text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

enum { CH_KEEP, CH_SPACE, CH_NEWLINE, CH_PARA, CH_DROP };

/* What to do with a non-ASCII code point. */
static int classify(int32_t cp)
{
	switch (cp) {
	case 0x85:   /* NEXT LINE */
	case 0x2028: /* LINE SEPARATOR */
		return CH_NEWLINE;
	case 0x2029: /* PARAGRAPH SEPARATOR */
		return CH_PARA;
	case 0xA0:
		return CH_SPACE;
	/* Format characters that are visible (prepended concatenation marks)
	 * or that build emoji tag sequences stay. */
	case 0x0600:
	case 0x0601:
	case 0x0602:
	case 0x0603:
	case 0x0604:
	case 0x0605:
	case 0x06DD:
	case 0x070F:
	case 0x0890:
	case 0x0891:
	case 0x08E2:
	case 0x110BD:
	case 0x110CD:
		return CH_KEEP;
	default:
		break;
	}
	if (cp >= 0xE0020 && cp <= 0xE007F)
		return CH_KEEP;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS:
		return CH_SPACE;
	case UTF8PROC_CATEGORY_ZL:
		return CH_NEWLINE;
	case UTF8PROC_CATEGORY_ZP:
		return CH_PARA;
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
		return CH_DROP;
	default:
		return CH_KEEP;
	}
}

/* Whether cp is unchanged by NFC whatever surrounds it: Latin-1 and the
 * Latin extensions (precomposed letters are already NFC, and none of them
 * composes with what precedes it), general punctuation (quotes, dashes)
 * and currency signs. Text made of ASCII and these, which is most English
 * news, skips utf8proc. U+2000 and U+2001, which NFC does change, are
 * spaces and never reach the output. */
static inline bool nfc_stable(int32_t cp)
{
	return (cp >= 0xA0 && cp <= 0x2FF) || (cp >= 0x2010 && cp <= 0x205F) ||
	       (cp >= 0x20A0 && cp <= 0x20CF);
}

struct cleaner {
	char *o;       /* write position */
	bool any;      /* something visible written */
	bool space;    /* a space is pending */
	unsigned nl;   /* newlines pending */
	bool need_nfc; /* a code point NFC may change was written */
	size_t dropped;
};

static inline void flush_ws(struct cleaner *c)
{
	if (c->any) {
		if (c->nl) {
			*c->o++ = '\n';
			if (c->nl > 1)
				*c->o++ = '\n';
		} else if (c->space) {
			*c->o++ = ' ';
		}
	}
	c->nl = 0;
	c->space = false;
	c->any = true;
}

/* Step 2: clean s[0..n) (valid UTF-8) into dst, which has room for n bytes;
 * returns the bytes written. */
static size_t clean(const char *s, size_t n, char *dst, bool *need_nfc, size_t *dropped)
{
	struct cleaner c = {dst, false, false, 0, false, 0};
	size_t i = 0;
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		if (b >= 0x21 && b < 0x7F) {
			/* A run of visible ASCII (a word, mostly) is copied in
			 * one tight loop, white space settled once before it. */
			flush_ws(&c);
			char *o = c.o;
			do {
				*o++ = (char)b;
				if (++i == n)
					break;
				b = (unsigned char)s[i];
			} while (b >= 0x21 && b < 0x7F);
			c.o = o;
			continue;
		}
		if (b < 0x80) {
			i++;
			switch (b) {
			case ' ':
			case '\t':
				if (!c.nl)
					c.space = true;
				break;
			case '\r':
				if (i < n && s[i] == '\n')
					i++;
				/* fall through */
			case '\n':
			case '\v':
			case '\f':
				c.nl++;
				c.space = false;
				break;
			default: /* C0 controls and DEL */
				c.dropped++;
				break;
			}
			continue;
		}
		size_t at = i, next = i; /* not &i: i stays in a register */
		int32_t cp = utf8_next(s, n, &next);
		i = next;
		int what = cp < 0 ? CH_KEEP : classify(cp);
		switch (what) {
		case CH_SPACE:
			if (!c.nl)
				c.space = true;
			break;
		case CH_PARA:
			c.nl++;
			/* fall through */
		case CH_NEWLINE:
			c.nl++;
			c.space = false;
			break;
		case CH_DROP:
			c.dropped++;
			break;
		default:
			flush_ws(&c);
			memcpy(c.o, s + at, i - at);
			c.o += i - at;
			if (!nfc_stable(cp))
				c.need_nfc = true;
			break;
		}
	}
	*need_nfc = c.need_nfc;
	*dropped = c.dropped;
	return (size_t)(c.o - dst);
}

int text_normalize(struct buf *out, const char *in, size_t n, struct text_stats *stats)
{
	struct buf fixed = BUF_INIT;
	struct text_stats st = {0, 0};
	const char *s = in;
	int rc = 0;

	if (n && !utf8_valid(in, n)) {
		if (utf8_repair(&fixed, in, n, &st.invalid_utf8)) {
			rc = -ENOMEM;
			goto done;
		}
		s = fixed.p;
		n = fixed.len;
	}
	buf_reset(out);
	if (buf_reserve(out, n)) {
		rc = -ENOMEM;
		goto done;
	}
	bool need_nfc = false;
	out->len = n ? clean(s, n, out->p, &need_nfc, &st.removed_controls) : 0;
	out->p[out->len] = 0;

	if (need_nfc) {
		utf8proc_uint8_t *nfc = NULL;
		utf8proc_ssize_t r =
		    utf8proc_map((const utf8proc_uint8_t *)out->p, (utf8proc_ssize_t)out->len, &nfc,
		                 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (r == UTF8PROC_ERROR_NOMEM) {
			rc = -ENOMEM;
		} else if (r >= 0) {
			/* Copied, not composed in place: NFC can be longer
			 * than its input (U+0958 stays decomposed, 3 -> 6
			 * bytes), and utf8proc allocates its result anyway. */
			buf_reset(out);
			rc = buf_append(out, nfc, (size_t)r);
		}
		/* Any other error cannot happen on valid UTF-8; the cleaned
		 * text is then kept as it is. */
		free(nfc);
	}
done:
	buf_free(&fixed);
	if (stats)
		*stats = st;
	return rc;
}
