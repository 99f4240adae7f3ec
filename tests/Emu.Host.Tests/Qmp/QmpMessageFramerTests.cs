using System.Text;
using Emu.Host.Qmp;

namespace Emu.Host.Tests.Qmp;

public sealed class QmpMessageFramerTests
{
    private static List<QmpFrame> Feed(QmpMessageFramer framer, params string[] chunks)
    {
        var frames = new List<QmpFrame>();
        foreach (string chunk in chunks)
            framer.Feed(Encoding.UTF8.GetBytes(chunk), frames);
        return frames;
    }

    private static string Text(QmpFrame frame) => Encoding.UTF8.GetString(frame.Bytes);

    [Fact]
    public void MessagesAreSplitByStructureNotByLines()
    {
        var framer = new QmpMessageFramer();
        List<QmpFrame> frames = Feed(framer, "{\"execute\":", " \"stop\"}{\"execute\"", ":\"cont\"}\r\n  [1,\n2]");
        Assert.Equal(new[] { "{\"execute\": \"stop\"}", "{\"execute\":\"cont\"}", "[1,\n2]" }, frames.Select(Text));
        Assert.All(frames, f => Assert.Equal(QmpFrameKind.Message, f.Kind));
    }

    [Fact]
    public void BracesAndQuotesInsideStringsDoNotEndAMessage()
    {
        List<QmpFrame> frames = Feed(new QmpMessageFramer(), "{\"id\": \"}{\\\"\\\\\"}", "{\"a\":1}");
        Assert.Equal(new[] { "{\"id\": \"}{\\\"\\\\\"}", "{\"a\":1}" }, frames.Select(Text));
    }

    [Fact]
    public void BareWordsAndStrayClosersAreFramedSoTheyCanBeRefused()
    {
        List<QmpFrame> frames = Feed(new QmpMessageFramer(), "garbage {\"a\":1} } \"text\" 42\n");
        Assert.Equal(new[] { QmpFrameKind.Message, QmpFrameKind.Message, QmpFrameKind.Unbalanced, QmpFrameKind.Message, QmpFrameKind.Message }, frames.Select(f => f.Kind));
        Assert.Equal("garbage", Text(frames[0]));
        Assert.Equal("\"text\"", Text(frames[3]));
        Assert.Equal("42", Text(frames[4]));
    }

    [Fact]
    public void AnOversizedMessageIsReportedOnceAndTheNextOneIsIntact()
    {
        var framer = new QmpMessageFramer(maxMessageBytes: 64);
        string big = "{\"id\": \"" + new string('x', 500) + "\", \"nested\": {\"}\": [1]}}";
        List<QmpFrame> frames = Feed(framer, big[..100], big[100..], "{\"execute\":\"stop\"}");
        Assert.Equal(new[] { QmpFrameKind.TooLarge, QmpFrameKind.Message }, frames.Select(f => f.Kind));
        Assert.Equal("{\"execute\":\"stop\"}", Text(frames[1]));
    }

    [Fact]
    public void TooDeepNestingIsReportedOnceAndSkipped()
    {
        string deep = new string('[', QmpMessageFramer.MaxDepth + 10) + new string(']', QmpMessageFramer.MaxDepth + 10);
        List<QmpFrame> frames = Feed(new QmpMessageFramer(), deep, "{}");
        Assert.Equal(new[] { QmpFrameKind.TooDeep, QmpFrameKind.Message }, frames.Select(f => f.Kind));
    }
}
