# queue-latency.gp - a queue's latency percentiles, period by period.
#
#   gnuplot -c queue-latency.gp DATA QUEUE IMAGE FORMAT
#
# DATA is a run's timeseries.csv, QUEUE the queue's name, IMAGE the file to
# write, FORMAT png or svg. On a log axis: EndToEndLatency (first send to
# delete, of the messages deleted in each period) p50, p90, p99 and max, and
# WaitTime (arrival in the queue to first receive, of the messages first
# received in each period) p50 and p99, dashed. A log axis has no 0, so
# values of 0 (a wait p50 of 0 is common: most messages met an idle worker)
# are points in a grey band marked "0" below the axis, one row per series,
# and the key says in how many periods each series was 0. Periods without
# samples are gaps; a series with no value at all is left out, and a note
# says so. percentiles.gp draws it; this file says what to draw.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SERIES = "EndToEndLatency.p50 EndToEndLatency.p90 EndToEndLatency.p99 EndToEndLatency.max WaitTime.p50 WaitTime.p99"
UNIT = 1            # the CSV holds seconds
label(m) = m eq "EndToEndLatency.p50" ? "end to end p50" : \
	m eq "EndToEndLatency.p90" ? "end to end p90" : \
	m eq "EndToEndLatency.p99" ? "end to end p99" : \
	m eq "EndToEndLatency.max" ? "end to end max" : \
	m eq "WaitTime.p50" ? "wait p50" : \
	m eq "WaitTime.p99" ? "wait p99" : m
colour(m) = m eq "WaitTime.p50" ? C_WAIT50 : m eq "WaitTime.p99" ? C_WAIT99 : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p90" ? C_P90 : \
	m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX
dashed(m) = m[1:4] eq "Wait"      # end to end solid with dots, wait dashed with rings

TITLE = sprintf("Queue %s: latency per %s period\n(end to end: first send to delete; wait: arrival in the queue to first receive)", \
	NAME, PERIOD_TEXT)
YLABEL = "latency (log scale)"
NO_SOLID = "No message was deleted:\nno end-to-end latency."
NO_DASHED = "No message was received:\nno wait."
EMPTY_TEXT = "no message was received or deleted"

_c = _s[1:_i] . "percentiles.gp"; call _c
