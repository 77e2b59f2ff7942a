/* libFuzzer target: an input line as the producer parses it (JSON Lines),
 * and the same bytes as a plain-text article. */
#include <stddef.h>
#include <stdint.h>

#include "article.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	article_free(article_from_json((const char *)data, size, "fuzz", "fuzz:1"));
	article_free(article_from_text((const char *)data, size, "fuzz", "fuzz"));
	return 0;
}
