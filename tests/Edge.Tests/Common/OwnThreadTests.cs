using Edge.Contracts.Events;
using Edge.Gateway.Common;
using Edge.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Common;

public sealed class OwnThreadTests
{
    [Fact]
    public async Task A_loop_runs_on_a_named_thread_outside_the_pool_and_its_task_ends_with_what_it_returns()
    {
        var (name, pooled) = await OwnThread.Run("edge-test-loop", () => (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));

        Assert.Equal("edge-test-loop", name);
        Assert.False(pooled);
    }

    [Fact]
    public async Task A_loop_that_throws_faults_its_task_and_one_stopped_by_its_token_is_cancelled()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => OwnThread.Run("edge-test-fail", () => throw new InvalidOperationException("broken")));
        var cancelled = OwnThread.Run("edge-test-stop", () => stop.Token.ThrowIfCancellationRequested());

        Assert.Equal("broken", failed.Message);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True(cancelled.IsCanceled);
    }

    [Fact]
    public async Task A_wait_on_a_test_clock_lasts_until_that_clock_has_passed_the_delay()
    {
        var clock = new FakeTimeProvider();
        var start = clock.GetUtcNow();
        using var wake = new ManualResetEventSlim(false);
        var waited = false;
        // The clock moves a millisecond at a time until the wait is over: the wait ends on the clock, not on real time.
        var advancing = Task.Run(async () =>
        {
            while (!Volatile.Read(ref waited))
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Delay(1);
            }
        });

        OwnThread.WaitUntil(wake, OwnThread.Due(clock, clock.GetTimestamp(), TimeSpan.FromMilliseconds(30)), clock, CancellationToken.None);
        Volatile.Write(ref waited, true);
        await advancing;

        Assert.True(clock.GetUtcNow() - start >= TimeSpan.FromMilliseconds(30), $"woke after {(clock.GetUtcNow() - start).TotalMilliseconds} ms of the clock");
    }

    [Fact]
    public void A_wait_ends_at_once_when_it_is_woken_whatever_the_clock()
    {
        var clock = new FakeTimeProvider();
        using var wake = new ManualResetEventSlim(true);

        OwnThread.WaitUntil(wake, OwnThread.Due(clock, clock.GetTimestamp(), TimeSpan.FromHours(1)), clock, CancellationToken.None);
        OwnThread.WaitUntil(wake, OwnThread.Due(TimeProvider.System, TimeProvider.System.GetTimestamp(), TimeSpan.FromHours(1)), TimeProvider.System, CancellationToken.None);

        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow() - new FakeTimeProvider().GetUtcNow());
    }

    [Fact]
    public async Task A_wait_whose_time_the_test_clock_has_passed_ends_at_once()
    {
        var clock = new FakeTimeProvider();
        using var wake = new ManualResetEventSlim(false);
        var due = OwnThread.Due(clock, clock.GetTimestamp(), TimeSpan.FromMilliseconds(50));
        clock.Advance(TimeSpan.FromMilliseconds(50));

        // A thread that computed its due time, then lost the processor while the clock moved on: it must not wait for a
        // next move of the clock that may never come.
        await OwnThread.Run("edge-test-late", () => OwnThread.WaitUntil(wake, due, clock, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_wait_is_ended_by_its_token()
    {
        using var wake = new ManualResetEventSlim(false);
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => OwnThread.WaitUntil(wake, OwnThread.Due(TimeProvider.System, TimeProvider.System.GetTimestamp(), TimeSpan.FromHours(1)), TimeProvider.System, stop.Token));
    }

    [Fact]
    public async Task The_outbox_commits_on_its_writers_own_thread()
    {
        var dir = Directory.CreateTempSubdirectory("edge-ownthread-");
        try
        {
            await using var outbox = await OutboxHarness.StartAsync(Path.Combine(dir.FullName, "outbox.db"));
            var committedOn = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            outbox.Writer.Committed += () => committedOn.TrySetResult(Thread.CurrentThread.Name);

            await outbox.SubmitAsync(Priority.Critical);

            Assert.Equal("edge-outbox-writer", await committedOn.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
