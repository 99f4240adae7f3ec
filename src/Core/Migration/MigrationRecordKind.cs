namespace Emu.Core.Migration;

/// <summary>The records of the state stream (see <see cref="MigrationStreamWriter"/>).</summary>
public enum MigrationRecordKind : byte
{
    /// <summary>What the source is: machine type, accelerator, vCPUs, RAM layout, run state.</summary>
    Configuration = 1,

    /// <summary>A run of guest RAM pages.</summary>
    RamPages = 2,

    /// <summary>The state of one object (a device, a vCPU, the interrupt controllers).</summary>
    Section = 3,

    /// <summary>A piece of an opaque device data stream (a VFIO device's migration data).</summary>
    DeviceData = 4,

    /// <summary>The end of the stream: everything has been sent.</summary>
    End = 0xFF,
}
