using Emu.Core.Catalog;

namespace Emu.Core.Tests.Objects;

public sealed class KconfigExpressionTests
{
    private static bool Eval(string expression, params string[] enabled) =>
        KconfigExpression.Parse(expression).Evaluate(s => enabled.Contains(s));

    [Theory]
    [InlineData("PCI", new[] { "PCI" }, true)]
    [InlineData("PCI", new string[0], false)]
    [InlineData("!PCI", new string[0], true)]
    [InlineData("PCI && VIRTIO", new[] { "PCI" }, false)]
    [InlineData("PCI || VIRTIO", new[] { "VIRTIO" }, true)]
    [InlineData("A || B && C", new[] { "A" }, true)]          // && binds tighter than ||
    [InlineData("(A || B) && C", new[] { "A" }, false)]
    [InlineData("!A && B", new[] { "B" }, true)]              // ! binds tighter than &&
    [InlineData("y", new string[0], true)]
    [InlineData("n || PCI", new[] { "PCI" }, true)]
    public void ExpressionsFollowKconfigPrecedence(string expression, string[] enabled, bool expected) =>
        Assert.Equal(expected, Eval(expression, enabled));

    [Theory]
    [InlineData("PCI &&")]
    [InlineData("(PCI")]
    [InlineData("PCI VIRTIO")]
    [InlineData("PCI & VIRTIO")]
    [InlineData("")]
    public void MalformedExpressionsAreRefusedWithTheirText(string expression)
    {
        var e = Assert.Throws<KconfigException>(() => KconfigExpression.Parse(expression));
        Assert.Contains($"'{expression}'", e.Message);
    }

    [Fact]
    public void PrintingKeepsTheMeaning()
    {
        KconfigExpression parsed = KconfigExpression.Parse("(A || B) && !C");
        Assert.Equal("(A || B) && !C", parsed.ToString());
        Assert.Equal(new[] { "A", "B", "C" }, parsed.Symbols());
    }
}
