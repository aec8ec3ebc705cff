using System.Reflection;

namespace Edge.Gateway.Uplink;

/// <summary>The gateway's version as reported in its status.</summary>
public static class GatewayVersion
{
    public static string Text { get; } =
        typeof(GatewayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
