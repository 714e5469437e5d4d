$s0 << EOD
1 1.2910288654976445
10 1.5550660356551407
100 3.7985073242317773
1000 27.770989634620392
EOD
$s1 << EOD
1 1.3778524879167715
10 1.5488800050569862
100 3.716813630381639
1000 25.920406104563273
EOD
$s2 << EOD
1 1.2947519583552336
10 1.346477985715031
100 1.3010068714956253
1000 1.2632577866096546
EOD
set linetype 5 lc rgb '#c00000'
set title 'One readiness call, one ready descriptor'
set xlabel 'watched descriptors'
set ylabel 'CPU time per call (log)'
set grid
set key outside below center horizontal maxrows 3 samplen 2
set format x '%.0s%c'
set ytics ('10 ns' 0.01, '100 ns' 0.1, '1 µs' 1, '10 µs' 10, '100 µs' 100, '1 ms' 1000.0, '10 ms' 10000.0, '100 ms' 100000.0, '1 s' 1000000.0, '10 s' 10000000.0)
set logscale x
set logscale y
set offsets graph 0.03, graph 0.03
plot $s0 using 1:2 with linespoints lw 2 lt 1 title 'select', \
  $s1 using 1:2 with linespoints lw 2 lt 2 title 'poll', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'epoll_wait'
