using System.Diagnostics;
using Edge.Contracts.Serialization;
using Edge.Tests.Support;

namespace Edge.Tests.Deploy;

/// <summary>
/// The Debian package as a technician meets it, on this machine (as root, as CI runs): deploy/package.sh builds the
/// amd64 package; it installs; check-config refuses the shipped configuration for want of an identity and accepts it
/// once set; the installed binary runs against an unreachable station and keeps its events; an upgrade to a rebuilt
/// package keeps the configuration and the outbox, whose events all reach a real Mosquitto afterwards; remove keeps
/// the data, purge takes it and the user away.
/// </summary>
[Collection(PackageBuilds.Name)]
public sealed class DebianPackageTests : IDisposable
{
    private const string Config = "/etc/edge-gateway/appsettings.json";
    private const string Binary = "/usr/bin/edge-gateway";
    private readonly TempDirectory _dir = new();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_package_installs_checks_runs_upgrades_without_losing_events_and_purges()
    {
        Assert.SkipWhen(!OperatingSystem.IsLinux() || Environment.UserName != "root", "dpkg -i needs root (CI runs as root)");
        Assert.SkipWhen(!File.Exists("/usr/bin/dpkg-deb") || !File.Exists("/usr/bin/dpkg"), "dpkg is not installed");
        Assert.SkipWhen(Mosquitto.Binary is null, Mosquitto.SkipReason);
        Assert.SkipWhen((await RunAsync("dpkg-query", "-W", "-f=${Status}", "edge-gateway")).Output.Contains("installed", StringComparison.Ordinal),
            "an edge-gateway package is installed on this machine: the test will not replace it");

        var first = (await RunAsync("bash", RepoFiles.Path("deploy/package.sh"), "linux-x64")).Checked("package.sh").Output.Trim().Split('\n')[^1];
        Assert.EndsWith("_amd64.deb", first, StringComparison.Ordinal);
        var second = Rebuilt(first, "0.1.0+upgrade1");
        try
        {
            (await RunAsync("dpkg", "-i", first)).Checked("dpkg -i");
            Assert.Equal("edge-gateway", (await RunAsync("id", "-un", "edge-gateway")).Checked("the system user").Output.Trim());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Config));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode("/etc/edge-gateway/credentials"));

            // As shipped: no identity, so nothing starts.
            var refused = await RunAsync(Binary, "check-config");
            Assert.Equal(2, refused.Code);
            Assert.Contains("configuration error: Edge:Gateway:Community '' must be set", refused.Error, StringComparison.Ordinal);

            // Configured (the station is not there yet), checked, and run as the service's user: events wait.
            await File.WriteAllTextAsync(Config, Configuration("mqtt://127.0.0.1:1", events: 200));
            var check = (await RunAsync(Binary, "check-config")).Checked("check-config");
            Assert.Contains("configuration OK: gateway c901/gw1", check.Output, StringComparison.Ordinal);
            await RunGatewayUntilAsync(() => Status().Contains("low 200", StringComparison.Ordinal), "200 events waiting in the outbox");
            Assert.Contains("seq      last 200", Status(), StringComparison.Ordinal);

            // The upgrade keeps the configuration the technician wrote and the outbox with its events.
            (await RunAsync("dpkg", "-i", "--force-confold", second)).Checked("the upgrade");
            Assert.Equal("0.1.0+upgrade1", (await RunAsync("dpkg-query", "-W", "-f=${Version}", "edge-gateway")).Output);
            Assert.Contains("c901", await File.ReadAllTextAsync(Config), StringComparison.Ordinal);
            Assert.Contains("low 200", Status(), StringComparison.Ordinal);

            // The station comes: every event of the outbox reaches it, none lost.
            using var broker = await Mosquitto.StartAsync(_dir.Path);
            await using var station = await RecordingSubscriber.ConnectAsync(new Uri(broker.Uri), "edge/v1/c901/gw1/events/#");
            await File.WriteAllTextAsync(Config, Configuration(broker.Uri, events: 0));
            await RunGatewayUntilAsync(() => station.Messages.Count >= 200 && Status().Contains("low 0", StringComparison.Ordinal), "the 200 events at the station");
            var seqs = station.Messages.Select(m => Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(m.Payload)).Seq).Distinct().Order().ToList();
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs);

            // Remove keeps the data and the configuration; purge takes them and the user.
            (await RunAsync("dpkg", "--remove", "edge-gateway")).Checked("dpkg --remove");
            Assert.False(File.Exists(Binary));
            Assert.True(File.Exists("/var/lib/edge-gateway/outbox.db") && File.Exists(Config), "remove keeps the outbox and the configuration");
            (await RunAsync("dpkg", "--purge", "edge-gateway")).Checked("dpkg --purge");
            Assert.False(Directory.Exists("/var/lib/edge-gateway") || Directory.Exists("/etc/edge-gateway"), "purge removes the data and the configuration");
            Assert.NotEqual(0, (await RunAsync("id", "edge-gateway")).Code);
        }
        finally
        {
            await RunAsync("dpkg", "--purge", "edge-gateway");
        }
    }

    private static string Configuration(string broker, int events) => $$"""
        {
          "Edge": {
            "Gateway": { "Community": "c901", "Id": "gw1", "DataDirectory": "/var/lib/edge-gateway" },
            "Uplink": { "Broker": "{{broker}}", "ReconnectMaxDelay": "00:00:01" },
            "TestEvents": { "Rate": {{(events == 0 ? 0 : 400)}}, "Count": {{events}} }
          }
        }
        """;

    private static string Status()
    {
        var info = new ProcessStartInfo(Binary, "status") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    /// <summary>Runs the installed gateway as its service user until <paramref name="condition"/>, then stops it with SIGTERM.</summary>
    private static async Task RunGatewayUntilAsync(Func<bool> condition, string what)
    {
        // setpriv execs the gateway as the service's user (runuser would stay between, and kill it on SIGTERM).
        var info = new ProcessStartInfo("setpriv", "--reuid=edge-gateway --regid=edge-gateway --init-groups /usr/bin/edge-gateway run")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/var/lib/edge-gateway",
        };

        // What systemd gives the service: its user's home, its state directory.
        info.Environment["HOME"] = "/var/lib/edge-gateway";
        using var p = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        p.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            await Eventually.True(() => condition() || p.HasExited, what, TimeSpan.FromSeconds(60));
            Assert.False(p.HasExited, $"the gateway stopped by itself: {log}");
        }
        finally
        {
            if (!p.HasExited)
            {
                Signals.Terminate(p.Id);
            }

            await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }

        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {log}");
    }

    /// <summary>The same package under another version, as a rebuild for an upgrade.</summary>
    private string Rebuilt(string deb, string version)
    {
        var tree = _dir.Combine("tree");
        Run("dpkg-deb", "-R", deb, tree);
        var control = Path.Combine(tree, "DEBIAN", "control");
        File.WriteAllLines(control, File.ReadAllLines(control).Select(l => l.StartsWith("Version: ", StringComparison.Ordinal) ? $"Version: {version}" : l));
        var rebuilt = _dir.Combine($"edge-gateway_{version}_amd64.deb");
        Run("dpkg-deb", "--root-owner-group", "--build", tree, rebuilt);
        return rebuilt;

        static void Run(string program, params string[] args) => RunAsync(program, args).GetAwaiter().GetResult().Checked(program);
    }

    private static Task<ProgramRun> RunAsync(string program, params string[] args) =>
        ProgramRun.RunAsync(program, args, new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });

    public void Dispose() => _dir.Dispose();
}
