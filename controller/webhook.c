/*
 * webhook.c - push webhook signatures, replayed deliveries, bursts.
 *
 * The signature is checked on the raw body before anything reads it.
 * Comparisons run in constant time: HMACs are compared as decoded bytes
 * with CRYPTO_memcmp, and GitLab's token (the secret itself, of any
 * length) is compared through SHA-256 digests of both sides, so that
 * neither its content nor its length leaks through timing.
 */
#include "webhook.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "err.h"
#include "server.h"

#include "banned.h"

#define WEBHOOK_MAC_LEN 32

static int webhook_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 64 hex digits (either case) to 32 bytes. The header is the
 * sender's, not the secret: returning early on a malformed one is fine. */
static int webhook_unhex(unsigned char out[WEBHOOK_MAC_LEN], const char *hex)
{
	if (strlen(hex) != 2 * WEBHOOK_MAC_LEN)
		return -1;
	for (size_t i = 0; i < WEBHOOK_MAC_LEN; i++) {
		int hi = webhook_hexval(hex[2 * i]);
		int lo = webhook_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int webhook_sha256(unsigned char out[WEBHOOK_MAC_LEN], const void *data,
			  size_t len)
{
	unsigned int n = 0;

	if (!EVP_Digest(len ? data : "", len, out, &n, EVP_sha256(), NULL) ||
	    n != WEBHOOK_MAC_LEN)
		return err_set(MOOR_ERR, "sha-256 failed");
	return 0;
}

/* 0 when hex is the HMAC we computed, -1 otherwise. */
static int webhook_check_hmac(const unsigned char mac[WEBHOOK_MAC_LEN],
			      const char *hex)
{
	unsigned char theirs[WEBHOOK_MAC_LEN];
	int rc;

	if (webhook_unhex(theirs, hex))
		return -1;
	rc = CRYPTO_memcmp(mac, theirs, WEBHOOK_MAC_LEN) ? -1 : 0;
	OPENSSL_cleanse(theirs, sizeof(theirs));
	return rc;
}

int webhook_verify(const char *secret, size_t secret_len, const char *body,
		   size_t body_len, const char *github_sig,
		   const char *gitea_sig, const char *gitlab_token)
{
	unsigned char mac[WEBHOOK_MAC_LEN] = {0};
	unsigned char want[WEBHOOK_MAC_LEN] = {0}, got[WEBHOOK_MAC_LEN] = {0};
	unsigned int mac_len = 0;
	int bad = 0;
	int error = MOOR_EINVAL;

	if (!secret || !secret_len || secret_len > INT_MAX)
		return err_set(MOOR_EINVAL, "no webhook secret configured");
	if (!github_sig && !gitea_sig && !gitlab_token)
		return err_set(MOOR_EINVAL, "webhook has no signature header");
	if ((github_sig || gitea_sig) &&
	    (!HMAC(EVP_sha256(), secret, (int)secret_len,
		   (const unsigned char *)(body_len ? body : ""), body_len, mac,
		   &mac_len) ||
	     mac_len != WEBHOOK_MAC_LEN)) {
		err_set(MOOR_ERR, "hmac-sha256 failed");
		goto cleanup;
	}
	/* Every header present must verify: a sender that signs twice and
	 * gets one wrong is not trusted on the strength of the other. */
	if (github_sig) {
		if (strncmp(github_sig, "sha256=", 7) ||
		    webhook_check_hmac(mac, github_sig + 7))
			bad = err_set(MOOR_EINVAL, "webhook signature "
						   "'X-Hub-Signature-256' "
						   "does not match");
	}
	if (gitea_sig && webhook_check_hmac(mac, gitea_sig))
		bad = err_set(MOOR_EINVAL, "webhook signature "
					   "'X-Gitea-Signature' does not "
					   "match");
	if (gitlab_token) {
		if (webhook_sha256(want, secret, secret_len) ||
		    webhook_sha256(got, gitlab_token, strlen(gitlab_token)))
			goto cleanup;
		if (CRYPTO_memcmp(want, got, WEBHOOK_MAC_LEN))
			bad = err_set(MOOR_EINVAL, "webhook token "
						   "'X-Gitlab-Token' does not "
						   "match");
	}
	error = bad ? MOOR_EINVAL : 0;

cleanup:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(got, sizeof(got));
	return error;
}

void webhook_replay_init(struct webhook_replay *r)
{
	memset(r->ids, 0, sizeof(r->ids));
	for (size_t i = 0; i < WEBHOOK_REPLAY_SLOTS; i++)
		r->next[i] = -1;
	for (size_t i = 0; i < WEBHOOK_REPLAY_BUCKETS; i++)
		r->heads[i] = -1;
	r->used = 0;
	r->pos = 0;
}

static unsigned webhook_bucket(const unsigned char id[WEBHOOK_MAC_LEN])
{
	return ((unsigned)id[0] << 8 | id[1]) % WEBHOOK_REPLAY_BUCKETS;
}

/* Take slot out of its bucket's chain before it is overwritten. */
static void webhook_replay_unlink(struct webhook_replay *r, int16_t slot)
{
	int16_t *p = &r->heads[webhook_bucket(r->ids[slot])];

	while (*p != -1 && *p != slot)
		p = &r->next[*p];
	if (*p == slot)
		*p = r->next[slot];
	r->next[slot] = -1;
}

bool webhook_replay_seen(struct webhook_replay *r, const char *id, size_t len)
{
	unsigned char d[WEBHOOK_MAC_LEN];
	unsigned b;
	int16_t slot;

	/* A digest failure is remembered as nothing: the delivery then
	 * counts as new, which costs one poll at most. */
	if (webhook_sha256(d, id, len))
		return false;
	b = webhook_bucket(d);
	for (int16_t i = r->heads[b]; i != -1; i = r->next[i])
		if (!memcmp(r->ids[i], d, sizeof(d)))
			return true;
	slot = (int16_t)r->pos;
	if (r->used == WEBHOOK_REPLAY_SLOTS)
		webhook_replay_unlink(r, slot);
	else
		r->used++;
	memcpy(r->ids[slot], d, sizeof(d));
	r->next[slot] = r->heads[b];
	r->heads[b] = slot;
	r->pos = (r->pos + 1) % WEBHOOK_REPLAY_SLOTS;
	return false;
}

void webhook_coalesce_init(struct webhook_coalesce *c, double window)
{
	c->window = window;
	c->last = 0;
	c->fired = false;
	c->pending = false;
}

void webhook_coalesce_push(struct webhook_coalesce *c)
{
	c->pending = true;
}

bool webhook_coalesce_take(struct webhook_coalesce *c, double now,
			   double *wait_out)
{
	double due;

	if (!c->pending) {
		*wait_out = -1;
		return false;
	}
	due = c->fired ? c->last + c->window : now;
	if (now < due) {
		*wait_out = due - now;
		return false;
	}
	c->pending = false;
	c->fired = true;
	c->last = now;
	*wait_out = -1;
	return true;
}
