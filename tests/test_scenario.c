/*
 * test_scenario.c - the scenario error table: every class of bad input,
 * each with its exact message, location and exit code (golden files in
 * tests/scenarios/errors: NAME.yaml and the stderr it must give, NAME.err),
 * plus command-line overrides and the bundled scenarios.
 */
#define _XOPEN_SOURCE 700
#include "harness.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRORS_DIR "tests/scenarios/errors"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted; returns how many. */
static size_t list_yaml(const char *dir, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	return n;
}

/* Each bad scenario gives exactly its golden message and exit code 3. */
void test_scenario_error_table(void)
{
	char *names[128];
	size_t n = list_yaml(ERRORS_DIR, names, 128);
	int bad = 0;

	CHECK_MSG(n >= 30, "only %zu error cases found in %s", n, ERRORS_DIR);
	for (size_t i = 0; i < n; i++) {
		char path[512], golden[512], *want;
		const char *args[] = { "check", path, NULL };
		struct proc p;

		snprintf(path, sizeof(path), ERRORS_DIR "/%s", names[i]);
		snprintf(golden, sizeof(golden), ERRORS_DIR "/%.*s.err", (int)strlen(names[i]) - 5, names[i]);
		want = read_file(golden, NULL);
		if (!want || run_weir(&p, args, NULL) != 0) {
			test__fail(__FILE__, __LINE__, "%s: no golden file or cannot run", names[i]);
			bad++;
		} else {
			if (p.status != 3 || strcmp(p.err, want) != 0 || p.out[0]) {
				test__fail(__FILE__, __LINE__, "%s: exit %d\n--- got:\n%s--- expected:\n%s",
					   names[i], p.status, p.err, want);
				bad++;
			}
			proc_release(&p);
		}
		free(want);
		free(names[i]);
	}
	CHECK_EQ_INT(bad, 0);
}

struct set_case {
	const char *set;
	const char *expect;   /* the whole stderr */
};

static const struct set_case set_cases[] = {
	{ "queues.orders.visibility_timeout=13h",
	  "--set:1:34: error: 'visibility_timeout' is 13h; it must be between 0s and 12h (aws-behaviour §1.4)\n"
	  "    1 | queues.orders.visibility_timeout=13h\n"
	  "      |                                  ^~~\n" },
	{ "queues.order.visibility_timeout=45s",
	  "--set:1:8: error: the scenario has no queue 'order' (did you mean 'orders'?); to add one, give it whole: queues.order={...}\n"
	  "    1 | queues.order.visibility_timeout=45s\n"
	  "      |        ^~~~~\n" },
	{ "quues.x=1",
	  "--set:1:1: error: unknown key 'quues' (did you mean 'queues'?)\n"
	  "    1 | quues.x=1\n"
	  "      | ^~~~~\n" },
	{ "noequals",
	  "--set:1:1: error: expected KEY=VALUE, e.g. queues.orders.visibility_timeout=45s\n"
	  "    1 | noequals\n"
	  "      | ^~~~~~~~\n" },
	{ "queues..x=1",
	  "--set:1:7: error: empty name in the key path\n"
	  "    1 | queues..x=1\n"
	  "      |       ^\n" },
	{ "queues.orders.purges=[1m, 30s]",
	  "--set:1:27: error: purges must be listed in time order\n"
	  "    1 | queues.orders.purges=[1m, 30s]\n"
	  "      |                           ^~~\n" },
};

/* A --set value is checked like the file's values, located in the argument. */
void test_scenario_set_errors(void)
{
	for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		const char *args[] = { "check", "scenarios/default.yaml", "--set", set_cases[i].set, NULL };
		struct proc p;

		CHECK(run_weir(&p, args, NULL) == 0);
		CHECK_MSG(p.status == 3 && strcmp(p.err, set_cases[i].expect) == 0,
			  "--set %s: exit %d\n--- got:\n%s--- expected:\n%s", set_cases[i].set, p.status,
			  p.err, set_cases[i].expect);
		proc_release(&p);
	}
}

/* Overrides reach the run: a dotted queue name path, a list, a new key. */
void test_scenario_set_applies(void)
{
	const char *dir = test_tmpdir();
	char out[512], runcsv[600], *run, *ts;
	const char *args[] = { "run", "-q", "-o", out, "--set", "duration=1m",
			       "--set", "producers.web.schedule=[{at: 10s, rate: 1/s}]",
			       "--set", "queues.orders.delay=2s", NULL };
	struct proc p;

	snprintf(out, sizeof(out), "%s/run", dir);
	CHECK(run_weir(&p, args, NULL) == 0);
	CHECK_MSG(p.status == 0, "exit %d: %s", p.status, p.err);
	proc_release(&p);
	snprintf(runcsv, sizeof(runcsv), "%s/run.csv", out);
	run = read_file(runcsv, NULL);
	CHECK(run && strstr(run, "duration_s,60\n") && strstr(run, "set,queues.orders.delay=2s\n"));
	free(run);
	snprintf(runcsv, sizeof(runcsv), "%s/summary.csv", out);
	ts = read_file(runcsv, NULL);
	/* 10 s at 50/s then 50 s at 1/s: far fewer than a minute at 50/s. */
	CHECK(ts && strstr(ts, "web,producer,ledger.produced,count,"));
	{
		const char *v = strstr(ts, "web,producer,ledger.produced,count,") + 35;

		CHECK_MSG(atoi(v) > 400 && atoi(v) < 700, "produced %d", atoi(v));
	}
	free(ts);
}

/* Whether every OutOfOrderProcessing row of the run's summary is 0. */
static bool fifo_order_kept(const char *dir)
{
	char path[1100];
	char *text, *line;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	text = read_file(path, NULL);
	if (!text)
		return false;
	for (line = strstr(text, ",OutOfOrderProcessing,"); line; line = strstr(line + 1, ",OutOfOrderProcessing,")) {
		const char *end = strchr(line, '\n');
		const char *comma = end ? end : line + strlen(line);

		while (comma > line && comma[-1] != ',')
			comma--;
		ok &= comma[0] == '0';
	}
	free(text);
	return ok;
}

/* The bundled scenarios are valid, and each one runs. */
void test_scenario_bundled_are_valid(void)
{
	char *names[64];
	size_t n = list_yaml("scenarios/examples", names, 64);
	const char *dflt[] = { "check", "scenarios/default.yaml", NULL };
	struct proc p;

	CHECK(run_weir(&p, dflt, NULL) == 0);
	CHECK_MSG(p.status == 0, "default.yaml: %s", p.err);
	proc_release(&p);
	for (size_t i = 0; i < n; i++) {
		char path[512], out[1024];
		const char *args[] = { "check", path, NULL };
		const char *run[] = { "run", path, "-q", "-o", out, NULL };

		snprintf(path, sizeof(path), "scenarios/examples/%s", names[i]);
		snprintf(out, sizeof(out), "%s/%s", test_tmpdir(), names[i]);
		CHECK(run_weir(&p, args, NULL) == 0);
		CHECK_MSG(p.status == 0, "%s: %s", path, p.err);
		proc_release(&p);
		/* Every example runs to the end with its ledgers balanced (exit 5 otherwise). */
		CHECK(run_weir(&p, run, NULL) == 0);
		CHECK_MSG(p.status == 0, "weir run %s: exit %d: %s", path, p.status, p.err);
		proc_release(&p);
		/* ... and every FIFO queue kept each group's order (§2.1). */
		CHECK_MSG(fifo_order_kept(out), "%s: a FIFO queue processed a message out of its group's order", path);
		free(names[i]);
	}
}

/* --set refuses to change a value shared through a YAML alias in one place only. */
void test_scenario_set_refuses_shared_alias(void)
{
	const char *dir = test_tmpdir();
	char path[600];
	const char *inside[] = { "check", path, "--set", "queues.a.visibility_timeout=1m", NULL };
	const char *whole[] = { "check", path, "--set", "queues.c={visibility_timeout: 1m}", NULL };
	struct proc p;

	snprintf(path, sizeof(path), "%s/alias.yaml", dir);
	CHECK(write_file(path, "duration: 1m\nqueues:\n  a: &q { visibility_timeout: 30s }\n  c: *q\n") == 0);
	CHECK(run_weir(&p, inside, NULL) == 0);
	CHECK_EQ_INT(p.status, 3);
	CHECK(strstr(p.err, "shared through a YAML alias"));
	proc_release(&p);
	CHECK(run_weir(&p, whole, NULL) == 0);   /* replacing one use whole is fine */
	CHECK_EQ_INT(p.status, 0);
	proc_release(&p);
}
