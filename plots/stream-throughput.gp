# stream-throughput.gp - a Kinesis stream's writes against its write limit.
#
#   gnuplot -c stream-throughput.gp DATA STREAM IMAGE FORMAT READERS
#
# DATA is a run's timeseries.csv, STREAM the stream's name, IMAGE the file
# to write, FORMAT png or svg, READERS the number of consumers and triggers
# that read the stream. Each per-period sum is divided by its period (the
# time since the previous row). The limit is the stream's: OpenShardCount
# at the end of each period times a shard's 1,000 records/s and 1 MiB/s
# (aws-behaviour §3.2), drawn as steps, so a reshard (also a dotted line)
# moves it; a limit over 4 times the peak is in the key only. Top panel:
# records accepted per second (IncomingRecords); second: MiB accepted per
# second (IncomingBytes; KiB when fewer); third, log scale: whichever of records throttled
# on write (each retry counts), reads throttled and records expired
# happened (periods without any are left out, as a note says); bottom:
# RecordsHeld, the records in the stream, and when a reader lags,
# GetRecords.IteratorAgeMilliseconds on the right axis. Run totals and peaks
# are in the key.

HEIGHT = 960
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
READERS = (ARGC >= 5 ? ARG5 + 0 : 0)
SHARD_RECORDS = 1000        # records/s a shard accepts (aws-behaviour §3.2)
SHARD_BYTES = 1048576       # bytes/s a shard accepts
MIB = 1048576.0

SCAN_COL = col("IncomingRecords"); eval SCAN; RECORDS = S_sum
SCAN_RATE = 1; eval SCAN; SCAN_RATE = 0; REC_PEAK = S_max
SCAN_COL = col("IncomingBytes"); eval SCAN; BYTES = S_sum
SCAN_RATE = 1; eval SCAN; SCAN_RATE = 0; BYTES_PEAK = S_max
SCAN_COL = col("OpenShardCount"); eval SCAN; OPEN_MIN = S_min; OPEN_MAX = S_max
SCAN_COL = col("RecordsHeld"); eval SCAN; HELD_PEAK = S_max
SCAN_COL = col("GetRecords.IteratorAgeMilliseconds"); eval SCAN; AGE_S = S_max / 1000.0
CHG_COL = col("OpenShardCount"); @CHANGES

# 325050954 -> "310 MiB"
bytes(b) = b >= 1024 * MIB ? sprintf("%.2f GiB", b / MIB / 1024) : b >= 10 * MIB ? sprintf("%.0f MiB", b / MIB) : \
	b >= MIB ? sprintf("%.1f MiB", b / MIB) : b >= 1024 ? sprintf("%.0f KiB", b / 1024) : sprintf("%d B", b)

# The rarer series that happened, their totals; LO and HI: their smallest
# and largest rate > 0.
RARE = ""
RARE_TOTALS = ""
LO = 0; HI = 0
do for [m in "WriteProvisionedThroughputExceeded ReadProvisionedThroughputExceeded RecordsExpired"] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		RARE = RARE . " " . m
		RARE_TOTALS = RARE_TOTALS . " " . sprintf("%.0f", S_sum)
		SCAN_RATE = 1
		eval SCAN
		SCAN_RATE = 0
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	}
}
label(m) = m eq "WriteProvisionedThroughputExceeded" ? "throttled" : \
	m eq "ReadProvisionedThroughputExceeded" ? "reads throttled" : m eq "RecordsExpired" ? "expired" : m
colour(m) = m eq "WriteProvisionedThroughputExceeded" ? C_THROTTLED : \
	m eq "ReadProvisionedThroughputExceeded" ? C_FAILED : C_EXPIRED
has(list, m) = strstrt(list, m) > 0

if (OPEN_MIN == OPEN_MAX) {
	LIMIT_TEXT = sprintf("%d shards: %s records/s, %d MiB/s", OPEN_MAX, count(OPEN_MAX * SHARD_RECORDS), OPEN_MAX)
} else {
	LIMIT_TEXT = sprintf("%d to %d open shards, each 1,000 records/s and 1 MiB/s", OPEN_MIN, OPEN_MAX)
}
TITLE = sprintf("Stream %s: writes against its limit (%s)\n", NAME, LIMIT_TEXT) . \
	sprintf("per second over each %s period; totals in brackets", PERIOD_TEXT)
# With an iterator age on the bottom panel's right axis, the panels end
# earlier, so that its tics and label stay clear of the keys and notes.
if (AGE_S > 0) {
	eval sprintf("set multiplot layout 4,1 margins %g,%g,0.065,0.92 spacing 0,0.055", L_MARGIN, 0.68) . \
		" title TITLE font ',13'"
} else {
	@FOUR_PANELS title TITLE font ",13"
}
@CHANGE_MARKS
do for [_m = 1:words(CHG_AT)] {
	set label 79 + _m sprintf("%s to %s shards", word(CHG_FROM, _m), word(CHG_TO, _m)) \
		at first word(CHG_AT, _m) + 0, graph 0.04 rotate by 90 left offset -1.2, 0 \
		font ",9" tc rgb "#555555"
}

# The limit of each period (open shards at its end) drawn as steps, which
# change at the row that first shows the new count, as the dotted line
# does. A limit over 4 times the peak is a key entry only.
LIMIT_STYLE = "lw 2 dt (8,4) lc rgb C_LIMIT"
limit_cmd(per_shard, peak, key) = (peak * 4 >= OPEN_MIN * per_shard ? \
	sprintf("DATA using %s:(column(col('OpenShardCount')) * %.17g) with steps %s title '%s'", \
		TX, per_shard, LIMIT_STYLE, key) : \
	sprintf("keyentry with lines %s title '%s (off scale)'", LIMIT_STYLE, key))
LIMIT_NOTE = "Limit: open shards x 1,000\nrecords/s and x 1 MiB/s.\nIt holds only when the\nshards share the load evenly:\na hot shard is throttled\nbelow it (see the shards plot)."

# Top: records accepted.
set ylabel "records/s"
set yrange [0:*]
set format x ""
unset xlabel
NOTE = LIMIT_NOTE
@KEY_NOTE
CMD = sprintf("DATA using %s:(rate('IncomingRecords')) with %s lw 1.5 lc rgb C_SENT title '%s'", \
	TX, LINES, sprintf("accepted (%s)", count(RECORDS))) . ", " . \
	limit_cmd(SHARD_RECORDS, REC_PEAK, "limit")
eval "plot " . CMD
unset label 98
do for [_m = 1:words(CHG_AT)] { unset label 79 + _m }

# Second: bytes accepted, in MiB/s (KiB/s when the peak is under 0.1 MiB/s).
BDIV = BYTES_PEAK < 0.1 * MIB ? 1024.0 : MIB
set ylabel BDIV == MIB ? "MiB/s" : "KiB/s"
CMD = sprintf("DATA using %s:(rate('IncomingBytes') / BDIV) with %s lw 1.5 lc rgb C_RECEIVED title '%s'", \
	TX, LINES, sprintf("accepted (%s)", bytes(BYTES))) . ", " . \
	limit_cmd(SHARD_BYTES / BDIV, BYTES_PEAK / BDIV, "limit")
eval "plot " . CMD

# Third: throttles and expiries, on a log axis (periods without any are left
# out). The notes are set outside the blocks: gnuplot 5.4 expands no macro
# of a block after an apostrophe in it.
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(has(RARE, "Write") ? "\nThrottled: records refused\non write; each retry counts." : "") . \
	(has(RARE, "Expired") ? "\nExpired: past the retention." : "")
if (words(RARE) == 0) { NOTE = "no records throttled or expired" }
if (words(RARE) == 0) {
	set ylabel "per second"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(RARE)] DATA using @TX:(pos(rate(word(RARE, i)))) with @SPARSE lw 1.2 \
		pt 7 lc rgb colour(word(RARE, i)) \
		title sprintf("%s (%s)", label(word(RARE, i)), count(word(RARE_TOTALS, i) + 0))
	unset label 98
	unset logscale y
	set format y "% h"
}

# Bottom: records held, and the iterator age when a reader lags.
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
HDIV = HELD_PEAK >= 1e6 ? 1e6 : HELD_PEAK >= 1e4 ? 1e3 : 1
set ylabel "records held" . (HDIV == 1e6 ? " (millions)" : HDIV == 1e3 ? " (thousands)" : "")
if (HELD_PEAK > 0) { set yrange [0:*] } else { set yrange [0:1] }
NOTE = (READERS > 0 ? "Held: records some reader\nhas not read yet." : "Held: records in the stream\nuntil their retention ends.") . \
	(AGE_S > 0 ? "\nIterator age: how far behind\nthe newest record the\nslowest reader is." : \
		READERS == 0 ? "\nNo readers: no iterator age." : "\nIterator age 0: the readers\nkept up.")
@KEY_NOTE
if (AGE_S > 0) {
	set y2label sprintf("iterator age (%s)", age_unit(AGE_S))
	set y2range [0:*]
	set y2tics nomirror
	set border 11
	plot DATA using @TX:(val("RecordsHeld") / HDIV) with @LINES lw 1.5 lc rgb C_VISIBLE \
			title "held" . peak(HELD_PEAK), \
		DATA using @TX:(val("GetRecords.IteratorAgeMilliseconds") / 1000.0 / age_div(AGE_S)) axes x1y2 \
			with @LINES lw 1.5 lc rgb C_AGE \
			title sprintf("age (peak %.1f %s)", AGE_S / age_div(AGE_S), age_unit(AGE_S))
} else {
	plot DATA using @TX:(val("RecordsHeld") / HDIV) with @LINES lw 1.5 lc rgb C_VISIBLE title "held" . peak(HELD_PEAK)
}
unset multiplot
do for [_m = 1:words(CHG_AT)] { unset arrow 69 + _m }
