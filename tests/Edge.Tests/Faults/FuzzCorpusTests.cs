using System.Diagnostics;
using Edge.Fuzz;
using Edge.Tests.Support;

namespace Edge.Tests.Faults;

/// <summary>
/// The coverage-guided fuzzing of tests/Edge.Fuzz, kept honest by the suite: every input in the corpus (the seeds and
/// whatever the fuzzer found that once broke a parser) goes through its harness on every run, and where afl-fuzz is
/// installed (.ci/run installs afl++) a short fuzzing run of every target must find nothing.
/// </summary>
public sealed class FuzzCorpusTests : IDisposable
{
    private static readonly string Corpus = RepoFiles.Path("tests/Edge.Fuzz/corpus");
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Fact]
    public void Every_target_has_a_corpus_and_every_corpus_a_target()
    {
        var folders = Directory.GetDirectories(Corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), folders);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_input_in_the_corpus_passes_its_harness_and_the_seeds_reach_the_parser(string target)
    {
        var harness = FuzzTargets.Find(target)!;
        var files = Directory.GetFiles(Path.Combine(Corpus, target)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var taken = files.Count(f => harness.Run(File.ReadAllBytes(f)));

        // Seeds are well-formed input: most must get past the parser's refusals, or the fuzzer starts from nothing.
        Assert.True(taken * 2 > files.Count, $"{target}: only {taken} of {files.Count} corpus inputs were taken by the parser");
    }

    [Fact]
    public void The_seeds_on_disk_are_the_ones_the_code_writes()
    {
        foreach (var (target, seeds) in FuzzSeeds.All())
        {
            for (var i = 0; i < seeds.Count; i++)
            {
                var file = Path.Combine(Corpus, target, $"seed-{i:00}");
                Assert.True(File.Exists(file), $"{file} is missing: run edge-fuzz seeds tests/Edge.Fuzz/corpus");
                Assert.Equal(Unsigned(target, seeds[i]), Unsigned(target, File.ReadAllBytes(file)));
            }
        }
    }

    /// <summary>A signed command without its signature: ECDSA signs with a fresh random number every time.</summary>
    private static byte[] Unsigned(string target, byte[] seed) =>
        target == "command" && seed is [var mode, ..] && (mode & 1) == 1 && Array.LastIndexOf(seed, (byte)'.') is > 0 and var dot ? seed[..dot] : seed;

    [Fact]
    public async Task A_short_afl_fuzz_run_of_every_target_finds_no_crash_and_no_hang()
    {
        Assert.SkipWhen(!File.Exists("/usr/bin/afl-fuzz"), "afl-fuzz is not installed (apt-get install afl++; .ci/run installs it)");
        var build = Path.GetDirectoryName(typeof(FuzzTargets).Assembly.Location)!;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { RepoFiles.Path("tests/Edge.Fuzz/fuzz.sh"), "--execs", "3000", "--out", _dir.Path, "--bin", FuzzBuild(build) })
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(p.ExitCode == 0, $"fuzz.sh exited {p.ExitCode}:\n{await output}\n{await error}");
        foreach (var target in FuzzTargets.All)
        {
            var line = Assert.Single(lines, l => l.StartsWith(target.Name + ": ", StringComparison.Ordinal));
            Assert.Contains("crashes 0, hangs 0", line, StringComparison.Ordinal);
        }
    }

    /// <summary>The folder edge-fuzz was built into: its own project's output, which the test build made.</summary>
    private static string FuzzBuild(string testOutput)
    {
        // tests/Edge.Tests/bin/{Configuration}/net10.0 -> tests/Edge.Fuzz/bin/{Configuration}/net10.0
        var framework = new DirectoryInfo(testOutput);
        var configuration = framework.Parent!.Name;
        var own = RepoFiles.Path($"tests/Edge.Fuzz/bin/{configuration}/{framework.Name}");
        return File.Exists(Path.Combine(own, "edge-fuzz.dll")) ? own : testOutput;
    }

    public void Dispose() => _dir.Dispose();
}
