using System.Collections.Concurrent;
using Edge.Contracts.Events;
using Edge.Gateway.Logging;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Gateway.Uplink;

/// <summary>
/// One connection's worth of sending: fills a bounded window of QoS 1 publishes from the outbox, highest lane first
/// and oldest first within a lane, and hands each PUBACK to the writer. An event leaves the outbox only after its
/// PUBACK; whatever is unacknowledged when the connection drops is sent again by the next session.
/// </summary>
internal sealed partial class UplinkSession(
    IMqttClient client, MessageFactory messages, OutboxStore store, OutboxWriter writer, UplinkState state, int maxInFlight,
    ConcurrentDictionary<long, int> failures, TimeProvider time, ILogger log) : IDisposable
{
    /// <summary>A record that fails this many times while the connection stays up is dead-lettered.</summary>
    private const int MaxClientFailures = 3;

    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);
    private readonly long[] _cursors = new long[4];
    private readonly TaskCompletionSource<string> _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LogLimiter _deadLetterLog = new(time, TimeSpan.FromSeconds(10));

    /// <summary>Sends until the connection is lost or <paramref name="stopping"/>; returns why it ended.</summary>
    public async Task<string> RunAsync(Task<string> lost, TimeSpan stopGrace, CancellationToken stopping)
    {
        using var abort = new CancellationTokenSource();
        string reason;
        try
        {
            reason = await SendLoopAsync(lost, abort.Token, stopping).ConfigureAwait(false);
            abort.Cancel();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // A clean stop lets in-flight publishes finish briefly, so they are not sent twice after a restart.
            reason = "stopping";
            abort.CancelAfter(stopGrace);
        }

        for (var i = 0; i < maxInFlight; i++)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return reason;
    }

    public void Dispose() => _slots.Dispose();

    private async Task<string> SendLoopAsync(Task<string> lost, CancellationToken abort, CancellationToken stopping)
    {
        while (true)
        {
            if (lost.IsCompleted)
            {
                return await lost.ConfigureAwait(false);
            }

            if (_broken.Task.IsCompleted)
            {
                return await _broken.Task.ConfigureAwait(false);
            }

            await _slots.WaitAsync(stopping).ConfigureAwait(false);
            writer.Committed.TryRead(out _);
            var batch = NextBatch(_slots.CurrentCount + 1);
            if (batch.Count == 0)
            {
                _slots.Release();
                await Task.WhenAny(writer.Committed.WaitToReadAsync(stopping).AsTask(), lost, _broken.Task).ConfigureAwait(false);
                stopping.ThrowIfCancellationRequested();
                continue;
            }

            for (var i = 1; i < batch.Count; i++)
            {
                // Only this loop takes slots, so the ones counted free above are still free.
                _slots.Wait(0, CancellationToken.None);
            }

            foreach (var record in batch)
            {
                _ = PublishAsync(record, abort);
            }
        }
    }

    /// <summary>Up to <paramref name="free"/> records, strictly by lane; stale ones are discarded on the way.</summary>
    private List<OutboxRecord> NextBatch(int free)
    {
        var batch = new List<OutboxRecord>(free);
        var now = time.GetUtcNow();
        foreach (var lane in PriorityNames.All)
        {
            while (batch.Count < free)
            {
                var records = store.ReadPending(lane, _cursors[(int)lane], free - batch.Count);
                if (records.Count == 0)
                {
                    break;
                }

                foreach (var r in records)
                {
                    _cursors[(int)lane] = r.Seq;
                    if (MessageFactory.IsExpired(r, now))
                    {
                        _ = writer.CompleteAsync(new Completion(CompletionKind.Expired, r.Seq, now));
                    }
                    else
                    {
                        batch.Add(r);
                    }
                }
            }
        }

        return batch;
    }

    private async Task PublishAsync(OutboxRecord record, CancellationToken abort)
    {
        try
        {
            var result = await client.PublishAsync(messages.Event(record, time.GetUtcNow()), abort).ConfigureAwait(false);
            failures.TryRemove(record.Seq, out _);
            if (PubAckReasons.IsDelivered(result.ReasonCode))
            {
                state.OnDelivered(record.Id, record.Seq);
                await writer.CompleteAsync(new Completion(CompletionKind.Delivered, record.Seq, time.GetUtcNow())).ConfigureAwait(false);
            }
            else if (PubAckReasons.IsTransient(result.ReasonCode))
            {
                _broken.TrySetResult($"broker answered {result.ReasonCode} for seq {record.Seq}");
            }
            else
            {
                await DeadLetterAsync(record, (int)result.ReasonCode, $"{result.ReasonCode} {result.ReasonString}".TrimEnd()).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (abort.IsCancellationRequested || !client.IsConnected)
        {
            // The connection went: the record stays in the outbox for the next session.
            _ = ex;
        }
        catch (Exception ex)
        {
            var count = failures.AddOrUpdate(record.Seq, 1, (_, n) => n + 1);
            if (count >= MaxClientFailures)
            {
                failures.TryRemove(record.Seq, out _);
                await DeadLetterAsync(record, -1, $"client error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            }
            else
            {
                _broken.TrySetResult($"publish of seq {record.Seq} failed: {ex.Message}");
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task DeadLetterAsync(OutboxRecord record, int code, string reason)
    {
        if (_deadLetterLog.TryEnter(out var suppressed))
        {
            LogDeadLetter(record.Type, record.Seq, reason, suppressed);
        }

        try
        {
            await writer.CompleteAsync(new Completion(CompletionKind.DeadLetter, record.Seq, time.GetUtcNow(), code, reason)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            // Writer stopping: the record stays pending and is retried after restart.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused {Type} seq {Seq}: {Reason}; moved to dead letters ({Suppressed} similar lines suppressed)")]
    private partial void LogDeadLetter(string type, long seq, string reason, long suppressed);
}
