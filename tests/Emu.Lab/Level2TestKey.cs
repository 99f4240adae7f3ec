using Xunit.Abstractions;

namespace Emu.Lab;

// The name that identifies a test at level 1 and in level 2 alike: its class and method
// ([KvmFact] tests are facts, one test case per method).
public static class Level2TestKey
{
    public static string Of(ITestCase testCase) =>
        $"{testCase.TestMethod.TestClass.Class.Name}.{testCase.TestMethod.Method.Name}";
}
