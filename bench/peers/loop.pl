#!/usr/bin/perl
# loop.pl N: `$x += 1` N times, the interpreter-overhead reference for
# `quiet repeat N { x += 1 }`.
use strict;
use warnings;

my $n = shift;
die "usage: $0 ITERATIONS\n" unless defined $n && $n =~ /^[1-9][0-9]*$/;
my $x = 0;
for (1 .. $n) {
    $x += 1;
}
die "x is $x, want $n\n" unless $x == $n;
