using System.CommandLine;
using System.CommandLine.Parsing;
using Edge.Simulator.District;

namespace Edge.Simulator.Cli;

/// <summary>The <c>edge-sim</c> command line.</summary>
public static class SimulatorCli
{
    public static RootCommand Build(TextWriter output)
    {
        var communities = new Option<int>("--communities")
        {
            Description = "Communities to simulate, one gateway each",
            DefaultValueFactory = _ => 8,
        };
        communities.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 2000)
            {
                r.AddError("--communities must be 1-2000");
            }
        });
        var duration = new Option<TimeSpan>("--duration")
        {
            Description = "How long to run: seconds, or with a unit (90s, 5m)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(20),
            CustomParser = ParseDuration,
        };
        var broker = new Option<Uri?>("--broker")
        {
            Description = "Station broker mqtt://host:port; default: an in-process broker",
            CustomParser = ParseBroker,
        };
        var rate = new Option<double>("--test-events")
        {
            Description = "device.test events per second per gateway",
            DefaultValueFactory = _ => 2,
        };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 100_000 or double.NaN)
            {
                r.AddError("--test-events must be 0-100000");
            }
        });
        var heartbeat = new Option<TimeSpan>("--heartbeat")
        {
            Description = "Gateway heartbeat interval",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
            CustomParser = ParseDuration,
        };
        var alarmEvery = new Option<TimeSpan>("--alarm-every")
        {
            Description = "Press a random community's alarm button this often (0 for never)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(2),
            CustomParser = r => r.Tokens.Count > 0 && r.Tokens[0].Value == "0" ? TimeSpan.Zero : ParseDuration(r),
        };
        var data = new Option<string?>("--data") { Description = "Directory for the gateways' outboxes; default: a temporary one, removed at the end" };
        var quiet = new Option<bool>("--quiet") { Description = "Print the summary only, not every message" };

        var run = new Command("run", "Run the district: station broker, one gateway per community and a station probe, then print what arrived")
        {
            communities, duration, broker, rate, heartbeat, alarmEvery, data, quiet,
        };
        run.SetAction(async (parse, ct) =>
        {
            var settings = new RunSettings(parse.GetValue(communities), parse.GetValue(duration), parse.GetValue(broker),
                parse.GetValue(rate), parse.GetValue(heartbeat), parse.GetValue(data), parse.GetValue(quiet), parse.GetValue(alarmEvery));
            return await DistrictRun.RunAsync(settings, output, ct).ConfigureAwait(false);
        });

        var seed = new Option<int>("--seed") { Description = "Seed of the generated district", DefaultValueFactory = _ => 1 };
        var write = new Option<string?>("--write") { Description = "Write each community's gateway configuration (DIR/cNNN/appsettings.json)" };
        var topologyBroker = new Option<Uri?>("--broker") { Description = "Station broker for the written configurations", CustomParser = ParseBroker };
        var bridge = new Option<string>("--bridge") { Description = "Hardware bridge for the written configurations", DefaultValueFactory = _ => "tcp://127.0.0.1:7100" };
        var topology = new Command("topology", "Print the generated district; with --write, write each community's gateway configuration") { seed, write, topologyBroker, bridge };
        topology.SetAction(parse =>
        {
            var district = Topology.DistrictTopology.Generate(parse.GetValue(seed));
            Topology.TopologyReport.Print(district, output);
            if (parse.GetValue(write) is { } dir)
            {
                var files = Topology.GatewayConfigWriter.Write(district, dir, parse.GetValue(topologyBroker) ?? new Uri("mqtt://127.0.0.1:1883"), new Uri(parse.GetValue(bridge)!));
                output.WriteLine($"wrote {files.Count} gateway configurations under {dir}");
            }

            return 0;
        });

        return new RootCommand("Edge district simulator: reproduces the communities' hardware and a police station's view of it")
        {
            run,
            topology,
        };
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (Duration.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration: use seconds (90) or a number with ms, s, m or h (90s, 5m)");
        return default;
    }

    private static Uri? ParseBroker(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == "mqtt" && !string.IsNullOrEmpty(uri.Host))
        {
            return uri.IsDefaultPort || uri.Port <= 0 ? new Uri($"mqtt://{uri.Host}:1883") : uri;
        }

        result.AddError($"'{text}' is not a broker address: use mqtt://host:port");
        return null;
    }
}
