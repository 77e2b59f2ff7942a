/*
 * curve-keygen: make a CURVE key pair for the pipeline's ZeroMQ links.
 *
 * curve-keygen PREFIX writes PREFIX.key (the secret key, readable by its
 * owner only; give it to --curve-secret-key) and PREFIX.pub (the public key;
 * put it in the servers' --curve-allow files, or give it to
 * --curve-producer-key / --curve-sink-key), and prints the public key.
 * Existing files are kept unless --force.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "curve.h"

int main(int argc, char **argv)
{
	int force = 0;
	const struct conf_opt opts[] = {
	    {"force", "DIGEST_KEYGEN_FORCE", CONF_BOOL, "0", "replace existing key files", &force,
	     0, 0, NULL},
	};
	const struct conf_spec spec = {
	    "curve-keygen",
	    "[options] PREFIX",
	    "Write a CURVE key pair: PREFIX.key (secret, mode 0600, for --curve-secret-key)\n"
	    "and PREFIX.pub (public, for the peers' --curve-allow lists and --curve-*-key\n"
	    "settings). Prints the public key.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (argc - first != 1) {
		fprintf(stderr, "curve-keygen: give one PREFIX (see curve-keygen --help)\n");
		return 2;
	}
	if (!curve_available()) {
		fprintf(stderr, "curve-keygen: this libzmq was built without CURVE "
		                "(zmq_has(\"curve\") is false)\n");
		return 1;
	}
	struct buf err = BUF_INIT;
	char pub[CURVE_Z85_LEN + 1];
	if (curve_keypair_write(argv[first], force, pub, &err)) {
		fprintf(stderr, "curve-keygen: %s\n", err.p);
		buf_free(&err);
		return 1;
	}
	printf("%s\n", pub);
	buf_free(&err);
	return 0;
}
