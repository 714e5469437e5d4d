$s0 << EOD
1 80.127 63.615 86.271
10 587.775 496.639 645.119
100 6406.143 5128.191 7028.735
EOD
$s1 << EOD
1 1527.807 1429.503 1961.983
10 16842.751 14450.687 17367.039
100 163053.567 147324.927 168296.447
EOD
$s2 << EOD
1 148.991 147.967 178.687
10 1798.143 1470.463 1839.103
100 18808.831 12419.071 20381.695
EOD
$s3 << EOD
1 81.663 81.151 124.159
10 526.335 472.063 890.879
100 5259.263 4833.279 6930.431
EOD
$s4 << EOD
1 81.151 68.863 112.895
10 608.255 486.399 636.927
100 6209.535 5881.855 6701.055
EOD
$s5 << EOD
1 81.151 71.423 82.687
10 583.679 431.103 600.063
100 5423.103 3416.063 5423.103
EOD
$s6 << EOD
1 80.127 69.375 82.687
10 620.543 431.103 686.079
100 6569.983 3678.207 6832.127
EOD
$s7 << EOD
1 80.127 69.375 82.175
10 731.135 506.879 735.231
100 5062.655 4767.743 6832.127
EOD
$s8 << EOD
1 86.783 70.911 88.831
10 727.039 504.831 755.711
100 5521.407 5292.031 7454.719
EOD
$s9 << EOD
1 81.663 69.887 81.663
10 657.407 451.583 673.791
100 5062.655 4407.295 6668.287
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
  $s4 using 1:2:3:4 with yerrorlines lw 2 lt 5 title 'prefork', \
  $s5 using 1:2:3:4 with yerrorlines lw 2 lt 6 title 'select_loop', \
  $s6 using 1:2:3:4 with yerrorlines lw 2 lt 7 title 'epoll_loop', \
  $s7 using 1:2:3:4 with yerrorlines lw 2 lt 8 title 'epoll_reactors', \
  $s8 using 1:2:3:4 with yerrorlines lw 2 lt 9 title 'io_uring_loop', \
  $s9 using 1:2:3:4 with yerrorlines lw 2 lt 10 title 'coroutine_loop'
