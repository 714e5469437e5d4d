$s0 << EOD
1 1.2844448606621226
10 1.4679402766763647
100 3.5365121713893966
1000 25.57837549664938
EOD
$s1 << EOD
1 1.2175105881316632
10 1.439481363228581
100 3.562517879834562
1000 24.76925679426378
EOD
$s2 << EOD
1 1.2353749466008015
10 1.2788079230192473
100 1.3186792168674706
1000 1.3025050379904115
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
