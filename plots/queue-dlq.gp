# queue-dlq.gp - a queue's dead-letter traffic and its dead-letter queue.
#
#   gnuplot -c queue-dlq.gp DATA QUEUE IMAGE FORMAT DLQ
#
# DATA is a run's timeseries.csv, QUEUE the source queue, IMAGE the file to
# write, FORMAT png or svg, DLQ the queue named in QUEUE's redrive policy.
# Top panel: the dead-letter queue's depth (visible and in flight, stacked)
# at the end of each period; bottom panel: messages QUEUE moved to it in
# each period (MessagesMovedToDLQ) and, when a move task ran, messages
# redriven out of it (the DLQ's MessagesRedriven).

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
if (ARGC < 5 || ARG5 eq "") {
	print "usage: gnuplot -c queue-dlq.gp DATA QUEUE IMAGE png|svg DLQ"
	exit status 2
}
DLQ = ARG5
dval(m) = column(DLQ . "/" . m)
dtotal(x) = dval("ApproximateNumberOfMessagesVisible") + dval("ApproximateNumberOfMessagesNotVisible")

SCAN_COL = col("MessagesMovedToDLQ"); @SCAN; MOVED = S_sum; MOVED_MAX = S_max
SCAN_COL = DLQ . "/MessagesRedriven"; @SCAN; REDRIVEN = S_sum; REDRIVEN_MAX = S_max
SCAN_COL = DLQ . "/ApproximateNumberOfMessagesVisible"; @SCAN; VIS_MAX = S_max
SCAN_COL = DLQ . "/ApproximateNumberOfMessagesNotVisible"; @SCAN; INF_MAX = S_max
DEPTH_MAX = 0
stats DATA using (_d = dtotal(0), DEPTH_MAX = (_d > DEPTH_MAX ? _d : DEPTH_MAX), 0) nooutput

@TWO_PANELS title sprintf("Queue %s: messages dead-lettered to %s, and %s's depth", NAME, DLQ, DLQ) font ",13"

# Top: depth of the dead-letter queue, stacked.
set ylabel sprintf("messages in %s", DLQ)
if (DEPTH_MAX > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
set style fill solid 0.45 noborder
if (NROWS > 3) {
	plot DATA using @TX:(dtotal(0)) with filledcurves y1=0 lc rgb C_INFLIGHT \
			title sprintf("in flight (peak %s)", count(INF_MAX)), \
	     DATA using @TX:(dval("ApproximateNumberOfMessagesVisible")) with filledcurves y1=0 lc rgb C_VISIBLE \
			title sprintf("visible (peak %s)", count(VIS_MAX)), \
	     DATA using @TX:(dtotal(0)) with lines lw 1.5 lc rgb "#555555" \
			title sprintf("total (peak %s)", count(DEPTH_MAX))
} else {
	plot DATA using @TX:(dval("ApproximateNumberOfMessagesNotVisible")) with @LINES lc rgb C_INFLIGHT \
			title sprintf("in flight (peak %s)", count(INF_MAX)), \
	     DATA using @TX:(dval("ApproximateNumberOfMessagesVisible")) with @LINES lc rgb C_VISIBLE \
			title sprintf("visible (peak %s)", count(VIS_MAX)), \
	     DATA using @TX:(dtotal(0)) with @LINES lw 1.5 lc rgb "#555555" \
			title sprintf("total (peak %s)", count(DEPTH_MAX))
}

# Bottom: moves in (and redrives out) per period, as bars spanning the period.
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
set ylabel sprintf("messages per %s period", PERIOD_TEXT)
if (MOVED_MAX + REDRIVEN_MAX > 0) { set yrange [0:*] } else { set yrange [0:1] }
# x: the middle of the period, width: the period (both in the axis unit).
# With more periods than the plot has room for bars, draw thin impulses.
BAR = "(_p = period(column(\"time_s\")), tx(column(\"time_s\") - _p / 2))"
BARS = NROWS > 300 ? "impulses lw 1" : "boxes"
set style fill transparent solid 0.65 noborder
if (REDRIVEN > 0) {
	plot DATA using @BAR:(val("MessagesMovedToDLQ")):(tx(_p)) with @BARS lc rgb C_DLQ \
			title sprintf("moved in (%s)", count(MOVED)), \
	     DATA using @BAR:(dval("MessagesRedriven")):(tx(_p)) with @BARS lc rgb C_REDRIVEN \
			title sprintf("redriven out (%s)", count(REDRIVEN))
} else {
	plot DATA using @BAR:(val("MessagesMovedToDLQ")):(tx(_p)) with @BARS lc rgb C_DLQ \
			title sprintf("moved in (%s)", count(MOVED))
}
unset multiplot
