using System.Globalization;
using Edge.Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Edge.Gateway.Service;

/// <summary>
/// Feeds the systemd watchdog (<c>WatchdogSec=</c>) at half its interval, but only while every loop of the gateway is
/// alive: a gateway whose writer or uplink has died is restarted by systemd instead of lingering.
/// </summary>
public sealed class WatchdogService(GatewayInstance gateway, ISystemdNotifier notifier, TimeProvider time) : BackgroundService
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!notifier.IsEnabled || !long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMicroseconds(micros / 2.0), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (gateway.IsHealthy)
                {
                    notifier.Notify(Watchdog);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
