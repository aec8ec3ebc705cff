using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Uplink;

/// <summary>How long one connect attempt may take, on a fake clock.</summary>
public sealed class ConnectAttemptTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AlarmDelay = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new();
    private readonly WaitingAlarms _outbox = new();

    [Fact]
    public void Without_an_alarm_an_attempt_gets_the_connect_timeout_and_then_says_so()
    {
        using var attempt = new ConnectAttempt(Timeout, AlarmDelay, _outbox, _time, CancellationToken.None);

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(attempt.Token.IsCancellationRequested);
        Assert.Null(attempt.Why);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(attempt.Token.IsCancellationRequested);
        Assert.Equal("no answer within 10 s (ConnectTimeout)", attempt.Why);
    }

    [Fact]
    public void While_an_alarm_waits_an_attempt_gets_the_alarm_delay()
    {
        _outbox.Alarms = 1;
        using var attempt = new ConnectAttempt(Timeout, AlarmDelay, _outbox, _time, CancellationToken.None);

        _time.Advance(AlarmDelay);

        Assert.True(attempt.Token.IsCancellationRequested);
        Assert.StartsWith("no answer within 2 s while an alarm waits", attempt.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_committed_during_an_attempt_cuts_it_to_the_alarm_delay_from_its_start()
    {
        using var attempt = new ConnectAttempt(Timeout, AlarmDelay, _outbox, _time, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        _outbox.Alarms = 1;

        // The attempt looks every 100 ms; by 2 s from its start it is over.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(attempt.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(900));

        Assert.True(attempt.Token.IsCancellationRequested);
        Assert.StartsWith("no answer within 2 s while an alarm waits", attempt.Why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stop_cancels_the_attempt_without_calling_it_over_its_time()
    {
        using var stop = new CancellationTokenSource();
        using var attempt = new ConnectAttempt(Timeout, AlarmDelay, _outbox, _time, stop.Token);

        await stop.CancelAsync();

        Assert.True(attempt.Token.IsCancellationRequested);
        Assert.Null(attempt.Why);
    }
}
