using System.Globalization;
using System.Security.Claims;
using Edge.Station.Alarms;
using Edge.Station.Commands;
using Edge.Station.Configuration;
using Edge.Station.Ingest;
using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Edge.Station.Web;

/// <summary>
/// The desk's HTTP face: the page, logging in and out, the JSON API for the page and other station systems, the live
/// stream (server-sent events) and <c>/healthz</c>. Every route but the login page and the health check needs an
/// operator; every step is audited with the operator's name. A POST that changes something must carry
/// <c>X-Edge-Desk: 1</c> (a form on another site cannot set it), on top of the SameSite=Strict cookie.
/// </summary>
public static partial class DeskApi
{
    public const string ActionHeader = "X-Edge-Desk";

    /// <summary>The rate limit on logging in, per address (<see cref="DeskApp.LoginAttemptsPerMinute"/>).</summary>
    public const string LoginPolicy = "login";

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", (HttpContext http) => http.User.Identity?.IsAuthenticated == true ? PageFiles.Result("index.html") : Results.Redirect("/login"));
        app.MapGet("/login", () => PageFiles.Result("login.html"));
        app.MapGet("/desk.js", () => PageFiles.Result("desk.js"));
        app.MapGet("/desk.css", () => PageFiles.Result("desk.css"));
        app.MapPost("/login", LoginFormAsync).DisableAntiforgery().RequireRateLimiting(LoginPolicy);
        app.MapPost("/api/login", LoginJsonAsync).RequireRateLimiting(LoginPolicy);
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/login");
        }).DisableAntiforgery();
        app.MapGet("/healthz", Health);

        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(new { name = user.Identity!.Name }));
        api.MapGet("/alarms", Alarms);
        api.MapGet("/alarms/{id:guid}", (Guid id, DeskStore store, TimeProvider time) =>
            store.Alarm(id, time.GetUtcNow()) is { } a ? Results.Ok(a) : Results.NotFound(new { error = "no such alarm" }));
        api.MapPost("/alarms/{id:guid}/{step}", StepAsync);
        api.MapGet("/gateways", (DeskStore store) => Results.Ok(store.Gateways()));
        api.MapGet("/pictures/{id:long}", (long id, DeskStore store) =>
            store.Picture(id) is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NotFound());
        api.MapGet("/quarantine", (DeskStore store) => Results.Ok(store.Quarantine(200)));
        api.MapGet("/audit", (DeskStore store) => Results.Ok(store.AuditLog(200).Select(a => new { a.At, a.Operator, a.Action, a.Target, a.Detail })));
        api.MapGet("/stream", Stream);
    }

    private static IResult Alarms(DeskStore store, TimeProvider time, string? state, string? community, string? type, DateTimeOffset? from, DateTimeOffset? to, int? limit)
    {
        var now = time.GetUtcNow();
        if (state is null or "open")
        {
            return Results.Ok(store.OpenAlarms(now));
        }

        if (state != "all")
        {
            return Results.BadRequest(new { error = "state is open or all" });
        }

        return Results.Ok(store.SearchAlarms(Blank(community), Blank(type), from, to, Math.Clamp(limit ?? 200, 1, 1000), now));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static async Task<IResult> StepAsync(Guid id, string step, HttpContext http, DeskStore store, CommandSender commands, DeskNews news,
        TimeProvider time, ILoggerFactory logs)
    {
        if (http.Request.Headers[ActionHeader] != "1")
        {
            return Results.BadRequest(new { error = $"a step needs the header {ActionHeader}: 1" });
        }

        if (!AlarmSteps.All.Contains(step))
        {
            return Results.NotFound(new { error = $"no step '{step}' (steps: {string.Join(", ", AlarmSteps.All)})" });
        }

        var who = http.User.Identity!.Name!;
        var now = time.GetUtcNow();
        var alarm = store.Alarm(id, now);
        if (alarm is null)
        {
            return Results.NotFound(new { error = "no such alarm" });
        }

        var command = AlarmSteps.Command(step) is { } type ? commands.Make(type, alarm.Community, alarm.Gateway, id, who) : null;
        var (taken, problem) = store.TakeStep(id, step, who, command?.Id, now);
        if (taken is null)
        {
            return Results.Conflict(new { error = problem });
        }

        if (command is not null)
        {
            try
            {
                await commands.SendAsync(command, http.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // The step stands (the officer took it); the page shows the column was not told.
                LogNotSent(logs.CreateLogger("Edge.Station.Commands"), command.Type, id, ex.Message);
                store.CommandOutcome(command.Id, "failed", "not sent: " + ex.Message);
                taken = store.Alarm(id, time.GetUtcNow())!;
            }
        }

        news.Alarm(taken);
        return Results.Ok(taken);
    }

    private static IResult Health(DeskIngest ingest, DeskStore store, DeskPeers peers)
    {
        IngestCounts? counts = null;
        string? databaseFailure = null;
        try
        {
            counts = store.Counts();
        }
        catch (System.Data.Common.DbException ex)
        {
            databaseFailure = ex.Message;
        }

        var shared = store.Database.Shared;
        databaseFailure ??= ingest.LastStoreFailure;
        var status = !ingest.Connected ? "broker-unreachable"
            : databaseFailure is not null ? "database-unreachable"
            : shared && !peers.Listening ? "other-desks-unheard"
            : "ok";
        var body = new
        {
            status,
            broker = new { connected = ingest.Connected, node = ingest.Node, lastFailure = ingest.LastFailure, waiting = ingest.Waiting, stored = ingest.Stored },
            database = new
            {
                name = store.Database.Name,
                shared,
                lastFailure = databaseFailure,
                otherDesks = shared ? new { listening = peers.Listening, lastFailure = peers.LastFailure, heard = peers.Heard } : null,
            },
            counts,
        };
        return status == "ok" ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task Stream(HttpContext http, LiveFeed feed)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        using var page = feed.Subscribe();
        await http.Response.WriteAsync(": live\n\n", http.RequestAborted).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        try
        {
            while (true)
            {
                // A comment line every 15 s while nothing happens, so a reverse proxy does not close a quiet stream.
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                quiet.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await page.Reader.WaitToReadAsync(quiet.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", http.RequestAborted).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    // Cut off for falling behind: the reader's completion carries the reason.
                    await page.Reader.Completion.ConfigureAwait(false);
                    return;
                }

                while (page.Reader.TryRead(out var m))
                {
                    await http.Response.WriteAsync($"event: {m.Event}\ndata: {m.Json}\n\n", http.RequestAborted).ConfigureAwait(false);
                }

                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went.
        }
        catch (InvalidOperationException)
        {
            // The page fell behind and was cut off: its browser reconnects and reloads.
        }
    }

    private static async Task<IResult> LoginFormAsync(HttpContext http, DeskOptions options, DeskStore store, TimeProvider time)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        return await SignInAsync(http, options, store, time, form["name"].ToString(), form["password"].ToString()).ConfigureAwait(false)
            ? Results.Redirect("/")
            : Results.Redirect("/login?failed=1");
    }

    private static async Task<IResult> LoginJsonAsync(HttpContext http, LoginRequest request, DeskOptions options, DeskStore store, TimeProvider time) =>
        await SignInAsync(http, options, store, time, request.Name ?? "", request.Password ?? "").ConfigureAwait(false)
            ? Results.Ok(new { name = request.Name })
            : Results.Json(new { error = "unknown operator or wrong password" }, statusCode: StatusCodes.Status401Unauthorized);

    private static async Task<bool> SignInAsync(HttpContext http, DeskOptions options, DeskStore store, TimeProvider time, string name, string password)
    {
        var op = options.Operators.FirstOrDefault(o => o.Name == name);
        // An unknown name costs the same as a wrong password, so names cannot be found by timing.
        var ok = PasswordHash.Verify(password, op?.PasswordHash ?? options.Operators[0].PasswordHash) && op is not null;
        var target = http.Connection.RemoteIpAddress?.ToString();
        if (!ok)
        {
            store.Audit(time.GetUtcNow(), Truncate(name), "login-refused", target, null);
            return false;
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, op!.Name)], CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
        store.Audit(time.GetUtcNow(), op.Name, "login", target, null);
        return true;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64];

    public sealed record LoginRequest(string? Name, string? Password);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Type} for alarm {Alarm} not sent: {Reason}")]
    private static partial void LogNotSent(ILogger log, string type, Guid alarm, string reason);
}
