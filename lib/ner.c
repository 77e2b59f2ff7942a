/*
 * ner: the generic half of the entity-extraction interface.
 *
 * Everything here is independent of how mentions are found: the names of
 * the entity types (the strings the JSON form and the logs use, in the
 * order of the wire's EntityType), the reusable mention array, and the thin
 * dispatch through an extractor's ops. An implementation (ner_rules.c,
 * ner_tagger.c) only fills in struct ner_ops; callers never see which one
 * they hold except through ner_name().
 */
#include "ner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[NER_NTYPES] = {
    [NER_PERSON] = "PERSON", [NER_ORG] = "ORG",     [NER_LOC] = "LOC",         [NER_MISC] = "MISC",
    [NER_DATE] = "DATE",     [NER_MONEY] = "MONEY", [NER_PERCENT] = "PERCENT",
};

const char *ner_type_name(int type)
{
	if (type <= NER_NONE || type >= NER_NTYPES)
		return NULL;
	return type_names[type];
}

int ner_type_from_name(const char *name)
{
	if (!name)
		return NER_NONE;
	for (int t = NER_NONE + 1; t < NER_NTYPES; t++)
		if (strcmp(name, type_names[t]) == 0)
			return t;
	return NER_NONE;
}

void ner_mentions_free(struct ner_mentions *m)
{
	if (!m)
		return;
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

int ner_extract(struct ner_extractor *x, const struct seg_doc *doc, struct ner_mentions *out)
{
	if (!x || !x->ops || !x->ops->extract || !doc || !out)
		return -EINVAL;
	out->n = 0;
	return x->ops->extract(x, doc, out);
}

const char *ner_name(const struct ner_extractor *x)
{
	return x && x->name ? x->name : "none";
}

void ner_close(struct ner_extractor *x)
{
	if (x && x->ops && x->ops->close)
		x->ops->close(x);
}
