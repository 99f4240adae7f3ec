namespace Emu.Core.Acpi;

/// <summary>
/// The generated tables as one contiguous blob, to be copied into guest
/// memory at <see cref="GuestAddress"/>; every pointer inside it already
/// holds the final guest-physical address. The RSDP is first.
/// </summary>
public sealed class AcpiTables
{
    private readonly byte[] _blob;

    internal AcpiTables(ulong guestAddress, byte[] blob, IReadOnlyList<AcpiTableLocation> tables)
    {
        GuestAddress = guestAddress;
        _blob = blob;
        Tables = tables;
    }

    /// <summary>Where the blob must be placed.</summary>
    public ulong GuestAddress { get; }

    /// <summary>The RSDP's guest address, for boot_params.acpi_rsdp_addr (it is also found by the legacy scan when in 0xE0000-0xFFFFF).</summary>
    public ulong RsdpAddress => GuestAddress;

    public ReadOnlySpan<byte> Blob => _blob;

    public int Length => _blob.Length;

    /// <summary>RSDP, FACS, XSDT, FADT, MADT, MCFG, DSDT in blob order.</summary>
    public IReadOnlyList<AcpiTableLocation> Tables { get; }

    /// <summary>The bytes of the table with this signature ("FACP", "APIC", "DSDT", "RSD PTR ", ...).</summary>
    public ReadOnlySpan<byte> Table(string signature)
    {
        foreach (AcpiTableLocation location in Tables)
        {
            if (location.Signature == signature)
                return _blob.AsSpan(location.Offset, location.Length);
        }
        throw new KeyNotFoundException($"no ACPI table with signature '{signature}'");
    }
}
