# topic.gp - an SNS topic's publishes and its subscriptions' deliveries.
#
#   gnuplot -c topic.gp DATA TOPIC IMAGE FORMAT NSUBS SUBS
#
# DATA is a run's timeseries.csv, TOPIC the topic's name, IMAGE the file to
# write, FORMAT png or svg, NSUBS the number of the topic's subscriptions
# and SUBS the names of the first 100 of them (weir plot passes no more),
# joined by ',': a subscription's columns are "TOPIC.SUB/Metric", and its
# name holds no ',' or '/'. Each per-period sum is divided by its period
# (the time since the previous row). Four panels:
#   1. Messages published per second (NumberOfMessagesPublished, a grey
#      area) and, one line per subscription, notifications delivered per
#      second (NumberOfNotificationsDelivered); with more than 8
#      subscriptions, the 8 that delivered most.
#   2. On a log scale, for each subscription, whichever of failed delivery
#      attempts (NumberOfNotificationsFailed: each retry counts), retries
#      (DeliveryRetries), messages sent to its dead-letter queue
#      (NotificationsRedrivenToDlq), dropped (NotificationsDropped) and
#      filtered out (NumberOfNotificationsFilteredOut) happened, and the
#      topic's publishes refused as too large (PublishesTooLarge); colour
#      tells the metric, the point and a key line the subscription. The
#      worst subscriptions come first (sent to the dead-letter queue or
#      dropped, then failed, then only filtered out), up to 8 key lines.
#      Notes name what happened nowhere and the subscriptions that had none.
#   3. DeliveriesPending (deliveries waiting for a retry at the end of each
#      period) of each subscription that had any (the 8 highest peaks), or
#      a note.
#   4. DeliveryDelay (publish to delivery; 0 without a retry) p50, p99 and
#      max of the subscription with the longest delay, on a log axis
#      (percentiles.gp draws it, so it is the last panel); a note gives the
#      longest of the others.
# A subscription has the same colour in panels 1 and 3. Run totals and
# peaks are in the keys.

HEIGHT = 1000
_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
TOPIC = NAME
NSUBS = ARGC >= 5 ? ARG5 + 0 : 0
SUBS = ARGC >= 6 ? ARG6 : ""

# --- The subscriptions: SUB[1..N], their names -----------------------------------
N = 0
_r = SUBS
while (strlen(_r) > 0) {
	N = N + 1
	_p = strstrt(_r, ",")
	_r = _p > 0 ? _r[_p + 1:] : ""
}
array SUB[N > 0 ? N : 1]
_r = SUBS
if (N > 0) {
	do for [i = 1:N] {
		_p = strstrt(_r, ",")
		SUB[i] = _p > 0 ? _r[1:_p - 1] : _r
		_r = _p > 0 ? _r[_p + 1:] : ""
	}
}
sc(i, m) = TOPIC . "." . SUB[i] . "/" . m                        # subscription i's metric m
srate(i, m) = column(sc(i, m)) / period(column("time_s"))      # its per-period sum, per second

# A list of subscription indices: "TOP = ''; RK_K = k; RK_MIN = v; @RANK" sets
# TOP to the (at most) RK_K indices j with RK[j] >= RK_MIN, largest first.
array RK[N > 0 ? N : 1]
RANK = "TOP = ''; do for [_k = 1:RK_K] { _b = 0; _bv = 0; \
do for [_j = 1:N] { if (RK[_j] >= RK_MIN && (_b == 0 || RK[_j] > _bv) && \
strstrt(TOP . ' ', sprintf(' %d ', _j)) == 0) { _b = _j; _bv = RK[_j] } }; \
if (_b > 0) { TOP = TOP . sprintf(' %d', _b) } }"
SHOW_MAX = 8        # lines per panel

# Their colours: SLOT[i] in the palette, distinct for those panel 1 draws.
PALETTE = "#1f77b4 #ff7f0e #2ca02c #9467bd #17becf #8c564b #e377c2 #bcbd22"
array SLOT[N > 0 ? N : 1]
subcolour(i) = word(PALETTE, SLOT[i])
POINTS = "7 5 9 11 13 15 3 1"
subpoint(i) = i == 0 ? 6 : word(POINTS, (i - 1) % 8 + 1) + 0     # 0: the topic itself

# --- Scans ------------------------------------------------------------------------
SCAN_COL = col("NumberOfMessagesPublished"); @SCAN; PUBLISHED = S_sum
array DELIVERED[N > 0 ? N : 1]
array PEND[N > 0 ? N : 1]       # peak of DeliveriesPending
array DMAX[N > 0 ? N : 1]       # longest DeliveryDelay.max; -1 if nothing was delivered
array TROUBLE[N > 0 ? N : 1]    # the worst of panel 2 that happened: 0 none, 1 filtered, 2 failed, 3 lost
if (N > 0) {
	do for [i = 1:N] {
		SCAN_COL = sc(i, "NumberOfNotificationsDelivered"); eval SCAN; DELIVERED[i] = S_sum
		SCAN_COL = sc(i, "DeliveriesPending"); eval SCAN; PEND[i] = S_max
		SCAN_COL = sc(i, "DeliveryDelay.max"); eval SCAN; DMAX[i] = S_n > 0 ? S_max : -1
		TROUBLE[i] = 0
	}
}

# Panel 1 draws SHOW1: all subscriptions in their order if they fit, else
# the busiest. The others take the palette's colours over again.
if (N <= SHOW_MAX) {
	SHOW1 = ""
	do for [i = 1:N] { SHOW1 = SHOW1 . sprintf(" %d", i) }
} else {
	do for [i = 1:N] { RK[i] = DELIVERED[i] }
	RK_K = SHOW_MAX; RK_MIN = 0; @RANK; SHOW1 = TOP
}
if (N > 0) {
	do for [i = 1:N] { SLOT[i] = (i - 1) % 8 + 1 }
	do for [k = 1:words(SHOW1)] { SLOT[word(SHOW1, k) + 0] = k }
}

# Panel 2: the series that happened, as subscription (0: the topic) and
# metric, with their totals; LO and HI: the smallest and largest rate > 0.
# The subscriptions come worst first: those that sent to a dead-letter queue
# or dropped, then those that failed, then those that only filtered out.
METRICS = "NumberOfNotificationsFailed DeliveryRetries NotificationsRedrivenToDlq NotificationsDropped NumberOfNotificationsFilteredOut"
SER_SUB = ""; SER_MET = ""; SER_TOT = ""
HAPPENED = ""       # the metrics that happened anywhere
LO = 0; HI = 0
SCAN_COL = col("PublishesTooLarge"); @SCAN
if (S_pos > 0) {
	SER_SUB = " 0"; SER_MET = " PublishesTooLarge"; SER_TOT = sprintf(" %.0f", S_sum)
	HAPPENED = " PublishesTooLarge"
	SCAN_RATE = 1; @SCAN; SCAN_RATE = 0
	LO = S_min; HI = S_max
}
array SMET[N > 0 ? N : 1]       # a subscription's metrics that happened
array STOT[N > 0 ? N : 1]       # and their totals
severity(m) = m eq "NumberOfNotificationsFilteredOut" ? 1 : \
	m eq "NotificationsRedrivenToDlq" || m eq "NotificationsDropped" ? 3 : 2
if (N > 0) {
	do for [i = 1:N] {
		SMET[i] = ""; STOT[i] = ""
		do for [m in METRICS] {
			SCAN_COL = sc(i, m)
			eval SCAN
			if (S_pos > 0) {
				SMET[i] = SMET[i] . " " . m
				STOT[i] = STOT[i] . sprintf(" %.0f", S_sum)
				TROUBLE[i] = severity(m) > TROUBLE[i] ? severity(m) : TROUBLE[i]
				if (strstrt(HAPPENED . " ", " " . m . " ") == 0) { HAPPENED = HAPPENED . " " . m }
				SCAN_RATE = 1
				eval SCAN
				SCAN_RATE = 0
				LO = (LO == 0 || S_min < LO) ? S_min : LO
				HI = S_max > HI ? S_max : HI
			}
		}
	}
	do for [sev = 3:1:-1] {
		do for [i = 1:N] {
			if (TROUBLE[i] == sev) {
				do for [k = 1:words(SMET[i])] {
					SER_SUB = SER_SUB . sprintf(" %d", i)
					SER_MET = SER_MET . " " . word(SMET[i], k)
					SER_TOT = SER_TOT . " " . word(STOT[i], k)
				}
			}
		}
	}
}
NSER = words(SER_MET)
ROWS_MAX = 8        # of the key: series and the lines naming their subscriptions
label(m) = m eq "NumberOfNotificationsFailed" ? "failed" : m eq "DeliveryRetries" ? "retries" : \
	m eq "NotificationsRedrivenToDlq" ? "to DLQ" : m eq "NotificationsDropped" ? "dropped" : \
	m eq "NumberOfNotificationsFilteredOut" ? "filtered out" : m eq "PublishesTooLarge" ? "publishes too large" : \
	m eq "DeliveryDelay.p50" ? "p50" : m eq "DeliveryDelay.p99" ? "p99" : m eq "DeliveryDelay.max" ? "max" : m
colour(m) = m eq "NumberOfNotificationsFailed" ? C_THROTTLED : m eq "DeliveryRetries" ? C_RETRIED : \
	m eq "NotificationsRedrivenToDlq" ? C_DLQ : m eq "NotificationsDropped" ? C_DROPPED : \
	m eq "NumberOfNotificationsFilteredOut" ? C_EMPTY : m eq "PublishesTooLarge" ? C_TIMEOUT : \
	m eq "DeliveryDelay.p50" ? C_P50 : m eq "DeliveryDelay.p99" ? C_P99 : C_MAX
dashtype(m) = m eq "DeliveryRetries" ? 2 : 1     # retries dashed: they often equal the failures

# Words joined by ", " in lines of at most about 30 characters, for notes:
# "WRAP_IN = 'a b c'; @WRAP" sets WRAP_OUT (WRAP_FIRST: the first line's
# lead, counted in its length). Words are labels here, or subscription
# indices when WRAP_SUBS is 1.
WRAP_SUBS = 0
WRAP_FIRST = 0
WRAP = "WRAP_OUT = ''; _wl = WRAP_FIRST; do for [_w in WRAP_IN] { \
_t = WRAP_SUBS ? SUB[_w + 0] : label(_w); \
if (WRAP_OUT eq '') { WRAP_OUT = _t; _wl = _wl + strlen(_t) } else { \
if (_wl + 2 + strlen(_t) > 30) { WRAP_OUT = WRAP_OUT . ',\n' . _t; _wl = strlen(_t) } else { \
WRAP_OUT = WRAP_OUT . ', ' . _t; _wl = _wl + 2 + strlen(_t) } } }"

TITLE = sprintf("Topic %s: %s messages published", TOPIC, count(PUBLISHED)) . \
	(NSUBS == 0 ? ", no subscriptions\n" : sprintf(" to %d subscription%s\n", NSUBS, NSUBS == 1 ? "" : "s")) . \
	sprintf("rates per second over each %s period; totals in brackets", PERIOD_TEXT)
@FOUR_PANELS title TITLE font ",13"
set format x ""
unset xlabel

# --- 1: published and delivered per second ---------------------------------------------
set ylabel "messages/s"
set yrange [0:*]
NOTE = "Each line: a subscription's\ndeliveries (sends to its\nqueue, or events its function's\nasync queue took)." . \
	(N > words(SHOW1) ? sprintf("\n%d subscriptions with fewer\ndeliveries are not drawn.", \
		N - words(SHOW1)) : "") . \
	(NSUBS > N ? sprintf("\nThe first %d of %d\nsubscriptions are read.", N, NSUBS) : "")
if (words(SHOW1) > 5) {   # a smaller key, and only what must be said
	set key font ",9" spacing 1.0
	NOTE = N > words(SHOW1) ? sprintf("%d subscriptions with\nfewer deliveries are\nnot drawn.", N - words(SHOW1)) : ""
	NOTE = NOTE . (NSUBS > N ? sprintf("\nThe first %d of %d\nsubscriptions are read.", N, NSUBS) : "")
}
if (N == 0) { NOTE = "no subscriptions: the\npublishes went nowhere" }
@KEY_NOTE
set style fill solid 1.0 noborder
# Built as text, as a plot for over no subscriptions would still read one.
CMD = "plot DATA using " . TX . ":(rate('NumberOfMessagesPublished')) with " . \
	(NROWS > 3 ? "filledcurves y1=0 lc rgb '#dddddd'" : LINES . " lw 3 lc rgb '#bbbbbb'") . \
	" title sprintf('published (%s)', count(PUBLISHED))"
if (N > 0) {
	CMD = CMD . ", for [k = 1:words(SHOW1)] DATA using " . TX . \
		":(srate(word(SHOW1, k) + 0, 'NumberOfNotificationsDelivered')) with " . \
		(NROWS > 3 ? "lines" : LINES) . " lw 1.5 lc rgb subcolour(word(SHOW1, k) + 0) " . \
		"title sprintf('%s (%s)', SUB[word(SHOW1, k) + 0], count(DELIVERED[word(SHOW1, k) + 0]))"
}
eval CMD
unset label 98
set key font "" spacing 1.15

# --- 2: what did not go through, on a log axis (periods without any are left out) -----
# The notes are set outside the blocks: gnuplot 5.4 expands no macro of a
# block after an apostrophe in it.
# The plot command, built as text: the series of each subscription under a
# key line that names it (names are not pasted in: they may hold quotes).
CMD = ""
_prev = -1
ROWS = 0            # of the key
NDRAWN = 0
do for [k = 1:NSER] {
	_si = word(SER_SUB, k) + 0
	_m = word(SER_MET, k)
	_head = _si != _prev && _si != 0     # the topic's own series has no heading
	if (ROWS + _head + 1 <= ROWS_MAX) {
		if (_head) {
			CMD = CMD . ", keyentry with points ps 0 title " . sprintf("(SUB[%d])", _si)
			ROWS = ROWS + 1
			_prev = _si
		}
		CMD = CMD . ", DATA using " . TX . ":(pos(" . \
			(_si == 0 ? "rate('" . _m . "')" : sprintf("srate(%d, '%s')", _si, _m)) . "))" . \
			sprintf(" with %s lw %g pt %d dt %d lc rgb '%s' title '%s (%s)'", SPARSE, \
				_m eq "NumberOfNotificationsFailed" ? 2.5 : 1.2, subpoint(_si), dashtype(_m), \
				colour(_m), label(_m), count(word(SER_TOT, k) + 0))
		ROWS = ROWS + 1
		NDRAWN = NDRAWN + 1
	}
}
NONE = ""
do for [m in METRICS] { if (strstrt(HAPPENED . " ", " " . m . " ") == 0) { NONE = NONE . " " . m } }
WRAP_IN = NONE; WRAP_FIRST = 6; @WRAP; NONE_TEXT = WRAP_OUT
CLEAN = ""          # subscriptions without any
if (N > 0) { do for [i = 1:N] { if (!TROUBLE[i]) { CLEAN = CLEAN . sprintf(" %d", i) } } }
WRAP_IN = CLEAN; WRAP_FIRST = 13; WRAP_SUBS = 1; @WRAP; WRAP_SUBS = 0; CLEAN_TEXT = WRAP_OUT
NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(strstrt(HAPPENED, "Failed") > 0 ? "\nFailed: each attempt counts." : "") . \
	(words(NONE) > 0 ? "\nNone: " . NONE_TEXT . "." : "") . \
	(words(CLEAN) > 0 ? "\nWithout any: " . CLEAN_TEXT . "." : "") . \
	(NSER > NDRAWN ? sprintf("\n%d more series not drawn.", NSER - NDRAWN) : "")
if (ROWS > 5) { NOTE = "Log scale: a period\nwithout any is not drawn." . \
	(NSER > NDRAWN ? sprintf("\n%d more series not drawn.", NSER - NDRAWN) : "") }
if (NSER == 0) {
	WRAP_IN = METRICS; WRAP_FIRST = 0; @WRAP
	NOTE = N > 0 ? "nothing failed or was filtered out; none of:\n" . WRAP_OUT : "no subscriptions"
}
if (NSER == 0) {
	set ylabel "per second"
	@EMPTY_PANEL
} else {
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	if (ROWS >= 5) { set key font ",9" spacing 1.0 }     # a smaller key fits above the note
	@KEY_NOTE
	eval "plot " . CMD[3:]
	unset label 98
	set key font "" spacing 1.15
	unset logscale y
	set format y "% h"
}
set yrange [*:*]      # percentiles.gp's scans would reject their 0 otherwise

# --- 3: deliveries waiting for a retry -------------------------------------------------
if (N > 0) { do for [i = 1:N] { RK[i] = PEND[i] } }
RK_K = SHOW_MAX; RK_MIN = 1e-300; @RANK; SHOW3 = TOP
NPEND = 0
if (N > 0) { do for [i = 1:N] { NPEND = NPEND + (PEND[i] > 0) } }
set ylabel "deliveries pending"
NOTE = "Pending: waiting for a\nretry (FIFO: or behind\none) at the period end." . \
	(NPEND > words(SHOW3) ? sprintf("\n%d with lower peaks\nare not drawn.", NPEND - words(SHOW3)) : "")
if (NPEND == 0) { NOTE = N > 0 ? "no delivery waited for a retry" : "no subscriptions" }
if (NPEND == 0) {
	@EMPTY_PANEL
} else {
	set yrange [0:*]
	@KEY_NOTE
	plot for [k = 1:words(SHOW3)] DATA using @TX:(column(sc(word(SHOW3, k) + 0, "DeliveriesPending"))) \
		with @LINES lw 1.5 lc rgb subcolour(word(SHOW3, k) + 0) \
		title SUB[word(SHOW3, k) + 0] . peak(PEND[word(SHOW3, k) + 0])
	unset label 98
	set yrange [*:*]
}

# --- 4: the delivery delay of the subscription with the longest -------------------------
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
WORST = 0
if (N > 0) { do for [i = 1:N] { if (DMAX[i] > 0 && (WORST == 0 || DMAX[i] > DMAX[WORST])) { WORST = i } } }
ANY = 0
if (N > 0) { do for [i = 1:N] { ANY = ANY || DMAX[i] >= 0 } }
NDELAYED = 0
if (N > 0) { do for [i = 1:N] { NDELAYED = NDELAYED + (DMAX[i] > 0) } }
if (WORST == 0) {
	set ylabel "delivery delay"
	NOTE = ANY ? "no delivery waited for a retry:\nevery delay was 0" : "nothing was delivered"
	@EMPTY_PANEL
} else {
	NAME = TOPIC . "." . SUB[WORST]     # percentiles.gp reads the columns NAME/m
	SERIES = "DeliveryDelay.p50 DeliveryDelay.p99 DeliveryDelay.max"
	UNIT = 1            # the CSV holds seconds
	dashed(m) = 0
	TITLE = ""          # the multiplot's title says it
	YLABEL = "delivery delay (log scale)"
	set key title "to " . SUB[WORST] . (NDELAYED > 1 ? sprintf(", the longest of %d", NDELAYED) : "") left
	NO_SOLID = ""
	NO_DASHED = ""
	EMPTY_TEXT = "nothing was delivered"
	_c = _s[1:_i] . "percentiles.gp"; call _c
	set key title ""
}
unset multiplot
