namespace Emu.Host.Tests;

/// <summary>What the vCPU thread allocated over one window of guest accesses, and whether a collection ran inside it.</summary>
internal readonly record struct AllocationWindow(long Bytes, bool CollectionRan, bool Closed);
