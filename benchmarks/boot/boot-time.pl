#!/usr/bin/perl
# Times one VMM boot: seconds from exec to the first console line containing MARKER
# (the level-3 init's first line), seconds to the VMM's exit (the guest's power-off),
# its exit status, its peak RSS (GNU time's %M, KiB) and the CPU time it used (user + system,
# all threads and children, GNU time's %U + %S). The console goes to LOG.
#
#   boot-time.pl MARKER LOG command args...
#
# Prints one line: first_line_s=<s> exit_s=<s> rc=<status> maxrss_kib=<KiB> cpu_s=<s>
# (first_line_s=none when the marker never came).
use strict;
use warnings;
use Time::HiRes qw(time);

my ($marker, $log, @command) = @ARGV;
die "usage: boot-time.pl MARKER LOG command...\n" unless defined $log && @command;
my $rss_file = "$log.rss";
open(my $out, '>', $log) or die "$log: $!\n";
my $t0 = time();
# GNU time adds one fork and exec before the VMM's own; its output goes to a file.
open(my $vmm, '-|', '/usr/bin/time', '-f', '%M %U %S', '-o', $rss_file, @command) or die "cannot run $command[0]: $!\n";
my $first;
while (my $line = <$vmm>) {
    $first = time() - $t0 if !defined $first && index($line, $marker) >= 0;
    print $out $line;
}
close($vmm);
my $status = $? >> 8;
my $end = time() - $t0;
close($out);
open(my $rss, '<', $rss_file) or die "$rss_file: $!\n";
my @lines = <$rss>;
close($rss);
my ($kib, $user, $system) = split(' ', $lines[-1] // 'none');
$kib //= 'none';
my $cpu = defined $system ? sprintf('%.3f', $user + $system) : 'none';
printf "first_line_s=%s exit_s=%.3f rc=%d maxrss_kib=%s cpu_s=%s\n", defined $first ? sprintf('%.3f', $first) : 'none', $end, $status, $kib, $cpu;
