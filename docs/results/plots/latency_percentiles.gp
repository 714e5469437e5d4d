set xtics ('p50' 0, 'p90' 1, 'p99' 2, 'p99.9' 3, 'max' 4)
$s1 << EOD
0 1798.143
1 2596.863
2 10387.455
3 342884.351
4 1699496.925
EOD
$s2 << EOD
0 1765.375
1 1937.407
2 5292.031
3 10649.599
4 615915.716
EOD
$s3 << EOD
0 1732.607
1 1912.831
2 4898.815
3 8683.519
4 126643.052
EOD
$s4 << EOD
0 2052.095
1 2957.311
2 11173.887
3 104071.167
4 1310926.947
EOD
$s5 << EOD
0 722.943
1 1265.663
2 1552.383
3 2596.863
4 5215.046
EOD
$s6 << EOD
0 1208.319
1 1347.583
2 1708.031
3 3039.231
4 4803.385
EOD
$s7 << EOD
0 600.063
1 1708.031
2 4669.439
3 8486.911
4 9060.25
EOD
$s8 << EOD
0 808.959
1 899.071
2 1535.999
3 1740.799
4 3794.638
EOD
$s9 << EOD
0 739.327
1 1282.047
2 1544.191
3 2842.623
4 4787.223
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
  $s4 using 1:2 with linespoints lw 2 lt 5 title 'prefork', \
  $s5 using 1:2 with linespoints lw 2 lt 6 title 'select_loop', \
  $s6 using 1:2 with linespoints lw 2 lt 7 title 'epoll_loop', \
  $s7 using 1:2 with linespoints lw 2 lt 8 title 'epoll_reactors', \
  $s8 using 1:2 with linespoints lw 2 lt 9 title 'io_uring_loop', \
  $s9 using 1:2 with linespoints lw 2 lt 10 title 'coroutine_loop'
