namespace Emu.Host.Tests;

/// <summary>
/// A test of emu as it is installed (EMU_UNDER_TEST, the NativeAOT program
/// scripts/test.sh publishes); skipped against the development build.
/// </summary>
public sealed class PublishedEmuFactAttribute : FactAttribute
{
    public PublishedEmuFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("EMU_UNDER_TEST") is not { Length: > 0 })
            Skip = "runs against the published emu (EMU_UNDER_TEST=path, as scripts/test.sh sets it)";
    }
}
