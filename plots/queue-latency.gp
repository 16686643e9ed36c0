# queue-latency.gp - a queue's latency percentiles, period by period.
#
#   gnuplot -c queue-latency.gp DATA QUEUE IMAGE FORMAT
#
# DATA is a run's timeseries.csv, QUEUE the queue's name, IMAGE the file to
# write, FORMAT png or svg. On a log axis: EndToEndLatency (first send to
# delete, of the messages deleted in each period) p50, p90, p99 and max, and
# WaitTime (send to first receive, of the messages first received in each
# period) p50 and p99, dashed. Periods without samples, and zeros (which a
# log axis cannot show), are gaps; a series with no value at all is left out.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SERIES = "EndToEndLatency.p50 EndToEndLatency.p90 EndToEndLatency.p99 EndToEndLatency.max WaitTime.p50 WaitTime.p99"
SHOWN = ""
LO = 0; HI = 0      # smallest and largest value > 0 among them
do for [m in SERIES] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		SHOWN = SHOWN . " " . m
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	}
}
label(m) = m eq "EndToEndLatency.p50" ? "end to end p50" : \
	m eq "EndToEndLatency.p90" ? "end to end p90" : \
	m eq "EndToEndLatency.p99" ? "end to end p99" : \
	m eq "EndToEndLatency.max" ? "end to end max" : \
	m eq "WaitTime.p50" ? "wait p50" : \
	m eq "WaitTime.p99" ? "wait p99" : m
colour(m) = m eq "WaitTime.p50" ? C_WAIT50 : m eq "WaitTime.p99" ? C_WAIT99 : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p90" ? C_P90 : \
	m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX
wait(m) = m[1:4] eq "Wait"

set title sprintf("Queue %s: latency per %s period\n(end to end: first send to delete; wait: arrival in the queue to first receive)", \
	NAME, PERIOD_TEXT) font ",13"
set ylabel "latency (log scale)"
set ytics ("1 us" 1e-6, "10 us" 1e-5, "100 us" 1e-4, "1 ms" 1e-3, "10 ms" 0.01, "100 ms" 0.1, \
	"1 s" 1, "10 s" 10, "1 min" 60, "10 min" 600, "1 h" 3600, "6 h" 21600, "1 d" 86400, "4 d" 345600)
do for [e = -6:5] { set ytics add ("" 2 * 10.0 ** e 1, "" 5 * 10.0 ** e 1) }   # minor: 2 and 5 per decade
if (words(SHOWN) == 0) {
	NOTE = "no message was received or deleted"
	set label 99 NOTE at graph 0.5, graph 0.5 center tc rgb "#666666"
	set logscale y
	set yrange [0.001:10]
	plot 1e30 notitle
} else {
	set logscale y
	set yrange [decade_lo(LO):decade_hi(HI)]
	# End to end solid with dots, wait dashed with rings.
	plot for [i = 1:words(SHOWN)] DATA using @TX:(pos(val(word(SHOWN, i)))) with @SPARSE lw 1.3 \
		lc rgb colour(word(SHOWN, i)) dt 1 + wait(word(SHOWN, i)) pt 7 - wait(word(SHOWN, i)) \
		title label(word(SHOWN, i))
}
