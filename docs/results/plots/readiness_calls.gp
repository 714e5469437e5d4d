$s0 << EOD
1 1.503349957190956
10 1.7688332521351748
100 4.5701693566244295
1000 29.003310572687276
EOD
$s1 << EOD
1 1.3950458615999253
10 1.5038641719146209
100 3.6943426562397264
1000 26.775851963534375
EOD
$s2 << EOD
1 1.3587615013209438
10 1.3482415594508184
100 1.3945096168038325
1000 1.365557729689098
EOD
set linetype 5 lc rgb '#c00000'
set title 'One readiness call, one ready descriptor'
set xlabel 'watched descriptors'
set ylabel 'CPU µs per call'
set grid
set key outside right
set logscale x
set logscale y
plot $s0 using 1:2 with linespoints lw 2 lt 1 title 'select', \
  $s1 using 1:2 with linespoints lw 2 lt 2 title 'poll', \
  $s2 using 1:2 with linespoints lw 2 lt 3 title 'epoll_wait'
