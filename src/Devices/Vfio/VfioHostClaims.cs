using System.Runtime.CompilerServices;
using Emu.Core.Machines;

namespace Emu.Devices.Vfio;

/// <summary>
/// The host functions a machine's vfio-pci devices hold. The kernel hands out
/// more than one fd for the same device (VFIO_GROUP_GET_DEVICE_FD opens it
/// again), so giving the same function to two guest devices would only fail
/// later, when both try to own its interrupts: it is refused up front instead.
/// </summary>
internal static class VfioHostClaims
{
    private static readonly ConditionalWeakTable<Machine, HashSet<string>> s_claims = new();

    public static void Claim(Machine machine, string host, string who)
    {
        HashSet<string> claims = s_claims.GetOrCreateValue(machine);
        lock (claims)
        {
            if (!claims.Add(host))
                throw new MachineConfigurationException($"{who}: the device is already in use by another -device vfio-pci of this machine");
        }
    }

    public static void Release(Machine machine, string host)
    {
        if (s_claims.TryGetValue(machine, out HashSet<string>? claims))
        {
            lock (claims)
                claims.Remove(host);
        }
    }
}
