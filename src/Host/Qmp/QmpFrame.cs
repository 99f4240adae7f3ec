namespace Emu.Host.Qmp;

/// <summary>One unit of QMP input: a message's bytes, or why there is none.</summary>
internal readonly record struct QmpFrame(QmpFrameKind Kind, byte[] Bytes)
{
    public static QmpFrame Error(QmpFrameKind kind) => new(kind, Array.Empty<byte>());
}
