/*
 * doc.c - building a located YAML tree from libyaml events.
 *
 * Invariant: every node in the tree is also in doc->nodes exactly once, so
 * doc_free releases shared (aliased) nodes once.
 */
#include "weir/doc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct anchor {
	char *name;
	struct doc_node *node;
};

struct builder {
	struct doc *doc;
	struct diags *d;
	const struct diag_source *src;
	unsigned line_base, col_base;  /* added to libyaml's marks (for --set values) */
	struct doc_node *stack[DOC_MAX_DEPTH + 1];
	unsigned depth;
	struct vec anchors;            /* struct anchor */
	int failed;
};

static struct diag_loc mark_loc(const struct builder *b, yaml_mark_t start, yaml_mark_t end)
{
	struct diag_loc loc;

	loc.src = b->src;
	loc.line = (unsigned)start.line + 1 + b->line_base;
	loc.col = (unsigned)start.column + 1 + (start.line == 0 ? b->col_base : 0);
	loc.len = end.line == start.line && end.column > start.column
			  ? (unsigned)(end.column - start.column) : 1;
	return loc;
}

static struct doc_node *node_new(struct doc *doc, enum doc_kind kind, struct diag_loc loc)
{
	struct doc_node *n = weir_calloc(1, sizeof(*n));
	struct doc_node **slot = vec_push(&doc->nodes, sizeof(n));

	n->kind = kind;
	n->loc = loc;
	*slot = n;
	return n;
}

static void node_append(struct doc_node *parent, struct doc_node *kid)
{
	if (parent->nkids == parent->cap) {
		parent->cap = parent->cap ? 2 * parent->cap : 4;
		parent->kids = weir_realloc(parent->kids, parent->cap * sizeof(*parent->kids));
	}
	parent->kids[parent->nkids++] = kid;
}

const char *doc_kind_name(const struct doc_node *n)
{
	if (n->kind == DOC_MAP)
		return "mapping";
	if (n->kind == DOC_SEQ)
		return "sequence";
	return n->null ? "empty value" : "scalar";
}

struct doc_node *doc_map_get(const struct doc_node *map, const char *key)
{
	if (!map || map->kind != DOC_MAP)
		return NULL;
	for (size_t i = 0; i < doc_map_len(map); i++)
		if (strcmp(doc_map_key(map, i)->text, key) == 0)
			return doc_map_value(map, i);
	return NULL;
}

/* Checks a new key against the keys already in the mapping. */
static void check_key(struct builder *b, struct doc_node *map, struct doc_node *key)
{
	if (key->kind != DOC_SCALAR) {
		diag_error(b->d, key->loc, "mapping keys must be plain names, not a %s",
			   doc_kind_name(key));
		b->failed = 1;
		return;
	}
	for (size_t i = 0; i + 1 < map->nkids; i += 2) {
		const struct doc_node *prev = map->kids[i];

		if (strcmp(prev->text, key->text) == 0) {
			diag_error(b->d, key->loc, "duplicate key '%s' (first given at line %u)",
				   key->text, prev->loc.line);
			b->failed = 1;
			return;
		}
	}
}

/* Attaches a finished node to the container on top of the stack. */
static void attach(struct builder *b, struct doc_node *n)
{
	struct doc_node *parent;

	if (b->depth == 0) {
		if (b->doc->root) {
			diag_error(b->d, n->loc, "a scenario holds one YAML document; found a second one");
			b->failed = 1;
			return;
		}
		b->doc->root = n;
		return;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == DOC_MAP && parent->nkids % 2 == 0)
		check_key(b, parent, n);
	node_append(parent, n);
}

static void remember_anchor(struct builder *b, const yaml_char_t *name, struct doc_node *n)
{
	struct anchor *a;

	if (!name)
		return;
	a = vec_push(&b->anchors, sizeof(*a));
	a->name = weir_strdup((const char *)name);
	a->node = n;
}

static struct doc_node *find_anchor(struct builder *b, const char *name)
{
	struct anchor *a = b->anchors.items;

	for (size_t i = b->anchors.len; i-- > 0;)
		if (strcmp(a[i].name, name) == 0)
			return a[i].node;
	return NULL;
}

static int is_null_text(const char *s)
{
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static void on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct doc_node *n = node_new(b->doc, DOC_SCALAR,
				      mark_loc(b, ev->start_mark, ev->end_mark));

	n->text = weir_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	n->null = !n->quoted && is_null_text(n->text);
	if (n->quoted && n->loc.len >= 2) {
		/* Point at the text inside the quotes. */
		n->loc.col++;
		n->loc.len -= 2;
	}
	if (strlen(n->text) != ev->data.scalar.length) {
		diag_error(b->d, n->loc, "text contains a NUL character");
		b->failed = 1;
	}
	remember_anchor(b, ev->data.scalar.anchor, n);
	attach(b, n);
}

static void on_start(struct builder *b, const yaml_event_t *ev, enum doc_kind kind)
{
	struct doc_node *n = node_new(b->doc, kind, mark_loc(b, ev->start_mark, ev->start_mark));
	const yaml_char_t *anchor = kind == DOC_MAP ? ev->data.mapping_start.anchor
						    : ev->data.sequence_start.anchor;

	if (b->depth >= DOC_MAX_DEPTH) {
		diag_error(b->d, n->loc, "nesting is deeper than %d levels", DOC_MAX_DEPTH);
		b->failed = 1;
		return;
	}
	remember_anchor(b, anchor, n);
	b->stack[b->depth++] = n;
}

static void on_end(struct builder *b)
{
	struct doc_node *n = b->stack[--b->depth];

	attach(b, n);
}

static void on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct doc_node *target = find_anchor(b, name);

	if (!target) {
		diag_error(b->d, mark_loc(b, ev->start_mark, ev->end_mark),
			   "alias '*%s' names no anchor defined before it", name);
		b->failed = 1;
		return;
	}
	target->shared = true;
	attach(b, target);
}

/* The location of byte offset `at` of text (libyaml gives reader errors so). */
static struct diag_loc offset_loc(const struct builder *b, const char *text, size_t at)
{
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < at && text[i]; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	return diag_at(b->src, line + b->line_base, col + (line == 1 ? b->col_base : 0), 1);
}

/* True when the problem mark sits on nothing worth showing (end of input, blank line). */
static int blank_at(const char *text, size_t len, size_t at)
{
	while (at < len && (text[at] == ' ' || text[at] == '\r'))
		at++;
	return at >= len || text[at] == '\n';
}

/* Turns libyaml's problem text into a message a scenario author can act on. */
static void parser_error(struct builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
	struct diag_loc loc = mark_loc(b, p->problem_mark, p->problem_mark);
	size_t at = p->problem_mark.index;
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_READER_ERROR) {
		diag_error(b->d, offset_loc(b, text, p->problem_offset),
			   "the file is not UTF-8 text (%s)", problem);
	} else if (at < len && text[at] == '\t') {
		diag_error(b->d, loc, "tab character: YAML indentation must use spaces");
	} else if (p->context && blank_at(text, len, at)) {
		/* Nothing to show where it failed: point at what was left open. */
		diag_error(b->d, mark_loc(b, p->context_mark, p->context_mark),
			   "invalid YAML: %s %s that starts here", problem, p->context);
	} else if (p->context) {
		diag_error(b->d, loc, "invalid YAML: %s %s (started at line %zu)", problem, p->context,
			   p->context_mark.line + 1 + b->line_base);
	} else {
		diag_error(b->d, loc, "invalid YAML: %s", problem);
	}
	b->failed = 1;
}

static int dispatch(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		on_scalar(b, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		on_start(b, ev, DOC_MAP);
		break;
	case YAML_SEQUENCE_START_EVENT:
		on_start(b, ev, DOC_SEQ);
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		on_end(b);
		break;
	case YAML_ALIAS_EVENT:
		on_alias(b, ev);
		break;
	case YAML_STREAM_END_EVENT:
		return 1;
	default:
		break;
	}
	if (b->doc->nodes.len > DOC_MAX_NODES && !b->failed) {
		diag_error(b->d, mark_loc(b, ev->start_mark, ev->end_mark),
			   "more than %d YAML nodes", DOC_MAX_NODES);
		b->failed = 1;
	}
	return 0;
}

/* Runs libyaml over text, attaching the nodes found to the builder. */
static void parse_text(struct builder *b, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int done = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && !b->failed) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(b, &parser, text, len);
			break;
		}
		done = dispatch(b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (size_t i = 0; i < b->anchors.len; i++)
		free(VEC_AT(&b->anchors, struct anchor, i)->name);
	vec_release(&b->anchors);
}

/* Rejects bytes that no YAML text holds, before libyaml sees them. */
static int precheck(struct diags *d, const struct diag_source *src)
{
	const char *p = src->text;
	unsigned line = 1, col = 1;
	int at_indent = 1;

	for (size_t i = 0; i < src->len; i++, col++) {
		struct diag_loc loc = { src, line, col, 1 };

		if (p[i] == '\0') {
			/* No excerpt: the line would print binary bytes to the terminal. */
			diag_error(d, diag_at(src, 0, 0, 0),
				   "the file is binary, not YAML text (a NUL byte at offset %zu)", i);
			return -1;
		}
		if (p[i] == '\t' && at_indent) {
			diag_error(d, loc, "tab character in indentation: YAML indentation must use spaces");
			return -1;
		}
		if (p[i] == '\n') {
			line++;
			col = 0;
			at_indent = 1;
		} else if (p[i] != ' ' && p[i] != '\t') {
			at_indent = 0;
		}
		if (((unsigned char)p[i] & 0xc0) == 0x80)
			col--;  /* UTF-8 continuation bytes are not columns */
	}
	return 0;
}

static int only_blank_or_comments(const char *p, size_t len)
{
	int in_comment = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			in_comment = 0;
		else if (p[i] == '#')
			in_comment = 1;
		else if (!in_comment && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	}
	return 1;
}

struct doc *doc_load_text(const char *name, const char *text, size_t len,
			  const char *dir, struct diags *d)
{
	struct doc *doc = weir_calloc(1, sizeof(*doc));
	struct builder b = { .doc = doc, .d = d };

	doc->src = b.src = diag_source_new(d, name, text, len);
	doc->dir = weir_strdup(dir ? dir : ".");
	if (len > DOC_MAX_BYTES) {
		diag_error(d, diag_at(b.src, 0, 0, 0),
			   "the file is larger than %u MiB; a scenario is a short text", DOC_MAX_BYTES >> 20);
		b.failed = 1;
	} else if (precheck(d, b.src) != 0) {
		b.failed = 1;
	} else if (only_blank_or_comments(text, len)) {
		diag_error(d, diag_at(b.src, 0, 0, 0),
			   "the scenario is empty (expected settings such as 'duration:' and 'queues:')");
		b.failed = 1;
	} else {
		parse_text(&b, b.src->text, len);
	}
	if (!b.failed && !doc->root) {
		diag_error(d, diag_at(b.src, 0, 0, 0), "the scenario is empty");
		b.failed = 1;
	}
	if (b.failed) {
		doc_free(doc);
		return NULL;
	}
	return doc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return weir_strdup(".");
	if (slash == path)
		return weir_strdup("/");
	return weir_strndup(path, (size_t)(slash - path));
}

struct doc *doc_load_file(const char *path, struct diags *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *dir;
	size_t len = 0, cap = 0, got;
	struct doc *doc;

	if (!f) {
		diag_error(d, diag_noloc(), "cannot open scenario '%s': %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 65536;
			buf = weir_realloc(buf, cap + 1);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0 && len <= DOC_MAX_BYTES);
	if (ferror(f)) {
		diag_error(d, diag_noloc(), "cannot read scenario '%s': %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	dir = dir_of(path);
	doc = doc_load_text(path, buf, len, dir, d);
	free(dir);
	free(buf);
	return doc;
}

void doc_free(struct doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nodes.len; i++) {
		struct doc_node *n = *VEC_AT(&doc->nodes, struct doc_node *, i);

		free(n->text);
		free(n->kids);
		free(n);
	}
	vec_release(&doc->nodes);
	free(doc->dir);
	free(doc);
}

/* ---- command-line overrides ------------------------------------------- */

/* Parses the value part of an override into a node of doc. */
static struct doc_node *parse_value(struct doc *doc, const struct diag_source *src,
				    size_t value_at, struct diags *d)
{
	struct doc tmp = { 0 };
	struct builder b = { .doc = &tmp, .d = d, .src = src, .col_base = (unsigned)value_at };
	const char *value = src->text + value_at;
	size_t len = src->len - value_at;

	if (only_blank_or_comments(value, len)) {
		struct doc_node *n = node_new(doc, DOC_SCALAR,
					      diag_at(src, 1, (unsigned)value_at + 1, 1));

		n->text = weir_strdup("");
		n->null = true;
		return n;
	}
	parse_text(&b, value, len);
	/* Hand the parsed nodes over to the document. */
	for (size_t i = 0; i < tmp.nodes.len; i++)
		*(struct doc_node **)vec_push(&doc->nodes, sizeof(void *)) =
			*VEC_AT(&tmp.nodes, struct doc_node *, i);
	vec_release(&tmp.nodes);
	return b.failed ? NULL : tmp.root;
}

static struct doc_node *scalar_new(struct doc *doc, const char *text, size_t len,
				   struct diag_loc loc)
{
	struct doc_node *n = node_new(doc, DOC_SCALAR, loc);

	n->text = weir_strndup(text, len);
	return n;
}

/*
 * Finds the key of map that matches the longest prefix of path ending at a
 * dot or the end (keys such as "payments.fifo" contain dots). Returns the
 * pair index or -1; *used gets the prefix length.
 */
static long match_key(const struct doc_node *map, const char *path, size_t *used)
{
	long best = -1;
	size_t best_len = 0;

	for (size_t i = 0; i < doc_map_len(map); i++) {
		const char *k = doc_map_key(map, i)->text;
		size_t kl = strlen(k);

		if (kl > best_len && strncmp(path, k, kl) == 0 &&
		    (path[kl] == '.' || path[kl] == '\0')) {
			best = (long)i;
			best_len = kl;
		}
	}
	*used = best_len;
	return best;
}

static int parse_index(const char *s, size_t len, size_t *out)
{
	size_t v = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Walks one path step from *slot, creating a mapping entry if missing. */
static struct doc_node **step(struct doc *doc, struct doc_node **slot, const char *base,
			      const char **path, const struct diag_source *src, struct diags *d)
{
	struct doc_node *n = *slot;
	const char *p = *path;
	size_t seg = strcspn(p, "."), used, idx;
	struct diag_loc loc = { src, 1, (unsigned)(p - base) + 1, (unsigned)(seg ? seg : 1) };
	long k;

	if (n->shared) {
		diag_error(d, loc, "cannot set '%.*s' here: this part of the scenario is shared through a YAML alias, so the change would reach every use of it",
			   (int)seg, p);
		return NULL;
	}
	if (n->kind == DOC_SEQ) {
		if (parse_index(p, seg, &idx) != 0 || idx >= n->nkids) {
			diag_error(d, loc, "'%.*s' is not an item number of this sequence (0..%zu)",
				   (int)seg, p, n->nkids ? n->nkids - 1 : 0);
			return NULL;
		}
		*path = p + seg;
		return &n->kids[idx];
	}
	if (n->kind != DOC_MAP) {
		if (!n->null) {
			diag_error(d, loc, "cannot set '%.*s' inside a scalar value", (int)seg, p);
			return NULL;
		}
		n->kind = DOC_MAP;  /* an empty value becomes a mapping */
		n->null = false;
	}
	k = match_key(n, p, &used);
	/*
	 * A name ending in ".fifo" (a FIFO queue or topic) is one key:
	 * queues.jobs.fifo={...} adds one when no `jobs` exists, and
	 * queues.jobs.fifo.visibility_timeout=... means it even when `jobs`
	 * exists (jobs' own `fifo` is a scalar with no keys below it).
	 */
	if (strncmp(p + seg, ".fifo", 5) == 0 &&
	    ((k < 0 && p[seg + 5] == '\0') || ((k < 0 || used == seg) && p[seg + 5] == '.'))) {
		seg += 5;
		loc.len = (unsigned)seg;
		k = -1;
	}
	if (k < 0) {
		node_append(n, scalar_new(doc, p, seg, loc));
		node_append(n, scalar_new(doc, "", 0, loc));
		n->kids[n->nkids - 1]->null = true;
		n->kids[n->nkids - 1]->by_path = true;
		*path = p + seg;
		return &n->kids[n->nkids - 1];
	}
	*path = p + used;
	return &n->kids[2 * (size_t)k + 1];
}

int doc_override(struct doc *doc, const char *assignment, const char *source_name,
		 struct diags *d)
{
	const char *eq = strchr(assignment, '=');
	const struct diag_source *src = diag_source_new(d, source_name, assignment, strlen(assignment));
	struct doc_node **slot = &doc->root, *value;
	char *keys;
	const char *path;
	unsigned alen = (unsigned)strlen(assignment);

	if (!eq || eq == assignment) {
		diag_error(d, diag_at(src, 1, 1, alen ? alen : 1),
			   "expected KEY=VALUE, e.g. queues.orders.visibility_timeout=45s");
		return -1;
	}
	keys = weir_strndup(assignment, (size_t)(eq - assignment));
	for (path = keys; slot && *path;) {
		if (*path == '.' && (path == keys || path[1] == '.' || path[1] == '\0')) {
			diag_error(d, diag_at(src, 1, (unsigned)(path - keys) + 1, 1),
				   "empty name in the key path");
			slot = NULL;
			break;
		}
		if (*path == '.')
			path++;
		slot = step(doc, slot, keys, &path, src, d);
	}
	free(keys);
	if (!slot)
		return -1;
	value = parse_value(doc, src, (size_t)(eq - assignment) + 1, d);
	if (!value)
		return -1;
	*slot = value;
	return 0;
}
