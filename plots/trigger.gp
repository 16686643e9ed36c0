# trigger.gp - an SQS event source mapping's scaling and batches.
#
#   gnuplot -c trigger.gp DATA TRIGGER IMAGE FORMAT
#
# DATA is a run's timeseries.csv, TRIGGER the mapping's name, IMAGE the
# file to write, FORMAT png or svg. Each per-period sum is divided by its
# period. Four panels: Pollers, the mapping's concurrency (each poller holds
# at most one batch) at its peak in each period; batches invoked per second; their mean
# size in records, period by period (gaps: no batch), with the run's mean in
# the key; on a log scale, whichever of throttled invoke attempts, failed
# batches, abandoned batches and records reported failed
# (ReportBatchItemFailures) happened (periods without any are left out, as
# a note says). Run totals are in the key. The function's own concurrency
# is in FUNCTION-concurrency.

HEIGHT = 960
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("Pollers"); @SCAN; PEAK = S_max
SCAN_COL = col("Batches"); @SCAN; BATCHES = S_sum
SCAN_COL = col("BatchSize"); @SCAN; SIZE_MAX = S_max
# Records invoked: each period's mean batch size times its batches.
RECORDS = 0
stats DATA using (_b = val("Batches"), _z = val("BatchSize"), \
	RECORDS = RECORDS + (_b > 0 && _z == _z ? _b * _z : 0), 0) nooutput

# The failures: those that occur, their totals, and the smallest and
# largest rate > 0 among them.
FAILURES = ""
TOTALS = ""
LO = 0; HI = 0
do for [m in "ThrottledInvokes FailedBatches AbandonedBatches ItemFailures"] {
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
	}
}
label(m) = m eq "ThrottledInvokes" ? "throttled" : \
	m eq "FailedBatches" ? "failed batches" : \
	m eq "AbandonedBatches" ? "abandoned" : \
	m eq "ItemFailures" ? "failed records" : m
colour(m) = m eq "ThrottledInvokes" ? C_THROTTLED : m eq "FailedBatches" ? C_FAILED : \
	m eq "AbandonedBatches" ? C_DROPPED : C_ITEM_FAILED
has(m) = strstrt(FAILURES, m) > 0

@FOUR_PANELS title sprintf("Event source mapping %s: scaling and batches (maxima and rates over each %s period)", \
	NAME, PERIOD_TEXT) font ",13"
set format x ""
unset xlabel

# Top: the pollers.
set ylabel "pollers"
set yrange [0:(PEAK > 0 ? PEAK * 1.15 : 1)]
if (PEAK > 0 && PEAK < 8) { set ytics 1 }      # whole pollers
set style fill solid 0.35 noborder
if (NROWS > 3) {
	plot DATA using @TX:(val("Pollers")) with filledcurves y1=0 lc rgb C_RUNNING \
			title "pollers" . peak(PEAK), \
	     DATA using @TX:(val("Pollers")) with lines lw 1 lc rgb C_RUNNING notitle
} else {
	plot DATA using @TX:(val("Pollers")) with @LINES lw 1.5 lc rgb C_RUNNING \
			title "pollers" . peak(PEAK)
}

# Second: batches invoked.
set ytics autofreq
set ylabel "batches/s"
if (BATCHES > 0) { set yrange [0:*] } else { set yrange [0:1] }
plot DATA using @TX:(rate("Batches")) with @LINES lw 1.5 lc rgb C_INVOKED \
		title sprintf("batches (%s)", count(BATCHES))

# Third: records per batch.
set ylabel "records per batch"
set yrange [0:(SIZE_MAX > 0 ? SIZE_MAX * 1.15 : 1)]
if (SIZE_MAX < 8) { set ytics 1 }      # whole records
if (BATCHES == 0) {
	NOTE = "no batch was invoked"
	@EMPTY_PANEL
} else {
	plot DATA using @TX:(val("BatchSize")) with @SPARSE pt 7 lw 1.5 lc rgb C_BATCH_SIZE \
		title sprintf("mean size (overall %.1f)", RECORDS / BATCHES)
}

# Bottom: what went wrong, on a log axis (periods without any are left out).
set ytics autofreq
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(has("Abandoned") ? "\nAbandoned: throttled past\nthe visibility timeout." : "")
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
if (words(FAILURES) == 0) {
	set ylabel "per second"
	NOTE = "no throttled invokes, failed or abandoned batches\nor failed records"
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
}
unset multiplot
