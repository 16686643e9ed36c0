/*
 * schema.h - declarative tables that turn a YAML tree into checked C structs.
 *
 * Each section of a scenario (the top level, a queue, a producer, ...) is a
 * struct schema: a table of fields, each with its key, type, offset in the C
 * struct, default, range in base units, unit, rule-book section and a help
 * sentence. One walk over the table parses values, applies defaults, checks
 * types and ranges and reports unknown keys (with "did you mean"); the same
 * table generates docs/scenario-reference.md. Cross-field and cross-resource
 * rules live in each schema's check function.
 *
 * Every struct described by a schema starts with a struct schema_head.
 */
#ifndef WEIR_SCHEMA_H
#define WEIR_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/diag.h"
#include "weir/dist.h"
#include "weir/doc.h"
#include "weir/units.h"

struct schema_head {
	const char *name;            /* the key naming this object in a table, or the field key */
	const struct doc_node *node; /* where it was written (NULL when defaulted) */
	const struct doc_node *key;  /* the table key naming it (NULL outside tables) */
};

enum schema_type {
	ST_DURATION, /* sim_time (us); unset = SIM_TIME_UNSET */
	ST_RATE,     /* double, per second; unset = NAN */
	ST_SIZE,     /* double, bytes; unset = NAN */
	ST_INT,      /* int64_t; unset = INT64_MIN */
	ST_REAL,     /* double; unset = NAN */
	ST_BOOL,     /* bool (unset = false) */
	ST_STRING,   /* const char * into the document; unset = NULL */
	ST_NAME,     /* const char *: the name of another resource; unset = NULL */
	ST_ENUM,     /* int: index into choices; unset = -1 */
	ST_DIST,     /* struct dist of `unit` values; unset = DIST_NONE */
	ST_OBJECT,   /* an embedded struct described by `sub` */
	ST_LIST,     /* struct vec of `sub` structs, from a sequence */
	ST_TABLE     /* struct vec of `sub` structs, from a mapping name -> settings */
};

enum schema_flags {
	SF_REQUIRED = 1 << 0,  /* missing is an error */
	SF_MIN = 1 << 1,       /* value >= min */
	SF_MAX = 1 << 2,       /* value <= max */
	SF_MIN_OPEN = 1 << 3,  /* value > min (with SF_MIN) */
	SF_RANGE = SF_MIN | SF_MAX
};

struct schema;
struct schema_ctx;

struct schema_field {
	const char *key;
	enum schema_type type;
	size_t offset;
	const char *dflt;            /* default as scenario text; NULL = unset unless required */
	unsigned flags;
	double min, max;             /* in base units: us, per second, bytes */
	enum unit_kind unit;         /* ST_DIST: kind of the values */
	const char *const *choices;  /* ST_ENUM: NULL-terminated */
	const struct schema *sub;    /* ST_OBJECT, ST_LIST, ST_TABLE */
	const char *rule;            /* rule-book section, e.g. "§1.4", or NULL */
	const char *help;            /* one sentence */
};

struct schema {
	const char *name;            /* "queue", "producer", ... (used in messages) */
	size_t size;                 /* sizeof the struct, for lists and tables */
	const struct schema_field *fields;  /* ends with a field whose key is NULL */
	/* A scalar (or list item given as a scalar) sets this field (e.g. "at"). */
	const char *shorthand;
	/* Cross-field checks after the fields are parsed; report with schema_error. */
	void (*check)(void *obj, struct schema_ctx *ctx);
	/* Checks a table key (a resource name); NULL accepts any. */
	void (*check_name)(const struct doc_node *key, struct schema_ctx *ctx);
	const char *help;            /* a paragraph for the reference */
	/* A sequence of scalars in place of a mapping is joined with ", " into the (string) shorthand. */
	bool join_seq;
};

struct schema_ctx {
	struct diags *d;
	const struct doc *doc;
	const struct schema *root;   /* the top-level schema, for messages */
	unsigned long visits;        /* nodes visited (bounds alias expansion) */
};

/* Most nodes one parse may visit (aliases can repeat subtrees). */
#define SCHEMA_MAX_VISITS 1000000ul

/*
 * Parses node (a mapping, or an empty value meaning all defaults) into obj
 * as described by s. Errors go to ctx->d. Returns 0 when no error was raised.
 * obj must be zeroed; on error it is still safe to pass to schema_release.
 */
int schema_parse(const struct schema *s, const struct doc_node *node, void *obj,
		 struct schema_ctx *ctx);
/* Frees what schema_parse allocated inside obj (not obj itself). */
void schema_release(const struct schema *s, void *obj);

/* Raises an error at node (or, when NULL, at obj's own node). */
void schema_error(struct schema_ctx *ctx, const struct doc_node *node,
		  const char *fmt, ...) WEIR_PRINTF(3, 4);
void schema_warning(struct schema_ctx *ctx, const struct doc_node *node,
		    const char *fmt, ...) WEIR_PRINTF(3, 4);
void schema_note(struct schema_ctx *ctx, const struct doc_node *node,
		 const char *fmt, ...) WEIR_PRINTF(3, 4);
/* Reports a parse error of the scalar `node` (value of `key`), caret on the part. */
void schema_parse_error(struct schema_ctx *ctx, const struct doc_node *node, const char *key,
			const struct parse_err *err);
/* The node of key inside obj's mapping (NULL when the key was not written). */
const struct doc_node *schema_node(const void *obj, const char *key);
/* The best place to report about key of obj: its value, else obj itself. */
const struct doc_node *schema_where(const void *obj, const char *key);

/* Writes the reference for s and every schema below it, as Markdown. */
void schema_write_markdown(const struct schema *s, FILE *out);

#endif
