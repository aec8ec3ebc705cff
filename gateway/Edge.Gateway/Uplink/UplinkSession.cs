using System.Collections.Concurrent;
using Edge.Contracts.Events;
using Edge.Gateway.Common;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Edge.Gateway.Uplink;

// Over 300 lines: one connection's sending, whose parts (the window and its reserve for alarms, the lanes' read-ahead, the PUBACK watch, dead-lettering) share its state.
/// <summary>
/// One connection's worth of sending: fills a bounded window of QoS 1 publishes from the outbox, highest lane first
/// and oldest first within a lane, and hands each PUBACK to the writer. An event leaves the outbox only after its
/// PUBACK; whatever is unacknowledged when the connection drops is sent again by the next session. A few slots of the
/// window are kept for alarms: the other lanes fill at most <c>maxInFlight - ReservedForAlarms</c>, so an alarm never
/// waits for a window full of motion to be acknowledged.
/// </summary>
/// <param name="channel">The client's connection, whose writes a batch gathers into one (null: each publish is written
/// on its own).</param>
/// <param name="pubAckTimeout">The longest wait for a PUBACK: past it the link is taken for dead and the session ends
/// (MQTTnet would otherwise wait for the keepalive to notice), and what was not acknowledged is sent again.</param>
internal sealed partial class UplinkSession(
    IMqttClient client, UplinkChannel? channel, MessageFactory messages, OutboxStore store, OutboxWriter writer, UplinkState state, int maxInFlight,
    ConcurrentDictionary<long, int> failures, TimeSpan pubAckTimeout, TimeProvider time, ILogger log) : IDisposable
{
    /// <summary>A record that fails this many times while the connection stays up is dead-lettered.</summary>
    private const int MaxClientFailures = 3;

    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);

    /// <summary>Slots of the window only alarms (the critical lane) may take.</summary>
    private readonly int _reservedForAlarms = Math.Min(16, maxInFlight / 4);

    /// <summary>Publishes of the other lanes in flight.</summary>
    private int _othersInFlight;

    /// <summary>
    /// Room the other lanes' completed publishes make before they wake the loop, when it held records back: an eighth
    /// of their share of the window. Woken for each PUBACK, the loop would send one publish per wake, and a flood would
    /// cost a thread switch per event.
    /// </summary>
    private int RefillAt => Math.Max(1, OthersShare / 8);

    /// <summary>The part of the window the other lanes may fill.</summary>
    private int OthersShare => maxInFlight - _reservedForAlarms;

    /// <summary>
    /// Set when the loop may have something new to do: the writer committed events, the other lanes' publishes
    /// completed enough of them to make room (<see cref="RefillAt"/>) for records the loop held back, the connection
    /// was lost.
    /// </summary>
    private readonly ManualResetEventSlim _wake = OwnThread.NewSignal();
    /// <summary>Records read per query: one query serves many publishes.</summary>
    private const int ReadAhead = 512;

    private readonly long[] _cursors = new long[4];
    private readonly Queue<OutboxRecord>[] _readAhead = [new(), new(), new(), new()];
    private readonly TaskCompletionSource<string> _broken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Cancelled with <see cref="_broken"/>, so a loop waiting for a free slot hears of it.</summary>
    private readonly CancellationTokenSource _breaking = new();
    private readonly LogLimiter _deadLetterLog = new(time, TimeSpan.FromSeconds(10));
    private static readonly TimeSpan ProgressCheck = TimeSpan.FromSeconds(1);
    private int _inFlight;
    /// <summary>The store's rewinds this session has caught up with.</summary>
    private long _rewinds = store.Rewinds;
    private long _lastProgress;

    /// <summary>Sends until the connection is lost or <paramref name="stopping"/>; returns why it ended.</summary>
    public async Task<string> RunAsync(Task<string> lost, TimeSpan stopGrace, CancellationToken stopping)
    {
        using var abort = new CancellationTokenSource();
        using var progress = time.CreateTimer(_ => CheckProgress(), null, ProgressCheck, ProgressCheck);
        string reason;
        try
        {
            // The loop has a thread of its own: an alarm committed is published at once, not after whatever waits in
            // the thread pool's queue.
            reason = await OwnThread.Run("edge-uplink", () => SendLoop(lost, abort.Token, stopping)).ConfigureAwait(false);
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

        // Every outcome is handed over now; wait until they are committed, or the writer has stopped. A writer whose
        // loop was cancelled together with this one (a start token cancelled under the whole gateway) only drains in
        // its own StopAsync, after this one: so the wait is bounded, never a deadlock.
        try
        {
            await writer.ReportAsync(new Outcome(OutcomeKind.Barrier, 0, time.GetUtcNow())).WaitAsync(stopGrace, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The writer failed or stopped: what it did not remove is sent again, and the station drops duplicates.
        }

        return reason;
    }

    public void Dispose()
    {
        _slots.Dispose();
        _breaking.Dispose();
        _wake.Dispose();
    }

    /// <summary>Ends the session for <paramref name="reason"/> (the first reason given stands).</summary>
    private void Break(string reason)
    {
        if (!_broken.TrySetResult(reason))
        {
            return;
        }

        try
        {
            _breaking.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session is over already (a last progress check).
        }
    }

    private string SendLoop(Task<string> lost, CancellationToken abort, CancellationToken stopping)
    {
        using var waitingSource = CancellationTokenSource.CreateLinkedTokenSource(stopping, _breaking.Token);
        var waiting = waitingSource.Token;
        Action wake = Wake;
        writer.Committed += wake;
        lost.ContinueWith(static (_, session) => ((UplinkSession)session!).Wake(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (true)
            {
                if (lost.IsCompleted)
                {
                    return lost.GetAwaiter().GetResult();
                }

                if (_broken.Task.IsCompleted)
                {
                    return _broken.Task.GetAwaiter().GetResult();
                }

                try
                {
                    _slots.Wait(waiting);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    // Every slot is taken by a publish that will not be acknowledged: the link is dead.
                    return _broken.Task.GetAwaiter().GetResult();
                }

                // Reset before the batch is made: a commit or a freed slot after it sets it again and wakes the wait below.
                _wake.Reset();
                var batch = NextBatch(_slots.CurrentCount + 1);
                if (batch.Count == 0)
                {
                    _slots.Release();
                    try
                    {
                        _wake.Wait(waiting);
                    }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                    {
                        // The session broke: the loop's top says why.
                    }

                    stopping.ThrowIfCancellationRequested();
                    continue;
                }

                for (var i = 1; i < batch.Count; i++)
                {
                    // Only this loop takes slots, so the ones counted free above are still free.
                    _slots.Wait(0, CancellationToken.None);
                }

                Send(batch, abort);
            }
        }
        finally
        {
            writer.Committed -= wake;
        }
    }

    /// <summary>
    /// Publishes a batch. Each publish runs here until MQTTnet waits for its PUBACK, so the PUBLISH is written from this
    /// thread: a batch of several is gathered and written to the socket in one piece at its end. A connection that
    /// fails, or does not take the batch before the session takes the link for dead (no PUBACK within the timeout: a
    /// partition fills the socket's buffer), ends the session, and what the broker did not acknowledge stays in the
    /// outbox. A clean stop does not cut a batch short: it is written, and its PUBACKs have the stop's grace to come.
    /// </summary>
    private void Send(List<OutboxRecord> batch, CancellationToken abort)
    {
        var broken = _breaking.Token;
        var gather = channel is not null && batch.Count > 1;
        try
        {
            if (gather)
            {
                channel!.Gather(broken);
            }

            try
            {
                foreach (var record in batch)
                {
                    _ = PublishAsync(record, abort);
                }
            }
            finally
            {
                if (gather)
                {
                    channel!.Flush(broken);
                }
            }
        }
        catch (OperationCanceledException) when (broken.IsCancellationRequested)
        {
            // The session broke while the batch waited for the connection: the loop's top says why.
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            Break($"connection failed while sending {batch.Count} events from seq {batch[0].Seq}: {ex.Message}");
        }
    }

    /// <summary>Wakes the loop, unless the session is over and its signal gone.</summary>
    private void Wake()
    {
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // The session ended before the connection was lost.
        }
    }

    /// <summary>
    /// Up to <paramref name="free"/> records, strictly by lane: a higher lane with anything new is read before a lower
    /// lane's read-ahead is used, so an alarm never waits behind buffered motion. Stale records are discarded here.
    /// </summary>
    private List<OutboxRecord> NextBatch(int free)
    {
        if (store.Rewinds != _rewinds)
        {
            // Events came back below the read positions (dead letters replayed): every lane starts again. Records in
            // flight may be read and sent once more; the station drops duplicates by id.
            _rewinds = store.Rewinds;
            Array.Clear(_cursors);
            foreach (var queue in _readAhead)
            {
                queue.Clear();
            }
        }

        var batch = new List<OutboxRecord>(free);
        var now = time.GetUtcNow();
        var others = 0;
        var othersRoom = OthersShare - Volatile.Read(ref _othersInFlight);
        foreach (var priority in PriorityNames.All)
        {
            var queue = _readAhead[(int)priority];
            while (batch.Count < free && (priority == Priority.Critical || others < othersRoom))
            {
                if (queue.Count == 0 && !Refill(priority, queue))
                {
                    break;
                }

                var r = queue.Dequeue();
                if (MessageFactory.IsExpired(r, now))
                {
                    writer.Report(new Outcome(OutcomeKind.Expired, r.Seq, now));
                }
                else
                {
                    batch.Add(r);
                    others += priority == Priority.Critical ? 0 : 1;
                }
            }
        }

        return batch;
    }

    /// <summary>Reads the next records of a lane in one query; false when the lane has nothing new.</summary>
    private bool Refill(Priority priority, Queue<OutboxRecord> queue)
    {
        var cursor = _cursors[(int)priority];
        if (store.LaneLastSeq(priority) <= cursor)
        {
            return false;
        }

        foreach (var r in store.ReadPending(priority, cursor, ReadAhead))
        {
            queue.Enqueue(r);
            _cursors[(int)priority] = r.Seq;
        }

        return queue.Count > 0;
    }

    private async Task PublishAsync(OutboxRecord record, CancellationToken abort)
    {
        var other = record.Priority != Priority.Critical;
        if (other)
        {
            Interlocked.Increment(ref _othersInFlight);
        }

        if (Interlocked.Increment(ref _inFlight) == 1)
        {
            Interlocked.Exchange(ref _lastProgress, time.GetTimestamp());
        }

        try
        {
            var sent = time.GetTimestamp();
            var result = await client.PublishAsync(messages.Event(record, time.GetUtcNow()), abort).ConfigureAwait(false);
            var acknowledged = time.GetTimestamp();
            Interlocked.Exchange(ref _lastProgress, acknowledged);
            Metrics.GatewayMetrics.PubAckLatency.Record(time.GetElapsedTime(sent, acknowledged).TotalMilliseconds);
            failures.TryRemove(record.Seq, out _);
            if (PubAckReasons.IsDelivered(result.ReasonCode))
            {
                // Not awaited: the slot is free once the broker has acknowledged. The session's end waits for the
                // removals through a barrier, so the next session does not send these again.
                writer.Report(new Outcome(OutcomeKind.Delivered, record.Seq, time.GetUtcNow()));
                state.Acknowledged.Count(record.Type);
                state.OnDelivered(record.Id, record.Seq);
            }
            else if (PubAckReasons.IsTransient(result.ReasonCode))
            {
                Break($"broker answered {result.ReasonCode} for seq {record.Seq}");
            }
            else
            {
                DeadLetter(record, (int)result.ReasonCode, $"{result.ReasonCode} {result.ReasonString}".TrimEnd());
            }
        }
        catch (Exception ex) when (abort.IsCancellationRequested || !client.IsConnected || IsConnectionFailure(ex))
        {
            // The connection went (the client may not know yet): the record stays in the outbox for the next session.
            Break($"connection failed while sending seq {record.Seq}: {ex.Message}");
        }
        catch (Exception ex)
        {
            var count = failures.AddOrUpdate(record.Seq, 1, (_, n) => n + 1);
            if (count >= MaxClientFailures)
            {
                failures.TryRemove(record.Seq, out _);
                DeadLetter(record, -1, $"client error: {ex.GetType().Name}: {ex.Message}");
            }
            else
            {
                Break($"publish of seq {record.Seq} failed: {ex.Message}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            // The loop holds records back only once the other lanes fill their share of the window, so their in-flight
            // count passes through the refill mark on its way down from there, and wakes the loop there once.
            if (other && OthersShare - Interlocked.Decrement(ref _othersInFlight) == RefillAt)
            {
                Wake();
            }

            _slots.Release();
        }
    }

    /// <summary>
    /// The link is dead when publishes wait and no PUBACK has come for <c>pubAckTimeout</c>: checked once a second,
    /// rather than a timer per publish.
    /// </summary>
    private void CheckProgress()
    {
        if (Volatile.Read(ref _inFlight) > 0 && time.GetElapsedTime(Interlocked.Read(ref _lastProgress)) > pubAckTimeout)
        {
            Break($"no PUBACK within {pubAckTimeout.TotalSeconds:0.#} s while {Volatile.Read(ref _inFlight)} publishes waited: the link is taken for dead");
        }
    }

    /// <summary>
    /// Failures of the connection, never of the event: they must not count towards dead-lettering, or a flaky link
    /// would dead-letter alarms.
    /// </summary>
    private static bool IsConnectionFailure(Exception ex) =>
        ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or ObjectDisposedException
            or IOException or System.Net.Sockets.SocketException
        || (ex.InnerException is { } inner && IsConnectionFailure(inner));

    private void DeadLetter(OutboxRecord record, int code, string reason)
    {
        if (_deadLetterLog.TryEnter(out var suppressed))
        {
            LogDeadLetter(record.Type, record.Seq, reason, suppressed);
        }

        writer.Report(new Outcome(OutcomeKind.DeadLetter, record.Seq, time.GetUtcNow(), code, reason));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused {Type} seq {Seq}: {Reason}; moved to dead letters ({Suppressed} similar lines suppressed)")]
    private partial void LogDeadLetter(string type, long seq, string reason, long suppressed);
}
