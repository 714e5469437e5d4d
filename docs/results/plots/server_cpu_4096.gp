$s0 << EOD
1 18.976613427118124
EOD
$s1 << EOD
1 19.083451957295914
10 21.332211623911675
100 34.17671117306188
1000 57.29951986380618
EOD
$s2 << EOD
1 19.361139662047854
10 16.538795087551154
100 18.548682336917032
1000 26.98570589582012
EOD
$s3 << EOD
1 19.148785711399633
10 14.679093368861224
100 18.635304631884075
1000 27.647992096814093
EOD
$s4 << EOD
1 19.846286338430392
10 9.82976891057831
100 10.88836887859622
1000 13.991541559066887
EOD
$s5 << EOD
1 18.767319416220364
10 9.743073629995605
100 11.635173783679388
1000 12.21287183792369
EOD
set linetype 5 lc rgb '#c00000'
set title 'Server CPU per message, 4096 B'
set xlabel 'connections'
set ylabel 'CPU µs per message (log)'
set grid
set key outside right
set logscale x
set logscale y
plot $s0 using 1:2 with linespoints lw 2 lt 1 title 'iterative', \
  $s1 using 1:2 with linespoints lw 2 lt 2 title 'fork_per_conn', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'thread_per_conn', \
  $s3 using 1:2 with linespoints lw 2 lt 4 title 'thread_pool', \
  $s4 using 1:2 with linespoints lw 2 lt 5 title 'select_loop', \
  $s5 using 1:2 with linespoints lw 2 lt 6 title 'epoll_loop'
