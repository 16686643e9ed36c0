# producer-calls.gp - a producer's synchronous invokes of a Lambda function.
#
#   gnuplot -c producer-calls.gp DATA PRODUCER IMAGE FORMAT
#
# DATA is a run's timeseries.csv, PRODUCER the producer's name, IMAGE the
# file to write, FORMAT png or svg. Each per-period sum is divided by its
# period (the time since the previous row). Top panel: requests the
# producer made per second (MessagesProduced); middle panel, log scale:
# whichever of throttled attempts (ThrottledAttempts: attempts refused with
# 429, each retry counts) and give-ups (GiveUps: requests still throttled
# after the retry policy's last attempt) happened (periods without any are
# left out, as a note says); bottom panel: InvokeLatency (first attempt to
# response, retries and INIT included) p50, p90, p99 and max of the
# requests answered in each period, on a log axis as in queue-latency.gp
# (percentiles.gp draws it): values of 0 are points in a grey band below
# the axis, periods without an answer are gaps. Run totals are in the key.

HEIGHT = 780
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("MessagesProduced"); @SCAN; REQUESTS = S_sum

# The throttles that occur, and their totals; LO and HI: the smallest and
# largest rate > 0 among them.
FAILURES = ""
FAILURE_TOTALS = ""
LO = 0; HI = 0
do for [m in "ThrottledAttempts GiveUps"] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		FAILURES = FAILURES . " " . m
		FAILURE_TOTALS = FAILURE_TOTALS . " " . sprintf("%.0f", S_sum)
		SCAN_RATE = 1
		eval SCAN
		SCAN_RATE = 0
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	}
}
# Labels and colours of the throttles and of the latency percentiles.
label(m) = m eq "ThrottledAttempts" ? "throttled" : m eq "GiveUps" ? "given up" : \
	m eq "InvokeLatency.p50" ? "p50" : m eq "InvokeLatency.p90" ? "p90" : \
	m eq "InvokeLatency.p99" ? "p99" : m eq "InvokeLatency.max" ? "max" : m
colour(m) = m eq "ThrottledAttempts" ? C_THROTTLED : m eq "GiveUps" ? C_DROPPED : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p90" ? C_P90 : \
	m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX
has(list, m) = strstrt(list, m) > 0

TITLE = sprintf("Producer %s: synchronous invokes per %s period (rates per second, totals in brackets)\n%s", \
	NAME, PERIOD_TEXT, "(latency: first attempt to response, retries and INIT included)")
@THREE_PANELS title TITLE font ",13"

# Top: the requests.
set ylabel "requests/s"
if (REQUESTS > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
plot DATA using @TX:(rate("MessagesProduced")) with @LINES lw 1.5 lc rgb C_SENT \
		title sprintf("requests (%s)", count(REQUESTS))

# Middle: the throttles, on a log axis (periods without any are left out).
# The notes are set outside the blocks: gnuplot 5.4 expands no macro of a
# block after an apostrophe in it.
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(has(FAILURES, "Throttled") ? "\nThrottled: attempts refused\nwith 429; each retry counts." : "") . \
	(has(FAILURES, "GiveUps") ? "\nGiven up: still throttled\nafter the last attempt." : "")
if (words(FAILURES) == 0) { NOTE = "no throttled attempts or give-ups" }
if (words(FAILURES) == 0) {
	set ylabel "per second"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(FAILURES)] DATA using @TX:(pos(rate(word(FAILURES, i)))) with @SPARSE lw 1.2 \
		pt 7 lc rgb colour(word(FAILURES, i)) \
		title sprintf("%s (%s)", label(word(FAILURES, i)), count(word(FAILURE_TOTALS, i) + 0))
	unset label 98
	unset logscale y
	set yrange [*:*]      # percentiles.gp's scans would reject their 0 otherwise
	set format y "% h"
}

# Bottom: the latency of the answered requests.
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
SERIES = "InvokeLatency.p50 InvokeLatency.p90 InvokeLatency.p99 InvokeLatency.max"
UNIT = 1            # the CSV holds seconds
dashed(m) = 0
TITLE = ""          # the multiplot's title says it
YLABEL = "latency (log scale)"
NO_SOLID = ""
NO_DASHED = ""
EMPTY_TEXT = "no request was answered"
_c = _s[1:_i] . "percentiles.gp"; call _c
unset multiplot
