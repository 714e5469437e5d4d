$s0 << EOD
1 26718.0
EOD
$s1 << EOD
1 27605.333333333332
10 37478.666666666664
100 32224.0
1000 29484.0
EOD
$s2 << EOD
1 28416.666666666668
10 56956.666666666664
100 51206.0
1000 44893.333333333336
EOD
$s3 << EOD
1 29268.666666666668
10 57698.0
100 53030.0
1000 42289.333333333336
EOD
$s4 << EOD
1 28808.666666666668
10 112122.0
100 116016.0
1000 71154.66666666667
EOD
$s5 << EOD
1 28589.333333333332
10 110659.33333333333
100 112542.66666666667
1000 85116.0
EOD
$s6 << EOD
100 100968.0
EOD
set linetype 5 lc rgb '#c00000'
set title 'Echo throughput, 64-byte messages'
set xlabel 'connections'
set ylabel 'messages/s'
set grid
set key outside right
set logscale x
set yrange [0:*]
plot $s0 using 1:2 with linespoints lw 2 lt 1 title 'iterative', \
  $s1 using 1:2 with linespoints lw 2 lt 2 title 'fork_per_conn', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'thread_per_conn', \
  $s3 using 1:2 with linespoints lw 2 lt 4 title 'thread_pool', \
  $s4 using 1:2 with linespoints lw 2 lt 5 title 'select_loop', \
  $s5 using 1:2 with linespoints lw 2 lt 6 title 'epoll_loop', \
  $s6 using 1:2 with linespoints lw 2 lt 7 title 'floor: minimal epoll echo'
