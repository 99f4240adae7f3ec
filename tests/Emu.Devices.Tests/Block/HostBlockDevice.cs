using System.Diagnostics;

namespace Emu.Devices.Tests.Block;

/// <summary>
/// A loop device (losetup, as root) over a temporary image: a real host block
/// device whose size is known, detached and deleted on dispose.
/// </summary>
internal sealed class HostBlockDevice : IDisposable
{
    private readonly string _image;

    private HostBlockDevice(string image, string device, long bytes)
    {
        _image = image;
        Device = device;
        Bytes = bytes;
    }

    public string Device { get; }

    public long Bytes { get; }

    /// <summary>Why no loop device can be made here, or null.</summary>
    public static string? MissingReason =>
        Environment.UserName != "root" ? "loop devices need root"
        : !File.Exists("/usr/sbin/losetup") && !File.Exists("/sbin/losetup") ? "losetup is not installed"
        : null;

    public static HostBlockDevice Attach(long bytes)
    {
        string image = Path.Combine(Path.GetTempPath(), $"emu-loop-{Guid.NewGuid():N}.img");
        using (FileStream f = File.Create(image))
            f.SetLength(bytes);
        (int status, string output) = Run("-f", "--show", image);
        if (status != 0)
        {
            File.Delete(image);
            throw new InvalidOperationException($"losetup failed: {output}");
        }
        return new HostBlockDevice(image, output.Trim(), bytes);
    }

    private static (int Status, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("losetup") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    public void Dispose()
    {
        Run("-d", Device);
        File.Delete(_image);
    }
}
