using Edge.Gateway.Alarms;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Edge.Gateway.TestEvents;
using Edge.Gateway.Hardware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Hosting;

/// <summary>Registers one gateway instance, configured from the <c>Edge</c> section, in a host.</summary>
public static class GatewayHostingExtensions
{
    public static IHostApplicationBuilder AddEdgeGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSettings(builder.Services);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => GatewayInstance.Create(
            ResolveSettings(sp), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayInstance>());
        return builder;
    }

    /// <summary>
    /// Binds and validates the <c>Edge</c> section of <paramref name="configuration"/> exactly as the gateway process
    /// does (the simulator configures its in-process gateways from the same files). Throws
    /// <see cref="OptionsValidationException"/> naming every bad key.
    /// </summary>
    public static GatewaySettings BindSettings(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        AddSettings(services);
        using var provider = services.BuildServiceProvider();
        return ResolveSettings(provider);
    }

    private static void AddSettings(IServiceCollection services)
    {
        Bind<GatewayOptions, GatewayOptionsValidator>(services, GatewayOptions.Section);
        Bind<OutboxOptions, OutboxOptionsValidator>(services, OutboxOptions.Section);
        Bind<UplinkOptions, UplinkOptionsValidator>(services, UplinkOptions.Section);
        Bind<TestEventOptions, TestEventOptionsValidator>(services, TestEventOptions.Section);

        // Hardware and alarm devices are validated together (pins, channels, ids, driver) when the instance is made.
        services.AddOptions<HardwareOptions>().BindConfiguration(HardwareOptions.Section);
        services.AddSingleton<IValidateOptions<HardwareOptions>>(sp => new UnknownKeysValidator<HardwareOptions>(sp.GetRequiredService<IConfiguration>(), HardwareOptions.Section));
        services.AddOptions<AlarmOptions>().BindConfiguration(AlarmOptions.Section);
        services.AddOptions<Access.AccessOptions>().BindConfiguration(Access.AccessOptions.Section);
        services.AddOptions<Cameras.CameraOptions>().BindConfiguration(Cameras.CameraOptions.Section);
    }

    /// <summary>Binds and validates every section, reporting the problems of all of them at once.</summary>
    private static GatewaySettings ResolveSettings(IServiceProvider sp)
    {
        var errors = new List<string>();
        var gateway = Value<GatewayOptions>(sp, errors);
        var outbox = Value<OutboxOptions>(sp, errors);
        var uplink = Value<UplinkOptions>(sp, errors);
        var testEvents = Value<TestEventOptions>(sp, errors);
        var hardware = Value<HardwareOptions>(sp, errors);
        var alarms = Value<AlarmOptions>(sp, errors);
        var access = Value<Access.AccessOptions>(sp, errors);
        var cameras = Value<Cameras.CameraOptions>(sp, errors);

        // The binder quietly leaves out a list element it cannot read (an enum it does not know, a number that is not
        // one): a device would be missing without a word. Each element is read again on its own to name the key.
        var configuration = sp.GetRequiredService<IConfiguration>();
        Elements<AlarmButtonOptions>(configuration, AlarmOptions.Section + ":Buttons", errors);
        Elements<ZoneOptions>(configuration, AlarmOptions.Section + ":Zones", errors);
        Elements<Access.AccessControllerOptions>(configuration, Access.AccessOptions.Section + ":Controllers", errors);
        Elements<Access.WiegandReaderOptions>(configuration, Access.AccessOptions.Section + ":WiegandReaders", errors);
        Elements<Access.GpioDoorOptions>(configuration, Access.AccessOptions.Section + ":Doors", errors);
        Elements<Access.OsdpReaderOptions>(configuration, Access.AccessOptions.Section + ":OsdpReaders", errors);
        Elements<Cameras.CameraDeviceOptions>(configuration, Cameras.CameraOptions.Section + ":Devices", errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Edge", typeof(GatewaySettings), errors);
        }

        // Devices are validated against each other (ids, pins, channels) by GatewaySettings.Validate when the instance is made.
        return new GatewaySettings(gateway!, outbox!, uplink!, testEvents!, hardware, alarms, access, cameras);
    }

    private static void Elements<T>(IConfiguration configuration, string list, List<string> errors)
        where T : class
    {
        foreach (var element in configuration.GetSection(list).GetChildren())
        {
            try
            {
                _ = element.Get<T>();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
            }
        }
    }

    private static T? Value<T>(IServiceProvider sp, List<string> errors)
        where T : class
    {
        try
        {
            return sp.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
            return null;
        }
    }

    private static void Bind<TOptions, TValidator>(IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.AddSingleton<IValidateOptions<TOptions>>(sp => new UnknownKeysValidator<TOptions>(sp.GetRequiredService<IConfiguration>(), section));
    }
}
