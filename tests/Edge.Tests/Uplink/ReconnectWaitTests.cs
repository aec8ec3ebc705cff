using Edge.Gateway.Uplink;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Uplink;

/// <summary>The wait between connect attempts, on a fake clock: an alarm cuts a long backoff to one short slice.</summary>
public sealed class ReconnectWaitTests
{
    private static readonly TimeSpan AlarmMaxDelay = TimeSpan.FromMilliseconds(300);
    private readonly FakeTimeProvider _time = new();
    private readonly WaitingAlarms _outbox = new();

    [Fact]
    public async Task An_alarm_that_arrives_during_a_long_backoff_ends_the_wait_after_at_most_one_slice()
    {
        var wait = new ReconnectWait(AlarmMaxDelay, _outbox, _time).WaitAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        _outbox.Alarms = 1;

        // The first slice's timer is set before WaitAsync returns: this advance ends it, and the alarm ends the wait.
        _time.Advance(AlarmMaxDelay);

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Without_an_alarm_the_whole_backoff_is_waited()
    {
        var wait = new ReconnectWait(AlarmMaxDelay, _outbox, _time).WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        // 900 ms of fake time cannot end a 1 s wait, however the slices are scheduled.
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(wait.IsCompleted);

        await Eventually.True(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return wait.IsCompleted;
        }, "the rest of the backoff");
        Assert.True(await wait);
    }

    [Fact]
    public async Task A_stop_ends_the_wait_without_a_connect()
    {
        using var stop = new CancellationTokenSource();
        var wait = new ReconnectWait(AlarmMaxDelay, _outbox, _time).WaitAsync(TimeSpan.FromMinutes(1), stop.Token);

        await stop.CancelAsync();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
    }
}
