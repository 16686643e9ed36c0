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
 * A valid scenario is also run, for at most 10 simulated seconds or about
 * FUZZ_EVENTS events, and every ledger must balance where the run stops.
 */
#include "weir/scenario.h"
#include "weir/world.h"

#include <stdint.h>
#include <stdlib.h>

#define FUZZ_EVENTS 100000
#define FUZZ_SPAN (10 * SIM_SEC)
#define FUZZ_STEP SIM_MS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_briefly(const struct scenario *sc)
{
	struct world_opts o = { .seed = 1 };
	char err[256];
	struct world *w = world_create(sc, &o, err, sizeof(err));
	sim_time end = sc->duration < FUZZ_SPAN ? sc->duration : FUZZ_SPAN;

	if (!w)
		return;   /* e.g. a trace file that cannot be read */
	for (sim_time t = FUZZ_STEP; t <= end && world_events(w) < FUZZ_EVENTS; t += FUZZ_STEP)
		sim_run(world_sim(w), t);
	if (!world_check_ledgers(w, stderr))
		abort();
	world_destroy(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct scenario *sc = scenario_load("fuzz.yaml", (const char *)data, size, NULL, 0, &d);

	if (!sc && d.errors == 0)
		abort();   /* rejected without saying why */
	if (sc)
		run_briefly(sc);
	scenario_free(sc);
	diag_release(&d);
	return 0;
}
