using System.Net.Http.Json;
using System.Security.Cryptography;
using Edge.Simulator.Gateways;
using Edge.Station;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Edge.Simulator.Station;

/// <summary>
/// The real police alarm desk (<c>edge-station</c>) hosted in a run (<c>edge-sim run --desk</c>): it ingests from the
/// run's broker, keeps its database in the run's data directory, and signs its commands with a key made for the run,
/// which the run's gateways know. A duty operator with a password made for the run can log in at <see cref="Url"/>; the
/// simulated police of the <c>response</c> scenario act through its API as an operator of their own.
/// </summary>
public sealed class StationDesk : IAsyncDisposable
{
    /// <summary>The key id the gateways know the desk's key by.</summary>
    public const string KeyId = "edge-station";

    /// <summary>The operator a person logs in as.</summary>
    public const string DutyOperator = "duty";

    /// <summary>The operator the simulated police act as.</summary>
    public const string SimulatedOperator = "sim-officer";

    private readonly WebApplication _app;

    private StationDesk(WebApplication app, Uri url, string password, StationKey key, HttpClient api)
    {
        _app = app;
        Url = url;
        DutyPassword = password;
        StationKey = key;
        Api = api;
    }

    public Uri Url { get; }

    public string DutyPassword { get; }

    /// <summary>The public half of the desk's key, as the gateways' <c>Edge:Commands:StationKeys</c> hold it.</summary>
    public StationKey StationKey { get; }

    /// <summary>An HTTP client logged in as <see cref="SimulatedOperator"/>.</summary>
    public HttpClient Api { get; }

    /// <summary>
    /// Starts the desk on 127.0.0.1:<paramref name="port"/> (0: a free port) against <paramref name="broker"/>;
    /// <paramref name="settings"/> adds to or replaces its <c>Desk</c> settings (another <c>ClientId</c> and
    /// <c>CommandKeyId</c> for a second desk, <c>PostgreSql</c> for a shared database; a null value removes a setting).
    /// </summary>
    public static async Task<StationDesk> StartAsync(Uri broker, int port, string dataDirectory, ILoggerFactory logs, TimeProvider time, CancellationToken ct,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        Directory.CreateDirectory(dataDirectory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyFile = Path.Combine(dataDirectory, "desk-key.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem(), ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(9)).Replace('/', 'x').Replace('+', 'y');
        var simPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var configuration = new Dictionary<string, string?>
        {
            ["Desk:Broker"] = broker.ToString(),
            ["Desk:ClientId"] = "station-desk",
            ["Desk:DataDirectory"] = dataDirectory,
            ["Desk:CommandKeyFile"] = keyFile,
            ["Desk:CommandKeyId"] = KeyId,
            ["Desk:Operators:0:Name"] = DutyOperator,
            ["Desk:Operators:0:PasswordHash"] = Edge.Station.Web.PasswordHash.Make(password),
            ["Desk:Operators:1:Name"] = SimulatedOperator,
            ["Desk:Operators:1:PasswordHash"] = Edge.Station.Web.PasswordHash.Make(simPassword),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            configuration[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        var keyId = configuration["Desk:CommandKeyId"]!;
        var app = DeskApp.Build(builder, time);
        await app.StartAsync(ct).ConfigureAwait(false);
        var url = new Uri(app.Urls.First());
        var api = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = url };
        api.DefaultRequestHeaders.Add(Edge.Station.Web.DeskApi.ActionHeader, "1");
        var login = await api.PostAsJsonAsync("/api/login", new { name = SimulatedOperator, password = simPassword }, ct).ConfigureAwait(false);
        login.EnsureSuccessStatusCode();
        var desk = new StationDesk(app, url, password, new StationKey(keyId, key.ExportSubjectPublicKeyInfoPem()), api);
        await app.Services.GetRequiredService<Edge.Station.Ingest.DeskIngest>().FirstConnect.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return desk;
    }

    /// <summary>
    /// Takes a step on an alarm through the desk's API, as an officer at the desk would, once the desk has the alarm
    /// (it may reach the simulated police before the desk stored it); the id of the command the step sent, or null
    /// when the desk refused the step or did not get the alarm within 10 s.
    /// </summary>
    public async Task<Guid?> TakeStepAsync(Guid alarm, string step, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                using var response = await Api.PostAsync(new Uri($"/api/alarms/{alarm:D}/{step}", UriKind.Relative), null, wait.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var view = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(wait.Token).ConfigureAwait(false);
                    var taken = view?["steps"]?.AsArray().LastOrDefault(s => s?["step"]?.GetValue<string>() == step);
                    return taken?["commandId"]?.GetValue<string>() is { } id ? Guid.Parse(id) : null;
                }

                if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
                {
                    return null;
                }

                // Not stored yet: the desk stores in batches, the simulated police heard the alarm first.
                await Task.Delay(50, wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>What the desk stored, for the run's summary.</summary>
    public Edge.Station.Store.IngestCounts Counts() =>
        _app.Services.GetRequiredService<Edge.Station.Store.DeskStore>().Counts();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Watches the desk during a run (the benchmark's browser): started once the desk is up, finished once the station has received everything.</summary>
public interface IDeskWatcher
{
    Task StartAsync(StationDesk desk, CancellationToken ct);

    Task FinishAsync(StationDesk desk);
}
