$s0 << EOD
1 18.36052917516536
EOD
$s1 << EOD
1 18.011810621386022
10 26.883494277539537
100 32.76780697699234
1000 57.082124784808634
EOD
$s2 << EOD
1 18.416162522930403
10 17.517381934489737
100 19.730103693751545
1000 23.15047851933025
EOD
$s3 << EOD
1 18.07602132010785
10 17.2465874657306
100 19.353841752839525
1000 25.757738387694555
EOD
$s4 << EOD
1 18.84702936928216
10 8.950782874739952
100 8.658378445826562
1000 12.685029610934755
EOD
$s5 << EOD
1 18.13054698566074
10 8.989625930652005
100 8.895761496747813
1000 11.761139368150507
EOD
set linetype 5 lc rgb '#c00000'
set title 'Server CPU per message, 64 B'
set xlabel 'connections'
set ylabel 'CPU µs per message (log)'
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
