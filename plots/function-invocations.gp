# function-invocations.gp - a Lambda function's invocations, errors and throttles.
#
#   gnuplot -c function-invocations.gp DATA FUNCTION IMAGE FORMAT
#
# DATA is a run's timeseries.csv, FUNCTION the function's name, IMAGE the
# file to write, FORMAT png or svg. Each per-period sum is divided by its
# period (the time since the previous row). Top panel: invocations that ran
# per second; middle panel, log scale: whichever of errors, timeouts (part
# of the errors) and throttled requests happened (periods without any are
# left out, as a note says). When the function received asynchronous
# events, a bottom panel shows them per second, log scale: events accepted,
# and whichever of retries (AsyncRetries: events run again after an error),
# events sent to the on-failure destination or the dead-letter queue
# (AsyncEventsSentOnFailure), events dropped and events the dead-letter
# queue or the destination refused happened. Run totals are in the key.

# Three panels need more height: is there asynchronous traffic? (A look at
# that column before common.gp sets the terminal.)
set datafile separator comma
set datafile columnheaders
_async = 0
if (ARGC >= 4 && ARG4 ne "") {
	stats ARG1 using (_v = column(ARG2 . "/AsyncEventsReceived"), _async = _async + (_v > 0), 0) nooutput
}
HEIGHT = _async > 0 ? 840 : 600
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("Invocations"); @SCAN; INVOKED = S_sum
SCAN_COL = col("AsyncEventsReceived"); @SCAN; ASYNC = S_sum

# The failures, and the async panel's rarer series: those that occur, and
# their totals; LO and HI: the smallest and largest failure rate > 0.
FAILURES = ""
FAILURE_TOTALS = ""
LO = 0; HI = 0
do for [m in "Errors Timeouts Throttles"] {
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
# The async series that occur (accepted first, as there were async events
# whenever the panel is drawn), their totals, and ALO and AHI: their
# smallest and largest rate > 0.
ASYNC_SHOWN = ""
ASYNC_TOTALS = ""
ALO = 0; AHI = 0
do for [m in "AsyncEventsReceived AsyncRetries AsyncEventsSentOnFailure AsyncEventsDropped DeadLetterErrors DestinationDeliveryFailures"] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		ASYNC_SHOWN = ASYNC_SHOWN . " " . m
		ASYNC_TOTALS = ASYNC_TOTALS . " " . sprintf("%.0f", S_sum)
		SCAN_RATE = 1
		eval SCAN
		SCAN_RATE = 0
		ALO = (ALO == 0 || S_min < ALO) ? S_min : ALO
		AHI = S_max > AHI ? S_max : AHI
	}
}
label(m) = m eq "Errors" ? "errors" : m eq "Timeouts" ? "timeouts" : m eq "Throttles" ? "throttled" : \
	m eq "AsyncEventsReceived" ? "accepted" : \
	m eq "AsyncRetries" ? "retries" : \
	m eq "AsyncEventsSentOnFailure" ? "sent on failure" : \
	m eq "AsyncEventsDropped" ? "dropped" : \
	m eq "DeadLetterErrors" ? "DLQ refusals" : \
	m eq "DestinationDeliveryFailures" ? "dest. refusals" : m
colour(m) = m eq "Errors" ? C_FAILED : m eq "Timeouts" ? C_TIMEOUT : m eq "Throttles" ? C_THROTTLED : \
	m eq "AsyncEventsReceived" ? C_ASYNC : m eq "AsyncRetries" ? C_RETRIED : \
	m eq "AsyncEventsSentOnFailure" ? C_ON_FAILURE : \
	m eq "AsyncEventsDropped" ? C_DROPPED : C_REFUSED
has(list, m) = strstrt(list, m) > 0
# Timeouts are errors too, and DLQ refusals share their colour with the
# destination's: dashed with rings, so that the others show through.
ptype(m) = m eq "Timeouts" || m eq "DeadLetterErrors" ? 6 : 7
dtype(m) = m eq "Timeouts" || m eq "DeadLetterErrors" ? 2 : 1

TITLE = sprintf("Function %s: invocations per second (over each %s period); totals in brackets", NAME, PERIOD_TEXT)
if (ASYNC > 0) { @THREE_PANELS title TITLE font ",13" } else { @TWO_PANELS title TITLE font ",13" }

# Top: what ran.
set ylabel "invocations/s"
if (INVOKED > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
plot DATA using @TX:(rate("Invocations")) with @LINES lw 1.5 lc rgb C_INVOKED \
		title sprintf("invocations (%s)", count(INVOKED))

# Middle (bottom without async events): what went wrong, on a log axis
# (periods without any are left out). The notes are set outside the blocks:
# gnuplot 5.4 expands no macro of a block after an apostrophe in it.
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(has(FAILURES, "Errors") ? "\nErrors include timeouts." : "") . \
	(has(FAILURES, "Throttles") ? "\nThrottled requests did not\nrun (not in invocations)." : "")
if (words(FAILURES) == 0) { NOTE = "no errors, timeouts or throttles" }
if (ASYNC == 0) {
	set format x "% h"
	set xlabel sprintf("time (%s)", TUNIT)
}
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
		pt ptype(word(FAILURES, i)) dt dtype(word(FAILURES, i)) lc rgb colour(word(FAILURES, i)) \
		title sprintf("%s (%s)", label(word(FAILURES, i)), count(word(FAILURE_TOTALS, i) + 0))
	unset label 98
	unset logscale y
	set format y "% h"
}

# Bottom: asynchronous events, on a log axis (accepted events outnumber
# those sent on failure a hundredfold; periods without any are left out).
NOTE = "Log scale: a period\nwithout any is not drawn.\n" . \
	(has(ASYNC_SHOWN, "Retries") ? "" : "None retried.\n") . \
	(has(ASYNC_SHOWN, "SentOnFailure") ? "Sent on failure: to the DLQ\nor on-failure destination.\n" : \
		"None sent on failure.\n") . \
	(has(ASYNC_SHOWN, "Dropped") ? "" : "None dropped.\n") . \
	(has(ASYNC_SHOWN, "Errors") || has(ASYNC_SHOWN, "Failures") ? "" : "None refused by a dead-letter\nqueue or destination.\n") . \
	(has(ASYNC_SHOWN, "Failures") ? "Dest.: the on-failure\ndestination.\n" : "")
NOTE = NOTE[1:strlen(NOTE) - 1]     # without the last newline
if (ASYNC > 0) {
	set format x "% h"
	set xlabel sprintf("time (%s)", TUNIT)
	set ylabel "events/s (log scale)"
	set logscale y
	set yrange [rate_lo(ALO):decade_hi(AHI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(ASYNC_SHOWN)] DATA using @TX:(pos(rate(word(ASYNC_SHOWN, i)))) with @SPARSE lw 1.2 \
		pt ptype(word(ASYNC_SHOWN, i)) dt dtype(word(ASYNC_SHOWN, i)) lc rgb colour(word(ASYNC_SHOWN, i)) \
		title sprintf("%s (%s)", label(word(ASYNC_SHOWN, i)), count(word(ASYNC_TOTALS, i) + 0))
}
unset multiplot
