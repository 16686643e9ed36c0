/*
 * summary.c - collecting and writing summary statistics.
 */
#include "weir/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void summary_add(struct summary *s, const char *resource, const char *kind,
		 const struct stat_def *def, double value)
{
	struct summary_row *r = vec_push(&s->rows, sizeof(*r));

	r->resource = weir_strdup(resource);
	r->kind = kind;
	r->def = def;
	r->value = value;
}

const struct summary_row *summary_find(const struct summary *s, const char *resource, const char *stat)
{
	for (size_t i = 0; i < s->rows.len; i++) {
		const struct summary_row *r = VEC_AT(&s->rows, struct summary_row, i);

		if (strcmp(r->resource, resource) == 0 && strcmp(r->def->name, stat) == 0)
			return r;
	}
	return NULL;
}

double summary_get(const struct summary *s, const char *resource, const char *stat)
{
	const struct summary_row *r = summary_find(s, resource, stat);

	return r ? r->value : NAN;
}

void summary_write(const struct summary *s, struct csvw *w)
{
	csvw_str(w, "resource");
	csvw_str(w, "kind");
	csvw_str(w, "statistic");
	csvw_str(w, "unit");
	csvw_str(w, "value");
	csvw_end_row(w);
	for (size_t i = 0; i < s->rows.len; i++) {
		const struct summary_row *r = VEC_AT(&s->rows, struct summary_row, i);

		csvw_str(w, r->resource);
		csvw_str(w, r->kind);
		csvw_str(w, r->def->name);
		csvw_str(w, r->def->unit);
		csvw_num(w, r->value);
		csvw_end_row(w);
	}
}

void summary_release(struct summary *s)
{
	for (size_t i = 0; i < s->rows.len; i++)
		free(VEC_AT(&s->rows, struct summary_row, i)->resource);
	vec_release(&s->rows);
}

void summary_write_markdown(const struct stat_family *fams, size_t n, FILE *out)
{
	for (size_t f = 0; f < n; f++) {
		fprintf(out, "### %s statistics\n\n| Statistic | Unit | Meaning |\n|---|---|---|\n", fams[f].kind);
		for (size_t i = 0; i < fams[f].ndefs; i++)
			fprintf(out, "| `%s` | %s | %s |\n", fams[f].defs[i].name, fams[f].defs[i].unit,
				fams[f].defs[i].desc);
		fputc('\n', out);
	}
}

char *fmt_count(double v, char *buf, size_t n)
{
	char digits[32];
	size_t len, j = 0;

	if (isnan(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	len = strlen(digits);
	if (v < 0 && j + 1 < n)
		buf[j++] = '-';
	for (size_t i = 0; i < len && j + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}

char *fmt_seconds(double s, char *buf, size_t n)
{
	if (isnan(s))
		snprintf(buf, n, "-");
	else if (s == 0)
		snprintf(buf, n, "0");
	else if (s < 0 && n > 1) {          /* a difference: b - a */
		buf[0] = '-';
		fmt_seconds(-s, buf + 1, n - 1);
	} else if (s < 1e-3)
		snprintf(buf, n, "%.0fus", s * 1e6);
	else if (s < 1)
		snprintf(buf, n, "%.3gms", s * 1e3);
	else if (s < 60)
		snprintf(buf, n, "%.3gs", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else if (s < 48 * 3600)
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else
		snprintf(buf, n, "%dd%02dh", (int)(s / 86400), (int)fmod(s / 3600, 24));
	return buf;
}
