# consumer.gp - a consumer's (worker pool's) workers and throughput.
#
#   gnuplot -c consumer.gp DATA CONSUMER IMAGE FORMAT
#
# DATA is a run's timeseries.csv, CONSUMER the consumer's name, IMAGE the
# file to write, FORMAT png or svg. Top panel: workers running and workers
# busy (holding a batch) at the end of each period, with the mean
# utilisation (busy / running over all period ends) in the key; bottom
# panel: messages processed and processing failures per second.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("Workers"); @SCAN; WORKERS_SUM = S_sum; WORKERS_MAX = S_max
SCAN_COL = col("BusyWorkers"); @SCAN; BUSY_SUM = S_sum; BUSY_MAX = S_max
SCAN_COL = col("MessagesProcessed"); @SCAN; PROCESSED = S_sum
SCAN_COL = col("ProcessingFailures"); @SCAN; FAILED = S_sum
UTIL = WORKERS_SUM > 0 ? sprintf("mean %.0f%%", 100.0 * BUSY_SUM / WORKERS_SUM) : "none running"

@TWO_PANELS title sprintf("Consumer %s: workers and throughput (rates over each %s period)", NAME, PERIOD_TEXT) font ",13"

# Top: the pool.
set ylabel "workers"
set yrange [0:(WORKERS_MAX > 0 ? WORKERS_MAX * 1.15 : 1)]
if (WORKERS_MAX > 0 && WORKERS_MAX < 8) { set ytics 1 }     # whole workers
set format x ""
unset xlabel
set style fill solid 0.35 noborder
if (NROWS > 3) {
	plot DATA using @TX:(val("BusyWorkers")) with filledcurves y1=0 lc rgb C_BUSY \
			title sprintf("busy (%s)", UTIL), \
	     DATA using @TX:(val("BusyWorkers")) with lines lw 1 lc rgb C_BUSY notitle, \
	     DATA using @TX:(val("Workers")) with lines lw 2 lc rgb C_WORKERS \
			title sprintf("running (peak %s)", count(WORKERS_MAX))
} else {
	plot DATA using @TX:(val("BusyWorkers")) with @LINES lc rgb C_BUSY \
			title sprintf("busy (%s)", UTIL), \
	     DATA using @TX:(val("Workers")) with @LINES lw 2 lc rgb C_WORKERS \
			title sprintf("running (peak %s)", count(WORKERS_MAX))
}

# Bottom: throughput.
set ytics autofreq
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
set ylabel "messages/s"
if (PROCESSED + FAILED > 0) { set yrange [0:*] } else { set yrange [0:1] }
plot DATA using @TX:(rate("MessagesProcessed")) with @LINES lw 1.5 lc rgb C_OK \
		title sprintf("processed (%s)", count(PROCESSED)), \
     DATA using @TX:(rate("ProcessingFailures")) with @LINES lw 1.5 lc rgb C_FAILED \
		title sprintf("failed (%s)", count(FAILED))
unset multiplot
