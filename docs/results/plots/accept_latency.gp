$s0 << EOD
1 69.887 65.791 70.911
10 550.911 521.215 571.391
100 5455.871 5193.727 7159.807
EOD
$s1 << EOD
1 2011.135 1535.999 2400.255
10 17760.255 15892.479 23789.567
100 204996.607 179830.783 292552.703
EOD
$s2 << EOD
1 178.687 146.943 223.743
10 1888.255 1773.567 2252.799
100 21168.127 14057.471 28901.375
EOD
$s3 << EOD
1 77.567 72.447 94.975
10 567.295 550.911 591.871
100 22085.631 22085.631 23003.135
EOD
$s4 << EOD
1 72.447 68.863 74.495
10 478.207 459.775 498.687
100 4341.759 4022.271 5849.087
EOD
$s5 << EOD
1 72.959 71.423 75.519
10 478.207 449.535 694.271
100 5160.959 4440.063 6766.591
EOD
set linetype 5 lc rgb '#c00000'
set title 'Connect to first echo, p50'
set xlabel 'concurrent connectors'
set ylabel 'connect to first echo (log)'
set grid
set key outside below center horizontal maxrows 3 samplen 2
set format x '%.0s%c'
set ytics ('10 ns' 0.01, '100 ns' 0.1, '1 µs' 1, '10 µs' 10, '100 µs' 100, '1 ms' 1000.0, '10 ms' 10000.0, '100 ms' 100000.0, '1 s' 1000000.0, '10 s' 10000000.0)
set logscale x
set logscale y
set offsets graph 0.03, graph 0.03
plot $s0 using 1:2:3:4 with yerrorlines lw 2 lt 1 title 'iterative', \
  $s1 using 1:2:3:4 with yerrorlines lw 2 lt 2 title 'fork_per_conn', \
  $s2 using 1:2:3:4 with yerrorlines lw 2 lt 3 title 'thread_per_conn', \
  $s3 using 1:2:3:4 with yerrorlines lw 2 lt 4 title 'thread_pool', \
  $s4 using 1:2:3:4 with yerrorlines lw 2 lt 5 title 'select_loop', \
  $s5 using 1:2:3:4 with yerrorlines lw 2 lt 6 title 'epoll_loop'
