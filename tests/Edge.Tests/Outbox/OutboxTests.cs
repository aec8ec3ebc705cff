using Edge.Gateway.Events;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Gateway.Outbox;
using Edge.Tests.Support;


namespace Edge.Tests.Outbox;

// Over 300 lines: the outbox's behaviours on one database file, a test each.
public sealed class OutboxTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string DbPath => _dir.Combine("outbox.db");

    [Fact]
    public async Task Seq_increases_by_one_and_is_inside_the_committed_payload()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => outbox.SubmitAsync(Priority.Normal, i)));

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), results.Select(r => r.Event!.Seq).Order());
        var stored = outbox.Lane(Priority.Normal);
        Assert.Equal(50, stored.Count);
        Assert.All(stored, r => Assert.Equal(r.Seq, Payloads.DecodeEvent(r.Payload).Seq));
        Assert.All(stored, r => Assert.Equal(r.Id, Payloads.DecodeEvent(r.Payload).Id));
    }

    [Fact]
    public async Task Seq_continues_without_a_gap_after_a_restart()
    {
        await using (var first = await OutboxHarness.StartAsync(DbPath))
        {
            for (var i = 0; i < 5; i++)
            {
                await first.SubmitAsync(Priority.Low, i);
            }

            await first.ReportAsync(OutcomeKind.Delivered, 5);
        }

        await using var second = await OutboxHarness.StartAsync(DbPath);
        var next = await second.SubmitAsync(Priority.Low);

        Assert.Equal(6, next.Event!.Seq);
        Assert.Equal(6, second.Store.LastSeq);
        Assert.Equal([1L, 2, 3, 4, 6], second.Lane(Priority.Low).Select(r => r.Seq));
    }

    [Fact]
    public async Task A_cursor_and_its_state_are_committed_with_their_event_survive_a_restart_and_advance_even_when_the_event_is_refused()
    {
        await using (var first = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024))
        {
            Assert.Null(first.Store.Cursor("isapi:ctl-01"));
            await first.Writer.SubmitAsync(TestGateway.Draft(priority: Priority.Normal) with { Cursor = new SourceCursor("isapi:ctl-01", 41, "{\"door-1\":[\"door.forced\"]}") });
            await first.Writer.SubmitAsync(TestGateway.Draft(priority: Priority.Normal) with { Cursor = new SourceCursor("isapi:ctl-02", 7) });
            Assert.Equal(new SourceCursor("isapi:ctl-01", 41, "{\"door-1\":[\"door.forced\"]}"), first.Store.Cursor("isapi:ctl-01"));

            for (var i = 0; i < 60; i++)
            {
                await first.SubmitAsync(Priority.High, i, padding: 1000);
            }

            // A low event finds the store full of higher ones and is refused; the controller's event was still taken.
            var low = TestGateway.Draft(priority: Priority.Low) with { Cursor = new SourceCursor("isapi:ctl-01", 42) };
            low.Data!["pad"] = new string('x', 1000);
            Assert.False((await first.Writer.SubmitAsync(low)).Accepted);
            Assert.Equal(new SourceCursor("isapi:ctl-01", 42), first.Store.Cursor("isapi:ctl-01"));
        }

        await using var second = await OutboxHarness.StartAsync(DbPath);
        Assert.Equal(new SourceCursor("isapi:ctl-01", 42), second.Store.Cursor("isapi:ctl-01"));
        Assert.Equal(new SourceCursor("isapi:ctl-02", 7), second.Store.Cursor("isapi:ctl-02"));
        Assert.Null(second.Store.Cursor("isapi:ctl-03"));
    }

    [Fact]
    public async Task Lanes_keep_their_own_events_oldest_first()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);
        foreach (var p in new[] { Priority.Low, Priority.Critical, Priority.Normal, Priority.Critical, Priority.High, Priority.Low })
        {
            await outbox.SubmitAsync(p);
        }

        Assert.Equal([2L, 4], outbox.Lane(Priority.Critical).Select(r => r.Seq));
        Assert.Equal([5L], outbox.Lane(Priority.High).Select(r => r.Seq));
        Assert.Equal([3L], outbox.Lane(Priority.Normal).Select(r => r.Seq));
        Assert.Equal([1L, 6], outbox.Lane(Priority.Low).Select(r => r.Seq));
        Assert.Equal([4L], outbox.Store.ReadPending(Priority.Critical, afterSeq: 2, limit: 10).Select(r => r.Seq));
        var stats = outbox.Store.Stats();
        Assert.Equal(new Edge.Contracts.Status.QueueDepth(2, 1, 1, 2), stats.Queue);
    }

    [Fact]
    public async Task Delivered_events_leave_the_outbox()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);
        await outbox.SubmitAsync(Priority.Normal);
        await outbox.SubmitAsync(Priority.Normal);

        await outbox.ReportAsync(OutcomeKind.Delivered, 1);

        Assert.Equal([2L], outbox.Lane(Priority.Normal).Select(r => r.Seq));
        Assert.Equal(1, outbox.Store.Stats().Queue.Total);
    }

    [Fact]
    public async Task Deliveries_in_runs_remove_exactly_the_delivered_events_of_every_lane_and_nothing_between()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);
        // Seqs 1-12, alternating lanes: the normal lane holds the odd ones, the low lane the even ones.
        for (var i = 1; i <= 12; i++)
        {
            await outbox.SubmitAsync(i % 2 == 1 ? Priority.Normal : Priority.Low);
        }

        // One batch: runs of the normal lane with gaps, a run across both lanes (7, 8), one reported twice (3), and one
        // that is already gone (99). Only the barrier is awaited, so the writer takes all of them together.
        foreach (var seq in new long[] { 1, 3, 3, 5, 7, 8, 11, 99 })
        {
            outbox.Writer.Report(new Outcome(OutcomeKind.Delivered, seq, DateTimeOffset.UtcNow));
        }

        await outbox.ReportAsync(OutcomeKind.Barrier, 0);

        Assert.Equal([9L], outbox.Lane(Priority.Normal).Select(r => r.Seq));
        Assert.Equal([2L, 4, 6, 10, 12], outbox.Lane(Priority.Low).Select(r => r.Seq));
        Assert.Equal(new Edge.Contracts.Status.QueueDepth(0, 0, 1, 5), outbox.Store.Stats().Queue);
    }

    [Fact]
    public async Task A_refused_event_moves_to_the_dead_letter_table_with_its_reason()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);
        await outbox.SubmitAsync(Priority.Critical);

        await outbox.ReportAsync(OutcomeKind.DeadLetter, 1, 0x87, "NotAuthorized");

        Assert.Empty(outbox.Lane(Priority.Critical));
        var dead = Assert.Single(outbox.Store.DeadLetters());
        Assert.Equal((1L, "device.test", 0x87, "NotAuthorized"), dead);
        Assert.Equal(1, outbox.Store.Stats().DeadLetters);
    }

    [Fact]
    public async Task When_full_the_oldest_lowest_priority_events_are_evicted_first()
    {
        // Each event is about 1.2 KB; 64 KB holds some 50 of them.
        await using var outbox = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024);
        var normal = await outbox.SubmitAsync(Priority.Normal, padding: 1000);
        for (var i = 0; i < 80; i++)
        {
            Assert.True((await outbox.SubmitAsync(Priority.Low, i, padding: 1000)).Accepted);
        }

        var low = outbox.Lane(Priority.Low);
        Assert.Equal(81, low[^1].Seq);
        Assert.True(low[0].Seq > 2, "the oldest low events went first");
        Assert.Equal([normal.Event!.Seq], outbox.Lane(Priority.Normal).Select(r => r.Seq));
        var stats = outbox.Store.Stats();
        Assert.True(stats.PendingBytes <= 64 * 1024);
        Assert.Equal(80 - low.Count, stats.Evictions);
    }

    [Fact]
    public async Task Critical_events_are_never_evicted_and_are_accepted_beyond_the_bound()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024);
        for (var i = 0; i < 100; i++)
        {
            Assert.True((await outbox.SubmitAsync(Priority.Critical, i, padding: 1000)).Accepted);
        }

        Assert.Equal(100, outbox.Lane(Priority.Critical).Count);
        Assert.True(outbox.Store.Stats().PendingBytes > 64 * 1024);
        Assert.Equal(0, outbox.Store.Stats().Evictions);
    }

    [Fact]
    public async Task A_low_event_is_refused_and_counted_when_only_higher_priorities_fill_the_store()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024);
        for (var i = 0; i < 60; i++)
        {
            await outbox.SubmitAsync(Priority.High, i, padding: 1000);
        }

        var highBefore = outbox.Lane(Priority.High).Count;
        var evictionsBefore = outbox.Store.Stats().Evictions;

        var low = await outbox.SubmitAsync(Priority.Low, padding: 1000);

        Assert.False(low.Accepted);
        Assert.Equal(highBefore, outbox.Lane(Priority.High).Count);
        Assert.Equal(evictionsBefore + 1, outbox.Store.Stats().Evictions);
    }

    [Fact]
    public async Task A_critical_event_evicts_lower_ones_when_the_store_is_full()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024);
        for (var i = 0; i < 60; i++)
        {
            await outbox.SubmitAsync(Priority.High, i, padding: 1000);
        }

        var oldest = outbox.Lane(Priority.High)[0].Seq;
        var alarm = await outbox.SubmitAsync(Priority.Critical, padding: 1000);

        Assert.True(alarm.Accepted);
        Assert.DoesNotContain(oldest, outbox.Lane(Priority.High).Select(r => r.Seq));
    }

    [Fact]
    public async Task Counters_survive_a_restart()
    {
        await using (var first = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024))
        {
            for (var i = 0; i < 80; i++)
            {
                await first.SubmitAsync(Priority.Low, i, padding: 1000);
            }

            await first.ReportAsync(OutcomeKind.DeadLetter, 80, 0x99, "PayloadFormatInvalid");
        }

        await using var reopened = await OutboxHarness.StartAsync(DbPath, maxBytes: 64 * 1024);
        var stats = reopened.Store.Stats();
        Assert.True(stats.Evictions > 0);
        Assert.Equal(1, stats.DeadLetters);
        Assert.Equal(80, stats.LastSeq);
    }

    [Fact]
    public async Task Expired_outcomes_discard_the_event_and_count_it()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);
        var e = await outbox.SubmitAsync(Priority.Low, expireAfter: TimeSpan.FromSeconds(5));
        Assert.NotNull(outbox.Lane(Priority.Low)[0].ExpiresAt);

        await outbox.ReportAsync(OutcomeKind.Expired, e.Event!.Seq);

        Assert.Empty(outbox.Lane(Priority.Low));
        Assert.Equal(1, outbox.Store.Stats().Expired);
    }

    [Fact]
    public async Task Critical_events_never_expire()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);

        await outbox.SubmitAsync(Priority.Critical, expireAfter: TimeSpan.FromSeconds(1));

        Assert.Null(outbox.Lane(Priority.Critical)[0].ExpiresAt);
    }

    [Fact]
    public async Task Everything_submitted_before_a_stop_is_committed()
    {
        var outbox = await OutboxHarness.StartAsync(DbPath);
        var pending = Enumerable.Range(0, 500).Select(i => outbox.SubmitAsync(Priority.Normal, i)).ToList();
        await outbox.DisposeAsync();

        var results = await Task.WhenAll(pending);
        Assert.All(results, r => Assert.True(r.Accepted));
        await using var reopened = await OutboxHarness.StartAsync(DbPath);
        Assert.Equal(500, reopened.Lane(Priority.Normal).Count);
    }

    /// <summary>A store and its writer, the writer's loop not started: what is submitted waits in its intake.</summary>
    private (OutboxStore Store, OutboxWriter Writer) UnstartedWriter()
    {
        var options = new Edge.Gateway.Outbox.OutboxOptions();
        var store = OutboxStore.Open(DbPath, "c001/gw1", options);
        return (store, new OutboxWriter(store, new Edge.Gateway.Configuration.GatewayOptions { Community = "c001", Id = "gw1" }, options,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxWriter>.Instance));
    }

    [Fact]
    public async Task A_writer_stopped_before_its_loop_ran_still_commits_what_it_was_given()
    {
        // A host may stop a BackgroundService before its loop is scheduled; the loop then never runs at all.
        var (store, writer) = UnstartedWriter();
        using var storeScope = store;
        using var writerScope = writer;
        var pending = Enumerable.Range(0, 10).Select(i => writer.SubmitAsync(TestGateway.Draft(n: i))).ToList();

        await writer.StopAsync(CancellationToken.None);

        var results = await Task.WhenAll(pending);
        Assert.All(results, r => Assert.True(r.Accepted));
        Assert.Equal(10, store.LastSeq);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => writer.SubmitAsync(TestGateway.Draft()));
    }

    [Fact]
    public async Task An_alarm_handed_over_after_a_burst_is_committed_first()
    {
        var (store, writer) = UnstartedWriter();
        using var storeScope = store;
        using var writerScope = writer;
        var burst = Enumerable.Range(0, 3000).Select(i => writer.SubmitAsync(TestGateway.Draft(n: i))).ToList();
        var alarm = writer.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));

        await writer.StartAsync(CancellationToken.None);
        var committed = await alarm;
        var others = await Task.WhenAll(burst);

        // Seq 1: its commit did not wait for the 3,000 events handed over before it.
        Assert.Equal(1, committed.Event!.Seq);
        Assert.Equal(Enumerable.Range(2, 3000).Select(i => (long)i), others.Select(r => r.Event!.Seq));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Invalid_drafts_are_refused_at_submit()
    {
        await using var outbox = await OutboxHarness.StartAsync(DbPath);

        await Assert.ThrowsAsync<ArgumentException>(() => outbox.Writer.SubmitAsync(TestGateway.Draft(type: "weather.rain")));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.Writer.SubmitAsync(TestGateway.Draft(device: "a/b")));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.Writer.SubmitAsync(TestGateway.Draft(priority: (Priority)9)));
        Assert.Equal(0, outbox.Store.LastSeq);
    }

    [Fact]
    public void A_file_that_is_not_a_database_refuses_to_open_and_names_the_file()
    {
        File.WriteAllText(DbPath, "this is not an outbox, it is a grocery list");

        var ex = Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c001/gw1", new()));
        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_database_refuses_to_open()
    {
        await using (var outbox = await OutboxHarness.StartAsync(DbPath))
        {
            for (var i = 0; i < 300; i++)
            {
                await outbox.SubmitAsync(Priority.Low, i, padding: 500);
            }
        }

        // Overwrite pages in the middle of the file (after the header) with garbage.
        var bytes = File.ReadAllBytes(DbPath);
        Assert.True(bytes.Length > 16 * 4096, "the database should span many pages");
        new Random(7).NextBytes(bytes.AsSpan(4096 * 3, 4096 * 8));
        File.WriteAllBytes(DbPath, bytes);

        Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c001/gw1", new()).Dispose());
    }

    [Fact]
    public void An_outbox_that_cannot_be_opened_is_an_ordinary_error_not_corruption()
    {
        // A path that cannot be opened (here a directory; on a device: permissions, a read-only remount) is not damage:
        // it must not be reported as a corrupt outbox, which would keep systemd from restarting the gateway.
        Directory.CreateDirectory(DbPath);

        var ex = Assert.ThrowsAny<Exception>(() => OutboxStore.Open(DbPath, "c001/gw1", new()).Dispose());

        Assert.IsNotType<OutboxCorruptException>(ex);
    }

    [Fact]
    public async Task Another_gateways_outbox_refuses_to_open()
    {
        await using (await OutboxHarness.StartAsync(DbPath, identity: "c001/gw1"))
        {
        }

        var ex = Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c002/gw1", new()));
        Assert.Contains("c001/gw1", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
