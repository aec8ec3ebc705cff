using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Outbox;
using Edge.Gateway.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Cameras;

/// <summary>
/// Snapshots for the events that matter (Cameras/README.md): every feature's events pass through here on their way to
/// the outbox; one that begins an alarm, a forced door or a camera tamper gets <c>data.snapshots</c> and goes on at
/// once, and the linked cameras' JPEGs follow on its media topic while no critical or high event waits.
/// </summary>
public sealed partial class SnapshotService : BackgroundService, IEventSink
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(50);
    private readonly IEventSink _inner;
    private readonly CameraOptions _options;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _links;
    private readonly CameraSources _cameras;
    private readonly ISnapshotPublisher _publisher;
    private readonly IOutboxPressure _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly Channel<Request> _requests;
    private readonly Channel<Snapshot> _taken;
    private readonly SemaphoreSlim _fetching = new(4, 4);
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _published;
    private long _dropped;

    /// <param name="inner">Where events go on to (the outbox writer).</param>
    /// <param name="cameras">The cameras to take snapshots with.</param>
    /// <param name="links">The cameras linked to each device, by device id.</param>
    /// <param name="publisher">Publishes a snapshot (the uplink).</param>
    /// <param name="outbox">What waits in the outbox: snapshots wait while critical or high events do.</param>
    public SnapshotService(IEventSink inner, CameraSources cameras, CameraOptions options, IReadOnlyDictionary<string, IReadOnlyList<string>> links,
        ISnapshotPublisher publisher, IOutboxPressure outbox, TimeProvider time, ILogger<SnapshotService> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _cameras = cameras;
        _options = options;
        _links = links;
        _publisher = publisher;
        _outbox = outbox;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _taken = Channel.CreateBounded<Snapshot>(new BoundedChannelOptions(options.SnapshotQueue) { FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref _dropped));
        _requests = Channel.CreateBounded<Request>(new BoundedChannelOptions(Math.Max(16, options.SnapshotQueue * 4)) { FullMode = BoundedChannelFullMode.DropWrite });
    }

    /// <summary>Snapshots published.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Snapshots dropped: too many waiting, too old, or asked for faster than cameras answer.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The counters the heartbeat carries.</summary>
    public Contracts.Status.SnapshotCounters Counters => new(Published, Dropped, _failures.Values.Sum());

    /// <summary>Snapshots that could not be had, by reason (not-jpeg, too-large, http-401, unreachable, timeout, ...).</summary>
    public IReadOnlyDictionary<string, long> Failures => _failures;

    /// <remarks>
    /// The submitter gets the outbox's own task, completed by the writer: an alarm adapter blocked on it (on a thread of
    /// its own) is woken by the commit itself. The pictures are asked for after the commit, beside it.
    /// </remarks>
    public Task<SubmitResult> SubmitAsync(EventDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var cameras = CamerasFor(draft);
        if (cameras.Count == 0)
        {
            return _inner.SubmitAsync(draft, cancellationToken);
        }

        var data = draft.Data?.DeepClone().AsObject() ?? [];
        data["snapshots"] = new JsonArray(cameras.Select(c => (JsonNode?)c).ToArray());
        var committed = _inner.SubmitAsync(draft with { Data = data }, cancellationToken);
        _ = AskWhenCommittedAsync(committed, cameras);
        return committed;
    }

    private async Task AskWhenCommittedAsync(Task<SubmitResult> committed, IReadOnlyList<string> cameras)
    {
        try
        {
            if ((await committed.ConfigureAwait(false)).Event is not { } e)
            {
                return;
            }

            foreach (var camera in cameras)
            {
                if (!_requests.Writer.TryWrite(new Request(e.Id, camera)))
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not committed: the submitter hears of it from the same task; there is no event to take pictures for.
        }
    }

    /// <summary>
    /// A snapshot asked for by the station (<c>camera.snapshot</c>): taken like an event's and published on the media
    /// topic of <paramref name="linkId"/>, the command's id. False when the gateway has no such camera or the queue is full.
    /// </summary>
    public bool Ask(Guid linkId, string camera)
    {
        if (!_cameras.Has(camera))
        {
            return false;
        }

        if (_requests.Writer.TryWrite(new Request(linkId, camera)))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>The linked cameras this gateway has, for an event that begins an alarm, a forced door or a camera tamper.</summary>
    private IReadOnlyList<string> CamerasFor(EventDraft draft)
    {
        if (draft.State != EventState.Active || (draft.Priority != Priority.Critical && draft.Type != EventTypes.CameraTamper))
        {
            return [];
        }

        IReadOnlyList<string> linked = draft.Type == EventTypes.CameraTamper ? [draft.Device.Id]
            : _links.TryGetValue(draft.Device.Id, out var list) ? list
            : [];
        return linked.Where(_cameras.Has).Distinct(StringComparer.Ordinal).Take(_options.SnapshotsPerEvent).ToList();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(FetchAsync(stoppingToken), PublishAsync(stoppingToken));

    private async Task FetchAsync(CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var request in _requests.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await _fetching.WaitAsync(ct).ConfigureAwait(false);
                running.RemoveAll(t => t.IsCompleted);
                running.Add(TakeAsync(request, ct));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task TakeAsync(Request request, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.SnapshotTimeout);
            var jpeg = await (_cameras.SnapshotAsync(request.Camera, _options.SnapshotMaxBytes, timeout.Token) ?? throw new SnapshotException("no-camera", request.Camera)).ConfigureAwait(false);
            _taken.Writer.TryWrite(new Snapshot(request.EventId, request.Camera, _time.GetUtcNow(), jpeg));
        }
        catch (SnapshotException ex)
        {
            Failed(request.Camera, ex.Reason, ex.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Failed(request.Camera, "timeout", $"no snapshot within {_options.SnapshotTimeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _fetching.Release();
        }
    }

    private async Task PublishAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var snapshot in _taken.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                while (true)
                {
                    if (_time.GetUtcNow() - snapshot.TakenAt > _options.SnapshotExpireAfter)
                    {
                        Interlocked.Increment(ref _dropped);
                        break;
                    }

                    if (_outbox.Pending(Priority.Critical) + _outbox.Pending(Priority.High) > 0)
                    {
                        await Task.Delay(Idle, _time, ct).ConfigureAwait(false);
                    }
                    else if (await _publisher.PublishSnapshotAsync(snapshot, _options.SnapshotExpireAfter, ct).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref _published);
                        break;
                    }
                    else
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), _time, ct).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Failed(string camera, string reason, string detail)
    {
        _failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
        if (_limiter.TryEnter(out var held))
        {
            LogFailed(camera, detail, held);
        }
    }

    public override void Dispose()
    {
        _fetching.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot from camera {Camera} failed: {Detail} ({Held} similar lines held back)")]
    private partial void LogFailed(string camera, string detail, long held);

    private sealed record Request(Guid EventId, string Camera);
}
