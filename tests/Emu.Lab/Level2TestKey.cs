using Xunit.Abstractions;

namespace Emu.Lab;

// The name that identifies a test at level 1 and in level 2 alike: its class and method
// ([KvmFact] tests are facts, one test case per method), and for an [AccelFact] test case
// its accelerator.
public static class Level2TestKey
{
    public static string Of(ITestCase testCase)
    {
        string method = $"{testCase.TestMethod.TestClass.Class.Name}.{testCase.TestMethod.Method.Name}";
        string? accelerator = testCase switch
        {
            AcceleratedTestCase a => a.Accelerator,
            Level2TestCase l => l.Accelerator,
            _ => null,
        };
        return accelerator == null ? method : $"{method}[{accelerator}]";
    }
}
