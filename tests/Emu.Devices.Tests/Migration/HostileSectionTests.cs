using CsCheck;
using Emu.Core.Migration;

namespace Emu.Devices.Tests.Migration;

// An incoming stream is hostile input: every section of a q35 machine is fed
// payloads with bytes flipped, truncated and fields swapped in types, and a
// load either succeeds or ends in a MigrationException, never in any other
// exception (which would take the destination emu down with a stack trace,
// or leave a device in a state its code does not expect).
public sealed class HostileSectionTests
{
    [Fact]
    public void Corrupted_sections_are_refused_with_migration_exceptions_only()
    {
        Dictionary<string, byte[]> saved;
        using (var source = new Q35TestVm("q35-2.0", cpus: 2))
        {
            source.EnableSerialFifo();
            source.Serial.Uart!.Receive("hostile"u8);
            saved = source.SaveSections();
        }
        using var target = new Q35TestVm("q35-2.0", incoming: true, cpus: 2);
        Dictionary<string, MigrationSection> sections = target.Machine.MigrationSections().ToDictionary(s => s.Id);
        string[] ids = saved.Keys.ToArray();
        Gen.Select(Gen.Int[0, ids.Length - 1], Gen.Int[0, 1 << 20], Gen.Byte, Gen.Int[0, 3]).Sample((which, at, value, how) =>
        {
            string id = ids[which];
            byte[] payload = (byte[])saved[id].Clone();
            if (payload.Length == 0)
                return;
            int position = at % payload.Length;
            switch (how)
            {
                case 0:
                    payload[position] ^= (byte)(value | 1);
                    break;
                case 1:
                    payload = payload[..position];
                    break;
                case 2:
                    payload[position] = value;
                    break;
                default:
                    // a value byte set to all ones: the largest a field can hold
                    for (int i = position; i < Math.Min(payload.Length, position + 8); i++)
                        payload[i] = 0xFF;
                    break;
            }
            try
            {
                var state = new StateReader(id, payload);
                sections[id].State.LoadState(state);
                state.EnsureAllRead();
            }
            catch (MigrationException e)
            {
                Assert.Contains(id, e.Message, StringComparison.Ordinal); // the error names the section
            }
        }, iter: 5000);
    }
}
