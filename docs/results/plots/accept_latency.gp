$s0 << EOD
1 171.519
10 2285.567
100 46268.415
EOD
$s1 << EOD
1 4038.655
10 37355.519
100 529530.879
EOD
$s2 << EOD
1 420.863
10 3989.503
100 120848.383
EOD
$s3 << EOD
1 217.599
10 3039.231
100 24969.215
EOD
$s4 << EOD
1 175.615
10 772.095
100 11042.815
EOD
$s5 << EOD
1 172.543
10 751.615
100 14319.615
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
