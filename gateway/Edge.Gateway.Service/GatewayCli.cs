using System.CommandLine;
using System.Globalization;
using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Hosting;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Service;

/// <summary>
/// The <c>edge-gateway</c> command line: <c>run</c> (what systemd starts), and for a technician <c>check-config</c>,
/// <c>status</c> and <c>devices</c>, which read and print and start nothing. Every command takes configuration
/// overrides after it (<c>--Edge:Uplink:Broker=mqtts://...</c>), as the configuration's command-line source reads them.
/// </summary>
public static class GatewayCli
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Edge gateway: reads a community's alarm buttons, access control and cameras, and forwards their events to the " +
            "station broker over MQTT. Configuration: /etc/edge-gateway/appsettings.json (or the file EDGE_GATEWAY_CONFIG " +
            "names), environment variables (Edge__Uplink__Broker=...), and --Edge:...=value after a command. " +
            "Exit codes: 0 done, 1 unexpected error, 2 configuration refused, 3 outbox unusable.")
        {
            Run(),
            CheckConfig(output, error),
            Status(output, error),
            Devices(output, error),
        };
        root.SetAction(_ =>
        {
            // Never a second gateway by accident: a bare edge-gateway beside the running service would fight it for the outbox.
            error.WriteLine("edge-gateway: say what to do: run, check-config, status or devices (edge-gateway --help)");
            return GatewayProgram.ConfigurationError;
        });
        return root;
    }

    private static Command Run()
    {
        var command = new Command("run", "Run the gateway (what systemd starts) until SIGTERM") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(async (parse, _) => await GatewayProgram.RunAsync([.. parse.UnmatchedTokens]).ConfigureAwait(false));
        return command;
    }

    private static Command CheckConfig(TextWriter output, TextWriter error)
    {
        var command = new Command("check-config", "Read and check the configuration as run would, print every problem at once (exit 2), start nothing")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse => Settings([.. parse.UnmatchedTokens], error, (settings, production) =>
        {
            var refused = production ? DeviceLinks.Refusals(settings) : [];
            foreach (var problem in refused)
            {
                error.WriteLine($"configuration error: {problem}");
            }

            foreach (var link in DeviceLinks.Insecure(settings))
            {
                output.WriteLine($"warning: {link.Key} ({link.Device}) is reached over {link.What}");
            }

            foreach (var key in SecretFiles.Inline(settings))
            {
                output.WriteLine($"warning: {key} is written in the configuration: keep it in a file or a systemd credential ({key}File)");
            }

            if (refused.Count > 0)
            {
                return GatewayProgram.ConfigurationError;
            }

            var devices = ConfiguredDevices.Of(settings);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"configuration OK: gateway {settings.Gateway.Community}/{settings.Gateway.Id}, broker {settings.Uplink.Broker}, " +
                $"outbox {Path.GetFullPath(GatewayInstance.OutboxPath(settings.Gateway))}, {devices.Count} devices ({Summary(devices)})"));
            return 0;
        }));
        return command;
    }

    private static Command Devices(TextWriter output, TextWriter error)
    {
        var command = new Command("devices", "List the configured devices and what each is wired to") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(parse => Settings([.. parse.UnmatchedTokens], error, (settings, _) =>
        {
            var devices = ConfiguredDevices.Of(settings);
            var kind = Math.Max(4, devices.Select(d => d.Kind.Length).DefaultIfEmpty().Max());
            var id = Math.Max(2, devices.Select(d => d.Id.Length).DefaultIfEmpty().Max());
            var name = Math.Max(4, devices.Select(d => (d.Name ?? "").Length).DefaultIfEmpty().Max());
            output.WriteLine($"{"kind".PadRight(kind)}  {"id".PadRight(id)}  {"name".PadRight(name)}  wired to");
            foreach (var d in devices)
            {
                output.WriteLine($"{d.Kind.PadRight(kind)}  {d.Id.PadRight(id)}  {(d.Name ?? "").PadRight(name)}  {d.WiredTo}");
            }

            output.WriteLine($"{devices.Count} devices ({Summary(devices)}) on gateway {settings.Gateway.Community}/{settings.Gateway.Id}");
            return 0;
        }));
        return command;
    }

    private static Command Status(TextWriter output, TextWriter error)
    {
        var outbox = new Option<string?>("--outbox") { Description = "The outbox file; default: outbox.db in Edge:Gateway:DataDirectory" };
        var command = new Command("status", "Read the outbox without changing it: last seq, events waiting per lane, the oldest, dead letters, cursors")
        {
            outbox,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            string path;
            try
            {
                var configuration = GatewayProgram.CreateBuilder([.. parse.UnmatchedTokens]).Configuration;
                path = parse.GetValue(outbox) ?? GatewayInstance.OutboxPath(GatewayOptions.From(configuration));
            }
            catch (OptionsValidationException ex)
            {
                return Refused(error, ex);
            }

            try
            {
                Print(OutboxStatus.Read(Path.GetFullPath(path)), output);
                return 0;
            }
            catch (Exception ex) when (ex is OutboxCorruptException or FileNotFoundException)
            {
                error.WriteLine($"outbox error: {ex.Message}");
                return GatewayProgram.OutboxError;
            }
        });
        return command;
    }

    private static void Print(OutboxStatus s, TextWriter output)
    {
        var now = DateTimeOffset.UtcNow;
        output.WriteLine($"outbox   {s.Path} (gateway {s.Identity ?? "?"})");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seq      last {s.LastSeq}, epoch {s.SeqEpoch?.ToString("u", CultureInfo.InvariantCulture) ?? "none (an outbox from before epochs)"}"));
        var lanes = string.Join(", ", PriorityNames.All.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.ToWire()} {s.Waiting[p]}")));
        var oldest = s.OldestWaiting is { } o ? string.Create(CultureInfo.InvariantCulture, $"; oldest {o:u}, {Math.Max(0, (now - o).TotalSeconds):0} s ago") : "";
        output.WriteLine($"waiting  {lanes}{oldest}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lost     {s.DeadLetters} dead letters (refused by the broker), {s.Evictions} evicted (outbox full), {s.Expired} expired"));
        output.WriteLine(s.Cursors.Count == 0 ? "cursors  none" : $"cursors  {string.Join(", ", s.Cursors.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}");
    }

    /// <summary>Reads the settings as <c>run</c> does and hands them on; a refusal prints every problem, exit 2.</summary>
    private static int Settings(string[] args, TextWriter error, Func<GatewaySettings, bool, int> then)
    {
        try
        {
            var builder = GatewayProgram.CreateBuilder(args);
            var logErrors = new List<string>();
            LogLevels.Read(builder.Configuration, logErrors);
            GatewaySettings settings;
            try
            {
                settings = SettingsBinder.Bind(builder.Configuration);
            }
            catch (OptionsValidationException ex) when (logErrors.Count > 0)
            {
                throw new OptionsValidationException(ex.OptionsName, ex.OptionsType, [.. logErrors, .. ex.Failures]);
            }

            if (logErrors.Count > 0)
            {
                // The values' own problems too: every problem at once.
                throw new OptionsValidationException(LogLevels.Section, typeof(LogLevels), [.. logErrors, .. settings.Validate()]);
            }

            // Read cleanly is not yet valid: the values are checked as the gateway checks them when it is made.
            settings.ThrowIfInvalid();
            return then(settings, builder.Environment.IsProduction());
        }
        catch (OptionsValidationException ex)
        {
            return Refused(error, ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"configuration error: {ex.Message}");
            return GatewayProgram.ConfigurationError;
        }
    }

    private static int Refused(TextWriter error, OptionsValidationException ex)
    {
        foreach (var failure in ex.Failures)
        {
            error.WriteLine($"configuration error: {failure}");
        }

        return GatewayProgram.ConfigurationError;
    }

    private static string Summary(IReadOnlyList<ConfiguredDevice> devices) =>
        devices.Count == 0 ? "none" : string.Join(", ", devices.GroupBy(d => d.Kind).Select(g => $"{g.Count()} {g.Key}{(g.Count() == 1 ? "" : "s")}"));
}
