# stream-shards.gp - a Kinesis stream's shards side by side: which one is hot.
#
#   gnuplot -c stream-shards.gp DATA STREAM IMAGE FORMAT SHARDS READERS
#
# DATA is a run's timeseries.csv, STREAM the stream's name, IMAGE the file
# to write, FORMAT png or svg, SHARDS the number of shards the run ever
# opened (their columns are STREAM.shardId-000000000000/Metric and on, one
# set per shard, zero before a shard opens and after it closes), READERS the
# number of consumers and triggers that read the stream. Each per-period
# sum is divided by its period (the time since the previous row).
#
# Shards are ranked by the records they accepted in the whole run. With at
# most 8 shards each is a line; with more, the 5 busiest are lines and the
# others a grey band (the least and the most busy of them in each period)
# around their mean (a reshard is a dotted line). The busiest shard is red and thicker, and each shard
# keeps its colour in every panel. Top panel: records accepted per second
# per shard, against a shard's write limit of 1,000 records/s (dashed; in
# the key only when it is over 4 times the peak). Middle panel, log scale:
# records throttled per second by the shards that throttled any (the others
# summed in one grey line; periods without any are left out). Bottom panel:
# each shard's IteratorAgeMilliseconds (the others: the largest of them),
# or a note that no one reads the stream or that its readers kept up.

HEIGHT = 840
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
NSH = (ARGC >= 5 ? ARG5 + 0 : 0)
READERS = (ARGC >= 6 ? ARG6 + 0 : 0)
if (NSH < 1) {
	print "stream-shards.gp: give the number of shards (ARG5)"
	exit status 2
}
SHARD_LIMIT = 1000          # records/s a shard accepts (aws-behaviour §3.2)

# Shard i (from 1) is shardId-(i - 1); its column of metric m.
scol(i, m) = sprintf("%s.shardId-%012d/%s", NAME, i - 1, m)
crate(c) = column(c) / period(column("time_s"))   # rate() of the column headed c

# --- Each shard's totals --------------------------------------------------
array TOT[NSH]              # records accepted
array THR[NSH]              # records throttled (each retry counts)
array AGE[NSH]              # largest iterator age (ms)
array PEAK[NSH]             # largest rate of records accepted
TOTAL = 0; THROTTLED = 0; AGE_MAX = 0
do for [i = 1:NSH] {
	SCAN_COL = scol(i, "IncomingRecords"); eval SCAN; TOT[i] = S_sum; TOTAL = TOTAL + S_sum
	SCAN_RATE = 1; eval SCAN; SCAN_RATE = 0; PEAK[i] = S_max
	SCAN_COL = scol(i, "WriteProvisionedThroughputExceeded"); eval SCAN; THR[i] = S_sum
	THROTTLED = THROTTLED + S_sum
	SCAN_COL = scol(i, "IteratorAgeMilliseconds"); eval SCAN; AGE[i] = S_max
	AGE_MAX = S_max > AGE_MAX ? S_max : AGE_MAX
}
SCAN_COL = col("OpenShardCount"); eval SCAN; OPEN_MIN = S_min; OPEN_MAX = S_max
OPEN_LAST = 0
stats DATA using (OPEN_LAST = column(col("OpenShardCount")), 0) nooutput

# --- Ranking: ORDER[k] is the k-th shard drawn as a line, RANK[i] shard i's
# rank among them (0: in the band of the others; -1: never used, such as
# the columns of shards an on-demand stream could have opened but did not).
# The first is the busiest; after it, shards that throttled come first.
array RANK[NSH]
NUSED = 0
do for [i = 1:NSH] {
	RANK[i] = (TOT[i] + THR[i] + AGE[i] > 0) ? 0 : -1
	NUSED = NUSED + (RANK[i] == 0)
}
SHOW = NUSED <= 8 ? NUSED : 5
NREST = NUSED - SHOW
array ORDER[SHOW]
rank_key(i, k) = TOT[i] + (k > 1 && THR[i] > 0 ? 1e18 : 0)
do for [k = 1:SHOW] {
	_best = 0
	do for [i = 1:NSH] {
		if (RANK[i] == 0 && (_best == 0 || rank_key(i, k) > rank_key(_best, k))) { _best = i }
	}
	ORDER[k] = _best
	RANK[_best] = k
}
HOT = ORDER[1]
share(n) = TOTAL > 0 ? 100.0 * n / TOTAL : 0
REST_TOT = TOTAL
do for [k = 1:SHOW] { REST_TOT = REST_TOT - TOT[ORDER[k]] }

# Colours by rank: the busiest red, then the usual order; the others grey.
PALETTE = "#d62728 #1f77b4 #2ca02c #9467bd #ff7f0e #8c564b #e377c2 #17becf"
C_REST = "#8c8c8c"
shade(k) = word(PALETTE, k)
width(k) = k == 1 ? 2.6 : 1.3
slabel(i) = sprintf("shard %d", i - 1)
pct(x) = sprintf(x >= 9.95 || x == 0 ? "%.0f%%" : "%.1f%%", x)   # 38%, 4.2%

# A plot-for over an empty range draws once in gnuplot 5.4, so the plot
# commands below are built as text, element by element; the busiest shard
# comes last (drawn on top) and "set key invert" lists it first. As they
# are built outside blocks or hold no macro (gnuplot 5.4 expands no macro
# of a block after an apostrophe in it), TX, LINES and SPARSE are joined
# in as strings.

# The others in the current row, metric m, per second: rest() returns their
# sum and sets R_LO and R_HI, the least and the largest of them; call it
# once per row (it calls period()).
rest(m) = (R_LO = 1e300, R_HI = 0, \
	_sum = sum [_k = 1:NSH] (RANK[_k] == 0 ? (_v = column(scol(_k, m)), \
		R_LO = (_v < R_LO ? _v : R_LO), R_HI = (_v > R_HI ? _v : R_HI), _v) : 0), \
	_p = period(column("time_s")), R_LO = R_LO / _p, R_HI = R_HI / _p, _sum / _p)
# The largest of the others' values of metric m (a gauge) in the current row.
rest_max(m) = (R_HI = 0, _n = sum [_k = 1:NSH] (RANK[_k] == 0 ? (_v = column(scol(_k, m)), \
	R_HI = (_v > R_HI ? _v : R_HI), 1) : 0), _n > 0 ? R_HI : NaN)

# --- Title ------------------------------------------------------------------
CHG_COL = col("OpenShardCount"); @CHANGES
if (OPEN_MIN == OPEN_MAX && OPEN_MAX == NUSED) {
	SHARDS_TEXT = sprintf("%d shards", NUSED)
	EVEN = sprintf(" (even share: %s)", pct(100.0 / NUSED))
} else {
	SHARDS_TEXT = sprintf("%d shards used (%d open at the end)", NUSED, OPEN_LAST)
	EVEN = ""
}
TITLE = sprintf("Stream %s: %s; the busiest, shard %d, took %.1f%% of the records%s\n", \
	NAME, SHARDS_TEXT, HOT - 1, share(TOT[HOT]), EVEN) . \
	sprintf("records accepted per second per shard, over each %s period; totals and shares in brackets", PERIOD_TEXT)
@THREE_PANELS title TITLE font ",13"

# --- Top: records accepted per shard, against a shard's limit --------------
SHOWN_PEAK = 0
do for [i = 1:NSH] { SHOWN_PEAK = PEAK[i] > SHOWN_PEAK ? PEAK[i] : SHOWN_PEAK }
LIMIT_ON = SHOWN_PEAK * 4 >= SHARD_LIMIT
set ylabel "records/s per shard"
set yrange [0:*]
if (SHOWN_PEAK == 0 && !LIMIT_ON) { set yrange [0:1] }
set format x ""
unset xlabel
set key invert
# Reshards: a dotted line in every panel, what changed in this one.
@CHANGE_MARKS
do for [_m = 1:words(CHG_AT)] {
	set label 79 + _m sprintf("%s to %s shards", word(CHG_FROM, _m), word(CHG_TO, _m)) \
		at first word(CHG_AT, _m) + 0, graph 0.04 rotate by 90 left offset -1.2, 0 \
		font ",9" tc rgb "#555555"
}
LIMIT_KEY = sprintf("limit %s/s", count(SHARD_LIMIT)) . (LIMIT_ON ? "" : " (off scale)")
LIMIT_STYLE = "lw 2 dt (8,4) lc rgb C_LIMIT"
# The limit is drawn last, over the busiest shard that runs at it; its key
# entry comes first (last, as the key is inverted).
CMD = "keyentry with lines " . LIMIT_STYLE . " title LIMIT_KEY"
REST_BAND = ", DATA using " . TX . ":(rest('IncomingRecords'), R_LO):(R_HI) with filledcurves " . \
	"fc rgb C_REST fs transparent solid 0.3 noborder title sprintf('other %d: least to most', NREST)" . \
	", DATA using " . TX . ":(rest('IncomingRecords') / NREST) with " . LINES . " lw 1.3 lc rgb C_REST " . \
	"title sprintf('other %d: mean (%s)', NREST, pct(share(REST_TOT)))"
CMD = CMD . (NREST > 0 ? REST_BAND : "")
do for [k = SHOW:1:-1] {
	CMD = CMD . sprintf(", DATA using %s:(crate(scol(%d, 'IncomingRecords'))) with %s lw %g lc rgb '%s' ", \
		TX, ORDER[k], LINES, width(k), shade(k)) . \
		sprintf("title '%s: %s (%s)'", slabel(ORDER[k]), count(TOT[ORDER[k]]), pct(share(TOT[ORDER[k]])))
}
CMD = CMD . ", (LIMIT_ON ? SHARD_LIMIT : NaN) with lines " . LIMIT_STYLE . " notitle"
eval "plot " . CMD
do for [_m = 1:words(CHG_AT)] { unset label 79 + _m }

# --- Middle: records throttled per shard, log scale ---------------------------
# The shards drawn as lines that throttled any (their ranks in THR_SHOWN),
# and the others' sum; LO and HI: the smallest and largest rate > 0.
THR_SHOWN = ""
REST_THR = THROTTLED
LO = 0; HI = 0
do for [k = 1:SHOW] {
	REST_THR = REST_THR - THR[ORDER[k]]
	if (THR[ORDER[k]] > 0) {
		THR_SHOWN = THR_SHOWN . sprintf(" %d", k)
		SCAN_COL = scol(ORDER[k], "WriteProvisionedThroughputExceeded"); SCAN_RATE = 1; eval SCAN; SCAN_RATE = 0
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	}
}
if (REST_THR > 0) {
	stats DATA using (_r = rest("WriteProvisionedThroughputExceeded"), \
		LO = (_r > 0 && (LO == 0 || _r < LO) ? _r : LO), HI = (_r > HI ? _r : HI), 0) nooutput
}
CMD = REST_THR > 0 ? "DATA using " . TX . ":(pos(rest('WriteProvisionedThroughputExceeded'))) with " . SPARSE . \
	" pt 7 lw 1.2 lc rgb C_REST title sprintf('other %d: sum (%s)', NREST, count(REST_THR))" : ""
do for [_j = words(THR_SHOWN):1:-1] {
	k = word(THR_SHOWN, _j) + 0
	CMD = CMD . sprintf(", DATA using %s:(pos(crate(scol(%d, 'WriteProvisionedThroughputExceeded')))) ", TX, ORDER[k]) . \
		sprintf("with %s pt 7 lw %g lc rgb '%s' title '%s (%s)'", SPARSE, width(k), shade(k), \
			slabel(ORDER[k]), count(THR[ORDER[k]]))
}
CMD = REST_THR > 0 ? CMD : CMD[3:]
NOTE = "Log scale: a period\nwithout any is not drawn.\nThrottled: records refused\nwith ProvisionedThroughput-\nExceededException; each\nretry counts."
# A long key leaves room for a short note only.
if (words(THR_SHOWN) + (REST_THR > 0) >= 5) { NOTE = "Log scale; each\nretry counts." }
if (THROTTLED == 0) { NOTE = "no records throttled" }
if (THROTTLED == 0) {
	set ylabel "throttled records/s"
	@EMPTY_PANEL
} else {
	set ylabel "throttled records/s (log)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	eval "plot " . CMD
	unset label 98
	unset logscale y
	set yrange [*:*]
	set format y "% h"
}

# --- Bottom: iterator age per shard ---------------------------------------------
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
AGE_S = AGE_MAX / 1000.0    # the largest age in seconds
REST_AGE = 0
do for [i = 1:NSH] {
	if (RANK[i] == 0) { REST_AGE = AGE[i] > REST_AGE ? AGE[i] : REST_AGE }
}
agey(ms) = ms / 1000.0 / age_div(AGE_S)
agekey(ms) = sprintf("peak %.1f %s", agey(ms), age_unit(AGE_S))
CMD = REST_AGE > 0 ? "DATA using " . TX . ":(agey(rest_max('IteratorAgeMilliseconds'))) with " . LINES . \
	" lw 1.2 lc rgb C_REST title sprintf('other %d: oldest (%s)', NREST, agekey(REST_AGE))" : ""
do for [k = SHOW:1:-1] {
	if (AGE[ORDER[k]] > 0) {
		CMD = CMD . sprintf(", DATA using %s:(agey(column(scol(%d, 'IteratorAgeMilliseconds')))) ", TX, ORDER[k]) . \
			sprintf("with %s lw %g lc rgb '%s' title '%s (%s)'", LINES, width(k), shade(k), \
				slabel(ORDER[k]), agekey(AGE[ORDER[k]]))
	}
}
CMD = REST_AGE > 0 ? CMD : CMD[3:]
NOTE = READERS == 0 ? "no readers: nothing reads this stream, so no shard has an iterator age" : \
	"the readers kept up: every iterator age was 0"
if (AGE_MAX == 0) {
	set ylabel "iterator age"
	@EMPTY_PANEL
} else {
	set ylabel sprintf("iterator age (%s)", age_unit(AGE_S))
	set yrange [0:*]
	NOTE = "Iterator age: how far\nbehind the newest record\nthe reader of a shard is\n(at the end of each period)."
	@KEY_NOTE
	eval "plot " . CMD
	unset label 98
}
unset multiplot
do for [_m = 1:words(CHG_AT)] { unset arrow 69 + _m }
