# queue-depth.gp - a queue's depth and the age of its oldest message.
#
#   gnuplot -c queue-depth.gp DATA QUEUE IMAGE FORMAT
#
# DATA is a run's timeseries.csv, QUEUE the queue's name, IMAGE the file to
# write, FORMAT png or svg. Top panel: messages visible, in flight (received,
# not yet deleted) and delayed at the end of each metrics period, with each
# one's peak in the key; bottom panel: ApproximateAgeOfOldestMessage.

_s = ARG0; _i = strlen(_s); while (_i > 0 && _s[_i:_i] ne "/") { _i = _i - 1 }
_c = _s[1:_i] . "common.gp"; call _c ARG1 ARG2 ARG3 ARG4

SCAN_COL = col("ApproximateNumberOfMessagesVisible"); @SCAN; VIS_MAX = S_max
SCAN_COL = col("ApproximateNumberOfMessagesNotVisible"); @SCAN; INF_MAX = S_max
SCAN_COL = col("ApproximateNumberOfMessagesDelayed"); @SCAN; DEL_MAX = S_max

@TWO_PANELS title sprintf("Queue %s: depth and age of the oldest message", NAME) font ",13"

# Top: the three gauges.
set ylabel "messages"
if (VIS_MAX + INF_MAX + DEL_MAX > 0) { set yrange [0:*] } else { set yrange [0:1] }
set format x ""
unset xlabel
plot DATA using @TX:(val("ApproximateNumberOfMessagesVisible")) with @LINES lw 1.5 lc rgb C_VISIBLE \
		title "visible" . peak(VIS_MAX), \
     DATA using @TX:(val("ApproximateNumberOfMessagesNotVisible")) with @LINES lw 1.5 lc rgb C_INFLIGHT \
		title "in flight" . peak(INF_MAX), \
     DATA using @TX:(val("ApproximateNumberOfMessagesDelayed")) with @LINES lw 1.5 lc rgb C_DELAYED \
		title "delayed" . peak(DEL_MAX)

# Bottom: age of the oldest message.
AGE_COL = col("ApproximateAgeOfOldestMessage"); AGE_KEY = "oldest message\n"
@AGE_PANEL
unset multiplot
