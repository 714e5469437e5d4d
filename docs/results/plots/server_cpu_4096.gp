$s0 << EOD
1 103.04311583788758
EOD
$s1 << EOD
1 103.37900056148119
10 48.52197990018493
100 113.07792893937307
1000 1285.8421772428908
EOD
$s2 << EOD
1 102.86651656481148
10 34.99616777783589
100 27.705245275005375
1000 111.51556059356885
EOD
$s3 << EOD
1 104.98985286656232
10 34.007013529645995
100 28.054829159985218
1000 86.68596368715087
EOD
$s4 << EOD
1 101.853432282005
10 11.15770101925217
100 11.328349953379625
1000 13.549989603221118
EOD
$s5 << EOD
1 99.66905660377279
10 11.502556876292667
100 10.782488088663877
1000 13.340433511559095
EOD
set linetype 5 lc rgb '#c00000'
set title 'Server CPU per message, 4096 B'
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
