using System.CommandLine;
using System.CommandLine.Parsing;
using Edge.Simulator.District;
using Edge.Simulator.Report;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Topology;

namespace Edge.Simulator.Cli;

/// <summary>The <c>edge-sim</c> command line: <c>run</c>, <c>hardware</c> and <c>topology</c>.</summary>
public static class SimulatorCli
{
    public static RootCommand Build(TextWriter output) => new("Edge district simulator: reproduces the communities' hardware and a police station's view of it")
    {
        Run(output),
        Hardware(output),
        Topology(output),
        Merge(output),
    };

    private static Command Run(TextWriter output)
    {
        var o = new ScenarioOptions(defaultDuration: TimeSpan.FromSeconds(20));
        var broker = BrokerOption("Station broker mqtt://host:port; default: an in-process broker");
        var processes = new Option<bool>("--gateway-processes") { Description = "Run each gateway as a real edge-gateway process instead of in this process" };
        var program = new Option<string?>("--gateway-program")
        {
            Description = "The program each gateway process runs, e.g. a packaged native edge-gateway (implies --gateway-processes); default: edge-gateway.dll beside the simulator",
        };
        var rate = new Option<double?>("--test-events") { Description = "Background load: device.test events per gateway per second (default: the scenario's)" };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is < 0 or > 100_000 or double.NaN)
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
        var data = new Option<string?>("--data") { Description = "Directory for the gateways' outboxes and log; default: a temporary one, removed after a clean run" };
        var desk = new Option<bool>("--desk") { Description = "Run the police alarm desk too and print its address: alarms live in a browser; with --scenario response the simulated police act through it" };
        var deskPort = PortOption("--desk-port", 8080, "Port of the police alarm desk (with --desk); 0 picks a free one");
        var command = new Command("run", "Run the district: station broker, every community's hardware and gateway, a scenario, and a station probe that checks every event arrived")
        {
            broker, processes, program, rate, heartbeat, data, desk, deskPort,
        };
        o.AddTo(command);
        command.SetAction(async (parse, ct) => await DistrictRun.RunAsync(o.Read(parse) with
        {
            Broker = parse.GetValue(broker),
            Gateways = parse.GetValue(processes) || parse.GetValue(program) is not null ? GatewayMode.Processes : GatewayMode.InProcess,
            GatewayProgram = parse.GetValue(program),
            TestEventRate = parse.GetValue(rate),
            HeartbeatInterval = parse.GetValue(heartbeat),
            DataDirectory = parse.GetValue(data),
            DeskPort = parse.GetValue(desk) ? parse.GetValue(deskPort) : null,
        }, output, ct).ConfigureAwait(false));
        return command;
    }

    private static Command Hardware(TextWriter output)
    {
        var o = new ScenarioOptions(defaultDuration: TimeSpan.Zero);
        var broker = BrokerOption("An external station broker to watch; default: an in-process broker on --broker-port");
        var brokerPort = PortOption("--broker-port", 1883, "Port of the in-process station broker");
        var bridgePort = PortOption("--bridge-port", 7100, "Port of the hardware bridge the gateways connect to");
        var httpPort = PortOption("--http-port", 7200, "Port of the simulated network devices (ISAPI controllers and cameras, ONVIF cameras)");
        var osdpPort = PortOption("--osdp-port", 7300, "Base port of the communities' OSDP lines (community cNNN at base + NNN)");
        var command = new Command("hardware", "Serve the simulated hardware of the communities (and a station broker) for gateways run elsewhere; " +
                                              "write their configurations with: topology --write DIR")
        {
            broker, brokerPort, bridgePort, httpPort, osdpPort,
        };
        o.AddTo(command);
        command.SetAction(async (parse, ct) => await DistrictRun.RunAsync(o.Read(parse) with
        {
            Broker = parse.GetValue(broker),
            BrokerPort = parse.GetValue(brokerPort),
            BridgePort = parse.GetValue(bridgePort),
            HttpPort = parse.GetValue(httpPort),
            OsdpPortBase = parse.GetValue(osdpPort),
            Gateways = GatewayMode.External,
        }, output, ct).ConfigureAwait(false));
        return command;
    }

    private static Command Merge(TextWriter output)
    {
        var reports = new Argument<string[]>("reports") { Description = "The JSON reports of the shards (run --shard i/n --report PATH)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("merge", "Add up the reports of a district run split into shards, and check that every shard is there once; exit 0 when all is well, 1 otherwise")
        {
            reports,
        };
        command.SetAction(parse =>
        {
            ShardMerge merge;
            try
            {
                merge = ShardMerge.Read(parse.GetValue(reports)!);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"merge: {ex.Message}");
                return 2;
            }

            merge.Print(output);
            return merge.Ok ? 0 : 1;
        });
        return command;
    }

    private static Command Topology(TextWriter output)
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the generated district", DefaultValueFactory = _ => 1 };
        var sites = SitesOption($"Sites, the first N of the district (default the retrofitted {DistrictFigures.Communities}; all {DistrictFigures.Sites} with campuses and hospitals)");
        var write = new Option<string?>("--write") { Description = "Write each community's gateway configuration (DIR/cNNN/appsettings.json)" };
        var broker = BrokerOption("Station broker for the written configurations (default mqtt://127.0.0.1:1883)");
        var bridge = new Option<string>("--bridge") { Description = "Hardware bridge for the written configurations", DefaultValueFactory = _ => "tcp://127.0.0.1:7100" };
        var http = new Option<string>("--http") { Description = "Base address of the simulated network devices (ISAPI, ONVIF) for the written configurations", DefaultValueFactory = _ => "http://127.0.0.1:7200/" };
        var osdp = new Option<string>("--osdp") { Description = "Base address of the communities' OSDP lines for the written configurations (cNNN at port + NNN)", DefaultValueFactory = _ => "tcp://127.0.0.1:7300" };
        var shard = new Option<Shard?>("--shard") { Description = "Only shard i of n of those sites, as hardware --shard i/n serves them", CustomParser = ParseShard };
        var command = new Command("topology", "Print the generated district; with --write, write each community's gateway configuration") { seed, sites, shard, write, broker, bridge, http, osdp };
        command.SetAction(parse =>
        {
            IReadOnlyList<CommunityPlan> district;
            try
            {
                district = DistrictRun.Sites(new RunSettings { Seed = parse.GetValue(seed), Communities = parse.GetValue(sites), Shard = parse.GetValue(shard) });
            }
            catch (RunStartException ex)
            {
                output.WriteLine($"error: {ex.Message}");
                return 2;
            }

            TopologyReport.Print(district, output);
            if (parse.GetValue(write) is { } dir)
            {
                var files = GatewayConfigWriter.Write(district, dir, parse.GetValue(broker) ?? new Uri("mqtt://127.0.0.1:1883"),
                    new DeviceEndpoints(new Uri(parse.GetValue(bridge)!), new Uri(parse.GetValue(http)!), new Uri(parse.GetValue(osdp)!)));
                output.WriteLine($"wrote {files.Count} gateway configurations under {dir}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>The options <c>run</c> and <c>hardware</c> share: which district, which scenario, how fast, what to report.</summary>
    private sealed class ScenarioOptions
    {
        private readonly Option<int> _communities = SitesOption("Sites to simulate, the first N of the district: 1-312 the retrofitted communities (the default), " +
                                                                "to 1,488 the district's other smart communities, to 1,865 its campuses, to 1,903 its hospitals");

        private readonly Option<Shard?> _shard = new("--shard")
        {
            Description = "Run shard i of n of those sites (every n-th from the i-th), beside the other shards' processes on one broker (--broker); " +
                          "each shard's probe checks its own sites; merge the shards' reports with: merge",
            CustomParser = ParseShard,
        };

        private readonly Option<TimeSpan> _duration;
        private readonly Option<string> _scenario = new("--scenario")
        {
            Description = "What happens: " + string.Join("; ", ScenarioCatalog.All.Select(s => $"{s.Name} ({s.Summary})")),
            DefaultValueFactory = _ => "normal",
        };

        private readonly Option<double?> _speed = new("--speed") { Description = "Time acceleration of the scenario (default: the scenario's own, 60 for normal and rush, 1 otherwise)" };
        private readonly Option<int> _seed = new("--seed") { Description = "Seed of the district and the scenario", DefaultValueFactory = _ => 1 };
        private readonly Option<string?> _report = new("--report") { Description = "Write the JSON report here, and the HTML report beside it (.html)" };
        private readonly Option<bool> _quiet = new("--quiet") { Description = "Print the summary only" };
        private readonly Option<bool> _verbose = new("--verbose") { Description = "Print every message the station receives" };

        public ScenarioOptions(TimeSpan defaultDuration)
        {
            _duration = new Option<TimeSpan>("--duration")
            {
                Description = defaultDuration == TimeSpan.Zero
                    ? "How long to run: seconds, or with a unit (90s, 5m); default: until Ctrl+C"
                    : "How long the scenario runs: seconds, or with a unit (90s, 5m)",
                DefaultValueFactory = _ => defaultDuration,
                CustomParser = ParseDuration,
            };
            _scenario.AcceptOnlyFromAmong([.. ScenarioCatalog.Names]);
            _speed.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<double?>() is <= 0 or > 100_000 or double.NaN)
                {
                    r.AddError("--speed must be above 0 and at most 100000");
                }
            });
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _communities, _shard, _duration, _scenario, _speed, _seed, _report, _quiet, _verbose })
            {
                command.Options.Add(option);
            }
        }

        public RunSettings Read(ParseResult parse) => new()
        {
            Communities = parse.GetValue(_communities),
            Shard = parse.GetValue(_shard),
            Duration = parse.GetValue(_duration),
            Scenario = parse.GetValue(_scenario)!,
            Speed = parse.GetValue(_speed),
            Seed = parse.GetValue(_seed),
            ReportPath = parse.GetValue(_report),
            Verbosity = parse.GetValue(_quiet) ? Verbosity.Quiet : parse.GetValue(_verbose) ? Verbosity.Verbose : Verbosity.Normal,
        };
    }

    private static Option<Uri?> BrokerOption(string description) => new("--broker") { Description = description, CustomParser = ParseBroker };

    /// <summary><c>--communities N</c>: the first N sites of the district, 1 to 1,903, the retrofitted 312 by default.</summary>
    private static Option<int> SitesOption(string description)
    {
        var option = new Option<int>("--communities") { Description = description, DefaultValueFactory = _ => DistrictFigures.Communities };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > DistrictFigures.Sites)
            {
                r.AddError($"--communities must be 1-{DistrictFigures.Sites}");
            }
        });
        return option;
    }

    private static Option<int> PortOption(string name, int fallback, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError($"{name} must be 0-65535");
            }
        });
        return option;
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

    private static Shard? ParseShard(ArgumentResult result)
    {
        var shard = Shard.Parse(result.Tokens.Count > 0 ? result.Tokens[0].Value : "", out var problem);
        if (problem is not null)
        {
            result.AddError(problem);
        }

        return shard;
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
