/* digest.h - SHA-256 (OpenSSL libcrypto), as lowercase hex. */
#ifndef MOORING_DIGEST_H
#define MOORING_DIGEST_H

#include <stddef.h>

int digest_sha256_hex(char out[65], const void *data, size_t len);

#endif
