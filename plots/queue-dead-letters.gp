# queue-dead-letters.gp - what a queue dead-lettered, and what became of it.
#
#   gnuplot -c queue-dead-letters.gp DATA QUEUE IMAGE FORMAT DLQ [SOURCES]
#
# DATA is a run's timeseries.csv, QUEUE the source queue, IMAGE the file to
# write, FORMAT png or svg, DLQ the queue named in QUEUE's redrive policy,
# SOURCES how many queues have DLQ as their dead-letter queue (default 1).
# Three panels, each period a bar or point:
#   - DLQ's depth: visible and in flight (stacked) at the end of the period;
#   - messages in and out per period: above 0 those QUEUE moved to DLQ
#     (QUEUE/MessagesMovedToDLQ), below 0, stacked, those that left DLQ:
#     expired, purged, redriven by a move task, deleted by a consumer
#     (NumberOfMessagesDeleted - StaleDeletes), each one only if it happened;
#   - DLQ's ApproximateAgeOfOldestMessage (time since the move, on a DLQ).
# With several sources, DLQ's depth and what left it include the messages
# of the others; the title says so.

HEIGHT = 780
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
if (ARGC < 5 || ARG5 eq "") {
	print "usage: gnuplot -c queue-dead-letters.gp DATA QUEUE IMAGE png|svg DLQ [SOURCES]"
	exit status 2
}
DLQ = ARG5
SOURCES = (ARGC >= 6 && ARG6 ne "") ? int(ARG6) : 1
dcol(m) = DLQ . "/" . m
dval(m) = column(dcol(m))
dz(m) = (_v = dval(m), _v == _v ? _v : 0)     # 0 where the cell is empty
dtotal(x) = dval("ApproximateNumberOfMessagesVisible") + dval("ApproximateNumberOfMessagesNotVisible")

# What left DLQ: OUT_N kinds, their value in the current row, key and colour.
OUT_N = 4
out(k) = k == 1 ? dz("MessagesExpired") : k == 2 ? dz("MessagesPurged") : \
	k == 3 ? dz("MessagesRedriven") : dz("NumberOfMessagesDeleted") - dz("StaleDeletes")
array OUT_KEY[OUT_N] = ["expired", "purged", "redriven out", "deleted"]
array OUT_COLOUR[OUT_N] = [C_EXPIRED, C_PURGED, C_REDRIVEN, C_DELETED]
array OUT_TOTAL[OUT_N]
# Kinds k..OUT_N together: the bar of kind k reaches down to -outs(k).
outs(k) = k > OUT_N ? 0 : out(k) + outs(k + 1)

SCAN_COL = col("MessagesMovedToDLQ"); @SCAN; MOVED = S_sum; MOVED_MAX = S_max
SCAN_COL = dcol("ApproximateNumberOfMessagesVisible"); @SCAN; VIS_MAX = S_max
SCAN_COL = dcol("ApproximateNumberOfMessagesNotVisible"); @SCAN; INF_MAX = S_max
DEPTH_MAX = 0; OUT_MAX = 0; OUT_SUM = 0
do for [k = 1:OUT_N] { OUT_TOTAL[k] = 0 }
stats DATA using (_d = dtotal(0), DEPTH_MAX = (_d > DEPTH_MAX ? _d : DEPTH_MAX), \
	_o = outs(1), OUT_MAX = (_o > OUT_MAX ? _o : OUT_MAX), OUT_SUM = OUT_SUM + _o, \
	OUT_TOTAL[1] = OUT_TOTAL[1] + out(1), OUT_TOTAL[2] = OUT_TOTAL[2] + out(2), \
	OUT_TOTAL[3] = OUT_TOTAL[3] + out(3), OUT_TOTAL[4] = OUT_TOTAL[4] + out(4), 0) nooutput

TITLE = sprintf("Queue %s: messages dead-lettered to %s, and what became of them", NAME, DLQ)
if (SOURCES > 1) {
	TITLE = TITLE . sprintf("\n(%s is the dead-letter queue of %d queues: its depth and what left it include the others' messages)", \
		DLQ, SOURCES)
}
@THREE_PANELS title TITLE font ",13"
set format x ""
unset xlabel

# Top: depth of the dead-letter queue, stacked.
set ylabel sprintf("messages in %s", DLQ)
if (DEPTH_MAX > 0) { set yrange [0:*] } else { set yrange [0:1] }
set style fill solid 0.45 noborder
if (NROWS > 3) {
	plot DATA using @TX:(dtotal(0)) with filledcurves y1=0 lc rgb C_INFLIGHT \
			title "in flight" . peak(INF_MAX), \
	     DATA using @TX:(dval("ApproximateNumberOfMessagesVisible")) with filledcurves y1=0 lc rgb C_VISIBLE \
			title "visible" . peak(VIS_MAX), \
	     DATA using @TX:(dtotal(0)) with lines lw 1.5 lc rgb "#555555" \
			title "total" . peak(DEPTH_MAX)
} else {
	plot DATA using @TX:(dval("ApproximateNumberOfMessagesNotVisible")) with @LINES lc rgb C_INFLIGHT \
			title "in flight" . peak(INF_MAX), \
	     DATA using @TX:(dval("ApproximateNumberOfMessagesVisible")) with @LINES lc rgb C_VISIBLE \
			title "visible" . peak(VIS_MAX), \
	     DATA using @TX:(dtotal(0)) with @LINES lw 1.5 lc rgb "#555555" \
			title "total" . peak(DEPTH_MAX)
}

# Middle: in above 0, out below, as bars spanning their period; with more
# periods than the plot has room for bars, thin impulses. Tics count
# messages both ways (no minus sign).
set ylabel sprintf("messages per %s period", PERIOD_TEXT)
nice(x) = (_e = 10.0 ** floor(log10(x)), _f = x / _e, (_f <= 1 ? 1 : _f <= 2 ? 2 : _f <= 5 ? 5 : 10) * _e)
SPAN = MOVED_MAX + OUT_MAX > 0 ? MOVED_MAX + OUT_MAX : 1
STEP = nice(SPAN / 8.0) < 1 ? 1 : nice(SPAN / 8.0)
set yrange [-OUT_MAX * 1.08:(MOVED_MAX > 0 ? MOVED_MAX * 1.08 : OUT_MAX > 0 ? 0.08 * OUT_MAX : 1)]
set ytics ("" 1e30)
do for [k = -ceil(OUT_MAX / STEP):ceil(MOVED_MAX / STEP)] { set ytics add (count(abs(k * STEP)) k * STEP) }
set xzeroaxis lt 1 lc rgb "#333333" lw 1
NOTE = OUT_SUM > 0 ? "Bars above 0: moved in;\nbelow 0: left the queue." : \
	sprintf("No message left %s:\nno expiry, purge, redrive\nor delete.", DLQ)
@KEY_NOTE
BAR = "(_p = period(column(\"time_s\")), tx(column(\"time_s\") - _p / 2))"
BARS = NROWS > 300 ? "impulses lw 1" : "boxes"
set style fill solid 0.75 noborder
plot DATA using @BAR:(val("MessagesMovedToDLQ")):(tx(_p)) with @BARS lc rgb C_DLQ \
		title sprintf("moved in (%s)", count(MOVED)), \
     for [k = 1:OUT_N] DATA using @BAR:(-outs(k)):(tx(_p)) with @BARS lc rgb OUT_COLOUR[k] \
		title (OUT_TOTAL[k] > 0 ? sprintf("%s (%s)", OUT_KEY[k], count(OUT_TOTAL[k])) : "")
unset label 98
unset xzeroaxis

# Bottom: age of the oldest message, which on a dead-letter queue counts
# from the move.
set ytics autofreq
AGE_COL = dcol("ApproximateAgeOfOldestMessage"); AGE_KEY = "oldest message, since\nits move "
@AGE_PANEL
unset multiplot
