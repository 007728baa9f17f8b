# driftd — GNU Makefile. Sources are found by wildcard so that a new module
# or test suite needs no Makefile edit: lib/*.c and lib/resources/*.c form
# libdriftd.a, daemon/*.c the driftd binary, tests/test_*.c one Check suite
# each, tests/tools/*.c one tool each.

PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PYTHON     ?= /usr/bin/python3
PKGS        = libcurl libcrypto libcjson libuv expat libpq
TEST_PKGS   = check

OPT        ?= -O2
SAN        ?=
CFLAGS_ALL  = -std=gnu11 -Wall -Wextra -Werror -g $(OPT) $(SAN) \
              -Ilib -MMD -MP -D_GNU_SOURCE $(CFLAGS) \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(LDLIBS)
# The daemon's relocations packed (DT_RELR, binutils 2.38, glibc 2.36):
# its pointer tables (the resource tables; the AWS model holds offsets,
# no pointers) need RELA entries that stay resident after startup; packed,
# 2.4 KB. Left out where the linker cannot.
RELR       := $(shell printf 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null \
                -Wl,-z,pack-relative-relocs -Wl,--fatal-warnings 2>/dev/null && \
                echo -Wl,-z,pack-relative-relocs)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

LIB_SRC    := $(sort $(wildcard lib/*.c lib/resources/*.c))
DAEMON_SRC := $(sort $(wildcard daemon/*.c))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))
BENCH_SRC  := $(sort $(wildcard tests/bench/*.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
BENCH_BIN  := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/tests/bench/%)
# Fuzz harnesses: with the corpus driver (make check), or libFuzzer (make fuzz).
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SECONDS ?= 60
FUZZ_CC    ?= clang
FUZZ_BUILD ?= build-fuzz
LIBDRIFTD  := $(BUILD)/libdriftd.a
DRIFTD     := $(BUILD)/driftd

.SECONDARY:
.PHONY: all check test asan valgrind bench demo install clean deps fuzz
all: $(DRIFTD) $(TOOL_BIN)

deps:
	@sh contrib/install-deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -c $< -o $@

$(LIBDRIFTD): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DRIFTD): $(DAEMON_OBJ) $(LIBDRIFTD)
	$(CC) $(SAN) $(RELR) -o $@ $(DAEMON_OBJ) $(LIBDRIFTD) $(LDLIBS_ALL)

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIBDRIFTD)
	$(CC) $(SAN) -o $@ $< $(LIBDRIFTD) $(TEST_LIBS) $(LDLIBS_ALL)

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIBDRIFTD)
	$(CC) $(SAN) -o $@ $< $(LIBDRIFTD) $(LDLIBS_ALL)

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/driver.o $(LIBDRIFTD)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS_ALL)

# libFuzzer binaries: only under `make fuzz` (BUILD=$(FUZZ_BUILD), clang).
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/lfcommon.o $(LIBDRIFTD)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/fuzz/lfcommon.o: tests/fuzz/driver.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DFUZZ_NO_MAIN -c $< -o $@

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(LIBDRIFTD)
	$(CC) $(SAN) -o $@ $< $(LIBDRIFTD) $(LDLIBS_ALL)

# check: unit suites, then the Python suites (fake AWS, oracle, end to end).
check: deps
	@$(MAKE) --no-print-directory test

test: $(DRIFTD) $(TOOL_BIN) $(TEST_BIN) $(FUZZ_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) $(PYTHON) tests/run-tests $(TEST_BIN)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

valgrind: deps
	@$(MAKE) --no-print-directory $(TEST_BIN)
	@VALGRIND=1 BUILD=$(BUILD) PYTHON=$(PYTHON) $(PYTHON) tests/run-tests --unit-only $(TEST_BIN)

# Each harness under libFuzzer for FUZZ_SECONDS, from its committed corpus
# (new inputs go to $(FUZZ_BUILD)/corpus; crashes to $(FUZZ_BUILD)/crash-*:
# add a crash input to tests/fuzz/corpus/NAME once fixed).
fuzz:
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1 || [ ! -f "$$($(FUZZ_CC) \
	    -print-file-name=libclang_rt.fuzzer-$$(uname -m).a)" ]; then \
	  apt-get install -y clang libclang-rt-14-dev; fi
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPT=-O1 \
	  CFLAGS="-Wno-missing-field-initializers" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz/%)
	@set -e; for n in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  echo "fuzz $$n for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_BUILD)/crash-$$n- \
	    $(FUZZ_BUILD)/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | tail -3; \
	done

bench: deps
	@$(MAKE) --no-print-directory $(DRIFTD) $(TOOL_BIN) $(BENCH_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) sh tests/bench/run-bench

demo: deps
	@$(MAKE) --no-print-directory $(DRIFTD)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) sh contrib/demo

install: $(DRIFTD)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)/lib/systemd/system
	install -m 0755 $(DRIFTD) $(DESTDIR)$(PREFIX)/bin/driftd
	for m in contrib/man/*.1; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	for m in contrib/man/*.5; do [ -f "$$m" ] && install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	for u in systemd/*.service; do [ -f "$$u" ] && install -m 0644 $$u $(DESTDIR)/lib/systemd/system/; done; true

clean:
	rm -rf build build-asan $(FUZZ_BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
