$s0 << EOD
1 3814.0
EOD
$s1 << EOD
1 3170.0
10 5776.666666666667
100 3083.3333333333335
1000 1102.0
EOD
$s2 << EOD
1 3901.3333333333335
10 7414.0
100 3955.3333333333335
1000 3004.0
EOD
$s3 << EOD
1 4126.0
10 8032.0
100 4196.666666666667
1000 6025.333333333333
EOD
$s4 << EOD
1 3283.3333333333335
10 20646.666666666668
100 32396.0
1000 21764.0
EOD
$s5 << EOD
1 2294.0
10 19917.333333333332
100 29693.333333333332
1000 17247.333333333332
EOD
$s6 << EOD
100 17698.0
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
