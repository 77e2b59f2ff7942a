/* libFuzzer target: every message type the processes decode from sockets. */
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCMessageDescriptor *descs[] = {
		&nd__chunk__descriptor, &nd__chunk_result__descriptor, &nd__digest__descriptor,
		&nd__ack__descriptor};
	for (size_t i = 0; i < 4; i++) {
		ProtobufCMessage *m = NULL;
		if (wire_decode(descs[i], data, size, &m) == 0) {
			struct buf b = BUF_INIT;
			wire_encode(m, &b);
			buf_free(&b);
			wire_free(m);
		}
	}
	return 0;
}
