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
# with no value at all is left out, and a note says so.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

MS = 0.001          # the CSV's unit, in seconds
SERIES = "Duration.p50 Duration.p90 Duration.p99 Duration.max InitDuration.p50 InitDuration.p99"
SHOWN = ""          # the series with a value in some period, and for each:
NVAL = ""           #   periods with a value,
NZERO = ""          #   periods with the value 0,
ZROW = ""           #   its row in the band of zeros (0: none)
ZROWS = 0
LO = 0; HI = 0      # smallest and largest value > 0 among them, in seconds
do for [m in SERIES] {
	SCAN_COL = col(m)
	eval SCAN
	if (S_n > 0) {
		SHOWN = SHOWN . " " . m
		NVAL = NVAL . sprintf(" %d", S_n)
		NZERO = NZERO . sprintf(" %d", S_n - S_pos)
		ZROWS = ZROWS + (S_n > S_pos)
		ZROW = ZROW . sprintf(" %d", S_n > S_pos ? ZROWS : 0)
		if (S_pos > 0) {
			LO = (LO == 0 || S_min * MS < LO) ? S_min * MS : LO
			HI = S_max * MS > HI ? S_max * MS : HI
		}
	}
}
nval(i) = word(NVAL, i) + 0
nzero(i) = word(NZERO, i) + 0
label(m) = m eq "Duration.p50" ? "p50" : \
	m eq "Duration.p90" ? "p90" : \
	m eq "Duration.p99" ? "p99" : \
	m eq "Duration.max" ? "max" : \
	m eq "InitDuration.p50" ? "INIT p50" : \
	m eq "InitDuration.p99" ? "INIT p99" : m
init(m) = m[1:4] eq "Init"
colour(m) = m eq "InitDuration.p50" ? C_WAIT50 : m eq "InitDuration.p99" ? C_WAIT99 : \
	m[strlen(m)-2:] eq "p50" ? C_P50 : m[strlen(m)-2:] eq "p90" ? C_P90 : \
	m[strlen(m)-2:] eq "p99" ? C_P99 : C_MAX

set title sprintf("Function %s: duration per %s period\n%s", NAME, PERIOD_TEXT, \
	"(duration: the handler's run time, INIT excluded; INIT: the cold starts' initialisation)") font ",13"
set ylabel "time (log scale)"
set logscale y

# The log part of the axis: whole decades around the values > 0.
if (HI > 0) { AX_LO = decade_lo(LO); AX_HI = decade_hi(HI) } else { AX_LO = 0.001; AX_HI = 1 }
DECADES = log10(AX_HI / AX_LO)

# Tics: decades up to 10 s, then 1 min, 10 min, 1 h, with minor tics at 2
# and 5 per decade, labelled too when the axis spans at most two decades
# below 1 min (a function runs 15 minutes at most).
dur(x) = x < 1e-3 ? sprintf("%g us", x * 1e6) : x < 1 ? sprintf("%g ms", x * 1e3) : \
	x < 60 ? sprintf("%g s", x) : x < 3600 ? sprintf("%g min", x / 60) : sprintf("%g h", x / 3600)
inside(x) = x >= AX_LO * 0.999 && x <= AX_HI * 1.001
set ytics ("" 1e-30)
array MAJOR[11] = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 60, 600, 3600]
do for [i = 1:|MAJOR|] {
	if (inside(MAJOR[i])) { set ytics add (dur(MAJOR[i]) MAJOR[i]) }
}
do for [e = -6:3] {
	do for [f = 2:5:3] {
		_x = f * 10.0 ** e
		if (inside(_x)) {
			if (DECADES <= 2 && _x < 60) { set ytics add (dur(_x) _x) } else { set ytics add ("" _x 1) }
		}
	}
}

# The band of zeros: below the log part, a gap (where the y axis breaks)
# and the band, its fractions of the plot's height growing with its rows.
if (ZROWS > 0) {
	BAND = 0.04 + 0.025 * ZROWS
	GAP = 0.045
	BELOW = DECADES * (BAND + GAP) / (1 - BAND - GAP)    # decades below AX_LO
	Y0 = AX_LO / 10 ** BELOW
	ZTOP = Y0 * 10 ** (BELOW * BAND / (BAND + GAP))
	zy(r) = ZTOP / 10 ** (BELOW * BAND / (BAND + GAP) * (r - 0.5) / ZROWS)   # row r from the top
	set object 1 rectangle from graph 0, first Y0 to graph 1, first ZTOP behind \
		fillcolor rgb "#ebebeb" fillstyle solid 1.0 noborder
	set border 1      # the y axis as two lines, broken between band and log scale
	set arrow 1 from graph 0, graph 0 to graph 0, first ZTOP nohead lc rgb "black" lw 1 front
	set arrow 2 from graph 0, first AX_LO to graph 0, graph 1 nohead lc rgb "black" lw 1 front
	set ytics add ("0" sqrt(Y0 * ZTOP))
	set yrange [Y0:AX_HI]
	NOTE = "Grey band (0): periods where the\nvalue was 0, which a log axis\ncannot show; one row per series.\n0 in N/M: 0 in N of the M periods\nwith samples. Gaps: periods\nwithout samples."
} else {
	set yrange [AX_LO:AX_HI]
	NOTE = "Gaps: periods without samples."
}
if (strstrt(SHOWN, " Duration.") == 0) { NOTE = NOTE . "\nNo invocation ended:\nno duration." }
if (strstrt(SHOWN, "Init") == 0) { NOTE = NOTE . "\nNo cold start: no INIT." }
@KEY_NOTE

if (words(SHOWN) == 0) {
	set label 99 "no invocation ended and no cold start" at graph 0.5, graph 0.5 center tc rgb "#666666"
	plot 1e30 notitle
	exit
}
# Duration solid with dots, INIT dashed with rings; each series's zeros as
# its points in the band. The command is built as text: a series that is 0
# in every period has points only, one without zeros a line only.
CMD = ""
do for [i = 1:words(SHOWN)] {
	m = word(SHOWN, i)
	STYLE = sprintf("lc rgb '%s' pt %d", colour(m), 7 - init(m))
	T = "title '" . label(m) . (nzero(i) > 0 ? sprintf(" (0 in %d/%d)", nzero(i), nval(i)) : "") . "'"
	if (nzero(i) < nval(i)) {
		CMD = CMD . ", DATA using " . TX . ":(pos(val('" . m . "') * MS)) with " . SPARSE . \
			sprintf(" lw 1.3 dt %d ", 1 + init(m)) . STYLE . " " . T
		T = "notitle"
	}
	if (nzero(i) > 0) {
		CMD = CMD . ", DATA using " . TX . ":(val('" . m . "') == 0 ? zy(" . word(ZROW, i) . ") : NaN)" . \
			sprintf(" with points ps %g ", SPARSE_PS * 1.2) . STYLE . " " . T
	}
}
eval "plot " . CMD[3:]
