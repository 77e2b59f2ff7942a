/*
 * render: a Digest as the stable JSON form, or as text for a terminal.
 *
 * The JSON is written by hand rather than through a tree so that the key
 * order is exactly the documented one and nothing is allocated but the
 * output. Invariants of render_json's output, whatever the digest holds:
 *   - one line, valid JSON: strings escape '"', '\\' and every control
 *     character (U+0000..U+001F as \n, \t, ... or \u00XX), and U+2028 and
 *     U+2029 too, so the line is also a valid JavaScript literal; non-ASCII
 *     text is kept as UTF-8, and bytes that are not valid UTF-8 become
 *     U+FFFD, so the output is always valid UTF-8;
 *   - numbers are as short as possible while reading back as the same
 *     float (0.71f prints "0.71", not "0.709999979"); NaN and infinities,
 *     which JSON cannot spell, print as 0;
 *   - "error" is null when the digest has none; a missing Stats prints
 *     zeros, a missing string prints "".
 * The text view replaces control characters with spaces so a digest cannot
 * move the terminal's cursor or change its colours.
 */
#include "render.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

static const char *const type_names[] = {
    "NONE", "PERSON", "ORG", "LOC", "MISC", "DATE", "MONEY", "PERCENT",
};

static const char *type_name(int t)
{
	if (t < 0 || (size_t)t >= sizeof type_names / sizeof type_names[0])
		return type_names[0];
	return type_names[t];
}

/* ---- JSON ------------------------------------------------------------- */

static int json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = s ? strlen(s) : 0;
	if (buf_reserve(b, n + 2) || buf_append_char(b, '"'))
		return -ENOMEM;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		/* Copy plain ASCII in runs. */
		while (run < n) {
			unsigned char c = (unsigned char)s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
			run++;
		}
		if (run > i && buf_append(b, s + i, run - i))
			return -ENOMEM;
		i = run;
		if (i >= n)
			break;
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			if (buf_append(b, esc, 2))
				return -ENOMEM;
			i++;
		} else if (c < 0x20) {
			const char *short_esc = c == '\n'   ? "\\n"
			                        : c == '\t' ? "\\t"
			                        : c == '\r' ? "\\r"
			                        : c == '\b' ? "\\b"
			                        : c == '\f' ? "\\f"
			                                    : NULL;
			if (short_esc) {
				if (buf_append(b, short_esc, 2))
					return -ENOMEM;
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				if (buf_append(b, esc, 6))
					return -ENOMEM;
			}
			i++;
		} else {
			utf8proc_int32_t cp;
			utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
			                                      (utf8proc_ssize_t)(n - i), &cp);
			int rc;
			if (r < 1) {
				rc = buf_append(b, "\xEF\xBF\xBD", 3);
				r = 1;
			} else if (cp == 0x2028 || cp == 0x2029) {
				rc = buf_append(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
			} else {
				rc = buf_append(b, s + i, (size_t)r);
			}
			if (rc)
				return -ENOMEM;
			i += (size_t)r;
		}
	}
	return buf_append_char(b, '"');
}

/* An unsigned integer in decimal, without printf (a digest has dozens). */
static int json_uint(struct buf *b, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof tmp;
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_append(b, tmp + n, sizeof tmp - n);
}

/* The shortest decimal that reads back as f. */
static int json_float(struct buf *b, float f)
{
	if (!isfinite(f))
		return buf_append_char(b, '0');
	char tmp[40];
	/* Scores are rounded to three decimals: try that form first, written
	 * by hand and checked with one strtof, which spares the search below
	 * its several printf and strtof calls. */
	if (f >= 0 && f < 1000) {
		long m = lrintf(f * 1000);
		long whole = m / 1000, frac = m % 1000;
		size_t n = 0;
		if (whole >= 100)
			tmp[n++] = (char)('0' + whole / 100);
		if (whole >= 10)
			tmp[n++] = (char)('0' + whole / 10 % 10);
		tmp[n++] = (char)('0' + whole % 10);
		if (frac) {
			tmp[n++] = '.';
			tmp[n++] = (char)('0' + frac / 100);
			tmp[n++] = (char)('0' + frac / 10 % 10);
			tmp[n++] = (char)('0' + frac % 10);
			while (tmp[n - 1] == '0')
				n--;
		}
		tmp[n] = 0;
		if (strtof(tmp, NULL) == f)
			return buf_append(b, tmp, n);
	}
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
		for (char *p = tmp; *p; p++)
			if (*p == ',')
				*p = '.'; /* a locale's decimal comma */
		if (strtof(tmp, NULL) == f)
			break;
	}
	return buf_append_str(b, tmp);
}

/* ,"key": (or "key": first), without printf. */
static int json_key(struct buf *b, const char *key, int first)
{
	size_t n = strlen(key);
	if (buf_reserve(b, n + 4))
		return -ENOMEM;
	char *p = b->p + b->len;
	if (!first)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	b->len = (size_t)(p - b->p);
	b->p[b->len] = 0;
	return 0;
}

static int json_entity(struct buf *b, const Nd__Entity *e)
{
	if (buf_append_str(b, "{\"name\":") || json_string(b, e->name) || json_key(b, "type", 0) ||
	    json_string(b, type_name((int)e->type)) || json_key(b, "mentions", 0) ||
	    json_uint(b, e->mentions) || json_key(b, "aliases", 0) || buf_append_char(b, '['))
		return -ENOMEM;
	for (size_t i = 0; i < e->n_aliases; i++)
		if ((i && buf_append_char(b, ',')) || json_string(b, e->aliases[i]))
			return -ENOMEM;
	if (buf_append_char(b, ']') || json_key(b, "salience", 0) || json_float(b, e->salience) ||
	    buf_append_char(b, '}'))
		return -ENOMEM;
	return 0;
}

int render_json(const Nd__Digest *d, struct buf *out)
{
	size_t mark = out->len;
	const Nd__Stats *st = d->stats;
	int failed = d->status == ND__STATUS__STATUS_FAILED;
	if (buf_append_char(out, '{') || json_key(out, "article_id", 1) ||
	    json_string(out, d->article_id) || json_key(out, "source", 0) ||
	    json_string(out, d->source) || json_key(out, "title", 0) ||
	    json_string(out, d->title) || json_key(out, "status", 0) ||
	    json_string(out, failed ? "failed" : "ok") || json_key(out, "error", 0) ||
	    (d->error && *d->error ? json_string(out, d->error) : buf_append_str(out, "null")) ||
	    json_key(out, "entities", 0) || buf_append_char(out, '['))
		goto nomem;
	for (size_t i = 0; i < d->n_entities; i++)
		if ((i && buf_append_char(out, ',')) || json_entity(out, d->entities[i]))
			goto nomem;
	if (buf_append_char(out, ']') || json_key(out, "key_points", 0) ||
	    buf_append_char(out, '['))
		goto nomem;
	for (size_t i = 0; i < d->n_key_points; i++) {
		const Nd__KeyPoint *k = d->key_points[i];
		if ((i && buf_append_char(out, ',')) || buf_append_str(out, "{\"text\":") ||
		    json_string(out, k->text) || json_key(out, "sentence", 0) ||
		    json_uint(out, k->sentence_index) || json_key(out, "score", 0) ||
		    json_float(out, k->score) || buf_append_char(out, '}'))
			goto nomem;
	}
	if (buf_append_char(out, ']') || json_key(out, "keywords", 0) || buf_append_char(out, '['))
		goto nomem;
	for (size_t i = 0; i < d->n_keywords; i++) {
		const Nd__Keyword *k = d->keywords[i];
		if ((i && buf_append_char(out, ',')) || buf_append_str(out, "{\"text\":") ||
		    json_string(out, k->text) || json_key(out, "score", 0) ||
		    json_float(out, k->score) || buf_append_char(out, '}'))
			goto nomem;
	}
	if (buf_append_char(out, ']') || json_key(out, "stats", 0) ||
	    buf_append_str(out, "{\"chunks\":") || json_uint(out, st ? st->chunks : 0) ||
	    json_key(out, "sentences", 0) || json_uint(out, st ? st->sentences : 0) ||
	    json_key(out, "words", 0) || json_uint(out, st ? st->words : 0) ||
	    json_key(out, "bytes", 0) || json_uint(out, st ? st->bytes : 0) ||
	    buf_append_char(out, '}') || json_key(out, "pipeline", 0) ||
	    buf_append_str(out, "{\"version\":") || json_string(out, d->pipeline_version) ||
	    json_key(out, "model", 0) || json_string(out, d->model) || buf_append_str(out, "}}"))
		goto nomem;
	return 0;
nomem:
	/* Leave the buffer as it was rather than with half a digest. */
	out->len = mark;
	if (out->p)
		out->p[mark] = 0;
	return -ENOMEM;
}

/* ---- text ------------------------------------------------------------- */

/* Append s with control characters (C0, DEL, C1, line and paragraph
 * separators) as spaces and invalid bytes as U+FFFD. */
static int text_append(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (buf_append_char(b, c < 0x20 || c == 0x7f ? ' ' : (char)c))
				return -ENOMEM;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &cp);
		int rc;
		if (r < 1) {
			rc = buf_append(b, "\xEF\xBF\xBD", 3);
			r = 1;
		} else if ((cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
			rc = buf_append_char(b, ' ');
		} else {
			rc = buf_append(b, s + i, (size_t)r);
		}
		if (rc)
			return -ENOMEM;
		i += (size_t)r;
	}
	return 0;
}

static const struct {
	int type;
	const char *label;
} type_labels[] = {
    {ND__ENTITY_TYPE__ENTITY_PERSON, "People"},
    {ND__ENTITY_TYPE__ENTITY_ORG, "Organisations"},
    {ND__ENTITY_TYPE__ENTITY_LOC, "Places"},
    {ND__ENTITY_TYPE__ENTITY_MISC, "Other"},
    {ND__ENTITY_TYPE__ENTITY_DATE, "Dates"},
    {ND__ENTITY_TYPE__ENTITY_MONEY, "Money"},
    {ND__ENTITY_TYPE__ENTITY_PERCENT, "Percentages"},
    {ND__ENTITY_TYPE__ENTITY_NONE, "Untyped"},
};

static int known_type(int t)
{
	return t >= ND__ENTITY_TYPE__ENTITY_PERSON && t <= ND__ENTITY_TYPE__ENTITY_PERCENT;
}

static int text_entities(struct buf *b, const Nd__Digest *d)
{
	for (size_t l = 0; l < sizeof type_labels / sizeof type_labels[0]; l++) {
		int t = type_labels[l].type, n = 0;
		for (size_t i = 0; i < d->n_entities; i++) {
			const Nd__Entity *e = d->entities[i];
			int et = known_type((int)e->type) ? (int)e->type : 0;
			if (et != t)
				continue;
			int rc = n ? buf_append_str(b, ", ")
			           : buf_printf(b, "  %-14s", type_labels[l].label);
			if (rc || text_append(b, e->name) ||
			    buf_printf(b, " (%u)", (unsigned)e->mentions))
				return -ENOMEM;
			n++;
		}
		if (n && buf_append_char(b, '\n'))
			return -ENOMEM;
	}
	return 0;
}

int render_text(const Nd__Digest *d, struct buf *out)
{
	size_t mark = out->len;
	const Nd__Stats *st = d->stats;
	int failed = d->status == ND__STATUS__STATUS_FAILED;
	if ((d->title && *d->title ? text_append(out, d->title)
	                           : buf_append_str(out, "(untitled)")) ||
	    buf_append_str(out, "\n  article ") || text_append(out, d->article_id))
		goto nomem;
	if (d->source && *d->source &&
	    (buf_append_str(out, "  source ") || text_append(out, d->source)))
		goto nomem;
	if (buf_printf(out, "  status %s\n", failed ? "failed" : "ok"))
		goto nomem;
	if (d->error && *d->error &&
	    (buf_append_str(out, "  error: ") || text_append(out, d->error) ||
	     buf_append_char(out, '\n')))
		goto nomem;
	if (d->n_entities && (buf_append_str(out, "Entities\n") || text_entities(out, d)))
		goto nomem;
	if (d->n_key_points && buf_append_str(out, "Key points\n"))
		goto nomem;
	for (size_t i = 0; i < d->n_key_points; i++)
		if (buf_printf(out, "  %zu. ", i + 1) || text_append(out, d->key_points[i]->text) ||
		    buf_append_char(out, '\n'))
			goto nomem;
	if (d->n_keywords && buf_append_str(out, "Keywords\n  "))
		goto nomem;
	for (size_t i = 0; i < d->n_keywords; i++)
		if ((i && buf_append_str(out, ", ")) || text_append(out, d->keywords[i]->text))
			goto nomem;
	if (d->n_keywords && buf_append_char(out, '\n'))
		goto nomem;
	if (buf_printf(out, "Stats\n  %u chunks, %u sentences, %u words, %u bytes\n",
	               st ? (unsigned)st->chunks : 0u, st ? (unsigned)st->sentences : 0u,
	               st ? (unsigned)st->words : 0u, st ? (unsigned)st->bytes : 0u))
		goto nomem;
	if ((d->pipeline_version && *d->pipeline_version) || (d->model && *d->model)) {
		if (buf_append_str(out, "Pipeline\n  ") || text_append(out, d->pipeline_version) ||
		    (d->model && *d->model &&
		     (buf_append_str(out, d->pipeline_version && *d->pipeline_version ? ", model "
		                                                                      : "model ") ||
		      text_append(out, d->model))) ||
		    buf_append_char(out, '\n'))
			goto nomem;
	}
	if (buf_append_char(out, '\n'))
		goto nomem;
	return 0;
nomem:
	out->len = mark;
	if (out->p)
		out->p[mark] = 0;
	return -ENOMEM;
}
