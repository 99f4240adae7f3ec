using System.Text;
using CsCheck;
using Emu.Host.Qmp;
using Emu.Host.Tests.Qmp;
using Emu.Host.Tests.Qmp.InProcess;
using Emu.Tests.Fuzz;

namespace Emu.Host.Tests.Fuzz;

/// <summary>
/// Hostile QMP input: the request parser on random and mutated messages
/// (it returns a request or an error text, never throws), then whole
/// sessions of mutated commands against a machine in-process (every message
/// gets a reply, the session survives, nothing is logged as a failure).
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class QmpFuzzTests
{
    private static readonly string[] s_messages =
    {
        """{"execute": "qom-get", "arguments": {"path": "/machine", "property": "type"}, "id": 1}""",
        """{"execute": "device_add", "arguments": {"driver": "test-pluggable", "id": "d1", "queues": 2}}""",
        """{"execute": "device_del", "arguments": {"id": "d1"}}""",
        """{"execute": "qom-set", "arguments": {"path": "/machine", "property": "no-reboot", "value": true}}""",
        """{"execute": "qom-list", "arguments": {"path": "/machine/peripheral"}}""",
        """{"execute": "human-monitor-command", "arguments": {"command-line": "info chardev"}}""",
        """{"execute": "query-status", "id": {"a": [1, "x"]}}""",
        """{"execute": "device-list-properties", "arguments": {"typename": "test-pluggable"}}""",
        """{"execute": "query-chardev"}""",
    };

    private static readonly string[] s_tokens = { "{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "null", "-1", "1e999", "\"\"", "\"/\"", "\"a/b\"", "\xFF", "\xC3", "true" };

    private static readonly Gen<byte[]> s_message = Gen.OneOf(
        Gen.Select(Gen.Int[0, s_messages.Length - 1], Gen.Select(Gen.Int[0, 200], Gen.Int[0, s_tokens.Length - 1], Gen.Int[0, 3]).Array[0, 6], (m, edits) =>
        {
            var text = new StringBuilder(s_messages[m]);
            foreach ((int at, int token, int cut) in edits)
            {
                int i = at % (text.Length + 1);
                text.Remove(i, Math.Min(cut, text.Length - i));
                text.Insert(i, s_tokens[token]);
            }
            return Encoding.Latin1.GetBytes(text.ToString().Replace("\n", " "));
        }),
        Gen.Byte.Array[0, 256].Select(b => b.Select(x => x == (byte)'\n' ? (byte)' ' : x).ToArray()));

    [Fact]
    public void ParsingAnyMessageReturnsARequestOrAnError()
    {
        s_message.Sample(message =>
        {
            using QmpRequest? request = QmpRequest.Parse(message, out string? error, out var _, out var document);
            document?.Dispose();
            Assert.True(request != null || error != null);
        }, iter: FuzzBudget.Iterations(20_000), time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public async Task MutatedCommandsNeitherKillTheServerNorLogFailures()
    {
        var logger = new RecordingLogger();
        await using var vm = new InProcessVm(logger);
        int budget = FuzzBudget.Seconds;
        DateTime end = DateTime.UtcNow.AddSeconds(budget > 0 ? budget : 3);
        while (DateTime.UtcNow < end)
        {
            // A client per burst: negotiate, send mutated messages, leave; the server must carry on.
            await using QmpTestClient client = await vm.ConnectAsync();
            foreach (byte[] message in s_message.Array[1, 8].Single())
                await client.SendBytesAsync(message.Concat("\n"u8.ToArray()).ToArray());
            client.Abort();
        }
        await using QmpTestClient probe = await vm.ConnectAsync();
        Assert.Equal("running", (await probe.ReturnOfAsync("query-status")).GetProperty("status").GetString());
        Assert.DoesNotContain(logger.Entries, e => e.Exception != null);
    }
}
