# sweep.gp - one statistic of a sweep against its first swept parameter.
#
#   gnuplot -c sweep.gp DATA METRIC IMAGE FORMAT UNIT XNAME XNUMERIC LINES NOTE
#
# DATA is a tab-separated file weir writes for the plot (and removes after
# it), one block per line of the plot, blocks separated by two blank lines,
# rows in the order of the first parameter's values:
#   line  x-index  x  mean  ci_low  ci_high  x-label  line-label
# (line and x-index from 0; x is the parameter's value when XNUMERIC is 1,
# else the x-index: the values are then categories in configuration order).
# METRIC is RES/STAT, IMAGE the file to write, FORMAT png or svg, UNIT
# sweep.csv's unit of the statistic (seconds and milliseconds are drawn in
# ms, s, min or h, a fraction in %), XNAME the first parameter, LINES what
# tells the lines apart (the other parameters' names; "" for one line), NOTE
# a second title line. The bars are the confidence interval of the mean;
# with several lines each is shifted a little sideways so that their bars
# do not hide each other.

if (ARGC < 7 || ARG4 eq "") {
	print "usage: gnuplot -c sweep.gp DATA METRIC IMAGE png|svg UNIT XNAME XNUMERIC [LINES [NOTE]]"
	exit status 2
}
DATA = ARG1
METRIC = ARG2
IMAGE = ARG3
FORMAT = ARG4
UNIT = ARG5
XNAME = ARG6
XNUMERIC = int(ARG7)
LINES_NAME = ARGC >= 8 ? ARG8 : ""
NOTE = ARGC >= 9 ? ARG9 : ""

# --- Output (as common.gp's, which is for time series) ----------------------
if (FORMAT eq "svg") {
	set terminal svg size 1000,600 dynamic noenhanced font "DejaVu Sans,12" \
		linewidth 1.5 background "white"
} else {
	if (FORMAT ne "png") {
		print sprintf("unknown format '%s' (png or svg)", FORMAT)
		exit status 2
	}
	set terminal pngcairo size 1000,600 noenhanced font "DejaVu Sans,11" \
		linewidth 1.5 background "white"
}
set output IMAGE
set datafile separator "\t"

# --- The data: lines, x values and labels, the y extent ----------------------
# (one column at a time: two-column stats fits a line and warns about few points)
stats DATA using 1 nooutput
NS = int(STATS_max) + 1
stats DATA using 2 nooutput
NX = int(STATS_max) + 1
stats DATA using 3 nooutput
XMIN = STATS_min
XMAX = STATS_max
stats DATA using 5 nooutput
YLO = STATS_min
stats DATA using 6 nooutput
YHI = STATS_max
array XV[NX]
array XL[NX]
array SL[NS]
stats DATA using (XV[int($2) + 1] = $3, XL[int($2) + 1] = strcol(7), SL[int($1) + 1] = strcol(8), 0) nooutput

# --- The y unit ----------------------------------------------------------------
# DIV: what a value is divided by to be in YUNIT.
VMAX = abs(YHI) > abs(YLO) ? abs(YHI) : abs(YLO)
secs_div(s) = s < 1 ? 0.001 : s <= 300 ? 1 : s <= 7200 ? 60 : 3600
secs_unit(s) = s < 1 ? "ms" : s <= 300 ? "s" : s <= 7200 ? "min" : "h"
if (UNIT eq "seconds" || UNIT eq "milliseconds") {
	_base = UNIT eq "milliseconds" ? 1000 : 1
	DIV = _base * secs_div(VMAX / _base)
	YUNIT = secs_unit(VMAX / _base)
} else { if (UNIT eq "fraction") {
	DIV = 0.01; YUNIT = "%"
} else { if (UNIT eq "dollars") {
	DIV = 1; YUNIT = "$"
} else {
	DIV = 1; YUNIT = UNIT
} } }
_slash = strlen(METRIC); while (_slash > 0 && METRIC[_slash:_slash] ne "/") { _slash = _slash - 1 }
STAT = METRIC[_slash + 1:]
RES = _slash > 1 ? METRIC[1:_slash - 1] : METRIC
set ylabel (YUNIT ne "" ? sprintf("%s (%s)", STAT, YUNIT) : STAT)
# Zero in view when it is near: a bar's length then reads against the value.
# Otherwise the axis ends near the data (fix), lest it stretch to a round
# tic far off (a utilisation to 110 %).
if (YLO >= 0 && YLO < 0.4 * YHI) { set yrange [0:*] } else { set autoscale yfix }
set offsets 0, 0, graph 0.08, graph 0.05

# --- The x axis ----------------------------------------------------------------
# SPACING: the mean distance between neighbouring values; a line's points
# move sideways by at most a quarter of it.
SPACING = NX > 1 ? (XMAX - XMIN) / (NX - 1) : (XMAX != 0 ? abs(XMAX) * 0.2 : 1)
STEP = NS > 1 ? SPACING * (0.5 / NS < 0.08 ? 0.5 / NS : 0.08) : 0
dx(s) = (s - (NS - 1) / 2.0) * STEP
set xrange [XMIN - SPACING * 0.5:XMAX + SPACING * 0.5]
set xlabel XNAME
if (XNUMERIC && NX > 20) {
	set xtics autofreq
} else {
	set xtics ()
	do for [i = 1:NX] { set xtics add (XL[i] XV[i]) }
}
set xtics nomirror
set ytics nomirror
set border 3
set grid xtics ytics lc rgb "#dddddd" lw 0.7 lt 1
set tics out scale 0.8, 0.5
set bars 1.5

# --- Title, key ------------------------------------------------------------------
set title sprintf("%s: %s against %s%s", RES, STAT, XNAME, NOTE ne "" ? "\n" . NOTE : "") font ",13"
set lmargin at screen 0.09
set rmargin at screen 0.75
set tmargin at screen (strstrt(NOTE, "\n") > 0 ? 0.84 : 0.87)   # room for a third title line
set bmargin at screen 0.11
set key at screen 0.77, graph 1 left top vertical Left reverse samplen 2.5 spacing 1.2
if (LINES_NAME ne "") { set key title LINES_NAME left font ",10.5" }
set label 98 "Points: the mean over\nthe replications; bars:\nits confidence interval." \
	at screen 0.77, graph 0 left front font ",9.5" tc rgb "#555555" offset 0, 1.8
PAL = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #17becf"
colour(s) = word(PAL, s % 8 + 1)
PTS = "7 5 9 11 13 15 4 6"
ptype(s) = int(word(PTS, s % 8 + 1))

plot for [s = 0:NS - 1] DATA index s using ($3 + dx(s)):($4 / DIV):($5 / DIV):($6 / DIV) \
	with yerrorlines lw 1.5 pt ptype(s) ps 1.1 lc rgb colour(s) \
	title (LINES_NAME ne "" ? SL[s + 1] : "mean")
