/*
 * csvw.c - CSV output through libcsv, and atomic run directories.
 */
#define _XOPEN_SOURCE 700
#include "weir/csvw.h"
#include "weir/base.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

int csvw_open(struct csvw *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->f = fopen(path, "w");
	if (!w->f)
		return errno ? errno : EIO;
	w->path = weir_strdup(path);
	return 0;
}

void csvw_kv(struct csvw *w, const char *key, const char *value)
{
	csvw_str(w, key);
	csvw_str(w, value);
	csvw_end_row(w);
}

void csvw_kv_num(struct csvw *w, const char *key, double value)
{
	csvw_str(w, key);
	csvw_num(w, value);
	csvw_end_row(w);
}

int csvw_open_memory(struct csvw *w, char **buf, size_t *len)
{
	memset(w, 0, sizeof(*w));
	w->f = open_memstream(buf, len);
	if (!w->f)
		return errno ? errno : ENOMEM;
	w->path = weir_strdup("(memory)");
	return 0;
}

static void note_error(struct csvw *w)
{
	if (!w->err)
		w->err = errno ? errno : EIO;
}

static void separator(struct csvw *w)
{
	if (w->col++ > 0 && putc(',', w->f) == EOF)
		note_error(w);
}

static int needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

void csvw_str(struct csvw *w, const char *s)
{
	separator(w);
	if (needs_quotes(s)) {
		if (csv_fwrite(w->f, s, strlen(s)) != 0)
			note_error(w);
	} else if (fputs(s, w->f) == EOF) {
		note_error(w);
	}
}

char *csvw_fmt_num(double v, char *buf, size_t n)
{
	if (isnan(v))
		buf[0] = '\0';
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		snprintf(buf, n, "%.0f", v == 0 ? 0.0 : v);
	else if (isinf(v))
		snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
	else
		snprintf(buf, n, "%.9g", v);
	return buf;
}

void csvw_num(struct csvw *w, double v)
{
	char buf[64];

	separator(w);
	if (fputs(csvw_fmt_num(v, buf, sizeof(buf)), w->f) == EOF)
		note_error(w);
}

void csvw_int(struct csvw *w, int64_t v)
{
	separator(w);
	if (fprintf(w->f, "%" PRId64, v) < 0)
		note_error(w);
}

void csvw_time(struct csvw *w, int64_t us)
{
	char frac[8];
	int64_t whole = us / 1000000, part = us % 1000000;
	size_t n;

	if (us < 0) {
		csvw_num(w, (double)us / 1e6);   /* not a simulated time; keep it readable */
		return;
	}
	separator(w);
	if (part == 0) {
		if (fprintf(w->f, "%" PRId64, whole) < 0)
			note_error(w);
		return;
	}
	snprintf(frac, sizeof(frac), "%06" PRId64, part);
	for (n = 6; frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	if (fprintf(w->f, "%" PRId64 ".%s", whole, frac) < 0)
		note_error(w);
}

void csvw_end_row(struct csvw *w)
{
	if (putc('\n', w->f) == EOF)
		note_error(w);
	w->col = 0;
}

int csvw_close(struct csvw *w)
{
	int err;

	if (!w->f)
		return w->err;
	if (fflush(w->f) != 0 || ferror(w->f))
		note_error(w);
	if (fclose(w->f) != 0)
		note_error(w);
	w->f = NULL;
	free(w->path);
	w->path = NULL;
	err = w->err;
	return err;
}

/* ---- run directories --------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : errno;
}

int remove_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p for the parents of path. */
static int make_parents(const char *path)
{
	char *p = weir_strdup(path);
	int rc = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = errno;
		*s = '/';
	}
	free(p);
	return rc;
}

/* 1 if dir is empty or holds run.csv (so it is a weir run to replace). */
static int replaceable(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = 1, run = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		empty = 0;
		if (strcmp(e->d_name, "run.csv") == 0)
			run = 1;
	}
	closedir(d);
	return empty || run;
}

/*
 * Removes ".NAME.tmp-PID" directories left in dir by runs of NAME that died
 * (a crash, a second Ctrl-C): those whose process no longer exists.
 */
static void remove_stale_tmp(const char *dir, const char *name)
{
	char *prefix = weir_asprintf(".%s.tmp-", name);
	size_t plen = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(e->d_name + plen, &end, 10);
		if (*end == '\0' && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
			char *stale = weir_asprintf("%s/%s", dir, e->d_name);

			remove_tree(stale);
			free(stale);
		}
	}
	if (d)
		closedir(d);
	free(prefix);
}

int outdir_begin(struct outdir *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	const char *slash;
	size_t n = strlen(path);
	int rc;

	memset(o, 0, sizeof(*o));
	while (n > 1 && path[n - 1] == '/')
		n--;
	o->final = weir_strndup(path, n);
	if (stat(o->final, &st) == 0 && (!S_ISDIR(st.st_mode) || !replaceable(o->final))) {
		snprintf(err, errlen, "refusing to write over '%s': it exists and is not a weir run directory",
			 o->final);
		return EEXIST;
	}
	slash = strrchr(o->final, '/');
	o->tmp = slash ? weir_asprintf("%.*s/.%s.tmp-%ld", (int)(slash - o->final), o->final,
				       slash + 1, (long)getpid())
		       : weir_asprintf(".%s.tmp-%ld", o->final, (long)getpid());
	if (slash) {
		char *parent = weir_strndup(o->final, (size_t)(slash - o->final));

		remove_stale_tmp(*parent ? parent : "/", slash + 1);
		free(parent);
	} else {
		remove_stale_tmp(".", o->final);
	}
	rc = make_parents(o->tmp);
	if (rc == 0 && mkdir(o->tmp, 0777) != 0)
		rc = errno;
	if (rc != 0)
		snprintf(err, errlen, "cannot create the run directory '%s': %s", o->final, strerror(rc));
	return rc;
}

char *outdir_file(const struct outdir *o, const char *name)
{
	return weir_asprintf("%s/%s", o->tmp, name);
}

int outdir_commit(struct outdir *o, char *err, size_t errlen)
{
	char *old = weir_asprintf("%s.old-%ld", o->tmp, (long)getpid());
	int had_old = rename(o->final, old) == 0, rc = 0;

	if (rename(o->tmp, o->final) != 0) {
		rc = errno;
		snprintf(err, errlen, "cannot move the run into '%s': %s", o->final, strerror(rc));
		if (had_old)
			rename(old, o->final);
	} else if (had_old) {
		remove_tree(old);
	}
	free(old);
	if (rc == 0) {
		free(o->tmp);
		o->tmp = NULL;
	}
	return rc;
}

void outdir_abort(struct outdir *o)
{
	if (o->tmp)
		remove_tree(o->tmp);
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
}
