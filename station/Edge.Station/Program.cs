using System.CommandLine;
using Edge.Station;
using Edge.Station.Configuration;
using Edge.Station.Web;
using Microsoft.AspNetCore.Builder;
using Serilog;

var run = new Command("run", "Run the desk (the default): ingest from the station broker, the page and the API");
run.SetAction(async (_, ct) => await RunAsync(args.Where(a => a != "run").ToArray(), ct).ConfigureAwait(false));
var hash = new Command("hash-password", "Read a password from standard input and print its hash for Desk:Operators:N:PasswordHash");
hash.SetAction(_ =>
{
    var password = Console.In.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("no password on standard input");
        return 2;
    }

    Console.WriteLine(PasswordHash.Make(password));
    return 0;
});
var root = new RootCommand("edge-station: the police alarm desk") { run, hash };
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction(async (_, ct) => await RunAsync(args, ct).ConfigureAwait(false));
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

static async Task<int> RunAsync(string[] args, CancellationToken ct)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    // Only the desk's own files: edge-station.json beside the program (the shipped defaults), then the station's
    // configuration (EDGE_STATION_CONFIG, else /etc/edge/station.json), then EDGE_STATION_* variables and the command line.
    builder.Configuration.Sources.Clear();
    builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "edge-station.json"), optional: false);
    var named = Environment.GetEnvironmentVariable("EDGE_STATION_CONFIG");
    var file = named ?? "/etc/edge/station.json";
    if (named is not null && !File.Exists(Path.GetFullPath(named)))
    {
        Console.Error.WriteLine($"EDGE_STATION_CONFIG names {Path.GetFullPath(named)}, which does not exist");
        return 2;
    }

    builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: named is null);
    builder.Configuration.AddEnvironmentVariables("EDGE_STATION_");
    builder.Configuration.AddCommandLine(args);
    // The sinks are named, not found by scanning the folder: the desk may share one with the gateway and the simulator.
    builder.Services.AddSerilog((_, c) => c.ReadFrom.Configuration(builder.Configuration, new Serilog.Settings.Configuration.ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly)).WriteTo.Console());
    WebApplication app;
    try
    {
        app = DeskApp.Build(builder);
    }
    catch (DeskConfigException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
    catch (DeskUnavailableException ex)
    {
        // Exit 3, not 2: systemd starts the desk again (RestartPreventExitStatus=2 is for a wrong configuration only).
        Console.Error.WriteLine(ex.Message);
        return 3;
    }

    await app.RunAsync(ct).ConfigureAwait(false);
    return 0;
}
