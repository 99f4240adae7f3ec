using System.Runtime.InteropServices;
using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>The KVM accelerator: an open /dev/kvm and what it can do.</summary>
public sealed class KvmAccelerator : IAccelerator
{
    public const string DefaultDevice = "/dev/kvm";
    private const int SupportedApiVersion = 12;

    private KvmAccelerator(FileDescriptor kvm, string path)
    {
        System = kvm;
        DevicePath = path;
        VcpuMmapSize = KvmApi.GetVcpuMmapSize(kvm);
        int max = KvmApi.CheckExtension(kvm, KvmCap.MaxVcpus);
        int recommended = KvmApi.CheckExtension(kvm, KvmCap.NrVcpus);
        RecommendedVcpus = recommended > 0 ? recommended : 4;
        MaxVcpus = max > 0 ? max : RecommendedVcpus;
    }

    public string Name => "kvm";

    public string DevicePath { get; }

    public int MaxVcpus { get; }

    public int RecommendedVcpus { get; }

    internal FileDescriptor System { get; }

    internal int VcpuMmapSize { get; }

    private KvmCpuidEntry2[]? _supportedCpuid;

    private uint[]? _msrIndexList;

    /// <summary>KVM_GET_MSR_INDEX_LIST, read once.</summary>
    internal uint[] MsrIndexList => _msrIndexList ??= KvmApi.GetMsrIndexList(System);

    /// <summary>KVM_GET_SUPPORTED_CPUID, read once.</summary>
    internal KvmCpuidEntry2[] SupportedCpuid => _supportedCpuid ??= KvmApi.GetSupportedCpuid(System);

    /// <summary>
    /// Opens /dev/kvm and checks the API version. Throws
    /// <see cref="KvmUnavailableException"/> with a one-line explanation when
    /// KVM cannot be used.
    /// </summary>
    public static KvmAccelerator Open(string path = DefaultDevice)
    {
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new KvmUnavailableException(errno switch
            {
                LibC.ENOENT => $"{path} does not exist: KVM is not available on this host (is the kvm module loaded and virtualization enabled?)",
                LibC.EACCES or LibC.EPERM => $"{path}: permission denied (run as root or add the user to the group that owns {path}, usually 'kvm')",
                _ => $"{path}: {LibC.ErrorText(errno)}",
            });
        }
        var handle = new FileDescriptor(fd);
        try
        {
            int version;
            try
            {
                version = KvmApi.GetApiVersion(handle);
            }
            catch (KvmException e)
            {
                throw new KvmUnavailableException($"{path} is not a KVM device ({e.Message})");
            }
            if (version != SupportedApiVersion)
                throw new KvmUnavailableException($"{path}: KVM API version {version} is not supported (need {SupportedApiVersion})");
            return new KvmAccelerator(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Why KVM at <paramref name="path"/> cannot be used (the message Open would give), or null when it can.</summary>
    public static string? Probe(string path = DefaultDevice)
    {
        try
        {
            Open(path).Dispose();
            return null;
        }
        catch (KvmUnavailableException e)
        {
            return e.Message;
        }
    }

    /// <summary>KVM_CHECK_EXTENSION on /dev/kvm: 0 when absent, otherwise a capability-specific value.</summary>
    public int CheckExtension(int capability) => KvmApi.CheckExtension(System, capability);

    public IVirtualMachine CreateVirtualMachine(VirtualMachineOptions options) => new KvmVirtualMachine(this, options);

    public void Dispose() => System.Dispose();
}
