$s0 << EOD
1 1918.0
EOD
$s1 << EOD
1 1952.6666666666667
10 8637.333333333334
100 4490.0
1000 1017.3333333333334
EOD
$s2 << EOD
1 1675.3333333333333
10 10511.333333333334
100 26554.0
1000 3898.0
EOD
$s3 << EOD
1 2214.0
10 11504.666666666666
100 26658.0
1000 6842.0
EOD
$s4 << EOD
1 2410.0
10 29955.333333333332
100 35425.333333333336
1000 43014.666666666664
EOD
$s5 << EOD
1 2093.3333333333335
10 26785.333333333332
100 33708.0
1000 42714.666666666664
EOD
$s6 << EOD
100 14712.666666666666
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
