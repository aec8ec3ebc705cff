using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>What a program run to its end said: its exit code, its standard output and its standard error.</summary>
public sealed record ProgramRun(int Code, string Output, string Error)
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> (and <paramref name="environment"/> added) to its end.</summary>
    public static async Task<ProgramRun> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new ProgramRun(p.ExitCode, await output, await error);
    }

    /// <summary>This run, after failing the test unless it exited 0.</summary>
    public ProgramRun Checked(string what)
    {
        Assert.True(Code == 0, $"{what} exited {Code}: {Output}{Error}");
        return this;
    }
}
