using Edge.Contracts.Events;
using Edge.Gateway.Service;
using Edge.Tests.Support;

namespace Edge.Tests.Configuration;

/// <summary>
/// The technician's commands of <c>edge-gateway</c>, run in-process with the configuration given on the command line:
/// they read and print, report every problem at once with the documented exit codes, and start nothing.
/// </summary>
public sealed class GatewayCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Data => _dir.Combine("data");

    private string[] Identity => ["--Edge:Gateway:Community=c001", "--Edge:Gateway:Id=gw1", $"--Edge:Gateway:DataDirectory={Data}"];

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.Build(output, error).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_version_and_a_bare_call_start_nothing()
    {
        var help = await RunAsync("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("check-config", help.Output, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 done, 1 unexpected error, 2 configuration refused, 3 outbox unusable", help.Output, StringComparison.Ordinal);

        var version = await RunAsync("--version");
        Assert.Equal(0, version.Code);
        Assert.StartsWith("0.1.0", version.Output, StringComparison.Ordinal);

        var bare = await RunAsync();
        Assert.Equal(GatewayProgram.ConfigurationError, bare.Code);
        Assert.Contains("say what to do", bare.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_reports_every_problem_at_once_and_creates_nothing()
    {
        var (code, _, error) = await RunAsync("check-config", $"--Edge:Gateway:DataDirectory={Data}", "--Edge:Uplink:Broker=http://station",
            "--Edge:Uplnk:Broker=mqtt://x", "--Edge:Outbox:MaxBytes=lots", "--Serilog:MinimumLevel:Default=Loud", "--Serilog:WriteTo:0:Name=Seq");

        Assert.Equal(GatewayProgram.ConfigurationError, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("configuration error: ", l, StringComparison.Ordinal));
        foreach (var key in new[] { "Edge:Gateway:Community", "Edge:Gateway:Id", "Edge:Uplink:Broker", "Edge:Uplnk", "Edge:Outbox:MaxBytes", "Serilog:MinimumLevel:Default", "Serilog:WriteTo" })
        {
            Assert.Contains(lines, l => l.Contains(key, StringComparison.Ordinal));
        }

        Assert.False(Directory.Exists(Data), "check-config may not create the data directory");
    }

    [Fact]
    public async Task Check_config_refuses_values_that_read_cleanly_but_are_wrong()
    {
        // Nothing misspelt, nothing of the wrong type: only values the validation refuses.
        var (code, _, error) = await RunAsync("check-config", $"--Edge:Gateway:DataDirectory={Data}", "--Edge:Uplink:CaFile=/nonexistent/ca.crt",
            "--Edge:Uplink:Broker=mqtts://station:8883");

        Assert.Equal(GatewayProgram.ConfigurationError, code);
        Assert.Contains("configuration error: Edge:Gateway:Community '' must be set", error, StringComparison.Ordinal);
        Assert.Contains("configuration error: Edge:Gateway:Id '' must be set", error, StringComparison.Ordinal);
        Assert.Contains("Edge:Uplink:CaFile", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_and_devices_describe_a_good_configuration()
    {
        string[] devices =
        [
            .. Identity, "--Edge:Hardware:Gpio=Libgpiod", "--Edge:Hardware:GpioChip=0",
            "--Edge:Alarms:Buttons:0:Id=btn-guardroom", "--Edge:Alarms:Buttons:0:Name=Guard room", "--Edge:Alarms:Buttons:0:Pin=17",
            "--Edge:Alarms:Buttons:0:LedPin=27",
        ];

        var check = await RunAsync(["check-config", .. devices]);
        Assert.True(check.Code == 0, check.Error);
        Assert.Contains($"configuration OK: gateway c001/gw1, broker mqtt://127.0.0.1:1883, outbox {Path.Combine(Data, "outbox.db")}, 1 devices (1 button)", check.Output, StringComparison.Ordinal);

        var list = await RunAsync(["devices", .. devices]);
        Assert.Equal(0, list.Code);
        Assert.Matches(@"button\s+btn-guardroom\s+Guard room\s+gpiochip0 pin 17 \(NormallyOpen\), LED pin 27", list.Output);
        Assert.False(Directory.Exists(Data), "nothing is started");
    }

    [Fact]
    public async Task Status_reads_the_outbox_without_changing_it()
    {
        var path = Path.Combine(Data, "outbox.db");
        await using (var outbox = await OutboxHarness.StartAsync(path))
        {
            await outbox.SubmitAsync(Priority.Critical, 1);
            await outbox.SubmitAsync(Priority.Low, 2);
            await outbox.SubmitAsync(Priority.Low, 3);
        }

        var before = File.ReadAllBytes(path);
        var (code, output, error) = await RunAsync(["status", .. Identity]);

        Assert.True(code == 0, error);
        Assert.Contains($"outbox   {path} (gateway c001/gw1)", output, StringComparison.Ordinal);
        Assert.Contains("seq      last 3, epoch ", output, StringComparison.Ordinal);
        Assert.Contains("waiting  critical 1, high 0, normal 0, low 2; oldest ", output, StringComparison.Ordinal);
        Assert.Contains("lost     0 dead letters", output, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));

        var missing = await RunAsync("status", "--outbox", _dir.Combine("none.db"));
        Assert.Equal(GatewayProgram.OutboxError, missing.Code);
        Assert.Contains("no outbox at", missing.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
