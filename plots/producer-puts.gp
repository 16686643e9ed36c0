# producer-puts.gp - a producer's records put to a Kinesis stream.
#
#   gnuplot -c producer-puts.gp DATA PRODUCER IMAGE FORMAT STREAM ATTEMPTS RETRIES QUOTA
#
# DATA is a run's timeseries.csv, PRODUCER the producer's name, IMAGE the
# file to write, FORMAT png or svg, STREAM the stream it puts to, ATTEMPTS,
# RETRIES and QUOTA its summary.csv rows Attempts (PutRecord or PutRecords
# requests, retries included), Retries and RetryQuotaExhausted (retries the
# retry quota refused), which a note gives. Each per-period sum is divided
# by its period (the time since the previous row). Top panel: records the
# producer made per second (MessagesProduced); bottom panel, log scale:
# whichever of throttled records (ThrottledAttempts: records the stream
# refused, each retry counts), give-ups (GiveUps: records still throttled
# after the retry policy's last attempt) and records refused for their size
# (SendsRejected) happened (periods without any are left out, as a note
# says). Run totals are in the key.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
STREAM = ARGC >= 5 ? ARG5 : "?"
ATTEMPTS = ARGC >= 6 ? ARG6 + 0 : 0
RETRIES = ARGC >= 7 ? ARG7 + 0 : 0
QUOTA = ARGC >= 8 ? ARG8 + 0 : 0

SCAN_COL = col("MessagesProduced"); @SCAN; PRODUCED = S_sum

# The failures that occur, and their totals; LO and HI: the smallest and
# largest rate > 0 among them.
FAILURES = ""
FAILURE_TOTALS = ""
LO = 0; HI = 0
do for [m in "ThrottledAttempts GiveUps SendsRejected"] {
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
label(m) = m eq "ThrottledAttempts" ? "throttled" : m eq "GiveUps" ? "given up" : \
	m eq "SendsRejected" ? "too large" : m
colour(m) = m eq "ThrottledAttempts" ? C_THROTTLED : m eq "GiveUps" ? C_DROPPED : C_REFUSED
has(list, m) = strstrt(list, m) > 0
GAVE_UP = 0
do for [i = 1:words(FAILURES)] {
	if (word(FAILURES, i) eq "GiveUps") { GAVE_UP = word(FAILURE_TOTALS, i) + 0 }
}

TITLE = sprintf("Producer %s: records put to stream %s, per second over each %s period; totals in brackets", \
	NAME, STREAM, PERIOD_TEXT)
@TWO_PANELS title TITLE font ",13"

# Top: the records made.
set ylabel "records/s"
if (PRODUCED > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
NOTE = sprintf("%s requests (PutRecord\nor PutRecords), %s of them\nretries; the retry quota\nrefused %s retries.", \
	count(ATTEMPTS), count(RETRIES), count(QUOTA))
@KEY_NOTE
plot DATA using @TX:(rate("MessagesProduced")) with @LINES lw 1.5 lc rgb C_SENT \
		title sprintf("produced (%s)", count(PRODUCED))
unset label 98

# Bottom: the throttles, on a log axis (periods without any are left out).
# The notes are set outside the blocks: gnuplot 5.4 expands no macro of a
# block after an apostrophe in it.
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(has(FAILURES, "Throttled") ? "\nThrottled: records the\nstream refused; each\nretry counts." : "") . \
	(has(FAILURES, "GiveUps") ? sprintf("\nGiven up: still throttled\nafter the last attempt\n(%.1f%% of those produced).", \
		PRODUCED > 0 ? 100.0 * GAVE_UP / PRODUCED : 0) : "") . \
	(has(FAILURES, "Rejected") ? "\nToo large: over the 1 MiB\nlimit of a record." : "")
if (words(FAILURES) == 0) { NOTE = "no records throttled, given up or refused" }
if (words(FAILURES) == 0) {
	set ylabel "records/s"
	@EMPTY_PANEL
} else {
	set ylabel "records/s (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	@KEY_NOTE
	plot for [i = 1:words(FAILURES)] DATA using @TX:(pos(rate(word(FAILURES, i)))) with @SPARSE lw 1.2 \
		pt 7 lc rgb colour(word(FAILURES, i)) \
		title sprintf("%s (%s)", label(word(FAILURES, i)), count(word(FAILURE_TOTALS, i) + 0))
}
unset multiplot
