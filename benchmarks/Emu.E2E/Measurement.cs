namespace Emu.E2E;

/// <summary>One run of a VMM: wall time from exec to exit, peak resident set, exit status, CPU time (user + system, all threads).</summary>
internal readonly record struct Measurement(double Seconds, long MaxRssKiB, int Status, double CpuSeconds);
