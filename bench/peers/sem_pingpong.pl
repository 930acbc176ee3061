#!/usr/bin/perl
# sem_pingpong.pl N: the C sem_pingpong with Perl's core IPC::Semaphore: a
# private set of two semaphores, the parent does V(0) P(1), the child
# P(0) V(1), N times.
use strict;
use warnings;
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT S_IRUSR S_IWUSR);
use IPC::Semaphore;
use POSIX ();

my $n = shift;
die "usage: $0 ITERATIONS\n" unless defined $n && $n =~ /^[1-9][0-9]*$/;

my $s = IPC::Semaphore->new(IPC_PRIVATE, 2, IPC_CREAT | S_IRUSR | S_IWUSR)
    or die "semget: $!\n";
sub cleanup { $s->remove if $s }
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { cleanup(); POSIX::_exit(1) };

my $pid = fork;
defined $pid or do { cleanup(); die "fork: $!\n" };
if ($pid == 0) {
    for (1 .. $n) {
        unless ($s->op(0, -1, 0)) { warn "child P: $!\n"; cleanup(); POSIX::_exit(1) }
        unless ($s->op(1, 1, 0))  { warn "child V: $!\n"; cleanup(); POSIX::_exit(1) }
    }
    POSIX::_exit(0);
}
for (1 .. $n) {
    $s->op(0, 1, 0)  or do { cleanup(); die "V: $!\n" };
    $s->op(1, -1, 0) or do { cleanup(); die "P: $!\n" };
}
waitpid($pid, 0);
my $status = $?;
cleanup();
die "child failed: status $status\n" if $status;
