# tests/fuzz/fuzz.mk - libFuzzer harnesses (clang), included by the Makefile.
#   make fuzz [FUZZ_SECONDS=30]   fuzz each harness for FUZZ_SECONDS seconds
#   make fuzz-check               run every saved input once (corpus + crashes)
# Seeds live in tests/fuzz/corpus/NAME and stay small; what fuzzing finds goes
# to build/fuzz/corpus/NAME, crashing inputs to build/fuzz/crashes/NAME-*.
# A crash worth keeping is moved to tests/fuzz/crashes/NAME/, so that
# fuzz-check replays it from then on.

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 30
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		   -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Iinclude \
		   -I/usr/include/x86_64-linux-gnu
FUZZ_LIBS	= $(PKG_LIBS)

# The modules each harness links: the fewest that do, so a harness stays
# buildable while unrelated modules change.
FUZZ_MOD_json		:= json
FUZZ_MOD_maps		:= maps procfs util
FUZZ_MOD_fdinfo_flags	:= fdinfo sockinfo procfs util
FUZZ_MOD_fdinfo_link	:= fdinfo fdkind sockinfo procfs util
FUZZ_MOD_fdinfo_text	:= fdinfo sockinfo procfs util
FUZZ_MOD_proc_net	:= sockinfo fdinfo procfs util
FUZZ_MOD_sock_diag	:= sockinfo procfs util
FUZZ_MOD_scm_rights	:= decode syscall umem util
FUZZ_MOD_suppress	:= suppress demangle report failures symstack perfmap hash stack \
			   symbolize syscall fdkind util
FUZZ_MOD_suppress_gen	:= $(FUZZ_MOD_suppress)
FUZZ_MOD_demangle	:= demangle hash util
FUZZ_MOD_proc		:= procfs util
FUZZ_MOD_perfmap	:= perfmap util
# The reader reaches the writers and dump.c, which reaches the tracer's
# modules: every module, so that the list follows the source tree.
FUZZ_MOD_report_read	:= $(patsubst src/%.c,%,$(filter-out src/main.c,$(wildcard src/*.c)))

FUZZ_NAMES	:= json maps fdinfo_flags fdinfo_link fdinfo_text proc_net \
		   sock_diag scm_rights suppress suppress_gen demangle proc perfmap \
		   report_read
FUZZ_BINS	:= $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_HAVE_CC	:= $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo 1)

build/fuzz/obj/%.o: src/%.c $(wildcard include/*.h) src/syscalls.def
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

define FUZZ_RULE
build/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz.h \
    $$(patsubst %,build/fuzz/obj/%.o,$$(FUZZ_MOD_$(1)))
	@mkdir -p build/fuzz/crashes
	@echo "  FUZZLD  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$(filter %.c %.o,$$^) \
	    $$(FUZZ_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(n))))

# Every harness runs even when one fails; the failures are listed at the end.
fuzz: $(FUZZ_BINS)
	$(Q)failed=; for n in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$n; \
		echo "== fuzz_$$n: $(FUZZ_SECONDS) s"; \
		if build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
		    -timeout=10 -print_final_stats=1 \
		    -artifact_prefix=build/fuzz/crashes/$$n- \
		    build/fuzz/corpus/$$n tests/fuzz/corpus/$$n \
		    >build/fuzz/$$n.log 2>&1; then \
			grep -E '^stat::(number_of_exec|average_exec)' \
			    build/fuzz/$$n.log; \
		else \
			grep -E 'invariant|ERROR|runtime error|Test unit' \
			    build/fuzz/$$n.log; \
			failed="$$failed $$n"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "fuzz: failed:$$failed (logs in build/fuzz/NAME.log)"; \
		exit 1; \
	fi

ifeq ($(FUZZ_HAVE_CC),1)
fuzz-check: $(FUZZ_BINS)
	$(Q)failed=; for n in $(FUZZ_NAMES); do \
		files=$$(find tests/fuzz/corpus/$$n tests/fuzz/crashes/$$n \
		    -type f 2>/dev/null | sort); \
		echo "== fuzz_$$n: $$(echo "$$files" | wc -l) inputs"; \
		log=build/fuzz/$$n-check.log; \
		build/fuzz/fuzz_$$n $$files >$$log 2>&1 || { \
			grep -E 'Running:|invariant|ERROR|runtime error' \
			    $$log | tail -n 3; \
			failed="$$failed $$n"; \
		}; \
	done; \
	if [ -n "$$failed" ]; then \
		echo "fuzz-check: failed:$$failed"; \
		exit 1; \
	fi
else
fuzz-check:
	@echo "fuzz-check: $(FUZZ_CC) not found, skipped"
endif

.PHONY: fuzz fuzz-check
