/*
 * grid.c - the configurations of a parameter sweep (see grid.h).
 */
#include "weir/grid.h"
#include "weir/base.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return weir_strndup(s, n);
}

/* A number with an optional unit suffix: "30s" -> 30, "s". */
static int number_unit(const char *s, double *v, const char **unit)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || !isfinite(*v))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	*unit = end;
	return 0;
}

static void push(char ***values, size_t *n, char *v)
{
	*values = weir_realloc(*values, (*n + 1) * sizeof(**values));
	(*values)[(*n)++] = v;
}

/* Expands "A..B step S" (step 1 when left out) onto values; 0 or -1 with err. */
static int expand_range(const char *item, char ***values, size_t *n, char *err, size_t errlen)
{
	const char *dots = strstr(item, ".."), *step = strstr(dots + 2, " step ");
	char *a_text = weir_strndup(item, (size_t)(dots - item));
	char *b_text = step ? weir_strndup(dots + 2, (size_t)(step - dots - 2)) : weir_strdup(dots + 2);
	char *s_text = weir_strdup(step ? step + 6 : "1");
	const char *ua, *ub, *us;
	double a, b, s, count;
	int rc = -1;

	if (number_unit(a_text, &a, &ua) != 0 || number_unit(b_text, &b, &ub) != 0 ||
	    number_unit(s_text, &s, &us) != 0 || strstr(ua, "step") || (step && strstr(step + 6, " step "))) {
		snprintf(err, errlen, "'%s' is not a range: write FROM..TO step STEP, e.g. 10..100 step 10", item);
	} else if (strcmp(ua, ub) != 0 || (step && strcmp(us, ua) != 0 && *us)) {
		snprintf(err, errlen, "the ends and step of the range '%s' must share one unit (e.g. 30s..120s step 30s)",
			 item);
	} else if (s <= 0 || b < a) {
		snprintf(err, errlen, "the range '%s' needs FROM <= TO and a positive step", item);
	} else if ((count = floor((b - a) / s * (1 + 1e-12) + 1e-9) + 1) > GRID_MAX_VALUES) {
		snprintf(err, errlen, "the range '%s' has %.0f values; at most %d are allowed", item, count,
			 GRID_MAX_VALUES);
	} else {
		for (long i = 0; i < (long)count; i++) {
			double v = a + (double)i * s;

			push(values, n, weir_asprintf("%.15g%s", fabs(v) < 1e-12 * s ? 0.0 : v, ua));
		}
		rc = 0;
	}
	free(a_text);
	free(b_text);
	free(s_text);
	return rc;
}

long grid_split(const char *text, char ***values, bool *range, char *err, size_t errlen)
{
	size_t n = 0, depth = 0, start = 0, len = strlen(text);
	char quote = 0;

	*values = NULL;
	*range = false;
	for (size_t i = 0; i <= len; i++) {
		char c = text[i];

		if (quote) {
			quote = c == quote ? 0 : quote;
			if (c)
				continue;
		}
		if (c == '"' || c == '\'')
			quote = c;
		else if (c == '[' || c == '{' || c == '(')
			depth++;
		else if ((c == ']' || c == '}' || c == ')') && depth > 0)
			depth--;
		if ((c == ',' && depth == 0 && !quote) || c == '\0') {
			char *item = trimmed(text + start, i - start);

			start = i + 1;
			if (!*item) {
				snprintf(err, errlen, "'%s' has an empty value; separate values with single commas", text);
				free(item);
				goto fail;
			}
			if (strstr(item, "..") && (isdigit((unsigned char)item[0]) || strchr("+-", item[0]))) {
				*range = true;
				if (expand_range(item, values, &n, err, errlen) != 0) {
					free(item);
					goto fail;
				}
				free(item);
			} else {
				push(values, &n, item);
			}
			if (n > GRID_MAX_VALUES) {
				snprintf(err, errlen, "'%s' has more than %d values", text, GRID_MAX_VALUES);
				goto fail;
			}
		}
	}
	return (long)n;
fail:
	grid_free_values(*values, n);
	*values = NULL;
	return -1;
}

void grid_free_values(char **values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(values[i]);
	free(values);
}

void grid_add(struct grid *g, const char *key, char **values, size_t n, bool range)
{
	struct grid_param *p;

	g->params = weir_realloc(g->params, (g->nparams + 1) * sizeof(*g->params));
	p = &g->params[g->nparams++];
	p->key = weir_strdup(key);
	p->values = values;
	p->nvalues = n;
	p->range = range;
}

size_t grid_size(const struct grid *g, char *err, size_t errlen)
{
	size_t total = 1;

	for (size_t p = 0; p < g->nparams; p++) {
		size_t n = g->params[p].nvalues;

		if (g->zip && p > 0 && n != g->params[0].nvalues) {
			snprintf(err, errlen, "zipped parameters need lists of one length: '%s' has %zu values, '%s' %zu",
				 g->params[0].key, g->params[0].nvalues, g->params[p].key, n);
			return 0;
		}
		if (g->zip)
			total = n;
		else if (n > GRID_MAX_CONFIGS / total) {
			snprintf(err, errlen, "the sweep has more than %d configurations", GRID_MAX_CONFIGS);
			return 0;
		} else
			total *= n;
	}
	return total;
}

const char *grid_value(const struct grid *g, size_t c, size_t p)
{
	size_t stride = 1;

	if (g->zip)
		return g->params[p].values[c];
	for (size_t q = g->nparams; q-- > p + 1;)
		stride *= g->params[q].nvalues;
	return g->params[p].values[(c / stride) % g->params[p].nvalues];
}

void grid_release(struct grid *g)
{
	for (size_t p = 0; p < g->nparams; p++) {
		free(g->params[p].key);
		grid_free_values(g->params[p].values, g->params[p].nvalues);
	}
	free(g->params);
	memset(g, 0, sizeof(*g));
}
