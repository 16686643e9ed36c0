/*
 * schema.c - parsing and checking a YAML tree against schema tables, and
 * writing those tables out as a Markdown reference.
 */
#include "weir/schema.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#define FIELD_PTR(obj, f) ((void *)((char *)(obj) + (f)->offset))

static void vreport(struct schema_ctx *ctx, enum diag_level level,
		    const struct doc_node *node, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	diag_add(ctx->d, level, node ? node->loc : diag_noloc(), "%s", buf);
}

void schema_error(struct schema_ctx *ctx, const struct doc_node *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, DIAG_ERROR, node, fmt, ap);
	va_end(ap);
}

void schema_warning(struct schema_ctx *ctx, const struct doc_node *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, DIAG_WARNING, node, fmt, ap);
	va_end(ap);
}

void schema_note(struct schema_ctx *ctx, const struct doc_node *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ctx, DIAG_NOTE, node, fmt, ap);
	va_end(ap);
}

const struct doc_node *schema_node(const void *obj, const char *key)
{
	const struct schema_head *h = obj;

	return h->node ? doc_map_get(h->node, key) : NULL;
}

const struct doc_node *schema_where(const void *obj, const char *key)
{
	const struct schema_head *h = obj;
	const struct doc_node *n = schema_node(obj, key);

	return n ? n : h->node;
}

/* ---- scalar values ------------------------------------------------------- */

static enum unit_kind field_unit(const struct schema_field *f)
{
	switch (f->type) {
	case ST_DURATION:
		return UNIT_DURATION;
	case ST_RATE:
		return UNIT_RATE;
	case ST_SIZE:
		return UNIT_SIZE;
	case ST_DIST:
		return f->unit;
	default:
		return UNIT_NONE;
	}
}

static void fmt_value(const struct schema_field *f, double v, char *buf, size_t n)
{
	if (f->type == ST_INT)
		snprintf(buf, n, "%.0f", v);
	else
		units_format(field_unit(f), v, buf, n);
}

/* Location of a parse error inside a scalar: shift the caret to the part. */
static const struct doc_node *located(const struct doc_node *node, const struct parse_err *err,
				      struct doc_node *tmp)
{
	*tmp = *node;
	if (node->loc.len >= err->offset + (err->len ? err->len : 1)) {
		tmp->loc.col += (unsigned)err->offset;
		tmp->loc.len = (unsigned)(err->len ? err->len : 1);
	}
	return tmp;
}

void schema_parse_error(struct schema_ctx *ctx, const struct doc_node *node, const char *key,
			const struct parse_err *err)
{
	struct doc_node tmp;
	int depth = 0;

	for (const char *p = node->text; *p; p++)
		depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
	if (depth > 0 && !node->quoted)
		schema_error(ctx, located(node, err, &tmp), "'%s': %s (inside { } or [ ], put a value that holds commas in quotes)",
			     key, err->msg);
	else
		schema_error(ctx, located(node, err, &tmp), "'%s': %s", key, err->msg);
}

static int need_scalar(const struct schema_field *f, const struct doc_node *node,
		       struct schema_ctx *ctx)
{
	if (node->kind != DOC_SCALAR) {
		schema_error(ctx, node, "'%s' takes a %s, not a %s", f->key,
			     f->type == ST_DIST ? "distribution" : f->type == ST_BOOL ? "true or false"
			     : units_kind_name(field_unit(f)), doc_kind_name(node));
		return -1;
	}
	if (node->null) {
		schema_error(ctx, node, "'%s' has no value", f->key);
		return -1;
	}
	return 0;
}

static int check_range(const struct schema_field *f, const struct doc_node *node, double v,
		       struct schema_ctx *ctx)
{
	char lo[64], hi[64], got[64];
	const char *rule = f->rule ? f->rule : NULL;
	int bad_min = (f->flags & SF_MIN) && ((f->flags & SF_MIN_OPEN) ? v <= f->min : v < f->min);
	int bad_max = (f->flags & SF_MAX) && v > f->max;

	if (!bad_min && !bad_max)
		return 0;
	fmt_value(f, f->min, lo, sizeof(lo));
	fmt_value(f, f->max, hi, sizeof(hi));
	fmt_value(f, v, got, sizeof(got));
	if ((f->flags & SF_RANGE) == SF_RANGE && !(f->flags & SF_MIN_OPEN))
		schema_error(ctx, node, "'%s' is %s; it must be between %s and %s%s%s%s", f->key,
			     got, lo, hi, rule ? " (aws-behaviour " : "", rule ? rule : "", rule ? ")" : "");
	else if (bad_min)
		schema_error(ctx, node, "'%s' is %s; it must be %s %s%s%s%s", f->key, got,
			     (f->flags & SF_MIN_OPEN) ? "greater than" : "at least", lo,
			     rule ? " (aws-behaviour " : "", rule ? rule : "", rule ? ")" : "");
	else
		schema_error(ctx, node, "'%s' is %s; it must be at most %s%s%s%s", f->key, got, hi,
			     rule ? " (aws-behaviour " : "", rule ? rule : "", rule ? ")" : "");
	return -1;
}

static int parse_number(const struct schema_field *f, const struct doc_node *node, void *dst,
			struct schema_ctx *ctx)
{
	struct parse_err err;
	double v;
	int64_t iv = 0;
	int rc;

	if (f->type == ST_INT) {
		rc = units_parse_int(node->text, &iv, &err);
		v = (double)iv;
	} else {
		rc = units_parse(field_unit(f), node->text, &v, &err);
	}
	if (rc != 0) {
		schema_parse_error(ctx, node, f->key, &err);
		return -1;
	}
	if (check_range(f, node, v, ctx) != 0)
		return -1;
	if (f->type == ST_DURATION)
		*(sim_time *)dst = (sim_time)llround(v);
	else if (f->type == ST_INT)
		*(int64_t *)dst = iv;
	else
		*(double *)dst = v;
	return 0;
}

static int parse_bool(const struct schema_field *f, const struct doc_node *node, bool *dst,
		      struct schema_ctx *ctx)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };

	for (int i = 0; i < 3; i++) {
		if (strcasecmp(node->text, yes[i]) == 0) {
			*dst = true;
			return 0;
		}
		if (strcasecmp(node->text, no[i]) == 0) {
			*dst = false;
			return 0;
		}
	}
	schema_error(ctx, node, "'%s' takes true or false, not '%s'", f->key, node->text);
	return -1;
}

static int parse_enum(const struct schema_field *f, const struct doc_node *node, int *dst,
		      struct schema_ctx *ctx)
{
	size_t n = 0;
	char allowed[512] = "";
	const char *near;

	for (; f->choices[n]; n++) {
		if (strcmp(node->text, f->choices[n]) == 0) {
			*dst = (int)n;
			return 0;
		}
		if (n)
			strncat(allowed, ", ", sizeof(allowed) - strlen(allowed) - 1);
		strncat(allowed, f->choices[n], sizeof(allowed) - strlen(allowed) - 1);
	}
	near = weir_suggest(node->text, strlen(node->text), f->choices, n);
	if (near)
		schema_error(ctx, node, "'%s' cannot be '%s' (did you mean '%s'?)", f->key, node->text, near);
	else
		schema_error(ctx, node, "'%s' cannot be '%s'; it is one of: %s", f->key, node->text, allowed);
	return -1;
}

static int parse_dist(const struct schema_field *f, const struct doc_node *node, struct dist *dst,
		      struct schema_ctx *ctx)
{
	struct parse_err err;
	char lo[64];

	if (dist_parse(node->text, f->unit, ctx->doc ? ctx->doc->dir : NULL, dst, &err) != 0) {
		schema_parse_error(ctx, node, f->key, &err);
		return -1;
	}
	if ((f->flags & SF_MIN) && dist_min(dst) < f->min) {
		fmt_value(f, f->min, lo, sizeof(lo));
		schema_error(ctx, node, "'%s' can draw values below %s, the smallest allowed", f->key, lo);
		return -1;
	}
	return 0;
}

/* ---- structure ----------------------------------------------------------- */

static int parse_value(const struct schema_field *f, const struct doc_node *node, void *obj,
		       struct schema_ctx *ctx);

static int parse_list(const struct schema_field *f, const struct doc_node *node, struct vec *v,
		      struct schema_ctx *ctx)
{
	int rc = 0;

	if (node->kind == DOC_SCALAR && node->null)
		return 0;
	if (node->kind != DOC_SEQ) {
		schema_error(ctx, node, "'%s' takes a list (e.g. [ ... ] or lines starting with '- '), not a %s",
			     f->key, doc_kind_name(node));
		return -1;
	}
	for (size_t i = 0; i < node->nkids; i++) {
		struct schema_head *item = vec_push(v, f->sub->size);

		item->name = f->key;
		rc |= schema_parse(f->sub, node->kids[i], item, ctx);
	}
	return rc;
}

static int parse_table(const struct schema_field *f, const struct doc_node *node, struct vec *v,
		       struct schema_ctx *ctx)
{
	int rc = 0;

	if (node->kind == DOC_SCALAR && node->null)
		return 0;
	if (node->kind != DOC_MAP) {
		schema_error(ctx, node, "'%s' takes a mapping of names to settings, not a %s",
			     f->key, doc_kind_name(node));
		return -1;
	}
	for (size_t i = 0; i < doc_map_len(node); i++) {
		const struct doc_node *key = doc_map_key(node, i);
		struct schema_head *item = vec_push(v, f->sub->size);
		unsigned before = ctx->d->errors;

		item->name = key->text;
		item->key = key;
		if (f->sub->check_name)
			f->sub->check_name(key, ctx);
		rc |= schema_parse(f->sub, doc_map_value(node, i), item, ctx);
		if (ctx->d->errors != before)
			rc = -1;
	}
	return rc;
}

static int parse_value(const struct schema_field *f, const struct doc_node *node, void *obj,
		       struct schema_ctx *ctx)
{
	void *dst = FIELD_PTR(obj, f);

	switch (f->type) {
	case ST_OBJECT:
		((struct schema_head *)dst)->name = f->key;
		return schema_parse(f->sub, node, dst, ctx);
	case ST_LIST:
		return parse_list(f, node, dst, ctx);
	case ST_TABLE:
		return parse_table(f, node, dst, ctx);
	default:
		break;
	}
	if (need_scalar(f, node, ctx) != 0)
		return -1;
	switch (f->type) {
	case ST_BOOL:
		return parse_bool(f, node, dst, ctx);
	case ST_STRING:
	case ST_NAME:
		*(const char **)dst = node->text;
		return 0;
	case ST_ENUM:
		return parse_enum(f, node, dst, ctx);
	case ST_DIST:
		return parse_dist(f, node, dst, ctx);
	default:
		return parse_number(f, node, dst, ctx);
	}
}

/* The value a field takes when the scenario leaves it out. */
static int set_default(const struct schema_field *f, void *obj, struct schema_ctx *ctx)
{
	void *dst = FIELD_PTR(obj, f);
	struct doc_node tmp = { .kind = DOC_SCALAR };

	if (f->dflt) {
		tmp.text = (char *)(uintptr_t)f->dflt;
		if (parse_value(f, &tmp, obj, ctx) != 0)
			WEIR_BUG("default '%s' of '%s' does not parse", f->dflt, f->key);
		return 0;
	}
	switch (f->type) {
	case ST_DURATION:
		*(sim_time *)dst = SIM_TIME_UNSET;
		break;
	case ST_RATE:
	case ST_SIZE:
	case ST_REAL:
		*(double *)dst = NAN;
		break;
	case ST_INT:
		*(int64_t *)dst = INT64_MIN;
		break;
	case ST_ENUM:
		*(int *)dst = -1;
		break;
	case ST_OBJECT:
		((struct schema_head *)dst)->name = f->key;
		return schema_parse(f->sub, NULL, dst, ctx);
	default:
		break;  /* zero is unset: NULL, false, DIST_NONE, empty vec */
	}
	return 0;
}

static const struct schema_field *find_field(const struct schema *s, const char *key)
{
	for (const struct schema_field *f = s->fields; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

static void unknown_key(const struct schema *s, const struct doc_node *key, struct schema_ctx *ctx)
{
	const char *names[128];
	char allowed[1024] = "";
	size_t n = 0;
	const char *near;

	for (const struct schema_field *f = s->fields; f->key && n < 128; f++) {
		names[n++] = f->key;
		if (strlen(allowed) + strlen(f->key) + 3 < sizeof(allowed)) {
			if (allowed[0])
				strcat(allowed, ", ");
			strcat(allowed, f->key);
		}
	}
	near = weir_suggest(key->text, strlen(key->text), names, n);
	if (strpbrk(key->text, "=()"))
		schema_error(ctx, key, "unknown key '%s': this looks like part of a value split at a comma; "
			     "inside { } or [ ] put a value that holds commas in quotes", key->text);
	else if (near)
		schema_error(ctx, key, "unknown key '%s' (did you mean '%s'?)", key->text, near);
	else
		schema_error(ctx, key, "unknown key '%s' in a %s (allowed: %s)", key->text, s->name, allowed);
}

static int visit(struct schema_ctx *ctx, const struct doc_node *node)
{
	if (++ctx->visits == SCHEMA_MAX_VISITS)
		schema_error(ctx, node, "the scenario expands to more than %lu values (aliases repeat too much)",
			     SCHEMA_MAX_VISITS);
	return ctx->visits >= SCHEMA_MAX_VISITS ? -1 : 0;
}

/*
 * A sequence of scalars for a schema with join_seq: its items joined with
 * ", " become the string shorthand (the text is kept in the sequence's node,
 * which the document owns).
 */
static int join_sequence(const struct schema *s, const struct doc_node *node, void *obj,
			 struct schema_ctx *ctx, int *done)
{
	const struct schema_field *f = find_field(s, s->shorthand);
	struct doc_node *seq = (struct doc_node *)(uintptr_t)node;   /* the document's own node */
	size_t len = 1;

	WEIR_ASSERT(f != NULL && f->type == ST_STRING);
	for (size_t i = 0; i < node->nkids; i++) {
		if (node->kids[i]->kind != DOC_SCALAR) {
			schema_error(ctx, node->kids[i], "a %s's list holds plain values, not a %s; write it as one text "
				     "(e.g. \"{...}, {...}\")", s->name, doc_kind_name(node->kids[i]));
			return -1;
		}
		len += 2 * strlen(node->kids[i]->text) + 4;
	}
	if (!seq->text) {
		char *p = seq->text = weir_calloc(len, 1);

		for (size_t i = 0; i < node->nkids; i++) {
			const char *t = node->kids[i]->text;
			bool quote = strpbrk(t, ",[]{}()'\"") != NULL;   /* so that splitting keeps it whole */

			if (i)
				p += sprintf(p, ", ");
			if (quote)
				*p++ = '\'';
			for (; *t; t++) {
				if (quote && *t == '\'')
					*p++ = '\'';          /* YAML doubles a quote inside quotes */
				*p++ = *t;
			}
			if (quote)
				*p++ = '\'';
		}
	}
	*(const char **)FIELD_PTR(obj, f) = seq->text;
	*done = 1;
	return 0;
}

/* Accepts an empty value or a scalar shorthand in place of a mapping. */
static int shape_ok(const struct schema *s, const struct doc_node *node, void *obj,
		    struct schema_ctx *ctx, int *done)
{
	const struct schema_field *f;

	*done = 0;
	if (node->kind == DOC_MAP)
		return 0;
	if (node->kind == DOC_SCALAR && node->null)
		return 0;
	if (node->kind == DOC_SCALAR && s->shorthand) {
		f = find_field(s, s->shorthand);
		WEIR_ASSERT(f != NULL);
		*done = 1;
		return parse_value(f, node, obj, ctx);
	}
	if (node->kind == DOC_SEQ && s->join_seq)
		return join_sequence(s, node, obj, ctx, done);
	schema_error(ctx, node, "a %s takes a mapping of settings (key: value), not a %s",
		     s->name, doc_kind_name(node));
	return -1;
}

/* "producer 'web' needs 'target' (the queue the producer sends to)" */
static void missing(const struct schema *s, const struct schema_field *f,
		    const struct schema_head *head, struct schema_ctx *ctx)
{
	char help[256] = "";
	size_t n;

	if (f->help) {
		snprintf(help, sizeof(help), " (%s", f->help);
		if (help[2] >= 'A' && help[2] <= 'Z' && !(help[3] >= 'A' && help[3] <= 'Z'))
			help[2] = (char)(help[2] - 'A' + 'a');
		n = strlen(help);
		if (n > 0 && help[n - 1] == '.')
			help[--n] = '\0';
		strncat(help, ")", sizeof(help) - strlen(help) - 1);
	}
	if (head->key)
		schema_error(ctx, head->key, "%s '%s' needs '%s'%s", s->name, head->name, f->key, help);
	else if (s == ctx->root)
		schema_error(ctx, head->node, "the scenario needs '%s'%s", f->key, help);
	else
		schema_error(ctx, head->node, "'%s' needs '%s'%s", head->name, f->key, help);
}

int schema_parse(const struct schema *s, const struct doc_node *node, void *obj,
		 struct schema_ctx *ctx)
{
	struct schema_head *head = obj;
	unsigned before = ctx->d->errors;
	int shorthand = 0;

	head->node = node;
	if (node && (visit(ctx, node) != 0 || shape_ok(s, node, obj, ctx, &shorthand) != 0))
		return -1;
	if (node && node->kind == DOC_MAP) {
		for (size_t i = 0; i < doc_map_len(node); i++)
			if (!find_field(s, doc_map_key(node, i)->text))
				unknown_key(s, doc_map_key(node, i), ctx);
	}
	for (const struct schema_field *f = s->fields; f->key; f++) {
		const struct doc_node *v = node && node->kind == DOC_MAP ? doc_map_get(node, f->key) : NULL;

		if (shorthand && strcmp(f->key, s->shorthand) == 0)
			continue;
		if (v)
			parse_value(f, v, obj, ctx);
		else if (!node)
			set_default(f, obj, ctx);   /* an absent optional section: all unset */
		else if (f->flags & SF_REQUIRED)
			missing(s, f, head, ctx);
		else
			set_default(f, obj, ctx);
	}
	if (ctx->d->errors == before && s->check && node)
		s->check(obj, ctx);
	return ctx->d->errors == before ? 0 : -1;
}

void schema_release(const struct schema *s, void *obj)
{
	for (const struct schema_field *f = s->fields; f->key; f++) {
		void *dst = FIELD_PTR(obj, f);

		if (f->type == ST_DIST) {
			dist_release(dst);
		} else if (f->type == ST_OBJECT) {
			schema_release(f->sub, dst);
		} else if (f->type == ST_LIST || f->type == ST_TABLE) {
			struct vec *v = dst;

			for (size_t i = 0; i < v->len; i++)
				schema_release(f->sub, (char *)v->items + i * f->sub->size);
			vec_release(v);
		}
	}
}
