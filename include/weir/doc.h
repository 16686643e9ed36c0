/*
 * doc.h - a YAML document as a tree of located nodes.
 *
 * Built from libyaml's event parser, so that every node knows its file, line
 * and column. Loading rejects what a scenario must not contain, each with a
 * located error: binary data, invalid UTF-8, tabs in indentation, duplicate
 * keys, non-scalar keys, several documents, aliases to unknown anchors,
 * nesting deeper than DOC_MAX_DEPTH and files over DOC_MAX_BYTES.
 *
 * The tree owns its nodes and strings. Aliases share the anchored node.
 */
#ifndef WEIR_DOC_H
#define WEIR_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "weir/diag.h"

#define DOC_MAX_BYTES (8u << 20) /* largest scenario file: 8 MiB */
#define DOC_MAX_DEPTH 64         /* deepest nesting of mappings and sequences */
#define DOC_MAX_NODES 1000000    /* most nodes in one document */

enum doc_kind { DOC_SCALAR, DOC_MAP, DOC_SEQ };

struct doc_node {
	enum doc_kind kind;
	struct diag_loc loc;     /* where the node starts; len spans a scalar's first line */
	char *text;              /* scalar value ("" for null) */
	bool quoted;             /* scalar was quoted: never null, never a number */
	bool null;               /* plain empty, '~' or 'null' */
	bool shared;             /* anchored and used again through an alias */
	bool by_path;            /* made by a --set key path (not written in a file or a --set value) */
	struct doc_node **kids;  /* sequence items; for a mapping keys and values alternate */
	size_t nkids;
	size_t cap;
};

struct doc {
	struct doc_node *root;
	const struct diag_source *src;
	char *dir;               /* directory of the file, for relative paths in it */
	struct vec nodes;        /* every node, for freeing */
};

/* Loads a file. Returns NULL with errors in d when it cannot. */
struct doc *doc_load_file(const char *path, struct diags *d);
/* Loads text held in memory; name is shown in messages. */
struct doc *doc_load_text(const char *name, const char *text, size_t len,
			  const char *dir, struct diags *d);
void doc_free(struct doc *doc);

/* Mapping access: number of pairs, i-th key and value, value by key. */
static inline size_t doc_map_len(const struct doc_node *n) { return n->nkids / 2; }
static inline struct doc_node *doc_map_key(const struct doc_node *n, size_t i) { return n->kids[2 * i]; }
static inline struct doc_node *doc_map_value(const struct doc_node *n, size_t i) { return n->kids[2 * i + 1]; }
struct doc_node *doc_map_get(const struct doc_node *map, const char *key);

/* "mapping", "sequence", "scalar", "empty value" */
const char *doc_kind_name(const struct doc_node *n);

/*
 * Applies one command-line override "path.to.key=value": walks the path
 * (mapping keys, which may themselves contain dots, and sequence indices),
 * creating mappings that are missing, and replaces or adds the value, which
 * is parsed as YAML (so "[1m, 2m]" gives a sequence). The new nodes are
 * located in a source called source_name (e.g. "--set") holding the whole
 * argument. Returns 0, or -1 with an error in d.
 */
int doc_override(struct doc *doc, const char *assignment, const char *source_name,
		 struct diags *d);

#endif
