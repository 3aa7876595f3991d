/*
 * rss-floor - the resident memory a process pays for the libraries
 * mooring must link before it does any work of its own: it links the
 * same libraries (pkg-config of the Makefile's PKGS), initialises them as
 * mooring does (curl_global_init, git_libgit2_init, an MHD daemon on a
 * free port, one SHA-256 through EVP), idles a moment and prints its
 * VmRSS in kB. `make bench` prints it next to mooring's idle RSS.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <yaml.h>

static enum MHD_Result rss_floor_answer(void *cls, struct MHD_Connection *c,
					const char *url, const char *method,
					const char *version, const char *data,
					size_t *size, void **state)
{
	return MHD_NO;
}

int main(void)
{
	struct MHD_Daemon *d;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	yaml_parser_t parser;
	json_t *j;
	char line[256];
	FILE *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	git_libgit2_init();
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
			     rss_floor_answer, NULL, MHD_OPTION_END);
	EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL);
	yaml_parser_initialize(&parser);
	j = json_pack("{s:i}", "a", 1);
	sleep(1);
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			fputs(line + 6, stdout);
	if (f)
		fclose(f);
	json_decref(j);
	yaml_parser_delete(&parser);
	if (d)
		MHD_stop_daemon(d);
	git_libgit2_shutdown();
	curl_global_cleanup();
	return 0;
}
