using System.Globalization;
using Edge.Gateway.Configuration;
using Edge.Gateway.Common;
using Edge.Gateway.Hosting;
using Edge.Gateway.Metrics;
using Microsoft.Extensions.Configuration;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Compact;

namespace Edge.Gateway.Service;

/// <summary>
/// The gateway process: configuration (appsettings.json, /etc/edge-gateway/appsettings.json, environment variables,
/// command line, later ones winning), Serilog, systemd integration, and exit codes an operator can act on.
/// </summary>
public static class GatewayProgram
{
    /// <summary>Exit code for configuration the gateway refuses (the message names the key).</summary>
    public const int ConfigurationError = 2;

    /// <summary>Exit code for an outbox that cannot be trusted.</summary>
    public const int OutboxError = 3;

    /// <summary>Exit code for an unexpected error (logged whole).</summary>
    public const int Failure = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            using var host = Build(args);
            // Validate the configuration and open the outbox before the host starts anything, so a bad start stops
            // with one clear line and nothing half-started.
            host.Services.GetRequiredService<GatewayInstance>();
            await host.StartAsync().ConfigureAwait(false);
            LogAlarmPriority();
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            return Fail(ConfigurationError, "configuration error: " + string.Join("; ", ex.Failures));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            // The binder's messages name the key ("Failed to convert configuration value at 'Edge:Outbox:MaxBytes'...").
            return Fail(ConfigurationError, "configuration error: " + ex.Message);
        }
        catch (OutboxCorruptException ex)
        {
            return Fail(OutboxError, "outbox error: " + ex.Message);
        }
        catch (Exception ex)
        {
            // One line for the operator; the whole exception for whoever fixes it.
            Log.Fatal(ex, "Gateway stopped by an error");
            return Fail(Failure, $"fatal: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await Log.CloseAndFlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The host builder with the gateway's configuration in place (bundled file, machine file, environment, command
    /// line), before anything is registered: <c>check-config</c>, <c>status</c> and <c>devices</c> read it and start nothing.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (ConfigurationFiles.MachineFile(Environment.GetEnvironmentVariable(ConfigurationFiles.Variable), Environment.CurrentDirectory) is { } file)
        {
            ConfigurationFiles.Add(builder.Configuration, file);
        }

        return builder;
    }

    public static IHost Build(string[] args)
    {
        var builder = CreateBuilder(args);

        var dataDirectory = GatewayOptions.From(builder.Configuration).DataDirectory;
        var levels = LogLevels.Read(builder.Configuration);
        builder.Services.AddSerilog((_, log) => levels.ApplyTo(log)
            .Enrich.FromLogContext()
            .WriteTo.Console(formatProvider: CultureInfo.InvariantCulture)
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(dataDirectory, "logs", "edge-gateway-.clef"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 64L * 1024 * 1024,
                rollOnFileSizeLimit: true));
        builder.Services.AddSystemd();
        // AddSystemd registers the notifier only under systemd; the watchdog checks IsEnabled itself.
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.AddEdgeGateway();
        AddMetricsEndpoint(builder);
        builder.Services.AddHostedService<WatchdogService>();
        return builder.Build();
    }

    /// <summary>The Prometheus endpoint (<c>Edge:Metrics:Listen</c>, the box itself by default); none when <c>Listen</c> is empty.</summary>
    private static void AddMetricsEndpoint(HostApplicationBuilder builder)
    {
        var options = new MetricsOptions();
        builder.Configuration.GetSection(MetricsOptions.Section).Bind(options);
        if (options.ListenUri is { } listen)
        {
            builder.Services.AddHostedService(sp => new MetricsEndpoint(listen, TimeProvider.System, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MetricsEndpoint>>()));
        }
    }

    /// <summary>Says whether the alarm path's threads got ahead of the rest (<see cref="OwnThread.UrgentNice"/>), and how a box that did not could.</summary>
    private static void LogAlarmPriority()
    {
        switch (OwnThread.Urgent)
        {
            case true:
                Log.Information("The alarm path's threads run at nice {Nice}, ahead of camera and door work", OwnThread.UrgentNice);
                break;
            case false:
                Log.Warning("The alarm path's threads run at the normal priority: the kernel refused nice {Nice}", OwnThread.UrgentNice);
                break;
            default:
                Log.Information("The alarm path's threads run at the normal priority, on threads of their own; nice {Nice} needs LimitNICE={Nice} and SystemCallFilter=setpriority in the unit (docs/architecture.md, \"Alarms first\")",
                    OwnThread.UrgentNice, OwnThread.UrgentNice);
                break;
        }
    }

    internal static int Fail(int code, string message)
    {
        Console.Error.WriteLine(message);
        return code;
    }
}
