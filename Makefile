# prof-render - build, test, demo and benchmark.
#
#   make demo        install missing build dependencies, build, render the
#                    bundled example to flame.svg
#   make check       the same set-up, then the whole test suite
#   make check-asan  the suite under AddressSanitizer + UBSan
#   make check-valgrind  the CLI golden tests under valgrind memcheck
#   make fuzz        libFuzzer on every reader (FUZZ_SECONDS=N each)
#   make bench       speed and memory figures (bench/README.md)
#   make golden      regenerate the golden outputs after an intended change
#   make install     the CLI, header, libraries, pkg-config file and man page
#                    (PREFIX=/usr/local, DESTDIR= for staging); make uninstall

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := cairo pangocairo libcjson zlib libdeflate
SOVER   := 0
VERSION := 0.1.0

OPT      ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif
SANITIZE ?=
BUILD    ?= build

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# cairo and pango are compiled against but not linked: render/image.c
# loads them when a PNG or PDF is drawn (see there), so that every other
# run starts without their forty-odd libraries.
LINK_PKGS  := libcjson zlib libdeflate
PKG_LIBS   := $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)
CPPFLAGS   += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Ilib -I$(BUILD)
ALL_CFLAGS := $(OPT) $(WARN) $(SANITIZE) -fPIC -fvisibility=hidden $(PKG_CFLAGS) $(CFLAGS)
LDLIBS     := $(PKG_LIBS) -lm -ldl -pthread

LIB_SRC := $(wildcard lib/*.c) $(wildcard formats/*.c) $(wildcard render/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c))

TEST_PROGS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TOOL_PROGS := $(BUILD)/tests/svgframes $(BUILD)/tests/pngcmp

# Fuzz targets (tests/fuzz/targets): each builds as a replay program for
# the test suite and, with clang, as a libFuzzer binary (make fuzz).
FUZZ_TARGETS := $(shell sed -e '/^\#/d' -e 's/ .*//' tests/fuzz/targets)
FUZZ_REPLAY  := $(patsubst %,$(BUILD)/fuzz/replay-%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_CC      ?= clang
FUZZ_HDR     := tests/fuzz/fuzz.h lib/profrender.h

.PHONY: all deps demo check check-asan check-valgrind test bench golden clean fuzz fuzz-deps fuzz-build libprofrender.a-fuzz
all: prof-render libprofrender.a libprofrender.so

# ---- dependencies (apt-get only for what pkg-config cannot find) ----
DEB_PKGS := pkg-config libcairo2-dev libpango1.0-dev libcjson-dev zlib1g-dev libdeflate-dev \
            libcmocka-dev libxml2-utils fonts-dejavu-core librsvg2-bin \
            poppler-utils
deps:
	@missing=""; \
	pkg-config --exists $(PKGS) cmocka 2>/dev/null || missing="$(DEB_PKGS)"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	command -v rsvg-convert >/dev/null 2>&1 || missing="$$missing librsvg2-bin"; \
	command -v pdftocairo >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	command -v $(CC) >/dev/null 2>&1 || missing="$$missing gcc"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing build dependencies: $$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# ---- build ----
$(BUILD)/flame_js.h: render/flame.js
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@{ echo '/* Generated from render/flame.js by the Makefile. */'; \
	  echo 'static const char prf_flame_js[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/render/svg.o: $(BUILD)/flame_js.h

# The report's script and style as byte arrays (NUL-terminated, length
# without it): any byte is safe (no escaping, trigraphs or literal length
# limits). They go inside <script> and <style>, which must not be closed
# early: the build refuses a "</script" or "<!--" (which changes how HTML
# ends a script) in the script, and a "</style" in the style.
$(BUILD)/report_assets.h: render/report.js render/report.css
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	@if grep -qi -e '</script' -e '<!--' render/report.js || grep -qi '</style' render/report.css; then \
	  echo "render/report.js must not contain </script or <!--, nor report.css </style" >&2; exit 1; fi
	@{ echo '/* Generated from render/report.js and render/report.css by the Makefile. */'; \
	  for a in js:render/report.js css:render/report.css; do \
	    echo "static const unsigned char prf_report_$${a%%:*}[] = {"; \
	    od -An -v -tx1 "$${a#*:}" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '0};'; \
	  done; } > $@.tmp && mv $@.tmp $@

$(BUILD)/render/report.o: $(BUILD)/report_assets.h

$(BUILD)/%.o: %.c lib/profrender.h lib/internal.h $(wildcard formats/*.h render/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

libprofrender.a: $(LIB_OBJ)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

libprofrender.so: $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libprofrender.so.$(SOVER) -o $@ $^ $(LDFLAGS) $(LDLIBS)

prof-render: $(CLI_OBJ) libprofrender.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) libprofrender.a $(LDFLAGS) $(LDLIBS)

# ---- tests ----
$(BUILD)/tests/test_%: tests/test_%.c libprofrender.a
	@mkdir -p $(@D)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Iformats -Irender -o $@ $< libprofrender.a \
	  $(LDFLAGS) $(shell pkg-config --cflags --libs cmocka) $(LDLIBS)

# test_progress.c includes the CLI's progress.c to test its text.
$(BUILD)/tests/test_progress: cli/progress.c cli/progress.h

# test_alloc counts the calls the library makes to libc's allocator while a
# custom one is in use: --wrap sends them (not those inside shared
# libraries) through the test's own malloc, free...
$(BUILD)/tests/test_alloc: LDFLAGS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=posix_memalign

$(BUILD)/tests/svgframes: tests/svgframes.c
	@mkdir -p $(@D)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/tests/pngcmp: tests/pngcmp.c
	@mkdir -p $(@D)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags cairo) -o $@ $< \
	  $(LDFLAGS) $(shell pkg-config --libs cairo) -lm

# fuzz_read.c is one reader's target (FUZZ_FORMAT; "sniff" reads any)
fuzz_format = $(if $(filter sniff,$(1)),NULL,"\"$(1)\"")
fuzz_main = $(if $(filter pipeline,$(1)),tests/fuzz/fuzz_pipeline.c,tests/fuzz/fuzz_read.c)

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz_read.c tests/fuzz/fuzz_pipeline.c \
    tests/fuzz/fuzz.c tests/fuzz/replay.c $(FUZZ_HDR) libprofrender.a
	@mkdir -p $(@D)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes \
	  -DFUZZ_FORMAT=$(call fuzz_format,$*) -o $@ $(call fuzz_main,$*) \
	  tests/fuzz/fuzz.c tests/fuzz/replay.c libprofrender.a $(LDFLAGS) $(LDLIBS)

test: all $(TEST_PROGS) $(TOOL_PROGS) $(FUZZ_REPLAY)
	@BUILD=$(BUILD) sh tests/run.sh

check: deps
	@$(MAKE) --no-print-directory test

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  WERROR=$(WERROR) test-asan

test-asan: all $(TEST_PROGS) $(TOOL_PROGS) $(FUZZ_REPLAY)
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  BUILD=$(BUILD) sh tests/run.sh
	@rm -f prof-render libprofrender.a libprofrender.so

golden: all
	sh tests/golden.sh regenerate

# The CLI golden tests under valgrind memcheck: any memory error or leak
# (definite or indirect) fails the run.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
check-valgrind: deps
	@command -v valgrind >/dev/null 2>&1 || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq valgrind >/dev/null; }
	@$(MAKE) --no-print-directory all
	@PR="$(VALGRIND) ./prof-render" sh tests/golden.sh > $(BUILD)/valgrind.log 2>&1; rc=$$?; \
	  grep -v '^ok ' $(BUILD)/valgrind.log; \
	  echo "check-valgrind: $$(grep -c '^ok ' $(BUILD)/valgrind.log) passed, $$(grep -c '^not ok ' $(BUILD)/valgrind.log) failed"; \
	  exit $$rc

# ---- fuzzing (clang's libFuzzer; Debian clang and libclang-rt-14-dev) ----
# make fuzz FUZZ_SECONDS=N [FUZZ_JOBS=J] [FUZZ_TARGETS="pprof perf"] runs
# each target for N seconds (J processes), the corpus growing in
# build-fuzz/corpus/TARGET, crashes written to build-fuzz/crashes/.
FUZZ_SAN := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g" \
	  SANITIZE="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" libprofrender.a-fuzz \
	  $(patsubst %,build-fuzz/fuzz-%,$(FUZZ_TARGETS))

libprofrender.a-fuzz: $(LIB_OBJ)
	@rm -f build-fuzz/libprofrender.a
	@ar rcs build-fuzz/libprofrender.a $^

build-fuzz/fuzz-%: tests/fuzz/fuzz_read.c tests/fuzz/fuzz_pipeline.c \
    tests/fuzz/fuzz.c $(FUZZ_HDR) $(LIB_OBJ)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer \
	  -DFUZZ_FORMAT=$(call fuzz_format,$*) -o $@ $(call fuzz_main,$*) \
	  tests/fuzz/fuzz.c build-fuzz/libprofrender.a $(LDFLAGS) $(LDLIBS)

fuzz-deps: deps
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1 || \
	    ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then \
	  echo "Installing clang and its libFuzzer runtime"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; \
	fi

fuzz: fuzz-deps fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) sh tests/fuzz/run.sh $(FUZZ_TARGETS)

# ---- demo and benchmark ----
demo: deps
	@$(MAKE) --no-print-directory all
	./prof-render --colors java --title "prof-render demo: perf profile of a vert.x server" \
	  -o flame.svg testdata/FlameGraph/results/perf-vertx-stacks-01-collapsed-all.txt
	@echo "Wrote flame.svg: open it in a web browser."

bench/gen_folded: bench/gen_folded.c
	$(CC) -std=c11 -O2 -Wall -Wextra -o $@ $< -lm

bench/gen_pprof: bench/gen_pprof.c
	$(CC) -std=c11 -O2 -Wall -Wextra -o $@ $<

bench/gen_perf: bench/gen_perf.c
	$(CC) -std=c11 -O2 -Wall -Wextra -o $@ $<

bench/gen_trace: bench/gen_trace.c
	$(CC) -std=c11 -O2 -Wall -Wextra -o $@ $<

bench/floor: bench/floor.c
	$(CC) -std=c11 -O2 -Wall -Wextra -pthread -o $@ $<

bench: all bench/gen_folded bench/gen_pprof bench/gen_perf bench/gen_trace bench/phases bench/floor
	bash bench/run.sh

# ---- install ----

BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
SONAME       := libprofrender.so.$(SOVER)
SOFILE       := libprofrender.so.$(VERSION)

.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 prof-render $(DESTDIR)$(BINDIR)/prof-render
	install -m 644 lib/profrender.h $(DESTDIR)$(INCLUDEDIR)/profrender.h
	install -m 644 libprofrender.a $(DESTDIR)$(LIBDIR)/libprofrender.a
	install -m 755 libprofrender.so $(DESTDIR)$(LIBDIR)/$(SOFILE)
	ln -sf $(SOFILE) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libprofrender.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	  profrender.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/profrender.pc
	install -m 644 docs/prof-render.1 $(DESTDIR)$(MANDIR)/man1/prof-render.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/prof-render $(DESTDIR)$(INCLUDEDIR)/profrender.h \
	  $(DESTDIR)$(LIBDIR)/libprofrender.a $(DESTDIR)$(LIBDIR)/$(SOFILE) \
	  $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libprofrender.so \
	  $(DESTDIR)$(PKGCONFIGDIR)/profrender.pc $(DESTDIR)$(MANDIR)/man1/prof-render.1

clean:
	rm -rf build build-asan build-fuzz prof-render libprofrender.a libprofrender.so \
	  bench/gen_folded bench/gen_pprof bench/gen_perf bench/gen_trace \
	  bench/phases flame.svg

bench/phases: bench/phases.c libprofrender.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Irender -o $@ $< libprofrender.a $(LDFLAGS) $(LDLIBS)
