/* Tests of sentkind.h: bylines, captions and fragments. */
#include <string.h>

#include "check.h"
#include "seg.h"
#include "sentkind.h"

/* The flags of the single sentence of text (or of its sentence idx). */
static uint32_t flags_of(const char *text, size_t idx)
{
	struct seg_doc d;
	seg_doc_init(&d);
	uint32_t f = 0xffffffffu;
	if (!seg_split(&d, text, strlen(text)) && idx < d.nsents) {
		sentkind_mark(&d);
		f = d.sents[idx].flags;
	}
	seg_doc_free(&d);
	return f;
}

#define KINDS (SEG_SF_BYLINE | SEG_SF_CAPTION | SEG_SF_FRAGMENT)

static void test_bylines(void)
{
	CHECK(flags_of("By Jane Doe and John Roe, Reuters\n\nPrices rose on Monday in Oslo.", 0) &
	      SEG_SF_BYLINE);
	CHECK(flags_of("By JANE DOE\n\nPrices rose on Monday in Oslo.", 0) & SEG_SF_BYLINE);
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nReporting by Jane Doe; "
	               "Editing by John Roe",
	               1) &
	      SEG_SF_BYLINE);
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nAdditional reporting by "
	               "Ana Lima in Lisbon.",
	               1) &
	      SEG_SF_BYLINE);
	/* "By" opening a sentence of prose is not a byline. */
	CHECK(!(flags_of("By the end of the year, prices had risen sharply across the region.", 0) &
	        KINDS));
	CHECK(!(flags_of("By Monday, the strike had spread to every port in the country.", 0) &
	        KINDS));
}

static void test_captions(void)
{
	CHECK(flags_of("Photo: Jane Doe for the Herald\n\nPrices rose on Monday in Oslo.", 0) &
	      SEG_SF_CAPTION);
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nFirefighters at the harbour "
	               "on Monday. (Getty Images)",
	               1) &
	      SEG_SF_CAPTION);
	/* A long sentence that names an agency in passing is prose. */
	CHECK(!(flags_of("The photographer, who has worked for Getty Images for twenty years and "
	                 "covered three wars, said the harbour fire was the worst she had seen in "
	                 "her whole career so far.",
	                 0) &
	        KINDS));
}

static void test_fragments(void)
{
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nHe said:", 1) &
	      SEG_SF_FRAGMENT);
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nand then the talks ended "
	               "without a deal.",
	               1) &
	      SEG_SF_FRAGMENT);
	CHECK(flags_of("Prices rose on Monday in Oslo and Bergen.\n\nOh well.", 1) &
	      SEG_SF_FRAGMENT);
	/* Whole sentences, quoted ones too, are not fragments. */
	CHECK(!(flags_of("Prices rose on Monday in Oslo and Bergen.", 0) & KINDS));
	CHECK(!(flags_of("“We will not accept it,” the minister said on Monday.", 0) & KINDS));
	CHECK(!(flags_of("Shares fell 3% in early trading in the U.S.", 0) & KINDS));
	/* Headings are not fragments. */
	uint32_t h = flags_of("Talks Resume in Oslo\n\nPrices rose on Monday in Oslo.", 0);
	CHECK(h & SEG_SF_HEADING);
	CHECK(!(h & KINDS));
}

static const struct check_case cases[] = {
    CASE(test_bylines, "bylines and credit lines are flagged"),
    CASE(test_captions, "picture captions and credits are flagged"),
    CASE(test_fragments, "fragments are flagged and whole sentences are not"),
};

CHECK_MAIN(cases)
