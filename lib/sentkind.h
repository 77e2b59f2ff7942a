/*
 * sentkind: sentences that are not part of the story's prose.
 *
 * sentkind_mark() flags, in a segmented document:
 *   - SEG_SF_BYLINE: a byline or credit line: "By Jane Doe", "By JANE DOE
 *     and John Roe, Reuters" (starts with "By", at most 12 words, every
 *     other word capitalised or a joiner), or a line that starts "Reporting
 *     by", "Writing by", "Editing by", "Additional reporting by", "Compiled
 *     by";
 *   - SEG_SF_CAPTION: a picture caption or credit: starts with "Photo:",
 *     "Image:", "Picture:", "Caption:", "Credit:", "Pictured:",
 *     "Illustration:", "(Photo", or is at most 25 words and carries a
 *     picture agency's credit ("Getty Images", "AP Photo", "Shutterstock",
 *     "Photo by", "Photograph by", "Image credit");
 *   - SEG_SF_FRAGMENT: not a whole sentence: fewer than 3 words; fewer than
 *     8 words and no final punctuation; ending in ':' (a lead-in); or
 *     starting with a lower-case letter (a piece cut from a sentence).
 * A heading can also be a byline or a caption (such lines often stand
 * alone); fragments are never headings. The summary never takes a flagged
 * sentence as a key point; the worker drops entity mentions in bylines.
 */
#ifndef ND_SENTKIND_H
#define ND_SENTKIND_H

#include "seg.h"

void sentkind_mark(struct seg_doc *d);

#endif
