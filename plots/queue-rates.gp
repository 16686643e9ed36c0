# queue-rates.gp - a queue's traffic, per second.
#
#   gnuplot -c queue-rates.gp DATA QUEUE IMAGE FORMAT
#
# DATA is a run's timeseries.csv, QUEUE the queue's name, IMAGE the file to
# write, FORMAT png or svg. Each per-period sum is divided by its period
# (the time since the previous row). Top panel: messages sent, received and
# deleted per second; bottom panel, log scale: whichever of empty receives,
# moves to the dead-letter queue, expiries, purges, redrives, duplicate
# deliveries and stale deletes happened at all (periods without any are
# left out, as a note says). Run totals are in the key.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("NumberOfMessagesSent"); @SCAN; SENT = S_sum
SCAN_COL = col("NumberOfMessagesReceived"); @SCAN; RECEIVED = S_sum
SCAN_COL = col("NumberOfMessagesDeleted"); @SCAN; DELETED = S_sum

# The rarer events: those that occur, and their totals.
CANDIDATES = "NumberOfEmptyReceives MessagesMovedToDLQ MessagesExpired MessagesPurged MessagesRedriven DuplicateDeliveries StaleDeletes"
EXTRAS = ""
TOTALS = ""
LO = 0; HI = 0      # smallest and largest rate > 0 among them
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
label(m) = m eq "NumberOfEmptyReceives" ? "empty receives" : \
	m eq "MessagesMovedToDLQ" ? "moved to DLQ" : \
	m eq "MessagesExpired" ? "expired" : \
	m eq "MessagesPurged" ? "purged" : \
	m eq "MessagesRedriven" ? "redriven out" : \
	m eq "DuplicateDeliveries" ? "duplicates" : \
	m eq "StaleDeletes" ? "stale deletes" : m
colour(m) = m eq "NumberOfEmptyReceives" ? C_EMPTY : \
	m eq "MessagesMovedToDLQ" ? C_DLQ : \
	m eq "MessagesExpired" ? C_EXPIRED : \
	m eq "MessagesPurged" ? C_PURGED : \
	m eq "MessagesRedriven" ? C_REDRIVEN : \
	m eq "DuplicateDeliveries" ? C_DUPS : C_STALE

@TWO_PANELS title sprintf("Queue %s: rates per second (over each %s period); totals in brackets", NAME, PERIOD_TEXT) font ",13"

# Top: the message flow.
set ylabel "messages/s"
if (SENT + RECEIVED + DELETED > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
plot DATA using @TX:(rate("NumberOfMessagesSent")) with @LINES lw 1.5 lc rgb C_SENT \
		title sprintf("sent (%s)", count(SENT)), \
     DATA using @TX:(rate("NumberOfMessagesReceived")) with @LINES lw 1.5 lc rgb C_RECEIVED \
		title sprintf("received (%s)", count(RECEIVED)), \
     DATA using @TX:(rate("NumberOfMessagesDeleted")) with @LINES lw 1.5 lc rgb C_DELETED dt (6,3) \
		title sprintf("deleted (%s)", count(DELETED))

# Bottom: the rarer events, on a log axis (periods without any are left out).
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
if (words(EXTRAS) == 0) {
	set ylabel "per second"
	NOTE = "no empty receives, dead-letter moves, expiries, purges,\nredrives, duplicate deliveries or stale deletes"
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
