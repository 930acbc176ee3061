#!/usr/bin/perl
# msg_pingpong.pl N: the C msg_pingpong with Perl's core IPC::Msg: N round
# trips of a 1-byte message, parent sends type 1 and receives type 2.
# IPC_PRIVATE: Perl truncates keys >= 0x80000000, and a private queue
# cannot collide with anyone's.
use strict;
use warnings;
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT S_IRUSR S_IWUSR);
use IPC::Msg;
use POSIX ();

my $n = shift;
die "usage: $0 ITERATIONS\n" unless defined $n && $n =~ /^[1-9][0-9]*$/;

my $q = IPC::Msg->new(IPC_PRIVATE, IPC_CREAT | S_IRUSR | S_IWUSR)
    or die "msgget: $!\n";
my $parent = $$;
# Removed on every way out of the parent (die, SIGTERM/SIGINT); a failing
# child removes it too, which wakes the parent with EIDRM.
sub cleanup { $q->remove if $q }
$SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { cleanup(); POSIX::_exit(1) };

my $pid = fork;
defined $pid or do { cleanup(); die "fork: $!\n" };
if ($pid == 0) {
    my $buf;
    for (1 .. $n) {
        unless (defined $q->rcv($buf, 1, 1, 0)) { warn "child msgrcv: $!\n"; cleanup(); POSIX::_exit(1) }
        unless ($q->snd(2, "y", 0)) { warn "child msgsnd: $!\n"; cleanup(); POSIX::_exit(1) }
    }
    POSIX::_exit(0);
}
my $buf;
for (1 .. $n) {
    $q->snd(1, "x", 0) or do { cleanup(); die "msgsnd: $!\n" };
    defined $q->rcv($buf, 1, 2, 0) or do { cleanup(); die "msgrcv: $!\n" };
}
waitpid($pid, 0);
my $status = $?;
cleanup();
die "child failed: status $status\n" if $status;
