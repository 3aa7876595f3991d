# mooring - GitOps controller for Docker Compose hosts.
#
#   make            build ./mooring
#   make test       install missing Debian packages, build, run unit (cmocka)
#                   and integration tests, then the ASan+UBSan unit build
#   make lint       clang-format check, cppcheck, banned.h check
#   make fuzz       build libFuzzer targets and run each for FUZZ_SECONDS
#   make bench      speed and memory figures next to docker-compose
#   make conformance  run against ../shared/conformance when present
#   make deps       install the Debian packages build and tests need

CC ?= cc
BUILD ?= build
PKGS = yaml-0.1 jansson libcrypto libcurl libgit2 libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lyaml -ljansson -lcrypto -lcurl -lgit2 -lmicrohttpd)

WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wvla -Wmissing-prototypes \
       -Wshadow -Wformat=2 -Wpointer-arith -Wundef -Wno-unused-parameter
OPT ?= -O2 -g
# Where the shipped default policies are read from (the environment
# variable MOORING_POLICY_DIR overrides it at run time); the image puts
# them in /usr/share/mooring/policies.
POLICY_DIR ?= $(CURDIR)/policies
CFLAGS_ALL = -std=gnu11 $(OPT) $(WARN) -Icontroller -DMOORING_POLICY_DIR='"$(POLICY_DIR)"' $(PKG_CFLAGS) $(SAN) $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

SRCS := $(sort $(wildcard controller/*.c))
LIB_SRCS := $(filter-out controller/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:controller/%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/%)
FUZZ_SRCS := $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20
CONFORMANCE_DIR ?= ../shared/conformance

all: mooring

mooring: $(BUILD)/mooring
	cp $< $@

$(BUILD)/mooring: $(BUILD)/obj/main.o $(BUILD)/libmooring.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/libmooring.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: controller/%.c $(wildcard controller/*.h) | $(BUILD)/obj
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/test/%: test/unit/%.c test/unit/unit.h $(BUILD)/libmooring.a | $(BUILD)/test
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -Itest/unit -DTEST_RESOURCES='"$(CURDIR)/test/resources"' \
		-o $@ $< $(BUILD)/libmooring.a $(LDFLAGS_ALL) -lcmocka $(LIBS)

$(BUILD)/obj $(BUILD)/test:
	mkdir -p $@

.PHONY: all deps test unit integration asan-unit lint fuzz bench conformance clean demo demo-clean

deps:
	@sh test/install-deps.sh

unit: $(UNIT_BINS)
	@sh test/unit/run.sh $(UNIT_BINS)

integration: mooring $(BUILD)/tools/git-fetch $(BUILD)/tools/events-watch
	@sh test/integration/run.sh

# The README's test command (see test/run-all.sh). The ASan+UBSan unit
# build runs last, in its own build directory so that objects never mix.
test: deps
	@sh test/run-all.sh

asan-unit:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" unit

conformance: $(BUILD)/conformance
	@if [ -d "$(CONFORMANCE_DIR)" ]; then \
		$(BUILD)/conformance "$(CONFORMANCE_DIR)"; \
	else echo "conformance: no corpus at $(CONFORMANCE_DIR), skipped"; fi

CONF_SRCS = $(sort $(wildcard test/conformance/*.c))
$(BUILD)/conformance: $(CONF_SRCS) test/conformance/conformance.h $(BUILD)/libmooring.a | $(BUILD)/test
	$(CC) $(CFLAGS_ALL) -Itest/conformance -o $@ $(CONF_SRCS) $(BUILD)/libmooring.a $(LDFLAGS_ALL) $(LIBS)

FUZZ_CFLAGS = -std=gnu11 -O1 -g -Icontroller $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz:
	@mkdir -p build/fuzz
	@set -e; for src in $(FUZZ_SRCS); do \
		name=$$(basename $$src .c); \
		clang $(FUZZ_CFLAGS) -o build/fuzz/$$name $$src $(LIB_SRCS) $(PKG_LIBS) -lpthread; \
		corpus=test/fuzz/corpus/$${name#fuzz_}; mkdir -p build/fuzz/$$name.corpus; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s"; \
		build/fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=512 -timeout=5 \
			-print_final_stats=0 build/fuzz/$$name.corpus $$( [ -d $$corpus ] && echo $$corpus ) 2>&1 | tail -n 2; \
	done

bench: mooring $(BUILD)/tools/rss-floor
	@sh test/bench/run.sh

LINT_FILES = $(wildcard controller/*.c controller/*.h test/unit/*.c test/unit/*.h \
	test/fuzz/*.c test/conformance/*.c)
lint:
	clang-format --dry-run --Werror $(LINT_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -Icontroller --suppress=missingIncludeSystem \
		controller test/unit test/conformance
	@for f in controller/*.c; do grep -q '#include "banned.h"' $$f || \
		{ echo "lint: $$f does not include banned.h"; exit 1; }; done
	$(MAKE) clean-objs
	$(MAKE) OPT="-O2 -g" mooring $(UNIT_BINS) $(BUILD)/conformance
	$(MAKE) CC=clang BUILD=build/clang build/clang/mooring

clean-objs:
	rm -rf $(BUILD)/obj $(BUILD)/libmooring.a

demo: deps
	$(MAKE) mooring
	@sh examples/demo.sh

demo-clean:
	@sh examples/demo-clean.sh

# --- test tools -------------------------------------------------------------
# Small programs the integration scripts drive (not installed).
# git-fetch: the git source from the shell (t2000-git-transports.sh).
$(BUILD)/tools/git-fetch: test/tools/git-fetch.c $(BUILD)/libmooring.a
	@mkdir -p $(BUILD)/tools
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< $(BUILD)/libmooring.a $(LDFLAGS_ALL) $(LIBS)
# events-watch: the docker events watcher with a journal, for some seconds
# (t3100-events-audit.sh).
$(BUILD)/tools/events-watch: test/tools/events-watch.c $(BUILD)/libmooring.a
	@mkdir -p $(BUILD)/tools
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< $(BUILD)/libmooring.a $(LDFLAGS_ALL) $(LIBS)
# rss-floor: the RSS of the required libraries alone (make bench).
$(BUILD)/tools/rss-floor: test/tools/rss-floor.c
	@mkdir -p $(BUILD)/tools
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< $(LDFLAGS_ALL) $(LIBS)

clean:
	rm -rf build mooring
