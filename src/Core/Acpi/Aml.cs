namespace Emu.Core.Acpi;

/// <summary>
/// Factory for AML terms, named after the ASL operators they compile from
/// (ACPI 6.3, sections 19 and 20), so generated tables read like ASL:
/// <code>
/// Aml.Scope("\\_SB",
///     Aml.Device("PCI0",
///         Aml.Name("_HID", Aml.EisaId("PNP0A08")),
///         Aml.Name("_UID", 0)));
/// </code>
/// Names are ASL-style paths (see <see cref="AmlNameString"/>).
/// </summary>
public static class Aml
{
    public static AmlNode Zero { get; } = new AmlInteger(0);

    public static AmlNode One { get; } = new AmlInteger(1);

    /// <summary>All ones: 64 bits in a definition block of revision 2 or later.</summary>
    public static AmlNode Ones { get; } = new AmlInteger(ulong.MaxValue);

    public static AmlNode Integer(ulong value) => new AmlInteger(value);

    public static AmlNode String(string value) => new AmlString(value);

    /// <summary>A reference to a named object, as an operand or a target.</summary>
    public static AmlNode NamePath(string path) => new AmlNameString(path);

    /// <summary>EISAID("PNP0A08"): the compressed 32-bit id as an integer.</summary>
    public static AmlNode EisaId(string id) => new AmlInteger(Acpi.EisaId.Encode(id));

    /// <summary>
    /// ToUUID("33DB4D5B-..."): a 16-byte buffer. The first three fields are
    /// stored little-endian and the last two in order (ACPI 6.3, section
    /// 19.6.136), which is the layout of <see cref="Guid.ToByteArray()"/>.
    /// </summary>
    public static AmlNode Uuid(string uuid) => Buffer(Guid.Parse(uuid).ToByteArray());

    /// <summary>Buffer: BufferOp PkgLength BufferSize ByteList.</summary>
    public static AmlNode Buffer(params byte[] bytes) =>
        new AmlPackageTerm([AmlOpcode.Buffer], Integer((ulong)bytes.Length), new AmlBytes(bytes));

    /// <summary>
    /// Package: PackageOp PkgLength NumElements (a byte) elements; more than
    /// 255 elements need VarPackageOp, whose count is a TermArg.
    /// </summary>
    public static AmlNode Package(params AmlNode[] elements)
    {
        if (elements.Length <= byte.MaxValue)
            return new AmlPackageTerm([AmlOpcode.Package], [new AmlBytes((byte)elements.Length), .. elements]);
        return new AmlPackageTerm([AmlOpcode.VarPackage], [Integer((ulong)elements.Length), .. elements]);
    }

    /// <summary>Name(name, value): NameOp NameString DataRefObject.</summary>
    public static AmlNode Name(string name, AmlNode value) => new AmlTerm([AmlOpcode.Name], new AmlNameString(name), value);

    public static AmlNode Scope(string path, params AmlNode[] body) =>
        new AmlPackageTerm([AmlOpcode.Scope], [new AmlNameString(path), .. body]);

    /// <summary>Device: ExtOpPrefix DeviceOp (5B 82) PkgLength NameString TermList.</summary>
    public static AmlNode Device(string name, params AmlNode[] body) =>
        new AmlPackageTerm([AmlOpcode.ExtPrefix, AmlOpcode.ExtDevice], [new AmlNameString(name), .. body]);

    /// <summary>
    /// Method: MethodOp PkgLength NameString MethodFlags TermList. MethodFlags
    /// holds the argument count (bits 2:0), SerializeFlag (bit 3) and SyncLevel (bits 7:4).
    /// </summary>
    public static AmlNode Method(string name, int argumentCount, bool serialized, params AmlNode[] body)
    {
        if (argumentCount is < 0 or > 7)
            throw new ArgumentOutOfRangeException(nameof(argumentCount), argumentCount, "methods take 0 to 7 arguments");
        byte flags = (byte)(argumentCount | (serialized ? 1 << 3 : 0));
        return new AmlPackageTerm([AmlOpcode.Method], [new AmlNameString(name), new AmlBytes(flags), .. body]);
    }

    public static AmlNode Return(AmlNode value) => new AmlTerm([AmlOpcode.Return], value);

    /// <summary>Store(source, destination).</summary>
    public static AmlNode Store(AmlNode source, AmlNode destination) => new AmlTerm([AmlOpcode.Store], source, destination);

    public static AmlNode If(AmlNode predicate, params AmlNode[] body) =>
        new AmlPackageTerm([AmlOpcode.If], [predicate, .. body]);

    /// <summary>Else: must come right after an <see cref="If"/> in the same term list.</summary>
    public static AmlNode Else(params AmlNode[] body) => new AmlPackageTerm([AmlOpcode.Else], body);

    public static AmlNode LEqual(AmlNode left, AmlNode right) => new AmlTerm([AmlOpcode.LEqual], left, right);

    /// <summary>LNotEqual has no opcode of its own: it is LNot(LEqual(a, b)).</summary>
    public static AmlNode LNotEqual(AmlNode left, AmlNode right) => LNot(LEqual(left, right));

    public static AmlNode LNot(AmlNode operand) => new AmlTerm([AmlOpcode.LNot], operand);

    public static AmlNode LAnd(AmlNode left, AmlNode right) => new AmlTerm([AmlOpcode.LAnd], left, right);

    public static AmlNode LOr(AmlNode left, AmlNode right) => new AmlTerm([AmlOpcode.LOr], left, right);

    public static AmlNode LLess(AmlNode left, AmlNode right) => new AmlTerm([AmlOpcode.LLess], left, right);

    public static AmlNode LGreater(AmlNode left, AmlNode right) => new AmlTerm([AmlOpcode.LGreater], left, right);

    /// <summary>And(a, b, target); without a target the result is only returned (NullName).</summary>
    public static AmlNode And(AmlNode left, AmlNode right, AmlNode? target = null) => Binary(AmlOpcode.And, left, right, target);

    public static AmlNode Or(AmlNode left, AmlNode right, AmlNode? target = null) => Binary(AmlOpcode.Or, left, right, target);

    public static AmlNode Add(AmlNode left, AmlNode right, AmlNode? target = null) => Binary(AmlOpcode.Add, left, right, target);

    public static AmlNode Subtract(AmlNode left, AmlNode right, AmlNode? target = null) => Binary(AmlOpcode.Subtract, left, right, target);

    public static AmlNode ShiftLeft(AmlNode value, AmlNode count, AmlNode? target = null) => Binary(AmlOpcode.ShiftLeft, value, count, target);

    public static AmlNode ShiftRight(AmlNode value, AmlNode count, AmlNode? target = null) => Binary(AmlOpcode.ShiftRight, value, count, target);

    /// <summary>Notify(object, value): 0x80 and up are device-specific, 0x00-0x0F are the standard notifications.</summary>
    public static AmlNode Notify(AmlNode target, AmlNode value) => new AmlTerm([AmlOpcode.Notify], target, value);

    /// <summary>CreateDWordField(buffer, byteIndex, name): a 32-bit field over the buffer, named for later use.</summary>
    public static AmlNode CreateDWordField(AmlNode buffer, AmlNode byteIndex, string name) =>
        new AmlTerm([AmlOpcode.CreateDWordField], buffer, byteIndex, new AmlNameString(name));

    /// <summary>Local0 to Local7.</summary>
    public static AmlNode Local(int index) =>
        index is >= 0 and <= 7 ? new AmlTerm([(byte)(AmlOpcode.Local0 + index)]) : throw new ArgumentOutOfRangeException(nameof(index), index, "Local0-Local7");

    /// <summary>Arg0 to Arg6.</summary>
    public static AmlNode Arg(int index) =>
        index is >= 0 and <= 6 ? new AmlTerm([(byte)(AmlOpcode.Arg0 + index)]) : throw new ArgumentOutOfRangeException(nameof(index), index, "Arg0-Arg6");

    /// <summary>
    /// OperationRegion(name, space, offset, length): ExtOpPrefix OpRegionOp
    /// NameString RegionSpace (a byte) RegionOffset RegionLen.
    /// </summary>
    public static AmlNode OperationRegion(string name, AmlRegionSpace space, ulong offset, ulong length) =>
        new AmlTerm([AmlOpcode.ExtPrefix, AmlOpcode.ExtOperationRegion], new AmlNameString(name), new AmlBytes((byte)space), Integer(offset), Integer(length));

    /// <summary>
    /// Field(region, access, NoLock, Preserve) { name, bits, ... }: ExtOpPrefix
    /// FieldOp PkgLength NameString FieldFlags FieldList. FieldFlags holds the
    /// access type in bits 3:0 (lock rule and update rule 0: NoLock,
    /// Preserve); each NamedField is a NameSeg and its width in bits as a
    /// PkgLength, laid out back to back from offset 0.
    /// </summary>
    public static AmlNode Field(string region, AmlFieldAccess access, params (string Name, int Bits)[] fields)
    {
        var body = new List<AmlNode> { new AmlNameString(region), new AmlBytes((byte)access) };
        foreach ((string name, int bits) in fields)
        {
            if (bits <= 0)
                throw new ArgumentOutOfRangeException(nameof(fields), bits, $"field {name} must be at least one bit wide");
            body.Add(new AmlFieldUnit(AmlNameString.NameSegment(name), bits));
        }
        return new AmlPackageTerm([AmlOpcode.ExtPrefix, AmlOpcode.ExtField], body.ToArray());
    }

    /// <summary>A call of a method that takes no arguments: MethodInvocation is the bare NameString.</summary>
    public static AmlNode Call(string path) => new AmlNameString(path);

    /// <summary>Terms encoded back to back.</summary>
    public static AmlTermList Block(params AmlNode[] terms) => new(terms);

    private static AmlTerm Binary(byte opcode, AmlNode left, AmlNode right, AmlNode? target) =>
        new([opcode], left, right, target ?? new AmlBytes(0)); // NullName: no target
}
