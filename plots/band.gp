# band.gp - a replicated run's key series of one resource: the mean over
# the replications and its confidence band.
#
#   gnuplot -c band.gp DATA NAME IMAGE FORMAT KIND SERIES REPLICATIONS LEVEL WARMUP
#
# DATA is a replicated run's timeseries.csv (each cell the mean over the
# replications); the band comes from timeseries-ci.csv in the same
# directory (columns NAME/M.ci_low and NAME/M.ci_high). NAME is the
# resource, KIND its kind in resources.csv, IMAGE the file to write, FORMAT
# png or svg. SERIES is one to four words METRIC:TYPE, one panel each, top
# to bottom; TYPE says what the column holds:
#   n  a level (a gauge, a maximum or a time average), drawn as it is
#   r  a count per period, drawn per second
#   s  an age in seconds, m one in milliseconds: drawn in s, min or h
# REPLICATIONS and LEVEL (e.g. 0.95) are the run's; WARMUP (seconds, 0 for
# none) is shaded grey. Every series here is never negative, so the band is
# cut at 0 (a t interval over few replications can reach below it).

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
HEIGHT = words(ARG6) >= 4 ? 960 : words(ARG6) == 3 ? 840 : 600
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
if (ARGC < 9 || ARG6 eq "" || ARG7 eq "" || ARG8 eq "" || ARG9 eq "") {
	print "usage: gnuplot -c band.gp DATA NAME IMAGE png|svg KIND SERIES REPLICATIONS LEVEL WARMUP"
	exit status 2
}
KIND = ARG5
SERIES = ARG6
REPS = int(ARG7)
LEVEL = real(ARG8)
WARMUP = real(ARG9)
CI = DATA[1:strlen(DATA) - 4] . "-ci.csv"     # .../timeseries.csv -> .../timeseries-ci.csv
NP = words(SERIES)

# METRIC:TYPE -> its parts.
metric(w) = w[1:strstrt(w, ":") - 1]
mtype(w) = w[strstrt(w, ":") + 1:]

# What a panel's y axis says, and its colour (as in the resource's other plots).
label(m) = \
	m eq "ApproximateNumberOfMessagesVisible" ? "messages visible" : \
	m eq "ApproximateAgeOfOldestMessage" ? "age of the oldest message" : \
	m eq "ConcurrentExecutions" ? "invocations running at once" : \
	m eq "Throttles" ? "throttles" : \
	m eq "IncomingRecords" ? "records accepted" : \
	m eq "WriteProvisionedThroughputExceeded" ? "records throttled" : \
	m eq "GetRecords.IteratorAgeMilliseconds" ? "iterator age" : \
	m eq "BusyWorkers" ? "busy workers (time average)" : \
	m eq "MessagesProcessed" ? "messages processed" : \
	m eq "RecordsProcessed" ? "records processed" : \
	m eq "MillisBehindLatest.max" ? "max behind latest" : \
	m eq "Pollers" ? "pollers" : \
	m eq "Batches" ? "batches" : \
	m eq "ConcurrentBatches" ? "batches at once" : \
	m eq "IteratorAge.max" ? "max iterator age" : m
colour(m, t) = \
	m eq "ApproximateNumberOfMessagesVisible" ? C_VISIBLE : \
	m eq "ApproximateAgeOfOldestMessage" ? C_AGE : \
	m eq "ConcurrentExecutions" || m eq "ConcurrentBatches" || m eq "Pollers" ? C_RUNNING : \
	m eq "Throttles" || m eq "WriteProvisionedThroughputExceeded" ? C_THROTTLED : \
	m eq "BusyWorkers" ? C_BUSY : \
	m eq "IncomingRecords" ? C_SENT : \
	m eq "MessagesProcessed" || m eq "RecordsProcessed" || m eq "Batches" ? C_OK : \
	t eq "m" ? C_WAIT99 : C_AGE     # a stream's ages apart from the green of records processed
kind_title(k) = k eq "queue" ? "Queue" : k eq "function" ? "Function" : k eq "stream" ? "Stream" : \
	k eq "consumer" ? "Consumer" : k eq "trigger" ? "Event source mapping" : k
# A peak in the key: whole numbers with commas, small ones with 3 digits.
fmt(x) = x >= 100 ? count(x) : sprintf("%.3g", x)
lo0(x) = x < 0 ? 0 : x     # the band cut at 0 (NaN stays NaN)

TITLE = sprintf("%s %s: mean of %d replications, %g%% band (over each %s period)", \
	kind_title(KIND), NAME, REPS, 100 * LEVEL, PERIOD_TEXT)
if (NP >= 4) {
	@FOUR_PANELS title TITLE font ",13"
} else { if (NP == 3) {
	@THREE_PANELS title TITLE font ",13"
} else { if (NP == 2) {
	@TWO_PANELS title TITLE font ",13"
} else {
	set title TITLE font ",13"
} } }

# The warm-up: a grey area behind every panel (objects outlive a panel).
if (WARMUP > 0) {
	set object 50 rect from first 0, graph 0 to first tx(WARMUP), graph 1 behind \
		fc rgb "#e8e8e8" fs solid 1.0 noborder
}
set style fill transparent solid 0.25 noborder

do for [i = 1:(NP > 4 ? 4 : NP)] {
	M = metric(word(SERIES, i))
	T = mtype(word(SERIES, i))
	SCAN_RATE = (T eq "r")
	# The mean's peak (key) and the band's top (the unit of an age).
	SCAN_COL = col(M); eval SCAN; PEAK = S_max; HAS = S_n
	_data = DATA; DATA = CI; SCAN_COL = col(M) . ".ci_high"; eval SCAN; TOP = S_max; DATA = _data
	SCAN_RATE = 0
	if (TOP < PEAK) { TOP = PEAK }
	# Ages in seconds (DIV: what a value is divided by to be in UNIT).
	TOP_S = T eq "m" ? TOP / 1000 : TOP
	DIV = T eq "s" ? age_div(TOP_S) : T eq "m" ? 1000 * age_div(TOP_S) : 1
	UNIT = (T eq "s" || T eq "m") ? age_unit(TOP_S) : ""
	if (T eq "r") {
		set ylabel label(M) . "/s"
	} else { if (UNIT ne "") {
		set ylabel sprintf("%s (%s)", label(M), UNIT)
	} else {
		set ylabel label(M)
	} }
	if (TOP > 0) { set yrange [0:*] } else { set yrange [0:1] }
	if (i == NP) {
		set format x "% h"
		set xlabel sprintf("time (%s)", TUNIT)
	} else {
		set format x ""
		unset xlabel
	}
	if (i == 1 && WARMUP > 0) {
		NOTE = sprintf("Grey: the warm-up (%g s),\nleft out of summary.csv.", WARMUP)
		@KEY_NOTE
	}
	PEAK_KEY = UNIT ne "" ? sprintf("mean (peak %.3g %s)", PEAK / DIV, UNIT) : \
		sprintf("mean (peak %s%s)", fmt(PEAK), T eq "r" ? "/s" : "")
	if (HAS == 0) {
		NOTE = "no values in any replication"; @EMPTY_PANEL
	} else {
		# Each data set calls period() once per row when T is r (common.gp's rule).
		plot CI using (_t = column("time_s"), _p = (T eq "r" ? period(_t) : 1), tx(_t)): \
				(lo0(column(col(M) . ".ci_low")) / _p / DIV):(lo0(column(col(M) . ".ci_high")) / _p / DIV) \
				with filledcurves lc rgb colour(M, T) title sprintf("%g%% band", 100 * LEVEL), \
		     DATA using (_t = column("time_s"), _p = (T eq "r" ? period(_t) : 1), tx(_t)): \
				(column(col(M)) / _p / DIV) with @LINES lw 1.5 lc rgb colour(M, T) title PEAK_KEY
	}
	unset label 98
}
if (NP > 1) { unset multiplot }
