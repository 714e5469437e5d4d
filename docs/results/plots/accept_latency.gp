$s0 << EOD
1 69.887
10 550.911
100 5455.871
EOD
$s1 << EOD
1 2011.135
10 17760.255
100 204996.607
EOD
$s2 << EOD
1 178.687
10 1888.255
100 21168.127
EOD
$s3 << EOD
1 77.567
10 567.295
100 22085.631
EOD
$s4 << EOD
1 72.447
10 478.207
100 4341.759
EOD
$s5 << EOD
1 72.959
10 478.207
100 5160.959
EOD
set linetype 5 lc rgb '#c00000'
set title 'Connect to first echo, p50'
set xlabel 'concurrent connectors'
set ylabel 'µs'
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
