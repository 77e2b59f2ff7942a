/* libFuzzer target: CURVE keys and allow lists as read from settings and
 * files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct buf err = BUF_INIT;
	uint8_t key[CURVE_KEY_BYTES];
	curve_key_decode(text, size, key, &err);
	buf_reset(&err);
	struct curve_allow *a = NULL;
	if (curve_allow_parse(text, "fuzz", "--curve-allow", &a, &err) == 0) {
		for (size_t i = 0; i < size / CURVE_KEY_BYTES; i++)
			curve_allow_has(a, data + i * CURVE_KEY_BYTES);
	}
	curve_allow_free(a);
	buf_free(&err);
	free(text);
	return 0;
}
