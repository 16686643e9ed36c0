# weir - Makefile
#
#   make run       install missing packages, build, run the default scenario, draw its plots
#   make test      build and run the whole test suite (last line: "N passed, N failed")
#   make bench     benchmarks (event queue, full stack, memory per message)
#   make bench-callgrind  the same as instruction counts (repeatable)
#   make install PREFIX=/usr/local
#   make SANITIZE=address,undefined test     sanitizer build in build/san-address,undefined/
#   make WERROR=1  treat warnings as errors (CI does)
#   make MPI=1     MPI build (mpicc, -DWEIR_MPI) in build/mpi/ (build/mpi-san-X/ with SANITIZE=X):
#                  mpirun -np N build/mpi/weir sweep ... runs an experiment on N ranks
#   make test-mpi  build the plain and the MPI binary and check that sweeps, replicated
#                  runs and comparisons give byte-identical outputs under -j and mpirun
#   make docs      regenerate the generated parts of docs/ from the binary
#   make valgrind  run the default scenario under valgrind's leak checker
#   make fuzz      build the libFuzzer harness for the scenario loader (needs clang)
#   make lint      static analysis with cppcheck

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/weir

CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
SANITIZE ?=
MPI     ?=
MPICC   ?= mpicc

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion \
       -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
       -Wwrite-strings -Wvla -Wpointer-arith -Wformat=2 -Wundef \
       -Wmissing-declarations -Wredundant-decls -fno-common
ifneq ($(WERROR),)
WARN += -Werror
endif

# test-mpi needs both binaries: the build directories of each kind.
ifeq ($(SANITIZE),)
PLAIN_BUILD ?= build
MPI_BUILD   ?= build/mpi
else
PLAIN_BUILD ?= build/san-$(SANITIZE)
MPI_BUILD   ?= build/mpi-san-$(SANITIZE)
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

# MPI=1: compile and link with the MPI wrapper (it adds MPI's include and
# library flags), with the MPI executor of sim/cli/experiment.c. A CC given
# on the command line wins (e.g. CC="mpicc -cc=clang").
ifeq ($(MPI),)
BUILD ?= $(PLAIN_BUILD)
else
BUILD ?= $(MPI_BUILD)
ifneq ($(origin CC),command line)
CC = $(MPICC)
endif
endif

ALL_CPPFLAGS = -Iinclude -D_POSIX_C_SOURCE=200809L -DWEIR_DATADIR='"$(DATADIR)"' $(CPPFLAGS)
ALL_CFLAGS   = $(WARN) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS  = $(LDFLAGS) $(SANFLAGS)
ifneq ($(MPI),)
ALL_CPPFLAGS += -DWEIR_MPI
endif
LIBS = -lgsl -lgslcblas -lcsv -lyaml -lm

LIB_SRC   = $(wildcard sim/*.c) $(wildcard models/*.c)
CLI_SRC   = $(wildcard sim/cli/*.c)
TEST_SRC  = $(wildcard tests/*.c)
BENCH_SRC = $(wildcard tests/bench/*.c)

LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/default_scenario.o
TEST_OBJ  = $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
DEPS      = $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_BIN:=.d)

WEIR  = $(BUILD)/weir
TESTS = $(BUILD)/weir-tests

# Debian packages weir needs to build, test and plot.
PACKAGES = gcc make libc6-dev libgsl-dev libcsv-dev libyaml-dev gnuplot-nox

.PHONY: all run test test-mpi bench bench-callgrind install uninstall deps docs check-docs valgrind fuzz lint clean

all: $(WEIR)

# Rebuild everything when the compiler or flags change.
FLAGS_STAMP = $(BUILD)/.flags
FLAGS_NOW = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@
FORCE:

ifeq ($(V),)
Q = @
ECHO = @echo
else
ECHO = @:
endif

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(ECHO) "CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The default scenario is compiled into the binary, so `weir run` works anywhere.
$(BUILD)/gen/default_scenario.c: scenarios/default.yaml
	@mkdir -p $(@D)
	$(ECHO) "GEN     $@"
	$(Q){ echo '/* generated from scenarios/default.yaml by the Makefile */'; \
	  echo '#include "weir/scenario.h"'; \
	  echo 'const char scenario_default_name[] = "scenarios/default.yaml";'; \
	  echo 'const char scenario_default_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(ECHO) "CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libweir.a: $(LIB_OBJ)
	@rm -f $@
	$(ECHO) "AR      $@"
	$(Q)ar rcs $@ $^

$(WEIR): $(CLI_OBJ) $(BUILD)/libweir.a
	$(ECHO) "LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(TESTS): $(TEST_OBJ) $(BUILD)/libweir.a
	$(ECHO) "LINK    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libweir.a $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(ECHO) "CC      $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libweir.a $(LIBS)

# Installs what is missing with apt-get (through sudo unless root).
deps:
	@command -v dpkg-query >/dev/null 2>&1 || { echo "weir: not a Debian system; install $(PACKAGES) by hand"; exit 0; }; \
	missing=""; \
	for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		echo "installing:$$missing"; \
		$$sudo apt-get update && $$sudo apt-get install -y $$missing; \
	fi

run: deps
	@$(MAKE) --no-print-directory all
	$(WEIR) run --plot

test: deps
	@$(MAKE) --no-print-directory $(WEIR) $(TESTS)
	WEIR_BIN=$(WEIR) $(TESTS)

# The plain binary and the MPI one, each in its own build directory (a
# BUILD given on the command line is the one of the kind MPI= selects).
ifeq ($(MPI),)
TEST_MPI_PLAIN = $(BUILD)
TEST_MPI_MPI   = $(MPI_BUILD)
else
TEST_MPI_PLAIN = $(PLAIN_BUILD)
TEST_MPI_MPI   = $(BUILD)
endif
test-mpi: PACKAGES += libopenmpi-dev openmpi-bin
test-mpi: deps
	@$(MAKE) --no-print-directory MPI= BUILD=$(TEST_MPI_PLAIN) all
	@$(MAKE) --no-print-directory MPI=1 BUILD=$(TEST_MPI_MPI) all
	WEIR_BIN=$(TEST_MPI_PLAIN)/weir WEIR_MPI_BIN=$(TEST_MPI_MPI)/weir bash tests/mpi.sh

bench: $(WEIR) $(BENCH_BIN)
	@WEIR_BIN=$(WEIR) BENCH_DIR=$(BUILD)/bench sh tests/bench/run.sh

# Instruction counts under callgrind: repeatable where wall time is noisy.
bench-callgrind: $(WEIR) $(BENCH_BIN)
	@WEIR_BIN=$(WEIR) BENCH_DIR=$(BUILD)/bench sh tests/bench/run.sh --callgrind

install: $(WEIR)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/plots $(DESTDIR)$(DATADIR)/scenarios/examples
	install -m 755 $(WEIR) $(DESTDIR)$(BINDIR)/weir
	install -m 644 plots/*.gp $(DESTDIR)$(DATADIR)/plots/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(DATADIR)/scenarios/
	install -m 644 scenarios/examples/* $(DESTDIR)$(DATADIR)/scenarios/examples/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/weir
	rm -rf $(DESTDIR)$(DATADIR)

# The scenario and metrics references are generated from the schema tables.
docs: $(WEIR)
	$(WEIR) help scenario > docs/scenario-reference.md
	$(WEIR) help metrics > docs/metrics.md

check-docs: $(WEIR)
	@$(WEIR) help scenario | cmp -s - docs/scenario-reference.md || { echo "docs/scenario-reference.md is stale: run make docs"; exit 1; }
	@$(WEIR) help metrics | cmp -s - docs/metrics.md || { echo "docs/metrics.md is stale: run make docs"; exit 1; }

# The default scenario, and Lambda examples covering the event source
# mapping with throttles, asynchronous retries and provisioned concurrency.
VALGRIND_RUNS = "" scenarios/examples/lambda-throttles-to-dlq.yaml \
	scenarios/examples/lambda-async-retries.yaml \
	"scenarios/examples/lambda-cold-starts.yaml --set functions.checkout.provisioned_concurrency=5" \
	"scenarios/examples/kinesis-poison-pill.yaml --set duration=3m --set triggers.0.maximum_retry_attempts=2 --set triggers.0.bisect_batch_on_function_error=true --set triggers.0.on_failure=failed-batches" \
	"scenarios/examples/kinesis-reshard.yaml --set duration=90s --set streams.telemetry.reshards.0.at=1m" \
	"scenarios/examples/kinesis-retry-storm.yaml --set duration=2m --set producers.devices.retry.mode=adaptive" \
	"scenarios/examples/fifo-head-of-line.yaml --set duration=5m" \
	"scenarios/examples/fifo-groups-throughput.yaml --set duration=10m" \
	"scenarios/examples/sns-fifo-order.yaml --set duration=8m" \
	"scenarios/examples/compare-baseline.yaml --replications 3 --jobs 1"
# Experiments in one process (-j 1): worker processes end with _exit and
# leave their memory to the kernel, which the leak checker would report.
VALGRIND_EXPERIMENTS = "sweep scenarios/examples/sweep-visibility-timeout.yaml --set duration=2m --replications 2 --jobs 1" \
	"compare scenarios/examples/compare-baseline.yaml scenarios/examples/compare-slower-service.yaml --replications 2 --jobs 1"
valgrind: $(WEIR)
	@for r in $(VALGRIND_RUNS); do \
		echo "valgrind: weir run $${r:-(default)}"; \
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=9 $(WEIR) run $$r --quiet -o $(BUILD)/valgrind-run || exit 1; \
	done
	@for r in $(VALGRIND_EXPERIMENTS); do \
		echo "valgrind: weir $$r"; \
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=9 $(WEIR) $$r --quiet -o $(BUILD)/valgrind-experiment || exit 1; \
	done

# cppcheck reads an assertion of a condition as a hint that its opposite can
# happen; these three checks report exactly that for weir's WEIR_ASSERTs.
lint:
	cppcheck --enable=warning,performance,portability --error-exitcode=1 -q \
		--suppress=nullPointerRedundantCheck --suppress=ctunullpointer --suppress=negativeIndex \
		-Iinclude -D_POSIX_C_SOURCE=200809L --std=c11 sim models

fuzz:
	@mkdir -p tests/fuzz/corpus
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(ALL_CPPFLAGS) \
		-o $(BUILD)/fuzz-scenario tests/fuzz/fuzz_scenario.c $(LIB_SRC) $(LIBS)

clean:
	rm -rf build

-include $(DEPS)
