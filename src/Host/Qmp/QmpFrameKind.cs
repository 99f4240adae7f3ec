namespace Emu.Host.Qmp;

/// <summary>What the framer found in the input stream.</summary>
internal enum QmpFrameKind
{
    /// <summary>A complete top-level JSON value (not yet validated).</summary>
    Message,

    /// <summary>A value longer than the limit; its bytes were dropped.</summary>
    TooLarge,

    /// <summary>A value nested deeper than the limit; its bytes were dropped.</summary>
    TooDeep,

    /// <summary>A closing bracket with nothing open.</summary>
    Unbalanced,
}
