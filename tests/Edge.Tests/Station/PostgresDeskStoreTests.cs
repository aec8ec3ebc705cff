using Edge.Contracts.Events;
using Edge.Station.Alarms;
using Edge.Station.Live;
using Edge.Station.Store;
using Edge.Tests.Support;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Edge.Tests.Station;

/// <summary>
/// The store in PostgreSQL (a real server, <see cref="PostgresServer"/>), where several desks share it: every test of
/// <see cref="DeskStoreContract"/>, and what two desks on one database must agree on.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresDeskStoreTests(PostgresServer server) : DeskStoreContract, IClassFixture<PostgresServer>
{
    private readonly List<IDisposable> _more = [];
    private string _database = "";

    public override async ValueTask InitializeAsync() => _database = await server.CreateDatabaseAsync();

    protected override DeskStore Open() => new(new PostgresDeskDatabase(_database), picturesKeepBytes: 1000);

    protected override void MarkNewerSchema()
    {
        using var c = new NpgsqlConnection(_database);
        c.Open();
        using var cmd = new NpgsqlCommand("INSERT INTO desk_schema(version) VALUES (99)", c);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A second desk's store on the same database.</summary>
    private DeskStore Other()
    {
        var store = Open();
        _more.Add(store);
        return store;
    }

    private (DeskNews News, LiveFeed Feed) Pages(DeskStore store)
    {
        var feed = new LiveFeed();
        return (new DeskNews(store, feed, Time, Microsoft.Extensions.Options.Options.Create(new JsonOptions())), feed);
    }

    /// <summary>Runs a desk's <see cref="DeskPeers"/> until the test ends, and waits until it listens.</summary>
    private async Task<DeskPeers> ListenAsync(DeskStore store, DeskNews news, LiveFeed feed)
    {
        var peers = new DeskPeers(store, news, feed, NullLogger<DeskPeers>.Instance);
        await peers.StartAsync(TestContext.Current.CancellationToken);
        _more.Add(peers);
        await Eventually.True(() => peers.Listening, "the desk listens to the other desks' news");
        return peers;
    }

    private static async Task<LiveMessage> NextAsync(LiveFeed.Subscription page, string name)
    {
        using var wait = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (true)
        {
            var m = await page.Reader.ReadAsync(wait.Token);
            if (m.Event == name)
            {
                return m;
            }
        }
    }

    [Fact]
    public void An_alarm_taken_at_one_desk_is_taken_at_the_other()
    {
        var b = Other();
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, Time.GetUtcNow());
        Ingest(press);
        Assert.Equal(press.Id, Assert.Single(b.OpenAlarms(Time.GetUtcNow())).Id);

        Time.Advance(TimeSpan.FromSeconds(20));
        var (taken, problem) = b.TakeStep(press.Id, AlarmSteps.Acknowledge, "li", Guid.NewGuid(), Time.GetUtcNow());
        Assert.Null(problem);
        Assert.Equal("li", Assert.Single(taken!.Steps).By);

        var atA = Store.Alarm(press.Id, Time.GetUtcNow())!;
        Assert.Equal(("acknowledge", "li"), (Assert.Single(atA.Steps).Step, atA.Steps[0].By));
        Assert.DoesNotContain(AlarmSteps.Acknowledge, atA.Next);
        var refused = Store.TakeStep(press.Id, AlarmSteps.Acknowledge, "wang", Guid.NewGuid(), Time.GetUtcNow()).Problem;
        Assert.Contains("acknowledge was taken by li", refused, StringComparison.Ordinal);
        Assert.Equal(Store.Counts(), b.Counts());
        Assert.Equal(["acknowledge"], b.AuditLog(10).Select(a => a.Action));
    }

    [Fact]
    public async Task The_same_step_taken_at_two_desks_at_once_is_recorded_once()
    {
        var b = Other();
        var presses = Enumerable.Range(1, 40).Select(i => DeskFixtures.Event(EventTypes.AlarmPanic, i, Time.GetUtcNow(), device: $"btn-{i}")).ToArray();
        Ingest(presses);
        var now = Time.GetUtcNow();
        var attempts = presses.SelectMany(p => new[] { (Store, p.Id, "wang"), (b, p.Id, "li") })
            .Select(x => Task.Run(() => x.Item1.TakeStep(x.Item2, AlarmSteps.Acknowledge, x.Item3, Guid.NewGuid(), now).Problem is null))
            .ToArray();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(presses.Length, results.Count(ok => ok));
        foreach (var p in presses)
        {
            Assert.Single(Store.Alarm(p.Id, now)!.Steps);
        }

        Assert.Equal(presses.Length, Store.AuditLog(200).Count(a => a.Action == "acknowledge"));
    }

    [Fact]
    public async Task The_same_event_through_both_desks_at_once_is_stored_once()
    {
        var b = Other();
        var presses = Enumerable.Range(1, 30).Select(i => DeskFixtures.Event(EventTypes.AlarmPanic, i, Time.GetUtcNow(), device: $"btn-{i}")).ToArray();
        var options = DeskFixtures.Options("unused");
        var batch = presses.Select(p => DeskFixtures.Sorted(options, p, Time.GetUtcNow())).ToList();
        await Task.WhenAll(Task.Run(() => Store.Ingest(batch)), Task.Run(() => b.Ingest(batch)));

        Assert.Equal(presses.Length, Store.EventCount());
        Assert.Equal(presses.Length, Store.OpenAlarms(Time.GetUtcNow()).Count);
        var counts = b.Counts();
        Assert.Equal((30L, 30L, 30L), (counts.Events, counts.Duplicates, counts.Alarms));
        var g = Assert.Single(b.Gateways());
        Assert.Equal((30L, 0L), (g.LastSeq, g.MissingSeq));
    }

    [Fact]
    public async Task An_overdue_step_escalates_once_whichever_desk_is_first_and_both_desks_pages_hear_it()
    {
        var b = Other();
        var (newsA, feedA) = Pages(Store);
        var (newsB, feedB) = Pages(b);
        await ListenAsync(Store, newsA, feedA);
        await ListenAsync(b, newsB, feedB);
        using var pageB = feedB.Subscribe();
        var escalateA = new EscalationService(Store, newsA, Time, NullLogger<EscalationService>.Instance);
        var escalateB = new EscalationService(b, newsB, Time, NullLogger<EscalationService>.Instance);
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, Time.GetUtcNow());
        Ingest(press);

        Time.Advance(TimeSpan.FromSeconds(61));
        var both = await Task.WhenAll(Task.Run(escalateA.Check), Task.Run(escalateB.Check));
        Assert.Equal(1, both.Sum());
        Assert.Equal(0, escalateA.Check() + escalateB.Check());
        Assert.Single(Store.AuditLog(10), a => a.Action == "escalate");

        // B's page hears it whether B escalated (its own) or A did (the news).
        var heard = await NextAsync(pageB, "escalation");
        Assert.Contains(press.Id.ToString(), heard.Json, StringComparison.Ordinal);
        Assert.Contains("acknowledge", heard.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_desk_hears_what_another_took_in_and_reads_everything_again_when_the_database_returns()
    {
        var b = Other();
        var (newsB, feedB) = Pages(b);
        var peers = await ListenAsync(b, newsB, feedB);
        var page = feedB.Subscribe();
        var press = DeskFixtures.Event(EventTypes.AlarmPanic, 1, Time.GetUtcNow());
        Ingest(press);
        var alarm = await NextAsync(page, "alarm");
        Assert.Contains(press.Id.ToString(), alarm.Json, StringComparison.Ordinal);
        Assert.True(peers.Heard >= 1);

        // The database goes away and returns: news in between may be lost, so the page is cut off to read everything again.
        await server.RestartAsync();
        await Eventually.True(() => Drained(page), "the page is cut off once the desk listens again");
        page.Dispose();
        await Eventually.True(() => peers.Listening, "listening again");
        using var again = feedB.Subscribe();
        var next = DeskFixtures.Event(EventTypes.AlarmPanic, 2, Time.GetUtcNow(), device: "btn-2");
        await Eventually.True(() => TryIngest(next), "desk A stores again (its pooled connections died with the server)");
        Assert.Contains(next.Id.ToString(), (await NextAsync(again, "alarm")).Json, StringComparison.Ordinal);
    }

    /// <summary>True once the page's stream ended (what it still held read and dropped).</summary>
    private static bool Drained(LiveFeed.Subscription page)
    {
        while (page.Reader.TryRead(out _))
        {
        }

        return page.Reader.Completion.IsCompleted;
    }

    private bool TryIngest(EdgeEvent e)
    {
        try
        {
            Ingest(e);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Desks_starting_at_once_on_a_new_database_make_its_schema_once()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Other)));
        stores[0].Ingest([DeskFixtures.Sorted(DeskFixtures.Options("unused"), DeskFixtures.Event(EventTypes.AlarmPanic, 1, Time.GetUtcNow()), Time.GetUtcNow())]);
        Assert.All(stores, s => Assert.Single(s.OpenAlarms(Time.GetUtcNow())));
    }

    [Fact]
    public void News_too_big_for_one_notification_is_split_and_read_back_whole()
    {
        var changes = new StoreChanges();
        for (var i = 0; i < 600; i++)
        {
            changes.Alarms.Add(Guid.NewGuid());
            changes.Gateways.Add(($"c{i:0000}", "gw1"));
        }

        changes.Escalations.Add((Guid.NewGuid(), "arrive", Time.GetUtcNow()));
        var from = Guid.NewGuid();
        var parts = changes.ToNews(from);
        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.True(System.Text.Encoding.UTF8.GetByteCount(p) < 8000, $"{p.Length} bytes"));
        var back = parts.Select(p => StoreChanges.FromNews(p, Guid.NewGuid())!).ToList();
        Assert.Equal(changes.Alarms.Order(), back.SelectMany(c => c.Alarms).Order());
        Assert.Equal(changes.Gateways.Order(), back.SelectMany(c => c.Gateways).Order());
        Assert.Equal(changes.Escalations, back.SelectMany(c => c.Escalations));
        Assert.All(parts, p => Assert.Null(StoreChanges.FromNews(p, from)));
        Assert.Throws<System.Text.Json.JsonException>(() => StoreChanges.FromNews("{\"from\":\"" + Guid.NewGuid() + "\",\"gateways\":[[\"c001\"]]}", from));
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var d in _more)
        {
            if (d is DeskPeers p)
            {
                await p.StopAsync(CancellationToken.None);
            }

            d.Dispose();
        }

        await base.DisposeAsync();
    }
}
