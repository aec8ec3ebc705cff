using Edge.Gateway.Hosting;
using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Uplink;

/// <summary>
/// A gateway that cannot reach its broker says so: the first failure at once, the same failure again once a minute
/// with the attempts since (on a fake clock), and the heartbeat after it returns carries the count and the last reason.
/// </summary>
public sealed class ConnectFailureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_failure_that_does_not_change_is_logged_once_a_minute_with_its_attempts_and_the_heartbeat_carries_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)));

        // Port 1 on loopback refuses at once: every attempt fails with the same reason.
        var settings = TestGateway.Settings("mqtt://127.0.0.1:1", _dir.Combine("gw"));
        settings.Uplink.ReconnectMinDelay = TimeSpan.FromSeconds(1);
        settings.Uplink.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
        settings.Uplink.HeartbeatInterval = TimeSpan.FromHours(1);
        using var gw = GatewayInstance.Create(settings, loggers, clock);
        await gw.StartAsync(default);
        var state = gw.UplinkService.State;
        await Eventually.True(() => state.FailedAttempts >= 1, "the first attempt failed");

        // 90 s of the fake clock, a quarter of a second at a time: the uplink waits about a second between attempts.
        var start = clock.GetUtcNow();
        while (clock.GetUtcNow() - start < TimeSpan.FromSeconds(90))
        {
            var before = state.FailedAttempts;
            await Eventually.True(() =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
                return state.FailedAttempts > before;
            }, "the next attempt");
        }

        var warnings = collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains("connect to mqtt://127.0.0.1:1", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("Cannot connect to mqtt://127.0.0.1:1: ", warnings[0].Message, StringComparison.Ordinal);
        var again = Assert.Single(warnings.Skip(1));
        var match = System.Text.RegularExpressions.Regex.Match(again.Message,
            @"^Still cannot connect to mqtt://127\.0\.0\.1:1: .+ \((\d+) attempts in the last (\d+) s\); events wait in the outbox$");
        Assert.True(match.Success, again.Message);
        Assert.InRange(int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 60, 62);
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 30, 240);

        var heartbeat = gw.HeartbeatService.Current();
        Assert.Equal(state.FailedAttempts, heartbeat.ConnectFailures);
        Assert.InRange(heartbeat.LastConnectError!.At, clock.GetUtcNow() - TimeSpan.FromSeconds(1), clock.GetUtcNow());
        Assert.Equal(state.LastFailure, heartbeat.LastConnectError.Reason);
        Assert.Contains("refused", heartbeat.LastConnectError.Reason, StringComparison.OrdinalIgnoreCase);
        await gw.StopAsync(default);
    }

    public void Dispose() => _dir.Dispose();
}
