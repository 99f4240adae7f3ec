using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Emu.Lab;

// The [KvmFact] tests of one test assembly that this run sends to level 2 (this machine
// has no KVM). One level-2 boot runs them all with `dotnet test` on the same assembly
// (host paths are level-2 paths), CI=true, and EMU_LAB_TESTS / EMU_LAB_TEST_RESULTS
// telling the level-2 test process which tests to run and where to write their results
// (Level2TestRecorder). The boot starts as soon as the run knows its tests, so it
// overlaps the tests that run here; each Level2TestCase then waits for its own result.
// A level 2 that crashes or hangs is booted once more (Level2Retry); every test's output
// starts with the batch's log, retries included.
public sealed class Level2TestBatch
{
    // Level-2 boots of all batches are serialized by LabLock with the lab tests' boots.
    static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(40);
    static readonly Dictionary<string, Level2TestBatch> s_byKey = new(StringComparer.Ordinal);

    readonly string _assemblyPath;
    readonly IReadOnlyList<string> _keys;
    readonly StringBuilder _log = new();
    readonly Task<IReadOnlyDictionary<string, Level2TestOutcome>> _results;

    Level2TestBatch(string assemblyPath, IReadOnlyList<string> keys, Func<Level2TestBatch, Task<IReadOnlyDictionary<string, Level2TestOutcome>>> run)
    {
        _assemblyPath = assemblyPath;
        _keys = keys;
        _results = Task.Run(() => run(this));
    }

    // Starts one level-2 boot for these tests of the assembly.
    public static void Start(string assemblyPath, IReadOnlyList<Level2TestCase> testCases) =>
        StartWith(assemblyPath, testCases.Select(t => t.Key).Distinct().ToList(), batch => batch.RunAsync());

    // Registers a batch whose results come from `run` (the level-2 boot; tests give their own).
    internal static void StartWith(string assemblyPath, IReadOnlyList<string> keys, Func<Level2TestBatch, Task<IReadOnlyDictionary<string, Level2TestOutcome>>> run)
    {
        lock (s_byKey)
        {
            var batch = new Level2TestBatch(assemblyPath, keys, run);
            foreach (string key in keys)
                s_byKey[key] = batch;
        }
    }

    // What the test did in level 2, once its batch has run.
    public static async Task<Level2TestOutcome> ResultAsync(Level2TestCase testCase)
    {
        Level2TestBatch? batch;
        lock (s_byKey)
            s_byKey.TryGetValue(testCase.Key, out batch);
        if (batch is null)
        {
            return Level2TestOutcome.NotRun(testCase.Key, testCase.DisplayName,
                "this test needs KVM and was to run in level 2, but no level-2 batch was started for it: the test assembly must use Emu.Lab's test framework, "
                + "[assembly: Xunit.TestFramework(\"Emu.Lab.LabTestFramework\", \"Emu.Lab\")]");
        }
        IReadOnlyDictionary<string, Level2TestOutcome> results;
        try
        {
            results = await batch._results.ConfigureAwait(false);
        }
        catch (Exception e) when (e is LabException or IOException or JsonException)
        {
            return Level2TestOutcome.NotRun(testCase.Key, testCase.DisplayName, $"{batch.Log}the level-2 run failed: {e.Message}");
        }
        if (!results.TryGetValue(testCase.Key, out Level2TestOutcome? outcome))
            return Level2TestOutcome.NotRun(testCase.Key, testCase.DisplayName, $"{batch.Log}level 2 reported no result for this test (see the job's output in the run directory)");
        return outcome with { Output = batch.Log + outcome.Output };
    }

    string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    internal void Note(string line)
    {
        lock (_log)
            _log.Append("[level 2] ").Append(line).Append('\n');
    }

    async Task<IReadOnlyDictionary<string, Level2TestOutcome>> RunAsync()
    {
        Note($"{_keys.Count} test(s) of {Path.GetFileName(_assemblyPath)} need KVM, which this machine lacks ({LabRequirements.KvmMissingReason}): running them in one level-2 boot");
        return await Level2Retry.RunAsync(BootOnceAsync, Note).ConfigureAwait(false);
    }

    async Task<IReadOnlyDictionary<string, Level2TestOutcome>> BootOnceAsync()
    {
        using var run = Level2Run.Create(new Level2Options { Timeout = s_timeout });
        run.WriteFile("tests.list", string.Join('\n', _keys) + "\n");
        run.AddJob(JobScript(run), "tests");
        Level2Result result = await run.BootAsync().ConfigureAwait(false);
        LabJobResult job = result.Job;
        Note(string.Create(CultureInfo.InvariantCulture,
            $"run {run.Directory}: waited {result.LockWait.TotalSeconds:F0} s for the lab, level 2 up in {result.GuestBootSeconds:F1} s, the tests took {job.GuestSeconds:F0} s (dotnet test exit {job.ExitCode})"));
        var outcomes = new Dictionary<string, Level2TestOutcome>(StringComparer.Ordinal);
        string resultsPath = run.PathFor("results.jsonl");
        if (File.Exists(resultsPath))
        {
            foreach (string line in File.ReadLines(resultsPath).Where(l => l.Length > 0))
            {
                Level2TestOutcome outcome = JsonSerializer.Deserialize<Level2TestOutcome>(line)
                    ?? throw new JsonException($"{resultsPath}: an empty result");
                outcomes[outcome.Key] = outcome;
            }
        }
        if (outcomes.Count < _keys.Count)
            Note($"{_keys.Count - outcomes.Count} test(s) reported nothing; the end of the job's output:\n{string.Join('\n', job.OutputLines.TakeLast(40))}");
        return outcomes;
    }

    // The job: the same assembly, the listed tests, with CI=true (a missing prerequisite in
    // level 2 is a failure) and the variables that choose what the tests run against.
    string JobScript(Level2Run run)
    {
        var script = new StringBuilder();
        script.Append("export CI=true\n");
        script.Append(CultureInfo.InvariantCulture, $"export {Level2TestRecorder.TestsVariable}={ShellQuote.Quote(run.PathFor("tests.list"))}\n");
        script.Append(CultureInfo.InvariantCulture, $"export {Level2TestRecorder.ResultsVariable}={ShellQuote.Quote(run.PathFor("results.jsonl"))}\n");
        foreach (string name in ForwardedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                script.Append(CultureInfo.InvariantCulture, $"export {name}={ShellQuote.Quote(value)}\n");
        }
        script.Append(CultureInfo.InvariantCulture, $"cd {ShellQuote.Quote(Path.GetDirectoryName(_assemblyPath)!)}\n");
        script.Append(CultureInfo.InvariantCulture,
            $"dotnet test {ShellQuote.Quote(_assemblyPath)} --results-directory \"$LAB_DIR/TestResults\" --logger 'console;verbosity=normal'\n");
        return script.ToString();
    }

    // Environment variables that select what the tests exercise (EmuProcess: EMU_UNDER_TEST).
    static readonly string[] ForwardedVariables = ["EMU_UNDER_TEST"];
}
