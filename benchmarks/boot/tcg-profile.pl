#!/usr/bin/perl
# Where the software CPU's time goes: reads `perf script -F ip,sym,dso` of a perf record
# of emu -accel tcg (published NativeAOT emu, so symbols come from emu.dbg next to it)
# and counts each sample's innermost frame in one of a few groups. Prints percentages.
#
#   perf record -F 2000 -g -o perf.data -- emu -accel tcg ... && perf script -i perf.data -F ip,sym,dso | perl tcg-profile.pl
use strict;
use warnings;

my @groups = (
    # Host code the JIT tier generated (its double-mapped memfd).
    ['compiled guest code', sub { $_[1] =~ /memfd:emu:jit/ }],
    ['host kernel', sub { $_[1] =~ /kernel/ }],
    # Finding the next block: the jump cache, the block dictionary, the self-modifying-code
    # check on the block's bytes, entering and leaving generated code.
    ['dispatch (block lookup, entry, exit)', sub { $_[0] =~ /FindBlock|BlockKey|Dictionary_2<Emu_Accel_Emu_Accel_Tcg_BlockKey|RunNative|StepJit|X86Cpu__Step$|RunLoop|JumpCache|CompareLong|IsCurrent|SequenceEqual|CpuJit__Link|NextBlock|Remember|PackJitFlags|UnpackJitFlags|RefreshJitMirrors|SetArithmeticFlags|GetRflags/ }],
    ['JIT compile', sub { $_[0] =~ /CodeEmitter|Iced_Iced_Intel_Encoder|BlockCompiler|Iced_Intel_Instruction__|TryCompile|OpCodeHandler|BlockEncoder|RegisterState|Tcg_Jit_/ }],
    ['decode', sub { $_[0] =~ /Iced_Iced_Intel_Decoder|BlockDecoder|OpTable|Decode/ }],
    ['TLB, page walks', sub { $_[0] =~ /Walk4Level|Fill|FlushTlb|Translate|Tlb|PageFault/ }],
    ['GC', sub { $_[0] =~ /gc_heap|WKS::|GCHeap/ }],
    ['memset, memcpy', sub { $_[0] =~ /memset|memcpy|memmove|ClearWithReferences|SpanHelpers__Clear|Buffer__Memmove/ }],
    ['devices, memory map', sub { $_[0] =~ /Emu_Devices|Emu_Core_Emu_Core_Memory|FlatView/ }],
    ['interpreter (handlers, operands)', sub { $_[0] =~ /Emu_Accel_Emu_Accel_Tcg/ }],
    ['other', sub { 1 }],
);
my (%count, $total);
my $first = 1;
while (my $line = <STDIN>) {
    chomp $line;
    if ($line =~ /^\s*$/) { $first = 1; next }
    next unless $first;
    $first = 0;
    $line =~ s/^\s*[0-9a-f]+ //;
    my ($symbol, $dso) = $line =~ /^(.*?)\s*\((.*)\)\s*$/ or next;
    for my $g (@groups) {
        if ($g->[1]->($symbol, $dso)) { $count{$g->[0]}++; last }
    }
    $total++;
}
die "no samples\n" unless $total;
printf "%6.1f%%  %s\n", 100 * $count{$_} / $total, $_ for sort { $count{$b} <=> $count{$a} } keys %count;
printf "%d samples\n", $total;
