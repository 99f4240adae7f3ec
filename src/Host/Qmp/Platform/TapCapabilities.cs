namespace Emu.Host.Qmp.Platform;

/// <summary>What the host's tun/tap driver offers: its interface flags and the virtio-net offloads a tap accepts.</summary>
internal sealed record TapCapabilities(bool Present, IReadOnlyList<string> Features, IReadOnlyList<string>? Offloads, string? Problem);
