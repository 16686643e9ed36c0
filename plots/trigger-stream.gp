# trigger-stream.gp - a Kinesis event source mapping's batches and iterator age.
#
#   gnuplot -c trigger-stream.gp DATA TRIGGER IMAGE FORMAT STREAM READ HELD SENT_ON_FAILURE DROPPED
#
# DATA is a run's timeseries.csv, TRIGGER the mapping's name, IMAGE the
# file to write, FORMAT png or svg, STREAM the stream it reads (its
# OpenShardCount column is drawn in the top panel), READ, HELD,
# SENT_ON_FAILURE and DROPPED the mapping's summary.csv rows ledger.read,
# ledger.held, ledger.sent_on_failure and ledger.dropped (whole run), which
# notes give. Each per-period sum is divided by its period (the time since
# the previous row). Four panels:
#   1. ConcurrentBatches, the mapping's concurrency (the most batches
#      invoked at once in each period), against the stream's open shards:
#      each shard runs at most parallelization_factor batches at once.
#   2. Batches invoked per second (left axis) and records processed per
#      second (right axis), with the run's mean batch size in the key.
#   3. On a log scale, whichever of failed batches, retries, bisections,
#      records discarded, records expired unread, throttled invokes and
#      throttled GetRecords calls happened (periods without any are left
#      out); a note names those that did not.
#   4. IteratorAge p50, p99 and max of the batches that finished in each
#      period, on a log axis (percentiles.gp draws it, so it is the last
#      panel): a shard blocked by a failing batch shows as a growing max.
# Run totals are in the keys. The panels end further left than in the other
# plots (R_PANELS), so that the right axis of the second one has room before
# the keys, which stay where every plot has them.

HEIGHT = 1000
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
STREAM = ARGC >= 5 ? ARG5 : "?"
READ = ARGC >= 6 ? ARG6 + 0 : 0
HELD = ARGC >= 7 ? ARG7 + 0 : 0
SENT_ON_FAILURE = ARGC >= 8 ? ARG8 + 0 : 0
DROPPED = ARGC >= 9 ? ARG9 + 0 : 0

SHARDS_COL = STREAM . "/OpenShardCount"
SCAN_COL = col("ConcurrentBatches"); @SCAN; PEAK = S_max
SCAN_COL = SHARDS_COL; @SCAN; SHARDS_MAX = S_max; SHARDS_MIN = S_min
SCAN_COL = col("Batches"); @SCAN; BATCHES = S_sum
SCAN_COL = col("RecordsProcessed"); @SCAN; PROCESSED = S_sum
# Records invoked: each period's mean batch size times its batches.
INVOKED = 0
stats DATA using (_b = val("Batches"), _z = val("BatchSize"), \
	INVOKED = INVOKED + (_b > 0 && _z == _z ? _b * _z : 0), 0) nooutput

# What went wrong: those that happened (FAILURES, with their totals) and
# those that did not (NONE); LO and HI: the smallest and largest rate > 0.
ALL = "FailedBatches Retries Bisections RecordsDiscarded RecordsExpiredUnread ThrottledInvokes GetRecordsThrottled"
FAILURES = ""
TOTALS = ""
NONE = ""
LO = 0; HI = 0
do for [m in ALL] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		FAILURES = FAILURES . " " . m
		TOTALS = TOTALS . " " . sprintf("%.0f", S_sum)
		SCAN_RATE = 1
		eval SCAN
		SCAN_RATE = 0
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	} else {
		NONE = NONE . " " . m
	}
}
label(m) = m eq "FailedBatches" ? "failed batches" : m eq "Retries" ? "retries" : \
	m eq "Bisections" ? "bisections" : m eq "RecordsDiscarded" ? "records discarded" : \
	m eq "RecordsExpiredUnread" ? "expired unread" : \
	m eq "ThrottledInvokes" ? "throttled invokes" : m eq "GetRecordsThrottled" ? "reads throttled" : \
	m eq "IteratorAge.p50" ? "p50" : m eq "IteratorAge.p99" ? "p99" : m eq "IteratorAge.max" ? "max" : m
colour(m) = m eq "FailedBatches" ? C_FAILED : m eq "Retries" ? C_RETRIED : \
	m eq "Bisections" ? C_REDRIVEN : m eq "RecordsDiscarded" ? C_DROPPED : \
	m eq "RecordsExpiredUnread" ? C_PURGED : m eq "ThrottledInvokes" ? C_THROTTLED : \
	m eq "GetRecordsThrottled" ? C_REFUSED : \
	m eq "IteratorAge.p50" ? C_P50 : m eq "IteratorAge.p99" ? C_P99 : C_MAX
has(list, m) = strstrt(list, m) > 0
# The labels of the metrics that did not happen (of all of them if none
# did), as lines of at most about 33 characters, for a note.
NONE_TEXT = ""
_wl = 0             # the length of the current line, after its "None: "
do for [m in (words(FAILURES) > 0 ? NONE : ALL)] {
	_t = label(m)
	if (_wl == 0) {
		NONE_TEXT = _t; _wl = 6 + strlen(_t)
	} else { if (_wl + 2 + strlen(_t) > 33) {
		NONE_TEXT = NONE_TEXT . ",\n" . _t; _wl = strlen(_t)
	} else {
		NONE_TEXT = NONE_TEXT . ", " . _t; _wl = _wl + 2 + strlen(_t)
	} }
}

C_BATCHES = C_INVOKED
C_RECORDS = C_SENT
C_SHARDS = C_LIMIT
R_PANELS = 0.68
TITLE = sprintf("Event source mapping %s (stream %s): batches and iterator age\n", NAME, STREAM) . \
	sprintf("maxima and rates per second over each %s period; totals in brackets", PERIOD_TEXT)
eval sprintf("set multiplot layout 4,1 margins %g,%g,0.06,0.915 spacing 0,0.055", L_MARGIN, R_PANELS) . \
	" title TITLE font ',13'"
set format x ""
unset xlabel

# --- 1: the mapping's concurrency, against the open shards ------------------------
TOP = PEAK > SHARDS_MAX ? PEAK : SHARDS_MAX
set ylabel "batches at once"
set yrange [0:(TOP > 0 ? TOP * 1.15 : 1)]
if (TOP > 0 && TOP < 8) { set ytics 1 }      # whole batches
set style fill solid 0.35 noborder
SHARDS_KEY = SHARDS_MIN == SHARDS_MAX ? sprintf("open shards (%d)", SHARDS_MAX) : \
	sprintf("open shards (%d to %d)", SHARDS_MIN, SHARDS_MAX)
NOTE = "Each open shard runs at\nmost parallelization_factor\nbatches at once." . \
	(SHARDS_MIN == SHARDS_MAX && SHARDS_MAX > 0 ? sprintf("\nPeak: %.3g per open shard.", PEAK / SHARDS_MAX) : "")
if (BATCHES == 0) {
	NOTE = "no batch was invoked"
	@EMPTY_PANEL
} else {
	@KEY_NOTE
	if (NROWS > 3) {
		plot DATA using @TX:(val("ConcurrentBatches")) with filledcurves y1=0 lc rgb C_RUNNING \
				title "running" . peak(PEAK), \
		     DATA using @TX:(val("ConcurrentBatches")) with lines lw 1 lc rgb C_RUNNING notitle, \
		     DATA using @TX:(column(SHARDS_COL)) with steps lw 2 dt (8,4) lc rgb C_SHARDS title SHARDS_KEY
	} else {
		plot DATA using @TX:(val("ConcurrentBatches")) with @LINES lw 1.5 lc rgb C_RUNNING \
				title "running" . peak(PEAK), \
		     DATA using @TX:(column(SHARDS_COL)) with @LINES lw 2 dt (8,4) lc rgb C_SHARDS title SHARDS_KEY
	}
	unset label 98
}
set ytics autofreq

# --- 2: batches and records per second --------------------------------------------
set ylabel "batches/s" tc rgb C_BATCHES
set ytics tc rgb C_BATCHES
NOTE = sprintf("Whole run: %s records read:\n%s processed, %s discarded", \
	count(READ), count(PROCESSED), count(SENT_ON_FAILURE + DROPPED)) . \
	(SENT_ON_FAILURE + DROPPED > 0 ? sprintf("\n(%s to the on-failure queue,\n%s dropped)", \
		count(SENT_ON_FAILURE), count(DROPPED)) : "") . \
	sprintf(",\n%s unfinished at the end.", count(HELD))
if (BATCHES == 0) {
	NOTE = "no batch was invoked"
	@EMPTY_PANEL
} else {
	set yrange [0:*]
	set y2range [0:*]
	set y2label "records processed/s" tc rgb C_RECORDS
	set y2tics nomirror tc rgb C_RECORDS
	set border 11
	@KEY_NOTE
	plot DATA using @TX:(rate("Batches")) with @LINES lw 1.5 lc rgb C_BATCHES \
			title sprintf("batches (%s)", count(BATCHES)), \
	     keyentry with points ps 0 title sprintf("mean %.1f records", INVOKED / BATCHES), \
	     DATA using @TX:(rate("RecordsProcessed")) axes x1y2 with @LINES lw 1.5 lc rgb C_RECORDS \
			title sprintf("processed (%s)", count(PROCESSED))
	unset label 98
	unset y2label
	unset y2tics
	set border 3
}
set ylabel tc default
set ytics tc default

# --- 3: what went wrong, on a log axis (periods without any are left out) -----------
# The notes are set outside the blocks: gnuplot 5.4 expands no macro of a
# block after an apostrophe in it.
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(words(NONE) > 0 ? "\nNone: " . NONE_TEXT . "." : "")
if (words(FAILURES) == 0) { NOTE = BATCHES > 0 ? "nothing went wrong, none of:\n" . NONE_TEXT : "no batch was invoked" }
if (words(FAILURES) == 0) {
	set ylabel "per second"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(FAILURES)] DATA using @TX:(pos(rate(word(FAILURES, i)))) with @SPARSE pt 7 lw 1.2 \
		lc rgb colour(word(FAILURES, i)) \
		title sprintf("%s (%s)", label(word(FAILURES, i)), count(word(TOTALS, i) + 0))
	unset label 98
	unset logscale y
	set yrange [*:*]      # percentiles.gp's scans would reject their 0 otherwise
	set format y "% h"
}

# --- 4: the iterator age of the finished batches ---------------------------------------
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
SERIES = "IteratorAge.p50 IteratorAge.p99 IteratorAge.max"
UNIT = 0.001        # the CSV holds ms
dashed(m) = 0
TITLE = ""          # the multiplot's title says it
YLABEL = "iterator age (log scale)"
set label 97 "Iterator age: of the last\nrecord of each batch, when\nits invocation ended." \
	at screen R_MARGIN + 0.02, graph 0.5 left front font ',9.5' tc rgb '#555555'
NO_SOLID = ""
NO_DASHED = ""
EMPTY_TEXT = "no batch finished"
_c = _s[1:_i] . "percentiles.gp"; call _c
unset label 97
unset multiplot
