# function-concurrency.gp - a Lambda function's concurrency and cold starts.
#
#   gnuplot -c function-concurrency.gp DATA FUNCTION IMAGE FORMAT LIMIT PROVISIONED
#
# DATA is a run's timeseries.csv, FUNCTION the function's name, IMAGE the
# file to write, FORMAT png or svg, LIMIT and PROVISIONED the function's
# ConcurrencyLimit and ProvisionedConcurrency (rows of summary.csv). Top
# panel: ConcurrentExecutions (the most invocations running at once in each
# period, INIT included) against the limit and, when there is any, the
# provisioned concurrency, as horizontal lines; a line far above the peak
# would flatten the data, so it is left out and its key says "above". Bottom
# panel, log scale: cold starts per second and, when any, invocations that
# spilled over from provisioned to on-demand environments.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4
if (ARGC < 6 || ARG5 eq "" || ARG6 eq "") {
	print "usage: gnuplot -c function-concurrency.gp DATA FUNCTION IMAGE png|svg LIMIT PROVISIONED"
	exit status 2
}
LIMIT = real(ARG5)
PROVISIONED = real(ARG6)

SCAN_COL = col("ConcurrentExecutions"); @SCAN; PEAK = S_max
SCAN_COL = col("ColdStarts"); @SCAN; COLD = S_sum
SCAN_COL = col("ProvisionedConcurrencySpilloverInvocations"); @SCAN; SPILLED = S_sum

# A line is drawn when it is at most OFF_SCALE times the peak, so that the
# peak keeps at least a quarter of the panel's height.
OFF_SCALE = 4
drawn(x) = x <= OFF_SCALE * (PEAK > 1 ? PEAK : 1)
SHOW_LIMIT = drawn(LIMIT)
SHOW_PROV = PROVISIONED > 0 && drawn(PROVISIONED)
TOP = PEAK
if (SHOW_LIMIT && LIMIT > TOP) { TOP = LIMIT }
if (SHOW_PROV && PROVISIONED > TOP) { TOP = PROVISIONED }
line_key(what, x) = drawn(x) ? sprintf("%s (%s)", what, count(x)) : sprintf("%s %s (above)", what, count(x))

@TWO_PANELS title sprintf("Function %s: concurrency and cold starts (maxima and rates over each %s period)", \
	NAME, PERIOD_TEXT) font ",13"

# Top: invocations running at once, against the limit.
set ylabel "invocations running at once"
set yrange [0:(TOP > 0 ? TOP * 1.12 : 1)]
if (TOP < 8) { set ytics 1 }      # whole invocations
set format x ""
unset xlabel
NOTE = "Limit: reserved concurrency, or\nthe account's unreserved pool\n" . \
	"(shared by the functions\nwithout a reservation)."
if (!SHOW_LIMIT || (PROVISIONED > 0 && !SHOW_PROV)) { NOTE = "Above: too far above the peak\nto draw.\n" . NOTE }
if (LIMIT == 0) { NOTE = "Limit 0: every request is\nthrottled." }
@KEY_NOTE
# The limit and provisioned lines; one above the plot is a key entry only.
LIMIT_KEY = line_key("limit", LIMIT)
PROV_KEY = PROVISIONED > 0 ? line_key("provisioned", PROVISIONED) : ""
LIMIT_STYLE = "lw 2 dt (8,4) lc rgb C_LIMIT"
PROV_STYLE = "lw 2 dt (2,3) lc rgb C_PROVISIONED"
REF_LINES = "(SHOW_LIMIT ? LIMIT : NaN) with lines " . LIMIT_STYLE . " title (SHOW_LIMIT ? LIMIT_KEY : ''), " . \
	"keyentry with lines " . LIMIT_STYLE . " title (SHOW_LIMIT ? '' : LIMIT_KEY), " . \
	"(SHOW_PROV ? PROVISIONED : NaN) with lines " . PROV_STYLE . " title (SHOW_PROV ? PROV_KEY : ''), " . \
	"keyentry with lines " . PROV_STYLE . " title (SHOW_PROV ? '' : PROV_KEY)"
set style fill solid 0.35 noborder
if (NROWS > 3) {
	plot DATA using @TX:(val("ConcurrentExecutions")) with filledcurves y1=0 lc rgb C_RUNNING \
			title "running" . peak(PEAK), \
	     DATA using @TX:(val("ConcurrentExecutions")) with lines lw 1 lc rgb C_RUNNING notitle, \
	     @REF_LINES
} else {
	plot DATA using @TX:(val("ConcurrentExecutions")) with @LINES lw 1.5 lc rgb C_RUNNING \
			title "running" . peak(PEAK), \
	     @REF_LINES
}
unset label 98

# Bottom: cold starts and spillover, on a log axis (periods without any are
# left out).
set ytics autofreq
set format x "% h"
set xlabel sprintf("time (%s)", TUNIT)
if (COLD + SPILLED == 0) {
	set ylabel "per second"
	NOTE = PROVISIONED > 0 ? "no cold starts and no spillover:\nprovisioned concurrency ran everything" : \
		"no cold starts"
	@EMPTY_PANEL
} else {
	LO = 0; HI = 0
	SCAN_RATE = 1
	do for [m in "ColdStarts ProvisionedConcurrencySpilloverInvocations"] {
		SCAN_COL = col(m)
		eval SCAN
		if (S_pos > 0) {
			LO = (LO == 0 || S_min < LO) ? S_min : LO
			HI = S_max > HI ? S_max : HI
		}
	}
	SCAN_RATE = 0
	set ylabel "per second (log scale)"
	set logscale y
	set yrange [rate_lo(LO):decade_hi(HI)]
	set format y "%g"
	NOTE = "Log scale: a period\nwithout any is not drawn."
	if (SPILLED > 0) {
		NOTE = "Spillover: invocations run on\non-demand environments, all\nprovisioned ones being busy.\n" . NOTE
	}
	if (PROVISIONED > 0 && SPILLED == 0) { NOTE = NOTE . "\nNo spillover: provisioned\nconcurrency ran everything." }
	@KEY_NOTE
	plot DATA using @TX:(pos(rate("ColdStarts"))) with @SPARSE pt 7 lw 1.2 lc rgb C_COLD \
			title sprintf("cold starts (%s)", count(COLD)), \
	     DATA using @TX:(pos(rate("ProvisionedConcurrencySpilloverInvocations"))) with @SPARSE pt 7 lw 1.2 \
			lc rgb C_SPILLOVER \
			title (SPILLED > 0 ? sprintf("spillover (%s)", count(SPILLED)) : "")
}
unset multiplot
