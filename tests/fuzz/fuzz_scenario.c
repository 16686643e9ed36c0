/*
 * fuzz_scenario.c - libFuzzer harness for the scenario loader.
 *
 *   make fuzz && build/fuzz-scenario -max_total_time=600 tests/fuzz/corpus scenarios scenarios/examples tests/scenarios/errors
 *
 * libFuzzer writes the inputs it finds into the first directory, so that one
 * is tests/fuzz/corpus (ignored by git); the others only seed it.
 *
 * Every input must give a scenario or at least one error; crashes, leaks and
 * undefined behaviour are caught by the sanitizers the target is built with.
 */
#include "weir/scenario.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct scenario *sc = scenario_load("fuzz.yaml", (const char *)data, size, NULL, 0, &d);

	if (!sc && d.errors == 0)
		abort();   /* rejected without saying why */
	scenario_free(sc);
	diag_release(&d);
	return 0;
}
