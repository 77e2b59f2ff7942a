/*
 * idf: a background table of document frequencies, for keyword weights.
 *
 * The table maps terms (terms.h: hashed Snowball stems) to the number of
 * documents of a background corpus that contain them; idf_weight() turns
 * that into an inverse document frequency, log((N + 1) / (df + 1)) + 1, so
 * a word in every document weighs about 1 and an unseen word the most.
 * tools/idf-build makes the table from a JSON Lines corpus; the committed
 * one is models/idf.model.
 *
 * File, little-endian: "NDIDF\0\0\0", u32 format version, u32 documents,
 * u32 entries, char name[32], then the entries sorted by term (u64 term,
 * u32 df), then u32 FNV-1a of every byte before it.
 */
#ifndef ND_IDF_H
#define ND_IDF_H

#include <stddef.h>
#include <stdint.h>

enum idf_err {
	IDF_ENOMEM = -1,
	IDF_ENOENT = -2,
	IDF_EIO = -3,
	IDF_EFORMAT = -4,  /* not an idf table, or truncated or corrupt */
	IDF_EVERSION = -5, /* a table of another format version */
};

/* The table's file name inside a models folder. */
#define IDF_MODEL_FILE "idf.model"

const char *idf_strerror(int err);

struct idf;

int idf_load(const char *path, struct idf **out);
void idf_free(struct idf *t);
/* Load the table a program's --idf setting names. A setting that is not
 * empty must load: otherwise an error is logged and -1 returned. An empty
 * one means the installed models/idf.model, whose absence is only logged as
 * a warning (keywords are then ranked without weights): 0 with *out NULL. */
int idf_load_setting(const char *setting, struct idf **out);
/* The weight of a term; an unknown term gets the highest weight. */
double idf_weight(const struct idf *t, uint64_t term);
uint32_t idf_docs(const struct idf *t);
size_t idf_size(const struct idf *t);
const char *idf_name(const struct idf *t);

/* Write a table: n entries of terms (any order, distinct) and their
 * document counts, from a corpus of docs documents. */
int idf_save(const char *path, const char *name, uint32_t docs, const uint64_t *terms,
             const uint32_t *df, size_t n);

#endif
