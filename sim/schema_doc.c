/*
 * schema_doc.c - the scenario reference, written from the schema tables.
 *
 * One section per schema, named by its path in a scenario ("queues.NAME",
 * "producers.NAME.schedule[]"), with a row per key: type, default, allowed
 * range, rule-book section and meaning. Because the parser reads the same
 * tables, the reference cannot drift from what weir accepts.
 */
#include "weir/schema.h"

#include <string.h>

static void type_text(const struct schema_field *f, char *buf, size_t n)
{
	static const char *const unit_names[] = { "numbers", "durations", "rates", "sizes" };

	switch (f->type) {
	case ST_DURATION: snprintf(buf, n, "duration"); break;
	case ST_RATE: snprintf(buf, n, "rate"); break;
	case ST_SIZE: snprintf(buf, n, "size"); break;
	case ST_INT: snprintf(buf, n, "integer"); break;
	case ST_REAL: snprintf(buf, n, "number"); break;
	case ST_BOOL: snprintf(buf, n, "true/false"); break;
	case ST_STRING: snprintf(buf, n, "text"); break;
	case ST_NAME: snprintf(buf, n, "name"); break;
	case ST_ENUM: snprintf(buf, n, "choice"); break;
	case ST_DIST: snprintf(buf, n, "distribution of %s", unit_names[f->unit]); break;
	case ST_OBJECT: snprintf(buf, n, "mapping"); break;
	case ST_LIST: snprintf(buf, n, "list"); break;
	case ST_TABLE: snprintf(buf, n, "names → settings"); break;
	}
}

static void fmt_bound(const struct schema_field *f, double v, char *buf, size_t n)
{
	enum unit_kind u = f->type == ST_DURATION ? UNIT_DURATION : f->type == ST_RATE ? UNIT_RATE
			 : f->type == ST_SIZE ? UNIT_SIZE : f->type == ST_DIST ? f->unit : UNIT_NONE;

	if (f->type == ST_INT)
		snprintf(buf, n, "%.0f", v);
	else if (u == UNIT_NONE)
		snprintf(buf, n, "%g", v);
	else
		units_format(u, v, buf, n);
}

static void allowed_text(const struct schema_field *f, char *buf, size_t n)
{
	char lo[64], hi[64];

	buf[0] = '\0';
	if (f->type == ST_ENUM) {
		for (size_t i = 0; f->choices[i]; i++) {
			size_t used = strlen(buf);

			snprintf(buf + used, n - used, "%s`%s`", i ? ", " : "", f->choices[i]);
		}
		return;
	}
	fmt_bound(f, f->min, lo, sizeof(lo));
	fmt_bound(f, f->max, hi, sizeof(hi));
	if ((f->flags & SF_RANGE) == SF_RANGE && !(f->flags & SF_MIN_OPEN))
		snprintf(buf, n, "%s .. %s", lo, hi);
	else if ((f->flags & SF_RANGE) == SF_RANGE)
		snprintf(buf, n, "> %s, ≤ %s", lo, hi);
	else if (f->flags & SF_MIN)
		snprintf(buf, n, "%s %s", (f->flags & SF_MIN_OPEN) ? ">" : "≥", lo);
	else if (f->flags & SF_MAX)
		snprintf(buf, n, "≤ %s", hi);
}

static void sub_path(const char *path, const struct schema_field *f, char *buf, size_t n)
{
	const char *sep = strcmp(path, "(top level)") == 0 ? "" : ".";
	const char *base = *sep ? path : "";

	if (f->type == ST_TABLE)
		snprintf(buf, n, "%s%s%s.NAME", base, sep, f->key);
	else if (f->type == ST_LIST)
		snprintf(buf, n, "%s%s%s[]", base, sep, f->key);
	else
		snprintf(buf, n, "%s%s%s", base, sep, f->key);
}

/* GitHub's anchor for a heading made of a code span. */
static void anchor_of(const char *path, char *buf, size_t n)
{
	size_t j = 0;

	for (const char *p = path; *p && j + 1 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			buf[j++] = *p;
		else if (*p >= 'A' && *p <= 'Z')
			buf[j++] = (char)(*p - 'A' + 'a');
	}
	buf[j] = '\0';
}

static void write_row(const struct schema_field *f, const char *path, FILE *out)
{
	char type[64], allowed[512], sp[256], anchor[256];

	type_text(f, type, sizeof(type));
	allowed_text(f, allowed, sizeof(allowed));
	fprintf(out, "| `%s` | ", f->key);
	if (f->sub) {
		sub_path(path, f, sp, sizeof(sp));
		anchor_of(sp, anchor, sizeof(anchor));
		fprintf(out, "%s, see [`%s`](#%s)", type, sp, anchor);
	} else {
		fputs(type, out);
	}
	fprintf(out, " | %s%s%s | %s | %s | %s |\n",
		f->dflt ? "`" : "", f->dflt ? f->dflt : ((f->flags & SF_REQUIRED) ? "required" : "unset"),
		f->dflt ? "`" : "", allowed, f->rule ? f->rule : "", f->help ? f->help : "");
}

static void write_section(const struct schema *s, const char *path, FILE *out)
{
	char sp[256];

	if (strcmp(path, "(top level)") == 0)
		fprintf(out, "## Top level\n\n");
	else
		fprintf(out, "## `%s`\n\n", path);
	if (s->help)
		fprintf(out, "%s\n\n", s->help);
	if (s->shorthand)
		fprintf(out, "A plain value instead of a mapping sets `%s`.\n\n", s->shorthand);
	fprintf(out, "| Key | Type | Default | Allowed | Rule | Meaning |\n");
	fprintf(out, "|---|---|---|---|---|---|\n");
	for (const struct schema_field *f = s->fields; f->key; f++)
		write_row(f, path, out);
	fputc('\n', out);
	for (const struct schema_field *f = s->fields; f->key; f++) {
		if (!f->sub)
			continue;
		sub_path(path, f, sp, sizeof(sp));
		write_section(f->sub, sp, out);
	}
}

void schema_write_markdown(const struct schema *s, FILE *out)
{
	write_section(s, "(top level)", out);
}
