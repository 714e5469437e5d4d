$s0 << EOD
1 26190.0
EOD
$s1 << EOD
1 27561.333333333332
10 47113.333333333336
100 30862.666666666668
1000 27862.666666666668
EOD
$s2 << EOD
1 26984.666666666668
10 60318.666666666664
100 53806.666666666664
1000 37920.0
EOD
$s3 << EOD
1 27509.333333333332
10 67678.0
100 54735.333333333336
1000 41096.666666666664
EOD
$s4 << EOD
1 26604.666666666668
10 102354.0
100 93252.0
1000 76240.66666666667
EOD
$s5 << EOD
1 26682.666666666668
10 100992.0
100 78996.0
1000 78274.0
EOD
$s6 << EOD
100 87003.33333333333
EOD
set linetype 5 lc rgb '#c00000'
set title 'Echo throughput, 4096-byte messages'
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
