/*
 * utf8: strict UTF-8 decoding, validation and repair (see utf8.h).
 *
 * The decoder follows the well-formed byte sequences of Unicode's Table 3-7
 * exactly: a lead byte fixes how many continuation bytes follow and, for
 * E0, ED, F0 and F4, a narrower range for the first of them; that narrower
 * range is what rules out overlong forms, surrogates and code points above
 * U+10FFFF without decoding first and checking afterwards. When a sequence
 * breaks, the decoder stops at the first byte that cannot continue it, so
 * the bytes consumed are exactly the "maximal subpart" that repair replaces
 * with one U+FFFD and the offending byte is examined again as a possible
 * lead. C0, C1 and F5..FF can never appear and are one subpart each.
 *
 * Validation and repair scan ASCII eight bytes at a time; most news text is
 * mostly ASCII, so the multi-byte decoder runs only where it is needed.
 */
#include "utf8.h"

#include <errno.h>
#include <string.h>

int32_t utf8_next(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = *i;
	if (k >= n)
		return -1;
	unsigned c = p[k++];
	if (c < 0x80) {
		*i = k;
		return (int32_t)c;
	}
	unsigned need, lo = 0x80, hi = 0xBF;
	int32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = (int32_t)(c & 0x1F);
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = (int32_t)(c & 0x0F);
		if (c == 0xE0)
			lo = 0xA0; /* below: overlong */
		else if (c == 0xED)
			hi = 0x9F; /* above: surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = (int32_t)(c & 0x07);
		if (c == 0xF0)
			lo = 0x90; /* below: overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above: beyond U+10FFFF */
	} else {
		*i = k; /* a continuation byte, C0, C1 or F5..FF */
		return -1;
	}
	for (unsigned j = 0; j < need; j++) {
		if (k >= n) {
			*i = k; /* truncated at the end of the input */
			return -1;
		}
		unsigned b = p[k];
		if (b < lo || b > hi) {
			*i = k; /* b is not consumed: it may start the next sequence */
			return -1;
		}
		cp = (cp << 6) | (int32_t)(b & 0x3F);
		lo = 0x80;
		hi = 0xBF;
		k++;
	}
	*i = k;
	return cp;
}

size_t utf8_encode(int32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = UTF8_REPLACEMENT; /* not a scalar value: never emit ill-formed bytes */
	uint32_t u = (uint32_t)cp;
	if (u < 0x80) {
		o[0] = (unsigned char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (unsigned char)(0xC0 | (u >> 6));
		o[1] = (unsigned char)(0x80 | (u & 0x3F));
		return 2;
	}
	if (u < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (u >> 12));
		o[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (u & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (u >> 18));
	o[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (u & 0x3F));
	return 4;
}

/* Index of the first non-ASCII byte in s[i..n), or n. */
static size_t skip_ascii(const char *s, size_t n, size_t i)
{
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
		i += 8;
	}
	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	return i;
}

bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		i = skip_ascii(s, n, i);
		if (i >= n)
			return true;
		if (utf8_next(s, n, &i) < 0)
			return false;
	}
}

int utf8_repair(struct buf *out, const char *s, size_t n, size_t *replaced)
{
	static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
	size_t count = 0, run = 0, i = 0;
	if (replaced)
		*replaced = 0;
	if (buf_reserve(out, n))
		return -ENOMEM;
	out->p[out->len] = 0;
	if (n == 0)
		return 0;
	while (i < n) {
		i = skip_ascii(s, n, i);
		if (i >= n)
			break;
		size_t at = i;
		if (utf8_next(s, n, &i) >= 0)
			continue;
		if (buf_append(out, s + run, at - run) || buf_append(out, fffd, 3))
			return -ENOMEM;
		run = i;
		count++;
	}
	if (buf_append(out, s + run, n - run))
		return -ENOMEM;
	if (replaced)
		*replaced = count;
	return 0;
}
