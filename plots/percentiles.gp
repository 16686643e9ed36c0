# percentiles.gp - percentile series of one resource, period by period, on
# a log time axis: the body of queue-latency.gp and function-duration.gp,
# and the last panel of producer-calls.gp.
#
# A script calls it after common.gp (gnuplot variables are global, so what
# it set stays set), with no arguments:
#   _c = _s[1:_i] . "percentiles.gp"; call _c
# having set:
#   SERIES        the metrics to draw (columns "NAME/m"), in key order
#   UNIT          the CSV's unit in seconds: 1 for seconds, 0.001 for ms
#   label(m)      a series' text in the key
#   colour(m)     its colour
#   dashed(m)     1 for a series drawn dashed with rings, 0 for one drawn
#                 solid with dots (two groups, e.g. latency and wait)
#   TITLE         the plot's title ("" for none); YLABEL the y axis label
#   NO_SOLID      note lines added when no solid series has a value ("" for
#                 none: all series may be solid)
#   NO_DASHED     the same when no dashed series has a value
#   EMPTY_TEXT    shown mid-plot when no series has a value at all
#
# Inside a multiplot it draws the next panel: give it the TITLE "" (the
# multiplot's title says what it shows), set the x axis's format and label
# and "set yrange [*:*]" first (stats, which its scans use, drops points
# outside a y range left set). It leaves the y axis logarithmic with its
# own tics, and the band of zeros and the note set, so it must be the last
# panel.
#
# The y axis is logarithmic, in whole decades around the values > 0 (from
# half the lowest one when the smallest value is on it, as with rate_lo(),
# so that it stays off the x axis), with tics in us, ms, s, min, h or d. A
# log axis has no 0, so values of 0 are points in a grey band marked "0"
# below the axis, one row per series that has any, and the key says in how
# many periods each series was 0. Periods without samples are gaps; a
# series with no value at all is left out (and the notes say when a whole
# group is).

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
			LO = (LO == 0 || S_min * UNIT < LO) ? S_min * UNIT : LO
			HI = S_max * UNIT > HI ? S_max * UNIT : HI
		}
	}
}
nval(i) = word(NVAL, i) + 0
nzero(i) = word(NZERO, i) + 0

if (TITLE ne "") { set title TITLE font ",13" }
set ylabel YLABEL
set logscale y

# The log part of the axis: whole decades around the values > 0, from half
# the lowest one when the smallest value is on it (a constant 100 ms).
if (HI > 0) { AX_LO = rate_lo(LO); AX_HI = decade_hi(HI) } else { AX_LO = 0.001; AX_HI = 1 }
DECADES = log10(AX_HI / AX_LO)

# Tics: decades up to 10 s, then 1 min, 10 min, 1 h, 6 h, 1 d, 4 d, with
# minor tics at 2 and 5 per decade, labelled too when the axis spans at most
# two decades below 1 min.
dur(x) = x < 1e-3 ? sprintf("%g us", x * 1e6) : x < 1 ? sprintf("%g ms", x * 1e3) : \
	x < 60 ? sprintf("%g s", x) : x < 3600 ? sprintf("%g min", x / 60) : \
	x < 86400 ? sprintf("%g h", x / 3600) : sprintf("%g d", x / 86400)
inside(x) = x >= AX_LO * 0.999 && x <= AX_HI * 1.001
set ytics ("" 1e-30)
array MAJOR[14] = [1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 60, 600, 3600, 21600, 86400, 345600]
do for [i = 1:|MAJOR|] {
	if (inside(MAJOR[i])) { set ytics add (dur(MAJOR[i]) MAJOR[i]) }
}
do for [e = -6:5] {
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
NSOLID = 0; NDASHED = 0
do for [m in SHOWN] { NSOLID = NSOLID + !dashed(m); NDASHED = NDASHED + dashed(m) }
if (NSOLID == 0 && NO_SOLID ne "") { NOTE = NOTE . "\n" . NO_SOLID }
if (NDASHED == 0 && NO_DASHED ne "") { NOTE = NOTE . "\n" . NO_DASHED }
@KEY_NOTE

# Each series's zeros are its points in the band. The command is built as
# text: a series that is 0 in every period has points only, one without
# zeros a line only.
if (words(SHOWN) == 0) {
	set label 99 EMPTY_TEXT at graph 0.5, graph 0.5 center tc rgb "#666666"
	plot 1e30 notitle
} else {
	CMD = ""
	do for [i = 1:words(SHOWN)] {
		m = word(SHOWN, i)
		STYLE = sprintf("lc rgb '%s' pt %d", colour(m), 7 - dashed(m))
		T = "title '" . label(m) . (nzero(i) > 0 ? sprintf(" (0 in %d/%d)", nzero(i), nval(i)) : "") . "'"
		if (nzero(i) < nval(i)) {
			CMD = CMD . ", DATA using " . TX . ":(pos(val('" . m . "') * UNIT)) with " . SPARSE . \
				sprintf(" lw 1.3 dt %d ", 1 + dashed(m)) . STYLE . " " . T
			T = "notitle"
		}
		if (nzero(i) > 0) {
			CMD = CMD . ", DATA using " . TX . ":(val('" . m . "') == 0 ? zy(" . word(ZROW, i) . ") : NaN)" . \
				sprintf(" with points ps %g ", SPARSE_PS * 1.2) . STYLE . " " . T
		}
	}
	eval "plot " . CMD[3:]
}
