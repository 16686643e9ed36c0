/*
 * experiment.c - running the replications of an experiment (see exp.h).
 *
 * A run's results travel as a byte buffer: a worker process writes it to a
 * pipe, an MPI rank sends it to rank 0, and -j 1 passes it within the
 * process. The parent decodes each one into its configuration's slot for
 * that replication and folds the time series in replication order, so the
 * arithmetic, and the output, never depend on which process ran what or
 * when it finished.
 */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "exp.h"
#include "weir/world.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef WEIR_MPI
#include <mpi.h>
#endif

/* ---- byte buffers ------------------------------------------------------- */

struct buf {
	unsigned char *p;
	size_t len, cap, at;
	bool bad;                  /* a read ran past the end */
};

static void put(struct buf *b, const void *x, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = weir_realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, x, n);
	b->len += n;
}

static void put_u64(struct buf *b, uint64_t v) { put(b, &v, sizeof(v)); }
static void put_f64(struct buf *b, double v) { put(b, &v, sizeof(v)); }

static void put_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u64(b, n);
	put(b, s ? s : "", n);
}

static void get(struct buf *b, void *x, size_t n)
{
	if (b->bad || n > b->len - b->at) {
		b->bad = true;
		memset(x, 0, n);
		return;
	}
	memcpy(x, b->p + b->at, n);
	b->at += n;
}

static uint64_t get_u64(struct buf *b)
{
	uint64_t v;

	get(b, &v, sizeof(v));
	return v;
}

static double get_f64(struct buf *b)
{
	double v;

	get(b, &v, sizeof(v));
	return v;
}

static char *get_str(struct buf *b)
{
	uint64_t n = get_u64(b);
	char *s;

	if (b->bad || n > b->len - b->at) {
		b->bad = true;
		return weir_strdup("");
	}
	s = weir_strndup((const char *)b->p + b->at, (size_t)n);
	b->at += (size_t)n;
	return s;
}

/* ---- one replication ------------------------------------------------------ */

/* Appends the values of timeseries.csv's text (header, then numbers) to out. */
static void put_timeseries(struct buf *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl = memchr(p, '\n', len);
	size_t ncol = 0, nper = 0, at;

	if (!nl) {
		put_str(out, "");
		put_u64(out, 0);
		put_u64(out, 0);
		return;
	}
	{
		char *header = weir_strndup(p, (size_t)(nl - p));

		put_str(out, header);
		for (const char *c = header; *c; c++)
			ncol += *c == ',';
		free(header);
	}
	for (const char *q = nl + 1; q < end; q++)
		nper += *q == '\n';
	put_u64(out, nper);
	put_u64(out, ncol);
	at = out->len;
	for (p = nl + 1; p < end;) {
		for (size_t k = 0; k <= ncol; k++) {
			char *e = (char *)(uintptr_t)p;
			double v = NAN;             /* an empty field */

			if (p < end && *p != ',' && *p != '\n')   /* strtod would skip a line break */
				v = strtod(p, &e);
			put_f64(out, v);
			p = e;
			if (p < end && *p == ',')
				p++;
		}
		while (p < end && *p != '\n')
			p++;
		p++;
	}
	WEIR_ASSERT(out->len - at == nper * (ncol + 1) * sizeof(double));
}

static void put_summary(struct buf *out, const struct world *w)
{
	struct summary s = { 0 };

	world_summarize(w, &s);
	put_u64(out, s.rows.len);
	for (size_t i = 0; i < s.rows.len; i++) {
		const struct summary_row *r = VEC_AT(&s.rows, struct summary_row, i);

		put_str(out, r->resource);
		put_str(out, r->kind);
		put_str(out, r->def->name);
		put_str(out, r->def->unit);
		put_f64(out, r->value);
	}
	summary_release(&s);
}

/* Runs replication rep of c and writes its results to out. */
static void run_one(const struct exp_config *c, size_t rep, struct buf *out)
{
	struct csvw ts;
	char *text = NULL, err[512] = "";
	size_t len = 0;
	struct world *w = NULL;
	struct world_opts o = { .seed = c->seed, .replication = rep, .timeseries = &ts,
				.interrupt = &cli_interrupted };
	int status = 0;
	bool intr = false;

	if (csvw_open_memory(&ts, &text, &len) != 0) {
		status = WEIR_EXIT_INTERNAL;
		snprintf(err, sizeof(err), "out of memory");
	} else if (!(w = world_create(c->sc, &o, err, sizeof(err)))) {
		status = WEIR_EXIT_SCENARIO;
	} else {
		intr = world_run(w);
		if (!world_check_ledgers(w, stderr)) {
			status = WEIR_EXIT_INTERNAL;
			snprintf(err, sizeof(err), "a ledger does not balance (see above): a bug in weir");
		}
	}
	if (ts.f && csvw_close(&ts) != 0 && !status) {
		status = WEIR_EXIT_INTERNAL;
		snprintf(err, sizeof(err), "out of memory");
	}
	put_u64(out, (uint64_t)status);
	put_u64(out, intr);
	put_str(out, err);
	if (status == 0) {
		put_f64(out, sim_time_to_sec(world_now(w)));
		put_f64(out, (double)world_events(w));
		put_summary(out, w);
		put_timeseries(out, text, len);
	}
	free(text);
	world_destroy(w);
}

static void result_free(struct rep_result *r)
{
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->resource[i]);
		free(r->kind[i]);
		free(r->stat[i]);
		free(r->unit[i]);
	}
	free(r->resource);
	free(r->kind);
	free(r->stat);
	free(r->unit);
	free(r->value);
	free(r->err);
	free(r->ts_header);
	free(r->ts_time);
	free(r->ts);
	memset(r, 0, sizeof(*r));
}

/* Decodes a run's buffer; false when it is malformed. */
static bool decode(struct buf *b, struct rep_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = (int)get_u64(b);
	r->interrupted = get_u64(b) != 0;
	r->err = get_str(b);
	if (r->status != 0 || b->bad)
		return !b->bad;
	r->simulated_s = get_f64(b);
	r->events = get_f64(b);
	r->nrows = (size_t)get_u64(b);
	if (b->bad || r->nrows > b->len / 40)
		return false;
	r->resource = weir_calloc(r->nrows + 1, sizeof(char *));
	r->kind = weir_calloc(r->nrows + 1, sizeof(char *));
	r->stat = weir_calloc(r->nrows + 1, sizeof(char *));
	r->unit = weir_calloc(r->nrows + 1, sizeof(char *));
	r->value = weir_calloc(r->nrows + 1, sizeof(double));
	for (size_t i = 0; i < r->nrows; i++) {
		r->resource[i] = get_str(b);
		r->kind[i] = get_str(b);
		r->stat[i] = get_str(b);
		r->unit[i] = get_str(b);
		r->value[i] = get_f64(b);
	}
	r->ts_header = get_str(b);
	r->nper = (size_t)get_u64(b);
	r->ncol = (size_t)get_u64(b);
	if (b->bad || (r->nper && (r->ncol + 1) > (b->len - b->at) / sizeof(double) / r->nper))
		return false;
	r->ts_time = weir_calloc(r->nper + 1, sizeof(double));
	r->ts = weir_calloc(r->nper * r->ncol + 1, sizeof(double));
	for (size_t p = 0; p < r->nper; p++) {
		r->ts_time[p] = get_f64(b);
		for (size_t k = 0; k < r->ncol; k++)
			r->ts[p * r->ncol + k] = get_f64(b);
	}
	return !b->bad;
}

/* ---- folding results in order ------------------------------------------- */

static int fold_series(struct experiment *e, struct exp_config *c, struct rep_result *r)
{
	if (c->folded == 0) {
		c->ts_header = weir_strdup(r->ts_header);
		c->nper = r->nper;
		c->ncol = r->ncol;
		c->ts_time = r->ts_time;
		r->ts_time = NULL;
		c->ts_acc = weir_calloc(c->nper * c->ncol + 1, sizeof(*c->ts_acc));
	} else if (strcmp(c->ts_header, r->ts_header) != 0 || c->nper != r->nper) {
		snprintf(e->err, sizeof(e->err), "%s: replications gave time series of different shapes (a bug in weir)",
			 c->label);
		return WEIR_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < c->nper * c->ncol; i++)
		stats_add(&c->ts_acc[i], r->ts[i]);
	free(r->ts);
	free(r->ts_time);
	r->ts = r->ts_time = NULL;
	return 0;
}

static void show_progress(struct experiment *e)
{
	double t = cli_wall_now() - e->started, left;
	char a[32], b[32];

	if (!e->progress || e->runs_done == 0 || t - e->last_progress < 0.1)
		return;
	e->last_progress = t;
	left = t / (double)e->runs_done * (double)(e->runs_total - e->runs_done);
	fprintf(stderr, "\r\033[K  runs %zu/%zu  %s elapsed  about %s left", e->runs_done, e->runs_total,
		fmt_seconds(t, a, sizeof(a)), fmt_seconds(left, b, sizeof(b)));
	fflush(stderr);
}

/* Takes the results of replication rep of configuration ci. */
static int deliver(struct experiment *e, size_t ci, size_t rep, struct buf *b)
{
	struct exp_config *c = &e->configs[ci];
	struct rep_result *r = &c->res[rep];
	int rc = 0;

	if (!decode(b, r)) {
		snprintf(e->err, sizeof(e->err), "%s, replication %zu: a worker sent malformed results", c->label, rep);
		return WEIR_EXIT_INTERNAL;
	}
	if (r->status != 0) {
		snprintf(e->err, sizeof(e->err), "%s, replication %zu: %s", c->label, rep, r->err);
		return r->status;
	}
	if (r->interrupted) {
		e->interrupted = true;
		return 0;
	}
	while (rc == 0 && c->folded < c->reps && c->res[c->folded].ts_header && !c->res[c->folded].interrupted) {
		rc = fold_series(e, c, &c->res[c->folded]);
		c->folded++;
	}
	e->runs_done++;
	show_progress(e);
	return rc;
}

/* ---- running batches of runs ----------------------------------------------- */

struct run_id {
	uint32_t config, rep;
};

/* Reads (out false) or writes all n bytes of p through a pipe; 0, or -1 at an error or end of file. */
static int transfer(int fd, void *p, size_t n, bool out)
{
	char *s = p;

	while (n > 0) {
		ssize_t k = out ? write(fd, s, n) : read(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_full(int fd, const void *p, size_t n) { return transfer(fd, (void *)(uintptr_t)p, n, true); }
static int read_full(int fd, void *p, size_t n) { return transfer(fd, p, n, false); }

struct worker {
	pid_t pid;
	int cmd, res;     /* pipes to and from the worker; -1 when closed */
	long job;         /* index into the batch, -1 when idle */
};

/* A worker process: runs what it is sent until its command pipe closes. */
static WEIR_NORETURN void worker_main(const struct experiment *e, int cmd, int res)
{
	struct run_id id;

	while (read_full(cmd, &id, sizeof(id)) == 0) {
		struct buf b = { 0 };
		uint64_t n;

		run_one(&e->configs[id.config], id.rep, &b);
		n = b.len;
		if (write_full(res, &n, sizeof(n)) != 0 || write_full(res, b.p, b.len) != 0)
			_exit(1);
		free(b.p);
	}
	_exit(0);
}

static int start_workers(struct experiment *e, struct worker *w, int n)
{
	pid_t parent = getpid();

	fflush(stdout);
	fflush(stderr);
	for (int k = 0; k < n; k++) {
		int to[2], from[2];

		if (pipe(to) != 0) {
			snprintf(e->err, sizeof(e->err), "cannot create a pipe: %s", strerror(errno));
			return WEIR_EXIT_IO;
		}
		if (pipe(from) != 0) {
			snprintf(e->err, sizeof(e->err), "cannot create a pipe: %s", strerror(errno));
			close(to[0]), close(to[1]);
			return WEIR_EXIT_IO;
		}
		w[k].pid = fork();
		if (w[k].pid < 0) {
			snprintf(e->err, sizeof(e->err), "cannot start a worker process: %s", strerror(errno));
			close(to[0]), close(to[1]), close(from[0]), close(from[1]);
			return WEIR_EXIT_IO;
		}
		if (w[k].pid == 0) {
			/*
			 * Ctrl-C reaches the whole process group; the parent decides
			 * and says SIGTERM (its handler ends the run under way).
			 */
			signal(SIGINT, SIG_IGN);
			/* A worker ends with its parent, however the parent ended. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(1);
			for (int j = 0; j < k; j++)     /* the others' pipes, so they see EOF */
				close(w[j].cmd), close(w[j].res);
			close(to[1]);
			close(from[0]);
			worker_main(e, to[0], from[1]);
		}
		close(to[0]);
		close(from[1]);
		w[k].cmd = to[1];
		w[k].res = from[0];
	}
	return 0;
}

/* Closes the pipes and waits for every worker; with abandon, busy ones are stopped first. */
static int stop_workers(struct worker *w, int n, bool abandon)
{
	int bad = 0;

	for (int k = 0; k < n; k++) {
		int st;

		if (abandon && w[k].job >= 0 && w[k].pid > 0)
			kill(w[k].pid, SIGTERM);
		if (w[k].cmd >= 0)
			close(w[k].cmd);
		if (w[k].res >= 0)
			close(w[k].res);
		if (w[k].pid > 0 && (waitpid(w[k].pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
			bad = 1;
	}
	return bad;
}

static bool stop_sending(const struct experiment *e) { return cli_interrupted || e->interrupted; }

/* Hands the next run of the batch to worker w, or closes its pipe. */
static void hand_out(struct experiment *e, struct worker *w, const struct run_id *ids, size_t n, size_t *next)
{
	if (*next < n && !stop_sending(e) && write_full(w->cmd, &ids[*next], sizeof(ids[0])) == 0) {
		w->job = (long)(*next)++;
		return;
	}
	w->job = -1;
	close(w->cmd);
	w->cmd = -1;
}

static int collect(struct experiment *e, struct worker *w, const struct run_id *ids)
{
	struct buf b = { 0 };
	uint64_t n;
	int rc;

	if (read_full(w->res, &n, sizeof(n)) != 0 || n > SIZE_MAX / 2) {
		snprintf(e->err, sizeof(e->err), "%s, replication %u: the worker process died",
			 e->configs[ids[w->job].config].label, ids[w->job].rep);
		return WEIR_EXIT_INTERNAL;
	}
	b.p = weir_malloc((size_t)n + 1);
	b.len = b.cap = (size_t)n;
	if (read_full(w->res, b.p, b.len) != 0) {
		free(b.p);
		snprintf(e->err, sizeof(e->err), "a worker process died");
		return WEIR_EXIT_INTERNAL;
	}
	rc = deliver(e, ids[w->job].config, ids[w->job].rep, &b);
	free(b.p);
	return rc;
}

static int run_local(struct experiment *e, const struct run_id *ids, size_t n)
{
	struct worker w[256];
	int nw = e->jobs < (int)n ? e->jobs : (int)n, rc = 0, busy = 0;
	size_t next = 0;
	bool told = false;

	for (int k = 0; k < 256; k++)   /* a worker that fails to start leaves the rest unused */
		w[k] = (struct worker){ .pid = -1, .cmd = -1, .res = -1, .job = -1 };

	if (nw <= 1) {
		for (size_t i = 0; i < n && rc == 0 && !stop_sending(e); i++) {
			struct buf b = { 0 };

			run_one(&e->configs[ids[i].config], ids[i].rep, &b);
			rc = deliver(e, ids[i].config, ids[i].rep, &b);
			free(b.p);
		}
		return rc;
	}
	nw = nw > 256 ? 256 : nw;
	signal(SIGPIPE, SIG_IGN);
	rc = start_workers(e, w, nw);
	for (int k = 0; k < nw && rc == 0; k++) {
		hand_out(e, &w[k], ids, n, &next);
		busy += w[k].job >= 0;
	}
	while (rc == 0 && busy > 0) {
		struct pollfd p[256];
		int np = 0, idx[256];

		for (int k = 0; k < nw; k++)
			if (w[k].job >= 0) {
				p[np] = (struct pollfd){ .fd = w[k].res, .events = POLLIN };
				idx[np++] = k;
			}
		if (cli_interrupted && !told) {   /* stop the runs under way; their partial results are dropped */
			for (int k = 0; k < nw; k++)
				if (w[k].job >= 0)
					kill(w[k].pid, SIGTERM);
			told = true;
		}
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(e->err, sizeof(e->err), "waiting for the workers failed: %s", strerror(errno));
			rc = WEIR_EXIT_INTERNAL;
			break;
		}
		for (int i = 0; i < np && rc == 0; i++) {
			struct worker *wk = &w[idx[i]];

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			rc = collect(e, wk, ids);
			busy--;
			hand_out(e, wk, ids, n, &next);
			busy += wk->job >= 0;
		}
	}
	if (stop_workers(w, nw, rc != 0) && rc == 0 && !stop_sending(e)) {
		snprintf(e->err, sizeof(e->err), "a worker process failed");
		rc = WEIR_EXIT_INTERNAL;
	}
	return rc;
}

#ifdef WEIR_MPI
enum { TAG_RUN = 1, TAG_RESULT = 2, TAG_STOP = 3 };

static int mpi_collect(struct experiment *e, const struct run_id *ids, long *job_of, int *src)
{
	MPI_Status st;
	int count;
	struct buf b = { 0 };
	int rc;

	MPI_Probe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &st);
	MPI_Get_count(&st, MPI_BYTE, &count);
	*src = st.MPI_SOURCE;
	b.p = weir_malloc((size_t)count + 1);
	b.len = b.cap = (size_t)count;
	MPI_Recv(b.p, count, MPI_BYTE, *src, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	rc = deliver(e, ids[job_of[*src]].config, ids[job_of[*src]].rep, &b);
	free(b.p);
	job_of[*src] = -1;
	return rc;
}

/* Rank 0 hands runs to ranks 1..N-1 as they come free. */
static int run_mpi(struct experiment *e, const struct run_id *ids, size_t n)
{
	long *job_of = weir_calloc((size_t)e->ranks, sizeof(long));
	size_t next = 0;
	int busy = 0, rc = 0, src;

	for (int r = 1; r < e->ranks; r++) {
		job_of[r] = -1;
		if (next < n) {
			MPI_Send(&ids[next], 2, MPI_UINT32_T, r, TAG_RUN, MPI_COMM_WORLD);
			job_of[r] = (long)next++;
			busy++;
		}
	}
	while (busy > 0) {
		int rc2 = mpi_collect(e, ids, job_of, &src);

		rc = rc ? rc : rc2;
		busy--;
		if (next < n && rc == 0 && !stop_sending(e)) {
			MPI_Send(&ids[next], 2, MPI_UINT32_T, src, TAG_RUN, MPI_COMM_WORLD);
			job_of[src] = (long)next++;
			busy++;
		}
	}
	free(job_of);
	return rc;
}

/* Ranks 1..N-1: run what rank 0 sends until it says stop. */
static int mpi_serve(struct experiment *e)
{
	for (;;) {
		struct run_id id;
		MPI_Status st;
		struct buf b = { 0 };

		MPI_Recv(&id, 2, MPI_UINT32_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP)
			return EXP_WORKER_DONE;
		if (id.config >= e->nconfigs)
			WEIR_BUG("rank %d was sent configuration %u", e->rank, id.config);
		run_one(&e->configs[id.config], id.rep, &b);
		if (b.len > (size_t)INT32_MAX)
			WEIR_BUG("a run's results exceed 2 GiB");
		MPI_Send(b.p, (int)b.len, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
		free(b.p);
	}
}

static void mpi_stop_all(struct experiment *e)
{
	struct run_id none = { 0, 0 };

	for (int r = 1; r < e->ranks; r++)
		MPI_Send(&none, 2, MPI_UINT32_T, r, TAG_STOP, MPI_COMM_WORLD);
	e->workers_stopped = true;
}

void exp_mpi_release(struct experiment *e)
{
	if (e->rank == 0 && e->ranks > 1 && !e->workers_stopped)
		mpi_stop_all(e);
}

void exp_mpi_init(struct experiment *e, int *argc, char ***argv)
{
	int inited;

	MPI_Initialized(&inited);
	if (!inited)
		MPI_Init(argc, argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &e->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &e->ranks);
	if (e->rank > 0) {            /* rank 0 speaks for the experiment */
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			WEIR_BUG("cannot silence rank %d", e->rank);
	}
}

void exp_mpi_finish(void)
{
	int inited, finished;

	MPI_Initialized(&inited);
	MPI_Finalized(&finished);
	if (inited && !finished)
		MPI_Finalize();
}
#else
void exp_mpi_init(struct experiment *e, int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	e->rank = 0;
	e->ranks = 1;
}

void exp_mpi_finish(void) {}

void exp_mpi_release(struct experiment *e) { (void)e; }
#endif

static int run_batch(struct experiment *e, const struct run_id *ids, size_t n)
{
	e->runs_total += n;
#ifdef WEIR_MPI
	if (e->ranks > 1)
		return run_mpi(e, ids, n);
#endif
	return run_local(e, ids, n);
}

/* ---- rounds ---------------------------------------------------------------- */

long exp_find_row(const struct exp_config *c, const char *resource, const char *stat)
{
	const struct rep_result *r = &c->res[0];

	for (size_t i = 0; i < r->nrows; i++)
		if (strcmp(r->resource[i], resource) == 0 && strcmp(r->stat[i], stat) == 0)
			return (long)i;
	return -1;
}

double *exp_row_values(const struct exp_config *c, size_t row)
{
	double *x = weir_calloc(c->folded + 1, sizeof(double));

	for (size_t k = 0; k < c->folded; k++)
		x[k] = row < c->res[k].nrows ? c->res[k].value[row] : NAN;
	return x;
}

struct stats_ci exp_metric_ci(const struct experiment *e, const struct exp_config *c, size_t m,
			      char *unit, size_t unitlen)
{
	long row = c->folded ? exp_find_row(c, e->metrics[m].resource, e->metrics[m].stat) : -1;
	struct stats_ci ci = { .n = 0, .mean = NAN, .sd = NAN, .half = NAN };
	double *x;

	if (unit)
		snprintf(unit, unitlen, "%s", row >= 0 ? c->res[0].unit[row] : "");
	if (row < 0)
		return ci;
	x = exp_row_values(c, (size_t)row);
	ci = stats_interval_of(x, c->folded, e->confidence);
	free(x);
	return ci;
}

bool exp_compare_stat(const struct experiment *e, const struct exp_config *a, const struct exp_config *b,
		      const char *resource, const char *stat, struct exp_pair *out)
{
	long ra = exp_find_row(a, resource, stat), rb = exp_find_row(b, resource, stat);
	size_t n = a->folded < b->folded ? a->folded : b->folded;
	double *x, *y;

	if (ra < 0 || rb < 0)
		return false;
	x = exp_row_values(a, (size_t)ra);
	y = exp_row_values(b, (size_t)rb);
	out->a = stats_interval_of(x, n, e->confidence);
	out->b = stats_interval_of(y, n, e->confidence);
	out->diff = stats_paired(x, y, n, e->confidence);
	out->unit = a->res[0].unit[ra];
	free(x);
	free(y);
	return true;
}

/* --precision: true when every metric's half-width is within the goal. */
static bool precise_enough(const struct experiment *e, const struct exp_config *c, double *worst)
{
	bool ok = true;

	*worst = 0;
	for (size_t m = 0; m < e->nmetrics; m++) {
		struct stats_ci ci = exp_metric_ci(e, c, m, NULL, 0);
		double goal = e->precision * fabs(ci.mean);

		if ((ci.n == 0 && !e->user_metrics) || ci.half == 0)
			continue;            /* a key statistic nothing reached, or every replication agreed */
		if (ci.n == 0 || isnan(ci.half) || ci.half > goal) {
			ok = false;          /* no values (yet), one value, or too wide */
			*worst = fmax(*worst, goal > 0 && !isnan(ci.half) ? ci.half / goal : INFINITY);
		}
	}
	return ok;
}

static void grow(struct exp_config *c, size_t reps)
{
	if (reps > c->cap) {
		c->res = weir_realloc(c->res, reps * sizeof(*c->res));
		memset(c->res + c->cap, 0, (reps - c->cap) * sizeof(*c->res));
		c->cap = reps;
	}
	c->reps = reps;
}

/* The next round's replication count of c under --precision (c->reps when done). */
static size_t next_round(const struct experiment *e, struct exp_config *c)
{
	double worst;
	size_t want;

	if (precise_enough(e, c, &worst)) {
		c->reached = true;
		return c->reps;
	}
	if (c->reps >= e->max_replications)
		return c->reps;
	/* The half-width shrinks as 1/sqrt(n): aim at the goal, at most doubling. */
	want = isfinite(worst) ? (size_t)ceil((double)c->reps * worst * worst) : 2 * c->reps;
	want = want < c->reps + 1 ? c->reps + 1 : want;
	want = want > 2 * c->reps ? 2 * c->reps : want;
	return want > e->max_replications ? e->max_replications : want;
}

int exp_run(struct experiment *e)
{
	struct run_id *ids = NULL;
	int rc = 0;

	if (e->rank > 0) {
#ifdef WEIR_MPI
		return mpi_serve(e);
#endif
	}
	e->started = cli_wall_now();
	for (size_t i = 0; i < e->nconfigs; i++)
		grow(&e->configs[i], e->precision > 0 && e->replications < 2 ? 2 : e->replications);
	for (;;) {
		size_t n = 0;

		for (size_t i = 0; i < e->nconfigs; i++)
			n += e->configs[i].reps - e->configs[i].folded;
		if (n == 0)
			break;
		ids = weir_realloc(ids, n * sizeof(*ids));
		n = 0;
		for (size_t i = 0; i < e->nconfigs; i++)
			for (size_t r = e->configs[i].folded; r < e->configs[i].reps; r++)
				ids[n++] = (struct run_id){ (uint32_t)i, (uint32_t)r };
		rc = run_batch(e, ids, n);
		if (rc != 0 || stop_sending(e) || e->precision <= 0)
			break;
		{
			size_t most = 0;

			for (size_t i = 0; i < e->nconfigs; i++) {
				grow(&e->configs[i], next_round(e, &e->configs[i]));
				most = e->configs[i].reps > most ? e->configs[i].reps : most;
			}
			/* Paired comparisons need the same replications on both sides. */
			for (size_t i = 0; e->lockstep && i < e->nconfigs; i++)
				grow(&e->configs[i], most);
		}
	}
	if (stop_sending(e))
		e->interrupted = true;
	/* Lockstep rounds may have added replications after a configuration reached the goal: judge the final count. */
	for (size_t i = 0; e->precision > 0 && rc == 0 && i < e->nconfigs; i++) {
		double worst;

		e->configs[i].reached = precise_enough(e, &e->configs[i], &worst);
	}
	free(ids);
#ifdef WEIR_MPI
	if (e->ranks > 1)
		mpi_stop_all(e);
#endif
	if (e->progress && e->runs_done)
		fputs("\r\033[K", stderr);
	e->wall = cli_wall_now() - e->started;
	return rc;
}

/* ---- loading and releasing ----------------------------------------------------- */

/* True when d has a warning the scenario file itself did not give. */
static bool new_warnings(const struct experiment *e, const struct diags *d)
{
	for (size_t i = 0; i < d->items.len; i++) {
		const struct diag *g = VEC_AT(&d->items, struct diag, i);
		bool known = false;

		if (g->level != DIAG_WARNING)
			continue;
		for (size_t k = 0; k < e->nbase_warnings && !known; k++)
			known = strcmp(e->base_warnings[k], g->msg) == 0;
		if (!known)
			return true;
	}
	return false;
}

int exp_load(struct experiment *e)
{
	size_t own = 0;   /* configurations with warnings the file itself does not give */

	for (size_t i = 0; i < e->nconfigs; i++) {
		struct exp_config *c = &e->configs[i];

		if (c->path)
			c->sc = scenario_load(c->path, NULL, 0, c->sets, c->nsets, &c->diags);
		else
			c->sc = scenario_load(scenario_default_name, scenario_default_text,
					      strlen(scenario_default_text), c->sets, c->nsets, &c->diags);
		/*
		 * A sweep's configurations repeat the file's warnings (said once,
		 * when the file was read); a configuration with other warnings, or
		 * a comparison's second file, says its own.
		 */
		if (!c->sc || (!e->silent_load && (i == 0 || c->path != e->configs[i - 1].path))) {
			diag_print(&c->diags, stderr);
		} else if (e->silent_load && c->sc && new_warnings(e, &c->diags)) {
			if (++own < 3) {
				fprintf(stderr, "weir %s: %s:\n", e->cmd, c->label);
				diag_print(&c->diags, stderr);
			}
		}
		if (!c->sc) {
			if (e->nconfigs > 1)
				fprintf(stderr, "weir %s: in %s\n", e->cmd, c->label);
			return WEIR_EXIT_SCENARIO;
		}
	}
	if (own > 2)
		fprintf(stderr, "weir %s: %zu more configurations have warnings of their own ('weir check' with their "
			"--set values shows them)\n", e->cmd, own - 2);
	return 0;
}

void exp_release(struct experiment *e)
{
	for (size_t i = 0; i < e->nconfigs; i++) {
		struct exp_config *c = &e->configs[i];

		for (size_t r = 0; r < c->cap; r++)
			result_free(&c->res[r]);
		free(c->res);
		for (size_t s = 0; s < c->nsets; s++)
			free((char *)c->sets[s]);
		free(c->sets);
		scenario_free(c->sc);
		diag_release(&c->diags);
		free(c->dir);
		free(c->label);
		free(c->ts_header);
		free(c->ts_time);
		free(c->ts_acc);
	}
	free(e->configs);
	for (size_t m = 0; m < e->nmetrics; m++) {
		free(e->metrics[m].resource);
		free(e->metrics[m].stat);
	}
	free(e->metrics);
	grid_release(&e->grid);
	for (size_t k = 0; k < e->nbase_warnings; k++)
		free(e->base_warnings[k]);
	free(e->base_warnings);
}
