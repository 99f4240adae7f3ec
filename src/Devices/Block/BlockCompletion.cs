namespace Emu.Devices.Block;

/// <summary>An asynchronous request finished: its tag, and the bytes moved or -errno.</summary>
public readonly record struct BlockCompletion(ulong Tag, long Result);
