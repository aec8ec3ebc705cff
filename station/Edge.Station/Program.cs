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
    builder.Configuration.AddJsonFile(Environment.GetEnvironmentVariable("EDGE_STATION_CONFIG") ?? "/etc/edge/station.json", optional: true);
    builder.Services.AddSerilog((_, c) => c.ReadFrom.Configuration(builder.Configuration).WriteTo.Console());
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

    await app.RunAsync(ct).ConfigureAwait(false);
    return 0;
}
