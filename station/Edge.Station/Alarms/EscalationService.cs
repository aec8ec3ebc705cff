using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Station.Alarms;

/// <summary>
/// Every second, looks for steps of open alarms past their 1-3-5 minute clock and escalates each once: an escalation
/// record, a warning in the log, and an event that makes the page sound and flash.
/// </summary>
public sealed partial class EscalationService(DeskStore store, DeskNews news, TimeProvider time, ILogger<EscalationService> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    Check();
                }
                catch (System.Data.Common.DbException ex)
                {
                    // The database is away for a moment: the next tick looks again, and nothing overdue is forgotten.
                    LogCheckFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Escalates what is overdue now; returns how many steps were escalated.</summary>
    public int Check()
    {
        var now = time.GetUtcNow();
        var escalated = 0;
        foreach (var alarm in store.OpenAlarms(now))
        {
            foreach (var step in alarm.Overdue)
            {
                if (store.Escalate(alarm.Id, step, now))
                {
                    escalated++;
                    LogOverdue(alarm.Type, alarm.Community, alarm.Device.Id, step, alarm.Id);
                    news.Escalation(alarm.Id, step, now);
                    news.Alarm(alarm);
                }
            }
        }

        return escalated;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Desk could not look for overdue steps; it looks again in a second")]
    private partial void LogCheckFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Overdue: {Type} at {Community} {Device}, step {Step} not taken in time (alarm {Alarm})")]
    private partial void LogOverdue(string type, string community, string device, string step, Guid alarm);
}
