/*
 * util.c - running the weir binary from tests and reading its outputs.
 */
#define _XOPEN_SOURCE 700
#include "util.h"
#include "harness.h"
#include "weir/csvw.h"
#include "weir/scenario.h"
#include "weir/world.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Reads both pipes until they close. */
static void drain(int fo, int fe, struct buf *out, struct buf *err)
{
	struct pollfd pf[2] = { { fo, POLLIN, 0 }, { fe, POLLIN, 0 } };
	char chunk[4096];
	int open = 2;

	while (open > 0 && poll(pf, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pf[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(i ? err : out, chunk, (size_t)n);
			} else {
				pf[i].fd = -1;
				open--;
			}
		}
	}
}

static char **make_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	for (size_t i = 0; extra && extra[i]; i++)
		n++;
	env = calloc(n + 1, sizeof(*env));
	for (size_t i = 0; extra && extra[i]; i++)
		env[k++] = (char *)(uintptr_t)extra[i];
	for (size_t i = 0; environ[i]; i++)
		env[k++] = environ[i];
	return env;
}

int run_weir(struct proc *p, const char *const *args, const char *const *env)
{
	int po[2], pe[2], st;
	char *argv[64];
	size_t k = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char **envp = make_env(env);
	struct buf out = { 0 }, err = { 0 };

	memset(p, 0, sizeof(*p));
	argv[k++] = (char *)(uintptr_t)test_weir_bin();
	for (size_t i = 0; args[i] && k < 63; i++)
		argv[k++] = (char *)(uintptr_t)args[i];
	argv[k] = NULL;
	if (pipe(po) != 0 || pipe(pe) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	st = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(po[1]);
	close(pe[1]);
	if (st == 0)
		drain(po[0], pe[0], &out, &err);
	close(po[0]);
	close(pe[0]);
	if (st != 0)
		return -1;
	waitpid(pid, &st, 0);
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	p->out = out.data ? out.data : calloc(1, 1);
	p->err = err.data ? err.data : calloc(1, 1);
	return 0;
}

void proc_release(struct proc *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (!b.data)
		b.data = calloc(1, 1);
	if (len)
		*len = b.len;
	return b.data;
}

int same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = read_file(a, &la), *y = read_file(b, &lb);
	int same = x && y && la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return same;
}

int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

int test_world_open(struct test_world *t, const char *text, uint64_t seed)
{
	struct world_opts o = { .seed = seed };
	char err[256];

	memset(t, 0, sizeof(*t));
	t->opts = o;
	t->sc = scenario_load("test.yaml", text, strlen(text), NULL, 0, &t->d);
	if (!t->sc) {
		diag_print(&t->d, stderr);
		diag_release(&t->d);
		return -1;
	}
	t->w = world_create(t->sc, &t->opts, err, sizeof(err));
	if (!t->w) {
		fprintf(stderr, "%s\n", err);
		scenario_free(t->sc);
		diag_release(&t->d);
		return -1;
	}
	return 0;
}

int test_world_close(struct test_world *t, struct summary *s)
{
	bool ok = world_check_ledgers(t->w, stderr);

	if (ok && s)
		world_summarize(t->w, s);
	world_destroy(t->w);
	scenario_free(t->sc);
	diag_release(&t->d);
	return ok ? 0 : -1;
}

int run_scenario_text(const char *text, uint64_t seed, struct summary *s)
{
	struct test_world t;

	if (test_world_open(&t, text, seed) != 0)
		return -1;
	world_run(t.w);
	return test_world_close(&t, s);
}

void remove_tree_for_test(const char *path)
{
	remove_tree(path);
}

double run_stat(const char *text, const char *res, const char *stat)
{
	const char *const stats[] = { stat, NULL };
	double v;

	run_stats(text, res, stats, &v);
	return v;
}

int run_stats(const char *text, const char *res, const char *const *stats, double *v)
{
	struct summary s = { 0 };
	int rc = run_scenario_text(text, 1, &s);

	for (size_t i = 0; stats[i]; i++)
		v[i] = rc == 0 ? summary_get(&s, res, stats[i]) : NAN;
	summary_release(&s);
	return rc;
}
