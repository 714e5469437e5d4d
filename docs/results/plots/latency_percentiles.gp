set xtics ('p50' 0, 'p90' 1, 'p99' 2, 'p99.9' 3, 'max' 4)
$s1 << EOD
0 1921.023
1 2940.927
2 11239.423
3 493879.295
4 1772196.291
EOD
$s2 << EOD
0 1601.535
1 2564.095
2 7159.807
3 12353.535
4 601804.249
EOD
$s3 << EOD
0 1576.959
1 2367.487
2 6733.823
3 10190.847
4 90971.625
EOD
$s4 << EOD
0 800.767
1 1298.431
2 1609.727
3 2809.855
4 6972.337
EOD
$s5 << EOD
0 829.439
1 1265.663
2 1593.343
3 3727.359
4 6047.943
EOD
set linetype 5 lc rgb '#c00000'
set title 'Round-trip latency, 100 connections, 64 B'
set xlabel 'percentile'
set ylabel 'round trip (log)'
set grid
set key outside below center horizontal maxrows 3 samplen 2
set ytics ('10 ns' 0.01, '100 ns' 0.1, '1 µs' 1, '10 µs' 10, '100 µs' 100, '1 ms' 1000.0, '10 ms' 10000.0, '100 ms' 100000.0, '1 s' 1000000.0, '10 s' 10000000.0)
set logscale y
set offsets graph 0.03, graph 0.03
plot $s1 using 1:2 with linespoints lw 2 lt 2 title 'fork_per_conn', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'thread_per_conn', \
  $s3 using 1:2 with linespoints lw 2 lt 4 title 'thread_pool', \
  $s4 using 1:2 with linespoints lw 2 lt 5 title 'select_loop', \
  $s5 using 1:2 with linespoints lw 2 lt 6 title 'epoll_loop'
