using Edge.Gateway.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Edge.Gateway.Service;

/// <summary>
/// The Prometheus endpoint (OpenTelemetry's HttpListener exporter) with the meter <c>Edge.Gateway</c> and the
/// runtime's own figures. A port that is taken must not keep the gateway from carrying alarms: the endpoint is then
/// reported and tried again every <see cref="RetryEvery"/>, while everything else runs.
/// </summary>
public sealed partial class MetricsEndpoint(Uri listen, TimeProvider time, ILogger<MetricsEndpoint> log) : BackgroundService
{
    /// <summary>How long after a failed start the endpoint is tried again.</summary>
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(30);

    private MeterProvider? _provider;

    /// <summary>The address the metrics are read at.</summary>
    public Uri Address { get; } = new(listen, "metrics");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _provider = Sdk.CreateMeterProviderBuilder()
                    .AddMeter(GatewayMetrics.MeterName, "System.Runtime")
                    .AddPrometheusHttpListener(o =>
                    {
                        o.Host = listen.Host;
                        o.Port = listen.Port;
                        o.ScrapeEndpointPath = Address.AbsolutePath;
                    })
                    .Build();
                LogListening(Address);
                return;
            }
            catch (InvalidOperationException ex)
            {
                LogFailed(Address, ex.InnerException?.Message ?? ex.Message, RetryEvery.TotalSeconds);
            }

            try
            {
                await Task.Delay(RetryEvery, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _provider?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics at {Address} (Prometheus)")]
    private partial void LogListening(Uri address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics endpoint {Address} cannot start: {Reason}; the gateway runs without it and tries again in {Seconds} s")]
    private partial void LogFailed(Uri address, string reason, double seconds);
}
