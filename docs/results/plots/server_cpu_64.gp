$s0 << EOD
1 89.87159533073928
EOD
$s1 << EOD
1 91.36008935219691
10 56.372252470256186
100 166.78349120432924
1000 890.5517368130846
EOD
$s2 << EOD
1 94.98902685532758
10 30.83240349819057
100 49.65924855491471
1000 135.63815789473637
EOD
$s3 << EOD
1 95.49164446597239
10 34.16091232475415
100 50.268439337252246
1000 94.84774390734466
EOD
$s4 << EOD
1 93.32888814802463
10 9.635587323676383
100 8.961329443395607
1000 12.940919425891682
EOD
$s5 << EOD
1 105.3556994818653
10 10.306014896077004
100 9.224510080256316
1000 13.802082341364066
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
