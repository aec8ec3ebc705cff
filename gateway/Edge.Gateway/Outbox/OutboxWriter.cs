using System.Threading.Channels;
using Edge.Gateway.Common;
using Edge.Contracts.Events;
using Edge.Contracts.Topics;
using Edge.Gateway.Configuration;
using Edge.Gateway.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Outbox;

// Over 300 lines: the single loop that owns the database's writes: intake, outcomes, lingering and the drain at stop share its channels and waits.
/// <summary>
/// The single writer of the outbox: takes submitted events from a bounded intake channel and outcomes from the
/// uplink, and commits whatever has gathered in one transaction (group commit), so durability costs one fsync per
/// batch rather than per event. A full intake makes submitters wait: events are never dropped at the door. Critical
/// events (alarms) have an intake of their own, never full, and are committed first, in a transaction of their own:
/// an alarm never waits behind a burst of other events handed over before it.
/// </summary>
public sealed partial class OutboxWriter : BackgroundService, IEventSink
{
    private static readonly TimeSpan LoopStopGrace = TimeSpan.FromSeconds(15);
    private readonly OutboxStore _store;
    private readonly EventFactory _events;
    private readonly int _batchSize;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<Intake> _intake;
    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>();
    private readonly Channel<Intake> _critical = Channel.CreateUnbounded<Intake>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Set whenever something is handed to the writer: its loop, on a thread of its own, sleeps on it.</summary>
    private readonly ManualResetEventSlim _work = OwnThread.NewSignal();

    /// <summary>The events committed since the process started, per category, and the devices that said they are offline.</summary>
    public Metrics.EventTally Tally { get; } = new();

    public OutboxWriter(OutboxStore store, GatewayOptions gateway, OutboxOptions options, TimeProvider time, ILogger<OutboxWriter> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        _store = store;
        _events = new EventFactory(gateway.Community, gateway.Id);
        _batchSize = options.BatchSize;
        _time = time;
        _log = log;
        _intake = Channel.CreateBounded<Intake>(new BoundedChannelOptions(options.IntakeCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// Raised on the writer's thread after each commit that stored new events (or put dead letters back in their lanes):
    /// the uplink's session, waiting on a thread of its own when it has nothing to send, wakes on it. Handlers must
    /// only signal.
    /// </summary>
    internal event Action? Committed;

    /// <inheritdoc />
    public Task<SubmitResult> SubmitAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        Validate(draft);
        var intake = new Intake(draft, _time.GetUtcNow());

        // The common case, room in the intake, costs no extra state machine per event.
        var channel = draft.Priority == Priority.Critical ? _critical : _intake;
        if (!channel.Writer.TryWrite(intake))
        {
            return SubmitWhenRoomAsync(channel, intake, cancellationToken);
        }

        _work.Set();
        return intake.Committed.Task;
    }

    private async Task<SubmitResult> SubmitWhenRoomAsync(Channel<Intake> channel, Intake intake, CancellationToken cancellationToken)
    {
        await channel.Writer.WriteAsync(intake, cancellationToken).ConfigureAwait(false);
        _work.Set();
        return await intake.Committed.Task.ConfigureAwait(false);
    }

    /// <summary>Hands the writer an outcome of a sent event; completes when it is committed.</summary>
    internal Task ReportAsync(Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var awaited = outcome with { Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        if (!_outcomes.Writer.TryWrite(awaited))
        {
            awaited.Committed.TrySetCanceled();
        }

        _work.Set();
        return awaited.Committed.Task;
    }

    /// <summary>Hands the writer an outcome nobody waits for (a delivery, an expiry): it is committed with the next batch.</summary>
    internal void Report(Outcome outcome)
    {
        // A delivery while the loop lingers for more of them is gathered when the lingering ends: waking it for each
        // PUBACK would only send it back to sleep.
        if (_outcomes.Writer.TryWrite(outcome) && !(outcome.Kind == OutcomeKind.Delivered && Volatile.Read(ref _lingering)))
        {
            _work.Set();
        }
    }

    /// <summary>True while the loop lingers for deliveries (<see cref="Linger"/>).</summary>
    private bool _lingering;

    /// <summary>
    /// Puts every dead-lettered event back in its lane, with its seq, and returns how many there were: the uplink sends
    /// them again, highest lane first. An event in flight when its lane starts again may be sent twice.
    /// </summary>
    public async Task<int> ReplayDeadLettersAsync(CancellationToken ct)
    {
        var count = _store.DeadLetterCount();
        await ReportAsync(new Outcome(OutcomeKind.ReplayDeadLetters, 0, _time.GetUtcNow())).WaitAsync(ct).ConfigureAwait(false);
        return count;
    }

    /// <summary>The loop runs on a thread of its own (<see cref="OwnThread"/>): an alarm's commit never waits in the thread pool's queue, and the commits' fsyncs block no pool thread.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => OwnThread.Run("edge-outbox-writer", () => Loop(stoppingToken));

    private void Loop(CancellationToken stoppingToken)
    {
        var intakes = new List<Intake>(_batchSize);
        var outcomes = new List<Outcome>(_batchSize);
        try
        {
            while (true)
            {
                // Reset before looking: whatever is handed over after this look sets it again, so no wake is lost.
                _work.Reset();
                Gather(intakes, outcomes);
                if (intakes.Count + outcomes.Count == 0)
                {
                    _work.Wait(stoppingToken);
                    continue;
                }

                if (intakes.Count == 0 && outcomes.Count < _batchSize && outcomes.TrueForAll(o => o.Kind == OutcomeKind.Delivered))
                {
                    // Only deliveries, which nobody waits for: let more gather, so one transaction removes many. A new
                    // event ends the wait at once.
                    Linger(stoppingToken);
                    GatherMore(intakes, outcomes);
                }

                CommitBatch(intakes, outcomes);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync commits what is still queued, once this loop has ended.
        }
    }

    /// <summary>
    /// Stops taking events and commits everything already handed over. The drain happens here rather than in the loop
    /// because a host may stop the writer before its loop ever ran (BackgroundService skips it then).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _intake.Writer.TryComplete();
        _critical.Writer.TryComplete();
        _outcomes.Writer.TryComplete();

        // Wait for the loop on a clock of our own: a host that is already out of time must not make us skip the drain.
        using (var grace = new CancellationTokenSource(LoopStopGrace))
        {
            await base.StopAsync(grace.Token).ConfigureAwait(false);
        }

        if (ExecuteTask is { IsCompleted: false })
        {
            // The loop is stuck inside a commit and still owns the connection: do not write beside it.
            LogLoopStuck(LoopStopGrace.TotalSeconds);
            return;
        }

        var intakes = new List<Intake>(_batchSize);
        var outcomes = new List<Outcome>(_batchSize);
        do
        {
            Gather(intakes, outcomes);
            CommitBatch(intakes, outcomes);
        }
        while (intakes.Count + outcomes.Count > 0);
    }

    /// <summary>How long deliveries may wait to be removed together: a lost removal costs only a duplicate.</summary>
    private static readonly TimeSpan LingerTime = TimeSpan.FromMilliseconds(5);

    /// <summary>Waits up to <see cref="LingerTime"/> on the writer's clock, or until an event is handed over.</summary>
    private void Linger(CancellationToken ct)
    {
        var until = OwnThread.Due(_time, _time.GetTimestamp(), LingerTime);
        Volatile.Write(ref _lingering, true);
        try
        {
            while (true)
            {
                // Reset before looking, as in the loop. Any other outcome still wakes it: it is left to gather, and the
                // loop sleeps on.
                _work.Reset();
                if (_intake.Reader.TryPeek(out _) || _critical.Reader.TryPeek(out _) || _time.GetTimestamp() >= until)
                {
                    return;
                }

                OwnThread.WaitUntil(_work, until, _time, ct);
            }
        }
        finally
        {
            Volatile.Write(ref _lingering, false);
        }
    }

    private void GatherMore(List<Intake> intakes, List<Outcome> outcomes)
    {
        while (outcomes.Count < _batchSize && _outcomes.Reader.TryRead(out var c))
        {
            outcomes.Add(c);
        }

        TakeIntakes(intakes);
    }

    /// <summary>
    /// Critical events waiting are taken alone, so their transaction is small and its fsync comes at once; otherwise
    /// the other events, up to a batch.
    /// </summary>
    private void TakeIntakes(List<Intake> intakes)
    {
        var before = intakes.Count;
        while (intakes.Count < _batchSize && _critical.Reader.TryRead(out var alarm))
        {
            intakes.Add(alarm);
        }

        if (intakes.Count > before)
        {
            return;
        }

        while (intakes.Count < _batchSize && _intake.Reader.TryRead(out var i))
        {
            intakes.Add(i);
        }
    }

    private void Gather(List<Intake> intakes, List<Outcome> outcomes)
    {
        intakes.Clear();
        outcomes.Clear();
        while (outcomes.Count < _batchSize && _outcomes.Reader.TryRead(out var c))
        {
            outcomes.Add(c);
        }

        TakeIntakes(intakes);
    }

    private void CommitBatch(List<Intake> intakes, List<Outcome> outcomes)
    {
        if (intakes.Count + outcomes.Count == 0)
        {
            return;
        }

        IReadOnlyList<SubmitResult> results;
        try
        {
            results = _store.Commit(outcomes, intakes, _events);
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, intakes.Count, outcomes.Count);
            foreach (var i in intakes)
            {
                i.Committed.TrySetException(ex);
            }

            foreach (var c in outcomes)
            {
                c.Committed?.TrySetException(ex);
            }

            return;
        }

        foreach (var c in outcomes)
        {
            c.Committed?.TrySetResult();
        }

        var stored = false;
        for (var n = 0; n < intakes.Count; n++)
        {
            stored |= results[n].Accepted;
            if (!results[n].Accepted)
            {
                LogRejected(intakes[n].Draft.Type, intakes[n].Draft.Priority);
            }
            else
            {
                Tally.Count(intakes[n].Draft.Type, intakes[n].Draft.Device);
            }

            intakes[n].Committed.TrySetResult(results[n]);
        }

        // The uplink wakes for new events, and for dead letters put back in their lanes.
        if (stored || outcomes.Any(c => c.Kind == OutcomeKind.ReplayDeadLetters))
        {
            Committed?.Invoke();
        }
    }

    public override void Dispose()
    {
        _events.Dispose();
        base.Dispose();
        if (ExecuteTask is null or { IsCompleted: true })
        {
            // A loop still stuck in a commit keeps waiting on it.
            _work.Dispose();
        }
    }

    private static void Validate(EventDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (EventCategory.Of(draft.Type) is null)
        {
            throw new ArgumentException($"event type '{draft.Type}' is not category.name with a v1 category", nameof(draft));
        }

        if (!TopicSegment.IsValid(draft.Device?.Id))
        {
            throw new ArgumentException($"device id '{draft.Device?.Id}' is not a valid topic segment", nameof(draft));
        }

        if (!Enum.IsDefined(draft.Priority))
        {
            throw new ArgumentException($"priority {(int)draft.Priority} is not defined", nameof(draft));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox commit failed; {Events} events and {Outcomes} outcomes were not stored")]
    private partial void LogCommitFailed(Exception ex, int events, int outcomes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox writer still busy {Seconds} s after stop; events not yet committed are lost")]
    private partial void LogLoopStuck(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox full: {Type} ({Priority}) not stored, counted as an eviction")]
    private partial void LogRejected(string type, Priority priority);
}
