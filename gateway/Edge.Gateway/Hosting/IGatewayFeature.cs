using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Hosting;

/// <summary>
/// One feature of a gateway (alarm devices, door access, cameras), wired by its own <c>Create</c>: the loops that read
/// its devices and hand their events on. The gateway starts them after its pipeline and stops them before it, and
/// disposes them; the feature disposes whatever else it owns.
/// </summary>
public interface IGatewayFeature : IDisposable
{
    /// <summary>The feature's loops, in the order they start; none when nothing of the feature is configured.</summary>
    IReadOnlyList<BackgroundService> Sources { get; }
}
