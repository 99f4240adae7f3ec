using Emu.Core.Migration;

namespace Emu.Core.Tests.Migration;

// The section payload format: what a writer writes, a reader reads back
// exactly; and a reader refuses every malformed or unexpected payload with
// a MigrationException that names the section and the field.
public sealed class StateFieldTests
{
    private static byte[] Written(Action<StateWriter> write)
    {
        var writer = new StateWriter("dev");
        write(writer);
        return writer.Written.ToArray();
    }

    [Fact]
    public void Every_type_reads_back_as_written()
    {
        byte[] payload = Written(w =>
        {
            w.WriteU8("a", 0xAB);
            w.WriteU16("b", 0xBEEF);
            w.WriteU32("c", 0xDEADBEEF);
            w.WriteU64("d", 0x0123456789ABCDEF);
            w.WriteI64("e", -5);
            w.WriteBool("f", true);
            w.WriteBytes("g", [1, 2, 3]);
            w.WriteString("h", "héllo");
            w.WriteU64Array("i", [1UL, ulong.MaxValue]);
            w.WriteU32Array("j", [7u, 8u, 9u]);
            w.WriteU16Array("k", [(ushort)3]);
        });
        var r = new StateReader("dev", payload);
        Assert.Equal(0xAB, r.ReadU8("a"));
        Assert.Equal(0xBEEF, r.ReadU16("b"));
        Assert.Equal(0xDEADBEEFu, r.ReadU32("c"));
        Assert.Equal(0x0123456789ABCDEFUL, r.ReadU64("d"));
        Assert.Equal(-5, r.ReadI64("e"));
        Assert.True(r.ReadBool("f"));
        Assert.Equal(new byte[] { 1, 2, 3 }, r.ReadBytes("g").ToArray());
        Assert.Equal("héllo", r.ReadString("h", 64));
        ulong[] i = new ulong[2];
        r.ReadU64Array("i", i);
        Assert.Equal(new[] { 1UL, ulong.MaxValue }, i);
        uint[] j = new uint[3];
        r.ReadU32Array("j", j);
        Assert.Equal(new[] { 7u, 8u, 9u }, j);
        ushort[] k = new ushort[1];
        r.ReadU16Array("k", k);
        Assert.Equal(3, k[0]);
        r.EnsureAllRead();
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"], r.FieldNames);
    }

    [Fact]
    public void A_field_the_build_does_not_know_is_refused_by_name()
    {
        byte[] payload = Written(w =>
        {
            w.WriteU32("known", 1);
            w.WriteBytes("added-later", [9]);
        });
        var r = new StateReader("/machine/unattached/serial0", payload);
        r.ReadU32("known");
        var e = Assert.Throws<MigrationException>(r.EnsureAllRead);
        Assert.Contains("/machine/unattached/serial0", e.Message);
        Assert.Contains("'added-later'", e.Message);
        Assert.Contains("not known to this build", e.Message);
    }

    [Fact]
    public void A_missing_field_is_refused_and_an_optional_one_can_be_asked_for()
    {
        var r = new StateReader("dev", Written(w => w.WriteU8("x", 1)));
        Assert.False(r.Has("y"));
        Assert.Contains("'y' is missing", Assert.Throws<MigrationException>(() => r.ReadU8("y")).Message);
    }

    [Fact]
    public void Reading_a_field_as_another_type_is_refused()
    {
        var r = new StateReader("dev", Written(w => w.WriteU32("x", 1)));
        Assert.Contains("is a U32, expected a U64", Assert.Throws<MigrationException>(() => r.ReadU64("x")).Message);
    }

    [Fact]
    public void Values_out_of_the_callers_range_are_refused()
    {
        var r = new StateReader("dev", Written(w => { w.WriteU8("mode", 9); w.WriteBytes("fifo", new byte[17]); }));
        Assert.Contains("'mode' = 9 is out of range (at most 5)", Assert.Throws<MigrationException>(() => r.ReadU8("mode", 5)).Message);
        Assert.Contains("17 bytes, at most 16", Assert.Throws<MigrationException>(() => r.ReadBytes("fifo", 16).ToArray()).Message);
        Assert.Contains("expected 4", Assert.Throws<MigrationException>(() => r.ReadU32Array("fifo", new uint[4])).Message);
    }

    [Theory]
    [InlineData(new byte[] { 4 }, "field header")]                               // half a header
    [InlineData(new byte[] { 4, 3, (byte)'a', (byte)'b' }, "field name")]        // name cut short
    [InlineData(new byte[] { 4, 1, (byte)'a', 1, 2 }, "truncated")]              // u64 with two bytes
    [InlineData(new byte[] { 9, 1, (byte)'a', 0 }, "unknown type 9")]
    [InlineData(new byte[] { 5, 1, (byte)'a', 2 }, "boolean with value 2")]
    [InlineData(new byte[] { 1, 1, (byte)' ', 0 }, "outside printable ASCII")]
    [InlineData(new byte[] { 1, 0, 0 }, "field name")]                            // empty name
    [InlineData(new byte[] { 6, 1, (byte)'a', 0xFF, 0xFF, 0xFF, 0x7F }, "claims 2147483647 bytes")]
    [InlineData(new byte[] { 1, 1, (byte)'a', 0, 1, 1, (byte)'a', 0 }, "appears twice")]
    public void Malformed_payloads_are_refused(byte[] payload, string why)
    {
        var e = Assert.Throws<MigrationException>(() => new StateReader("dev", payload));
        Assert.StartsWith("dev: ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Writers_refuse_bad_names_and_duplicates()
    {
        var w = new StateWriter("dev");
        Assert.Throws<ArgumentException>(() => w.WriteU8("has space", 0));
        Assert.Throws<ArgumentException>(() => w.WriteU8(new string('x', 256), 0));
        w.WriteU8("x", 0);
        Assert.Throws<InvalidOperationException>(() => w.WriteU8("x", 0));
    }
}
