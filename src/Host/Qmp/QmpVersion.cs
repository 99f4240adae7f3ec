using System.Text.Json;

namespace Emu.Host.Qmp;

/// <summary>
/// The version a QMP server announces in its greeting and query-version:
/// QMP's VersionInfo, whose triple is named "qemu" by the protocol; emu puts
/// its own version there and says so in "package".
/// </summary>
internal sealed record QmpVersion(int Major, int Minor, int Micro, string Package)
{
    public static QmpVersion Of(Version? version) =>
        new(version?.Major ?? 0, version?.Minor ?? 0, Math.Max(version?.Build ?? 0, 0), $"emu {version?.ToString(3) ?? "0.0.0"}");

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartObject("qemu");
        w.WriteNumber("micro", Micro);
        w.WriteNumber("minor", Minor);
        w.WriteNumber("major", Major);
        w.WriteEndObject();
        w.WriteString("package", Package);
        w.WriteEndObject();
    }
}
