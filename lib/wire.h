/*
 * wire: encoding and decoding of the protobuf messages of proto/digest.proto.
 *
 * Decoding is where untrusted bytes enter a process, so wire_decode() checks
 * everything a receiver relies on before handing a message over: the frame
 * parses, its schema version is one this build understands, and every
 * string field (nested ones too) is valid UTF-8. A frame failing any check
 * is rejected with a code that wire_strerror() turns into a sentence; the
 * caller counts it and drops it.
 */
#ifndef ND_WIRE_H
#define ND_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "digest.pb-c.h"

/* The schema version this build writes and the newest it reads. */
#define WIRE_SCHEMA 1

enum {
	WIRE_EPARSE = -1001,  /* not a valid protobuf encoding of the message */
	WIRE_ESCHEMA = -1002, /* schema version missing (0) or newer than ours */
	WIRE_EUTF8 = -1003,   /* a string field is not valid UTF-8 */
};

/* Decode n bytes as a message of type desc; on success *out must be freed
 * with wire_free(). Returns 0 or a WIRE_E* code. */
int wire_decode(const ProtobufCMessageDescriptor *desc, const void *data, size_t n,
                ProtobufCMessage **out);
void wire_free(ProtobufCMessage *m);

/* Replace out's contents with the encoding of m. 0 or -ENOMEM. */
int wire_encode(const ProtobufCMessage *m, struct buf *out);

const char *wire_strerror(int code);
/* The wall clock as the messages carry it (sent_at_us, created_at_us):
 * microseconds since the epoch. */
uint64_t wire_now_us(void);

/* Typed conveniences. */
#define wire_decode_chunk(d, n, out)                                                               \
	wire_decode(&nd__chunk__descriptor, (d), (n), (ProtobufCMessage **)(out))
#define wire_decode_result(d, n, out)                                                              \
	wire_decode(&nd__chunk_result__descriptor, (d), (n), (ProtobufCMessage **)(out))
#define wire_decode_digest(d, n, out)                                                              \
	wire_decode(&nd__digest__descriptor, (d), (n), (ProtobufCMessage **)(out))
#define wire_decode_ack(d, n, out)                                                                 \
	wire_decode(&nd__ack__descriptor, (d), (n), (ProtobufCMessage **)(out))

#endif
