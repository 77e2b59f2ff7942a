/*
 * wire: see wire.h. Validation walks the message through its descriptor, so
 * it covers every message type and every field added later without change.
 */
#include "wire.h"

#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "utf8.h"

static int strings_valid(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;
		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		size_t count = 1;
		const void *const *items = (const void *const *)base;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			count = *(const size_t *)((const char *)m + f->quantifier_offset);
			items = *(const void *const *const *)base;
		}
		for (size_t k = 0; k < count; k++) {
			const void *item = items[k];
			if (!item)
				continue;
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				const char *s = item;
				if (!utf8_valid(s, strlen(s)))
					return 0;
			} else if (!strings_valid(item)) {
				return 0;
			}
		}
	}
	return 1;
}

int wire_decode(const ProtobufCMessageDescriptor *desc, const void *data, size_t n,
                ProtobufCMessage **out)
{
	*out = NULL;
	ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, n, data);
	if (!m)
		return WIRE_EPARSE;
	const ProtobufCFieldDescriptor *f =
	    protobuf_c_message_descriptor_get_field_by_name(desc, "schema");
	if (f) {
		uint32_t v = *(const uint32_t *)((const char *)m + f->offset);
		if (v == 0 || v > WIRE_SCHEMA) {
			protobuf_c_message_free_unpacked(m, NULL);
			return WIRE_ESCHEMA;
		}
	}
	if (!strings_valid(m)) {
		protobuf_c_message_free_unpacked(m, NULL);
		return WIRE_EUTF8;
	}
	*out = m;
	return 0;
}

void wire_free(ProtobufCMessage *m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

int wire_encode(const ProtobufCMessage *m, struct buf *out)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	buf_reset(out);
	if (buf_reserve(out, n))
		return -ENOMEM;
	out->len = protobuf_c_message_pack(m, (uint8_t *)out->p);
	out->p[out->len] = 0;
	return 0;
}

const char *wire_strerror(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case WIRE_EPARSE:
		return "malformed protobuf frame";
	case WIRE_ESCHEMA:
		return "unsupported schema version (missing, or newer than this build)";
	case WIRE_EUTF8:
		return "a string field is not valid UTF-8";
	case -ENOMEM:
		return "out of memory";
	default:
		return "unknown wire error";
	}
}

uint64_t wire_now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}
