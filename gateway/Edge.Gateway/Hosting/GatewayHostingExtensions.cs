using Edge.Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hosting;

/// <summary>Registers one gateway instance, configured from the <c>Edge</c> section, in a host.</summary>
public static class GatewayHostingExtensions
{
    public static IHostApplicationBuilder AddEdgeGateway(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var settings = BindSettings(sp.GetRequiredService<IConfiguration>());
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            StartupSecurity.Check(settings, sp.GetRequiredService<IHostEnvironment>().IsProduction(), loggers.CreateLogger("Edge.Gateway.Security"));
            return GatewayInstance.Create(settings, loggers, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayInstance>());
        return builder;
    }

    /// <summary>
    /// Reads the <c>Edge</c> section of <paramref name="configuration"/> exactly as the gateway process does (the
    /// simulator configures its in-process gateways from the same files). Throws
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming every key that cannot be read.
    /// </summary>
    public static GatewaySettings BindSettings(IConfiguration configuration) => SettingsBinder.Bind(configuration);
}
