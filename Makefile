# prof-render - build, test, demo and benchmark.
#
#   make demo        install missing build dependencies, build, render the
#                    bundled example to flame.svg
#   make check       the same set-up, then the whole test suite
#   make check-asan  the suite under AddressSanitizer + UBSan
#   make bench       speed and memory figures (bench/README.md)
#   make golden      regenerate the golden outputs after an intended change

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := cairo pangocairo libcjson zlib
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
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS   += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Ilib -I$(BUILD)
ALL_CFLAGS := $(OPT) $(WARN) $(SANITIZE) -fPIC -fvisibility=hidden $(PKG_CFLAGS) $(CFLAGS)
LDLIBS     := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard lib/*.c) $(wildcard formats/*.c) $(wildcard render/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
CLI_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cli/*.c))

TEST_PROGS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
TOOL_PROGS := $(BUILD)/tests/svgframes

.PHONY: all deps demo check check-asan test bench golden clean
all: prof-render libprofrender.a libprofrender.so

# ---- dependencies (apt-get only for what pkg-config cannot find) ----
DEB_PKGS := pkg-config libcairo2-dev libpango1.0-dev libcjson-dev zlib1g-dev \
            libcmocka-dev libxml2-utils
deps:
	@missing=""; \
	pkg-config --exists $(PKGS) cmocka 2>/dev/null || missing="$(DEB_PKGS)"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
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

$(BUILD)/tests/svgframes: tests/svgframes.c
	@mkdir -p $(@D)
	@echo "  CC LD   $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

test: all $(TEST_PROGS) $(TOOL_PROGS)
	@BUILD=$(BUILD) sh tests/run.sh

check: deps
	@$(MAKE) --no-print-directory test

check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  WERROR=$(WERROR) test-asan

test-asan: all $(TEST_PROGS) $(TOOL_PROGS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  BUILD=$(BUILD) sh tests/run.sh
	@rm -f prof-render libprofrender.a libprofrender.so

golden: all
	sh tests/golden.sh regenerate

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

bench: all bench/gen_folded bench/gen_pprof bench/gen_perf bench/gen_trace bench/phases
	bash bench/run.sh

clean:
	rm -rf build build-asan prof-render libprofrender.a libprofrender.so \
	  bench/gen_folded bench/gen_pprof bench/gen_perf bench/gen_trace \
	  bench/phases flame.svg

bench/phases: bench/phases.c libprofrender.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Irender -o $@ $< libprofrender.a $(LDFLAGS) $(LDLIBS)
