# fdleak - file-descriptor leak tracer. GNU make; `make V=1` shows commands.
#   make            build ./fdleak and the test programs
#   make install    install the binary, its default suppressions and the man
#                   page (PREFIX=/usr/local, DESTDIR, BINDIR, DATADIR, MANDIR);
#                   make uninstall removes them
#   make check      unit, fuzz-corpus, integration and hardening tests
#                   (ASAN=1: under ASan+UBSan)
#   make check-long the long ones (about 75 min): the hour-long --interval
#                   run, and every fuzz harness for FUZZ_SECONDS (default 60)
#   make bench      benchmark (never part of check)
#   make example    run fdleak on the bundled leaky example
#   make screenshots  the README's pictures (man/screenshots/*.png), from
#                   HTML reports of the victims in headless Chromium
# CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are the builder's (dpkg-buildflags
# sets them); the project's own flags are kept apart and always added.

VERSION	:= $(shell sed -n 's/^\#define FDLEAK_VERSION "\(.*\)"/\1/p' include/version.h)
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
INSTALL	?= install

PKGS	:= libunwind-generic libdw libelf jansson
PKG_CONFIG ?= pkg-config
# Asked once per build (a := variable is expanded where it is set), for
# both: the compiler's flags are the -I, -D and -pthread ones.
PKG_ALL    := $(shell $(PKG_CONFIG) --cflags --libs $(PKGS))
PKG_CFLAGS := $(filter -I% -D% -pthread,$(PKG_ALL))
PKG_LIBS   := $(filter-out -I% -D%,$(PKG_ALL))
CC	?= cc
CFLAGS	?= -O2 -g
FDLEAK_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter
FDLEAK_CPPFLAGS := -D_GNU_SOURCE -Iinclude \
	   -DFDLEAK_DATADIR='"$(DATADIR)/fdleak"' $(PKG_CFLAGS)

ifeq ($(ASAN),1)
B	:= build/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
else
B	:= build
SAN_FLAGS :=
endif
ALL_CFLAGS  = $(FDLEAK_CFLAGS) $(FDLEAK_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)
ALL_LDLIBS  = $(PKG_LIBS) $(LDLIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

SRCS	:= $(wildcard src/*.c)
LIBOBJS	:= $(patsubst src/%.c,$(B)/%.o,$(filter-out src/main.c,$(SRCS)))
UNIT	:= $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))
# Victims are the traced programs of the integration tests: no sanitizer, -O0 -g
# so the stacks the tests expect are the ones in the source.
VICTIMS	:= $(patsubst tests/victims/%.c,build/victims/%,$(wildcard tests/victims/*.c))
FDLEAK	:= $(if $(filter 1,$(ASAN)),$(B)/fdleak,fdleak)

all: $(FDLEAK) victims

$(FDLEAK): $(B)/main.o $(B)/libfdleak.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(B)/libfdleak.a: $(LIBOBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/%.o: src/%.c $(wildcard include/*.h) src/syscalls.def | $(B)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B) $(B)/unit build/victims:
	$(Q)mkdir -p $@

$(B)/unit/%: tests/unit/%.c tests/unit/helpers.h $(wildcard include/*.h) $(B)/libfdleak.a | $(B)/unit
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libfdleak.a \
	    $(ALL_LDLIBS) -lcmocka

victims: $(VICTIMS)

build/victims/%: tests/victims/%.c tests/victims/victim.h | build/victims
	@echo "  CC      $<"
	$(Q)$(CC) -std=gnu11 -O0 -g -fno-omit-frame-pointer -Wall -Wextra -pthread -o $@ $<

unit: $(UNIT)

# memcheck runs once, in the plain build (valgrind and ASan do not mix).
check: all unit fuzz-check $(if $(filter 1,$(ASAN)),,memcheck)
	@set -e; for t in $(UNIT); do echo "== $$t"; $$t; done
	$(Q)FDLEAK=$(FDLEAK) python3 tests/integration/run.py
	$(Q)FDLEAK=$(FDLEAK) python3 tests/integration/harden.py

# The long versions of checks whose short versions are in check.
check-long: FUZZ_SECONDS = 60
check-long: all fuzz
	$(Q)FDLEAK=$(FDLEAK) python3 tests/integration/harden.py --long 'scale-interval-rss*'

# The tracer under valgrind's memcheck, tracing victims of every kind (under
# valgrind seccomp is unavailable, so this also covers the no-filter path).
MEMCHECK_RUNS := example families threads noleak scm_rights "forker fork" \
		 "execer main" "execer thread" misuse
memcheck: fdleak victims
	@set -e; for v in $(MEMCHECK_RUNS); do \
		echo "== memcheck: fdleak -- $$v"; \
		FDLEAK_EXPECT= valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite ./fdleak -o /dev/null -- \
		    build/victims/$$v >/dev/null 2>build/memcheck.log || \
		    { grep -v 'seccomp filter not active' build/memcheck.log; exit 1; }; \
		grep -v -e 'seccomp filter not active' -e 'unhandled amd64-linux syscall' \
		    -e 'write your own handler' -e 'README_MISSING' -e 'Nevertheless' \
		    -e 'valgrind.org' build/memcheck.log || true; \
	done
	@echo "== memcheck: fdleak --from, every format"
	@./fdleak --format=json -o build/memcheck.json -- build/victims/misuse \
	    >/dev/null 2>&1 || true
	@set -e; for f in text json sarif html folded; do \
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite ./fdleak \
		    --from=build/memcheck.json --format=$$f -o /dev/null; \
	done

# Static analysis: clang-tidy (checks in .clang-tidy) and cppcheck must be silent.
# ctuuninitvar in umem.c and arch-x86_64.c are false positives: the buffers
# are the output of process_vm_readv and PTRACE_GETREGS.
lint:
	clang-tidy --quiet --warnings-as-errors='*' src/*.c -- -std=gnu11 \
	    $(FDLEAK_CPPFLAGS) 2>/dev/null
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
	    -D_GNU_SOURCE -Iinclude --suppress=missingIncludeSystem \
	    --suppress=ctuuninitvar:src/umem.c --suppress=ctuuninitvar:src/arch-x86_64.c src/

example: $(FDLEAK) build/victims/example
	./$(FDLEAK) -- build/victims/example

screenshots: $(FDLEAK) victims
	$(Q)FDLEAK=$(FDLEAK) python3 tests/integration/screenshots.py

bench: $(FDLEAK) victims build/bench/floor build/bench/plant.so
	$(Q)python3 tests/bench/bench.py

# The leak planted in nginx for the sampled-attach rows (LD_PRELOAD).
build/bench/plant.so: tests/bench/plant.c
	@mkdir -p build/bench
	@echo "  CC      $<"
	$(Q)$(CC) -O2 -g -Wall -Wextra -shared -fPIC -o $@ $< -ldl

# The ptrace floor of the benchmark: fdleak's filter and syscall table, no work.
build/bench/floor: tests/bench/floor.c $(B)/libfdleak.a
	@mkdir -p build/bench
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libfdleak.a $(ALL_LDLIBS)

install: fdleak
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/fdleak \
	    $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 fdleak $(DESTDIR)$(BINDIR)/fdleak
	$(INSTALL) -m 644 src/default.supp $(DESTDIR)$(DATADIR)/fdleak/default.supp
	$(INSTALL) -m 644 man/fdleak.1 $(DESTDIR)$(MANDIR)/man1/fdleak.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fdleak $(DESTDIR)$(DATADIR)/fdleak/default.supp \
	    $(DESTDIR)$(MANDIR)/man1/fdleak.1
	-rmdir $(DESTDIR)$(DATADIR)/fdleak 2>/dev/null

clean:
	rm -rf build fdleak

.PHONY: all victims unit check check-long memcheck lint example bench install \
	uninstall clean screenshots
.SECONDARY:

# libFuzzer harnesses (clang): make fuzz [FUZZ_SECONDS=30]; make fuzz-check replays the corpora
include tests/fuzz/fuzz.mk
