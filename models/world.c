/*
 * world.c - building, running and reporting one simulation.
 */
#include "weir/world.h"
#include "weir/consumer.h"
#include "weir/esm.h"
#include "weir/kconsumer.h"
#include "weir/kesm.h"
#include "weir/kinesis.h"
#include "weir/lambda.h"
#include "weir/producer.h"
#include "weir/rng.h"
#include "weir/sns.h"
#include "weir/sqs.h"

#include <stdlib.h>
#include <string.h>

struct resource_ops {
	const char *kind;
	void (*register_metrics)(void *self, struct metrics *m);
	void (*end_warmup)(void *self);
	void (*summarize)(const void *self, struct summary *s);
	bool (*ledger)(const void *self, FILE *err);
	void (*destroy)(void *self);
};

struct resource {
	const char *name;
	const struct resource_ops *ops;
	void *self;
};

struct world {
	const struct scenario *sc;
	struct sim *sim;
	struct rng_set *rngs;
	struct sqs_env env;
	struct metrics *metrics;
	struct lambda_account *account;  /* NULL when the scenario has no functions */
	struct vec res;                /* struct resource, in scenario order */
	const struct world_opts *opts;
};

/* ---- queues ------------------------------------------------------------ */

static void q_metrics(void *self, struct metrics *m) { sqs_register_metrics(self, m); }
static void q_warmup(void *self) { sqs_end_warmup(self); }
static void q_summarize(const void *self, struct summary *s) { sqs_summarize(self, s); }
static void q_destroy(void *self) { sqs_destroy(self); }

static bool q_ledger(const void *self, FILE *err)
{
	struct sqs_ledger l;

	if (sqs_ledger(self, &l))
		return true;
	fprintf(err, "weir: internal error: the ledger of queue '%s' does not balance: "
		"sent %llu + moved in %llu != deleted %llu + to DLQ %llu + expired %llu + purged %llu"
		" + redriven %llu + visible %llu + in flight %llu + delayed %llu\n",
		sqs_name(self), (unsigned long long)l.sent, (unsigned long long)l.moved_in,
		(unsigned long long)l.deleted, (unsigned long long)l.moved_to_dlq,
		(unsigned long long)l.expired, (unsigned long long)l.purged,
		(unsigned long long)l.redriven, (unsigned long long)l.visible,
		(unsigned long long)l.in_flight, (unsigned long long)l.delayed);
	return false;
}

static const struct resource_ops queue_ops = {
	"queue", q_metrics, q_warmup, q_summarize, q_ledger, q_destroy
};

/* ---- producers --------------------------------------------------------- */

static void p_metrics(void *self, struct metrics *m) { producer_register_metrics(self, m); }
static void p_warmup(void *self) { producer_end_warmup(self); }
static void p_summarize(const void *self, struct summary *s) { producer_summarize(self, s); }
static void p_destroy(void *self) { producer_destroy(self); }

static bool p_ledger(const void *self, FILE *err)
{
	const struct producer_counters *c = producer_counters(self);

	if (producer_ledger(self))
		return true;
	fprintf(err, "weir: internal error: a producer's ledger does not balance: produced %llu != sent %llu + rejected %llu\n",
		(unsigned long long)c->produced, (unsigned long long)c->sent,
		(unsigned long long)c->rejected);
	return false;
}

static const struct resource_ops producer_ops = {
	"producer", p_metrics, p_warmup, p_summarize, p_ledger, p_destroy
};

/* ---- consumers --------------------------------------------------------- */

static void c_metrics(void *self, struct metrics *m) { consumer_register_metrics(self, m); }
static void c_warmup(void *self) { consumer_end_warmup(self); }
static void c_summarize(const void *self, struct summary *s) { consumer_summarize(self, s); }
static void c_destroy(void *self) { consumer_destroy(self); }

static bool c_ledger(const void *self, FILE *err)
{
	if (consumer_ledger(self))
		return true;
	fprintf(err, "weir: internal error: a consumer's ledger does not balance (received != succeeded + failed + holding)\n");
	return false;
}

static const struct resource_ops consumer_ops = {
	"consumer", c_metrics, c_warmup, c_summarize, c_ledger, c_destroy
};

static void kc_metrics(void *self, struct metrics *m) { kconsumer_register_metrics(self, m); }
static void kc_warmup(void *self) { kconsumer_end_warmup(self); }
static void kc_summarize(const void *self, struct summary *s) { kconsumer_summarize(self, s); }
static bool kc_ledger(const void *self, FILE *err) { return kconsumer_ledger(self, err); }
static void kc_destroy(void *self) { kconsumer_destroy(self); }

/* A consumer application on a stream: a consumer too, in outputs. */
static const struct resource_ops stream_consumer_ops = {
	"consumer", kc_metrics, kc_warmup, kc_summarize, kc_ledger, kc_destroy
};

/* ---- functions and triggers ------------------------------------------ */

static void f_metrics(void *self, struct metrics *m) { lambda_register_metrics(self, m); }
static void f_warmup(void *self) { lambda_end_warmup(self); }
static void f_summarize(const void *self, struct summary *s) { lambda_summarize(self, s); }
static bool f_ledger(const void *self, FILE *err) { return lambda_ledger(self, err); }
static void f_destroy(void *self) { lambda_destroy(self); }

static const struct resource_ops function_ops = {
	"function", f_metrics, f_warmup, f_summarize, f_ledger, f_destroy
};

static void t_metrics(void *self, struct metrics *m) { esm_register_metrics(self, m); }
static void t_warmup(void *self) { esm_end_warmup(self); }
static void t_summarize(const void *self, struct summary *s) { esm_summarize(self, s); }
static bool t_ledger(const void *self, FILE *err) { return esm_ledger(self, err); }
static void t_destroy(void *self) { esm_destroy(self); }

static const struct resource_ops trigger_ops = {
	"trigger", t_metrics, t_warmup, t_summarize, t_ledger, t_destroy
};

static void k_metrics(void *self, struct metrics *m) { kesm_register_metrics(self, m); }
static void k_warmup(void *self) { kesm_end_warmup(self); }
static void k_summarize(const void *self, struct summary *s) { kesm_summarize(self, s); }
static bool k_ledger(const void *self, FILE *err) { return kesm_ledger(self, err); }
static void k_destroy(void *self) { kesm_destroy(self); }

/* A mapping from a stream: a trigger too, in outputs. */
static const struct resource_ops stream_trigger_ops = {
	"trigger", k_metrics, k_warmup, k_summarize, k_ledger, k_destroy
};

/* ---- streams ------------------------------------------------------------ */

static void s_metrics(void *self, struct metrics *m) { kinesis_register_metrics(self, m); }
static void s_warmup(void *self) { kinesis_end_warmup(self); }
static void s_summarize(const void *self, struct summary *s) { kinesis_summarize(self, s); }
static bool s_ledger(const void *self, FILE *err) { return kinesis_ledger(self, err); }
static void s_destroy(void *self) { kinesis_destroy(self); }

static const struct resource_ops stream_ops = {
	"stream", s_metrics, s_warmup, s_summarize, s_ledger, s_destroy
};

/* ---- topics ------------------------------------------------------------- */

static void n_metrics(void *self, struct metrics *m) { sns_register_metrics(self, m); }
static void n_warmup(void *self) { sns_end_warmup(self); }
static void n_summarize(const void *self, struct summary *s) { sns_summarize(self, s); }
static bool n_ledger(const void *self, FILE *err) { return sns_ledger(self, err); }
static void n_destroy(void *self) { sns_destroy(self); }

static const struct resource_ops topic_ops = {
	"topic", n_metrics, n_warmup, n_summarize, n_ledger, n_destroy
};

/* ---- building ---------------------------------------------------------- */

static void add(struct world *w, const char *name, const struct resource_ops *ops, void *self)
{
	struct resource *r = vec_push(&w->res, sizeof(*r));

	r->name = name;
	r->ops = ops;
	r->self = self;
}

static struct sqs_queue *lookup_queue(void *ctx, const char *name)
{
	return world_resource(ctx, "queue", name);
}

static struct lambda_fn *lookup_function(const struct world *w, const char *name)
{
	return world_resource(w, "function", name);
}

static struct kinesis_stream *lookup_stream(const struct world *w, const char *name)
{
	return world_resource(w, "stream", name);
}

static void build_streams(struct world *w)
{
	for (size_t i = 0; i < w->sc->streams.len; i++) {
		const struct stream_cfg *cfg = VEC_AT(&w->sc->streams, struct stream_cfg, i);

		add(w, cfg->head.name, &stream_ops, kinesis_create(w->sim, cfg->head.name, cfg));
	}
}

/* Consumer applications on streams: readers, so added before the streams start. */
static void build_stream_consumers(struct world *w)
{
	const struct scenario *sc = w->sc;

	for (size_t i = 0; i < sc->consumers.len; i++) {
		const struct consumer_cfg *cfg = VEC_AT(&sc->consumers, struct consumer_cfg, i);
		struct kinesis_stream *s = lookup_stream(w, cfg->source);
		struct kconsumer *k;

		if (!s)
			continue;
		k = kconsumer_create(w->sim, cfg->head.name, cfg, s, w->rngs);
		add(w, cfg->head.name, &stream_consumer_ops, k);
		kconsumer_start(k);
	}
}

/* After the readers are added: schedules the reshards. */
static void start_streams(struct world *w)
{
	for (size_t i = 0; i < w->res.len; i++) {
		struct resource *r = VEC_AT(&w->res, struct resource, i);

		if (r->ops == &stream_ops)
			kinesis_start(r->self);
	}
}

static void build_functions(struct world *w)
{
	const struct scenario *sc = w->sc;

	if (sc->functions.len == 0)
		return;
	w->account = lambda_account_create(w->sim, &sc->account);
	for (size_t i = 0; i < sc->functions.len; i++) {
		const struct function_cfg *cfg = VEC_AT(&sc->functions, struct function_cfg, i);
		struct lambda_fn *f = lambda_create(w->account, cfg->head.name, cfg, w->rngs);

		add(w, cfg->head.name, &function_ops, f);
		lambda_set_async_targets(f, cfg->async.on_failure ? lookup_queue(w, cfg->async.on_failure) : NULL,
					 cfg->async.dead_letter ? lookup_queue(w, cfg->async.dead_letter) : NULL);
		lambda_start(f);
	}
	for (size_t i = 0; i < sc->triggers.len; i++) {
		const struct trigger_cfg *cfg = VEC_AT(&sc->triggers, struct trigger_cfg, i);
		struct kinesis_stream *s = lookup_stream(w, cfg->source);

		if (s) {
			struct kesm *k = kesm_create(w->sim, cfg, s, lookup_function(w, cfg->function),
						     cfg->on_failure ? lookup_queue(w, cfg->on_failure) : NULL);

			add(w, cfg->name, &stream_trigger_ops, k);
			kesm_set_trace(k, w->env.trace);
			kesm_start(k);
		} else {
			struct esm *e = esm_create(w->sim, cfg, lookup_queue(w, cfg->source),
						   lookup_function(w, cfg->function), sc->account.date);

			add(w, cfg->name, &trigger_ops, e);
			esm_start(e);
		}
	}
}

static void build_queues(struct world *w)
{
	const struct vec *qs = &w->sc->queues;

	for (size_t i = 0; i < qs->len; i++) {
		const struct sqs_queue_cfg *cfg = VEC_AT(qs, struct sqs_queue_cfg, i);

		add(w, cfg->head.name, &queue_ops,
		    sqs_create(&w->env, cfg->head.name, cfg, rng_stream(w->rngs, cfg->head.name, "queue")));
	}
	for (size_t i = 0; i < qs->len; i++) {
		const struct sqs_queue_cfg *cfg = VEC_AT(qs, struct sqs_queue_cfg, i);

		if (cfg->redrive.dead_letter)
			sqs_set_dead_letter(lookup_queue(w, cfg->head.name),
					    lookup_queue(w, cfg->redrive.dead_letter));
	}
}

/* Topics: after the queues and functions they deliver to, before the producers that publish. */
static void build_topics(struct world *w)
{
	const struct vec *ts = &w->sc->topics;

	for (size_t i = 0; i < ts->len; i++) {
		const struct sns_topic_cfg *cfg = VEC_AT(ts, struct sns_topic_cfg, i);
		struct sns_topic *t = sns_create(w->sim, cfg->head.name, cfg, w->rngs);

		for (size_t j = 0; j < cfg->subscriptions.len; j++) {
			const struct sns_sub_cfg *s = VEC_AT(&cfg->subscriptions, struct sns_sub_cfg, j);
			struct sns_endpoint e = { lookup_queue(w, s->endpoint), lookup_function(w, s->endpoint),
						  s->dead_letter ? lookup_queue(w, s->dead_letter) : NULL };

			sns_set_endpoint(t, j, e);
		}
		add(w, cfg->head.name, &topic_ops, t);
	}
}

static int build_workloads(struct world *w, char *err, size_t errlen)
{
	const struct scenario *sc = w->sc;

	for (size_t i = 0; i < sc->producers.len; i++) {
		const struct producer_cfg *cfg = VEC_AT(&sc->producers, struct producer_cfg, i);
		struct producer_target t = { lookup_queue(w, cfg->target), lookup_function(w, cfg->target),
					     lookup_stream(w, cfg->target), world_resource(w, "topic", cfg->target),
					     &w->env };
		struct producer *p = producer_create(w->sim, cfg->head.name, cfg, t, w->rngs);

		add(w, cfg->head.name, &producer_ops, p);
		if (producer_start(p, err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < sc->consumers.len; i++) {
		const struct consumer_cfg *cfg = VEC_AT(&sc->consumers, struct consumer_cfg, i);
		struct consumer *c;

		if (lookup_stream(w, cfg->source))
			continue;   /* built with the streams */
		c = consumer_create(w->sim, cfg->head.name, cfg, lookup_queue(w, cfg->source), w->rngs);
		add(w, cfg->head.name, &consumer_ops, c);
		consumer_start(c);
	}
	return 0;
}

static void on_warmup_end(struct sim *sim, void *subject, void *object)
{
	struct world *w = subject;

	(void)sim;
	(void)object;
	for (size_t i = 0; i < w->res.len; i++) {
		struct resource *r = VEC_AT(&w->res, struct resource, i);

		r->ops->end_warmup(r->self);
	}
}

struct world *world_create(const struct scenario *sc, const struct world_opts *o,
			   char *err, size_t errlen)
{
	struct world *w = weir_calloc(1, sizeof(*w));

	w->sc = sc;
	w->opts = o;
	w->sim = sim_create();
	if (!w->sim)
		WEIR_BUG("out of memory creating the engine");
	w->rngs = rng_set_create(o->seed, o->replication);
	sqs_env_init(&w->env, w->sim, o->trace);
	w->metrics = metrics_create(w->sim, sc->metrics.period);
	sim_set_interrupt(w->sim, o->interrupt);
	build_queues(w);
	for (size_t i = 0; i < w->res.len; i++) {
		struct resource *r = VEC_AT(&w->res, struct resource, i);

		if (r->ops == &queue_ops)
			sqs_start(r->self, lookup_queue, w);
	}
	build_streams(w);
	build_functions(w);
	build_stream_consumers(w);
	start_streams(w);
	build_topics(w);
	if (build_workloads(w, err, errlen) != 0) {
		world_destroy(w);
		return NULL;
	}
	for (size_t i = 0; i < w->res.len; i++) {
		struct resource *r = VEC_AT(&w->res, struct resource, i);

		r->ops->register_metrics(r->self, w->metrics);
	}
	if (w->account)
		lambda_account_register_metrics(w->account, w->metrics);
	if (sc->warmup > 0)
		sim_schedule(w->sim, sc->warmup, on_warmup_end, w, NULL);
	metrics_start(w->metrics, o->timeseries);
	return w;
}

bool world_run(struct world *w)
{
	sim_time end = w->sc->duration, step = end / 100 > 0 ? end / 100 : 1;
	enum sim_stop stop = SIM_STOP_END;

	while (sim_now(w->sim) < end) {
		sim_time until = end - sim_now(w->sim) > step ? sim_now(w->sim) + step : end;

		stop = sim_run(w->sim, until);
		if (stop == SIM_STOP_INTERRUPT)
			break;
		if (w->opts->progress)
			w->opts->progress(w->opts->progress_ctx, sim_now(w->sim), end,
					  sim_events_processed(w->sim));
	}
	metrics_finish(w->metrics);
	return stop == SIM_STOP_INTERRUPT;
}

void world_destroy(struct world *w)
{
	if (!w)
		return;
	for (size_t i = w->res.len; i-- > 0;) {
		struct resource *r = VEC_AT(&w->res, struct resource, i);

		r->ops->destroy(r->self);
	}
	vec_release(&w->res);
	lambda_account_destroy(w->account);
	metrics_destroy(w->metrics);
	sqs_env_release(&w->env);
	rng_set_destroy(w->rngs);
	sim_destroy(w->sim);
	free(w);
}

/* ---- reports ----------------------------------------------------------- */

sim_time world_now(const struct world *w)
{
	return sim_now(w->sim);
}

struct sim *world_sim(struct world *w)
{
	return w->sim;
}

void *world_resource(const struct world *w, const char *kind, const char *name)
{
	for (size_t i = 0; i < w->res.len; i++) {
		const struct resource *r = VEC_AT(&w->res, struct resource, i);

		if (strcmp(r->ops->kind, kind) == 0 && strcmp(r->name, name) == 0)
			return r->self;
	}
	return NULL;
}

uint64_t world_events(const struct world *w)
{
	return sim_events_processed(w->sim);
}

void world_summarize(const struct world *w, struct summary *s)
{
	for (size_t i = 0; i < w->res.len; i++) {
		const struct resource *r = VEC_AT(&w->res, struct resource, i);

		r->ops->summarize(r->self, s);
	}
}

void world_write_dictionary(const struct world *w, struct csvw *out)
{
	metrics_write_dictionary(w->metrics, out);
}

/* What a resource reads from or writes to: a producer's target, a consumer's or trigger's source. */
static const char *link_of(const struct world *w, const struct resource *r)
{
	const struct scenario *sc = w->sc;

	if (r->ops == &producer_ops)
		return producer_target(r->self);
	for (size_t i = 0; (r->ops == &consumer_ops || r->ops == &stream_consumer_ops) && i < sc->consumers.len; i++)
		if (strcmp(VEC_AT(&sc->consumers, struct consumer_cfg, i)->head.name, r->name) == 0)
			return VEC_AT(&sc->consumers, struct consumer_cfg, i)->source;
	for (size_t i = 0; (r->ops == &trigger_ops || r->ops == &stream_trigger_ops) && i < sc->triggers.len; i++)
		if (strcmp(VEC_AT(&sc->triggers, struct trigger_cfg, i)->name, r->name) == 0)
			return VEC_AT(&sc->triggers, struct trigger_cfg, i)->source;
	return NULL;
}

void world_write_resources(const struct world *w, struct csvw *out)
{
	csvw_str(out, "resource");
	csvw_str(out, "kind");
	csvw_str(out, "dead_letter");
	csvw_str(out, "target");
	csvw_end_row(out);
	for (size_t i = 0; i < w->res.len; i++) {
		const struct resource *r = VEC_AT(&w->res, struct resource, i);
		const char *dlq = NULL, *link = link_of(w, r);

		if (r->ops == &queue_ops)
			dlq = sqs_config(r->self)->redrive.dead_letter;
		csvw_str(out, r->name);
		csvw_str(out, r->ops->kind);
		csvw_str(out, dlq ? dlq : "");
		csvw_str(out, link ? link : "");
		csvw_end_row(out);
	}
}

/*
 * Messages moving between resources balance too: every message a queue was
 * sent came from a producer, a function's failure destination, a stream
 * mapping's failure message, an SNS delivery or subscription dead-letter
 * send, or a move task; and every dead-letter move out of one queue arrived
 * in another.
 */
static bool flows_balance(const struct world *w, FILE *err)
{
	uint64_t produced = 0, redriven = 0, sent = 0, to_dlq = 0, moved_in = 0;

	for (size_t i = 0; i < w->res.len; i++) {
		const struct resource *r = VEC_AT(&w->res, struct resource, i);

		if (r->ops == &producer_ops) {
			if (world_resource(w, "queue", producer_target(r->self)))
				produced += producer_counters(r->self)->sent;
		} else if (r->ops == &function_ops) {
			produced += lambda_counters(r->self)->queue_sends;
		} else if (r->ops == &stream_trigger_ops) {
			produced += kesm_counters(r->self)->failure_messages;
		} else if (r->ops == &topic_ops) {
			produced += sns_queue_sends(r->self);
		} else if (r->ops == &queue_ops) {
			const struct sqs_counters *c = sqs_counters(r->self);

			redriven += c->redriven;
			sent += c->sent + c->deduplicated;   /* a duplicate is accepted, not stored (§2.2) */
			to_dlq += c->moved_to_dlq;
			moved_in += c->moved_in;
		}
	}
	if (produced + redriven == sent && to_dlq == moved_in)
		return true;
	fprintf(err, "weir: internal error: messages between resources do not balance: producers, functions and topics sent %llu"
		" + redriven %llu != queues sent %llu, or moved to DLQs %llu != arrived in DLQs %llu\n",
		(unsigned long long)produced, (unsigned long long)redriven, (unsigned long long)sent,
		(unsigned long long)to_dlq, (unsigned long long)moved_in);
	return false;
}

bool world_check_ledgers(const struct world *w, FILE *err)
{
	bool ok = true;

	for (size_t i = 0; i < w->res.len; i++) {
		const struct resource *r = VEC_AT(&w->res, struct resource, i);

		ok &= r->ops->ledger(r->self, err);
	}
	return flows_balance(w, err) && ok;
}

size_t world_message_bytes(const struct world *w)
{
	return pool_bytes(&w->env.msgs);
}
