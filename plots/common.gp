# common.gp - settings and helpers shared by weir's plot scripts.
#
# Every script in this directory starts with
#   call DIR."common.gp" ARG1 ARG2 ARG3 ARG4
# (`load` would clear ARG1..; gnuplot variables are global, so what this file
# defines stays defined after the call), with its own arguments:
#   ARG1 DATA    the run's timeseries.csv
#   ARG2 NAME    the resource plotted (columns are "NAME/Metric")
#   ARG3 IMAGE   the image file to write
#   ARG4 FORMAT  png or svg
# Sets the terminal and output, reads the time column once (T_END, NROWS,
# the time unit of the x axis) and defines the helpers below. Writes nothing
# to stdout; gnuplot's own messages go to stderr.

if (ARGC < 4 || ARG4 eq "") {
	print "usage: gnuplot -c SCRIPT DATA NAME IMAGE png|svg [...]"
	exit status 2
}
DATA = ARG1
NAME = ARG2
IMAGE = ARG3
FORMAT = ARG4

# --- Output --------------------------------------------------------------
# noenhanced: resource names may contain '_', which would become subscripts.
# A script may set HEIGHT (pixels) before the call; the default is 600.
HEIGHT = exists("HEIGHT") ? HEIGHT : 600
if (FORMAT eq "svg") {
	set terminal svg size 1000,HEIGHT dynamic noenhanced font "DejaVu Sans,12" \
		linewidth 1.5 background "white"
} else {
	if (FORMAT ne "png") {
		print sprintf("unknown format '%s' (png or svg)", FORMAT)
		exit status 2
	}
	set terminal pngcairo size 1000,HEIGHT noenhanced font "DejaVu Sans,11" \
		linewidth 1.5 background "white"
}
set output IMAGE

# --- Data ------------------------------------------------------------------
set datafile separator comma
set datafile columnheaders     # the first row names the columns

col(m) = NAME . "/" . m        # header of this resource's metric m
val(m) = column(col(m))        # its value in the current row; NaN if empty
pos(x) = x > 0 ? x : NaN       # for log axes: drop zero (and empty) values

# Length in seconds of the period that ends at time t (the row's time_s):
# the first row's period starts at 0, every other one at the previous row.
# Call it exactly once per row of each plotted data set (column(0) is the
# row number, so it restarts with every plot element).
_tp = 0
period(t) = (_dt = (column(0) == 0 ? t : t - _tp), _tp = t, _dt > 0 ? _dt : NaN)
rate(m) = val(m) / period(column("time_s"))   # per-period sum m, per second

# One pass over the column headed SCAN_COL: "SCAN_COL = col(...); @SCAN"
# (or "eval SCAN" inside a loop) sets S_n (rows with a value), S_pos (rows
# > 0), S_sum, S_max (0 if none) and S_min (smallest value > 0; 0 if none),
# of the column's values or, if SCAN_RATE is 1, of their rates per second.
# stats itself sees a constant, so an empty column raises no warning.
SCAN_COL = ""
SCAN_RATE = 0
scan_value(x) = SCAN_RATE ? column(SCAN_COL) / period(column("time_s")) : column(SCAN_COL)
SCAN = "S_n = 0; S_pos = 0; S_sum = 0; S_max = 0; S_min = 0; \
stats DATA using (S_v = scan_value(0), S_n = S_n + (S_v == S_v), \
S_pos = S_pos + (S_v > 0), S_sum = S_sum + (S_v == S_v ? S_v : 0), \
S_max = (S_v > S_max ? S_v : S_max), \
S_min = (S_v > 0 && (S_min == 0 || S_v < S_min) ? S_v : S_min), 0) nooutput"

# A log axis covering whole decades from lo to hi (both > 0), e.g. for
# lo = hi = 0.2 the range 0.1 to 1: "set yrange [decade_lo(lo):decade_hi(hi)]".
decade_lo(lo) = 10.0 ** floor(log10(lo))
decade_hi(hi) = 10.0 ** (floor(log10(hi)) + 1)
# The same bottom, but halved when lo is a decade itself, so that points
# at lo (one event in a 10 s period: 0.1/s) stay off the x axis.
rate_lo(lo) = decade_lo(lo) * (lo < decade_lo(lo) * 1.05 ? 0.5 : 1)

# Ages in a readable unit: divided by age_div(MAX) they are in age_unit(MAX),
# MAX the largest age in seconds.
age_div(max) = max > 2 * 3600 ? 3600 : max > 300 ? 60 : 1
age_unit(max) = max > 2 * 3600 ? "h" : max > 300 ? "min" : "s"

# 39278 -> "39,278"; count() keeps keys narrow: 3349521 -> "3.35M".
commas(n) = abs(n) < 1000 ? sprintf("%d", n) : \
	commas(int(n / 1000)) . sprintf(",%03d", abs(int(n)) % 1000)
count(n) = abs(n) < 1e6 ? commas(n) : abs(n) < 1e9 ? sprintf("%.2fM", n / 1e6) : sprintf("%.2fG", n / 1e9)
peak(m) = m > 0 ? sprintf(" (peak %s)", count(m)) : " (none)"   # for keys: "visible" . peak(MAX)

# --- Time axis ---------------------------------------------------------------
# Seconds for runs up to 5 minutes, then minutes up to 3 hours, hours up to
# 3 days, days beyond.
NROWS = 0
T_END = 0
T_FIRST = 0
stats DATA using (NROWS = NROWS + 1, _t = column("time_s"), \
	T_FIRST = (NROWS == 1 ? _t : T_FIRST), T_END = (_t > T_END ? _t : T_END), 0) nooutput
if (T_END <= 300) {
	TDIV = 1; TUNIT = "s"
} else { if (T_END <= 3 * 3600) {
	TDIV = 60; TUNIT = "min"
} else { if (T_END <= 3 * 86400) {
	TDIV = 3600; TUNIT = "h"
} else {
	TDIV = 86400; TUNIT = "days"
} } }
tx(t) = t / TDIV                   # time_s in the axis unit
TX = "(tx(column(\"time_s\")))"    # the x of every plot: using @TX:...
# The metrics period is the first row's time, for labels.
PERIOD = T_FIRST
PERIOD_TEXT = PERIOD >= 3600 ? sprintf("%g h", PERIOD / 3600) : \
	PERIOD >= 60 ? sprintf("%g min", PERIOD / 60) : \
	PERIOD >= 1 ? sprintf("%g s", PERIOD) : sprintf("%g ms", PERIOD * 1000)

set xrange [0:(T_END > 0 ? tx(T_END) : 1)]
set xlabel sprintf("time (%s)", TUNIT)
set xtics nomirror
set ytics nomirror
set mxtics
set border 3
set grid xtics ytics lc rgb "#dddddd" lw 0.7 lt 1
# The key sits right of the plot, at the same place in every panel.
L_MARGIN = 0.09
R_MARGIN = 0.75
set lmargin at screen L_MARGIN
set rmargin at screen R_MARGIN
set key at screen R_MARGIN + 0.02, graph 1 left top vertical Left reverse \
	samplen 2.5 spacing 1.15 noautotitle
set tics out scale 0.8, 0.5
set offsets 0, 0, graph 0.05, 0   # headroom above autoscaled maxima

# With very few rows a line has nothing to join: draw the points too.
LINES = NROWS > 3 ? "lines" : "linespoints pt 7 ps 0.8"
# For series that have gaps (empty periods) or are cut at zero on a log
# axis: small points so that isolated values still show (smaller when there
# are many rows, lest they bury the lines). Add a pt.
SPARSE_PS = NROWS > 300 ? 0.25 : NROWS > 3 ? 0.5 : 0.9
SPARSE = sprintf("linespoints ps %g", SPARSE_PS)

# --- Colours (shared so a metric looks the same in every plot) --------------
C_VISIBLE  = "#1f77b4"
C_INFLIGHT = "#ff7f0e"
C_DELAYED  = "#9467bd"
C_AGE      = "#2ca02c"
C_SENT     = "#1f77b4"
C_RECEIVED = "#2ca02c"
C_DELETED  = "#ff7f0e"
C_EMPTY    = "#7f7f7f"
C_DLQ      = "#d62728"
C_EXPIRED  = "#8c564b"
C_PURGED   = "#e377c2"
C_REDRIVEN = "#17becf"
C_DUPS     = "#9467bd"
C_STALE    = "#bcbd22"
C_P50      = "#2ca02c"
C_P90      = "#1f77b4"
C_P99      = "#ff7f0e"
C_MAX      = "#d62728"
C_WAIT50   = "#17becf"
C_WAIT99   = "#9467bd"
C_WORKERS  = "#444444"
C_BUSY     = "#1f77b4"
C_OK       = "#2ca02c"
C_FAILED   = "#d62728"
# Lambda functions and event source mappings.
C_RUNNING     = "#1f77b4"   # invocations or batches running at once (as busy workers)
C_LIMIT       = "#444444"   # a concurrency limit (as workers running: the capacity)
C_PROVISIONED = "#9467bd"
C_SPILLOVER   = "#e377c2"
C_COLD        = "#17becf"
C_INVOKED     = "#2ca02c"   # invocations that ran, batches invoked (as processed)
C_THROTTLED   = "#ff7f0e"
C_TIMEOUT     = "#8b0000"
C_ASYNC       = "#1f77b4"   # async events accepted (as messages sent)
C_RETRIED     = "#9467bd"   # async events run again after an error (as duplicate deliveries)
C_ON_FAILURE  = "#d62728"   # async events sent to the on-failure destination or DLQ (as moved to a DLQ)
C_DROPPED     = "#8c564b"   # given up: dropped events, abandoned batches, requests (as expired)
C_REFUSED     = "#7f7f7f"   # refused by a dead-letter queue or destination
C_ITEM_FAILED = "#8b0000"   # records a function reported failed (as timeouts: a finer failure)
C_BATCH_SIZE  = "#444444"

# --- Layout of plots with panels ------------------------------------------------
# The panels share the left and right margins so their time axes line up.
TWO_PANELS = sprintf("set multiplot layout 2,1 margins %g,%g,0.10,0.91 spacing 0,0.09", L_MARGIN, R_MARGIN)
THREE_PANELS = sprintf("set multiplot layout 3,1 margins %g,%g,0.08,0.90 spacing 0,0.07", L_MARGIN, R_MARGIN)
FOUR_PANELS = sprintf("set multiplot layout 4,1 margins %g,%g,0.065,0.92 spacing 0,0.055", L_MARGIN, R_MARGIN)

# A note in small grey type right of the current panel, its last line at
# the panel's bottom: "NOTE = 'text'; @KEY_NOTE" (the next plot command
# shows it; unset label 98 after it). Lines are separated by "\n".
nlines(s) = strstrt(s, "\n") == 0 ? 1 : 1 + nlines(s[strstrt(s, "\n") + 1:])
KEY_NOTE = "set label 98 NOTE at screen R_MARGIN + 0.02, graph 0 left front font ',9.5' \
tc rgb '#555555' offset 0, (nlines(NOTE) - 0.6) * 0.9"

# The last panel of the depth and dead-letters plots: the age of the oldest
# message, from column AGE_COL, its key AGE_KEY followed by the peak:
# "AGE_COL = col('ApproximateAgeOfOldestMessage'); AGE_KEY = 'oldest message\n'; @AGE_PANEL".
AGE_PANEL = "SCAN_COL = AGE_COL; eval SCAN; \
set format x '% h'; set xlabel sprintf('time (%s)', TUNIT); \
set ylabel sprintf('age (%s)', age_unit(S_max)); \
if (S_max > 0) { set yrange [0:*] } else { set yrange [0:1] }; \
if (S_n == 0) { NOTE = 'no age reported'; eval EMPTY_PANEL } else { \
plot DATA using " . TX . ":(column(AGE_COL) / age_div(S_max)) with " . LINES . " lw 1.5 lc rgb C_AGE \
title sprintf('%s(peak %.1f %s)', AGE_KEY, S_max / age_div(S_max), age_unit(S_max)) }"

# Where a gauge changes, e.g. a stream's open shards at a reshard:
# "CHG_COL = col('OpenShardCount'); @CHANGES" sets CHG_AT (the times, in the
# axis unit, of the rows whose value differs from the row before), CHG_FROM
# and CHG_TO (the values before and after), as lists of words, and
# @CHANGE_MARKS draws each as a dotted vertical line in every later panel
# (arrows 70 on: unset them when done).
CHG_COL = ""
CHANGES = "CHG_AT = ''; CHG_FROM = ''; CHG_TO = ''; _cp = NaN; \
stats DATA using (_cv = column(CHG_COL), \
_cc = (_cv == _cv && _cp == _cp && _cv != _cp), \
CHG_AT = CHG_AT . (_cc ? sprintf(' %g', tx(column('time_s'))) : ''), \
CHG_FROM = CHG_FROM . (_cc ? sprintf(' %g', _cp) : ''), \
CHG_TO = CHG_TO . (_cc ? sprintf(' %g', _cv) : ''), _cp = (_cv == _cv ? _cv : _cp), 0) nooutput"
CHANGE_MARKS = "do for [_m = 1:words(CHG_AT)] { set arrow 69 + _m from first word(CHG_AT, _m) + 0, graph 0 \
to first word(CHG_AT, _m) + 0, graph 1 nohead dt 3 lw 1.2 lc rgb '#777777' back }"

# A file without any row (weir never writes one): say so and stop.
if (NROWS == 0) {
	set title sprintf("%s: no data (%s has no rows)", NAME, DATA)
	set yrange [0:1]
	plot 2 notitle
	set output      # closes the image
	exit status 0   # a plain exit would only return from the call
}

# An empty panel saying why: "NOTE = 'text'; @EMPTY_PANEL".
NOTE = ""
EMPTY_PANEL = "set label 99 NOTE at graph 0.5, graph 0.5 center tc rgb '#666666'; \
set yrange [0:1]; set ytics format ''; plot 2 notitle; \
unset label 99; set yrange [*:*]; set ytics format '% h'"
