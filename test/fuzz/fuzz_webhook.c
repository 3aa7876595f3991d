/*
 * fuzz_webhook.c - libFuzzer target for webhook_verify.
 *
 * The input is split at the first four newlines into a secret, the three
 * signature headers (an empty field is an absent header) and the body.
 * Any verdict must come without a crash or a read out of bounds; an
 * accepted request must have had a header; and the same body signed with
 * the real HMAC (as GitHub and Gitea would) must always be accepted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "err.h"
#include "log.h"
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next field up to '\n' (or the end), as a fresh C string. */
static char *fuzz_field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)((nl ? nl : end) - *p);
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, *p, len);
	s[len] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *f[4];
	unsigned char mac[32];
	unsigned int mac_len = 0;
	char sig[8 + 64];
	size_t secret_len;
	int rc;

	log_set_level(LOG_LEVEL_ERROR);
	for (int i = 0; i < 4; i++)
		f[i] = fuzz_field(&p, end);
	secret_len = strlen(f[0]);
	err_clear();
	rc = webhook_verify(f[0], secret_len, (const char *)p,
			    (size_t)(end - p), *f[1] ? f[1] : NULL,
			    *f[2] ? f[2] : NULL, *f[3] ? f[3] : NULL);
	if (rc != 0 && (rc != err_last_code() || !*err_last()))
		abort();
	if (rc == 0 && (!secret_len || (!*f[1] && !*f[2] && !*f[3])))
		abort();

	if (secret_len) {
		if (!HMAC(EVP_sha256(), f[0], (int)secret_len, p,
			  (size_t)(end - p), mac, &mac_len) ||
		    mac_len != 32)
			abort();
		memcpy(sig, "sha256=", 7);
		for (int i = 0; i < 32; i++)
			snprintf(sig + 7 + 2 * i, 3, "%02x", mac[i]);
		if (webhook_verify(f[0], secret_len, (const char *)p,
				   (size_t)(end - p), sig, sig + 7, f[0]))
			abort();
	}
	for (int i = 0; i < 4; i++)
		free(f[i]);
	return 0;
}
