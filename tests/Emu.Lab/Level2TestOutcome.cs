namespace Emu.Lab;

// What one test did in level 2, as Level2TestRecorder writes it (one JSON line per test)
// and Level2TestCase reports it at level 1.
public sealed record Level2TestOutcome
{
    public const string Passed = "passed", Failed = "failed", Skipped = "skipped";

    public required string Key { get; init; }
    public required string DisplayName { get; init; }
    public required string Result { get; init; }
    public decimal Seconds { get; init; }
    public string Output { get; init; } = "";
    public string? SkipReason { get; init; }
    public string[] ExceptionTypes { get; init; } = [];
    public string[] Messages { get; init; } = [];
    public string[] StackTraces { get; init; } = [];
    public int[] ExceptionParentIndices { get; init; } = [];

    // A test that has no result from level 2: the reason is the failure.
    public static Level2TestOutcome NotRun(string key, string displayName, string reason) => new()
    {
        Key = key,
        DisplayName = displayName,
        Result = Failed,
        ExceptionTypes = [typeof(LabException).FullName!],
        Messages = [reason],
        StackTraces = [""],
        ExceptionParentIndices = [-1],
    };

    // The failure as reported here (types, messages, stack traces and parent indices of
    // the exception chain); the outermost message says that it happened in level 2.
    public (string[] Types, string[] Messages, string[] StackTraces, int[] ParentIndices) Failure()
    {
        const string where = "[ran in level 2 of the nested lab] ";
        if (ExceptionTypes.Length == 0)
        {
            string what = Result == Skipped ? $"skipped in level 2, which counts as a failure with CI=true: {SkipReason}" : "failed in level 2";
            return ([typeof(LabException).FullName!], [where + what], [""], [-1]);
        }
        string[] messages = (string[])Messages.Clone();
        messages[0] = where + messages[0];
        return (ExceptionTypes, messages, StackTraces, ExceptionParentIndices);
    }
}
