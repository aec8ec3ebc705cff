using Edge.Station.Alarms;
using Edge.Station.Commands;
using Edge.Station.Configuration;
using Edge.Station.Ingest;
using Edge.Station.Live;
using Edge.Station.Store;
using Edge.Station.Web;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Station;

/// <summary>
/// Builds the desk: its configuration (section <c>Desk</c>, checked before anything starts), the store, the ingest,
/// the escalation clock, the command sender, cookie logins and the routes. <c>edge-station</c> runs it; the simulator
/// hosts the same desk inside a run (<c>edge-sim run --desk</c>).
/// </summary>
public static class DeskApp
{
    /// <summary>Login attempts one address may make in a minute; more are answered 429.</summary>
    public const int LoginAttemptsPerMinute = 10;

    /// <summary>
    /// A desk from <paramref name="builder"/>'s configuration; <paramref name="time"/> replaces the system clock (tests).
    /// Throws <see cref="DeskConfigException"/> naming every wrong key.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = DeskOptions.Read(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(_ => OpenStore(options));
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<DeskNews>();
        services.AddSingleton<DeskIngest>(sp => options.Amqp
            ? ActivatorUtilities.CreateInstance<AmqpDeskIngest>(sp)
            : ActivatorUtilities.CreateInstance<MqttDeskIngest>(sp));
        services.AddHostedService(sp => sp.GetRequiredService<DeskIngest>());
        services.AddSingleton<EscalationService>();
        services.AddHostedService(sp => sp.GetRequiredService<EscalationService>());
        services.AddSingleton<DeskPeers>();
        services.AddHostedService(sp => sp.GetRequiredService<DeskPeers>());
        services.AddSingleton<CommandSender>();
        // The cookies' keys live with the desk's data, so operators stay logged in across a restart.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys"))).SetApplicationName("edge-station");
        services.AddAuthorization();
        // Guessing passwords is slow anyway (PBKDF2, 210,000 rounds); this also keeps it from eating the desk's CPU.
        services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.AddPolicy(DeskApi.LoginPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = LoginAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(c =>
        {
            c.Cookie.Name = "edge-desk";
            c.Cookie.HttpOnly = true;
            c.Cookie.SameSite = SameSiteMode.Strict;
            c.SlidingExpiration = true;
            c.ExpireTimeSpan = TimeSpan.FromHours(12);
            c.LoginPath = "/login";
            c.Events.OnRedirectToLogin = ctx =>
            {
                if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
                {
                    ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                ctx.Response.Redirect(ctx.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.ConfigureHttpJsonOptions(j => j.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        var app = builder.Build();
        // Made now, so a bad database or signing key stops the start rather than the first request.
        app.Services.GetRequiredService<DeskStore>();
        app.Services.GetRequiredService<CommandSender>();
        app.Use(async (ctx, next) =>
        {
            ctx.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'";
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers.XFrameOptions = "DENY";
            await next(ctx).ConfigureAwait(false);
        });
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        DeskApi.Map(app);
        return app;
    }

    /// <summary>The desk's store: its own SQLite file, or the PostgreSQL database it shares; one it cannot open stops the start.</summary>
    private static DeskStore OpenStore(DeskOptions options)
    {
        if (options.PostgreSql is not { } connection)
        {
            return new DeskStore(options.DataDirectory, options.PicturesKeepBytes);
        }

        var database = new PostgresDeskDatabase(connection);
        try
        {
            return new DeskStore(database, options.PicturesKeepBytes);
        }
        catch (NewerSchemaException ex)
        {
            throw new DeskConfigException([$"Desk:PostgreSql: {ex.Message}"]);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            // Not the configuration's fault, perhaps: the database may be starting (after a power cut). The service restarts.
            throw new DeskUnavailableException($"Desk:PostgreSql: cannot use {database.Name}: {ex.Message}", ex);
        }
    }
}
