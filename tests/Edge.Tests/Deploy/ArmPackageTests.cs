using System.Runtime.InteropServices;
using Edge.Contracts.Serialization;
using Edge.Tests.Support;

namespace Edge.Tests.Deploy;

/// <summary>
/// The package for the edge device itself: deploy/package.sh cross-builds the arm64 Native AOT program on this x64
/// machine, and the program taken out of the .deb runs on an arm64 CPU (qemu's user-mode emulation here, the CPU itself
/// on an arm64 machine): it reports its version, reads its configuration, delivers its events to a real Mosquitto,
/// stops cleanly on SIGTERM and shows its outbox with <c>status</c>.
/// </summary>
[Collection(PackageBuilds.Name)]
public sealed class ArmPackageTests : IDisposable
{
    private const string Qemu = "/usr/bin/qemu-aarch64-static";
    private const string Sysroot = "/usr/aarch64-linux-gnu";
    private readonly TempDirectory _dir = new();

    private static bool Native => RuntimeInformation.OSArchitecture == Architecture.Arm64;

    [Fact]
    public async Task The_arm64_package_runs_on_an_arm64_cpu_and_delivers_its_events()
    {
        Assert.SkipWhen(!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/dpkg-deb"), "builds a Debian package (Linux, dpkg-deb)");
        Assert.SkipWhen(!Native && !File.Exists(Qemu), "qemu-aarch64-static is not installed (Debian's qemu-user-static; .ci/run installs it)");
        Assert.SkipWhen(!Native && !File.Exists("/usr/bin/aarch64-linux-gnu-gcc"),
            "no arm64 C toolchain to link with (Debian's gcc-aarch64-linux-gnu; .ci/run installs it)");
        Assert.SkipWhen(Mosquitto.Binary is null, Mosquitto.SkipReason);

        var deb = (await ProgramRun.RunAsync("bash", [RepoFiles.Path("deploy/package.sh"), "linux-arm64"])).Checked("package.sh linux-arm64").Output.Trim().Split('\n')[^1];
        Assert.EndsWith("_arm64.deb", deb, StringComparison.Ordinal);
        var tree = _dir.Combine("tree");
        (await ProgramRun.RunAsync("dpkg-deb", ["-x", deb, tree])).Checked("dpkg-deb -x");
        var program = Path.Combine(tree, "opt", "edge-gateway", "edge-gateway");

        // An ELF program for AArch64 (e_machine 183), not an IL assembly and not the build machine's.
        var header = File.ReadAllBytes(program).AsSpan(0, 20).ToArray();
        Assert.Equal("\u007fELF"u8.ToArray(), header[..4]);
        Assert.Equal(183, BitConverter.ToUInt16(header, 18));

        Assert.StartsWith("0.1.0", (await RunAsync(program, "--version")).Checked("--version").Output, StringComparison.Ordinal);

        using var broker = await Mosquitto.StartAsync(_dir.Path);
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(broker.Uri), "edge/v1/c903/gw1/events/#");
        var config = _dir.Combine("appsettings.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Edge": {
                "Gateway": { "Community": "c903", "Id": "gw1", "DataDirectory": "{{_dir.Combine("data")}}" },
                "Uplink": { "Broker": "{{broker.Uri}}" },
                "TestEvents": { "Rate": 200, "Count": 200 },
                "Metrics": { "Listen": "" }
              }
            }
            """);
        var environment = new Dictionary<string, string> { ["EDGE_GATEWAY_CONFIG"] = config };
        Assert.Contains("configuration OK: gateway c903/gw1", (await RunAsync(program, environment, "check-config")).Checked("check-config").Output, StringComparison.Ordinal);

        using (var gateway = Start(program, environment, "run"))
        {
            await Eventually.True(() => station.Messages.Count >= 200 || gateway.HasExited, "200 events at the station", TimeSpan.FromMinutes(2));
            Assert.False(gateway.HasExited, "the arm64 gateway stopped by itself");
            Signals.Terminate(gateway.Id);
            await gateway.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            Assert.Equal(0, gateway.ExitCode);
        }

        var seqs = station.Messages.Select(m => Payloads.DecodeEvent(System.Buffers.BuffersExtensions.ToArray(m.Payload)).Seq).Distinct().Order();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs);
        var status = (await RunAsync(program, environment, "status")).Checked("status").Output;
        Assert.Contains("seq      last 200", status, StringComparison.Ordinal);
        Assert.Contains("waiting  critical 0, high 0, normal 0, low 0", status, StringComparison.Ordinal);
    }

    private static Task<ProgramRun> RunAsync(string program, params string[] args) => RunAsync(program, new Dictionary<string, string>(), args);

    private static Task<ProgramRun> RunAsync(string program, Dictionary<string, string> environment, params string[] args) =>
        Native ? ProgramRun.RunAsync(program, args, environment) : ProgramRun.RunAsync(Qemu, ["-L", Sysroot, program, .. args], environment);

    private static System.Diagnostics.Process Start(string program, Dictionary<string, string> environment, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Native ? program : Qemu) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Native ? args : ["-L", Sysroot, program, .. args])
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }

        var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose() => _dir.Dispose();
}
