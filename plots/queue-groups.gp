# queue-groups.gp - a FIFO queue's message groups.
#
#   gnuplot -c queue-groups.gp DATA QUEUE IMAGE FORMAT
#
# DATA is a run's timeseries.csv, QUEUE a FIFO queue's name, IMAGE the file
# to write, FORMAT png or svg. Top panel: message groups over each period:
# active (a visible or in-flight message, time average), locked (a message
# in flight: ApproximateNumberOfGroupsWithInflightMessages at the end of the
# period) and stalled (visible messages waiting behind an in-flight one,
# time average: the group-seconds of stall per second). Bottom panel, log
# scale: whichever of deduplicated sends, throttled sends and receives,
# moves to the dead-letter queue and out-of-order processings happened, per
# second (periods without any are left out, as a note says). Run totals
# are in the key.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("ActiveGroups"); @SCAN; ACTIVE_MAX = S_max
SCAN_COL = col("ApproximateNumberOfGroupsWithInflightMessages"); @SCAN; LOCKED_MAX = S_max
SCAN_COL = col("StalledGroups"); @SCAN; STALLED_MAX = S_max; STALL_SECONDS = S_sum * PERIOD

CANDIDATES = "NumberOfDeduplicatedSentMessages ThrottledSends ThrottledReceives MessagesMovedToDLQ OutOfOrderProcessing"
EXTRAS = ""
TOTALS = ""
LO = 0; HI = 0
do for [m in CANDIDATES] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_pos > 0) {
		EXTRAS = EXTRAS . " " . m
		TOTALS = TOTALS . " " . sprintf("%.0f", S_sum)
		SCAN_RATE = 1
		eval SCAN
		SCAN_RATE = 0
		LO = (LO == 0 || S_min < LO) ? S_min : LO
		HI = S_max > HI ? S_max : HI
	}
}
label(m) = m eq "NumberOfDeduplicatedSentMessages" ? "deduplicated" : \
	m eq "ThrottledSends" ? "throttled sends" : \
	m eq "ThrottledReceives" ? "throttled receives" : \
	m eq "MessagesMovedToDLQ" ? "moved to DLQ" : \
	m eq "OutOfOrderProcessing" ? "out of order" : m
colour(m) = m eq "NumberOfDeduplicatedSentMessages" ? C_DUPS : \
	m eq "ThrottledSends" ? C_THROTTLED : \
	m eq "ThrottledReceives" ? C_EMPTY : \
	m eq "MessagesMovedToDLQ" ? C_DLQ : C_STALE

@TWO_PANELS title sprintf("FIFO queue %s: message groups (over each %s period); peaks and totals in brackets", NAME, PERIOD_TEXT) font ",13"

# Top: groups active, locked and stalled.
set ylabel "message groups"
if (ACTIVE_MAX + LOCKED_MAX > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
NOTE = sprintf("Active, stalled: means\nover each period; locked:\nat its end. Stalled: visible\nmessages behind an in-\nflight one (about %s\ngroup-seconds in all).", count(STALL_SECONDS))
@KEY_NOTE
plot DATA using @TX:(val("ActiveGroups")) with @LINES lw 1.5 lc rgb C_SENT \
		title "active" . peak(ACTIVE_MAX), \
     DATA using @TX:(val("ApproximateNumberOfGroupsWithInflightMessages")) with @LINES lw 1.5 lc rgb C_INFLIGHT \
		title "locked" . peak(LOCKED_MAX), \
     DATA using @TX:(val("StalledGroups")) with @LINES lw 1.5 lc rgb C_DLQ dt (6,3) \
		title "stalled" . peak(STALLED_MAX)
unset label 98

# Bottom: the FIFO events, on a log axis.
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
if (words(EXTRAS) == 0) {
	set ylabel "per second"
	NOTE = "no deduplicated sends, throttles,\ndead-letter moves or out-of-order processings"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	NOTE = "Log scale: a period\nwithout any is not drawn."
	@KEY_NOTE
	plot for [i = 1:words(EXTRAS)] DATA using @TX:(pos(rate(word(EXTRAS, i)))) with @SPARSE pt 7 lw 1.2 \
		lc rgb colour(word(EXTRAS, i)) \
		title sprintf("%s (%s)", label(word(EXTRAS, i)), count(word(TOTALS, i) + 0))
}
unset multiplot
