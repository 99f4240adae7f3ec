using System.Reflection;
using Emu.Devices.Block;

namespace Emu.Devices.Tests.Virtio;

// Issue 15, item 3: a virtio function leaves the guest's reach before its
// device is reset; a guest that sets the device up again while the removal is
// under way must not leave a worker running over freed memory.
public sealed class VirtioUnplugTests
{
    [Fact]
    public void A_device_the_guest_reactivates_during_its_removal_has_no_worker_afterwards()
    {
        using var disk = new MemoryBlockBackend(1 << 20);
        var rig = new VirtioPciRig(disk, id: "disk0");
        rig.Activate();
        Thread removal;
        // The removal is held where it changes the memory map (the test holds the topology lock) ...
        using (rig.Machine.Topology.BeginTransaction())
        {
            removal = VirtioPciRig.Start("removal", () => rig.Machine.RemoveDevice(rig.Device));
            VirtioPciRig.WaitUntilBlocked(removal);
            Thread.Sleep(200);
            // ... while a vCPU of the guest, through the BAR it still sees, sets the device up again.
            rig.Activate();
        }
        Assert.True(removal.Join(TimeSpan.FromSeconds(30)), "the removal completes");

        Assert.False(rig.Device.IsRealized);
        Assert.DoesNotContain(WorkerThreads(rig.Device), t => t.IsAlive);
        rig.Dispose();
    }

    // The device's worker threads, wherever the transport keeps them.
    private static IEnumerable<Thread> WorkerThreads(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Value, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            (object value, int depth) = pending.Pop();
            if (!seen.Add(value) || depth > 3)
                continue;
            for (Type? type = value.GetType(); type != null && type != typeof(object); type = type.BaseType)
            {
                foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
                {
                    object? child = field.GetValue(value);
                    if (child == null)
                        continue;
                    if (child.GetType().Name == "VirtioWorker")
                    {
                        if (child.GetType().GetField("_thread", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(child) is Thread thread)
                            yield return thread;
                    }
                    else if (child.GetType().Namespace?.StartsWith("Emu.Devices.Virtio", StringComparison.Ordinal) == true)
                    {
                        pending.Push((child, depth + 1));
                    }
                }
            }
        }
    }
}
