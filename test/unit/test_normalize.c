/*
 * Unit tests for normalize.c and norm_*.c: each rule of
 * docs/internals/CANONICAL-MODEL.md, the marks kept through
 * normalisation, and env_file/label_file through the read_file seam.
 */
#include "unit.h"

#include <unistd.h>

#include "buf.h"
#include "normalize.h"
#include "xalloc.h"
#include "ynode.h"

/* The files a test project "has", for ctx.read_file. */
struct fake_file {
	const char *path;
	const char *data;
};

static const struct fake_file fake_files[] = {
    {"/proj/app.env", "# comment\nA=from_file\nB=file_b\nC=file_c\n"},
    {"/proj/raw.env", "R='quoted' # not a comment\n"},
    {"/proj/app.label", "com.x.team=web\ncom.x.tier=front\n"},
    {NULL, NULL},
};

static int fake_read(void *data, const char *path, struct buf *out)
{
	const struct fake_file *f;

	(void)data;
	for (f = fake_files; f->path; f++)
		if (!strcmp(f->path, path))
			return buf_adds(out, f->data);
	return MOOR_ENOTFOUND;
}

static const char *fake_lookup(void *data, const char *name)
{
	(void)data;
	if (!strcmp(name, "FROM_ENV"))
		return "env_value";
	if (!strcmp(name, "C"))
		return "c_from_env";
	return NULL;
}

static const struct interp_env fake_env = {fake_lookup, NULL, NULL};

static void ctx_init(struct norm_ctx *ctx, unsigned flags)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->project = "proj";
	ctx->working_dir = "/proj";
	ctx->home_dir = "/home/u";
	ctx->flags = flags;
	ctx->env = &fake_env;
	ctx->read_file = fake_read;
}

static struct ynode *load(const char *yaml)
{
	struct ynode *root = NULL;

	if (ynode_load_buffer(&root, yaml, strlen(yaml), "compose.yaml", NULL) <
	    0)
		fail_msg("load: %s", err_last());
	return root;
}

static struct ynode *norm_flags(const char *yaml, unsigned flags)
{
	struct ynode *root = load(yaml);
	struct norm_ctx ctx;

	ctx_init(&ctx, flags);
	if (schema_check(root) < 0)
		fail_msg("schema_check: %s", err_last());
	if (normalize_project(root, &ctx) < 0)
		fail_msg("normalize_project: %s", err_last());
	return root;
}

static struct ynode *norm(const char *yaml)
{
	return norm_flags(yaml, 0);
}

static void assert_norm_error(const char *yaml, const char *want)
{
	struct ynode *root = load(yaml);
	struct norm_ctx ctx;
	int rc;

	ctx_init(&ctx, 0);
	if (schema_check(root) < 0)
		fail_msg("schema_check: %s", err_last());
	rc = normalize_project(root, &ctx);
	if (rc != MOOR_EINVAL)
		fail_msg("normalize_project returned %d, want an error", rc);
	if (strcmp(err_last(), want) != 0)
		fail_msg("error '%s', want '%s'", err_last(), want);
	ynode_free(root);
}

/* The node at a '/'-separated path of map keys and sequence indexes. */
static const struct ynode *at(const struct ynode *n, const char *path)
{
	char *pointer = xasprintf("/%s", path);
	const struct ynode *found = ynode_pointer(n, pointer);

	free(pointer);
	return found;
}

static const struct ynode *must(const struct ynode *root, const char *path)
{
	const struct ynode *n = at(root, path);

	if (!n)
		fail_msg("no node at '%s'", path);
	return n;
}

static void assert_str(const struct ynode *root, const char *path,
		       const char *want)
{
	const struct ynode *n = must(root, path);

	if (n->kind != YNODE_STR || strcmp(n->text, want) != 0)
		fail_msg("'%s' is %s '%s', want string '%s'", path,
			 ynode_kind_name(n->kind), n->text ? n->text : "",
			 want);
}

static void assert_int(const struct ynode *root, const char *path,
		       long long want)
{
	const struct ynode *n = must(root, path);

	if (n->kind != YNODE_INT || n->u.i != want)
		fail_msg("'%s' is %s '%s', want int %lld", path,
			 ynode_kind_name(n->kind), n->text ? n->text : "",
			 want);
}

static void assert_bool(const struct ynode *root, const char *path, bool want)
{
	const struct ynode *n = must(root, path);

	if (n->kind != YNODE_BOOL || n->u.b != want)
		fail_msg("'%s' is not bool %d", path, want);
}

static void assert_kind(const struct ynode *root, const char *path,
			enum ynode_kind kind)
{
	const struct ynode *n = must(root, path);

	if (n->kind != kind)
		fail_msg("'%s' is %s, want %s", path, ynode_kind_name(n->kind),
			 ynode_kind_name(kind));
}

static void assert_absent(const struct ynode *root, const char *path)
{
	if (at(root, path))
		fail_msg("'%s' should be absent", path);
}

static void assert_len(const struct ynode *root, const char *path, size_t n)
{
	size_t got = ynode_len(must(root, path));

	if (got != n)
		fail_msg("'%s' has %zu entries, want %zu", path, got, n);
}

static void assert_mark(const struct ynode *root, const char *path,
			const char *file, unsigned line, unsigned col)
{
	const struct ynode *n = must(root, path);

	if (!n->mark.file || strcmp(n->mark.file, file) ||
	    n->mark.line != line || (col && n->mark.col != col))
		fail_msg("'%s' mark is %s:%u:%u, want %s:%u:%u", path,
			 n->mark.file ? n->mark.file : "(null)", n->mark.line,
			 n->mark.col, file, line, col);
}

/* Sizes and durations */

static long long bytes_of(const char *text)
{
	struct ynode *n = ynode_new_str(text, NULL);
	long long v = -12345;

	if (normalize_bytes(&v, n) < 0)
		fail_msg("normalize_bytes('%s'): %s", text, err_last());
	ynode_free(n);
	return v;
}

static void test_normalize__bytes(void **state)
{
	struct ynode *n;
	long long v = 0;

	(void)state;
	assert_int_equal(bytes_of("512m"), 536870912LL);
	assert_int_equal(bytes_of("1g"), 1073741824LL);
	assert_int_equal(bytes_of("1gb"), 1073741824LL);
	assert_int_equal(bytes_of("1GiB"), 1073741824LL);
	assert_int_equal(bytes_of("1024k"), 1048576LL);
	assert_int_equal(bytes_of("100b"), 100);
	assert_int_equal(bytes_of("100"), 100);
	assert_int_equal(bytes_of("1.5g"), 1610612736LL);
	assert_int_equal(bytes_of("50M"), 52428800LL);
	assert_int_equal(bytes_of("2 m"), 2097152LL);
	assert_int_equal(bytes_of("-1"), -1);
	n = ynode_new_int(4096, NULL);
	assert_int_equal(normalize_bytes(&v, n), 0);
	assert_int_equal(v, 4096);
	ynode_free(n);
	n = ynode_new_str("12q", &(struct ymark){"c.yaml", 3, 7});
	assert_int_equal(normalize_bytes(&v, n), MOOR_EINVAL);
	assert_string_equal(err_last(), "c.yaml:3:7: invalid byte size '12q'");
	ynode_free(n);
	n = ynode_new_str("1mm", NULL);
	assert_int_equal(normalize_bytes(&v, n), MOOR_EINVAL);
	ynode_free(n);
}

static void assert_duration(const char *in, const char *want)
{
	struct ynode *n = ynode_new_str(in, NULL);
	char *out = NULL;

	if (normalize_duration(&out, n) < 0)
		fail_msg("normalize_duration('%s'): %s", in, err_last());
	if (strcmp(out, want))
		fail_msg("'%s' -> '%s', want '%s'", in, out, want);
	free(out);
	ynode_free(n);
}

static void test_normalize__durations(void **state)
{
	struct ynode *n;
	char *out = NULL;
	static const char *const bad[] = {"10",	  "1x",	  "",	 "s",
					  "1.s.", "--1s", "1h2", NULL};
	const char *const *b;

	(void)state;
	assert_duration("1m30s", "1m30s");
	assert_duration("90s", "1m30s");
	assert_duration("1.5s", "1.5s");
	assert_duration("500ms", "500ms");
	assert_duration("2h", "2h0m0s");
	assert_duration("60m", "1h0m0s");
	assert_duration("0", "0s");
	assert_duration("0s", "0s");
	assert_duration("1us", "1\xc2\xb5s");
	assert_duration("1500us", "1.5ms");
	assert_duration("10ns", "10ns");
	assert_duration("-1s", "-1s");
	assert_duration("1h1m1.25s", "1h1m1.25s");
	assert_duration(".5s", "500ms");
	for (b = bad; *b; b++) {
		n = ynode_new_str(*b, NULL);
		if (normalize_duration(&out, n) != MOOR_EINVAL)
			fail_msg("'%s' should be an invalid duration", *b);
		ynode_free(n);
	}
	out = normalize_format_duration(0);
	assert_string_equal(out, "0s");
	free(out);
	out = normalize_format_duration(3723000000000LL);
	assert_string_equal(out, "1h2m3s");
	free(out);
}

static void test_normalize__scalar_types(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: nginx\n"
			       "    cpus: '1.5'\n"
			       "    cpu_shares: '512'\n"
			       "    privileged: 'true'\n"
			       "    tty: false\n"
			       "    init: false\n"
			       "    mem_limit: 512m\n"
			       "    shm_size: 64m\n"
			       "    memswap_limit: -1\n"
			       "    stop_grace_period: 90s\n"
			       "    pids_limit: '100'\n"
			       "    restart: on-failure:3\n"
			       "    dns: 8.8.8.8\n"
			       "    tmpfs: /run\n"
			       "    sysctls: [net.core.somaxconn=1024]\n"
			       "    annotations: {a: 1}\n"
			       "    storage_opt: {size: 20}\n");

	(void)state;
	must(r, "services/api/cpus");
	assert_kind(r, "services/api/cpus", YNODE_FLOAT);
	assert_true(at(r, "services/api/cpus")->u.f == 1.5);
	assert_int(r, "services/api/cpu_shares", 512);
	assert_bool(r, "services/api/privileged", true);
	assert_absent(r, "services/api/tty");
	assert_bool(r, "services/api/init", false);
	assert_int(r, "services/api/mem_limit", 536870912LL);
	assert_int(r, "services/api/shm_size", 67108864LL);
	assert_int(r, "services/api/memswap_limit", -1);
	assert_str(r, "services/api/stop_grace_period", "1m30s");
	assert_int(r, "services/api/pids_limit", 100);
	assert_str(r, "services/api/restart", "on-failure:3");
	assert_str(r, "services/api/dns/0", "8.8.8.8");
	assert_str(r, "services/api/tmpfs/0", "/run");
	assert_str(r, "services/api/sysctls/net.core.somaxconn", "1024");
	assert_str(r, "services/api/annotations/a", "1");
	assert_str(r, "services/api/storage_opt/size", "20");
	/* The mark of a converted value is that of the source value. */
	assert_mark(r, "services/api/mem_limit", "compose.yaml", 9, 16);
	assert_mark(r, "services/api/cpus", "compose.yaml", 4, 11);
	ynode_free(r);
}

/* Environment and labels */

static void test_normalize__environment_forms(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  a:\n"
			       "    image: x\n"
			       "    environment:\n"
			       "      - N=1\n"
			       "      - EMPTY=\n"
			       "      - FROM_ENV\n"
			       "      - UNSET\n"
			       "      - EQ=a=b\n"
			       "  b:\n"
			       "    image: x\n"
			       "    environment:\n"
			       "      N: 1\n"
			       "      F: 1.5\n"
			       "      T: true\n"
			       "      FROM_ENV:\n"
			       "      UNSET: ~\n");

	(void)state;
	assert_str(r, "services/a/environment/N", "1");
	assert_str(r, "services/a/environment/EMPTY", "");
	assert_str(r, "services/a/environment/FROM_ENV", "env_value");
	assert_kind(r, "services/a/environment/UNSET", YNODE_NULL);
	assert_str(r, "services/a/environment/EQ", "a=b");
	assert_str(r, "services/b/environment/N", "1");
	assert_str(r, "services/b/environment/F", "1.5");
	assert_str(r, "services/b/environment/T", "true");
	assert_str(r, "services/b/environment/FROM_ENV", "env_value");
	assert_kind(r, "services/b/environment/UNSET", YNODE_NULL);
	assert_mark(r, "services/a/environment/N", "compose.yaml", 5, 9);
	assert_mark(r, "services/b/environment/N", "compose.yaml", 13, 10);
	ynode_free(r);
}

static void test_normalize__env_file(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    env_file:\n"
			       "      - app.env\n"
			       "      - path: ./missing.env\n"
			       "        required: false\n"
			       "      - path: raw.env\n"
			       "        format: raw\n"
			       "    environment:\n"
			       "      B: from_environment\n"
			       "      C:\n");

	(void)state;
	assert_str(r, "services/api/environment/A", "from_file");
	/* environment wins over env_file, a bare KEY too (resolved). */
	assert_str(r, "services/api/environment/B", "from_environment");
	assert_str(r, "services/api/environment/C", "c_from_env");
	assert_str(r, "services/api/environment/R", "'quoted' # not a comment");
	/* Provenance of a value from an env file: the file and its line. */
	/* Named as the user would, next to the compose file naming it. */
	assert_mark(r, "services/api/environment/A", "app.env", 2, 0);
	assert_mark(r, "services/api/environment/B", "compose.yaml", 11, 10);
	/* env_file in the model: absolute paths, required only when false. */
	assert_len(r, "services/api/env_file", 3);
	assert_str(r, "services/api/env_file/0/path", "/proj/app.env");
	assert_absent(r, "services/api/env_file/0/required");
	assert_str(r, "services/api/env_file/1/path", "/proj/missing.env");
	assert_bool(r, "services/api/env_file/1/required", false);
	assert_str(r, "services/api/env_file/2/format", "raw");
	ynode_free(r);

	r = norm("services:\n"
		 "  api:\n"
		 "    image: x\n"
		 "    env_file: app.env\n");
	assert_str(r, "services/api/environment/C", "file_c");
	assert_str(r, "services/api/env_file/0/path", "/proj/app.env");
	ynode_free(r);
}

static void test_normalize__env_file_missing(void **state)
{
	(void)state;
	assert_norm_error("services:\n"
			  "  api:\n"
			  "    image: x\n"
			  "    env_file: [nope.env]\n",
			  "compose.yaml:4:16: env file '/proj/nope.env' not "
			  "found");
	assert_norm_error("services:\n"
			  "  api:\n"
			  "    image: x\n"
			  "    env_file: [{path: a.env, format: json}]\n",
			  "compose.yaml:4:38: unsupported env_file format "
			  "'json' (expected raw)");
}

static void test_normalize__env_file_on_disk(void **state)
{
	char dir[] = "/tmp/mooring-normXXXXXX";
	char path[64];
	struct ynode *root;
	struct norm_ctx ctx;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/disk.env", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("DISK=yes\n", f);
	fclose(f);
	root =
	    load("services:\n  api:\n    image: x\n    env_file: disk.env\n");
	ctx_init(&ctx, 0);
	ctx.working_dir = dir;
	ctx.read_file = NULL;
	assert_int_equal(normalize_project(root, &ctx), 0);
	assert_str(root, "services/api/environment/DISK", "yes");
	assert_mark(root, "services/api/environment/DISK", "disk.env", 1, 0);
	ynode_free(root);
	remove(path);
	rmdir(dir);
}

static void test_normalize__labels(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    label_file: app.label\n"
			       "    labels:\n"
			       "      - com.x.tier=back\n"
			       "      - com.x.empty\n"
			       "  b:\n"
			       "    image: x\n"
			       "    labels: {n: 42, e: null}\n");

	(void)state;
	assert_str(r, "services/api/labels/com.x.team", "web");
	assert_str(r, "services/api/labels/com.x.tier", "back");
	assert_str(r, "services/api/labels/com.x.empty", "");
	assert_str(r, "services/api/label_file/0", "/proj/app.label");
	assert_mark(r, "services/api/labels/com.x.team", "app.label", 1, 0);
	assert_str(r, "services/b/labels/n", "42");
	assert_str(r, "services/b/labels/e", "");
	ynode_free(r);
}

static void test_normalize__extra_hosts(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  a:\n"
			       "    image: x\n"
			       "    extra_hosts: ['zz:1.2.3.4', 'aa=5.6.7.8',\n"
			       "                  'v6=[::1]']\n"
			       "  b:\n"
			       "    image: x\n"
			       "    extra_hosts: {h: [1.1.1.1, 2.2.2.2]}\n");

	(void)state;
	assert_str(r, "services/a/extra_hosts/0", "aa=5.6.7.8");
	assert_str(r, "services/a/extra_hosts/1", "v6=::1");
	assert_str(r, "services/a/extra_hosts/2", "zz=1.2.3.4");
	assert_str(r, "services/b/extra_hosts/0", "h=1.1.1.1");
	assert_str(r, "services/b/extra_hosts/1", "h=2.2.2.2");
	ynode_free(r);
}

/* Ports */

static void test_normalize__ports_short(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    ports:\n"
			       "      - 80\n"
			       "      - '3000-3002'\n"
			       "      - '9090-9091:8080-8081'\n"
			       "      - '127.0.0.1:5000-5001:5000-5001'\n"
			       "      - '6060:6060/udp'\n"
			       "      - '[::1]:81:82'\n"
			       "      - '127.0.0.1::83'\n"
			       "      - '8000-8010:84'\n");
	const char *p = "services/api/ports/";

	(void)state;
	assert_len(r, "services/api/ports", 12);
	assert_str(r, "services/api/ports/0/mode", "ingress");
	assert_int(r, "services/api/ports/0/target", 80);
	assert_str(r, "services/api/ports/0/protocol", "tcp");
	assert_absent(r, "services/api/ports/0/published");
	assert_absent(r, "services/api/ports/0/host_ip");
	assert_int(r, "services/api/ports/1/target", 3000);
	assert_int(r, "services/api/ports/3/target", 3002);
	assert_int(r, "services/api/ports/4/target", 8080);
	assert_str(r, "services/api/ports/4/published", "9090");
	assert_int(r, "services/api/ports/5/target", 8081);
	assert_str(r, "services/api/ports/5/published", "9091");
	assert_str(r, "services/api/ports/7/host_ip", "127.0.0.1");
	assert_str(r, "services/api/ports/7/published", "5001");
	assert_str(r, "services/api/ports/8/protocol", "udp");
	assert_str(r, "services/api/ports/9/host_ip", "::1");
	assert_str(r, "services/api/ports/9/published", "81");
	assert_int(r, "services/api/ports/9/target", 82);
	assert_str(r, "services/api/ports/10/host_ip", "127.0.0.1");
	assert_absent(r, "services/api/ports/10/published");
	assert_str(r, "services/api/ports/11/published", "8000-8010");
	/* Every expanded entry keeps the mark of the item it came from. */
	assert_mark(r, "services/api/ports/3/target", "compose.yaml", 6, 9);
	assert_mark(r, "services/api/ports/5", "compose.yaml", 7, 9);
	(void)p;
	ynode_free(r);
}

static void test_normalize__ports_long_and_errors(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  api:\n"
		 "    image: x\n"
		 "    ports:\n"
		 "      - target: '80'\n"
		 "        published: 8080\n"
		 "        protocol: UDP\n"
		 "        x-note: a\n"
		 "      - {target: 443, mode: host, name: https}\n");

	(void)state;
	assert_int(r, "services/api/ports/0/target", 80);
	assert_str(r, "services/api/ports/0/published", "8080");
	assert_str(r, "services/api/ports/0/protocol", "udp");
	assert_str(r, "services/api/ports/0/mode", "ingress");
	assert_absent(r, "services/api/ports/0/x-note");
	assert_str(r, "services/api/ports/1/mode", "host");
	assert_str(r, "services/api/ports/1/protocol", "tcp");
	assert_str(r, "services/api/ports/1/name", "https");
	ynode_free(r);

	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    ports: ['9090-9092:8080-8081']\n",
			  "compose.yaml:4:13: port ranges of "
			  "'9090-9092:8080-8081' in service 'api' do not have "
			  "the same length");
	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    ports: ['80:http']\n",
			  "compose.yaml:4:13: invalid port '80:http' in "
			  "service 'api'");
	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    ports: ['80/icmp']\n",
			  "compose.yaml:4:13: invalid protocol 'icmp' in port "
			  "'80/icmp' of service 'api'");
	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    ports: ['1.2.3:80:80']\n",
			  "compose.yaml:4:13: invalid host ip '1.2.3' in port "
			  "'1.2.3:80:80' of service 'api'");
	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    ports: [{published: 80}]\n",
			  "compose.yaml:4:13: a port of service 'api' is "
			  "missing 'target'");
}

static void test_normalize__expose(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    expose: [3000, '4000-4001', '53/udp', "
			       "'80/tcp']\n");

	(void)state;
	assert_len(r, "services/api/expose", 5);
	assert_str(r, "services/api/expose/0", "3000");
	assert_str(r, "services/api/expose/1", "4000");
	assert_str(r, "services/api/expose/2", "4001");
	assert_str(r, "services/api/expose/3", "53/udp");
	assert_str(r, "services/api/expose/4", "80");
	ynode_free(r);
}

/* Volumes */

static void test_normalize__volumes_short(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    volumes:\n"
			       "      - /data\n"
			       "      - /opt/data:/var/lib/data\n"
			       "      - .:/code\n"
			       "      - ./static:/www:ro,z\n"
			       "      - ../up:/up\n"
			       "      - ~/configs:/etc/configs:ro\n"
			       "      - db:/var/lib/db:nocopy\n"
			       "      - /a/./b/../c:/d/:rshared\n");
	const char *v = "services/api/volumes/";

	(void)state;
	(void)v;
	assert_str(r, "services/api/volumes/0/type", "volume");
	assert_absent(r, "services/api/volumes/0/source");
	assert_str(r, "services/api/volumes/0/target", "/data");
	assert_kind(r, "services/api/volumes/0/volume", YNODE_MAP);
	assert_str(r, "services/api/volumes/1/type", "bind");
	assert_str(r, "services/api/volumes/1/source", "/opt/data");
	assert_kind(r, "services/api/volumes/1/bind", YNODE_MAP);
	assert_len(r, "services/api/volumes/1/bind", 0);
	assert_str(r, "services/api/volumes/2/source", "/proj");
	assert_str(r, "services/api/volumes/3/source", "/proj/static");
	assert_bool(r, "services/api/volumes/3/read_only", true);
	assert_str(r, "services/api/volumes/3/bind/selinux", "z");
	assert_str(r, "services/api/volumes/4/source", "/up");
	assert_str(r, "services/api/volumes/5/source", "/home/u/configs");
	assert_str(r, "services/api/volumes/6/type", "volume");
	assert_str(r, "services/api/volumes/6/source", "db");
	assert_bool(r, "services/api/volumes/6/volume/nocopy", true);
	assert_str(r, "services/api/volumes/7/source", "/a/c");
	assert_str(r, "services/api/volumes/7/target", "/d");
	assert_str(r, "services/api/volumes/7/bind/propagation", "rshared");
	assert_mark(r, "services/api/volumes/3/source", "compose.yaml", 8, 9);
	ynode_free(r);

	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    volumes: ['./a:/b:rx']\n",
			  "compose.yaml:4:15: invalid volume option 'rx' in "
			  "'./a:/b:rx' of service 'api'");
	assert_norm_error("services:\n  api:\n    image: x\n"
			  "    volumes: ['a:b:c:d']\n",
			  "compose.yaml:4:15: invalid volume 'a:b:c:d' in "
			  "service 'api'");
}

static void test_normalize__volumes_long_same_as_short(void **state)
{
	struct ynode *a = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    volumes: ['./d:/d:ro', 'v:/v', '/t']\n");
	struct ynode *b = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    volumes:\n"
			       "      - type: bind\n"
			       "        source: ./d\n"
			       "        target: /d\n"
			       "        read_only: 'true'\n"
			       "        bind: {create_host_path: true}\n"
			       "      - {type: volume, source: v, target: /v,\n"
			       "         read_only: false, volume: {nocopy: "
			       "false}}\n"
			       "      - {type: volume, target: /t}\n");
	struct ynode *c = norm("services:\n"
			       "  api:\n"
			       "    image: x\n"
			       "    volumes:\n"
			       "      - type: tmpfs\n"
			       "        target: /tmp\n"
			       "        tmpfs: {size: 64m}\n"
			       "      - type: bind\n"
			       "        source: /x\n"
			       "        target: /x\n"
			       "        bind: {create_host_path: false}\n");

	(void)state;
	assert_true(ynode_equal(at(a, "services/api/volumes"),
				at(b, "services/api/volumes")));
	assert_int(c, "services/api/volumes/0/tmpfs/size", 67108864LL);
	assert_bool(c, "services/api/volumes/1/bind/create_host_path", false);
	ynode_free(a);
	ynode_free(b);
	ynode_free(c);
}

static void test_normalize__devices_and_ulimits(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  api:\n"
		 "    image: x\n"
		 "    devices: ['/dev/sda:/dev/xvda:r', /dev/fuse]\n"
		 "    ulimits:\n"
		 "      nproc: 65535\n"
		 "      nofile: {soft: 20000, hard: 40000}\n"
		 "      core: {soft: 0, hard: 0}\n");

	(void)state;
	assert_str(r, "services/api/devices/0/source", "/dev/sda");
	assert_str(r, "services/api/devices/0/target", "/dev/xvda");
	assert_str(r, "services/api/devices/0/permissions", "r");
	assert_str(r, "services/api/devices/1/target", "/dev/fuse");
	assert_str(r, "services/api/devices/1/permissions", "rwm");
	assert_int(r, "services/api/ulimits/nproc", 65535);
	assert_int(r, "services/api/ulimits/nofile/soft", 20000);
	assert_int(r, "services/api/ulimits/core", 0);
	ynode_free(r);
}

/* Healthcheck, command */

static void test_normalize__healthcheck(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  a:\n"
			       "    image: x\n"
			       "    healthcheck:\n"
			       "      test: curl -f http://localhost\n"
			       "      interval: 90s\n"
			       "      timeout: 1s\n"
			       "      retries: '3'\n"
			       "      start_period: 1m\n"
			       "  b:\n"
			       "    image: x\n"
			       "    healthcheck: {disable: true}\n"
			       "  c:\n"
			       "    image: x\n"
			       "    healthcheck: {test: [NONE], interval: 5s}\n"
			       "  d:\n"
			       "    image: x\n"
			       "    healthcheck: {test: [CMD, a, b], disable: "
			       "false}\n");

	(void)state;
	assert_str(r, "services/a/healthcheck/test/0", "CMD-SHELL");
	assert_str(r, "services/a/healthcheck/test/1",
		   "curl -f http://localhost");
	assert_str(r, "services/a/healthcheck/interval", "1m30s");
	assert_str(r, "services/a/healthcheck/start_period", "1m0s");
	assert_int(r, "services/a/healthcheck/retries", 3);
	assert_true(ynode_equal(at(r, "services/b/healthcheck"),
				at(r, "services/c/healthcheck")));
	assert_str(r, "services/b/healthcheck/test/0", "NONE");
	assert_len(r, "services/b/healthcheck", 1);
	assert_absent(r, "services/d/healthcheck/disable");
	ynode_free(r);
	assert_norm_error("services:\n  a:\n    image: x\n"
			  "    healthcheck: {test: [CMD, x], disable: true}\n",
			  "compose.yaml:4:44: 'healthcheck.disable' and "
			  "'healthcheck.test' of service 'a' contradict each "
			  "other");
	assert_norm_error("services:\n  a:\n    image: x\n"
			  "    healthcheck: {test: [curl, x]}\n",
			  "compose.yaml:4:25: 'healthcheck.test' of service "
			  "'a' must start with NONE, CMD or CMD-SHELL, not "
			  "'curl'");
}

static void test_normalize__command(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  a:\n"
		 "    image: x\n"
		 "    command: echo hi\n"
		 "  b:\n"
		 "    image: x\n"
		 "    command: [echo, hi]\n"
		 "  c:\n"
		 "    image: x\n"
		 "    command: >-\n"
		 "      sh -c 'echo \"a b\"' \"x\\\"y\" z\\ w ''\n"
		 "    entrypoint: []\n");

	(void)state;
	assert_true(ynode_equal(at(r, "services/a/command"),
				at(r, "services/b/command")));
	/* Not set means the image's value: absent, not null. */
	assert_null(at(r, "services/a/entrypoint"));
	assert_len(r, "services/c/command", 6);
	assert_str(r, "services/c/command/2", "echo \"a b\"");
	assert_str(r, "services/c/command/3", "x\"y");
	assert_str(r, "services/c/command/4", "z w");
	assert_str(r, "services/c/command/5", "");
	assert_kind(r, "services/c/entrypoint", YNODE_SEQ);
	assert_len(r, "services/c/entrypoint", 0);
	ynode_free(r);
	assert_norm_error("services:\n  a:\n    image: x\n"
			  "    command: echo 'hi\n",
			  "compose.yaml:4:14: invalid command line 'echo 'hi' "
			  "for 'command' (unterminated quote or escape)");
}

/* depends_on, networks, resource names */

static void test_normalize__depends_on(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  a:\n"
		 "    image: x\n"
		 "    depends_on: [db]\n"
		 "    links: ['cache:c', logs]\n"
		 "    volumes_from: ['data:ro', 'container:xyz']\n"
		 "    ipc: service:ipcsvc\n"
		 "  b:\n"
		 "    image: x\n"
		 "    network_mode: service:a\n"
		 "    depends_on:\n"
		 "      db: {condition: service_healthy, restart: "
		 "false}\n"
		 "      other:\n");

	(void)state;
	assert_str(r, "services/a/depends_on/db/condition", "service_started");
	assert_bool(r, "services/a/depends_on/db/required", true);
	assert_absent(r, "services/a/depends_on/db/restart");
	assert_bool(r, "services/a/depends_on/cache/restart", true);
	must(r, "services/a/depends_on/logs");
	must(r, "services/a/depends_on/data");
	must(r, "services/a/depends_on/ipcsvc");
	assert_absent(r, "services/a/depends_on/container");
	assert_len(r, "services/a/depends_on", 5);
	assert_str(r, "services/b/depends_on/db/condition", "service_healthy");
	assert_absent(r, "services/b/depends_on/db/restart");
	assert_str(r, "services/b/depends_on/other/condition",
		   "service_started");
	must(r, "services/b/depends_on/a");
	assert_mark(r, "services/a/depends_on/cache", "compose.yaml", 5, 13);
	ynode_free(r);

	r = norm_flags("services:\n"
		       "  a:\n"
		       "    image: x\n"
		       "    links: [db]\n",
		       NORM_F_SKIP_DEFAULTS);
	assert_absent(r, "services/a/depends_on");
	assert_absent(r, "services/a/networks");
	assert_absent(r, "networks");
	ynode_free(r);
}

static void test_normalize__networks_and_names(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  a:\n"
		 "    image: x\n"
		 "  b:\n"
		 "    image: x\n"
		 "    networks: [front]\n"
		 "  c:\n"
		 "    image: x\n"
		 "    networks: {front: {}, back: {aliases: [c1]}}\n"
		 "  d:\n"
		 "    image: x\n"
		 "    network_mode: host\n"
		 "networks:\n"
		 "  front:\n"
		 "  back: {name: custom}\n"
		 "  ext: {external: true}\n"
		 "  old: {external: {name: legacy}}\n"
		 "volumes:\n"
		 "  data:\n"
		 "  ext: {external: true, x-a: 1}\n"
		 "secrets:\n"
		 "  s: {file: ./secret.txt}\n"
		 "configs:\n"
		 "  c: {file: ~/c.conf}\n");

	(void)state;
	assert_kind(r, "services/a/networks/default", YNODE_NULL);
	assert_kind(r, "services/b/networks/front", YNODE_NULL);
	assert_kind(r, "services/c/networks/front", YNODE_NULL);
	assert_str(r, "services/c/networks/back/aliases/0", "c1");
	assert_absent(r, "services/d/networks");
	assert_str(r, "networks/default/name", "proj_default");
	assert_str(r, "networks/front/name", "proj_front");
	assert_kind(r, "networks/front/ipam", YNODE_MAP);
	assert_str(r, "networks/back/name", "custom");
	assert_str(r, "networks/ext/name", "ext");
	assert_str(r, "networks/old/name", "legacy");
	assert_bool(r, "networks/old/external", true);
	assert_str(r, "volumes/data/name", "proj_data");
	assert_str(r, "volumes/ext/name", "ext");
	assert_absent(r, "volumes/ext/x-a");
	assert_str(r, "secrets/s/file", "/proj/secret.txt");
	assert_str(r, "secrets/s/name", "proj_s");
	assert_str(r, "configs/c/file", "/home/u/c.conf");
	assert_str(r, "name", "proj");
	ynode_free(r);

	assert_norm_error("services:\n  a:\n    image: x\n"
			  "    network_mode: host\n    networks: [n]\n",
			  "compose.yaml:4:19: service 'a' declares both "
			  "'network_mode' and 'networks'");
}

static void test_normalize__resources_fold(void **state)
{
	struct ynode *r =
	    norm("services:\n"
		 "  a:\n"
		 "    image: x\n"
		 "    deploy:\n"
		 "      resources:\n"
		 "        limits: {memory: 512m, cpus: '0.5', pids: "
		 "10}\n"
		 "        reservations: {memory: 256m, cpus: "
		 "'0.25'}\n"
		 "  b:\n"
		 "    image: x\n"
		 "    mem_limit: 536870912\n"
		 "    deploy: {resources: {limits: {memory: "
		 "512m}}}\n");

	(void)state;
	assert_int(r, "services/a/mem_limit", 536870912LL);
	assert_true(at(r, "services/a/cpus")->u.f == 0.5);
	assert_int(r, "services/a/pids_limit", 10);
	assert_int(r, "services/a/mem_reservation", 268435456LL);
	assert_absent(r, "services/a/deploy/resources/limits");
	assert_true(
	    at(r, "services/a/deploy/resources/reservations/cpus")->u.f ==
	    0.25);
	/* Provenance points at the deploy key that set it. */
	assert_mark(r, "services/a/mem_limit", "compose.yaml", 6, 26);
	assert_int(r, "services/b/mem_limit", 536870912LL);
	assert_absent(r, "services/b/deploy");
	ynode_free(r);

	assert_norm_error("services:\n  a:\n    image: x\n"
			  "    mem_limit: 1g\n"
			  "    deploy: {resources: {limits: {memory: 512m}}}\n",
			  "compose.yaml:5:43: 'deploy.resources.limits.memory' "
			  "differs from 'mem_limit' set at compose.yaml:4:16");
}

static void test_normalize__secrets_configs_build(void **state)
{
	struct ynode *r = norm("services:\n"
			       "  a:\n"
			       "    image: x\n"
			       "    build: ./dir\n"
			       "    secrets: [s, {source: t, mode: 0440, uid: "
			       "103}]\n"
			       "    configs: [{source: c, mode: '0o644'}]\n"
			       "    x-mine: 1\n");

	(void)state;
	assert_absent(r, "services/a/build");
	assert_absent(r, "services/a/x-mine");
	assert_str(r, "services/a/secrets/0/source", "s");
	assert_str(r, "services/a/secrets/1/mode", "0440");
	assert_str(r, "services/a/secrets/1/uid", "103");
	assert_str(r, "services/a/configs/0/mode", "0644");
	ynode_free(r);

	r = norm_flags("services:\n"
		       "  a:\n"
		       "    build: ./dir\n"
		       "  b:\n"
		       "    build:\n"
		       "      dockerfile: D\n"
		       "      args: [A=1, B]\n"
		       "      additional_contexts: {x: ../x, "
		       "y: 'docker-image://alpine'}\n",
		       NORM_F_ALLOW_BUILD);
	assert_str(r, "services/a/build/context", "/proj/dir");
	assert_str(r, "services/b/build/context", "/proj");
	assert_str(r, "services/b/build/args/A", "1");
	assert_kind(r, "services/b/build/args/B", YNODE_NULL);
	assert_str(r, "services/b/build/additional_contexts/x", "/x");
	assert_str(r, "services/b/build/additional_contexts/y",
		   "docker-image://alpine");
	ynode_free(r);
}

static void test_normalize__same_meaning_same_tree(void **state)
{
	struct ynode *a =
	    norm("services:\n"
		 "  api:\n"
		 "    image: nginx\n"
		 "    environment: [A=1, B=x]\n"
		 "    labels: [l=1]\n"
		 "    ports: ['8080:80']\n"
		 "    command: run --fast\n"
		 "    depends_on: [db]\n"
		 "    networks: [default]\n"
		 "    mem_limit: 1g\n"
		 "    healthcheck: {test: 'true', interval: 60s}\n"
		 "  db: {image: pg}\n");
	struct ynode *b = norm("services:\n"
			       "  db:\n"
			       "    image: pg\n"
			       "  api:\n"
			       "    healthcheck:\n"
			       "      interval: 1m\n"
			       "      test: [CMD-SHELL, 'true']\n"
			       "    deploy: {resources: {limits: {memory: "
			       "1024m}}}\n"
			       "    depends_on:\n"
			       "      db: {condition: service_started}\n"
			       "    command: [run, --fast]\n"
			       "    ports:\n"
			       "      - {target: 80, published: '8080'}\n"
			       "    labels: {l: 1}\n"
			       "    environment: {B: x, A: 1}\n"
			       "    image: nginx\n");

	(void)state;
	assert_true(ynode_equal(a, b));
	ynode_free(a);
	ynode_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize__bytes),
	    cmocka_unit_test(test_normalize__durations),
	    cmocka_unit_test(test_normalize__scalar_types),
	    cmocka_unit_test(test_normalize__environment_forms),
	    cmocka_unit_test(test_normalize__env_file),
	    cmocka_unit_test(test_normalize__env_file_missing),
	    cmocka_unit_test(test_normalize__env_file_on_disk),
	    cmocka_unit_test(test_normalize__labels),
	    cmocka_unit_test(test_normalize__extra_hosts),
	    cmocka_unit_test(test_normalize__ports_short),
	    cmocka_unit_test(test_normalize__ports_long_and_errors),
	    cmocka_unit_test(test_normalize__expose),
	    cmocka_unit_test(test_normalize__volumes_short),
	    cmocka_unit_test(test_normalize__volumes_long_same_as_short),
	    cmocka_unit_test(test_normalize__devices_and_ulimits),
	    cmocka_unit_test(test_normalize__healthcheck),
	    cmocka_unit_test(test_normalize__command),
	    cmocka_unit_test(test_normalize__depends_on),
	    cmocka_unit_test(test_normalize__networks_and_names),
	    cmocka_unit_test(test_normalize__resources_fold),
	    cmocka_unit_test(test_normalize__secrets_configs_build),
	    cmocka_unit_test(test_normalize__same_meaning_same_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
