using System.Globalization;
using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Deploy;

/// <summary>
/// The shipped systemd units, checked by systemd itself: <c>systemd-analyze verify</c> finds nothing wrong but the
/// program not being installed here, and <c>systemd-analyze security --offline=true</c> scores the sandboxing.
/// Skipped where systemd-analyze is not installed (.ci/run installs systemd).
/// </summary>
public sealed partial class SystemdUnitTests
{
    private const string Analyze = "/usr/bin/systemd-analyze";

    /// <summary>
    /// The exposure each unit must not exceed: the 1.2 the security review asked for. The gateway keeps its serial,
    /// GPIO and SPI devices, their groups, netlink and the private networks, and gets there with a /proc of its own
    /// processes and a user namespace.
    /// </summary>
    public static TheoryData<string, double> Units => new()
    {
        { "deploy/systemd/edge-gateway.service", 1.2 },
        { "deploy/station/edge-station.service", 1.2 },
    };

    [Theory]
    [MemberData(nameof(Units))]
    public async Task The_unit_is_valid_and_sandboxed(string unit, double maxExposure)
    {
        Assert.SkipWhen(!File.Exists(Analyze), "systemd-analyze is not installed (apt-get install systemd; .ci/run installs it)");
        var path = RepoFiles.Path(unit);

        var (_, verify) = await RunAsync("verify", path);
        var problems = verify.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("is not executable: No such file or directory", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(problems);

        var (code, security) = await RunAsync("security", "--offline=true", path);
        Assert.Equal(0, code);
        var exposure = double.Parse(Exposure().Match(security).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= maxExposure, $"{unit}: exposure {exposure}, more than {maxExposure}\n{security}");
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var run = await ProgramRun.RunAsync(Analyze, args);
        return (run.Code, run.Output + run.Error);
    }

    [GeneratedRegex(@"Overall exposure level for [^:]+: (\d+\.\d+)")]
    private static partial Regex Exposure();
}
