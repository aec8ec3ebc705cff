using Edge.Contracts.Events;
using Edge.Gateway.Outbox;
using Edge.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Edge.Tests.Outbox;

/// <summary>
/// An outbox file that cannot be used never turns silently into a new outbox whose seq restarts at 1: it is refused,
/// or, when the operator says to start afresh, set aside and replaced by a new outbox under a new seq epoch.
/// </summary>
public sealed class OutboxStartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string DbPath => _dir.Combine("outbox.db");

    private static OutboxOptions Afresh => new() { StartAfresh = true };

    [Fact]
    public void An_empty_file_is_refused_not_taken_for_a_new_outbox()
    {
        File.WriteAllBytes(DbPath, []);

        var ex = Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c001/gw1", new()));

        Assert.Contains("exists but is empty (0 bytes)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--Edge:Outbox:StartAfresh=true", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(DbPath).Length);
    }

    [Fact]
    public void A_sqlite_database_that_is_not_an_outbox_is_refused_and_left_as_it_is()
    {
        using (var other = new SqliteConnection($"Data Source={DbPath};Pooling=false"))
        {
            other.Open();
            using var cmd = other.CreateCommand();
            cmd.CommandText = "CREATE TABLE groceries(item TEXT); INSERT INTO groceries VALUES ('rice');";
            cmd.ExecuteNonQuery();
        }

        var ex = Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c001/gw1", new()));

        Assert.Contains("not an outbox", ex.Message, StringComparison.Ordinal);
        using var check = new SqliteConnection($"Data Source={DbPath};Pooling=false;Mode=ReadOnly");
        check.Open();
        using var tables = check.CreateCommand();
        tables.CommandText = "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'";
        Assert.Equal("groceries", tables.ExecuteScalar());
    }

    [Fact]
    public async Task Started_afresh_the_old_file_is_set_aside_and_seq_restarts_under_a_new_epoch()
    {
        DateTimeOffset firstEpoch;
        await using (var first = await OutboxHarness.StartAsync(DbPath))
        {
            await first.SubmitAsync(Priority.Normal, 1);
            await first.SubmitAsync(Priority.Normal, 2);
            firstEpoch = first.Store.SeqEpoch;
            Assert.Equal(2, first.Store.LastSeq);
        }

        // The SD card lost the file's content: it is there, and empty.
        File.WriteAllBytes(DbPath, []);
        File.Delete(DbPath + "-wal");
        Assert.Throws<OutboxCorruptException>(() => OutboxStore.Open(DbPath, "c001/gw1", new()));

        using var store = OutboxStore.Open(DbPath, "c001/gw1", Afresh);

        var restart = Assert.IsType<OutboxRestart>(store.Restarted);
        Assert.Contains("empty", restart.Reason, StringComparison.Ordinal);
        Assert.StartsWith(DbPath + ".set-aside-", restart.SetAsideAs, StringComparison.Ordinal);
        Assert.True(File.Exists(restart.SetAsideAs), "the unusable file is kept for whoever wants to look at it");
        Assert.Equal(0, store.LastSeq);
        Assert.True(store.SeqEpoch > firstEpoch, $"epoch {store.SeqEpoch:O} after {firstEpoch:O}");
    }

    [Fact]
    public async Task A_healthy_outbox_keeps_its_epoch_and_is_not_set_aside_even_with_start_afresh()
    {
        DateTimeOffset epoch;
        await using (var first = await OutboxHarness.StartAsync(DbPath))
        {
            await first.SubmitAsync(Priority.Critical, 1);
            epoch = first.Store.SeqEpoch;
        }

        using var again = OutboxStore.Open(DbPath, "c001/gw1", Afresh);

        Assert.Null(again.Restarted);
        Assert.Equal(epoch, again.SeqEpoch);
        Assert.Equal(1, again.LastSeq);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.set-aside-*"));
    }

    [Fact]
    public async Task An_outbox_from_before_epochs_keeps_its_seq_and_gets_an_epoch_once()
    {
        await using (var first = await OutboxHarness.StartAsync(DbPath))
        {
            await first.SubmitAsync(Priority.Normal, 1);
        }

        using (var db = new SqliteConnection($"Data Source={DbPath};Pooling=false"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DELETE FROM meta WHERE key = 'epoch'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        DateTimeOffset given;
        using (var upgraded = OutboxStore.Open(DbPath, "c001/gw1", new()))
        {
            Assert.Equal(1, upgraded.LastSeq);
            given = upgraded.SeqEpoch;
            Assert.NotEqual(default, given);
        }

        using var later = OutboxStore.Open(DbPath, "c001/gw1", new());
        Assert.Equal(given, later.SeqEpoch);
    }

    public void Dispose() => _dir.Dispose();
}
