set xtics ('p50' 0, 'p90' 1, 'p99' 2, 'p99.9' 3, 'max' 4)
$s1 << EOD
0 28639.231
1 59113.471
2 105644.031
3 350470.043
4 350470.043
EOD
$s2 << EOD
0 24444.927
1 34996.223
2 70516.735
3 73138.175
4 75705.823
EOD
$s3 << EOD
0 24182.783
1 36306.943
2 46268.415
3 47841.279
4 78809.836
EOD
$s4 << EOD
0 845.823
1 9076.735
2 15630.335
3 30736.383
4 43468.869
EOD
$s5 << EOD
0 940.031
1 9011.199
2 16973.823
3 21692.415
4 24923.609
EOD
set linetype 5 lc rgb '#c00000'
set title 'Round-trip latency, 100 connections, 64 B'
set xlabel 'percentile'
set ylabel 'µs'
set grid
set key outside right

set logscale y
plot $s1 using 1:2 with linespoints lw 2 lt 2 title 'fork_per_conn', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'thread_per_conn', \
  $s3 using 1:2 with linespoints lw 2 lt 4 title 'thread_pool', \
  $s4 using 1:2 with linespoints lw 2 lt 5 title 'select_loop', \
  $s5 using 1:2 with linespoints lw 2 lt 6 title 'epoll_loop'
