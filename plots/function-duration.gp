# function-duration.gp - a Lambda function's run times, period by period.
#
#   gnuplot -c function-duration.gp DATA FUNCTION IMAGE FORMAT
#
# DATA is a run's timeseries.csv, FUNCTION the function's name, IMAGE the
# file to write, FORMAT png or svg. On a log axis: Duration (the handler's
# run time, of the invocations that ended in each period, INIT excluded)
# p50, p90, p99 and max, and InitDuration (the INIT time of the cold starts
# in each period) p50 and p99, dashed. The CSV holds milliseconds; the axis
# reads in us, ms, s or min. As in queue-latency.gp, values of 0 (a
# scenario may make a duration or INIT 0) are points in a grey band marked
# "0" below the axis, one row per series, and the key says in how many
# periods each series was 0. Periods without samples are gaps; a series
# with no value at all is left out, and a note says so. percentiles.gp
# draws it; this file says what to draw.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SERIES = "Duration.p50 Duration.p90 Duration.p99 Duration.max InitDuration.p50 InitDuration.p99"
UNIT = 0.001        # the CSV holds milliseconds
label(m) = m eq "Duration.p50" ? "p50" : \
	m eq "Duration.p90" ? "p90" : \
	m eq "Duration.p99" ? "p99" : \
	m eq "Duration.max" ? "max" : \
	m eq "InitDuration.p50" ? "INIT p50" : \
	m eq "InitDuration.p99" ? "INIT p99" : m
colour(m) = m eq "InitDuration.p50" ? C_WAIT50 : m eq "InitDuration.p99" ? C_WAIT99 : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p90" ? C_P90 : \
	m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX
dashed(m) = m[1:4] eq "Init"      # duration solid with dots, INIT dashed with rings

TITLE = sprintf("Function %s: duration per %s period\n%s", NAME, PERIOD_TEXT, \
	"(duration: the handler's run time, INIT excluded; INIT: the cold starts' initialisation)")
YLABEL = "time (log scale)"
NO_SOLID = "No invocation ended:\nno duration."
NO_DASHED = "No cold start: no INIT."
EMPTY_TEXT = "no invocation ended and no cold start"

_c = _s[1:_i] . "percentiles.gp"; call _c
