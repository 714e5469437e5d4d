$mem << EOD
0 "iterative\n(served 1 of 500)" 0.01 0.01
1 "fork_per_conn" 1690.704 57.228
2 "thread_per_conn" 12.6 12.6
3 "thread_pool\n(served 16 of 500)" 0.192 0.192
4 "prefork\n(served 2 of 500)" 0.648 0.054
5 "select_loop" 4.232 4.232
6 "epoll_loop" 4.232 4.232
7 "epoll_reactors" 4.264 4.264
8 "io_uring_loop" 4.248 4.248
9 "coroutine_loop" 4.52 4.52
EOD
set title 'Memory per idle connection'
set ylabel 'KiB per connection (log)'
set logscale y
set grid ytics
set format y '%g'
set style data histogram
set style histogram clustered
set style fill solid 0.8
set boxwidth 0.9
set key top right
set bmargin 5
plot $mem using 3:xtic(2) title 'RSS', '' using 4 title 'PSS'
