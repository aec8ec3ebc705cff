using System.Text.Json;
using Edge.Station.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Station.Live;

/// <summary>
/// On a database several desks share, hears what the other desks changed (an alarm they took in, a step an officer
/// took there, an escalation) and shows it on this desk's pages too. When the link to the database comes back after a
/// loss, news may have been missed, so every page is cut off and reads everything again.
/// </summary>
public sealed partial class DeskPeers(DeskStore store, DeskNews news, LiveFeed feed, ILogger<DeskPeers> log) : BackgroundService
{
    private long _heard;

    /// <summary>True once listening, false while the link to the database is down (or no other desk can share it).</summary>
    public bool Listening { get; private set; }

    /// <summary>Why the link to the other desks' news was last lost, or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Changes heard from other desks.</summary>
    public long Heard => Interlocked.Read(ref _heard);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!store.Database.Shared)
        {
            return Task.CompletedTask;
        }

        return store.Database.ListenAsync(Hear, Lost, Listen, stoppingToken);
    }

    /// <summary>Shows one piece of another desk's news; news that is not the desk's is logged and dropped.</summary>
    public void Hear(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            if (StoreChanges.FromNews(json, store.Id) is { } changes)
            {
                Interlocked.Increment(ref _heard);
                news.Tell(changes);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or System.Data.Common.DbException or InvalidOperationException)
        {
            LogBadNews(ex, json.Length);
        }
    }

    private void Lost(Exception ex)
    {
        Listening = false;
        LastFailure = ex.Message;
        LogLost(store.Database.Name, ex.Message);
    }

    private void Listen(bool again)
    {
        Listening = true;
        if (again)
        {
            LogBack(store.Database.Name);
            feed.Reset("the desk's link to the other desks' news came back; read everything again");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk lost the other desks' news from {Database}: {Reason}; pages show this desk's own changes until it is back")]
    private partial void LogLost(string database, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desk hears the other desks' news from {Database} again; pages reload")]
    private partial void LogBack(string database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk dropped news of {Length} characters that is not another desk's")]
    private partial void LogBadNews(Exception ex, int length);
}
