/* nip_forge's parts (tests/net/forge.c): the socket to the router under attack. */
#ifndef NEWIP_TEST_FORGE_H
#define NEWIP_TEST_FORGE_H

#include <stdint.h>

extern int fd;      /* connected to the router's UDP link */
void tx(const uint8_t *b, int n); /* send n octets or exit 2 */

/* forge_nls.c: routing messages that authenticated NLS must refuse. */
int forge_hello(const char *keyfile, const char *cas);
int forge_lsa(const char *keyfile, const char *name, const char *cas, const char *origin_keyfile);

#endif
