# stream-consumer.gp - a Kinesis consumer application's records, reads and lag.
#
#   gnuplot -c stream-consumer.gp DATA CONSUMER IMAGE FORMAT STREAM READ HELD
#
# DATA is a run's timeseries.csv, CONSUMER the consumer's name, IMAGE the
# file to write, FORMAT png or svg, STREAM the stream it reads, READ and
# HELD the consumer's summary.csv rows ledger.read and ledger.held (whole
# run), which a note gives. The title names the way it reads: shared
# throughput when it made GetRecords calls (a shared-throughput worker polls
# its shard all the time, caught up or not), enhanced fan-out when it made
# none (records are pushed to it). Each per-period sum is divided by its
# period (the time since the previous row). Four panels:
#   1. Records processed per second (left axis) and, on the right axis, the
#      workers at the end of each period (one per shard being read) and the
#      mean number busy processing a record during it.
#   2. On a log scale, whichever of GetRecords calls, throttled calls
#      (ReadProvisionedThroughputExceeded), processing failures and records
#      expired unread happened (periods without any are left out); a note
#      names those that did not. Fan-out makes no calls, and says so.
#   3. MillisBehindLatest p50 and max (the worst shard's) on a log axis: how
#      far the worker's last record is behind the newest one of its shard.
#   4. EndToEndLatency p50, p99 and max (put to processed) of the records
#      processed in each period, on a log axis (percentiles.gp draws it, so
#      it is the last panel).
# Panel 3 is drawn by percentiles.gp too; what it leaves set (the band of
# zeros, the broken y axis, its note) is undone before panel 4.
# Run totals are in the keys. The panels end further left than in most
# plots (R_PANELS), so that the right axis of the first one has room before
# the keys, which stay where every plot has them.

HEIGHT = 1000
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
STREAM = ARGC >= 5 ? ARG5 : "?"
READ = ARGC >= 6 ? ARG6 + 0 : 0
HELD = ARGC >= 7 ? ARG7 + 0 : 0

SCAN_COL = col("Workers"); @SCAN; WORKERS_MAX = S_max; WORKERS_MIN = S_min; WORKERS_SUM = S_sum
SCAN_COL = col("BusyWorkers"); @SCAN; BUSY_MAX = S_max; BUSY_SUM = S_sum
SCAN_COL = col("RecordsProcessed"); @SCAN; PROCESSED = S_sum
SCAN_COL = col("GetRecords"); @SCAN; CALLS = S_sum
FAN_OUT = CALLS == 0 && (WORKERS_MAX > 0 || PROCESSED > 0)
MODE = CALLS > 0 ? "shared throughput" : FAN_OUT ? "enhanced fan-out" : "no shard read"

# What happened on the read side: those that did (EVENTS, with their totals)
# and those that did not (NONE); LO and HI: the smallest and largest rate > 0.
# A fan-out consumer makes no GetRecords calls, so those two do not apply.
ALL = (FAN_OUT ? "" : "GetRecords ReadProvisionedThroughputExceeded ") . "ProcessingFailures RecordsExpiredUnread"
EVENTS = ""
TOTALS = ""
NONE = ""
LO = 0; HI = 0
do for [m in ALL] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		EVENTS = EVENTS . " " . m
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
# label(m): in keys; long(m): in notes.
label(m) = m eq "GetRecords" ? "GetRecords" : \
	m eq "ReadProvisionedThroughputExceeded" ? "throttled" : \
	m eq "ProcessingFailures" ? "failures" : m eq "RecordsExpiredUnread" ? "expired" : \
	m[strlen(m)-2:] eq "p50" ? "p50" : m[strlen(m)-2:] eq "p99" ? "p99" : \
	m eq "MillisBehindLatest.max" ? "max (worst shard)" : m[strlen(m)-2:] eq "max" ? "max" : m
long(m) = m eq "GetRecords" ? "GetRecords calls" : \
	m eq "ReadProvisionedThroughputExceeded" ? "calls throttled" : \
	m eq "ProcessingFailures" ? "processing failures" : "records expired unread"
colour(m) = m eq "GetRecords" ? C_RECEIVED : m eq "ReadProvisionedThroughputExceeded" ? C_THROTTLED : \
	m eq "ProcessingFailures" ? C_FAILED : m eq "RecordsExpiredUnread" ? C_PURGED : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX
dashed(m) = 0
has(list, m) = strstrt(list, m) > 0
# The labels of the metrics that did not happen, joined with commas.
NONE_TEXT = ""
do for [m in NONE] { NONE_TEXT = NONE_TEXT . (NONE_TEXT eq "" ? "" : ",\n") . long(m) }

C_RECORDS = C_OK
R_PANELS = 0.68
TITLE = sprintf("Consumer %s (stream %s, %s): records, reads and lag\n", NAME, STREAM, MODE) . \
	sprintf("rates per second over each %s period; totals in brackets", PERIOD_TEXT)
eval sprintf("set multiplot layout 4,1 margins %g,%g,0.06,0.915 spacing 0,0.055", L_MARGIN, R_PANELS) . \
	" title TITLE font ',13'"
set format x ""
unset xlabel

# --- 1: records processed, and the workers -----------------------------------------
set ylabel "records processed/s" tc rgb C_RECORDS
set ytics tc rgb C_RECORDS
UTIL = WORKERS_SUM > 0 ? sprintf("busy (mean %.0f%%)", 100.0 * BUSY_SUM / WORKERS_SUM) : "busy (none)"
WORKERS_KEY = WORKERS_MIN == WORKERS_MAX ? sprintf("workers (%d)", WORKERS_MAX) : \
	sprintf("workers (%d to %d)", WORKERS_MIN, WORKERS_MAX)
NOTE = "A worker per shard it reads;\nbusy: mean number working on\na record or waiting to retry.\n" . \
	sprintf("Whole run: %s records read:\n%s processed,\n%s unfinished at the end.", \
		count(READ), count(READ - HELD), count(HELD))
if (PROCESSED == 0 && WORKERS_MAX == 0) {
	NOTE = "no worker ran, no record was processed"
	@EMPTY_PANEL
} else {
	if (PROCESSED > 0) { set yrange [0:*] } else { set yrange [0:1] }
	TOP = WORKERS_MAX > BUSY_MAX ? WORKERS_MAX : BUSY_MAX
	set y2range [0:(TOP > 0 ? TOP * 1.15 : 1)]
	set y2label "workers" tc rgb C_WORKERS
	set y2tics nomirror tc rgb C_WORKERS
	if (TOP > 0 && TOP < 8) { set y2tics 1 }     # whole workers
	set border 11
	@KEY_NOTE
	plot DATA using @TX:(rate("RecordsProcessed")) with @LINES lw 1.5 lc rgb C_RECORDS \
			title sprintf("processed (%s)", count(PROCESSED)), \
	     DATA using @TX:(val("Workers")) axes x1y2 with @LINES lw 2 dt (8,4) lc rgb C_WORKERS \
			title WORKERS_KEY, \
	     DATA using @TX:(val("BusyWorkers")) axes x1y2 with @LINES lw 1.2 lc rgb C_BUSY title UTIL
	unset label 98
	unset y2label
	unset y2tics
	set border 3
}
set ylabel tc default
set ytics tc default autofreq
set yrange [*:*]

# --- 2: reads and what went wrong, on a log axis (periods without any are left out) ---
# The notes are set outside the blocks: gnuplot 5.4 expands no macro of a
# block after an apostrophe in it.
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(FAN_OUT ? "\nFan-out: records are pushed,\nno GetRecords calls." : "") . \
	(has(EVENTS, "ReadProvisioned") ? "\nThrottled: over the shard's 5\ncalls/s or 2 MB/s (shared)." : "") . \
	(has(EVENTS, "ProcessingFailures") ? "\nFailures: retried in place." : "") . \
	(has(EVENTS, "RecordsExpiredUnread") ? "\nExpired: lost, never read." : "") . \
	(words(NONE) > 0 ? "\nNone: " . NONE_TEXT . "." : "")
if (words(EVENTS) == 0) {
	NOTE = FAN_OUT ? "no processing failures or records expired unread\n(fan-out: records are pushed, no GetRecords calls)" : \
		"no GetRecords calls, processing failures or records expired unread"
}
if (words(EVENTS) == 0) {
	set ylabel "per second"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(EVENTS)] DATA using @TX:(pos(rate(word(EVENTS, i)))) with @SPARSE pt 7 lw 1.2 \
		lc rgb colour(word(EVENTS, i)) \
		title sprintf("%s (%s)", label(word(EVENTS, i)), count(word(TOTALS, i) + 0))
	unset label 98
	unset logscale y
	set yrange [*:*]      # percentiles.gp's scans would reject their 0 otherwise
	set format y "% h"
}

# --- 3: how far behind the newest record ------------------------------------------
SERIES = "MillisBehindLatest.p50 MillisBehindLatest.max"
UNIT = 0.001        # the CSV holds ms
TITLE = ""          # the multiplot's title says it
YLABEL = "behind latest (log scale)"
set label 97 "Last record read to the newest\nof its shard; 0: caught up." \
	at screen R_MARGIN + 0.02, graph 0.68 left front font ',9.5' tc rgb '#555555'
NO_SOLID = ""
NO_DASHED = ""
EMPTY_TEXT = "no read returned"
_c = _s[1:_i] . "percentiles.gp"; call _c
# Undo what percentiles.gp leaves set for a last panel.
unset label 97
unset label 98
unset label 99
unset object 1
unset arrow 1
unset arrow 2
set border 3
unset logscale y
set yrange [*:*]

# --- 4: put to processed -------------------------------------------------------------
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
SERIES = "EndToEndLatency.p50 EndToEndLatency.p99 EndToEndLatency.max"
UNIT = 1            # the CSV holds seconds
YLABEL = "put to processed (log scale)"
set label 97 "End-to-end latency: from\nthe record's arrival in the\nstream to the end of its\nprocessing." \
	at screen R_MARGIN + 0.02, graph 0.5 left front font ',9.5' tc rgb '#555555'
EMPTY_TEXT = "no record was processed"
call _c
unset label 97
unset multiplot
