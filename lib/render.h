/*
 * render: a Digest as JSON (the stable form of ARCHITECTURE.md, one line,
 * fields in the documented order) or as a readable text block for people.
 */
#ifndef ND_RENDER_H
#define ND_RENDER_H

#include "buf.h"
#include "digest.pb-c.h"

/* Append the digest's JSON form (one line, no trailing newline) to out.
 * 0 or -ENOMEM. */
int render_json(const Nd__Digest *d, struct buf *out);

/* Append a readable view: title, status, entities by type, numbered key
 * points, keywords, stats; ends with a blank line. 0 or -ENOMEM. */
int render_text(const Nd__Digest *d, struct buf *out);

#endif
