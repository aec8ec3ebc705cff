using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.TestEvents;

/// <summary>
/// Generates <c>device.test</c> events at a configured rate, numbered in <c>data.n</c>, to prove the path from
/// this gateway to the station during commissioning and in load and fault tests.
/// </summary>
public sealed class TestEventSource(TestEventOptions options, IEventSink sink, TimeProvider time) : BackgroundService
{
    /// <summary>The device test events are reported from: the gateway itself.</summary>
    public static readonly DeviceRef GatewayDevice = new("gateway", "gateway", "Edge gateway");

    private long _generated;

    /// <summary>Events generated so far (submitted, committed or not).</summary>
    public long Generated => Interlocked.Read(ref _generated);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Rate <= 0)
        {
            return;
        }

        // Submit in ticks of up to 10 ms so high rates do not need a timer per event.
        var tick = TimeSpan.FromMilliseconds(Math.Max(1, Math.Min(1000 / options.Rate, 10)));
        var start = time.GetTimestamp();
        var pending = new List<Task>();
        try
        {
            using var timer = new PeriodicTimer(tick, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var due = (long)(time.GetElapsedTime(start).TotalSeconds * options.Rate) + 1;
                if (options.Count > 0)
                {
                    due = Math.Min(due, options.Count);
                }

                pending.Clear();
                while (_generated < due)
                {
                    var n = ++_generated;
                    var draft = new EventDraft(EventTypes.DeviceTest, options.Priority, GatewayDevice, null, time.GetUtcNow(),
                        new JsonObject { ["n"] = n });
                    pending.Add(sink.SubmitAsync(draft, stoppingToken));
                }

                await Task.WhenAll(pending).ConfigureAwait(false);
                if (options.Count > 0 && _generated >= options.Count)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
